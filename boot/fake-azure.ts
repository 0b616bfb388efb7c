import { createHmac, randomBytes, timingSafeEqual } from 'crypto';
import { appendFileSync } from 'fs';
import { createServer as createHttpServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'http';
import { createServer as createHttpsServer } from 'https';
import { AddressInfo } from 'net';
import { stringify as yamlStringify } from 'yaml';
import { FAKE_TENANT_ID, fakeGuid, MachineIdentity } from './stack-data';

/** The machine as Azure provisions it: what the fake Instance Metadata Service and the NoCloud seed serve. */
export interface ProvisionedMachine {
  readonly instanceId: string;
  readonly computerName: string;
  /** The admin user Azure creates (with the SSH key), as the VM resource's admin_username says. */
  readonly adminUsername: string;
  readonly sshPublicKey: string;
  readonly identity: MachineIdentity;
  readonly customData: string;
  readonly userData: string;
}

export interface FakeAzureOptions {
  readonly machine: ProvisionedMachine;
  /** Login servers the fake registry answers as (the TLS certificate names them). */
  readonly loginServers: string[];
  /** The first N managed identity token requests fail, as while an identity is not yet usable on the VM. */
  readonly tokenRefusals: number;
  /** The first N token exchanges fail with 401, as while the pull role assignment propagates. */
  readonly exchangeRefusals: number;
  /** The registry's password for user 00000000-0000-0000-0000-000000000000: what the exchange returns. */
  readonly refreshToken: string;
  /** The real registry (docker-registry, plain HTTP on 127.0.0.1) behind the TLS front. */
  readonly registryPort: number;
  readonly tls: { readonly key: string; readonly cert: string };
  readonly logFile: string;
}

export interface RequestRecord {
  /** Milliseconds since the epoch, host clock. */
  readonly at: number;
  readonly kind: 'seed' | 'imds-user-data' | 'imds-token' | 'imds-other' | 'exchange' | 'registry';
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly note: string;
}

/** The resources the ACR token exchange accepts Entra ID tokens for (ARM's, as `az acr login` sends, and ACR's). */
const EXCHANGE_AUDIENCES = new Set([
  'https://management.core.windows.net/', 'https://management.azure.com/', 'https://management.azure.com',
  'https://containerregistry.azure.net', 'https://containerregistry.azure.net/',
]);
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
const TOKEN_LIFETIME_SECONDS = 86399;

/**
 * The Azure half of one booted machine, at its real interfaces:
 * - the Instance Metadata Service (the guest reaches it at 169.254.169.254 through QEMU): `userData` (base64,
 *   as Azure serves it) and the managed identity token endpoint, both requiring `Metadata: true`;
 * - the NoCloud seed (custom_data as user-data; the admin user and SSH key, which Azure's own provisioning
 *   creates, as vendor-data);
 * - the registry's login server over TLS: `POST /oauth2/exchange` (Entra ID access token for an ACR refresh
 *   token), everything else passed to the real registry, which requires that refresh token.
 */
export class FakeAzure {
  readonly requests: RequestRecord[] = [];
  private readonly secret = randomBytes(32);
  private readonly issuedTokens: string[] = [];
  private userData: string;
  private tokenRefusalsLeft: number;
  private exchangeRefusalsLeft: number;
  private metadataServer?: Server;
  private registryServer?: Server;

  constructor(private readonly options: FakeAzureOptions) {
    this.userData = options.machine.userData;
    this.tokenRefusalsLeft = options.tokenRefusals;
    this.exchangeRefusalsLeft = options.exchangeRefusals;
  }

  /** Starts both servers on free ports of 127.0.0.1; returns them. */
  async start(): Promise<{ metadataPort: number; registryPort: number }> {
    this.metadataServer = createHttpServer((req, res) => this.handle(req, res, () => this.metadata(req, res)));
    this.registryServer = createHttpsServer(this.options.tls, (req, res) => this.handle(req, res, () => this.registry(req, res)));
    return { metadataPort: await listen(this.metadataServer), registryPort: await listen(this.registryServer) };
  }

  async stop(): Promise<void> {
    for (const server of [this.metadataServer, this.registryServer]) {
      if (server) await new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); });
    }
  }

  /** Azure updates a VM's user_data in place: the next IMDS read returns the new one. */
  setUserData(text: string): void {
    this.userData = text;
    this.note(`user data replaced (${Buffer.byteLength(text)} bytes)`);
  }

  /** Credentials the fake handed out: none may appear in the machine's data, journal or logs. */
  secrets(): string[] {
    return [this.options.refreshToken, ...this.issuedTokens];
  }

  requestsOf(kind: RequestRecord['kind']): RequestRecord[] {
    return this.requests.filter((record) => record.kind === kind);
  }

  note(text: string): void {
    appendFileSync(this.options.logFile, `${new Date().toISOString()} -- ${text}\n`);
  }

  private handle(req: IncomingMessage, res: ServerResponse, serve: () => Promise<void> | void): void {
    Promise.resolve(serve()).catch((error: Error) => {
      this.note(`error serving ${req.method} ${req.url}: ${error.stack}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  }

  private record(kind: RequestRecord['kind'], req: IncomingMessage, status: number, note = ''): void {
    const record = { at: Date.now(), kind, method: req.method ?? '', path: req.url ?? '', status, note };
    this.requests.push(record);
    appendFileSync(this.options.logFile,
      `${new Date(record.at).toISOString()} ${kind} ${record.method} ${redactQuery(record.path)} -> ${status}${note ? ` (${note})` : ''}\n`);
  }

  // --- 169.254.169.254 and the NoCloud seed --------------------------------------------------------

  private metadata(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://169.254.169.254');
    if (url.pathname.startsWith('/nocloud/')) return this.seed(url.pathname.slice('/nocloud/'.length), req, res);
    if (!url.pathname.startsWith('/metadata/')) return this.reply(res, 'imds-other', req, 404, { error: 'Not found' });
    // IMDS refuses requests without the header, and proxied ones (X-Forwarded-For).
    if (req.headers.metadata !== 'true') {
      return this.reply(res, 'imds-other', req, 400, { error: 'Bad request. Required metadata header not specified' });
    }
    if (req.headers['x-forwarded-for'] !== undefined) {
      return this.reply(res, 'imds-other', req, 400, { error: 'Bad request. X-Forwarded-For header is not allowed' });
    }
    if (!url.searchParams.get('api-version')) {
      return this.reply(res, 'imds-other', req, 400, { error: 'Bad request. api-version was not specified in the request' });
    }
    if (url.pathname === '/metadata/instance/compute/userData') return this.userDataOf(url, req, res);
    if (url.pathname === '/metadata/identity/oauth2/token') return this.token(url, req, res);
    return this.reply(res, 'imds-other', req, 404, { error: 'Not found' });
  }

  private seed(file: string, req: IncomingMessage, res: ServerResponse): void {
    const machine = this.options.machine;
    const files: Record<string, string> = {
      'meta-data': yamlStringify({ 'instance-id': machine.instanceId, 'local-hostname': machine.computerName }),
      'user-data': machine.customData,
      // What Azure's provisioning does besides custom_data: the admin user with its SSH key and sudo, as the
      // Azure datasource's default user on Ubuntu images (groups that Debian lacks are created by cloud-init).
      'vendor-data': `#cloud-config\n${yamlStringify({
        users: [{
          name: machine.adminUsername,
          groups: ['adm', 'audio', 'cdrom', 'dialout', 'dip', 'floppy', 'lxd', 'netdev', 'plugdev', 'sudo', 'video'],
          sudo: 'ALL=(ALL) NOPASSWD:ALL',
          shell: '/bin/bash',
          lock_passwd: true,
          ssh_authorized_keys: [machine.sshPublicKey],
        }],
      })}`,
    };
    if (!(file in files)) return this.reply(res, 'seed', req, 404, 'not found');
    this.record('seed', req, 200, file);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(files[file]);
  }

  private userDataOf(url: URL, req: IncomingMessage, res: ServerResponse): void {
    if (url.searchParams.get('format') !== 'text') {
      return this.reply(res, 'imds-user-data', req, 400, { error: 'Bad request. userData is a leaf: format=text is required' });
    }
    this.record('imds-user-data', req, 200);
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(Buffer.from(this.userData, 'utf8').toString('base64'));
  }

  private token(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const resource = url.searchParams.get('resource');
    if (!resource) return this.reply(res, 'imds-token', req, 400, { error: 'invalid_request', error_description: 'Required query variable \'resource\' is missing' });
    const clientId = this.identityFor(url.searchParams.get('client_id'));
    if (typeof clientId !== 'string') return this.reply(res, 'imds-token', req, 400, clientId.error);
    if (this.tokenRefusalsLeft > 0) {
      this.tokenRefusalsLeft -= 1;
      return this.reply(res, 'imds-token', req, 400, { error: 'invalid_request', error_description: 'Identity not found' },
        `refused as configured, ${this.tokenRefusalsLeft} refusal(s) left`);
    }
    const now = Math.floor(Date.now() / 1000);
    const accessToken = this.sign({
      aud: resource, iss: `https://sts.windows.net/${FAKE_TENANT_ID}/`, iat: now, nbf: now, exp: now + TOKEN_LIFETIME_SECONDS,
      tid: FAKE_TENANT_ID, appid: clientId, oid: fakeGuid(`principal of ${clientId}`), sub: fakeGuid(`principal of ${clientId}`),
    });
    this.issuedTokens.push(accessToken);
    this.reply(res, 'imds-token', req, 200, {
      access_token: accessToken, client_id: clientId, expires_in: String(TOKEN_LIFETIME_SECONDS),
      expires_on: String(now + TOKEN_LIFETIME_SECONDS), ext_expires_in: String(TOKEN_LIFETIME_SECONDS),
      not_before: String(now), resource, token_type: 'Bearer',
    }, `token for ${resource} as ${clientId}`);
  }

  /** The identity a token request gets, as IMDS picks it; or the error IMDS returns. */
  private identityFor(requested: string | null): string | { error: object } {
    const { systemAssigned, userAssignedClientIds } = this.options.machine.identity;
    const notFound = { error: { error: 'invalid_request', error_description: 'Identity not found' } };
    if (requested) return userAssignedClientIds.includes(requested) ? requested : notFound;
    if (systemAssigned) return fakeGuid('system-assigned identity');
    if (userAssignedClientIds.length === 1) return userAssignedClientIds[0];
    if (userAssignedClientIds.length > 1) {
      return { error: { error: 'invalid_request', error_description: 'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request' } };
    }
    return notFound;
  }

  // --- the registry's login server (TLS) --------------------------------------------------------------

  private async registry(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!this.options.loginServers.includes(host)) return this.reply(res, 'registry', req, 404, { errors: [{ code: 'NAME_UNKNOWN', message: `no registry ${host}` }] });
    if (req.method === 'POST' && req.url?.split('?')[0] === '/oauth2/exchange') return this.exchange(host, req, res);
    return this.proxy(req, res);
  }

  private async exchange(loginServer: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const unauthorized = (message: string) => this.reply(res, 'exchange', req, 401, { errors: [{ code: 'UNAUTHORIZED', message }] }, message);
    if (form.get('grant_type') !== 'access_token') return this.reply(res, 'exchange', req, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type must be access_token' }] });
    if (form.get('service') !== loginServer) return unauthorized(`service '${form.get('service')}' is not ${loginServer}`);
    const claims = this.verify(form.get('access_token') ?? '');
    if (!claims) return unauthorized('the access token is not one the fake IMDS issued, or it expired');
    if (!EXCHANGE_AUDIENCES.has(String(claims.aud))) return unauthorized(`the access token's audience ${claims.aud} is not accepted`);
    const tenant = form.get('tenant');
    if (tenant && tenant !== FAKE_TENANT_ID) return unauthorized(`tenant ${tenant} is not the token's`);
    if (this.exchangeRefusalsLeft > 0) {
      this.exchangeRefusalsLeft -= 1;
      return unauthorized(`refused as configured (role assignment propagating), ${this.exchangeRefusalsLeft} refusal(s) left`);
    }
    this.reply(res, 'exchange', req, 200, { refresh_token: this.options.refreshToken }, `refresh token for ${claims.appid} (${claims.aud})`);
  }

  /** Passes the request to docker-registry, noting the basic-auth user it carries. */
  private proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest({
        host: '127.0.0.1', port: this.options.registryPort, method: req.method, path: req.url, headers: req.headers,
      }, (response) => {
        this.record('registry', req, response.statusCode ?? 0, `user ${basicUser(req) ?? '(none)'}`);
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on('end', resolve);
      });
      upstream.on('error', reject);
      req.pipe(upstream);
    });
  }

  // --- helpers --------------------------------------------------------------------------------------

  private reply(res: ServerResponse, kind: RequestRecord['kind'], req: IncomingMessage, status: number, body: object | string, note?: string): void {
    this.record(kind, req, status, note ?? (status >= 400 ? JSON.stringify(body) : ''));
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' }).end(text);
  }

  private sign(claims: Record<string, unknown>): string {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${unsigned}.${createHmac('sha256', this.secret).update(unsigned).digest('base64url')}`;
  }

  private verify(token: string): Record<string, unknown> | undefined {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return undefined;
    const expected = createHmac('sha256', this.secret).update(`${header}.${payload}`).digest();
    const actual = Buffer.from(signature, 'base64url');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    return Number(claims.exp) > Date.now() / 1000 ? claims : undefined;
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function basicUser(req: IncomingMessage): string | undefined {
  const match = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  return match ? Buffer.from(match[1], 'base64').toString('utf8').split(':')[0] : undefined;
}

/** Query strings of token requests hold no secret, but keep logs short. */
function redactQuery(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}...` : path;
}

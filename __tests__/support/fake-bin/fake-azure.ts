/**
 * A fake Instance Metadata Service and fake registries, as one local HTTP server, for running the real
 * on-VM scripts with the real curl: {@link curlThroughFakeAzure} is a fake `curl` that sends what was meant
 * for http://169.254.169.254 and https://<host> to this server instead, then runs /usr/bin/curl.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { FakeTool } from './index';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
/** What https://packages.microsoft.com/keys/microsoft.asc serves here. */
export const MICROSOFT_KEY = '-----BEGIN PGP PUBLIC KEY BLOCK-----\nfake\n-----END PGP PUBLIC KEY BLOCK-----\n';

/** One request the server received. */
export interface FakeRequest {
  readonly method: string;
  /** `imds` or the registry's host name. */
  readonly host: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: http.IncomingHttpHeaders;
  /** The form fields of a POST. */
  readonly form: Record<string, string>;
}

export interface FakeAzureOptions {
  /** The VM's user data, served base64 at /metadata/instance/compute/userData. @default '' */
  readonly userData?: string;
  /** The first this many token requests get 400 "Identity not found", as while an identity is being assigned. @default 0 */
  readonly refuseTokens?: number;
  /** The first this many exchanges get 401, as while a role assignment propagates. @default 0 */
  readonly refuseExchanges?: number;
}

/** A JWT-shaped token (unsigned), as Microsoft Entra ID issues them, with the tenant in `tid`. */
export function fakeJwt(claims: Record<string, string>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

export class FakeAzure {
  public readonly requests: FakeRequest[] = [];
  /** Every token the server handed out: none of them may show up in a log, an argument or an output. */
  public readonly issued: string[] = [];
  private readonly server: http.Server;
  private tokenRequests = 0;
  private exchanges = 0;

  private constructor(private readonly options: FakeAzureOptions) {
    this.server = http.createServer((request, response) => this.handle(request, response));
  }

  public static async start(options: FakeAzureOptions = {}): Promise<FakeAzure> {
    const fake = new FakeAzure(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  public get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The environment the fake curl needs. */
  public get env(): Record<string, string> {
    return { FAKE_AZURE_PORT: String(this.port) };
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The access token the identity with this client ID gets ('' = system-assigned). */
  public static accessToken(clientId: string): string {
    return fakeJwt({ aud: 'https://containerregistry.azure.net', tid: TENANT_ID, appid: clientId || 'system-assigned' });
  }

  /** The refresh token the registry `host` gives for `accessToken`. */
  public static refreshToken(host: string, accessToken: string): string {
    return `acr-refresh-token-for-${host}-${accessToken.length}`;
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      const [, host, ...rest] = url.pathname.split('/');
      const recorded: FakeRequest = {
        method: request.method ?? '',
        host,
        path: `/${rest.join('/')}`,
        query: Object.fromEntries(url.searchParams),
        headers: request.headers,
        form: request.method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : {},
      };
      this.requests.push(recorded);
      const [status, answer] = this.answer(recorded);
      response.writeHead(status, { 'Content-Type': typeof answer === 'string' ? 'text/plain' : 'application/json' });
      response.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
    });
  }

  private answer(request: FakeRequest): [number, object | string] {
    if (request.host === 'imds') {
      if (request.headers.metadata !== 'true') return [400, { error: 'bad_request', error_description: 'Required metadata header not specified' }];
      if (request.path === '/metadata/instance/compute/userData') {
        return [200, Buffer.from(this.options.userData ?? '', 'utf8').toString('base64')];
      }
      if (request.path === '/metadata/identity/oauth2/token') {
        this.tokenRequests++;
        if (this.tokenRequests <= (this.options.refuseTokens ?? 0)) {
          return [400, { error: 'invalid_request', error_description: 'Identity not found' }];
        }
        const token = FakeAzure.accessToken(request.query.client_id ?? '');
        this.issued.push(token);
        return [200, { access_token: token, expires_in: '86399', resource: request.query.resource, token_type: 'Bearer' }];
      }
      return [404, { error: 'not_found' }];
    }
    if (request.host === 'packages.microsoft.com' && request.path === '/keys/microsoft.asc') {
      return [200, MICROSOFT_KEY];
    }
    if (request.path === '/oauth2/exchange' && request.method === 'POST') {
      this.exchanges++;
      const accessToken = request.form.access_token ?? '';
      if (this.exchanges <= (this.options.refuseExchanges ?? 0) || !this.issued.includes(accessToken)) {
        return [401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required, visit https://aka.ms/acr/authorization' }] }];
      }
      const token = FakeAzure.refreshToken(request.host, accessToken);
      this.issued.push(token);
      return [200, { refresh_token: token }];
    }
    return [404, 'not found'];
  }
}

/**
 * A fake curl (record its arguments, then run the real curl) that sends requests for the Instance Metadata
 * Service and for https://<host> to a {@link FakeAzure} on $FAKE_AZURE_PORT, as plain HTTP.
 */
export const curlThroughFakeAzure: FakeTool = {
  body: [
    'args=()',
    'for arg in "$@"; do',
    '  case $arg in',
    '    http://169.254.169.254/*) arg=http://127.0.0.1:$FAKE_AZURE_PORT/imds/${arg#http://169.254.169.254/} ;;',
    '    https://*) arg=http://127.0.0.1:$FAKE_AZURE_PORT/${arg#https://} ;;',
    '  esac',
    '  args+=("$arg")',
    'done',
    'exec /usr/bin/curl "${args[@]}"',
  ].join('\n'),
};

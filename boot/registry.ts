import { createHash } from 'crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { request } from 'http';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { ACR_REFRESH_TOKEN_USER } from './fake-azure';
import { Background, freePort, run, runBinary, waitFor } from './process';

/**
 * The real registry behind the fake login server: Debian's docker-registry (distribution 2.8) on 127.0.0.1,
 * plain HTTP (the TLS front in fake-azure.ts terminates TLS), htpasswd auth with one user,
 * 00000000-0000-0000-0000-000000000000, whose password is the refresh token the fake token exchange issues:
 * what `docker login` with an ACR refresh token sends as basic credentials.
 */
export class Registry {
  private constructor(readonly port: number, private readonly process: Background, private readonly password: string) {}

  static async start(dir: string, password: string): Promise<Registry> {
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'htpasswd'), run('htpasswd', ['-Bbn', ACR_REFRESH_TOKEN_USER, password]));
    const port = await freePort();
    writeFileSync(join(dir, 'config.yml'), [
      'version: 0.1',
      'log: {level: info}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
      `auth: {htpasswd: {realm: acr-boot-test, path: ${join(dir, 'htpasswd')}}}`,
      '',
    ].join('\n'));
    const process = new Background('docker-registry', 'docker-registry', ['serve', join(dir, 'config.yml')], join(dir, 'registry.log'));
    await waitFor('docker-registry to answer', 20_000, async () => ((await status(port, '/v2/')) === 401 ? true : undefined), 200);
    return new Registry(port, process, password);
  }

  /** Builds a small image offline as an OCI layout and pushes it with skopeo as NAME:TAG. */
  push(name: string, tag: string, dir: string): void {
    const layout = buildOciImage(join(dir, `${name}-${tag}`), tag, { 'hello.txt': `${name}:${tag}, built by the boot test\n` });
    run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `${ACR_REFRESH_TOKEN_USER}:${this.password}`,
      `oci:${layout}:${tag}`, `docker://127.0.0.1:${this.port}/${name}:${tag}`]);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

function status(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

/** An OCI image layout with one layer holding `files`, reproducible (sorted, owner 0, mtime 0). */
function buildOciImage(dir: string, tag: string, files: Record<string, string>): string {
  const root = join(dir, 'rootfs');
  mkdirSync(root, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(root, name), content);
  const tar = runBinary('tar', ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '-C', root, '-cf', '-', '.']);
  const layer = gzipSync(tar);
  const blobs = join(dir, 'layout', 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const blob = (content: Buffer | string, mediaType: string) => {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
  };
  const config = blob(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${createHash('sha256').update(tar).digest('hex')}`] },
    history: [{ created_by: 'acr boot test' }],
  }), 'application/vnd.oci.image.config.v1+json');
  const manifest = blob(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config,
    layers: [blob(layer, 'application/vnd.oci.image.layer.v1.tar+gzip')],
  }), 'application/vnd.oci.image.manifest.v1+json');
  writeFileSync(join(dir, 'layout', 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'layout', 'index.json'), JSON.stringify({
    schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  return join(dir, 'layout');
}

/** A TLS key and certificate for the login servers, issued with the guest image's test CA. */
export function issueCertificate(imageDir: string, names: string[], dir: string): { key: string; cert: string } {
  mkdirSync(dir, { recursive: true });
  const [key, csr, cert, ext] = ['tls.key', 'tls.csr', 'tls.crt', 'tls.ext'].map((file) => join(dir, file));
  writeFileSync(ext, `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-subj', `/CN=${names[0]}`, '-out', csr]);
  run('openssl', ['x509', '-req', '-in', csr, '-CA', join(imageDir, 'ca.crt'), '-CAkey', join(imageDir, 'ca.key'),
    '-CAcreateserial', '-CAserial', join(dir, 'ca.srl'), '-days', '2', '-extfile', ext, '-out', cert]);
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

import { RequestRecord } from './fake-azure';
import { BootTestFailure } from './process';

/** What boot/guest-facts.py reports. */
export interface GuestFacts {
  readonly user: string;
  readonly groups: string[];
  readonly boot_id: string;
  readonly docker_images: { status: number; images: string[]; err: string };
  readonly service: Record<string, string>;
  readonly timer: Record<string, string>;
  readonly docker_config: { auths?: string[]; credsStore?: string; error?: string };
  readonly azure_dir: Record<string, string> | null;
  readonly azure_marker: string | null;
  readonly cloud_init: { status: number; out: string; err: string };
  readonly az: { path: string; sha256: string | null; package: string };
}

/** The checks of one scenario: every one is run and reported, then the scenario fails if any did. */
export class Checks {
  private readonly results: Array<{ ok: boolean; text: string }> = [];

  constructor(readonly scenario: string) {}

  check(ok: boolean, what: string, otherwise = ''): void {
    this.results.push({ ok, text: ok ? what : `${what}${otherwise ? `: ${otherwise}` : ''}` });
  }

  get failed(): boolean {
    return this.results.some((result) => !result.ok);
  }

  report(): string {
    return [`${this.scenario}:`, ...this.results.map((result) => `  ${result.ok ? 'ok  ' : 'FAIL'} ${result.text}`)].join('\n');
  }

  throwIfFailed(): void {
    if (this.failed) throw new BootTestFailure(this.report());
  }
}

/** The service ran to its end in this boot (or failed). */
export function serviceFinished(facts: GuestFacts): boolean {
  const service = facts.service;
  const ran = service.ExecMainStartTimestampMonotonic !== undefined && service.ExecMainStartTimestampMonotonic !== '0';
  return service.ActiveState === 'failed' || (ran && ['inactive', 'active'].includes(service.ActiveState));
}

/** What every scenario expects of a machine that logged in and pulled. */
export function checkLoggedIn(checks: Checks, facts: GuestFacts, expected: {
  adminUsername: string; loginServers: string[]; images: string[]; azureMarker: string; azureMarkerSha256: string;
}): void {
  checks.check(facts.user === expected.adminUsername, `the checks run as the admin user ${expected.adminUsername}`, `they ran as ${facts.user}`);
  checks.check(facts.service.LoadState === 'loaded', 'acr-login.service is installed', `LoadState=${facts.service.LoadState}`);
  checks.check(facts.service.Result === 'success' && facts.service.ExecMainStatus === '0',
    'acr-login.service succeeded', `Result=${facts.service.Result} ExecMainStatus=${facts.service.ExecMainStatus} ActiveState=${facts.service.ActiveState}`);
  checks.check(facts.timer.ActiveState === 'active' && facts.timer.UnitFileState === 'enabled', 'acr-login.timer is enabled and active',
    `ActiveState=${facts.timer.ActiveState} UnitFileState=${facts.timer.UnitFileState} LoadState=${facts.timer.LoadState}`);
  checks.check(facts.docker_images.status === 0, `the admin user runs 'docker images' (docker group)`, facts.docker_images.err.trim());
  for (const image of expected.images) {
    checks.check(facts.docker_images.images.includes(image), `docker images lists ${image}`, `it lists: ${facts.docker_images.images.join(' ') || 'nothing'}`);
  }
  for (const loginServer of expected.loginServers) {
    checks.check((facts.docker_config.auths ?? []).includes(loginServer), `the admin's ~/.docker/config.json names ${loginServer}`,
      facts.docker_config.error ?? `it names: ${(facts.docker_config.auths ?? []).join(' ') || 'nothing'}`);
  }
  const azure = facts.azure_dir ?? {};
  checks.check(JSON.stringify(azure) === JSON.stringify({ 'boot-test-marker': expected.azureMarkerSha256 }) && facts.azure_marker === expected.azureMarker,
    "the admin's own ~/.azure is untouched (only the image's marker, unchanged)", `it holds: ${JSON.stringify(facts.azure_dir)}`);
}

export function checkCloudInitDone(checks: Checks, facts: GuestFacts): void {
  checks.check(facts.cloud_init.status === 0 && /^status: done$/m.test(facts.cloud_init.out), 'cloud-init finished without error',
    `cloud-init status --long exited ${facts.cloud_init.status}: ${facts.cloud_init.out.trim()} ${facts.cloud_init.err.trim()}`);
}

/**
 * Retries on a real clock: of the fake's requests of `kind` since `sinceMs`, the first `refusals` were refused,
 * a later one was granted, and each retry came at least `minimumGapMs` after the refusal (backoff, not a loop).
 */
export function checkRetries(checks: Checks, records: RequestRecord[], what: string, refusals: number, sinceMs: number, minimumGapMs = 1000): void {
  const seen = records.filter((record) => record.at >= sinceMs);
  const timeline = seen.map((record) => `+${((record.at - (seen[0]?.at ?? 0)) / 1000).toFixed(1)}s ${record.status}`).join(', ');
  const refusedFirst = seen.slice(0, refusals).every((record) => record.status !== 200) && seen.length >= refusals;
  const grantedAfter = seen.slice(refusals).some((record) => record.status === 200);
  checks.check(refusedFirst && grantedAfter, `${what}: refused ${refusals} time(s), then granted [${timeline}]`, 'not observed');
  if (refusals === 0) return;
  const gaps = seen.slice(0, -1).map((record, i) => (record.status !== 200 ? seen[i + 1].at - record.at : Infinity));
  const shortest = Math.min(...gaps);
  checks.check(Number.isFinite(shortest) && shortest >= minimumGapMs,
    `${what}: every retry waited at least ${minimumGapMs / 1000} s${Number.isFinite(shortest) ? ` (shortest ${(shortest / 1000).toFixed(1)} s)` : ''}`,
    Number.isFinite(shortest) ? 'a retry came sooner' : 'no retry was seen');
}

/** The real registry served the pulls to the refresh token's user. */
export function checkRegistryPulls(checks: Checks, records: RequestRecord[], user: string, images: string[], sinceMs: number): void {
  for (const image of images) {
    const [repository, tag] = image.split(':');
    const pulled = records.some((record) => record.at >= sinceMs && record.status === 200 && record.note === `user ${user}`
      && ['GET', 'HEAD'].includes(record.method) && record.path === `/v2/${repository}/manifests/${tag}`);
    checks.check(pulled, `the registry served ${image}'s manifest to user ${user} (basic auth with the exchanged refresh token)`, 'it did not');
  }
}

/**
 * Credentials a machine's data must never hold: Entra ID/JWT tokens, private keys, passwords or secrets
 * written as literals, and any secret the fake Azure issued. Returns what was found (redacted).
 */
export function credentialsIn(text: string, knownSecrets: string[] = []): string[] {
  const patterns: Array<[string, RegExp]> = [
    ['a JWT', /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./g],
    ['a private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
    ['a literal password, secret or token', /\b[A-Za-z_]*(?:password|passwd|secret|token|accountkey)\s*[:=]\s*["']?[A-Za-z0-9+/_.=-]{16,}/gi],
    ['a password on a command line', /(?:--password|--password=|\s-p)\s+["']?[A-Za-z0-9+/_.=-]{8,}/g],
    ['a client secret', /client[_-]?secret/gi],
  ];
  const found = patterns.flatMap(([name, pattern]) => [...text.matchAll(pattern)].map((match) => `${name} (${match[0].slice(0, 24)}...)`));
  for (const secret of knownSecrets) {
    if (secret && text.includes(secret)) found.push(`a credential the fake Azure issued (${secret.slice(0, 8)}...)`);
  }
  return found;
}

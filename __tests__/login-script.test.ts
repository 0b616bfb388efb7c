import * as fs from 'fs';
import * as path from 'path';
import { LOGIN_SCRIPT } from '../lib/private/vm-scripts';
import { FakeBin, FakeTool, itPassesShellChecks, writeExecutable } from './support/fake-bin';

const CLIENT_ID = '8b2c5d1e-0f3a-4c6b-9d7e-1a2b3c4d5e6f';
const SYSTEM_LOGIN = 'az login --identity --allow-no-subscriptions --output none';
const USER_LOGIN = `az login --identity --client-id ${CLIENT_ID} --allow-no-subscriptions --output none`;
const ACR_LOGIN = 'az acr login --name myContainerRegistry';
const PULL = 'docker pull mycontainerregistry.azurecr.io/aci-helloworld:v1';
const REGISTRY_ARGS = ['--registry', 'myContainerRegistry', '--login-server', 'mycontainerregistry.azurecr.io'];
/** Fast retries for tests: 20 ms first delay, capped at 50 ms, within a 5 s budget. */
const FAST = {
  ACR_LOGIN_TIMEOUT_SECONDS: '5',
  ACR_LOGIN_INITIAL_DELAY_SECONDS: '0.02',
  ACR_LOGIN_MAX_DELAY_SECONDS: '0.05',
};

const script = writeExecutable('acr-login', LOGIN_SCRIPT);
let fakes: FakeBin | undefined;

function withFakes(tools: { az?: FakeTool; docker?: FakeTool; curl?: FakeTool } = {}): FakeBin {
  fakes = new FakeBin({ az: tools.az ?? {}, docker: tools.docker ?? {}, ...(tools.curl ? { curl: tools.curl } : {}) });
  return fakes;
}

/** The Instance Metadata Service request for the user data, as the fakes record it (printf %q). */
const IMDS_CALL = "curl -sSf --noproxy \\* --max-time 30 -H Metadata:true "
  + 'http://169.254.169.254/metadata/instance/compute/userData\\?api-version=2021-01-01\\&format=text';

/** A fake curl answering as the Instance Metadata Service: `userData` (text) in base64, after `failFirst` failures. */
function imds(userData: string, failFirst = 0): FakeTool {
  return { failFirst, body: `printf '%s' '${Buffer.from(userData, 'utf8').toString('base64')}'` };
}

/** User data with the tutorial's user-assigned login and a system-assigned one to a second registry. */
const TWO_LOGINS = [
  '# a comment, then a blank line',
  '',
  `registry=myContainerRegistry login_server=mycontainerregistry.azurecr.io client_id=${CLIENT_ID} images=aci-helloworld:v1,repo/app@sha256:0123abcd`,
  'registry=otherRegistry login_server=otherregistry.azurecr.io client_id= images=nginx:1.27',
  '',
].join('\n');

afterEach(() => fakes?.remove());
afterAll(() => fs.rmSync(path.dirname(script), { recursive: true, force: true }));

describe('static checks', () => {
  itPassesShellChecks(script);

  it('fails on unset variables and failed pipelines', () => {
    expect(LOGIN_SCRIPT).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(LOGIN_SCRIPT).toContain('\nset -euo pipefail\n');
  });
});

describe('with a user-assigned identity', () => {
  it('logs in with --client-id, logs in to the registry, then pulls every image from the login server', () => {
    // GIVEN
    const bin = withFakes();
    // WHEN
    const result = bin.run(script, [...REGISTRY_ARGS, '--client-id', CLIENT_ID, 'aci-helloworld:v1', 'repo/app@sha256:0123abcd'], FAST);
    // THEN
    expect(result.status).toBe(0);
    expect(bin.calls()).toEqual([
      USER_LOGIN,
      ACR_LOGIN,
      PULL,
      'docker pull mycontainerregistry.azurecr.io/repo/app@sha256:0123abcd',
    ]);
    expect(result.stdout).toContain(`attempt 1: logging in to registry myContainerRegistry with the user-assigned identity ${CLIENT_ID}`);
  });

  it('never uses --username, which Azure CLI 2.73 removed for identity logins', () => {
    const bin = withFakes();
    bin.run(script, [...REGISTRY_ARGS, '--client-id', CLIENT_ID, 'aci-helloworld:v1'], FAST);
    expect(bin.calls().join('\n')).not.toContain('--username');
  });
});

describe('with the system-assigned identity', () => {
  it('logs in with --identity and no --client-id', () => {
    // GIVEN
    const bin = withFakes();
    // WHEN
    const result = bin.run(script, [...REGISTRY_ARGS, 'aci-helloworld:v1'], FAST);
    // THEN
    expect(result.status).toBe(0);
    expect(bin.calls()).toEqual([SYSTEM_LOGIN, ACR_LOGIN, PULL]);
    expect(result.stdout).toContain('with the system-assigned identity');
  });

  it('only logs in when there is no image to pull', () => {
    const bin = withFakes();
    const result = bin.run(script, REGISTRY_ARGS, FAST);
    expect(result.status).toBe(0);
    expect(bin.calls()).toEqual([SYSTEM_LOGIN, ACR_LOGIN]);
  });
});

describe('Azure CLI profile', () => {
  /** A fake az that, like the real one, keeps its login in $AZURE_CONFIG_DIR, else ~/.azure. */
  const PROFILE_WRITING_AZ: FakeTool = {
    recordEnv: ['AZURE_CONFIG_DIR', 'DOCKER_CONFIG'],
    body: 'if [[ $1 == login ]]; then dir=${AZURE_CONFIG_DIR:-$HOME/.azure}; mkdir -p "$dir"; echo "$*" >"$dir/azureProfile.json"; fi',
  };

  it("logs in with a profile of its own, leaving the user's own az login in ~/.azure alone", () => {
    // GIVEN the admin user logged in to the Azure CLI as themselves
    const bin = withFakes({ az: PROFILE_WRITING_AZ, docker: { recordEnv: ['DOCKER_CONFIG'] } });
    const userProfile = path.join(bin.home, '.azure', 'azureProfile.json');
    fs.mkdirSync(path.dirname(userProfile));
    fs.writeFileSync(userProfile, 'the admin as themselves\n');
    // WHEN the service runs the login, as that user
    const result = bin.run(script, [...REGISTRY_ARGS, '--client-id', CLIENT_ID, 'aci-helloworld:v1'], FAST);
    // THEN every az call used ~/.azure-acr-login, a directory only that user can read
    expect(result.status).toBe(0);
    const scriptProfile = path.join(bin.home, '.azure-acr-login');
    expect(bin.environments('az')).toEqual([{ AZURE_CONFIG_DIR: scriptProfile }, { AZURE_CONFIG_DIR: scriptProfile }]);
    expect(fs.statSync(scriptProfile).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(scriptProfile, 'azureProfile.json'), 'utf8')).toContain('--identity');
    expect(fs.readFileSync(userProfile, 'utf8')).toBe('the admin as themselves\n');
    // AND Docker keeps its default config (~/.docker/config.json), which the user's own docker pull reads
    expect(bin.environments('docker')).toEqual([{}]);
  });

  it('uses ACR_LOGIN_AZURE_CONFIG_DIR when set', () => {
    const bin = withFakes({ az: PROFILE_WRITING_AZ });
    const profile = path.join(bin.home, 'elsewhere');
    const result = bin.run(script, REGISTRY_ARGS, { ...FAST, ACR_LOGIN_AZURE_CONFIG_DIR: profile });
    expect(result.status).toBe(0);
    expect(bin.environments('az')).toEqual([{ AZURE_CONFIG_DIR: profile }, { AZURE_CONFIG_DIR: profile }]);
    expect(fs.existsSync(path.join(bin.home, '.azure-acr-login'))).toBe(false);
  });
});

describe('retries', () => {
  it('retries the whole login until it succeeds while the role assignment propagates', () => {
    // GIVEN az login fails twice, as it does before the identity's role is visible
    const bin = withFakes({ az: { failFirst: 2 } });
    // WHEN
    const result = bin.run(script, [...REGISTRY_ARGS, '--client-id', CLIENT_ID, 'aci-helloworld:v1'], FAST);
    // THEN
    expect(result.status).toBe(0);
    expect(bin.calls()).toEqual([USER_LOGIN, USER_LOGIN, USER_LOGIN, ACR_LOGIN, PULL]);
    expect(result.stdout).toContain('attempt 3: logging in');
    expect(result.stdout).toContain('pulled 1 image(s) on attempt 3');
    expect(result.stderr).toContain('attempt 1 failed');
  });

  it('starts over with az login when a pull fails', () => {
    const bin = withFakes({ docker: { failFirst: 1 } });
    const result = bin.run(script, [...REGISTRY_ARGS, 'aci-helloworld:v1'], FAST);
    expect(result.status).toBe(0);
    expect(bin.calls()).toEqual([SYSTEM_LOGIN, ACR_LOGIN, PULL, SYSTEM_LOGIN, ACR_LOGIN, PULL]);
  });

  it('doubles the delay between attempts up to the maximum', () => {
    // GIVEN the registry login fails four times
    const bin = withFakes({ az: { failFirst: 4 } });
    // WHEN
    const result = bin.run(script, [...REGISTRY_ARGS, 'aci-helloworld:v1'], FAST);
    // THEN 20 ms, doubled to 40 ms, then capped at 50 ms
    expect(result.status).toBe(0);
    const delays = [...result.stderr.matchAll(/retrying in (\d+) ms/g)].map((m) => Number(m[1]));
    expect(delays).toEqual([20, 40, 50, 50]);
  });

  it('gives up with a non-zero exit and a clear message once the budget is spent', () => {
    // GIVEN az always fails and the budget is 1 s
    const bin = withFakes({ az: { failFirst: 1_000_000 } });
    const started = Date.now();
    // WHEN
    const result = bin.run(script, [...REGISTRY_ARGS, '--client-id', CLIENT_ID, 'aci-helloworld:v1'], {
      ...FAST,
      ACR_LOGIN_TIMEOUT_SECONDS: '1',
    });
    const elapsed = Date.now() - started;
    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/giving up on registry myContainerRegistry after \d+ attempt\(s\)/);
    expect(result.stderr).toContain('ACR_LOGIN_TIMEOUT_SECONDS=1');
    expect(result.stderr).toContain(`user-assigned identity ${CLIENT_ID}`);
    expect(result.stderr).toContain('AcrPull');
    const attempts = bin.calls();
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(new Set(attempts)).toEqual(new Set([USER_LOGIN]));
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('gives up after one attempt when the budget is zero', () => {
    const bin = withFakes({ az: { failFirst: 1_000_000 } });
    const result = bin.run(script, [...REGISTRY_ARGS, 'aci-helloworld:v1'], { ...FAST, ACR_LOGIN_TIMEOUT_SECONDS: '0' });
    expect(result.status).toBe(1);
    expect(bin.calls()).toEqual([SYSTEM_LOGIN]);
    expect(result.stderr).toContain('giving up on registry myContainerRegistry after 1 attempt(s)');
  });
});

describe('--from-user-data', () => {
  it('reads the logins from the user data and runs them in order: az login, az acr login, docker pull', () => {
    // GIVEN
    const bin = withFakes({ curl: imds(TWO_LOGINS) });
    // WHEN
    const result = bin.run(script, ['--from-user-data'], FAST);
    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(bin.calls()).toEqual([
      IMDS_CALL,
      USER_LOGIN,
      ACR_LOGIN,
      PULL,
      'docker pull mycontainerregistry.azurecr.io/repo/app@sha256:0123abcd',
      SYSTEM_LOGIN,
      'az acr login --name otherRegistry',
      'docker pull otherregistry.azurecr.io/nginx:1.27',
    ]);
    expect(result.stdout).toContain('logged in to mycontainerregistry.azurecr.io and pulled 2 image(s) on attempt 1');
    expect(result.stdout).toContain('logged in to otherregistry.azurecr.io and pulled 1 image(s) on attempt 1');
  });

  it('retries the metadata service within the same backoff, as at boot', () => {
    // GIVEN the metadata service fails twice
    const bin = withFakes({ curl: imds(TWO_LOGINS, 2) });
    // WHEN
    const result = bin.run(script, ['--from-user-data'], FAST);
    // THEN
    expect(result.status).toBe(0);
    expect(bin.calls().slice(0, 4)).toEqual([IMDS_CALL, IMDS_CALL, IMDS_CALL, USER_LOGIN]);
    expect(result.stderr).toContain('attempt 2 failed; retrying in 40 ms');
  });

  it('gives up with a clear message when the metadata service never answers', () => {
    const bin = withFakes({ curl: imds(TWO_LOGINS, 1_000_000) });
    const result = bin.run(script, ['--from-user-data'], { ...FAST, ACR_LOGIN_TIMEOUT_SECONDS: '0.2' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/giving up on reading the VM's user data from the Instance Metadata Service after \d+ attempt\(s\)/);
    expect(new Set(bin.calls())).toEqual(new Set([IMDS_CALL]));
  });

  it('does not repeat a login already done when a later one is retried', () => {
    // GIVEN the second registry's pull fails once (its role assignment still propagating)
    const bin = withFakes({ curl: imds(TWO_LOGINS), docker: { body: 'if [[ $2 == otherregistry.* && $(cat "$0.count") == 3 ]]; then exit 1; fi' } });
    // WHEN
    const result = bin.run(script, ['--from-user-data'], FAST);
    // THEN the user data is read once, the first login runs once, the second twice
    expect(result.status).toBe(0);
    expect(bin.calls()).toEqual([
      IMDS_CALL, USER_LOGIN, ACR_LOGIN, PULL, 'docker pull mycontainerregistry.azurecr.io/repo/app@sha256:0123abcd',
      SYSTEM_LOGIN, 'az acr login --name otherRegistry', 'docker pull otherregistry.azurecr.io/nginx:1.27',
      SYSTEM_LOGIN, 'az acr login --name otherRegistry', 'docker pull otherregistry.azurecr.io/nginx:1.27',
    ]);
    expect(result.stdout).toContain('attempt 2: logging in to registry otherRegistry');
  });

  it('gives up naming the registry and identity whose login keeps failing', () => {
    const bin = withFakes({ curl: imds(TWO_LOGINS), az: { body: 'if [[ $* == *--client-id* ]]; then exit 1; fi' } });
    const result = bin.run(script, ['--from-user-data'], { ...FAST, ACR_LOGIN_TIMEOUT_SECONDS: '0.2' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/giving up on registry myContainerRegistry after \d+ attempt\(s\)/);
    expect(result.stderr).toContain(`user-assigned identity ${CLIENT_ID} is assigned to this VM`);
    expect(bin.calls()).not.toContain('az acr login --name otherRegistry');
  });

  it.each([
    ['empty user data', ''],
    ['user data of comments and blank lines only', '# nothing yet\n\n'],
  ])('exits 0 quietly with %s, calling neither az nor docker', (_, userData) => {
    const bin = withFakes({ curl: imds(userData) });
    const result = bin.run(script, ['--from-user-data'], FAST);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('no registry login in the VM\'s user data; nothing to do');
    expect(bin.calls()).toEqual([IMDS_CALL]);
  });

  it.each([
    ['an unknown field', 'registry=r login_server=r.azurecr.io password=x', "user data line 1: unknown field 'password=x'"],
    ['no login server', 'registry=r images=a:1', "user data line 1: login server '' is not a host name"],
    ['an image with a quote', 'registry=r login_server=r.azurecr.io images=a:1,\'b', "user data line 1: image ''b' is not an image reference"],
    ['a client ID with a semicolon', 'registry=r login_server=r.azurecr.io client_id=x;y', "client ID 'x;y' has characters other than"],
  ])('refuses user data with %s, exit 2, calling nothing else', (_, userData, message) => {
    const bin = withFakes({ curl: imds(userData) });
    const result = bin.run(script, ['--from-user-data'], FAST);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(bin.calls()).toEqual([IMDS_CALL]);
  });

  it('takes no other argument', () => {
    const bin = withFakes();
    const result = bin.run(script, ['--from-user-data', ...REGISTRY_ARGS], FAST);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--from-user-data takes no other argument');
    expect(bin.calls()).toEqual([]);
  });
});

describe('bad input', () => {
  it.each([
    [['--login-server', 'x.azurecr.io', 'img:v1'], '--registry is required'],
    [['--registry', 'x', 'img:v1'], '--login-server is required'],
    [['--registry'], '--registry needs a value'],
    [['--registry', 'x', '--login-server', 'x.azurecr.io', '--user', 'u'], 'unknown option --user'],
  ])('rejects %j with exit 2 and "%s", calling nothing', (args, message) => {
    const bin = withFakes();
    const result = bin.run(script, args, FAST);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: acr-login --from-user-data | --registry NAME --login-server HOST');
    expect(bin.calls()).toEqual([]);
  });

  it('rejects a budget that is not a number of seconds', () => {
    const bin = withFakes();
    const result = bin.run(script, [...REGISTRY_ARGS, 'img:v1'], { ...FAST, ACR_LOGIN_TIMEOUT_SECONDS: '30m' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("ACR_LOGIN_TIMEOUT_SECONDS must be a number of seconds such as 30 or 0.5, not '30m'");
    expect(bin.calls()).toEqual([]);
  });
});

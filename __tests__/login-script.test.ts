/**
 * The payload (vm/acr-login.sh) executed: as root would run it (`run`, its root steps faked: apt-get, usermod,
 * runuser, systemctl), and as the admin user (`login`, one attempt), against a fake Instance Metadata Service
 * and fake registries reached with the real curl, and fake docker and az.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loginPayload, renderUserDataHead, RegistryLogin, LoginSettings } from '../lib/private/vm-scripts';
import { VM_ASSET_DIR } from '../lib/private/vm-scripts/assets';
import { FakeBin, FakeTool, installs, itPassesShellChecks, itWithTool, RunResult } from './support/fake-bin';
import { FAKE_ADMIN as ADMIN, fakeMachine, FakeMachineOptions } from './support/fake-bin/machine';
import { curlThroughFakeAzure, FakeAzure, MICROSOFT_KEY, TENANT_ID } from './support/fake-bin/fake-azure';

const PAYLOAD = path.join(VM_ASSET_DIR, 'acr-login.sh');
const CLIENT_ID = '8b2c5d1e-0f3a-4c6b-9d7e-1a2b3c4d5e6f';
const NULL_GUID = '00000000-0000-0000-0000-000000000000';
/** Fast retries for tests: 20 ms first delay, capped at 50 ms. */
const FAST = { ACR_LOGIN_INITIAL_DELAY_SECONDS: '0.02', ACR_LOGIN_MAX_DELAY_SECONDS: '0.05' };

/** The tutorial's user-assigned login and a system-assigned one to a second registry. */
const TWO_LOGINS: RegistryLogin[] = [
  {
    registryName: 'myContainerRegistry',
    loginServer: 'mycontainerregistry.azurecr.io',
    images: ['aci-helloworld:v1', 'repo/app@sha256:0123abcd'],
    clientId: CLIENT_ID,
  },
  { registryName: 'otherRegistry', loginServer: 'otherregistry.azurecr.io', images: ['nginx:1.27'] },
];

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'acr-login-test-'));
  tempDirs.push(dir);
  return dir;
}

let fakes: FakeBin | undefined;
let azure: FakeAzure | undefined;
afterEach(async () => {
  fakes?.remove();
  fakes = undefined;
  await azure?.stop();
  azure = undefined;
});
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** The fakes of a machine (see fakeMachine), removed after the test. */
function machine(options: FakeMachineOptions = {}): FakeBin {
  fakes = fakeMachine(options);
  return fakes;
}

/** The user data the constructs render for these settings and logins, with the real payload. */
function userDataFile(settings: Partial<LoginSettings> = {}, logins: RegistryLogin[] = TWO_LOGINS, extraHeadLines: string[] = []): string {
  const head = renderUserDataHead({ adminUsername: ADMIN, ...settings }, logins);
  const withExtra = extraHeadLines.length === 0 ? head : head.replace('#acr-login-payload\n', `${extraHeadLines.join('\n')}\n#acr-login-payload\n`);
  const file = path.join(tempDir(), 'user-data');
  fs.writeFileSync(file, withExtra + loginPayload());
  return file;
}

/** A root for the apt files, with the os-release of Ubuntu 22.04. */
function machineRoot(): string {
  const root = tempDir();
  fs.mkdirSync(path.join(root, 'etc'));
  fs.writeFileSync(path.join(root, 'etc/os-release'), 'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n');
  return root;
}

async function runPayload(bin: FakeBin, userData: string, env: Record<string, string> = {}): Promise<RunResult> {
  azure ??= await FakeAzure.start();
  return bin.runAsync(PAYLOAD, ['run', userData], { ...FAST, ACR_LOGIN_ROOT: machineRoot(), ...azure.env, ...env });
}

/** Every argument, output and file the fakes saw must be free of the tokens the fake services issued. */
function expectNoTokenLeaked(bin: FakeBin, ...outputs: string[]): void {
  const seen = [bin.calls().join('\n'), ...outputs].join('\n');
  expect(azure?.issued.length).toBeGreaterThan(0);
  for (const token of azure?.issued ?? []) expect(seen).not.toContain(token);
}

const tokenRequests = () => (azure?.requests ?? []).filter((r) => r.path === '/metadata/identity/oauth2/token');
const exchanges = () => (azure?.requests ?? []).filter((r) => r.path === '/oauth2/exchange');

describe('static checks', () => {
  itPassesShellChecks(PAYLOAD);

  it('fails on unset variables and failed pipelines', () => {
    expect(loginPayload()).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(loginPayload()).toContain('\nset -euo pipefail\n');
  });
});

describe('run: token-exchange (the default)', () => {
  it('logs in to every registry through the metadata service and the registry\'s /oauth2/exchange, then pulls, as the admin user', async () => {
    // GIVEN a machine with Docker, and the tutorial's two logins
    const bin = machine();
    // WHEN
    const result = await runPayload(bin, userDataFile());
    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // one token per login: the user-assigned identity's by client ID, then the system-assigned one
    expect(tokenRequests().map((r) => [r.method, r.headers.metadata, r.query])).toEqual([
      ['GET', 'true', { 'api-version': '2018-02-01', resource: 'https://containerregistry.azure.net', client_id: CLIENT_ID }],
      ['GET', 'true', { 'api-version': '2018-02-01', resource: 'https://containerregistry.azure.net' }],
    ]);
    // each exchanged at its own registry, with the tenant of the token
    expect(exchanges().map((r) => [r.host, r.form])).toEqual([
      ['mycontainerregistry.azurecr.io', {
        grant_type: 'access_token', service: 'mycontainerregistry.azurecr.io', tenant: TENANT_ID, access_token: FakeAzure.accessToken(CLIENT_ID),
      }],
      ['otherregistry.azurecr.io', {
        grant_type: 'access_token', service: 'otherregistry.azurecr.io', tenant: TENANT_ID, access_token: FakeAzure.accessToken(''),
      }],
    ]);
    // docker login with the null GUID and the refresh token on stdin, then the pulls, all through runuser
    const calls = bin.calls().filter((c) => /^(docker|runuser|usermod|apt-get) /.test(c));
    expect(calls).toEqual([
      'docker info',
      'usermod -aG docker azureuser',
      `runuser -u azureuser -- ${PAYLOAD} login --method token-exchange --login-server mycontainerregistry.azurecr.io --registry myContainerRegistry --client-id ${CLIENT_ID} -- aci-helloworld:v1 repo/app@sha256:0123abcd`,
      `docker login mycontainerregistry.azurecr.io --username ${NULL_GUID} --password-stdin`,
      'docker pull mycontainerregistry.azurecr.io/aci-helloworld:v1',
      'docker pull mycontainerregistry.azurecr.io/repo/app@sha256:0123abcd',
      `runuser -u azureuser -- ${PAYLOAD} login --method token-exchange --login-server otherregistry.azurecr.io --registry otherRegistry -- nginx:1.27`,
      `docker login otherregistry.azurecr.io --username ${NULL_GUID} --password-stdin`,
      'docker pull otherregistry.azurecr.io/nginx:1.27',
    ]);
    expect(bin.stdin('docker', 2)).toBe(FakeAzure.refreshToken('mycontainerregistry.azurecr.io', FakeAzure.accessToken(CLIENT_ID)));
    expect(bin.stdin('docker', 5)).toBe(FakeAzure.refreshToken('otherregistry.azurecr.io', FakeAzure.accessToken('')));
    // and never an az call, an apt-get or a token in a command line or the output
    expect(bin.calls().filter((c) => /^(az|apt-get) /.test(c))).toEqual([]);
    expectNoTokenLeaked(bin, result.stdout, result.stderr);
    expect(result.stdout).toContain(`logged in to mycontainerregistry.azurecr.io with the user-assigned identity ${CLIENT_ID} and pulled 2 image(s)`);
    expect(result.stdout).toContain('done on attempt 1');
  });

  it('retries while the metadata service refuses the identity, naming its answer, within the backoff', async () => {
    // GIVEN the identity is not yet on the machine for the first two token requests
    azure = await FakeAzure.start({ refuseTokens: 2 });
    const bin = machine({ inDockerGroup: true });
    // WHEN
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[0]]));
    // THEN
    expect(result.status).toBe(0);
    expect(tokenRequests()).toHaveLength(3);
    expect(result.stderr).toContain('the Instance Metadata Service answered HTTP 400 without access_token (invalid_request: Identity not found)');
    expect([...result.stderr.matchAll(/retrying in (\d+) ms/g)].map((m) => Number(m[1]))).toEqual([20, 40]);
    expect(result.stdout).toContain('done on attempt 3');
    expectNoTokenLeaked(bin, result.stdout, result.stderr);
  });

  it('retries while the registry refuses the exchange (role assignment propagating), naming the registry\'s answer', async () => {
    azure = await FakeAzure.start({ refuseExchanges: 1 });
    const bin = machine({ inDockerGroup: true });
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[0]]));
    expect(result.status).toBe(0);
    expect(exchanges()).toHaveLength(2);
    expect(result.stderr).toContain('the registry mycontainerregistry.azurecr.io (POST /oauth2/exchange) answered HTTP 401 without refresh_token (UNAUTHORIZED: authentication required');
    expect(bin.calls().filter((c) => c.startsWith('docker login'))).toHaveLength(1);
    expectNoTokenLeaked(bin, result.stdout, result.stderr);
  });

  it('gives up once the budget is spent, naming the login and what to check', async () => {
    azure = await FakeAzure.start({ refuseTokens: 1_000_000 });
    const bin = machine({ inDockerGroup: true });
    const started = Date.now();
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[0]], ['login_timeout_seconds=1']));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`giving up on logging in to mycontainerregistry.azurecr.io with the user-assigned identity ${CLIENT_ID} after \\d+ attempt\\(s\\)`));
    expect(result.stderr).toContain("'sudo systemctl start acr-login.service' runs it now");
    expect(result.stderr).toContain(`check that the user-assigned identity ${CLIENT_ID} is assigned to this machine`);
    expect(result.stderr).toContain('AcrPull');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('run: installs, retried within the budget', () => {
  it('installs docker.io when Docker is missing, waiting for dpkg\'s lock, then joins the admin user to docker', async () => {
    const bin = machine({ docker: false });
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[1]]));
    expect(result.status).toBe(0);
    expect(bin.calls().filter((c) => /^(apt-get|usermod) /.test(c))).toEqual([
      'apt-get -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold update',
      'apt-get -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -y docker.io',
      'usermod -aG docker azureuser',
    ]);
    expect(result.stdout).toContain('installing Docker (docker.io)');
    expect(result.stdout).toContain("added azureuser to the docker group. A session opened before now does not have the group: run sg docker -c 'docker images' there");
  });

  it('retries apt-get update while its lists lock is busy (DPkg::Lock::Timeout does not cover it), with backoff', async () => {
    // GIVEN apt-get update fails three times (another apt holds /var/lib/apt/lists/lock), then works
    const bin = machine({
      docker: false,
      aptGet: {
        body: `if [[ $* == *' update' && $count -le 3 ]]; then echo 'E: Could not get lock /var/lib/apt/lists/lock' >&2; exit 100; fi; if [[ $* == *' install '* ]]; then ${installs('docker')}; fi`,
      },
    });
    // WHEN
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[1]]));
    // THEN
    expect(result.status).toBe(0);
    const apt = bin.calls().filter((c) => c.startsWith('apt-get '));
    expect(apt.map((c) => c.split(' ').pop())).toEqual(['update', 'update', 'update', 'update', 'docker.io']);
    expect([...result.stderr.matchAll(/attempt \d failed \(installing Docker\); retrying in (\d+) ms/g)].map((m) => Number(m[1]))).toEqual([20, 40, 50]);
    expect(result.stdout).toContain('done on attempt 4');
  });

  it('updates the lists again after a failed install: a mirror apt could not reach is only a warning (update exits 0)', async () => {
    // GIVEN the first apt-get update cannot reach the mirror (apt's default error mode: a warning, exit 0, no
    // lists), and install finds docker.io only once an update has fetched the lists
    const lists = '"$(dirname "$0")/lists.fetched"';
    const bin = machine({
      docker: false,
      aptGet: {
        body: [
          `if [[ $* == *' update' ]]; then if (( count == 1 )); then echo 'W: Failed to fetch http://azure.archive.ubuntu.com/ubuntu/dists/jammy/InRelease  Temporary failure resolving' >&2; else touch ${lists}; fi; exit 0; fi`,
          `if [[ $* == *' install '* ]]; then [[ -f ${lists} ]] || { echo 'E: Unable to locate package docker.io' >&2; exit 100; }; ${installs('docker')}; fi`,
        ].join('\n'),
      },
    });
    // WHEN
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[1]]));
    // THEN the second attempt fetched the lists again, and its install worked
    expect(result.status).toBe(0);
    expect(bin.calls().filter((c) => c.startsWith('apt-get ')).map((c) => c.split(' ').pop())).toEqual(['update', 'docker.io', 'update', 'docker.io']);
    expect(result.stderr).toContain('attempt 1 failed (installing Docker)');
    expect(result.stdout).toContain('done on attempt 2');
  });

  it('gives up on the install with a clear message when apt never succeeds, logging in nowhere', async () => {
    const bin = machine({ docker: false, aptGet: { failFirst: 1_000_000 } });
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[1]], ['login_timeout_seconds=0.3']));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/giving up on installing Docker after \d+ attempt\(s\)/);
    expect(result.stderr).not.toContain('AcrPull');
    expect(bin.calls().filter((c) => /^(runuser|usermod) /.test(c))).toEqual([]);
  });

  it('waits for the admin user to exist before it logs in', async () => {
    const bin = machine({ adminExists: false });
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[1]], ['login_timeout_seconds=0.2']));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("the admin user 'azureuser' does not exist (yet)");
    expect(result.stderr).toMatch(/giving up on adding azureuser to the docker group after/);
  });

  it('leaves a user already in the docker group alone', async () => {
    const bin = machine({ inDockerGroup: true });
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[1]]));
    expect(result.status).toBe(0);
    expect(bin.count('usermod')).toBe(0);
    expect(result.stdout).not.toContain('added azureuser');
  });
});

describe('run: the azure-cli method', () => {
  /** A fake az whose `login --help` lists --client-id (a current CLI) or not (Ubuntu's old package). */
  function az(current: boolean): FakeTool {
    return {
      recordEnv: ['AZURE_CONFIG_DIR'],
      body: `if [[ $* == 'login --help' ]]; then echo '  --identity'; ${current ? "echo '  --client-id'" : ''}; fi`,
    };
  }

  it('uses a current Azure CLI that is already there (golden images): no repository, no install', async () => {
    const bin = machine({ inDockerGroup: true, az: az(true) });
    const result = await runPayload(bin, userDataFile({ loginMethod: 'azure-cli' }));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(bin.count('apt-get')).toBe(0);
    expect(bin.calls().filter((c) => /^(az|docker) /.test(c))).toEqual([
      'docker info',
      'az login --help',
      `az login --identity --client-id ${CLIENT_ID} --allow-no-subscriptions --output none`,
      'az acr login --name myContainerRegistry',
      'docker pull mycontainerregistry.azurecr.io/aci-helloworld:v1',
      'docker pull mycontainerregistry.azurecr.io/repo/app@sha256:0123abcd',
      'az login --identity --allow-no-subscriptions --output none',
      'az acr login --name otherRegistry',
      'docker pull otherregistry.azurecr.io/nginx:1.27',
    ]);
    // the identity's az login went to a profile of its own in the admin's home, not ~/.azure
    const profile = path.join(bin.home, '.azure-acr-login');
    expect(bin.environments('az').slice(1)).toEqual(Array(4).fill({ AZURE_CONFIG_DIR: profile }));
    expect(tokenRequests()).toEqual([]);
  });

  it("installs the CLI from Microsoft's repository, pinned, updating that source with APT::Update::Error-Mode=any", async () => {
    // GIVEN no az; apt-get "installs" a current one
    const bin = machine({ inDockerGroup: true, az: { ...az(true), absent: true } });
    const root = machineRoot();
    // WHEN
    const result = await runPayload(bin, userDataFile({ loginMethod: 'azure-cli' }), { ACR_LOGIN_ROOT: root });
    // THEN
    expect(result.status).toBe(0);
    const sources = path.join(root, 'etc/apt/sources.list.d/azure-cli.sources');
    expect(bin.calls().filter((c) => c.startsWith('apt-get ')).map((c) => c.replace(/^apt-get -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold /, ''))).toEqual([
      'update',
      `update -o APT::Update::Error-Mode=any -o APT::Get::List-Cleanup=0 -o Dir::Etc::SourceList=${sources} -o Dir::Etc::SourceParts=-`,
      'install -y azure-cli',
    ]);
    expect(fs.readFileSync(sources, 'utf8')).toBe([
      'Types: deb',
      'URIs: https://packages.microsoft.com/repos/azure-cli/',
      'Suites: jammy',
      'Components: main',
      'Architectures: amd64',
      'Signed-By: /etc/apt/keyrings/microsoft.asc',
      '',
    ].join('\n'));
    expect(fs.readFileSync(path.join(root, 'etc/apt/keyrings/microsoft.asc'), 'utf8')).toBe(MICROSOFT_KEY);
    expect(fs.readFileSync(path.join(root, 'etc/apt/preferences.d/azure-cli.pref'), 'utf8')).toContain('Pin: origin "packages.microsoft.com"\nPin-Priority: 1001');
    expect(bin.calls().filter((c) => c.startsWith('az login --identity'))).toHaveLength(2);
  });

  it('installs over an Azure CLI without --client-id, and fails clearly when the installed one still lacks it', async () => {
    const bin = machine({ inDockerGroup: true, az: az(false) });
    const result = await runPayload(bin, userDataFile({ loginMethod: 'azure-cli' }, TWO_LOGINS, ['login_timeout_seconds=0.2']));
    expect(result.status).toBe(1);
    expect(bin.calls()).toContain('apt-get -q -o DPkg::Lock::Timeout=120 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -y azure-cli');
    expect(result.stderr).toContain('the installed az does not support az login --identity --client-id');
    expect(result.stderr).toMatch(/giving up on installing the Azure CLI after/);
    expect(bin.calls().filter((c) => c.startsWith('az login --identity'))).toEqual([]);
  });

  itWithTool('apt-cache', "the pin makes Microsoft's azure-cli the only candidate, even against a newer one elsewhere (real apt)", async () => {
    // GIVEN the pin the payload writes
    const bin = machine({ inDockerGroup: true, az: { ...az(true), absent: true } });
    const root = machineRoot();
    expect((await runPayload(bin, userDataFile({ loginMethod: 'azure-cli' }), { ACR_LOGIN_ROOT: root })).status).toBe(0);
    // AND package lists of an archive with a newer azure-cli and of Microsoft's repository
    const apt = aptSandbox(root);
    apt.addList('http://archive.example/ubuntu', 'universe', '9.9.9');
    apt.addList('https://packages.microsoft.com/repos/azure-cli/', 'main', '2.67.0-1~jammy');
    // WHEN / THEN Microsoft's is the candidate; without the pin the archive's would be
    expect(apt.policy()).toMatch(/Candidate: 2\.67\.0-1~jammy[\s\S]*9\.9\.9 -1\n/);
    fs.rmSync(path.join(root, 'etc/apt/preferences.d/azure-cli.pref'));
    expect(apt.policy()).toContain('Candidate: 9.9.9');
  });

  itWithTool('apt-cache', "with Microsoft's list missing (a failed fetch), nothing can be installed rather than another azure-cli (real apt)", async () => {
    const bin = machine({ inDockerGroup: true, az: { ...az(true), absent: true } });
    const root = machineRoot();
    expect((await runPayload(bin, userDataFile({ loginMethod: 'azure-cli' }), { ACR_LOGIN_ROOT: root })).status).toBe(0);
    const apt = aptSandbox(root);
    apt.addList('http://archive.example/ubuntu', 'universe', '9.9.9');
    expect(apt.policy()).toContain('Candidate: (none)');
  });

  itWithTool('apt-get', 'APT::Update::Error-Mode=any turns an unreachable repository into a failed update (real apt)', () => {
    // GIVEN a source that refuses connections, as the update command of the payload names it
    const dir = tempDir();
    const sources = path.join(dir, 'azure-cli.sources');
    fs.writeFileSync(sources, 'Types: deb\nURIs: http://127.0.0.1:9/repos/azure-cli/\nSuites: jammy\nComponents: main\n');
    fs.mkdirSync(path.join(dir, 'lists/partial'), { recursive: true });
    const update = (extra: string[]) => spawnSync('apt-get', [
      '-q', '-o', `Dir::State::Lists=${dir}/lists`, '-o', `Dir::Cache=${dir}/cache`, '-o', 'Debug::NoLocking=1', '-o', 'Acquire::Retries=0',
      'update', ...extra, '-o', 'APT::Get::List-Cleanup=0', '-o', `Dir::Etc::SourceList=${sources}`, '-o', 'Dir::Etc::SourceParts=-',
    ], { encoding: 'utf8' });
    // WHEN / THEN apt's default only warns, and exits 0; the payload's error mode exits 100
    const byDefault = update([]);
    expect(byDefault.status).toBe(0);
    expect(byDefault.stderr).toContain('W: Failed to fetch');
    const strict = update(['-o', 'APT::Update::Error-Mode=any']);
    expect(strict.status).toBe(100);
    expect(strict.stderr).toContain('E: Failed to fetch');
  });
});

/** An apt configuration under `root` (the payload's preferences.d) with hand-written package lists. */
function aptSandbox(root: string) {
  const lists = path.join(root, 'var/lib/apt/lists');
  const parts = path.join(root, 'etc/apt/sources.list.d.test');
  fs.mkdirSync(lists, { recursive: true });
  fs.mkdirSync(parts, { recursive: true });
  fs.writeFileSync(path.join(root, 'status'), '');
  let n = 0;
  return {
    addList(uri: string, component: string, version: string) {
      fs.writeFileSync(path.join(parts, `${n++}.list`), `deb [trusted=yes] ${uri} jammy ${component}\n`);
      const base = uri.replace(/^https?:\/\//, '').replace(/\/$/, '').replace(/\//g, '_');
      fs.writeFileSync(path.join(lists, `${base}_dists_jammy_InRelease`), `Suite: jammy\nCodename: jammy\nComponents: ${component}\nArchitectures: amd64\n`);
      fs.writeFileSync(path.join(lists, `${base}_dists_jammy_${component}_binary-amd64_Packages`),
        `Package: azure-cli\nVersion: ${version}\nArchitecture: all\nFilename: pool/azure-cli_${version}_all.deb\nSize: 1\nDescription: azure-cli\n\n`);
    },
    policy(): string {
      const result = spawnSync('apt-cache', [
        '-o', `Dir::State::Lists=${lists}`, '-o', `Dir::Cache=${root}/cache`, '-o', `Dir::State::status=${root}/status`,
        '-o', 'Dir::Etc::SourceList=/dev/null', '-o', `Dir::Etc::SourceParts=${parts}`,
        '-o', 'Dir::Etc::Preferences=/dev/null', '-o', `Dir::Etc::PreferencesParts=${root}/etc/apt/preferences.d`,
        'policy', 'azure-cli',
      ], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      return result.stdout;
    },
  };
}

describe('run: the user data, forward compatible', () => {
  it('reports and ignores a setting and a login field it does not know (written by a newer release)', async () => {
    // GIVEN user data with a new setting and a new login field
    const bin = machine({ inDockerGroup: true });
    const file = userDataFile({}, [TWO_LOGINS[1]], ['pull_policy=always', 'login registry=r login_server=r.azurecr.io platform=linux/arm64 images=x:1']);
    // WHEN
    const result = await runPayload(bin, file);
    // THEN both logins run; the unknown names are reported, not fatal
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("user data line 7: ignoring the unknown setting 'pull_policy'");
    expect(result.stderr).toContain("user data line 8: ignoring the unknown login field 'platform'");
    expect(bin.calls()).toContain('docker pull r.azurecr.io/x:1');
    expect(bin.calls()).toContain('docker pull otherregistry.azurecr.io/nginx:1.27');
  });

  it('logs in, and pulls nothing, for a login without images; does nothing for user data without logins', async () => {
    const bin = machine({ inDockerGroup: true });
    const result = await runPayload(bin, userDataFile({}, [{ ...TWO_LOGINS[1], images: [] }]));
    expect(result.status).toBe(0);
    expect(bin.calls().filter((c) => /^docker (login|pull) /.test(c))).toEqual([`docker login otherregistry.azurecr.io --username ${NULL_GUID} --password-stdin`]);

    const none = await runPayload(bin, userDataFile({}, []));
    expect(none.status).toBe(0);
    expect(none.stdout).toContain('0 login(s)');
  });

  it.each([
    ['a login server with a quote', ["login registry=r login_server=r.azurecr.io' images=a:1"], "user data line 6: login server 'r.azurecr.io'' is not a host name"],
    ['an image with a semicolon', ['login login_server=r.azurecr.io images=a:1;b'], "user data line 6: image 'a:1;b' is not an image reference"],
    ['a login without a login server', ['login registry=r images=a:1'], "user data line 6: login server '' is not a host name"],
    ['an unknown login method', ['login_method=kerberos'], "unknown login_method 'kerberos' (token-exchange or azure-cli)"],
    ['an admin user that is not a user name', ['admin_user=root;reboot'], "admin_user 'root;reboot' is not a Linux user name"],
    ['a budget that is not seconds', ['login_timeout_seconds=30m'], "login_timeout_seconds must be a number of seconds such as 30 or 0.5, not '30m'"],
  ])('refuses user data with %s: exit 2, nothing done', async (_, lines, message) => {
    const bin = machine({ docker: false });
    const result = await runPayload(bin, userDataFile({}, [], lines));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(bin.calls().filter((c) => !c.startsWith('curl '))).toEqual([]);
  });

  it('refuses user data that is not format 1', async () => {
    const bin = machine();
    const file = path.join(tempDir(), 'user-data');
    fs.writeFileSync(file, `#acr-login-user-data 2\nadmin_user=${ADMIN}\n#acr-login-payload\n`);
    const result = await runPayload(bin, file);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("user data line 1: expected '#acr-login-user-data 1'");
  });

  it('caps a budget over 2 hours, saying so', async () => {
    const bin = machine({ inDockerGroup: true });
    const result = await runPayload(bin, userDataFile({}, [TWO_LOGINS[1]], ['login_timeout_seconds=86400']));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('login_timeout_seconds 86400 is over 7200; using 7200');
  });
});

describe('login: one attempt, as the admin user, invoked directly', () => {
  /** A user without privileges: nobody when the tests run as root, else the tests' own user. */
  const NON_ROOT = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

  it('token-exchange, as a user without privileges: writes the registry token with docker login and pulls; exit 0', async () => {
    // GIVEN a non-root admin, with fake docker only
    azure = await FakeAzure.start();
    const bin = new FakeBin({ curl: curlThroughFakeAzure, docker: { recordStdin: true } });
    fakes = bin;
    if (NON_ROOT) bin.shareWith(NON_ROOT.uid, NON_ROOT.gid);
    // WHEN
    const result = await bin.runAsync(PAYLOAD, ['login', '--login-server', 'mycontainerregistry.azurecr.io', '--client-id', CLIENT_ID, 'aci-helloworld:v1'],
      azure.env, NON_ROOT);
    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(bin.calls().filter((c) => c.startsWith('docker '))).toEqual([
      `docker login mycontainerregistry.azurecr.io --username ${NULL_GUID} --password-stdin`,
      'docker pull mycontainerregistry.azurecr.io/aci-helloworld:v1',
    ]);
    expect(bin.stdin('docker', 1)).toBe(FakeAzure.refreshToken('mycontainerregistry.azurecr.io', FakeAzure.accessToken(CLIENT_ID)));
    expectNoTokenLeaked(bin, result.stdout, result.stderr);
    // AND docker ran as that user (the file its fake wrote is that user's)
    if (NON_ROOT) expect(fs.statSync(path.join(bin.dir, 'docker.count')).uid).toBe(NON_ROOT.uid);
  });

  it('token-exchange: one attempt, exit 1 with the service\'s reason when the token is refused', async () => {
    azure = await FakeAzure.start({ refuseTokens: 1 });
    const bin = new FakeBin({ curl: curlThroughFakeAzure, docker: {} });
    fakes = bin;
    const result = await bin.runAsync(PAYLOAD, ['login', '--login-server', 'r.azurecr.io'], azure.env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Identity not found');
    expect(bin.calls().filter((c) => c.startsWith('docker '))).toEqual([]);
  });

  it("azure-cli: keeps the identity's az login in ~/.azure-acr-login, leaving the user's own ~/.azure alone", () => {
    // GIVEN the admin user logged in to the Azure CLI as themselves
    const bin = new FakeBin({
      az: {
        recordEnv: ['AZURE_CONFIG_DIR'],
        body: 'if [[ $1 == login ]]; then dir=${AZURE_CONFIG_DIR:-$HOME/.azure}; mkdir -p "$dir"; echo "$*" >"$dir/azureProfile.json"; fi',
      },
      docker: { recordEnv: ['DOCKER_CONFIG'] },
    });
    fakes = bin;
    const userProfile = path.join(bin.home, '.azure', 'azureProfile.json');
    fs.mkdirSync(path.dirname(userProfile));
    fs.writeFileSync(userProfile, 'the admin as themselves\n');
    // WHEN
    const result = bin.run(PAYLOAD, ['login', '--method', 'azure-cli', '--registry', 'myContainerRegistry',
      '--login-server', 'mycontainerregistry.azurecr.io', '--client-id', CLIENT_ID, 'aci-helloworld:v1']);
    // THEN
    expect(result.status).toBe(0);
    const scriptProfile = path.join(bin.home, '.azure-acr-login');
    expect(bin.calls()).toEqual([
      `az login --identity --client-id ${CLIENT_ID} --allow-no-subscriptions --output none`,
      'az acr login --name myContainerRegistry',
      'docker pull mycontainerregistry.azurecr.io/aci-helloworld:v1',
    ]);
    expect(bin.environments('az')).toEqual([{ AZURE_CONFIG_DIR: scriptProfile }, { AZURE_CONFIG_DIR: scriptProfile }]);
    expect(fs.statSync(scriptProfile).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(userProfile, 'utf8')).toBe('the admin as themselves\n');
    expect(bin.environments('docker')).toEqual([{}]);
  });

  it('azure-cli: never uses --username, which Azure CLI 2.73 removed for identity logins', () => {
    const bin = new FakeBin({ az: {}, docker: {} });
    fakes = bin;
    bin.run(PAYLOAD, ['login', '--method', 'azure-cli', '--registry', 'r', '--login-server', 'r.azurecr.io', '--client-id', CLIENT_ID]);
    expect(bin.calls().join('\n')).not.toContain('--username');
  });

  it.each([
    [['--registry', 'x', 'img:v1'], '--login-server is required'],
    [['--login-server'], '--login-server needs a value'],
    [['--login-server', 'x.azurecr.io', '--user', 'u'], 'unknown option --user'],
    [['--login-server', 'x.azurecr.io', '--method', 'azure-cli'], 'the azure-cli method needs --registry NAME'],
    [['--login-server', 'x.azurecr.io', '--method', 'basic'], "unknown method 'basic' (token-exchange or azure-cli)"],
    [['--login-server', 'x.azurecr.io', 'a b'], "image 'a b' is not an image reference"],
  ])('rejects %j with exit 2 and "%s", calling nothing', (args, message) => {
    const bin = new FakeBin({ curl: {}, az: {}, docker: {} });
    fakes = bin;
    const result = bin.run(PAYLOAD, ['login', ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: acr-login run USER_DATA_FILE');
    expect(bin.calls()).toEqual([]);
  });
});

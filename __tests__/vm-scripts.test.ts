/**
 * The bootstrap (custom_data or a VM extension) and the user data as the constructs render them, checked by
 * the real tools (cloud-init, systemd-analyze, shellcheck) and executed: the bootstrap's scripts run as the
 * machine would run them, with its root steps faked.
 */
import { createHash } from 'crypto';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformLocal, TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { parse } from 'yaml';
import {
  BOOTSTRAP_FILES, BOOTSTRAP_FORMAT, bootstrapCloudConfig, bootstrapInstallScript, estimatedBytes, LoginSettings, loginPayload,
  RegistryLogin, renderUserDataHead, terraformBase64, TOKEN_SIZE_ESTIMATE_BYTES,
} from '../lib/private/vm-scripts';
import { VM_ASSET_DIR, vmAsset } from '../lib/private/vm-scripts/assets';
import { BOOTSTRAP_CLOUD_CONFIG } from '../lib/private/vm-scripts/bootstrap';
import { RENDER_BOOTSTRAP_COMMAND, renderBootstrapCloudConfig } from '../scripts/render-bootstrap';
import { FakeBin, FakeTool, hasTool, itPassesShellChecks, itWithTool, writeExecutable } from './support/fake-bin';
import { FakeAzure } from './support/fake-bin/fake-azure';
import { FAKE_ADMIN, fakeMachine } from './support/fake-bin/machine';
import { LINUX_USERNAME } from '../lib/private/azure-names';
import { validateLoginSettings } from '../lib/private/registry-login-props';
import { PropsValidator } from '../lib/private/validation';
import { sshPublicKey } from './support/docker-vm-stacks';
import { textOf } from './support/login-data';

const ADMIN = 'azureuser';
const CLIENT_ID = '8b2c5d1e-0f3a-4c6b-9d7e-1a2b3c4d5e6f';
const BOOTSTRAP = path.join(VM_ASSET_DIR, 'acr-bootstrap.sh');
const SERVICE_PATH = '/etc/systemd/system/acr-login.service';
const TIMER_PATH = '/etc/systemd/system/acr-login.timer';
/**
 * The bootstrap of format 1, frozen: it is every VM's custom_data, and a change to it replaces every VM.
 * A change here is a new bootstrap format, in a major release (docs/bootstrap.md, "Upgrade policy").
 */
const FORMAT_1_SHA256 = 'e20775acd1f7676fa14ce6b2d58ee5d46c4219bee8fda7d3e396e4de4aa5a282';
/** Azure's limit on user data: 64 KiB of base64, so 49152 bytes of text. */
const USER_DATA_LIMIT_BYTES = 49152;

interface WriteFile {
  readonly path: string;
  readonly owner: string;
  readonly permissions: string;
  readonly content: string;
}

/** The registries of the tutorial: a user-assigned login and a system-assigned one. */
function twoLogins(clientId: string = CLIENT_ID): RegistryLogin[] {
  return [
    {
      registryName: 'myContainerRegistry',
      loginServer: 'mycontainerregistry.azurecr.io',
      images: ['aci-helloworld:v1', 'tools/busybox@sha256:0123abcd'],
      clientId,
    },
    { registryName: 'otherRegistry', loginServer: 'otherregistry.azurecr.io', images: ['nginx:1.27'] },
  ];
}

function cloudConfig(): { write_files: WriteFile[]; runcmd: string[][]; [key: string]: unknown } {
  const text = bootstrapCloudConfig();
  expect(text.startsWith('#cloud-config\n')).toBe(true);
  return parse(text, { version: '1.1' });
}

/** The values of each directive of a systemd unit file, in order. */
function directives(unit: string): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const line of unit.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) (result[match[1]] ??= []).push(match[2]);
  }
  return result;
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vm-scripts-test-'));
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

describe('bootstrapCloudConfig', () => {
  it('writes the bootstrap, the service and the timer from vm/, root-owned, and runs `acr-bootstrap activate`; nothing else', () => {
    const config = cloudConfig();
    expect(Object.keys(config).sort()).toEqual(['runcmd', 'write_files']);
    expect(config.write_files).toEqual([
      { path: '/usr/local/sbin/acr-bootstrap', owner: 'root:root', permissions: '0755', content: vmAsset('acr-bootstrap.sh') },
      { path: SERVICE_PATH, owner: 'root:root', permissions: '0644', content: vmAsset('acr-login.service') },
      { path: TIMER_PATH, owner: 'root:root', permissions: '0644', content: vmAsset('acr-login.timer') },
    ]);
    expect(config.runcmd).toEqual([['/usr/local/sbin/acr-bootstrap', 'activate']]);
  });

  it('names no user, registry, identity or image, and carries no payload: the same text for every machine', () => {
    const text = bootstrapCloudConfig();
    for (const value of [ADMIN, CLIENT_ID, 'azurecr.io', 'aci-helloworld', 'docker.io']) expect(text).not.toContain(value);
    expect(text).not.toContain(loginPayload().split('\n').slice(0, 3).join('\n'));
    expect(estimatedBytes(text)).toBeLessThan(8 * 1024);
  });

  it('is frozen for bootstrap format 1: its text changes only with a new format (a major release)', () => {
    expect(BOOTSTRAP_FORMAT).toBe(1);
    expect(createHash('sha256').update(bootstrapCloudConfig()).digest('hex')).toBe(FORMAT_1_SHA256);
  });

  it(`is the file vm/${BOOTSTRAP_CLOUD_CONFIG}, as rendered with yaml from the files of vm/ (stale: ${RENDER_BOOTSTRAP_COMMAND})`, () => {
    const shipped = fs.readFileSync(path.join(VM_ASSET_DIR, BOOTSTRAP_CLOUD_CONFIG), 'utf8');
    expect(bootstrapCloudConfig()).toBe(shipped);
    const stale = shipped === renderBootstrapCloudConfig()
      ? undefined
      : `vm/${BOOTSTRAP_CLOUD_CONFIG} is not what its sources render: run ${RENDER_BOOTSTRAP_COMMAND} (a changed bootstrap is a new format)`;
    expect(stale).toBeUndefined();
  });

  it('runs the login as root (it installs packages), oneshot, capped well above the payload\'s longest run', () => {
    const service = directives(vmAsset('acr-login.service'));
    expect(service.Type).toEqual(['oneshot']);
    expect(service.User).toBeUndefined();
    expect(service.ExecStart).toEqual(['/usr/local/sbin/acr-bootstrap run']);
    expect(service.After?.[0]?.split(' ')).toEqual(expect.arrayContaining(['docker.service', 'network-online.target']));
    // the payload's budget is at most 2 h and one step at most 30 min
    expect(service.TimeoutStartSec).toEqual(['4h']);
  });

  it('runs the login again every 120 minutes, and 2 minutes after boot', () => {
    const timer = directives(vmAsset('acr-login.timer'));
    expect(timer.OnUnitActiveSec).toEqual(['120min']);
    expect(timer.OnBootSec).toEqual(['2min']);
    expect(timer.WantedBy).toEqual(['timers.target']);
  });

  itPassesShellChecks(BOOTSTRAP);

  itWithTool('cloud-init', 'passes `cloud-init schema`', () => {
    const file = path.join(tempDir(), 'user-data.yaml');
    fs.writeFileSync(file, bootstrapCloudConfig());
    const result = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    // cloud-init 22.4 (Debian 12) says "Valid cloud-config", 23.x and later "Valid schema".
    expect(`${result.stdout}${result.stderr}`).toMatch(/Valid (cloud-config|schema)/);
    expect(result.status).toBe(0);
  });

  itWithTool('cloud-init', 'reads the same in PyYAML (YAML 1.1, what cloud-init parses with)', () => {
    const result = spawnSync('/usr/bin/python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], {
      input: bootstrapCloudConfig(),
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(cloudConfig());
  });

  itWithTool('systemd-analyze', 'has a service and a timer that `systemd-analyze verify` accepts without a warning', () => {
    // GIVEN the units, with ExecStart pointing at a real copy of the bootstrap
    const dir = tempDir();
    const bootstrapCopy = path.join(dir, 'acr-bootstrap');
    fs.writeFileSync(bootstrapCopy, vmAsset('acr-bootstrap.sh'), { mode: 0o755 });
    const service = path.join(dir, 'acr-login.service');
    const timer = path.join(dir, 'acr-login.timer');
    fs.writeFileSync(service, vmAsset('acr-login.service').split('/usr/local/sbin/acr-bootstrap').join(bootstrapCopy));
    fs.writeFileSync(timer, vmAsset('acr-login.timer'));
    // WHEN
    const result = spawnSync('systemd-analyze', ['verify', '--man=no', service, timer], { encoding: 'utf8' });
    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('bootstrapInstallScript (a VM extension)', () => {
  const script = writeExecutable('install-bootstrap', bootstrapInstallScript());
  tempDirs.push(path.dirname(script));

  itPassesShellChecks(script);

  it('writes the same files as the cloud-config, byte for byte and mode for mode, then activates: timer on, first run waited for', () => {
    // GIVEN a machine root with the user data the caller wrote
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'etc/acr-login'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/acr-login/user-data'), '#acr-login-user-data 1\n');
    fakes = fakeMachine();
    // WHEN
    const result = fakes.run(script, [], { ACR_BOOTSTRAP_ROOT: root });
    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const file of cloudConfig().write_files) {
      expect(fs.readFileSync(path.join(root, file.path), 'utf8')).toBe(file.content);
      expect((fs.statSync(path.join(root, file.path)).mode & 0o777).toString(8).padStart(4, '0')).toBe(file.permissions);
    }
    expect(fakes.calls()).toEqual([
      'systemctl daemon-reload',
      'systemctl enable --now acr-login.timer',
      'systemctl start acr-login.service',
    ]);
    expect(result.stdout).toContain('acr-bootstrap: the first registry login succeeded');
    // AND running it again changes nothing and succeeds again
    expect(fakes.run(script, [], { ACR_BOOTSTRAP_ROOT: root }).status).toBe(0);
  });

  it('embeds each file of the bootstrap once, from vm/', () => {
    const text = bootstrapInstallScript();
    for (const file of BOOTSTRAP_FILES) {
      expect(text.split(`install_file ${file.path} ${file.permissions} <<'ACR_BOOTSTRAP_FILE'`)).toHaveLength(2);
    }
    expect(text).not.toContain('#@BOOTSTRAP@');
  });

  it('says when there is no /etc/acr-login/user-data, and fails with the journal when the first run fails', () => {
    const root = tempDir();
    fakes = fakeMachine({ systemctl: { body: 'if [[ $1 == start ]]; then exit 1; fi' } });
    const result = fakes.run(script, [], { ACR_BOOTSTRAP_ROOT: root });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no /etc/acr-login/user-data: the bootstrap reads the machine's user data from the Instance Metadata Service");
    expect(result.stderr).toContain("the first registry login failed. The timer runs it again within 2 hours; 'sudo systemctl start acr-login.service' runs it now");
    expect(result.stderr).toContain("(the service's journal)");
    expect(fakes.calls()).toContain('journalctl -u acr-login.service -n 30 --no-pager -o cat');
    // the timer is on even though the first run failed
    expect(fakes.calls()).toContain('systemctl enable --now acr-login.timer');
  });
});

describe('acr-bootstrap run', () => {
  /** A stand-in payload: records how it was run and the user data it was given. */
  function stubPayload(version: string): string {
    return ['#!/usr/bin/env bash', `echo "payload ${version}: $*"`, 'cp "$2" "$(dirname "$0")/seen-user-data"', ''].join('\n');
  }

  function userData(payload: string, head = `#acr-login-user-data 1\nadmin_user=${ADMIN}\n`): string {
    return `${head}#acr-login-payload\n${payload}`;
  }

  /**
   * A fake curl answering as the Instance Metadata Service answers for user data: base64, then the HTTP status
   * the bootstrap asks curl to write, after `failFirst` failures.
   */
  function imds(text: string, failFirst = 0, status = 200): FakeTool {
    return { failFirst, body: `printf '%s\\n%s' '${Buffer.from(text, 'utf8').toString('base64')}' ${status}` };
  }

  function run(root: string, curl: FakeTool, env: Record<string, string> = {}, tools: Record<string, FakeTool> = {}) {
    fakes?.remove();
    fakes = new FakeBin({ curl, ...tools });
    return fakes.run(BOOTSTRAP, ['run'], { ACR_BOOTSTRAP_ROOT: root, ...env });
  }

  const payloadPath = (root: string) => path.join(root, 'usr/local/lib/acr-login/acr-login');

  it('reads the user data from the metadata service, installs its payload and runs it with the user data', () => {
    const root = tempDir();
    const text = userData(stubPayload('v1'));
    const result = run(root, imds(text));
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fakes?.calls()).toEqual([
      "curl -sS --noproxy \\* --max-time 30 -H Metadata:true -w \\\\n%\\{http_code\\} http://169.254.169.254/metadata/instance/compute/userData\\?api-version=2021-01-01\\&format=text",
    ]);
    expect(fs.readFileSync(payloadPath(root), 'utf8')).toBe(stubPayload('v1'));
    expect(fs.statSync(payloadPath(root)).mode & 0o777).toBe(0o755);
    expect(result.stdout).toMatch(/installed payload [0-9a-f]{12} at /);
    expect(result.stdout).toContain(`payload v1: run ${root}/run/acr-login/user-data`);
    expect(fs.readFileSync(path.join(root, 'usr/local/lib/acr-login/seen-user-data'), 'utf8')).toBe(text);
  });

  it('upgrades in place: a new payload in the user data replaces the installed one on the next run; the same one is left alone', () => {
    const root = tempDir();
    expect(run(root, imds(userData(stubPayload('v1')))).stdout).toContain('payload v1: run');
    // WHEN the user data changes in place (a new library release)
    const upgraded = run(root, imds(userData(stubPayload('v2'))));
    // THEN the next run installs and runs the new payload
    expect(upgraded.stdout).toMatch(/installed payload [0-9a-f]{12}/);
    expect(upgraded.stdout).toContain('payload v2: run');
    expect(fs.readFileSync(payloadPath(root), 'utf8')).toBe(stubPayload('v2'));
    // AND a run with the same user data does not reinstall it
    const again = run(root, imds(userData(stubPayload('v2'))));
    expect(again.stdout).not.toContain('installed payload');
    expect(again.stdout).toContain('payload v2: run');
  });

  it('replaces the payload atomically: renamed from a file beside it, not moved from /run (another file system)', () => {
    // GIVEN an installed payload, and a recording mv (the system's, after the record)
    const root = tempDir();
    run(root, imds(userData(stubPayload('v1'))));
    // WHEN a new payload arrives
    const result = run(root, imds(userData(stubPayload('v2'))), {}, { mv: { body: 'exec /bin/mv "$@"' } });
    // THEN the one mv onto the payload renames a file of the payload's own directory
    expect(result.status).toBe(0);
    const onto = (fakes?.calls() ?? []).filter((c) => c.startsWith('mv ') && c.endsWith(` ${payloadPath(root)}`));
    expect(onto).toHaveLength(1);
    const source = onto[0].split(' ')[2];
    expect(path.dirname(source)).toBe(path.dirname(payloadPath(root)));
    expect(path.basename(source)).toMatch(/^acr-login\.[A-Za-z0-9]{6}$/);
    // AND nothing is left beside it
    expect(fs.readdirSync(path.dirname(payloadPath(root))).sort()).toEqual(['acr-login', 'seen-user-data']);
    expect(fs.readFileSync(payloadPath(root), 'utf8')).toBe(stubPayload('v2'));
  });

  it('prefers /etc/acr-login/user-data (VM extension, golden images) and then asks no metadata service', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'etc/acr-login'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/acr-login/user-data'), userData(stubPayload('local')));
    const result = run(root, imds(userData(stubPayload('imds'))));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('payload local: run');
    expect(fakes?.calls()).toEqual([]);
  });

  it('retries the metadata service with backoff, then gives up (exit 1) when it never answers', () => {
    const root = tempDir();
    const retried = run(root, imds(userData(stubPayload('v1')), 1));
    expect(retried.status).toBe(0);
    expect(retried.stderr).toContain('the Instance Metadata Service did not answer; retrying in 1 s');
    const never = run(root, imds('', 1_000_000), { ACR_BOOTSTRAP_IMDS_TIMEOUT_SECONDS: '0' });
    expect(never.status).toBe(1);
    expect(never.stderr).toContain('the Instance Metadata Service did not answer within 0 s');
  });

  it.each([['empty', 200], ['not found', 404]])('does nothing, successfully, on a machine without user data (%s)', (_, status) => {
    const root = tempDir();
    const result = run(root, imds('', 0, status));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('this machine has no user data: nothing to do');
    expect(fs.existsSync(payloadPath(root))).toBe(false);
  });

  it('retries an error answer of the metadata service, naming its status', () => {
    const root = tempDir();
    const result = run(root, imds('', 0, 500), { ACR_BOOTSTRAP_IMDS_TIMEOUT_SECONDS: '0' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the Instance Metadata Service answered HTTP 500');
  });

  it.each([
    ['user data not written for acr-login', '#!/bin/bash\necho hello\n', "the user data does not start with '#acr-login-user-data 1': it was not written for acr-login"],
    ['a newer format', '#acr-login-user-data 2\n#acr-login-payload\necho\n', 'the user data is format 2, but this machine\'s bootstrap is format 1: a library release of bootstrap format 2 needs a new bootstrap (its custom_data), which replaces the machine'],
    ['no payload line', '#acr-login-user-data 1\nadmin_user=azureuser\n', "the user data has no '#acr-login-payload' line, so no payload to run"],
    ['an empty payload', '#acr-login-user-data 1\n#acr-login-payload\n', "the payload after '#acr-login-payload' is empty"],
  ])('refuses %s: exit 2, nothing installed', (_, text, message) => {
    const root = tempDir();
    const result = run(root, imds(text));
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`acr-bootstrap: ${message}\n`);
    expect(fs.existsSync(payloadPath(root))).toBe(false);
  });

  it('refuses to run beside another run (exit 1)', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'run/acr-login'), { recursive: true });
    const holder = spawnSync('flock', [path.join(root, 'run/acr-login/lock'), 'bash', '-c',
      `ACR_BOOTSTRAP_ROOT=${root} PATH=/usr/bin:/bin ${BOOTSTRAP} run; echo "status $?"`], { encoding: 'utf8' });
    expect(holder.stdout).toContain('status 1');
    expect(holder.stderr).toContain(`another run holds ${root}/run/acr-login/lock`);
  });

  it('runs the real payload of the rendered user data to the end: the login of a machine, as the admin user', async () => {
    // GIVEN the user data the constructs render, served by a fake metadata service, and a machine with Docker
    const text = renderUserDataHead({ adminUsername: FAKE_ADMIN }, twoLogins()) + loginPayload();
    azure = await FakeAzure.start({ userData: text });
    fakes = fakeMachine();
    const root = tempDir();
    // WHEN the service's ExecStart runs
    const result = await fakes.runAsync(BOOTSTRAP, ['run'], { ACR_BOOTSTRAP_ROOT: root, ...azure.env, ACR_LOGIN_INITIAL_DELAY_SECONDS: '0.02' });
    // THEN
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'usr/local/lib/acr-login/acr-login'), 'utf8')).toBe(loginPayload());
    expect(fakes.calls().filter((c) => /^docker (login|pull) /.test(c))).toEqual([
      'docker login mycontainerregistry.azurecr.io --username 00000000-0000-0000-0000-000000000000 --password-stdin',
      'docker pull mycontainerregistry.azurecr.io/aci-helloworld:v1',
      'docker pull mycontainerregistry.azurecr.io/tools/busybox@sha256:0123abcd',
      'docker login otherregistry.azurecr.io --username 00000000-0000-0000-0000-000000000000 --password-stdin',
      'docker pull otherregistry.azurecr.io/nginx:1.27',
    ]);
    expect(result.stdout).toContain('acr-login: done on attempt 1');
  });
});

describe('renderUserDataHead', () => {
  it('is the magic line, the settings, one line per login and the payload line', () => {
    expect(renderUserDataHead({ adminUsername: ADMIN }, twoLogins()).split('\n')).toEqual([
      '#acr-login-user-data 1',
      '# Settings and registry logins of this machine, read by acr-login on every run; the payload follows.',
      'admin_user=azureuser',
      'login_timeout_seconds=1800',
      'login_method=token-exchange',
      `login registry=myContainerRegistry login_server=mycontainerregistry.azurecr.io client_id=${CLIENT_ID} images=aci-helloworld:v1,tools/busybox@sha256:0123abcd`,
      'login registry=otherRegistry login_server=otherregistry.azurecr.io client_id= images=nginx:1.27',
      '#acr-login-payload',
      '',
    ]);
  });

  it('carries the budget and the login method', () => {
    const head = renderUserDataHead({ adminUsername: 'ops', loginTimeoutSeconds: 900, loginMethod: 'azure-cli' }, []);
    expect(head).toContain('\nadmin_user=ops\nlogin_timeout_seconds=900\nlogin_method=azure-cli\n#acr-login-payload\n');
  });

  it('keeps tokens (admin user, client ID, registry, login server), resolvable at apply', () => {
    // GIVEN values known only at apply
    const stack = new TerraformStack(Testing.app(), 'stack');
    const variable = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    const [admin, clientId, registry, server] = ['admin', 'clientId', 'registry', 'server'].map(variable);
    // WHEN
    const head = renderUserDataHead({ adminUsername: admin }, [{ registryName: registry, loginServer: server, images: ['a:1'], clientId }]);
    // THEN
    expect(head).toContain(`admin_user=${admin}\n`);
    expect(head).toContain(`login registry=${registry} login_server=${server} client_id=${clientId} images=a:1\n`);
  });

  it.each<[string, LoginSettings, RegistryLogin[], string]>([
    ['an admin user name with a space', { adminUsername: 'azure user' }, [], "adminUsername 'azure user' is not a Linux user name"],
    ['a budget under 900 s', { adminUsername: ADMIN, loginTimeoutSeconds: 600 }, [], 'loginTimeoutSeconds 600 is not a whole number of seconds from 900 to 7200'],
    ['a budget over 7200 s', { adminUsername: ADMIN, loginTimeoutSeconds: 7201 }, [], 'loginTimeoutSeconds 7201 is not a whole number of seconds from 900 to 7200'],
    ['an unknown login method', { adminUsername: ADMIN, loginMethod: 'basic' as never }, [], "loginMethod 'basic' is not one of token-exchange, azure-cli"],
    ['an image with a space', { adminUsername: ADMIN }, [{ registryName: 'r', loginServer: 'r.azurecr.io', images: ['app v1'] }],
      "logins[0].images[0] 'app v1' has characters other than letters, digits and . _ : @ / -"],
    ['an image with a comma', { adminUsername: ADMIN }, [{ registryName: 'r', loginServer: 'r.azurecr.io', images: ['a,b'] }], "logins[0].images[0] 'a,b' has characters"],
    ['a registry with =', { adminUsername: ADMIN }, [{ registryName: 'r=x', loginServer: 'r.azurecr.io', images: [] }], "logins[0].registryName 'r=x' has characters"],
  ])('throws for %s, naming the value', (_, settings, logins, message) => {
    expect(() => renderUserDataHead(settings, logins)).toThrow(`renderUserDataHead: ${message}`);
  });

  it('accepts the neighbours of those refusals: 900 s, 7200 s, an image with a digest', () => {
    expect(renderUserDataHead({ adminUsername: ADMIN, loginTimeoutSeconds: 900 }, [])).toContain('login_timeout_seconds=900\n');
    expect(renderUserDataHead({ adminUsername: ADMIN, loginTimeoutSeconds: 7200 }, [])).toContain('login_timeout_seconds=7200\n');
    expect(renderUserDataHead({ adminUsername: ADMIN }, [{ registryName: 'r', loginServer: 'r.azurecr.io', images: ['a/b@sha256:00ff'] }]))
      .toContain('images=a/b@sha256:00ff\n');
  });

  it('has one rule for Linux user names: the constructs\' validation, this renderer and the payload agree on each name', () => {
    // The payload's rule is the same expression (bash ERE), so a name the constructs pass is one the payload takes.
    expect(loginPayload()).toContain(`\nreadonly linux_user='${LINUX_USERNAME.source}'\n`);
    const names = ['azureuser', '_svc', 'a', 'a.b-c_d', 'a_', `a${'b'.repeat(63)}`, 'a.', `a${'b'.repeat(64)}`, '-a', '1a', 'a b', 'a$b', ''];
    const accepted = (name: string) => {
      const v = new PropsValidator('Test', new TerraformStack(Testing.app(), 'names'));
      validateLoginSettings(v, { adminUsername: name });
      const construct = v.ok;
      const renderer = (() => { try { renderUserDataHead({ adminUsername: name }, []); return true; } catch { return false; } })();
      const payload = spawnSync('bash', ['-c', `[[ $1 =~ ${LINUX_USERNAME.source} ]]`, '-', name]).status === 0;
      return [construct, renderer, payload];
    };
    for (const name of names) {
      const expected = LINUX_USERNAME.test(name);
      expect([name, ...accepted(name)]).toEqual([name, expected, expected, expected]);
    }
    expect(names.filter((name) => LINUX_USERNAME.test(name))).toEqual(names.slice(0, 6));
  });

  it('refuses a token image: images are named at synth', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    const image = new TerraformVariable(stack, 'image', { type: 'string' }).stringValue;
    expect(() => renderUserDataHead({ adminUsername: ADMIN }, [{ registryName: 'r', loginServer: 'r.azurecr.io', images: [image] }]))
      .toThrow('renderUserDataHead: logins[0].images[0] is a token: images are named at synth');
  });

  it('leaves room in Azure\'s 64 KiB of user data: head and payload of one login take under half of it', () => {
    const bytes = estimatedBytes(renderUserDataHead({ adminUsername: ADMIN }, twoLogins().slice(0, 1)) + loginPayload());
    expect(bytes).toBeLessThan(USER_DATA_LIMIT_BYTES / 2);
  });
});

describe('upgrading the library', () => {
  /** The vm-scripts module of a library release whose payload differs from this one in one line. */
  function releaseWithChangedPayload(): typeof import('../lib/private/vm-scripts') {
    let release: typeof import('../lib/private/vm-scripts') | undefined;
    jest.isolateModules(() => {
      const assets = jest.requireActual<typeof import('../lib/private/vm-scripts/assets')>('../lib/private/vm-scripts/assets');
      jest.doMock('../lib/private/vm-scripts/assets', () => ({
        ...assets,
        vmAsset: (name: Parameters<typeof assets.vmAsset>[0]) => (name === 'acr-login.sh'
          ? assets.vmAsset(name).replace('readonly step_timeout_seconds=1800', 'readonly step_timeout_seconds=2400')
          : assets.vmAsset(name)),
      }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry, inside isolateModules
      release = require('../lib/private/vm-scripts');
    });
    jest.dontMock('../lib/private/vm-scripts/assets');
    return release!;
  }

  it('changes the user data (updated in place) and never the bootstrap (custom_data, which replaces the VM)', () => {
    // GIVEN two releases that differ in one line of the payload
    const next = releaseWithChangedPayload();
    const settings = { adminUsername: ADMIN };
    const userData = (release: typeof next) => release.renderUserDataHead(settings, twoLogins()) + release.loginPayload();
    // THEN the user data differs, in that line only
    expect(next.loginPayload()).not.toBe(loginPayload());
    expect(userData(next)).not.toBe(userData({ renderUserDataHead, loginPayload } as typeof next));
    const changed = userData(next).split('\n').filter((line, i) => line !== userData({ renderUserDataHead, loginPayload } as typeof next).split('\n')[i]);
    expect(changed).toEqual(['readonly step_timeout_seconds=2400']);
    // AND the bootstrap, as custom_data and as the VM extension's script, is the same text
    expect(next.bootstrapCloudConfig()).toBe(bootstrapCloudConfig());
    expect(next.terraformBase64(next.bootstrapCloudConfig())).toBe(terraformBase64(bootstrapCloudConfig()));
    expect(next.bootstrapInstallScript()).toBe(bootstrapInstallScript());
  });
});

describe('upgrading the library: a DockerVirtualMachine stack', () => {
  /* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- fresh module registries, synthesized JSON */
  const CHANGE: [string, string] = ['readonly step_timeout_seconds=1800', 'readonly step_timeout_seconds=2400'];

  /**
   * The tutorial's VM (a user-assigned identity pulls), synthesized by the library loaded afresh: as it is, or as a
   * release whose payload (vm/acr-login.sh) has one line changed. The same SSH key for both.
   */
  function synthTutorial(changedPayload: boolean): any {
    const key = sshPublicKey();
    let json: any;
    jest.isolateModules(() => {
      if (changedPayload) {
        const assets = jest.requireActual<typeof import('../lib/private/vm-scripts/assets')>('../lib/private/vm-scripts/assets');
        jest.doMock('../lib/private/vm-scripts/assets', () => ({
          ...assets,
          vmAsset: (name: Parameters<typeof assets.vmAsset>[0]) => (name === 'acr-login.sh' ? assets.vmAsset(name).replace(...CHANGE) : assets.vmAsset(name)),
        }));
      }
      const { Testing: IsolatedTesting } = require('cdktf') as typeof import('cdktf');
      const stacks = require('./support/docker-vm-stacks') as typeof import('./support/docker-vm-stacks');
      const { DockerVirtualMachine } = require('../lib/docker-vm') as typeof import('../lib/docker-vm');
      const stack = stacks.newStack();
      const registry = stacks.newRegistry(stack);
      const identity = stacks.newIdentity(stack);
      const vm = new DockerVirtualMachine(stack, 'DockerVm', stacks.vmProps({ sshPublicKey: key, userAssignedIdentities: [identity] }));
      registry.grantPull(identity);
      vm.pullImages(registry, ['aci-helloworld:v1'], { identity });
      json = JSON.parse(IsolatedTesting.synth(stack));
    });
    jest.dontMock('../lib/private/vm-scripts/assets');
    return json;
  }

  /** The paths at which two JSON values differ. */
  function differences(a: any, b: any, at = ''): string[] {
    if (a === b) return [];
    if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return [at];
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) => differences(a[key], b[key], at ? `${at}.${key}` : key));
  }

  it('keeps custom_data identical and changes user_data, in place: nothing else in the stack differs', () => {
    // GIVEN the same stack synthesized by this release and by one whose payload differs in one line
    const current = synthTutorial(false);
    const next = synthTutorial(true);
    const vmOf = (json: any) => Object.values(json.resource.azurerm_linux_virtual_machine)[0] as any;
    // THEN custom_data (ForceNew: a change would replace the VM) is the same JSON, and so is the bootstrap it references
    expect(vmOf(next).custom_data).toBe('${local.AcrLoginBootstrap}');
    expect(vmOf(next).custom_data).toBe(vmOf(current).custom_data);
    expect(next.locals.AcrLoginBootstrap).toBe(current.locals.AcrLoginBootstrap);
    // AND the user data Terraform computes (updated in place) differs, in the changed line only
    const userData = (json: any) => textOf(json, vmOf(json).user_data).split('\n');
    expect(userData(next)).not.toEqual(userData(current));
    expect(userData(next).filter((line, i) => line !== userData(current)[i])).toEqual([CHANGE[1]]);
    // AND the only difference in the whole stack is the payload local that user_data references
    expect(differences(current, next)).toEqual(['locals.AcrLoginPayload']);
  });
  /* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
});

describe('terraformBase64', () => {
  /** Text cdktf cannot pass through Fn.base64encode or Fn.rawString unharmed. */
  const TRICKY = 'say "hi" \\ C:\\path \\n ${HOME} $${x} %{ if true }x%{ endif } ~} \u00e4\n';

  /**
   * Evaluates the synthesized `${base64encode(format(base64decode("<template>"), var.x, ...))}` with the
   * given variable values, as Terraform's format() does for the only verbs the template may hold, `%s`
   * and `%%`: the exact shape terraformBase64 promises, nothing more.
   */
  function evaluate(expression: string, variables: Record<string, string>): string {
    const whole = /^\$\{base64encode\(format\(base64decode\("([A-Za-z0-9+/]*={0,2})"\), (.*)\)\)\}$/.exec(expression);
    if (whole === null) throw new Error(`unexpected expression ${expression}`);
    const template = Buffer.from(whole[1], 'base64').toString('utf8');
    const args = whole[2].split(', ').map((arg) => {
      const variable = /^var\.(\w+)$/.exec(arg);
      if (variable && variable[1] in variables) return variables[variable[1]];
      throw new Error(`unexpected argument ${arg}`);
    });
    expect(template.replace(/%%|%s/g, '')).not.toContain('%');
    let next = 0;
    const text = template.replace(/%%|%s/g, (verb) => (verb === '%%' ? '%' : args[next++]));
    expect(next).toBe(args.length);
    return Buffer.from(text, 'utf8').toString('base64');
  }

  /** A stack whose local `custom_data` is terraformBase64(build(token)), synthesized. */
  function synthesize(build: (clientId: string) => string): { json: string; expression: string } {
    const stack = new TerraformStack(Testing.app(), 'stack');
    const clientId = new TerraformVariable(stack, 'clientId', { type: 'string' }).stringValue;
    new TerraformLocal(stack, 'custom_data', terraformBase64(build(clientId)));
    const json = Testing.synth(stack);
    return { json, expression: JSON.parse(json).locals.custom_data };
  }

  it('is a plain base64 literal for text without tokens, whatever characters it has', () => {
    const customData = terraformBase64(TRICKY);
    expect(Token.isUnresolved(customData)).toBe(false);
    expect(Buffer.from(customData, 'base64').toString('utf8')).toBe(TRICKY);
  });

  it('with tokens, formats a base64-decoded template with the tokens, and round-trips tricky text', () => {
    const build = (clientId: string) => `${TRICKY}client=${clientId}\nagain "${clientId}"\n${TRICKY}`;
    const { expression } = synthesize(build);
    expect(evaluate(expression, { clientId: CLIENT_ID })).toBe(Buffer.from(build(CLIENT_ID), 'utf8').toString('base64'));
    expect(expression.match(/var\.clientId/g)).toHaveLength(2);
  });

  it('is one format() of one template, with each token an argument and each literal % doubled', () => {
    const { expression } = synthesize((clientId) => `${clientId} 100% ${clientId}`);
    const template = Buffer.from('%s 100%% %s').toString('base64');
    expect(expression).toBe(`\${base64encode(format(base64decode("${template}"), var.clientId, var.clientId))}`);
  });

  it('decodes to the same user data as one rendered with the client ID known, payload included', () => {
    const build = (clientId: string) => renderUserDataHead({ adminUsername: ADMIN }, twoLogins(clientId)) + loginPayload();
    const { expression } = synthesize(build);
    expect(evaluate(expression, { clientId: CLIENT_ID })).toBe(Buffer.from(build(CLIENT_ID), 'utf8').toString('base64'));
  });

  const terraformIt = hasTool('terraform') ? it : it.skip;
  terraformIt('evaluates in Terraform itself to the base64 of the text with the token resolved (skipped without terraform)', () => {
    const build = (clientId: string) => `${TRICKY}${renderUserDataHead({ adminUsername: ADMIN }, twoLogins(clientId))}`;
    const { json } = synthesize(build);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'main.tf.json'), json);
    const result = spawnSync('terraform', ['console', `-var=clientId=${CLIENT_ID}`], {
      cwd: dir,
      input: 'local.custom_data\n',
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toBe(Buffer.from(build(CLIENT_ID), 'utf8').toString('base64'));
  });
});

describe('estimatedBytes', () => {
  it('counts UTF-8 bytes of literal text', () => {
    expect(estimatedBytes('\u00e4bc')).toBe(4);
  });

  it('counts each token as 64 bytes', () => {
    const stack = new TerraformStack(Testing.app(), 'stack');
    const token = new TerraformVariable(stack, 'clientId', { type: 'string' }).stringValue;
    expect(TOKEN_SIZE_ESTIMATE_BYTES).toBe(64);
    expect(estimatedBytes(`ab${token}c${token}`)).toBe(3 + 2 * 64);
  });
});

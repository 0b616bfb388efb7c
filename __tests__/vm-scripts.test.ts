import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TerraformLocal, TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { parse } from 'yaml';
import {
  AZURE_CLI_INSTALL_SCRIPT,
  AZURE_CLI_INSTALL_SCRIPT_PATH,
  CloudConfigOptions,
  estimatedBytes,
  LOGIN_SCRIPT,
  LOGIN_SCRIPT_PATH,
  RegistryLogin,
  renderCloudConfig,
  renderLoginUserData,
  terraformBase64,
  TOKEN_SIZE_ESTIMATE_BYTES,
} from '../lib/private/vm-scripts';
import { FakeBin, FakeTool, hasTool, itPassesShellChecks, itWithTool, writeExecutable } from './support/fake-bin';

const ADMIN = 'azureuser';
const CLIENT_ID = '8b2c5d1e-0f3a-4c6b-9d7e-1a2b3c4d5e6f';
const SERVICE_PATH = '/etc/systemd/system/acr-login.service';
const TIMER_PATH = '/etc/systemd/system/acr-login.timer';
/** Azure's limit on custom data. */
const CUSTOM_DATA_LIMIT_BYTES = 64 * 1024;

interface WriteFile {
  readonly path: string;
  readonly owner: string;
  readonly permissions: string;
  readonly content: string;
}

interface CloudConfig {
  readonly package_update: boolean;
  readonly packages: string[];
  readonly write_files: WriteFile[];
  readonly runcmd: string[][];
  readonly [key: string]: unknown;
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

/** The cloud-config of a VM with the default admin user and budget. */
function defaultCloudConfig(): CloudConfig {
  return parseCloudConfig(renderCloudConfig({ adminUsername: ADMIN }));
}

/** A fake curl that serves `userData` (text) as the Instance Metadata Service does: base64. */
function fakeImds(userData: string, failFirst = 0): FakeTool {
  return { failFirst, body: `printf '%s' '${Buffer.from(userData, 'utf8').toString('base64')}'` };
}

function parseCloudConfig(text: string): CloudConfig {
  expect(text.startsWith('#cloud-config\n')).toBe(true);
  return parse(text, { version: '1.1' });
}

function fileAt(config: CloudConfig, filePath: string): WriteFile {
  const file = config.write_files.find((f) => f.path === filePath);
  if (file === undefined) throw new Error(`no write_files entry for ${filePath}`);
  return file;
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

function writeTemp(name: string, text: string): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

describe('renderCloudConfig', () => {
  describe('packages', () => {
    it('updates apt and installs Docker and what the Azure CLI install needs, not Ubuntu\'s outdated azure-cli', () => {
      // WHEN
      const config = defaultCloudConfig();
      // THEN
      expect(config.package_update).toBe(true);
      expect(config.packages).toEqual(expect.arrayContaining(['docker.io', 'ca-certificates', 'curl', 'gnupg', 'lsb-release']));
      expect(config.packages).not.toContain('azure-cli');
    });
  });

  describe('write_files', () => {
    it('installs both scripts, the service and the timer, root-owned, scripts executable', () => {
      const config = defaultCloudConfig();
      expect(config.write_files.map(({ path: p, owner, permissions }) => ({ path: p, owner, permissions }))).toEqual([
        { path: AZURE_CLI_INSTALL_SCRIPT_PATH, owner: 'root:root', permissions: '0755' },
        { path: LOGIN_SCRIPT_PATH, owner: 'root:root', permissions: '0755' },
        { path: SERVICE_PATH, owner: 'root:root', permissions: '0644' },
        { path: TIMER_PATH, owner: 'root:root', permissions: '0644' },
      ]);
    });

    it('carries the scripts byte for byte through the YAML', () => {
      const config = defaultCloudConfig();
      expect(fileAt(config, LOGIN_SCRIPT_PATH).content).toBe(LOGIN_SCRIPT);
      expect(fileAt(config, AZURE_CLI_INSTALL_SCRIPT_PATH).content).toBe(AZURE_CLI_INSTALL_SCRIPT);
    });

    it('names no registry, login server, identity or image: the logins are user data', () => {
      // GIVEN the values of the tutorial's logins
      const values = twoLogins().flatMap((login) => [login.registryName, login.loginServer, login.clientId ?? '', ...login.images]);
      // WHEN
      const text = renderCloudConfig({ adminUsername: ADMIN });
      // THEN
      for (const value of values.filter((v) => v !== '')) expect(text).not.toContain(value);
    });
  });

  describe('users and runcmd', () => {
    it('leaves the Azure-provisioned admin user alone and adds it to the docker group', () => {
      const config = defaultCloudConfig();
      // A `users` key would replace the admin user Azure provisions from admin_username.
      expect(config).not.toHaveProperty('users');
      expect(config).not.toHaveProperty('groups');
      expect(config.runcmd).toContainEqual(['usermod', '-aG', 'docker', ADMIN]);
    });

    it('joins the docker group and installs the CLI before it reloads systemd, enables the timer and starts the login', () => {
      // GIVEN runcmd runs in cloud-init's final stage, after `packages` installed docker.io
      const { runcmd } = defaultCloudConfig();
      const at = (command: string[]) => runcmd.findIndex((c) => JSON.stringify(c) === JSON.stringify(command));
      const usermod = at(['usermod', '-aG', 'docker', ADMIN]);
      const install = at([AZURE_CLI_INSTALL_SCRIPT_PATH]);
      const reload = at(['systemctl', 'daemon-reload']);
      const enableTimer = at(['systemctl', 'enable', '--now', 'acr-login.timer']);
      const start = at(['systemctl', 'start', '--no-block', 'acr-login.service']);
      // THEN
      for (const index of [usermod, install, reload, enableTimer, start]) expect(index).toBeGreaterThanOrEqual(0);
      expect(usermod).toBeLessThan(reload);
      expect(install).toBeLessThan(reload);
      expect(reload).toBeLessThan(enableTimer);
      expect(enableTimer).toBeLessThan(start);
      expect(start).toBe(runcmd.length - 1);
    });
  });

  describe('login service', () => {
    it('runs the logins as the admin user after Docker, as a oneshot', () => {
      const service = directives(fileAt(defaultCloudConfig(), SERVICE_PATH).content);
      expect(service.Type).toEqual(['oneshot']);
      expect(service.User).toEqual([ADMIN]);
      expect(service.After?.[0]?.split(' ')).toEqual(expect.arrayContaining(['docker.service', 'network-online.target']));
      expect(service.Wants?.[0]?.split(' ')).toEqual(expect.arrayContaining(['docker.service', 'network-online.target']));
    });

    it('has one ExecStart, which reads the logins from the user data', () => {
      const service = directives(fileAt(defaultCloudConfig(), SERVICE_PATH).content);
      expect(service.ExecStart).toEqual([`${LOGIN_SCRIPT_PATH} --from-user-data`]);
    });

    it('passes the retry budget of the run, 1800 s by default, and gives the run more than it to start', () => {
      const byDefault = directives(fileAt(defaultCloudConfig(), SERVICE_PATH).content);
      expect(byDefault.Environment).toEqual(['ACR_LOGIN_TIMEOUT_SECONDS=1800']);
      expect(Number(byDefault.TimeoutStartSec?.[0])).toBeGreaterThan(1800);

      const custom = directives(
        fileAt(parseCloudConfig(renderCloudConfig({ adminUsername: ADMIN, loginTimeoutSeconds: 600 })), SERVICE_PATH).content,
      );
      expect(custom.Environment).toEqual(['ACR_LOGIN_TIMEOUT_SECONDS=600']);
      expect(Number(custom.TimeoutStartSec?.[0])).toBeGreaterThan(600);
      expect(Number(custom.TimeoutStartSec?.[0])).toBeLessThan(Number(byDefault.TimeoutStartSec?.[0]));
    });
  });

  describe('refresh timer', () => {
    it('re-runs the login every 120 minutes by default, and after boot', () => {
      const timer = directives(fileAt(defaultCloudConfig(), TIMER_PATH).content);
      expect(timer.OnUnitActiveSec).toEqual(['120min']);
      expect(timer.OnBootSec).toHaveLength(1);
      expect(timer.WantedBy).toEqual(['timers.target']);
    });
  });

  describe('bad options', () => {
    it.each<[string, CloudConfigOptions, RegExp]>([
      ['an admin user name with a space', { adminUsername: 'azure user' }, /adminUsername 'azure user' is not a Linux user name/],
      ['a zero budget', { adminUsername: ADMIN, loginTimeoutSeconds: 0 }, /loginTimeoutSeconds 0 is not a positive whole number/],
    ])('throws for %s', (_, options, message) => {
      expect(() => renderCloudConfig(options)).toThrow(message);
    });
  });

  describe('validated by the real tools', () => {
    const configs: Array<[string, CloudConfigOptions]> = [
      ['default budget', { adminUsername: ADMIN }],
      ['custom budget', { adminUsername: 'dockeradmin', loginTimeoutSeconds: 900 }],
    ];

    itWithTool('cloud-init', 'passes `cloud-init schema`', () => {
      for (const [, options] of configs) {
        const file = writeTemp('user-data.yaml', renderCloudConfig(options));
        const result = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
        // cloud-init 22.4 (Debian 12) says "Valid cloud-config", 23.x and later "Valid schema".
        expect(`${result.stdout}${result.stderr}`).toMatch(/Valid (cloud-config|schema)/);
        expect(result.status).toBe(0);
      }
    });

    itWithTool('cloud-init', 'reads the same in PyYAML (YAML 1.1, what cloud-init parses with), even for words like "no"', () => {
      // GIVEN an admin named `no`, a boolean to YAML 1.1 if left unquoted
      const text = renderCloudConfig({ adminUsername: 'no' });
      // WHEN
      const result = spawnSync('/usr/bin/python3', ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], {
        input: text,
        encoding: 'utf8',
      });
      // THEN
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(parse(text, { version: '1.1' }));
      expect(JSON.parse(result.stdout).runcmd[0]).toEqual(['usermod', '-aG', 'docker', 'no']);
    });

    itWithTool('systemd-analyze', 'has a service and a timer that `systemd-analyze verify` accepts without a warning', () => {
      // GIVEN the units, with ExecStart pointing at a real copy of the login script
      const config = defaultCloudConfig();
      const dir = tempDir();
      const scriptCopy = path.join(dir, 'acr-login');
      fs.writeFileSync(scriptCopy, fileAt(config, LOGIN_SCRIPT_PATH).content, { mode: 0o755 });
      const service = path.join(dir, 'acr-login.service');
      const timer = path.join(dir, 'acr-login.timer');
      fs.writeFileSync(service, fileAt(config, SERVICE_PATH).content.split(LOGIN_SCRIPT_PATH).join(scriptCopy));
      fs.writeFileSync(timer, fileAt(config, TIMER_PATH).content);
      // WHEN
      const result = spawnSync('systemd-analyze', ['verify', '--man=no', service, timer], { encoding: 'utf8' });
      // THEN
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  });

  describe('executed as the VM would', () => {
    it('runs the installed login script as the service\'s ExecStart says, reading the logins from the user data', () => {
      // GIVEN the script and the service exactly as cloud-init writes them, the user data the construct renders
      // served by a fake metadata service, and fake az and docker
      const config = defaultCloudConfig();
      const script = writeExecutable('acr-login', fileAt(config, LOGIN_SCRIPT_PATH).content);
      tempDirs.push(path.dirname(script));
      const service = directives(fileAt(config, SERVICE_PATH).content);
      const environment = Object.fromEntries((service.Environment ?? []).map((e) => e.split('=', 2)));
      const fakes = new FakeBin({ curl: fakeImds(renderLoginUserData(twoLogins())), az: { recordEnv: ['AZURE_CONFIG_DIR'] }, docker: {} });
      try {
        // WHEN the ExecStart runs
        const [executable, ...args] = (service.ExecStart ?? [])[0].split(' ');
        expect(executable).toBe(LOGIN_SCRIPT_PATH);
        const result = fakes.run(script, args, environment);
        // THEN
        expect(result.stderr).toBe('');
        expect(result.status).toBe(0);
        expect(fakes.calls()).toEqual([
          expect.stringMatching(/^curl .*-H Metadata:true .*compute\/userData/),
          `az login --identity --client-id ${CLIENT_ID} --allow-no-subscriptions --output none`,
          'az acr login --name myContainerRegistry',
          'docker pull mycontainerregistry.azurecr.io/aci-helloworld:v1',
          'docker pull mycontainerregistry.azurecr.io/tools/busybox@sha256:0123abcd',
          'az login --identity --allow-no-subscriptions --output none',
          'az acr login --name otherRegistry',
          'docker pull otherregistry.azurecr.io/nginx:1.27',
        ]);
        // AND every az call kept to the script's own Azure CLI profile in the user's home (systemd sets HOME for User=)
        const profile = path.join(fakes.home, '.azure-acr-login');
        expect(fakes.environments('az')).toEqual(Array(4).fill({ AZURE_CONFIG_DIR: profile }));
      } finally {
        fakes.remove();
      }
    });
  });
});

describe('renderLoginUserData', () => {
  it('is one line per login: registry, login server, client ID (empty for the system-assigned identity), images', () => {
    expect(renderLoginUserData(twoLogins()).split('\n')).toEqual([
      `# Registry logins of this VM, read by ${LOGIN_SCRIPT_PATH} --from-user-data`,
      `registry=myContainerRegistry login_server=mycontainerregistry.azurecr.io client_id=${CLIENT_ID} images=aci-helloworld:v1,tools/busybox@sha256:0123abcd`,
      'registry=otherRegistry login_server=otherregistry.azurecr.io client_id= images=nginx:1.27',
      '',
    ]);
  });

  it('is empty without a login', () => {
    expect(renderLoginUserData([])).toBe('');
  });

  it('keeps a client ID token, resolvable at apply', () => {
    // GIVEN a client ID known only at apply
    const stack = new TerraformStack(Testing.app(), 'stack');
    const clientId = new TerraformVariable(stack, 'clientId', { type: 'string' }).stringValue;
    // WHEN
    const text = renderLoginUserData(twoLogins(clientId));
    // THEN
    expect(text).toContain(`client_id=${clientId} images=aci-helloworld:v1`);
    expect(Token.isUnresolved(text)).toBe(true);
  });

  it.each<[string, RegistryLogin, RegExp]>([
    ['an image with a space', { registryName: 'r', loginServer: 'r.azurecr.io', images: ['app v1'] }, /logins\[0\]\.images\[0\] 'app v1' has characters other than/],
    ['an image with a comma', { registryName: 'r', loginServer: 'r.azurecr.io', images: ['a,b'] }, /logins\[0\]\.images\[0\] 'a,b'/],
    ['a registry with =', { registryName: 'r=x', loginServer: 'r.azurecr.io', images: [] }, /logins\[0\]\.registryName 'r=x'/],
  ])('throws for %s', (_, login, message) => {
    expect(() => renderLoginUserData([login])).toThrow(message);
  });
});

describe('AZURE_CLI_INSTALL_SCRIPT', () => {
  const KEYRING = '/etc/apt/keyrings/microsoft.gpg';
  const script = writeExecutable('install-azure-cli', AZURE_CLI_INSTALL_SCRIPT);
  tempDirs.push(path.dirname(script));

  /** Fakes of the network and system tools; curl and gpg write files like the real ones. */
  function fakes(curlFailures = 0): FakeBin {
    return new FakeBin({
      curl: {
        failFirst: curlFailures,
        body: 'while (($# > 0)); do if [[ $1 == -o ]]; then echo "ARMORED KEY" >"$2"; fi; shift; done',
      },
      gpg: {
        body: 'out=""; while (($# > 1)); do if [[ $1 == -o ]]; then out=$2; fi; shift; done; { echo DEARMORED; cat "$1"; } >"$out"',
      },
      lsb_release: { body: 'echo noble' },
      dpkg: { body: 'echo arm64' },
      'apt-get': {},
    });
  }

  function run(bin: FakeBin, root: string) {
    return bin.run(script, [], { AZURE_CLI_INSTALL_ROOT: root, AZURE_CLI_INSTALL_RETRY_DELAY_SECONDS: '0' });
  }

  itPassesShellChecks(script);

  it("follows Microsoft's apt steps: dearmored key, deb822 source for this release and architecture, azure-cli", () => {
    // GIVEN
    const bin = fakes();
    const root = tempDir();
    try {
      // WHEN
      const result = run(bin, root);
      // THEN
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(fs.readFileSync(path.join(root, 'etc/apt/sources.list.d/azure-cli.sources'), 'utf8')).toBe(
        [
          'Types: deb',
          'URIs: https://packages.microsoft.com/repos/azure-cli/',
          'Suites: noble',
          'Components: main',
          'Architectures: arm64',
          `Signed-by: ${KEYRING}`,
          '',
        ].join('\n'),
      );
      const keyring = path.join(root, KEYRING);
      expect(fs.readFileSync(keyring, 'utf8')).toBe('DEARMORED\nARMORED KEY\n');
      expect(fs.statSync(keyring).mode & 0o044).toBe(0o044);
      const calls = bin.calls();
      expect(calls[0]).toMatch(/^curl -fsSL -o \S+ https:\/\/packages\.microsoft\.com\/keys\/microsoft\.asc$/);
      expect(calls[1]).toMatch(new RegExp(`^gpg --batch --yes --dearmor -o ${root}${KEYRING} \\S+$`));
      expect(calls.slice(-2)).toEqual([
        'apt-get -o DPkg::Lock::Timeout=600 update',
        'apt-get -o DPkg::Lock::Timeout=600 install -y azure-cli',
      ]);
    } finally {
      bin.remove();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('retries a failed download', () => {
    const bin = fakes(2);
    const root = tempDir();
    try {
      const result = run(bin, root);
      expect(result.status).toBe(0);
      expect(bin.calls().filter((c) => c.startsWith('curl '))).toHaveLength(3);
      expect(result.stderr).toContain('failed (try 2 of 5)');
    } finally {
      bin.remove();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails after five failed downloads, installing nothing', () => {
    const bin = fakes(1_000);
    const root = tempDir();
    try {
      const result = run(bin, root);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('install-azure-cli: giving up on');
      expect(bin.calls().filter((c) => c.startsWith('curl '))).toHaveLength(5);
      expect(bin.calls().filter((c) => c.startsWith('apt-get '))).toEqual([]);
    } finally {
      bin.remove();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
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
    // WHEN
    const customData = terraformBase64(TRICKY);
    // THEN
    expect(Token.isUnresolved(customData)).toBe(false);
    expect(Buffer.from(customData, 'base64').toString('utf8')).toBe(TRICKY);
  });

  it('with tokens, formats a base64-decoded template with the tokens, and round-trips tricky text', () => {
    // GIVEN text with quotes, backslashes, ${HOME}, %{ and a token twice
    const build = (clientId: string) => `${TRICKY}client=${clientId}\nagain "${clientId}"\n${TRICKY}`;
    // WHEN
    const { expression } = synthesize(build);
    // THEN
    expect(evaluate(expression, { clientId: CLIENT_ID })).toBe(Buffer.from(build(CLIENT_ID), 'utf8').toString('base64'));
    expect(expression.match(/var\.clientId/g)).toHaveLength(2);
  });

  it('is one format() of one template, with each token an argument and each literal % doubled', () => {
    const { expression } = synthesize((clientId) => `${clientId} 100% ${clientId}`);
    const template = Buffer.from('%s 100%% %s').toString('base64');
    expect(expression).toBe(`\${base64encode(format(base64decode("${template}"), var.clientId, var.clientId))}`);
  });

  it('decodes to the same user data as one rendered with the client ID known', () => {
    const { expression } = synthesize((clientId) => renderLoginUserData(twoLogins(clientId)));
    expect(evaluate(expression, { clientId: CLIENT_ID })).toBe(
      Buffer.from(renderLoginUserData(twoLogins(CLIENT_ID)), 'utf8').toString('base64'),
    );
  });

  const terraformIt = hasTool('terraform') ? it : it.skip;
  terraformIt('evaluates in Terraform itself to the base64 of the text with the token resolved (skipped without terraform)', () => {
    // GIVEN the synthesized stack as a Terraform configuration
    const build = (clientId: string) => `${TRICKY}${renderLoginUserData(twoLogins(clientId))}`;
    const { json } = synthesize(build);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'main.tf.json'), json);
    // WHEN
    const result = spawnSync('terraform', ['console', `-var=clientId=${CLIENT_ID}`], {
      cwd: dir,
      input: 'local.custom_data\n',
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' },
    });
    // THEN
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toBe(Buffer.from(build(CLIENT_ID), 'utf8').toString('base64'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('estimatedBytes', () => {
  it('counts UTF-8 bytes of literal text', () => {
    expect(estimatedBytes('\u00e4bc')).toBe(4);
  });

  it('counts each token as 64 bytes', () => {
    // GIVEN
    const stack = new TerraformStack(Testing.app(), 'stack');
    const token = new TerraformVariable(stack, 'clientId', { type: 'string' }).stringValue;
    // WHEN
    const bytes = estimatedBytes(`ab${token}c${token}`);
    // THEN
    expect(TOKEN_SIZE_ESTIMATE_BYTES).toBe(64);
    expect(bytes).toBe(3 + 2 * 64);
  });

  it('keeps the cloud-config well inside Azure\'s 64 KiB', () => {
    const text = renderCloudConfig({ adminUsername: ADMIN });
    expect(estimatedBytes(text)).toBe(Buffer.byteLength(text));
    expect(estimatedBytes(text)).toBeLessThan(CUSTOM_DATA_LIMIT_BYTES / 4);
  });
});

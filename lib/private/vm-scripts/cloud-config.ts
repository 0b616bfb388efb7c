// Deprecated: the cloud-config before the bootstrap; only lib/docker-vm.ts uses it, until it moves to ./bootstrap.
import { Token } from 'cdktf';
import type * as Yaml from 'yaml';
import { AZURE_CLI_INSTALL_SCRIPT } from './azure-cli-install-script';
import { LOGIN_SCRIPT } from './login-script';
import { LINUX_USERNAME } from '../azure-names';
import { RegistryLogin } from './user-data';

export interface CloudConfigOptions {
  /** The VM's admin user: joins the `docker` group and runs the registry login. Literal. */
  readonly adminUsername: string;
  /**
   * Retry budget of one login run, seconds (role assignments take 1-10 min to propagate).
   * @default 1800
   */
  readonly loginTimeoutSeconds?: number;
}

export const LOGIN_SCRIPT_PATH = '/usr/local/bin/acr-login';
export const AZURE_CLI_INSTALL_SCRIPT_PATH = '/usr/local/sbin/install-azure-cli';
const LOGIN_SERVICE = 'acr-login.service';
const LOGIN_TIMER = 'acr-login.timer';
const DEFAULT_LOGIN_TIMEOUT_SECONDS = 1800;
/** The ACR refresh token `az acr login` stores lasts about 3 hours: log in again well before it lapses. */
const REFRESH_INTERVAL_MINUTES = 120;
/** Added to the run's retry budget in the service's start timeout: the last attempt may still be pulling. */
const PULL_ALLOWANCE_SECONDS = 900;

/** yaml is loaded on first use: importing the library, or a stack without a VM, need not pay for it. */
let yaml: typeof Yaml | undefined;
function loadYaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, measured by npm run bench
  return (yaml ??= require('yaml') as typeof Yaml);
}

/** What registry names, host names, GUIDs and image references are made of; the login script checks the same. */
const SAFE_ARGUMENT = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

/**
 * The cloud-config (`custom_data`): Docker, a current Azure CLI, the admin user in the `docker` group, and the
 * registry login script with its service, run at first boot and refreshed by a systemd timer. It holds no
 * registry login: those are the VM's user data ({@link renderLoginUserData}), which Azure updates in place,
 * while a change to `custom_data` replaces the VM. The service is installed even before any login, so the
 * first `pullImages` does not change it either.
 */
export function renderCloudConfig(options: CloudConfigOptions): string {
  checkOptions(options);
  const timeoutSeconds = options.loginTimeoutSeconds ?? DEFAULT_LOGIN_TIMEOUT_SECONDS;
  const writeFiles = [
    file(AZURE_CLI_INSTALL_SCRIPT_PATH, '0755', AZURE_CLI_INSTALL_SCRIPT),
    file(LOGIN_SCRIPT_PATH, '0755', LOGIN_SCRIPT),
    file(`/etc/systemd/system/${LOGIN_SERVICE}`, '0644', loginService(options.adminUsername, timeoutSeconds)),
    file(`/etc/systemd/system/${LOGIN_TIMER}`, '0644', loginTimer()),
  ];

  // runcmd runs in cloud-init's final stage, after `packages` are installed: the docker group exists by then.
  const runcmd: string[][] = [
    ['usermod', '-aG', 'docker', options.adminUsername],
    [AZURE_CLI_INSTALL_SCRIPT_PATH],
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', LOGIN_TIMER],
    // --no-block: the login may retry for many minutes; cloud-init must not wait for it.
    ['systemctl', 'start', '--no-block', LOGIN_SERVICE],
  ];

  const config = {
    package_update: true,
    packages: ['ca-certificates', 'curl', 'gnupg', 'lsb-release', 'docker.io'],
    write_files: writeFiles,
    runcmd,
  };
  // cloud-init reads YAML 1.1 (PyYAML): emit 1.1 so strings such as `on` or `no` stay quoted strings.
  // Literal blocks keep file contents verbatim.
  return '#cloud-config\n' + loadYaml().stringify(config, { version: '1.1', lineWidth: 0, blockQuote: 'literal' });
}

/**
 * The VM's user data (`user_data`): its registry logins, one per line, as `acr-login --from-user-data` reads
 * them from the Instance Metadata Service on every run. Values may be cdktf tokens (resolved at apply).
 * Empty when there is no login.
 */
export function renderLoginUserData(logins: RegistryLogin[]): string {
  checkLogins(logins);
  if (logins.length === 0) return '';
  const lines = logins.map((login) => [
    `registry=${login.registryName}`,
    `login_server=${login.loginServer}`,
    `client_id=${login.clientId ?? ''}`,
    `images=${login.images.join(',')}`,
  ].join(' '));
  return [`# Registry logins of this VM, read by ${LOGIN_SCRIPT_PATH} --from-user-data`, ...lines, ''].join('\n');
}

function file(path: string, permissions: string, content: string) {
  return { path, owner: 'root:root', permissions, content };
}

function loginService(adminUsername: string, timeoutSeconds: number): string {
  return [
    '[Unit]',
    "Description=Log in to Azure Container Registry with the VM's managed identity and pull images",
    'Wants=network-online.target docker.service',
    'After=network-online.target docker.service',
    '',
    '[Service]',
    'Type=oneshot',
    // The admin user: `az acr login` writes its ~/.docker/config.json, so its own `docker pull` works.
    // The script keeps its Azure CLI profile apart (~/.azure-acr-login): the admin's own `az login` stays.
    `User=${adminUsername}`,
    `Environment=ACR_LOGIN_TIMEOUT_SECONDS=${timeoutSeconds}`,
    // One run does every login, one after another (one `az login` must not race another on the script's
    // profile), within one budget.
    `TimeoutStartSec=${timeoutSeconds + PULL_ALLOWANCE_SECONDS}`,
    `ExecStart=${LOGIN_SCRIPT_PATH} --from-user-data`,
    '',
  ].join('\n');
}

function loginTimer(): string {
  return [
    '[Unit]',
    `Description=Refresh the Azure Container Registry login every ${REFRESH_INTERVAL_MINUTES} minutes (ACR tokens last about 3 hours)`,
    '',
    '[Timer]',
    'OnBootSec=2min',
    `OnUnitActiveSec=${REFRESH_INTERVAL_MINUTES}min`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

/** Programming errors of the caller (the construct validates user input with a friendlier message). */
function checkOptions(options: CloudConfigOptions): void {
  const problems: string[] = [];
  if (!LINUX_USERNAME.test(options.adminUsername)) {
    problems.push(`adminUsername '${options.adminUsername}' is not a Linux user name (${LINUX_USERNAME})`);
  }
  const timeout = options.loginTimeoutSeconds;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
    problems.push(`loginTimeoutSeconds ${timeout} is not a positive whole number of seconds`);
  }
  if (problems.length > 0) {
    throw new Error(`renderCloudConfig: ${problems.join('; ')}`);
  }
}

/** Literal values must be what the script accepts: no space, `=` or `,`, which separate the fields. */
function checkLogins(logins: RegistryLogin[]): void {
  const problems: string[] = [];
  logins.forEach((login, i) => {
    const values: Array<[string, string | undefined]> = [
      ['registryName', login.registryName],
      ['loginServer', login.loginServer],
      ['clientId', login.clientId],
      ...login.images.map((image, j): [string, string] => [`images[${j}]`, image]),
    ];
    for (const [name, value] of values) {
      if (value === undefined || Token.isUnresolved(value)) continue;
      if (!SAFE_ARGUMENT.test(value)) {
        problems.push(`logins[${i}].${name} '${value}' has characters other than letters, digits and . _ : @ / -`);
      }
    }
  });
  if (problems.length > 0) {
    throw new Error(`renderLoginUserData: ${problems.join('; ')}`);
  }
}

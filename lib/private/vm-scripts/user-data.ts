import { Token } from 'cdktf';
import { vmAsset } from './assets';
import { RegistryLoginMethod } from '../../registry-login-method';
import { LINUX_USERNAME } from '../azure-names';

/** How the payload logs in to a registry: the value of a {@link RegistryLoginMethod}, as `login_method` has it. */
export type LoginMethod = `${RegistryLoginMethod}`;

/** Every login method, in the enum's order. */
export const LOGIN_METHODS: readonly LoginMethod[] = Object.values(RegistryLoginMethod);

/** One registry a machine logs in to with its managed identity, and the images it pulls from it. */
export interface RegistryLogin {
  /** The registry's name (what `az acr login --name` takes). May be a cdktf token. */
  readonly registryName: string;
  /** e.g. myregistry.azurecr.io. May be a token. */
  readonly loginServer: string;
  /** Image references relative to the login server, e.g. 'aci-helloworld:v1' or 'repo@sha256:...'. Literal. */
  readonly images: string[];
  /** Client ID of the user-assigned identity to log in with; undefined = the system-assigned identity. May be a token. */
  readonly clientId?: string;
}

/** The settings of a machine's logins, the same for all of them. */
export interface LoginSettings {
  /** The admin user: joins the `docker` group; the logins and pulls run as this user. May be a token. */
  readonly adminUsername: string;
  /**
   * Retry budget of one run (installs and logins), seconds: role assignments take 1-10 min to propagate.
   * @default 1800
   */
  readonly loginTimeoutSeconds?: number;
  /** @default 'token-exchange' */
  readonly loginMethod?: LoginMethod;
}

/** The first line of user data of bootstrap format 1. */
export const USER_DATA_MAGIC = '#acr-login-user-data 1';
/** The line after which the payload script follows. */
export const PAYLOAD_MARKER = '#acr-login-payload';
export const DEFAULT_LOGIN_TIMEOUT_SECONDS = 1800;
export const MIN_LOGIN_TIMEOUT_SECONDS = 900;
/** The payload caps a larger budget (a run must end well before the timer's next one). */
export const MAX_LOGIN_TIMEOUT_SECONDS = 7200;
/** The payload bounds each step that can hang by this (`step_timeout_seconds`): a run ends by its budget plus one step. */
export const STEP_TIMEOUT_SECONDS = 1800;

/** What registry names, host names, GUIDs and image references are made of; the payload checks the same. */
const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

/**
 * The head of a machine's user data (docs/bootstrap.md, format 1): the magic line, the settings, one line per
 * login, and the `#acr-login-payload` line. The user data is this head followed by {@link loginPayload}.
 * Values may be cdktf tokens (resolved at apply), except images.
 */
export function renderUserDataHead(settings: LoginSettings, logins: RegistryLogin[]): string {
  checkSettings(settings);
  checkLogins(logins);
  const lines = [
    USER_DATA_MAGIC,
    '# Settings and registry logins of this machine, read by acr-login on every run; the payload follows.',
    `admin_user=${settings.adminUsername}`,
    `login_timeout_seconds=${settings.loginTimeoutSeconds ?? DEFAULT_LOGIN_TIMEOUT_SECONDS}`,
    `login_method=${settings.loginMethod ?? 'token-exchange'}`,
    ...logins.map((login) => [
      'login',
      `registry=${login.registryName}`,
      `login_server=${login.loginServer}`,
      `client_id=${login.clientId ?? ''}`,
      `images=${login.images.join(',')}`,
    ].join(' ')),
    PAYLOAD_MARKER,
  ];
  return lines.map((line) => `${line}\n`).join('');
}

/** The payload script (`vm/acr-login.sh`): the same for every machine of one library version. */
export function loginPayload(): string {
  return vmAsset('acr-login.sh');
}

/** Programming errors of the caller (the constructs validate user input with friendlier messages). */
function checkSettings(settings: LoginSettings): void {
  const problems: string[] = [];
  const { adminUsername, loginTimeoutSeconds: timeout, loginMethod } = settings;
  if (!Token.isUnresolved(adminUsername) && !LINUX_USERNAME.test(adminUsername)) {
    problems.push(`adminUsername '${adminUsername}' is not a Linux user name (${LINUX_USERNAME})`);
  }
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= MIN_LOGIN_TIMEOUT_SECONDS && timeout <= MAX_LOGIN_TIMEOUT_SECONDS)) {
    problems.push(`loginTimeoutSeconds ${timeout} is not a whole number of seconds from ${MIN_LOGIN_TIMEOUT_SECONDS} to ${MAX_LOGIN_TIMEOUT_SECONDS}`);
  }
  if (loginMethod !== undefined && !LOGIN_METHODS.includes(loginMethod)) {
    problems.push(`loginMethod '${loginMethod}' is not one of ${LOGIN_METHODS.join(', ')}`);
  }
  if (problems.length > 0) throw new Error(`renderUserDataHead: ${problems.join('; ')}`);
}

/** Literal values must be what the payload accepts: no space, `=` or `,`, which separate the fields. */
function checkLogins(logins: RegistryLogin[]): void {
  const problems: string[] = [];
  logins.forEach((login, i) => {
    const values: Array<[string, string | undefined]> = [
      ['registryName', login.registryName],
      ['loginServer', login.loginServer],
      ['clientId', login.clientId],
    ];
    for (const [name, value] of values) {
      if (value === undefined || Token.isUnresolved(value)) continue;
      if (!SAFE_VALUE.test(value)) problems.push(`logins[${i}].${name} '${value}' has characters other than letters, digits and . _ : @ / -`);
    }
    login.images.forEach((image, j) => {
      if (Token.isUnresolved(image)) problems.push(`logins[${i}].images[${j}] is a token: images are named at synth`);
      else if (!SAFE_VALUE.test(image)) problems.push(`logins[${i}].images[${j}] '${image}' has characters other than letters, digits and . _ : @ / -`);
    });
  });
  if (problems.length > 0) throw new Error(`renderUserDataHead: ${problems.join('; ')}`);
}

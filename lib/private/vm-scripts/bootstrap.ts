import type * as Yaml from 'yaml';
import { VmAsset, vmAsset } from './assets';

/**
 * The bootstrap's format (docs/bootstrap.md). The bootstrap is `custom_data`, which azurerm cannot change on a
 * running VM: its text changes only with a new format, in a major release, and that replaces the VM.
 */
export const BOOTSTRAP_FORMAT = 1;

/** A file of the bootstrap: where it goes on the machine, its mode, and its source in `vm/`. */
export interface BootstrapFile {
  readonly path: string;
  readonly permissions: string;
  readonly asset: VmAsset;
}

export const BOOTSTRAP_PATH = '/usr/local/sbin/acr-bootstrap';

/** What cloud-init and the VM extension both write; one list, so the two cannot drift apart. */
export const BOOTSTRAP_FILES: readonly BootstrapFile[] = [
  { path: BOOTSTRAP_PATH, permissions: '0755', asset: 'acr-bootstrap.sh' },
  { path: '/etc/systemd/system/acr-login.service', permissions: '0644', asset: 'acr-login.service' },
  { path: '/etc/systemd/system/acr-login.timer', permissions: '0644', asset: 'acr-login.timer' },
];

/** Run once the files are in place: enables the timer, runs the first login and waits for it. */
export const BOOTSTRAP_ACTIVATE: readonly string[] = [BOOTSTRAP_PATH, 'activate'];

/** yaml is loaded on first use: importing the library, or a stack without a VM, need not pay for it. */
let yaml: typeof Yaml | undefined;
function loadYaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, measured by npm run bench
  return (yaml ??= require('yaml') as typeof Yaml);
}

let cloudConfig: string | undefined;

/**
 * The bootstrap as a cloud-config, for `custom_data`: writes {@link BOOTSTRAP_FILES} and runs
 * {@link BOOTSTRAP_ACTIVATE} in cloud-init's final stage, which waits for the first login, so
 * `cloud-init status` reports an error when it failed. It names no user, registry or identity: the same
 * text for every machine of every stack and every library release of bootstrap format 1.
 */
export function bootstrapCloudConfig(): string {
  if (cloudConfig === undefined) {
    const config = {
      write_files: BOOTSTRAP_FILES.map((file) => ({
        path: file.path, owner: 'root:root', permissions: file.permissions, content: vmAsset(file.asset),
      })),
      runcmd: [[...BOOTSTRAP_ACTIVATE]],
    };
    // cloud-init reads YAML 1.1 (PyYAML): emit 1.1 so strings such as `on` or `no` stay quoted strings.
    // Literal blocks keep file contents verbatim.
    cloudConfig = '#cloud-config\n' + loadYaml().stringify(config, { version: '1.1', lineWidth: 0, blockQuote: 'literal' });
  }
  return cloudConfig;
}

const PLACEHOLDER = '#@BOOTSTRAP@\n';
const HEREDOC_END = 'ACR_BOOTSTRAP_FILE';

/**
 * The bootstrap as a bash script that installs it on a running machine (a VM extension): `vm/install-bootstrap.sh`
 * with {@link BOOTSTRAP_FILES} embedded (base64, so no file content can end its here-document), ending in
 * {@link BOOTSTRAP_ACTIVATE}. The caller writes the user data to `/etc/acr-login/user-data` first.
 */
export function bootstrapInstallScript(): string {
  const template = vmAsset('install-bootstrap.sh');
  if (template.split(PLACEHOLDER).length !== 2) throw new Error(`vm/install-bootstrap.sh must hold the line '${PLACEHOLDER.trim()}' once`);
  const lines = BOOTSTRAP_FILES.flatMap((file) => [
    `install_file ${file.path} ${file.permissions} <<'${HEREDOC_END}'`,
    ...(Buffer.from(vmAsset(file.asset), 'utf8').toString('base64').match(/.{1,76}/g) ?? []),
    HEREDOC_END,
  ]);
  // The files go under $root in tests, so does the command.
  const [command, ...args] = BOOTSTRAP_ACTIVATE;
  lines.push(`exec "$root${command}" ${args.join(' ')}`);
  return template.replace(PLACEHOLDER, lines.map((line) => `${line}\n`).join(''));
}

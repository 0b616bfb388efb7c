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

/** The bootstrap's cloud-config in `vm/`, rendered from {@link BOOTSTRAP_FILES} by `npm run render:bootstrap`. */
export const BOOTSTRAP_CLOUD_CONFIG = 'acr-bootstrap.cloud-config.yaml';

/**
 * The bootstrap as a cloud-config, for `custom_data`: writes {@link BOOTSTRAP_FILES} and runs
 * {@link BOOTSTRAP_ACTIVATE} in cloud-init's final stage, which waits for the first login, so
 * `cloud-init status` reports an error when it failed. It names no user, registry or identity: the same
 * text for every machine of every stack and every library release of bootstrap format 1.
 *
 * The file in `vm/` as it is: scripts/render-bootstrap.ts renders it from the files with yaml, and a test
 * fails when it is stale. Rendering it here would load yaml in every process that synthesizes a machine.
 */
export function bootstrapCloudConfig(): string {
  return vmAsset(BOOTSTRAP_CLOUD_CONFIG);
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

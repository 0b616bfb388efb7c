import { readFileSync } from 'fs';
import { join } from 'path';

/**
 * The on-VM files, shipped in the package's `vm/` folder: real scripts and units a reader can open, test and
 * run. Read at render time relative to this module, which sits three levels below the package root both as
 * source (lib/private/vm-scripts) and compiled (dist/private/vm-scripts).
 */
export const VM_ASSET_DIR = join(__dirname, '..', '..', '..', 'vm');

/** The names of the files in `vm/`. */
export type VmAsset =
  | 'acr-bootstrap.sh' | 'acr-login.service' | 'acr-login.timer' | 'acr-bootstrap.cloud-config.yaml' | 'acr-login.sh' | 'install-bootstrap.sh';

const cache = new Map<VmAsset, string>();

/** The text of a file of `vm/`, read once per process. */
export function vmAsset(name: VmAsset): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(VM_ASSET_DIR, name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

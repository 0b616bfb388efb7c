// Renders the bootstrap's cloud-config, vm/acr-bootstrap.cloud-config.yaml, from its sources: the files of
// BOOTSTRAP_FILES (in vm/) and BOOTSTRAP_ACTIVATE (lib/private/vm-scripts/bootstrap.ts). The package ships the
// rendered file and the library reads it as it is: rendering it at synth loaded yaml in every process
// (about 20 ms, measured by npm run bench). __tests__/vm-scripts.test.ts fails when the shipped file is stale.
//   npm run render:bootstrap   rewrites vm/acr-bootstrap.cloud-config.yaml
import { writeFileSync } from 'fs';
import { join } from 'path';
import { stringify } from 'yaml';
import { VM_ASSET_DIR, vmAsset } from '../lib/private/vm-scripts/assets';
import { BOOTSTRAP_ACTIVATE, BOOTSTRAP_CLOUD_CONFIG, BOOTSTRAP_FILES } from '../lib/private/vm-scripts/bootstrap';

/** The command that rewrites the shipped cloud-config. */
export const RENDER_BOOTSTRAP_COMMAND = 'npm run render:bootstrap';

/**
 * The bootstrap as a cloud-config: writes {@link BOOTSTRAP_FILES} and runs {@link BOOTSTRAP_ACTIVATE} in
 * cloud-init's final stage.
 */
export function renderBootstrapCloudConfig(): string {
  const config = {
    write_files: BOOTSTRAP_FILES.map((file) => ({
      path: file.path, owner: 'root:root', permissions: file.permissions, content: vmAsset(file.asset),
    })),
    runcmd: [[...BOOTSTRAP_ACTIVATE]],
  };
  // cloud-init reads YAML 1.1 (PyYAML): emit 1.1 so strings such as `on` or `no` stay quoted strings.
  // Literal blocks keep file contents verbatim.
  return '#cloud-config\n' + stringify(config, { version: '1.1', lineWidth: 0, blockQuote: 'literal' });
}

if (require.main === module) {
  const file = join(VM_ASSET_DIR, BOOTSTRAP_CLOUD_CONFIG);
  writeFileSync(file, renderBootstrapCloudConfig());
  console.log(`render-bootstrap: wrote ${file}`);
}

// Child: both example stacks through the library, synthesized to $BENCH_OUTDIR.
import { App } from 'cdktf';
import { readExampleConfig } from '../../examples/config';
import { SystemAssignedIdentityExample } from '../../examples/system-assigned/stack';
import { UserAssignedIdentityExample } from '../../examples/user-assigned/stack';
import { env, now, report, SSH_PUBLIC_KEY } from '../support/child';

const loaded = now();
const app = new App({ outdir: env('BENCH_OUTDIR') });
const config = readExampleConfig(app, { ACR_DEMO_SSH_PUBLIC_KEY: SSH_PUBLIC_KEY });
new UserAssignedIdentityExample(app, 'acr-pull-user-assigned', config);
new SystemAssignedIdentityExample(app, 'acr-pull-system-assigned', config);
const built = now();
app.synth();
const synthesized = now();
report({ loadMs: loaded, constructMs: built - loaded, synthMs: synthesized - built });

// Child: one stack with $BENCH_HOSTS hosts of the tutorial through the library, on the construct defaults: each
// host has its own network (VNet, subnet, NSG, NAT gateway) and registry login, even hosts a user-assigned identity
// with an AcrPull grant (Example 1), odd hosts their own system-assigned identity with the grant (Example 2).
// $BENCH_KIND: `vm` (DockerVirtualMachine) or `vmss` (DockerVirtualMachineScaleSet, 2 instances each).
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ContainerRegistry, DockerVirtualMachine, DockerVirtualMachineScaleSet, UserAssignedIdentity } from '../../lib';
import { env, now, report, SSH_PUBLIC_KEY } from '../support/child';

const hosts = Number(env('BENCH_HOSTS'));
const Machine = env('BENCH_KIND') === 'vmss' ? DockerVirtualMachineScaleSet : DockerVirtualMachine;
const location = 'eastus';
const resourceGroupName = 'fleet-rg';

const loaded = now();
const app = new App({ outdir: env('BENCH_OUTDIR') });
const stack = new TerraformStack(app, 'fleet');
new AzurermProvider(stack, 'Azurerm', { features: [{}] });
const registry = new ContainerRegistry(stack, 'Registry', { name: 'fleetregistry', resourceGroupName, location });

for (let i = 0; i < hosts; i++) {
  const identity = i % 2 === 0
    ? new UserAssignedIdentity(stack, `Id${i}`, { name: `fleet-id-${i}`, resourceGroupName, location })
    : undefined;
  const host = new Machine(stack, `Host${i}`, {
    name: `fleet-${i}`, resourceGroupName, location, sshPublicKey: SSH_PUBLIC_KEY,
    userAssignedIdentities: identity ? [identity] : undefined,
  });
  registry.grantPull(identity ?? host);
  host.pullImages(registry, ['aci-helloworld:v1']);
}
const built = now();
app.synth();
const synthesized = now();
report({ loadMs: loaded, constructMs: built - loaded, synthMs: synthesized - built });

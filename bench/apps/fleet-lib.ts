// Child: one stack with $BENCH_VMS Docker VMs through the library, each with its own user-assigned
// identity, an AcrPull grant on a shared registry and an image to pull; the VMs share one subnet,
// as a fleet would.
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { ContainerRegistry, DockerVirtualMachine, UserAssignedIdentity } from '../../lib';
import { env, now, report, SSH_PUBLIC_KEY } from '../support/child';

const count = Number(env('BENCH_VMS'));
const location = 'eastus';

const loaded = now();
const app = new App({ outdir: env('BENCH_OUTDIR') });
const stack = new TerraformStack(app, 'fleet');
new AzurermProvider(stack, 'Azurerm', { features: [{}] });
const rg = new ResourceGroup(stack, 'ResourceGroup', { name: 'fleet-rg', location });
const vnet = new VirtualNetwork(stack, 'Vnet', { name: 'fleet-vnet', resourceGroupName: rg.name, location, addressSpace: ['10.0.0.0/16'] });
const subnet = new Subnet(stack, 'Subnet', { name: 'fleet-subnet', resourceGroupName: rg.name, virtualNetworkName: vnet.name, addressPrefixes: ['10.0.0.0/20'] });
const registry = new ContainerRegistry(stack, 'Registry', { name: 'fleetregistry', resourceGroupName: rg.name, location });

for (let i = 0; i < count; i++) {
  const identity = new UserAssignedIdentity(stack, `Id${i}`, { name: `fleet-id-${i}`, resourceGroupName: rg.name, location });
  const vm = new DockerVirtualMachine(stack, `Vm${i}`, {
    name: `fleet-vm-${i}`,
    resourceGroupName: rg.name,
    location,
    sshPublicKey: SSH_PUBLIC_KEY,
    subnetId: subnet.id,
    userAssignedIdentities: [identity],
  });
  registry.grantPull(identity);
  vm.pullImages(registry, ['aci-helloworld:v1'], { identity });
}
const built = now();
app.synth();
const synthesized = now();
report({ loadMs: loaded, constructMs: built - loaded, synthMs: synthesized - built });

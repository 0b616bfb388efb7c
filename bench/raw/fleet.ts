// Child: the floor of the fleet: the same resources as bench/apps/fleet-lib.ts by hand with the
// provider's classes. Custom data: the library's user-assigned example's, with this VM's identity.
import { readFileSync } from 'fs';
import { App, Fn, TerraformStack } from 'cdktf';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { NetworkInterfaceSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/network-interface-security-group-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { env, now, report, SSH_PUBLIC_KEY } from '../support/child';
import type { VmData } from '../support/terraform-json';

const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const count = Number(env('BENCH_VMS'));
const location = 'eastus';
const vmData: VmData = JSON.parse(readFileSync(env('BENCH_CUSTOM_DATA'), 'utf8'))['acr-pull-user-assigned'];

const loaded = now();
const app = new App({ outdir: env('BENCH_OUTDIR') });
const stack = new TerraformStack(app, 'fleet');
new AzurermProvider(stack, 'Azurerm', { features: [{}] });
const rg = new ResourceGroup(stack, 'ResourceGroup', { name: 'fleet-rg', location });
const common = { resourceGroupName: rg.name, location };
const vnet = new VirtualNetwork(stack, 'Vnet', { ...common, name: 'fleet-vnet', addressSpace: ['10.0.0.0/16'] });
const subnet = new Subnet(stack, 'Subnet', { name: 'fleet-subnet', resourceGroupName: rg.name, virtualNetworkName: vnet.name, addressPrefixes: ['10.0.0.0/20'] });
const registry = new ContainerRegistry(stack, 'Registry', {
  ...common, name: 'fleetregistry', sku: 'Basic', adminEnabled: false, anonymousPullEnabled: false, publicNetworkAccessEnabled: true,
});
const roleDefinitionId = `/subscriptions/${Fn.element(Fn.split('/', registry.id), 2)}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`;

for (let i = 0; i < count; i++) {
  const name = `fleet-vm-${i}`;
  const identity = new UserAssignedIdentity(stack, `Id${i}`, { ...common, name: `fleet-id-${i}` });
  const nsg = new NetworkSecurityGroup(stack, `Vm${i}Nsg`, { ...common, name: `${name}NSG` });
  const nic = new NetworkInterface(stack, `Vm${i}Nic`, {
    ...common,
    name: `${name}VMNic`,
    ipForwardingEnabled: false,
    ipConfiguration: [{ name: 'ipconfig1', subnetId: subnet.id, privateIpAddressAllocation: 'Dynamic' }],
  });
  const nicNsg = new NetworkInterfaceSecurityGroupAssociation(stack, `Vm${i}NicNsg`, { networkInterfaceId: nic.id, networkSecurityGroupId: nsg.id });
  new LinuxVirtualMachine(stack, `Vm${i}`, {
    ...common,
    name,
    size: 'Standard_D2s_v5',
    adminUsername: 'azureuser',
    adminSshKey: [{ username: 'azureuser', publicKey: SSH_PUBLIC_KEY }],
    disablePasswordAuthentication: true,
    allowExtensionOperations: false,
    networkInterfaceIds: [nic.id],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' },
    sourceImageReference: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' },
    secureBootEnabled: true,
    vtpmEnabled: true,
    identity: { type: 'UserAssigned', identityIds: [identity.id] },
    customData: vmData.customData,
    userData: vmData.userData.split('azurerm_user_assigned_identity.AcrIdentity.').join(`azurerm_user_assigned_identity.Id${i}.`),
    dependsOn: [nicNsg],
  });
  new RoleAssignment(stack, `AcrPull-Id${i}`, {
    name: Fn.uuidv5('url', `${registry.id}|${identity.principalId}|${ACR_PULL}`),
    scope: registry.id,
    principalId: identity.principalId,
    principalType: 'ServicePrincipal',
    skipServicePrincipalAadCheck: true,
    roleDefinitionId,
  });
}
const built = now();
app.synth();
const synthesized = now();
report({ loadMs: loaded, constructMs: built - loaded, synthMs: synthesized - built });

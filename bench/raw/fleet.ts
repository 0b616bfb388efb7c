// Child: the floor of the fleet: the same stack as bench/apps/fleet-lib.ts written by hand with the provider's
// classes, in the same construct tree (so the same Terraform addresses and metadata), producing byte-identical
// JSON. The locals and each variant's user data are the library's, copied from its 2-host fleet
// ($BENCH_FLEET_DATA), with host 0's identity renamed for each user-assigned host.
import { readFileSync } from 'fs';
import { App, Fn, TerraformLocal, TerraformStack } from 'cdktf';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { NetworkInterfaceSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/network-interface-security-group-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { env, now, report, SSH_PUBLIC_KEY } from '../support/child';
import type { FleetData } from '../support/terraform-json';

const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const hosts = Number(env('BENCH_HOSTS'));
const scaleSets = env('BENCH_KIND') === 'vmss';
const data: FleetData = JSON.parse(readFileSync(env('BENCH_FLEET_DATA'), 'utf8'));
const location = 'eastus';
const resourceGroupName = 'fleet-rg';
const common = { resourceGroupName, location };
const image = { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' };

const loaded = now();
const app = new App({ outdir: env('BENCH_OUTDIR') });
const stack = new TerraformStack(app, 'fleet');
new AzurermProvider(stack, 'Azurerm', { features: [{}] });
const registryScope = new Construct(stack, 'Registry');
const registry = new ContainerRegistry(registryScope, 'Default', {
  ...common, name: 'fleetregistry', sku: 'Basic', adminEnabled: false, anonymousPullEnabled: false, publicNetworkAccessEnabled: true,
  networkRuleBypassOption: 'AzureServices',
});
const roleDefinitionId = `/subscriptions/${Fn.element(Fn.split('/', registry.id), 2)}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`;
let bootstrap: TerraformLocal | undefined;

for (let i = 0; i < hosts; i++) {
  const name = `fleet-${i}`;
  const identity = i % 2 === 0 ? new UserAssignedIdentity(new Construct(stack, `Id${i}`), 'Default', { ...common, name: `fleet-id-${i}` }) : undefined;
  const host = new Construct(stack, `Host${i}`);
  const nsg = new NetworkSecurityGroup(host, 'Nsg', { ...common, name: `${name}NSG` });
  new NetworkSecurityRule(host, 'DenySsh', {
    name: 'DenySshFromOtherSources', resourceGroupName, networkSecurityGroupName: nsg.name, priority: 4096, direction: 'Inbound',
    access: 'Deny', protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: '22', sourceAddressPrefix: '*', destinationAddressPrefix: '*',
  });
  const vnet = new VirtualNetwork(host, 'Vnet', { ...common, name: `${name}VNET`, addressSpace: ['10.0.0.0/16'] });
  const subnet = new Subnet(host, 'Subnet', {
    name: `${name}Subnet`, resourceGroupName, virtualNetworkName: vnet.name, addressPrefixes: ['10.0.0.0/24'], defaultOutboundAccessEnabled: false,
  });
  const subnetNsg = new SubnetNetworkSecurityGroupAssociation(host, 'SubnetNsg', { subnetId: subnet.id, networkSecurityGroupId: nsg.id });
  // The outbound path of a machine without a public IP: a NAT gateway with its own address on the subnet.
  const natGateway = new NatGateway(host, 'NatGateway', { ...common, name: `${name}NATGW`, skuName: 'Standard' });
  const natIp = new PublicIp(host, 'NatGatewayIp', { ...common, name: `${name}NATIP`, sku: 'Standard', allocationMethod: 'Static' });
  const natIpAssociation = new NatGatewayPublicIpAssociation(host, 'NatGatewayIpAssociation', { natGatewayId: natGateway.id, publicIpAddressId: natIp.id });
  const subnetNat = new SubnetNatGatewayAssociation(host, 'SubnetNatGateway', { subnetId: subnet.id, natGatewayId: natGateway.id });
  const identityBlock = identity ? { type: 'UserAssigned', identityIds: [identity.id] } : { type: 'SystemAssigned' };
  const machine = {
    ...common, name, adminUsername: 'azureuser', adminSshKey: [{ username: 'azureuser', publicKey: SSH_PUBLIC_KEY }],
    disablePasswordAuthentication: true, osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' },
    sourceImageReference: image, secureBootEnabled: true, vtpmEnabled: true, identity: identityBlock,
  };
  let principalId: string;
  if (scaleSets) {
    const vmss = new LinuxVirtualMachineScaleSet(host, 'Default', {
      ...machine, sku: 'Standard_D2s_v5', instances: 2, upgradeMode: 'Manual', extensionOperationsEnabled: false,
      networkInterface: [{
        name: `${name}Nic`, primary: true, enableIpForwarding: false, networkSecurityGroupId: nsg.id,
        ipConfiguration: [{ name: 'ipconfig1', primary: true, subnetId: subnet.id }],
      }],
      dependsOn: [subnetNsg, natIpAssociation, subnetNat],
    });
    principalId = vmss.identity.principalId;
    vmss.userData = userDataOf(i);
    vmss.customData = bootstrap!.asString;
  } else {
    const nic = new NetworkInterface(host, 'Nic', {
      ...common, name: `${name}VMNic`, ipForwardingEnabled: false,
      ipConfiguration: [{ name: 'ipconfig1', subnetId: subnet.id, privateIpAddressAllocation: 'Dynamic' }],
    });
    const nicNsg = new NetworkInterfaceSecurityGroupAssociation(host, 'NicNsg', { networkInterfaceId: nic.id, networkSecurityGroupId: nsg.id });
    const vm = new LinuxVirtualMachine(host, 'Default', {
      ...machine, size: 'Standard_D2s_v5', allowExtensionOperations: false, networkInterfaceIds: [nic.id],
      dependsOn: [nicNsg, natIpAssociation, subnetNat],
    });
    principalId = vm.identity.principalId;
    vm.userData = userDataOf(i);
    vm.customData = bootstrap!.asString;
  }
  if (identity) principalId = identity.principalId;
  new RoleAssignment(registryScope, identity ? `AcrPull-Id${i}` : `AcrPull-Host${i}`, {
    name: Fn.uuidv5('url', `${registry.id}|${principalId}|${ACR_PULL}`),
    scope: registry.id, principalId, principalType: 'ServicePrincipal', skipServicePrincipalAadCheck: true, roleDefinitionId,
  });
}

/** The library's user data of this host's variant (the locals are made with the first host, as the library does). */
function userDataOf(i: number): string {
  if (!bootstrap) {
    new TerraformLocal(stack, 'AcrLoginPayload', data.locals.AcrLoginPayload);
    bootstrap = new TerraformLocal(stack, 'AcrLoginBootstrap', data.locals.AcrLoginBootstrap);
  }
  return i % 2 === 0 ? data.userAssigned.split('azurerm_user_assigned_identity.Id0.').join(`azurerm_user_assigned_identity.Id${i}.`) : data.systemAssigned;
}

const built = now();
app.synth();
const synthesized = now();
report({ loadMs: loaded, constructMs: built - loaded, synthMs: synthesized - built });

// The same consumer stack as consumer/with-library.ts, written with the provider's classes (deep
// imports) and no library: the type-check floor. Same resource types and counts.
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { NetworkInterfaceSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/network-interface-security-group-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';

/** A cloud-config that installs Docker and logs in with the identity (abridged: the type-check does not read it). */
function cloudConfig(clientId: string, registryName: string, image: string): string {
  return [
    '#cloud-config',
    'packages: [docker.io]',
    'runcmd:',
    `  - az login --identity --client-id ${clientId} && az acr login --name ${registryName} && docker pull ${image}`,
  ].join('\n');
}

export class PlatformStack extends TerraformStack {
  constructor(scope: Construct, id: string, sshPublicKey: string) {
    super(scope, id);
    new AzurermProvider(this, 'Azurerm', { features: [{}] });
    const location = 'eastus';
    const rg = new ResourceGroup(this, 'ResourceGroup', { name: 'platform-rg', location });
    const common = { resourceGroupName: rg.name, location };

    const registry = new ContainerRegistry(this, 'Registry', { ...common, name: 'platformregistry', sku: 'Basic', adminEnabled: false });
    const identity = new UserAssignedIdentity(this, 'Identity', { ...common, name: 'platform-id' });
    const nsg = new NetworkSecurityGroup(this, 'Nsg', { ...common, name: 'platform-vmNSG' });
    new NetworkSecurityRule(this, 'AllowSsh', {
      name: 'AllowSsh',
      resourceGroupName: rg.name,
      networkSecurityGroupName: nsg.name,
      priority: 1000,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      sourcePortRange: '*',
      destinationPortRange: '22',
      destinationAddressPrefix: '*',
      sourceAddressPrefix: '203.0.113.4/32',
    });
    const vnet = new VirtualNetwork(this, 'Vnet', { ...common, name: 'platform-vmVNET', addressSpace: ['10.0.0.0/16'] });
    const subnet = new Subnet(this, 'Subnet', {
      name: 'platform-vmSubnet', resourceGroupName: rg.name, virtualNetworkName: vnet.name, addressPrefixes: ['10.0.0.0/24'],
    });
    new SubnetNetworkSecurityGroupAssociation(this, 'SubnetNsg', { subnetId: subnet.id, networkSecurityGroupId: nsg.id });
    const publicIp = new PublicIp(this, 'PublicIp', { ...common, name: 'platform-vmPublicIP', sku: 'Standard', allocationMethod: 'Static' });
    const nic = new NetworkInterface(this, 'Nic', {
      ...common,
      name: 'platform-vmVMNic',
      ipConfiguration: [{ name: 'ipconfig1', subnetId: subnet.id, privateIpAddressAllocation: 'Dynamic', publicIpAddressId: publicIp.id }],
    });
    const nicNsg = new NetworkInterfaceSecurityGroupAssociation(this, 'NicNsg', { networkInterfaceId: nic.id, networkSecurityGroupId: nsg.id });
    new LinuxVirtualMachine(this, 'Vm', {
      ...common,
      name: 'platform-vm',
      size: 'Standard_D2s_v5',
      adminUsername: 'azureuser',
      adminSshKey: [{ username: 'azureuser', publicKey: sshPublicKey }],
      disablePasswordAuthentication: true,
      networkInterfaceIds: [nic.id],
      osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' },
      sourceImageReference: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' },
      identity: { type: 'UserAssigned', identityIds: [identity.id] },
      customData: Fn.base64encode(cloudConfig(identity.clientId, registry.name, `${registry.loginServer}/aci-helloworld:v1`)),
      dependsOn: [nicNsg],
    });
    new RoleAssignment(this, 'AcrPull', {
      scope: registry.id,
      principalId: identity.principalId,
      principalType: 'ServicePrincipal',
      roleDefinitionName: 'AcrPull',
    });

    new TerraformOutput(this, 'public_ip_address', { value: publicIp.ipAddress });
    new TerraformOutput(this, 'login_server', { value: registry.loginServer });
  }
}

const app = new App();
new PlatformStack(app, 'platform', process.env.SSH_PUBLIC_KEY ?? '');
app.synth();

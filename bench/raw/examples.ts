// Child: the floor of the example apps. The same resources as both example stacks, written by hand
// with the provider's classes (deep imports) and no library: what a team would otherwise maintain.
// The VM's custom data, user data and the stack's locals are the library's, precomputed by bench/run.ts into
// $BENCH_CUSTOM_DATA.
import { readFileSync } from 'fs';
import { App, Fn, TerraformLocal, TerraformOutput, TerraformStack } from 'cdktf';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { LinuxVirtualMachine, LinuxVirtualMachineIdentity } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
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
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { Construct } from 'constructs';
import { env, now, report, SSH_PUBLIC_KEY } from '../support/child';
import type { VmData } from '../support/terraform-json';

const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const LOCATION = 'eastus';
const IMAGE = 'aci-helloworld:v1';

/** The precomputed custom data of each stack's VM, by stack id. */
const vmData: Record<string, VmData> = JSON.parse(readFileSync(env('BENCH_CUSTOM_DATA'), 'utf8'));

/** Resource group, registry, sample image import and a Docker VM; `identity` picks the variant. */
class RawTutorialStack extends TerraformStack {
  constructor(scope: Construct, id: string, userAssigned: boolean) {
    super(scope, id);
    new AzurermProvider(this, 'Azurerm', { features: [{}] });
    new NullProvider(this, 'Null');
    const rg = new ResourceGroup(this, 'ResourceGroup', { name: 'myResourceGroup', location: LOCATION });
    const common = { resourceGroupName: rg.name, location: LOCATION };

    const client = new DataAzurermClientConfig(this, 'Client', {});
    const registryGroup = new Construct(this, 'Registry');
    const registry = new ContainerRegistry(registryGroup, 'Default', {
      ...common,
      name: `myContainerRegistry${Fn.substr(Fn.sha1(client.subscriptionId), 0, 8)}`,
      sku: 'Basic',
      adminEnabled: false,
      anonymousPullEnabled: false,
      publicNetworkAccessEnabled: true,
      networkRuleBypassOption: 'AzureServices',
    });
    new NullResource(this, 'SampleImage', {
      triggers: { registry_id: registry.id },
      provisioners: [{
        type: 'local-exec',
        command: `az acr import --subscription ${Fn.element(Fn.split('/', registry.id), 2)} --resource-group ${Fn.element(Fn.split('/', registry.id), 4)} --name ${registry.name} --source mcr.microsoft.com/azuredocs/aci-helloworld:v1 --image ${IMAGE} --force`,
      }],
    });

    const identity = userAssigned
      ? new UserAssignedIdentity(new Construct(this, 'AcrIdentity'), 'Default', { ...common, name: 'myACRId' })
      : undefined;

    const vmGroup = new Construct(this, 'DockerVm');
    const nsg = new NetworkSecurityGroup(vmGroup, 'Nsg', { ...common, name: 'myDockerVMNSG' });
    new NetworkSecurityRule(vmGroup, 'DenySsh', {
      name: 'DenySshFromOtherSources', resourceGroupName: rg.name, networkSecurityGroupName: nsg.name, priority: 4096,
      direction: 'Inbound', access: 'Deny', protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: '22',
      sourceAddressPrefix: '*', destinationAddressPrefix: '*',
    });
    const vnet = new VirtualNetwork(vmGroup, 'Vnet', { ...common, name: 'myDockerVMVNET', addressSpace: ['10.0.0.0/16'] });
    const subnet = new Subnet(vmGroup, 'Subnet', {
      name: 'myDockerVMSubnet',
      resourceGroupName: rg.name,
      virtualNetworkName: vnet.name,
      addressPrefixes: ['10.0.0.0/24'],
      defaultOutboundAccessEnabled: false,
    });
    new SubnetNetworkSecurityGroupAssociation(vmGroup, 'SubnetNsg', { subnetId: subnet.id, networkSecurityGroupId: nsg.id });
    const publicIp = new PublicIp(vmGroup, 'PublicIp', { ...common, name: 'myDockerVMPublicIP', sku: 'Standard', allocationMethod: 'Static' });
    const nic = new NetworkInterface(vmGroup, 'Nic', {
      ...common,
      name: 'myDockerVMVMNic',
      ipForwardingEnabled: false,
      ipConfiguration: [{ name: 'ipconfig1', subnetId: subnet.id, privateIpAddressAllocation: 'Dynamic', publicIpAddressId: publicIp.id }],
    });
    const nicNsg = new NetworkInterfaceSecurityGroupAssociation(vmGroup, 'NicNsg', { networkInterfaceId: nic.id, networkSecurityGroupId: nsg.id });
    const vmIdentity: LinuxVirtualMachineIdentity = identity ? { type: 'UserAssigned', identityIds: [identity.id] } : { type: 'SystemAssigned' };
    const vm = new LinuxVirtualMachine(vmGroup, 'Default', {
      ...common,
      name: 'myDockerVM',
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
      identity: vmIdentity,
      customData: vmData[id].customData,
      userData: vmData[id].userData,
      dependsOn: [nicNsg],
    });
    // The stack's bootstrap and payload, as the library's login makes them after the VM.
    for (const [name, value] of Object.entries(vmData[id].locals)) new TerraformLocal(this, name, value);

    const principalId = identity ? identity.principalId : vm.identity.principalId;
    new RoleAssignment(registryGroup, userAssigned ? 'AcrPull-AcrIdentity' : 'AcrPull-DockerVm', {
      name: Fn.uuidv5('url', `${registry.id}|${principalId}|${ACR_PULL}`),
      scope: registry.id,
      principalId,
      principalType: 'ServicePrincipal',
      skipServicePrincipalAadCheck: true,
      roleDefinitionId: `/subscriptions/${Fn.element(Fn.split('/', registry.id), 2)}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
    });

    if (identity) {
      new TerraformOutput(this, 'identity_id', { value: identity.id });
      new TerraformOutput(this, 'identity_principal_id', { value: identity.principalId });
      new TerraformOutput(this, 'identity_client_id', { value: identity.clientId });
    } else {
      new TerraformOutput(this, 'vm_principal_id', { value: vm.identity.principalId });
    }
    new TerraformOutput(this, 'public_ip_address', { value: publicIp.ipAddress });
    new TerraformOutput(this, 'ssh_command', { value: `ssh azureuser@${publicIp.ipAddress}` });
    new TerraformOutput(this, 'registry_login_server', { value: registry.loginServer });
    new TerraformOutput(this, 'verify_commands', {
      description: 'Run these on the VM to repeat the tutorial\'s login and pull by hand',
      value: [
        identity ? `az login --identity --client-id ${identity.clientId} --allow-no-subscriptions` : 'az login --identity --allow-no-subscriptions',
        `az acr login --name ${registry.name}`,
        `docker pull ${registry.loginServer}/${IMAGE}`,
        'systemctl status acr-login.service',
      ],
    });
  }
}

const loaded = now();
const app = new App({ outdir: env('BENCH_OUTDIR') });
new RawTutorialStack(app, 'acr-pull-user-assigned', true);
new RawTutorialStack(app, 'acr-pull-system-assigned', false);
const built = now();
app.synth();
const synthesized = now();
report({ loadMs: loaded, constructMs: built - loaded, synthMs: synthesized - built });

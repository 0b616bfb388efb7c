/**
 * Boot test targets beyond the examples (BOOT_STACKS=boot-targets): the other machines the library logs in on,
 * synthesized with the library as a team would write them, then booted by the same harness from their exact data.
 * - `Fleet`: a DockerVirtualMachineScaleSet (Uniform), its system-assigned identity; one instance is booted.
 * - `RawVm`: a provider LinuxVirtualMachine with the team's own cloud-config, given a ContainerRegistryLogin: its
 *   custom_data is a cloud-init multipart archive of theirs and the bootstrap; both must run.
 * - `ExistingVmLogin`: ContainerRegistryLogin.onExistingVirtualMachine, a VM Terraform does not manage: the
 *   CustomScript extension's script, run as the Azure agent runs it, installs the login on a booted machine.
 * ACR_DEMO_SSH_PUBLIC_KEY and ACR_DEMO_IMAGE are read as by the examples.
 */
import { App, TerraformStack } from 'cdktf';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Construct } from 'constructs';
import { EXISTING_VM, TEAM_CLOUD_CONFIG_MARKER } from './names';
import { ContainerRegistry, ContainerRegistryLogin, DockerVirtualMachineScaleSet, UserAssignedIdentity } from '../../lib';

class BootTargetsStack extends TerraformStack {
  constructor(scope: Construct, id: string, sshPublicKey: string, image: string) {
    super(scope, id);
    new AzurermProvider(this, 'Azurerm', { features: [{}] });
    const location = 'eastus';
    const resourceGroupName = 'bootTargets';
    const registry = new ContainerRegistry(this, 'Registry', { name: 'bootTargetsRegistry', resourceGroupName, location });

    const fleet = new DockerVirtualMachineScaleSet(this, 'Fleet', {
      name: 'bootfleet', resourceGroupName, location, sshPublicKey, instances: 1,
    });
    registry.grantPull(fleet);
    fleet.pullImages(registry, [image]);

    const identity = new UserAssignedIdentity(this, 'RawVmIdentity', { name: 'rawVmIdentity', resourceGroupName, location });
    const rawVm = new LinuxVirtualMachine(this, 'RawVm', {
      name: 'rawvm', resourceGroupName, location, size: 'Standard_D2s_v5', adminUsername: 'azureuser',
      adminSshKey: [{ username: 'azureuser', publicKey: sshPublicKey }],
      networkInterfaceIds: [`/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${resourceGroupName}/providers/Microsoft.Network/networkInterfaces/rawvm-nic`],
      osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' },
      sourceImageReference: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' },
      identity: { type: 'UserAssigned', identityIds: [identity.identityId] },
      customData: Buffer.from([
        '#cloud-config',
        'write_files:',
        '  - path: /etc/team-app.conf',
        '    content: "written by the team\'s own cloud-config\\n"',
        'runcmd:',
        `  - [touch, ${TEAM_CLOUD_CONFIG_MARKER}]`,
        '',
      ].join('\n')).toString('base64'),
    });
    registry.grantPull(identity);
    new ContainerRegistryLogin(this, 'RawVmLogin', { target: rawVm }).pullImages(registry, [image], { identity });

    const existingIdentity = new UserAssignedIdentity(this, EXISTING_VM.identity, { name: 'existingVmIdentity', resourceGroupName, location });
    registry.grantPull(existingIdentity);
    ContainerRegistryLogin.onExistingVirtualMachine(this, 'ExistingVmLogin', {
      virtualMachineId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${resourceGroupName}/providers/Microsoft.Compute/virtualMachines/${EXISTING_VM.name}`,
      adminUsername: EXISTING_VM.adminUsername,
      identity: existingIdentity,
    }).pullImages(registry, [image]);
  }
}

const app = new App();
const sshPublicKey = process.env.ACR_DEMO_SSH_PUBLIC_KEY;
if (!sshPublicKey) throw new Error('ACR_DEMO_SSH_PUBLIC_KEY is not set');
new BootTargetsStack(app, 'boot-targets', sshPublicKey, process.env.ACR_DEMO_IMAGE ?? 'aci-helloworld:v1');
app.synth();

import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AzureSecurityChecks, DockerVirtualMachine } from '../../lib';
import { ExampleConfig } from '../config';
import { PUBLIC_IP_SUPPRESSION, TutorialStack } from '../tutorial';

/**
 * Example 2 of the tutorial: the VM pulls with its own system-assigned identity.
 */
export class SystemAssignedIdentityExample extends TutorialStack {
  constructor(scope: Construct, id: string, config: ExampleConfig) {
    super(scope, id, config);

    // az vm create ... and az vm identity assign (system-assigned)
    const vm = new DockerVirtualMachine(this, 'DockerVm', {
      name: config.vmName,
      resourceGroupName: this.resourceGroupName,
      location: config.location,
      adminUsername: config.adminUsername,
      sshPublicKey: config.sshPublicKey,
      sshSourceAddressPrefixes: config.sshSourceAddressPrefixes,
      associatePublicIpAddress: true,
      systemAssignedIdentity: true,
    });
    AzureSecurityChecks.suppress(vm, [PUBLIC_IP_SUPPRESSION]);
    this.connectPrivately(vm);

    // spID=$(az vm show --query identity.principalId); az role assignment create --assignee $spID --role acrpull
    this.grantImagePull(vm);

    // On the VM: az login --identity; az acr login; docker pull
    vm.pullImages(this.registry, [config.image]);

    new TerraformOutput(this, 'vm_principal_id', { value: vm.principalId });
    this.addVerificationOutputs(vm, 'az login --identity --allow-no-subscriptions');
  }
}

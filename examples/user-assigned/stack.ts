import { TerraformOutput } from 'cdktf';
import { Construct } from 'constructs';
import { AzureSecurityChecks, DockerVirtualMachine, UserAssignedIdentity } from '../../lib';
import { ExampleConfig } from '../config';
import { PUBLIC_IP_SUPPRESSION, TutorialStack } from '../tutorial';

/**
 * Example 1 of the tutorial: the VM pulls with a user-assigned identity.
 */
export class UserAssignedIdentityExample extends TutorialStack {
  constructor(scope: Construct, id: string, config: ExampleConfig) {
    super(scope, id, config);

    // az identity create --resource-group myResourceGroup --name myACRId
    const identity = new UserAssignedIdentity(this, 'AcrIdentity', {
      name: config.identityName,
      resourceGroupName: this.resourceGroupName,
      location: config.location,
    });

    // az vm create ... --image Ubuntu2204 --admin-username azureuser, Docker and the Azure CLI installed,
    // and az vm identity assign --identities $userID
    const vm = new DockerVirtualMachine(this, 'DockerVm', {
      name: config.vmName,
      resourceGroupName: this.resourceGroupName,
      location: config.location,
      adminUsername: config.adminUsername,
      sshPublicKey: config.sshPublicKey,
      sshSourceAddressPrefixes: config.sshSourceAddressPrefixes,
      associatePublicIpAddress: true,
      userAssignedIdentities: [identity],
    });
    AzureSecurityChecks.suppress(vm, [PUBLIC_IP_SUPPRESSION]);
    this.connectPrivately(vm);

    // az role assignment create --assignee $spID --scope $resourceID --role acrpull
    this.grantImagePull(identity);

    // On the VM: az login --identity --client-id <clientId>; az acr login; docker pull
    vm.pullImages(this.registry, [config.image], { identity });

    new TerraformOutput(this, 'identity_id', { value: identity.identityId });
    new TerraformOutput(this, 'identity_principal_id', { value: identity.principalId });
    new TerraformOutput(this, 'identity_client_id', { value: identity.clientId });
    this.addVerificationOutputs(vm, `az login --identity --client-id ${identity.clientId} --allow-no-subscriptions`);
  }
}

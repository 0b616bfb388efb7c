// A small consumer stack written with the library, type-checked by bench/run.ts (`tsc --noEmit`)
// against consumer/with-raw-classes.ts. In the repo it resolves `../../lib` to the source; in the
// benchmark's temp dir to the library's declarations, as a consumer of the package sees them.
import { App, TerraformOutput, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Construct } from 'constructs';
import { ContainerRegistry, DockerVirtualMachine, UserAssignedIdentity } from '../../lib';

export class PlatformStack extends TerraformStack {
  constructor(scope: Construct, id: string, sshPublicKey: string) {
    super(scope, id);
    new AzurermProvider(this, 'Azurerm', { features: [{}] });
    const location = 'eastus';
    const rg = new ResourceGroup(this, 'ResourceGroup', { name: 'platform-rg', location });

    const registry = new ContainerRegistry(this, 'Registry', { name: 'platformregistry', resourceGroupName: rg.name, location });
    const identity = new UserAssignedIdentity(this, 'Identity', { name: 'platform-id', resourceGroupName: rg.name, location });
    const vm = new DockerVirtualMachine(this, 'Vm', {
      name: 'platform-vm',
      resourceGroupName: rg.name,
      location,
      sshPublicKey,
      associatePublicIpAddress: true,
      sshSourceAddressPrefixes: ['203.0.113.4/32'],
      userAssignedIdentities: [identity],
    });
    registry.grantPull(identity);
    vm.pullImages(registry, ['aci-helloworld:v1'], { identity });

    new TerraformOutput(this, 'public_ip_address', { value: vm.publicIpAddress });
    new TerraformOutput(this, 'login_server', { value: registry.loginServer });
  }
}

const app = new App();
new PlatformStack(app, 'platform', process.env.SSH_PUBLIC_KEY ?? '');
app.synth();

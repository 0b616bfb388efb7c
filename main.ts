import { App } from 'cdktf';
import { AKS_PRIVATE_REGISTRY_REFUSAL, AksExample } from './examples/aks/stack';
import { readExampleConfig } from './examples/config';
import { SystemAssignedIdentityExample } from './examples/system-assigned/stack';
import { UserAssignedIdentityExample } from './examples/user-assigned/stack';

const app = new App();
const config = readExampleConfig(app);
new UserAssignedIdentityExample(app, 'acr-pull-user-assigned', config);
new SystemAssignedIdentityExample(app, 'acr-pull-system-assigned', config);
if (config.privateRegistry) {
  // Leave the AKS stack out rather than fail the whole app: the VM stacks are the private variant.
  console.warn(`acr-pull-aks left out. ${AKS_PRIVATE_REGISTRY_REFUSAL}`);
} else {
  new AksExample(app, 'acr-pull-aks', config);
}
app.synth();

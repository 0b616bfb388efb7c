import { App } from 'cdktf';
import { AksExample } from './examples/aks/stack';
import { readExampleConfig } from './examples/config';
import { SystemAssignedIdentityExample } from './examples/system-assigned/stack';
import { UserAssignedIdentityExample } from './examples/user-assigned/stack';

const app = new App();
const config = readExampleConfig(app);
new UserAssignedIdentityExample(app, 'acr-pull-user-assigned', config);
new SystemAssignedIdentityExample(app, 'acr-pull-system-assigned', config);
new AksExample(app, 'acr-pull-aks', config);
app.synth();

import { App } from 'cdktf';
import { readExampleConfig } from './examples/config';
import { SystemAssignedIdentityExample } from './examples/system-assigned/stack';
import { UserAssignedIdentityExample } from './examples/user-assigned/stack';

const app = new App();
const config = readExampleConfig(app);
new UserAssignedIdentityExample(app, 'acr-pull-user-assigned', config);
new SystemAssignedIdentityExample(app, 'acr-pull-system-assigned', config);
app.synth();

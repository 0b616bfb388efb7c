import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { UserAssignedIdentity } from '../lib/identity';
import { ContainerRegistry } from '../lib/registry';
import { IAppServiceResource, RegistryPull } from '../lib/registry-consumers';
import { synthApp, twoStacks } from './support/app-synth';
import { newIdentity, newRegistry, newStack, RG, SUBSCRIPTION } from './support/docker-vm-stacks';
import { validationErrorOf } from './support/errors';
import { containerApp, containerGroup, functionApp, Identity, webApp } from './support/raw-resources';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const OTHER_IDENTITY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other`;
const IDENTITY = '${azurerm_user_assigned_identity.AppIdentity.id}';
const LOGIN_SERVER = '${azurerm_container_registry.Registry.login_server}';

function synth(stack: TerraformStack): { text: string; json: any } {
  const text = Testing.synth(stack, true);
  return { text, json: JSON.parse(text) };
}

/** The one role assignment of the stack, and its address. */
function onlyRoleAssignment(json: any): { address: string; body: any } {
  const entries = Object.entries<any>(json.resource.azurerm_role_assignment ?? {});
  expect(entries).toHaveLength(1);
  return { address: `azurerm_role_assignment.${entries[0][0]}`, body: entries[0][1] };
}

function scenario(): { stack: TerraformStack; registry: ContainerRegistry; identity: UserAssignedIdentity } {
  const stack = newStack();
  return { stack, registry: newRegistry(stack), identity: newIdentity(stack, 'AppIdentity', 'myAppId') };
}

describe.each<[string, string, (scope: TerraformStack, identity?: Identity, id?: string) => IAppServiceResource]>([
  ['LinuxWebApp', 'azurerm_linux_web_app', (s, i, id = 'App') => webApp(s, id, i)],
  ['LinuxFunctionApp', 'azurerm_linux_function_app', (s, i, id = 'App') => functionApp(s, id, i)],
])('RegistryPull.configureAppService with a %s', (_name, type, makeApp) => {
  test('with a user-assigned identity: the site_config settings, the identity block, AcrPull, and the app after its role assignment', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    const app = makeApp(stack);
    // WHEN
    const grant = RegistryPull.configureAppService(app, registry, { identity });
    // THEN
    const { text, json } = synth(stack);
    const body = json.resource[type].App;
    expect(body.site_config).toMatchObject({
      container_registry_use_managed_identity: true,
      container_registry_managed_identity_client_id: '${azurerm_user_assigned_identity.AppIdentity.client_id}',
    });
    expect(body.site_config.application_stack).toBeDefined(); // the image stays the app's own
    expect(body.identity).toEqual({ type: 'UserAssigned', identity_ids: [IDENTITY] });
    const assignment = onlyRoleAssignment(json);
    expect(assignment.body).toMatchObject({
      principal_id: '${azurerm_user_assigned_identity.AppIdentity.principal_id}', scope: '${azurerm_container_registry.Registry.id}',
    });
    expect(assignment.body.role_definition_id).toMatch(new RegExp(`/roleDefinitions/${ACR_PULL}$`));
    expect(body.depends_on).toEqual([assignment.address]);
    expect(grant.roleAssignment.node.path).toBe('Test/Registry/AcrPull-AppIdentity');
    expectValidTerraform(text);
  });

  test('without an identity: the app\'s system-assigned identity, no client ID, and no depends_on (the principal comes after the app)', () => {
    // GIVEN
    const { stack, registry } = scenario();
    const app = makeApp(stack);
    // WHEN
    RegistryPull.configureAppService(app, registry);
    // THEN
    const { text, json } = synth(stack);
    const body = json.resource[type].App;
    expect(body.site_config.container_registry_use_managed_identity).toBe(true);
    expect(body.site_config).not.toHaveProperty('container_registry_managed_identity_client_id');
    expect(body.identity).toEqual({ type: 'SystemAssigned' });
    expect(onlyRoleAssignment(json).body.principal_id).toBe(`\${${type}.App.identity[0].principal_id}`);
    expect(body.depends_on).toBeUndefined();
    expectValidTerraform(text);
  });

  test('keeps the app\'s own identities: a system-assigned one becomes "SystemAssigned, UserAssigned"', () => {
    const { stack, registry, identity } = scenario();
    const app = makeApp(stack, { type: 'SystemAssigned' });
    RegistryPull.configureAppService(app, registry, { identity });
    expect(synth(stack).json.resource[type].App.identity).toEqual({ type: 'SystemAssigned, UserAssigned', identity_ids: [IDENTITY] });
  });

  test('keeps the app\'s other user-assigned identities', () => {
    const { stack, registry, identity } = scenario();
    const app = makeApp(stack, { type: 'UserAssigned', identityIds: [OTHER_IDENTITY_ID] });
    RegistryPull.configureAppService(app, registry, { identity });
    expect(synth(stack).json.resource[type].App.identity).toEqual({ type: 'UserAssigned', identity_ids: [OTHER_IDENTITY_ID, IDENTITY] });
  });

  test('adds to identity IDs known only at apply with Terraform\'s concat', () => {
    const { stack, registry, identity } = scenario();
    const ids = new TerraformVariable(stack, 'identity_ids', { type: 'list(string)' }).listValue;
    const app = makeApp(stack, { type: 'UserAssigned', identityIds: ids });
    RegistryPull.configureAppService(app, registry, { identity });
    expect(synth(stack).json.resource[type].App.identity).toEqual({
      type: 'UserAssigned', identity_ids: `\${distinct(concat(var.identity_ids, [${IDENTITY.slice(2, -1)}]))}`,
    });
  });

  test('configured twice, or from two registries with the same identity: one assignment per registry, each ordered once', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    const other = newRegistry(stack, 'Other');
    const app = makeApp(stack);
    // WHEN
    RegistryPull.configureAppService(app, registry, { identity });
    RegistryPull.configureAppService(app, registry, { identity });
    RegistryPull.configureAppService(app, other, { identity });
    // THEN
    const { json } = synth(stack);
    const addresses = Object.keys(json.resource.azurerm_role_assignment).map((k) => `azurerm_role_assignment.${k}`);
    expect(addresses).toHaveLength(2);
    expect(json.resource[type].App.depends_on.sort()).toEqual(addresses.sort());
    expect(json.resource[type].App.identity.identity_ids).toEqual([IDENTITY]);
  });

  test('refuses an app already set to pull with another client ID; the same client ID set by hand passes', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    const app = makeApp(stack);
    app.siteConfig.containerRegistryManagedIdentityClientId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    // WHEN
    const error = validationErrorOf(() => RegistryPull.configureAppService(app, registry, { identity }));
    // THEN
    expect(error.message).toBe("RegistryPull.configureAppService at 'Test/App' has invalid input:\n"
      + '  - siteConfig.containerRegistryManagedIdentityClientId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" is set to another identity\'s '
      + "client ID than 'Test/AppIdentity', and an App Service app pulls every image with one identity. "
      + 'Fix: pull every registry with the same user-assigned identity, or remove the client ID set by hand');
    expect(synth(stack).json.resource.azurerm_role_assignment).toBeUndefined();
    const same = makeApp(stack, undefined, 'Same');
    same.siteConfig.containerRegistryManagedIdentityClientId = identity.clientId;
    expect(() => RegistryPull.configureAppService(same, registry, { identity })).not.toThrow();
  });

  test('refuses a system-assigned pull on an app set to a client ID', () => {
    const { stack, registry } = scenario();
    const app = makeApp(stack);
    app.siteConfig.containerRegistryManagedIdentityClientId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
    const error = validationErrorOf(() => RegistryPull.configureAppService(app, registry));
    expect(error.problems[0].message).toBe('is set to another identity\'s client ID than the system-assigned identity (none), '
      + 'and an App Service app pulls every image with one identity');
  });

  test('refuses an identity type known only at apply, which cannot be extended; a literal type passes', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    const type = new TerraformVariable(stack, 'identity_type', { type: 'string' }).stringValue;
    const app = makeApp(stack, { type });
    // WHEN
    const error = validationErrorOf(() => RegistryPull.configureAppService(app, registry, { identity }));
    // THEN
    expect(error.message).toBe("RegistryPull.configureAppService at 'Test/App' has invalid input:\n"
      + `  - identity.type: ${JSON.stringify(type)} is a token (known only at apply), so the user-assigned identity `
      + 'cannot be added to it. Fix: give the app a literal identity type ("SystemAssigned", "UserAssigned" or "SystemAssigned, UserAssigned")');
    expect(() => RegistryPull.configureAppService(makeApp(stack, { type: 'SystemAssigned' }, 'Literal'), registry, { identity })).not.toThrow();
  });
});

describe('RegistryPull.configureContainerApp', () => {
  test('with a user-assigned identity: a registry block appended to the app\'s others, the identity block, and the app after its role assignment', () => {
    // GIVEN a container app that already pulls from another registry with a username
    const { stack, registry, identity } = scenario();
    const app = containerApp(stack, 'App');
    app.putRegistry([{ server: 'ghcr.io', username: 'team', passwordSecretName: 'ghcr-token' }]);
    // WHEN
    RegistryPull.configureContainerApp(app, registry, { identity });
    // THEN
    const { text, json } = synth(stack);
    const body = json.resource.azurerm_container_app.App;
    expect(body.registry).toEqual([
      { server: 'ghcr.io', username: 'team', password_secret_name: 'ghcr-token' },
      { server: LOGIN_SERVER, identity: IDENTITY },
    ]);
    expect(body.identity).toEqual({ type: 'UserAssigned', identity_ids: [IDENTITY] });
    const assignment = onlyRoleAssignment(json);
    expect(assignment.body.principal_id).toBe('${azurerm_user_assigned_identity.AppIdentity.principal_id}');
    expect(body.depends_on).toEqual([assignment.address]);
    expectValidTerraform(text);
  });

  test('without an identity: registry identity "system", the app\'s system-assigned identity, no depends_on', () => {
    const { stack, registry } = scenario();
    const app = containerApp(stack, 'App');
    RegistryPull.configureContainerApp(app, registry);
    const { text, json } = synth(stack);
    const body = json.resource.azurerm_container_app.App;
    expect(body.registry).toEqual([{ server: LOGIN_SERVER, identity: 'system' }]);
    expect(body.identity).toEqual({ type: 'SystemAssigned' });
    expect(onlyRoleAssignment(json).body.principal_id).toBe('${azurerm_container_app.App.identity[0].principal_id}');
    expect(body.depends_on).toBeUndefined();
    expectValidTerraform(text);
  });

  test('configured twice: one registry block, one role assignment', () => {
    const { stack, registry, identity } = scenario();
    const app = containerApp(stack, 'App');
    const first = RegistryPull.configureContainerApp(app, registry, { identity });
    expect(RegistryPull.configureContainerApp(app, registry, { identity })).toBe(first);
    const { json } = synth(stack);
    expect(json.resource.azurerm_container_app.App.registry).toHaveLength(1);
    expect(json.resource.azurerm_container_app.App.depends_on).toHaveLength(1);
  });

  test('refuses a registry block for the same server with other credentials; other servers\' blocks pass', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    const app = containerApp(stack, 'App');
    app.putRegistry([{ server: registry.loginServer, username: 'admin', passwordSecretName: 'acr-password' }]);
    // WHEN
    const error = validationErrorOf(() => RegistryPull.configureContainerApp(app, registry, { identity }));
    // THEN
    expect(error.message).toBe("RegistryPull.configureContainerApp at 'Test/App' has invalid input:\n"
      + `  - registry: {"server":"${registry.loginServer}","username":"admin","passwordSecretName":"acr-password"} already has a block for `
      + 'the registry\'s login server with other credentials (another identity, or a username). '
      + 'Fix: remove that registry block and let the library add the registry with the managed identity');
    expect(synth(stack).json.resource.azurerm_role_assignment).toBeUndefined();
    // AND the same app with another server's block is configured
    const other = containerApp(stack, 'Other');
    other.putRegistry([{ server: 'ghcr.io', username: 'admin', passwordSecretName: 'ghcr-token' }]);
    expect(() => RegistryPull.configureContainerApp(other, registry, { identity })).not.toThrow();
  });

  test('refuses registries known only at apply, which cannot be appended to', () => {
    const { stack, registry, identity } = scenario();
    const registries = new TerraformVariable(stack, 'registries', { type: 'list(any)' });
    const app = containerApp(stack, 'App');
    app.putRegistry(registries.value);
    const error = validationErrorOf(() => RegistryPull.configureContainerApp(app, registry, { identity }));
    expect(error.problems).toEqual([expect.objectContaining({ property: 'registry' })]);
    expect(error.problems[0].message).toBe('is a token (known only at apply), so the registry cannot be appended to it');
    expect(error.problems[0].fix).toBe('give registry as a list of blocks, or leave it out and let the library add the registry');
  });
});

describe('RegistryPull.configureContainerGroup', () => {
  test('an image_registry_credential with the user-assigned identity, the identity block, and the group after its role assignment', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    const group = containerGroup(stack, 'Group');
    // WHEN
    RegistryPull.configureContainerGroup(group, registry, identity);
    // THEN
    const { text, json } = synth(stack);
    const body = json.resource.azurerm_container_group.Group;
    expect(body.image_registry_credential).toEqual([{ server: LOGIN_SERVER, user_assigned_identity_id: IDENTITY }]);
    expect(body.identity).toEqual({ type: 'UserAssigned', identity_ids: [IDENTITY] });
    expect(body.depends_on).toEqual([onlyRoleAssignment(json).address]);
    expectValidTerraform(text);
  });

  test('refuses a call without a user-assigned identity (Container Instances cannot pull with a system-assigned one)', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    const group = containerGroup(stack, 'Group', { type: 'SystemAssigned' });
    // WHEN the compiler is bypassed, as plain JavaScript would
    // @ts-expect-error the identity is required
    const error = validationErrorOf(() => RegistryPull.configureContainerGroup(group, registry));
    // THEN
    expect(error.message).toBe("RegistryPull.configureContainerGroup at 'Test/Group' has invalid input:\n"
      + '  - identity: (not set) is required: Container Instances pull images only with a user-assigned identity, never with the '
      + 'group\'s system-assigned one. Fix: create a UserAssignedIdentity and pass it: RegistryPull.configureContainerGroup(group, registry, identity)');
    // AND with one, the group keeps its system-assigned identity beside it
    RegistryPull.configureContainerGroup(group, registry, identity);
    expect(synth(stack).json.resource.azurerm_container_group.Group.identity)
      .toEqual({ type: 'SystemAssigned, UserAssigned', identity_ids: [IDENTITY] });
  });

  test('refuses a credential for the same server with another identity', () => {
    const { stack, registry, identity } = scenario();
    const group = containerGroup(stack, 'Group');
    group.putImageRegistryCredential([{ server: registry.loginServer, userAssignedIdentityId: OTHER_IDENTITY_ID }]);
    const error = validationErrorOf(() => RegistryPull.configureContainerGroup(group, registry, identity));
    expect(error.problems.map((p) => [p.property, p.fix])).toEqual([[
      'imageRegistryCredential', 'remove that imageRegistryCredential block and let the library add the registry with the managed identity',
    ]]);
  });
});

describe('arguments left out by plain JavaScript', () => {
  test('a missing app or registry is named with the fix', () => {
    const { stack, registry } = scenario();
    expect(validationErrorOf(() => RegistryPull.configureContainerApp(undefined as never, registry)).message)
      .toBe("RegistryPull.configureContainerApp at '(none)' has invalid input:\n  - app: (not set) is required. Fix: pass the provider resource to configure");
    expect(validationErrorOf(() => RegistryPull.configureAppService(webApp(stack, 'Web'), undefined as never)).message)
      .toBe("RegistryPull.configureAppService at 'Test/Web' has invalid input:\n  - registry: (not set) is required. "
        + 'Fix: pass the registry to pull from (new ContainerRegistry, ContainerRegistry.fromLookup or fromRegistryAttributes)');
    expect(() => RegistryPull.configureAppService(webApp(stack, 'Other'), registry, undefined)).not.toThrow();
  });
});

describe('consumers of one registry with one identity', () => {
  test('a web app, a container app, a container group and a direct grant share one role assignment', () => {
    // GIVEN
    const { stack, registry, identity } = scenario();
    // WHEN
    const grants = [
      RegistryPull.configureAppService(webApp(stack, 'Web'), registry, { identity }),
      RegistryPull.configureContainerApp(containerApp(stack, 'Api'), registry, { identity }),
      RegistryPull.configureContainerGroup(containerGroup(stack, 'Job'), registry, identity),
      registry.grantPull(identity),
    ];
    // THEN
    expect(new Set(grants).size).toBe(1);
    const { text, json } = synth(stack);
    const { address } = onlyRoleAssignment(json);
    expect([
      json.resource.azurerm_linux_web_app.Web.depends_on,
      json.resource.azurerm_container_app.Api.depends_on,
      json.resource.azurerm_container_group.Job.depends_on,
    ]).toEqual([[address], [address], [address]]);
    expectValidTerraform(text);
  });

  test('an app in another stack than the registry and identity: that stack is deployed after the role assignment', () => {
    // GIVEN the registry and the identity in a shared stack, the app in a workload stack
    const { app, shared, workload } = twoStacks();
    const registry = newRegistry(shared);
    const identity = newIdentity(shared, 'AppIdentity', 'myAppId');
    const web = webApp(workload, 'Web');
    // WHEN
    const grant = RegistryPull.configureAppService(web, registry, { identity });
    // THEN
    expect(grant.roleAssignment.node.path).toBe('Shared/Registry/AcrPull-AppIdentity');
    const { json, dependencies } = synthApp(app);
    expect(json.Workload.resource.azurerm_linux_web_app.Web.depends_on).toBeUndefined();
    expect(dependencies).toEqual({ Shared: [], Workload: ['Shared'] });
  });
});

import { App, TerraformOutput, TerraformStack, TerraformVariable, Testing, Tokenization } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { UserAssignedIdentity as AzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { DockerVirtualMachine } from '../lib/docker-vm';
import { Grant } from '../lib/grant';
import { UserAssignedIdentity } from '../lib/identity';
import { IGrantable, IPrincipal, Principal, PrincipalType } from '../lib/principal';
import { ContainerRegistry, IContainerRegistry, RoleAssignmentMode } from '../lib/registry';
import { RegistryRole } from '../lib/registry-role';
import { crossStackReference, synthApp, twoStacks } from './support/app-synth';
import { validationErrorOf } from './support/errors';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const OTHER_SUBSCRIPTION = '00000000-0000-0000-0000-000000000002';
const REGISTRY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.ContainerRegistry/registries/myContainerRegistry`;
const IDENTITY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myACRId`;
const PRINCIPAL_ID = '11111111-2222-3333-4444-555555555555';
const CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const CUSTOM_GUID = '0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb';
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const ACR_PUSH = '8311e382-0749-4cb8-b61a-304f252e45ec';

/* eslint-disable @typescript-eslint/no-explicit-any */
function newStack(app: App = Testing.app(), id = 'TestStack'): TerraformStack {
  return new TerraformStack(app, id);
}

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

function roleAssignments(stack: TerraformStack): Record<string, any> {
  return synth(stack).resource?.azurerm_role_assignment ?? {};
}

function onlyRoleAssignment(stack: TerraformStack): { key: string; body: any } {
  const all = roleAssignments(stack);
  expect(Object.keys(all)).toHaveLength(1);
  const [key] = Object.keys(all);
  return { key, body: all[key] };
}

/** The scenario: a registry and a user-assigned identity made in the same stack. */
function scenario(stack: TerraformStack): { registry: ContainerRegistry; identity: UserAssignedIdentity } {
  const registry = new ContainerRegistry(stack, 'Registry', { name: 'myContainerRegistry', resourceGroupName: 'myResourceGroup', location: 'eastus' });
  const identity = new UserAssignedIdentity(stack, 'Identity', { name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus' });
  return { registry, identity };
}

function importedRegistry(scope: Construct, mode?: RoleAssignmentMode): IContainerRegistry {
  return ContainerRegistry.fromRegistryAttributes(scope, 'Registry', { registryId: REGISTRY_ID, roleAssignmentMode: mode });
}

function importedIdentity(scope: Construct): IGrantable {
  return UserAssignedIdentity.fromIdentityAttributes(scope, 'Identity', { identityId: IDENTITY_ID, principalId: PRINCIPAL_ID, clientId: CLIENT_ID });
}

describe('grantPull to a user-assigned identity', () => {
  test('assigns AcrPull to the principal ID (never the client ID) at the registry, as a ServicePrincipal', () => {
    // GIVEN
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    // WHEN
    registry.grantPull(identity);
    // THEN
    const json = synth(stack);
    const [registryKey] = Object.keys(json.resource.azurerm_container_registry);
    const [identityKey] = Object.keys(json.resource.azurerm_user_assigned_identity);
    const [assignment] = Object.values(json.resource.azurerm_role_assignment) as any[];
    expect(assignment.principal_id).toBe(`\${azurerm_user_assigned_identity.${identityKey}.principal_id}`);
    expect(JSON.stringify(assignment)).not.toContain('client_id');
    expect(assignment.scope).toBe(`\${azurerm_container_registry.${registryKey}.id}`);
    expect(assignment.principal_type).toBe('ServicePrincipal');
    expect(assignment.skip_service_principal_aad_check).toBe(true);
    expect(assignment).not.toHaveProperty('role_definition_name');
  });

  test('role_definition_id is under the registry\'s subscription, split from its token ID by Terraform', () => {
    // GIVEN
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    // WHEN
    registry.grantPull(identity);
    // THEN
    const { body } = onlyRoleAssignment(stack);
    const [registryKey] = Object.keys(synth(stack).resource.azurerm_container_registry);
    expect(body.role_definition_id).toBe(
      `/subscriptions/\${element(split("/", azurerm_container_registry.${registryKey}.id), 2)}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
    );
  });

  test('grants on one registry share its subscription expression (one token per registry and stack); each renders it whole', () => {
    // GIVEN two registries and two identities
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    const other = new UserAssignedIdentity(stack, 'Other', { name: 'otherId', resourceGroupName: 'myResourceGroup', location: 'eastus' });
    const second = new ContainerRegistry(stack, 'Second', { name: 'secondRegistry', resourceGroupName: 'myResourceGroup', location: 'eastus' });
    // WHEN three grants on the first registry, one on the second
    const grants = [registry.grantPull(identity), registry.grantPush(identity), registry.grantPull(other)];
    const onSecond = second.grantPull(identity);
    // THEN the first registry's grants hold one and the same subscription token, the second registry's another
    const subscriptionTokens = (grant: Grant) => Tokenization.reverseString(grant.roleAssignment.roleDefinitionIdInput!).tokens;
    const [shared] = subscriptionTokens(grants[0]);
    expect(grants.map(subscriptionTokens)).toEqual([[shared], [shared], [shared]]);
    expect(grants.every((grant) => subscriptionTokens(grant)[0] === shared)).toBe(true);
    expect(subscriptionTokens(onSecond)).toHaveLength(1);
    expect(subscriptionTokens(onSecond)[0]).not.toBe(shared);
    // AND every role assignment renders the split of its own registry's ID
    const [registryKey, secondKey] = Object.keys(synth(stack).resource.azurerm_container_registry);
    const definition = (key: string, guid: string) =>
      `/subscriptions/\${element(split("/", azurerm_container_registry.${key}.id), 2)}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    expect(Object.values<any>(roleAssignments(stack)).map((body) => body.role_definition_id).sort()).toEqual([
      definition(registryKey, ACR_PULL), definition(registryKey, ACR_PULL), definition(registryKey, ACR_PUSH), definition(secondKey, ACR_PULL),
    ].sort());
  });

  test('the name is a uuidv5 over scope, principal and role', () => {
    // GIVEN
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    // WHEN
    registry.grantPull(identity);
    // THEN
    const json = synth(stack);
    const [registryKey] = Object.keys(json.resource.azurerm_container_registry);
    const [identityKey] = Object.keys(json.resource.azurerm_user_assigned_identity);
    const { body } = onlyRoleAssignment(stack);
    expect(body.name).toBe(
      `\${uuidv5("url", "\${azurerm_container_registry.${registryKey}.id}|\${azurerm_user_assigned_identity.${identityKey}.principal_id}|${ACR_PULL}")}`,
    );
  });

  test('synthesizing the same app twice yields identical role assignments', () => {
    // GIVEN
    const build = (): string => {
      const stack = newStack();
      const { registry, identity } = scenario(stack);
      registry.grantPull(identity);
      registry.grantPush(identity);
      return JSON.stringify(roleAssignments(stack));
    };
    // WHEN
    const first = build();
    const second = build();
    // THEN
    expect(Object.keys(JSON.parse(first))).toHaveLength(2);
    expect(second).toBe(first);
  });

  test('the role assignment is the registry\'s child "<RoleName>-<grantee path>"', () => {
    // GIVEN
    const stack = newStack();
    const { registry } = scenario(stack);
    const nested = new UserAssignedIdentity(new Construct(stack, 'Workers'), 'Pool', { name: 'poolId', resourceGroupName: 'rg', location: 'eastus' });
    // WHEN
    const grant = registry.grantPull(nested);
    const signer = registry.grant(nested, RegistryRole.REPOSITORY_READER);
    // THEN
    expect(registry.node.findChild('AcrPull-Workers-Pool')).toBe(grant.roleAssignment);
    expect(registry.node.findChild('ContainerRegistryRepositoryReader-Workers-Pool')).toBe(signer.roleAssignment);
  });

  test('a grantee in another stack gets the role assignment as its child "<RoleName>-<registry stack>-<registry path>"', () => {
    // GIVEN
    const app = Testing.app();
    const identity = new UserAssignedIdentity(newStack(app, 'Identities'), 'Identity', { name: 'myACRId', resourceGroupName: 'rg', location: 'eastus' });
    const registry = importedRegistry(new Construct(newStack(app, 'Registries'), 'Shared'));
    // WHEN
    const grant = registry.grantPull(identity);
    // THEN
    expect(identity.node.findChild('AcrPull-Registries-Shared-Registry')).toBe(grant.roleAssignment);
    expect(registry.node.tryFindChild('AcrPull-Identities-Identity')).toBeUndefined();
  });
});

describe('Grant objects', () => {
  test('the same grant twice returns the same Grant and synthesizes one role assignment', () => {
    // GIVEN
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    // WHEN
    const first = registry.grantPull(identity);
    const second = registry.grantPull(identity);
    const third = registry.grant(identity, RegistryRole.ACR_PULL);
    const byGuid = registry.grant(identity, RegistryRole.fromRoleDefinitionId(ACR_PULL));
    const byName = registry.grant(identity, RegistryRole.fromRoleName('AcrPull'));
    // THEN
    expect([second, third, byGuid, byName]).toEqual([first, first, first, first]);
    expect(Object.keys(roleAssignments(stack))).toHaveLength(1);
  });

  test('different roles make different role assignments with different names', () => {
    // GIVEN
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    // WHEN
    const pull = registry.grantPull(identity);
    const push = registry.grantPush(identity);
    // THEN
    expect(push).not.toBe(pull);
    const bodies = Object.values(roleAssignments(stack));
    expect(bodies).toHaveLength(2);
    expect(new Set(bodies.map((b) => b.name)).size).toBe(2);
    expect(bodies.map((b) => b.role_definition_id.split('/').pop()).sort()).toEqual([ACR_PULL, ACR_PUSH].sort());
  });

  test('different grantees get different role assignments', () => {
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    const other = new UserAssignedIdentity(stack, 'Other', { name: 'otherId', resourceGroupName: 'rg', location: 'eastus' });
    registry.grantPull(identity);
    registry.grantPull(other);
    expect(Object.keys(roleAssignments(stack))).toHaveLength(2);
  });

  test('exposes the role assignment, role and principal', () => {
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    const grant = registry.grantPush(identity);
    expect(grant.role).toBe(RegistryRole.ACR_PUSH);
    expect(grant.principal).toBe(identity);
    expect(registry.node.findChild('AcrPush-Identity')).toBe(grant.roleAssignment);
    new TerraformOutput(stack, 'assignmentId', { value: grant.roleAssignmentId });
    const json = synth(stack);
    const [assignmentKey] = Object.keys(json.resource.azurerm_role_assignment);
    expect(json.output.assignmentId.value).toBe(`\${azurerm_role_assignment.${assignmentKey}.id}`);
  });

  test('a Grant in a resource config\'s dependsOn renders the role assignment\'s bare address', () => {
    // GIVEN
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    const grant = registry.grantPull(identity);
    // WHEN
    new AzurermUserAssignedIdentity(stack, 'After', { name: 'after', resourceGroupName: 'rg', location: 'eastus', dependsOn: [grant] });
    // THEN
    const json = synth(stack);
    const [assignmentKey] = Object.keys(json.resource.azurerm_role_assignment);
    expect(grant.fqn).toBe(grant.roleAssignment.fqn);
    expect(json.resource.azurerm_user_assigned_identity.After.depends_on).toEqual([`azurerm_role_assignment.${assignmentKey}`]);
  });

  test('applyBefore adds the bare address to a resource\'s depends_on, keeping what it had, once', () => {
    // GIVEN a resource made before the grant, already depending on something else
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    const other = new AzurermUserAssignedIdentity(stack, 'Other', { name: 'other', resourceGroupName: 'rg', location: 'eastus' });
    const app = new AzurermUserAssignedIdentity(stack, 'App', { name: 'app', resourceGroupName: 'rg', location: 'eastus', dependsOn: [other] });
    const grant = registry.grantPull(identity);
    // WHEN
    grant.applyBefore(app);
    grant.applyBefore(app);
    // THEN
    const json = synth(stack);
    const [assignmentKey] = Object.keys(json.resource.azurerm_role_assignment);
    expect(json.resource.azurerm_user_assigned_identity.App.depends_on)
      .toEqual(['azurerm_user_assigned_identity.Other', `azurerm_role_assignment.${assignmentKey}`]);
  });

  test('applyBefore on a resource of another stack orders that stack after the role assignment\'s', () => {
    // GIVEN the role assignment in the registry's stack, and an app in another
    const { app, shared, workload } = twoStacks();
    const { registry, identity } = scenario(shared);
    const consumer = new AzurermUserAssignedIdentity(workload, 'App', { name: 'app', resourceGroupName: 'rg', location: 'eastus' });
    // WHEN
    registry.grantPull(identity).applyBefore(consumer);
    // THEN Terraform gets no depends_on across states; cdktf deploys the registry's stack first
    const { json, dependencies } = synthApp(app);
    expect(json.Workload.resource.azurerm_user_assigned_identity.App.depends_on).toBeUndefined();
    expect(dependencies).toEqual({ Shared: [], Workload: ['Shared'] });
  });

  test('resource.dependsOn = [grant.fqn] renders a template, which Terraform refuses in depends_on: hence applyBefore', () => {
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    const app = new AzurermUserAssignedIdentity(stack, 'App', { name: 'app', resourceGroupName: 'rg', location: 'eastus' });
    app.dependsOn = [registry.grantPull(identity).fqn];
    const json = synth(stack);
    const [assignmentKey] = Object.keys(json.resource.azurerm_role_assignment);
    expect(json.resource.azurerm_user_assigned_identity.App.depends_on).toEqual([`\${azurerm_role_assignment.${assignmentKey}}`]);
  });

  test('node.addDependency orders nothing in cdktf 0.21, which is why the Grant documents the two forms above', () => {
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    const app = new AzurermUserAssignedIdentity(stack, 'App', { name: 'app', resourceGroupName: 'rg', location: 'eastus' });
    app.node.addDependency(registry.grantPull(identity).roleAssignment);
    expect(synth(stack).resource.azurerm_user_assigned_identity.App.depends_on).toBeUndefined();
  });

  test('construct ids never contain token text, even when every input is a token', () => {
    // GIVEN
    const stack = newStack();
    const token = new TerraformVariable(stack, 'value', { type: 'string' }).stringValue;
    const registry = ContainerRegistry.fromRegistryAttributes(stack, 'Registry', { registryId: token });
    const identity = UserAssignedIdentity.fromIdentityAttributes(stack, 'Identity', { identityId: token, principalId: token, clientId: token });
    // WHEN
    registry.grantPull(identity);
    registry.grant(identity, RegistryRole.fromRoleDefinitionId(token, 'MyRole'));
    // THEN
    const ids = stack.node.findAll().map((c) => c.node.id);
    expect(ids).toEqual(expect.arrayContaining(['AcrPull-Identity', 'MyRole-Identity']));
    for (const id of ids) expect(id).not.toMatch(/Token|TOKEN|\$|\{/);
    expect(Object.keys(roleAssignments(stack))).toHaveLength(2);
  });
});

describe('grants on a registry given by a literal ID', () => {
  test('role_definition_id is a literal under the registry\'s subscription', () => {
    // GIVEN
    const stack = newStack();
    const registry = importedRegistry(stack);
    // WHEN
    registry.grantPush(importedIdentity(stack));
    // THEN
    const { body } = onlyRoleAssignment(stack);
    expect(body.role_definition_id).toBe(`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PUSH}`);
    expect(body.scope).toBe(REGISTRY_ID);
    expect(body.principal_id).toBe(PRINCIPAL_ID);
    expect(body.name).toBe(`\${uuidv5("url", "${REGISTRY_ID}|${PRINCIPAL_ID}|${ACR_PUSH}")}`);
  });

  test('a looked-up registry scopes the grant to the data source\'s ID', () => {
    // GIVEN
    const stack = newStack();
    const registry = ContainerRegistry.fromLookup(stack, 'Registry', { registryName: 'myContainerRegistry', resourceGroupName: 'myResourceGroup' });
    // WHEN
    registry.grantPull(importedIdentity(stack));
    // THEN
    const json = synth(stack);
    const [dataKey] = Object.keys(json.data.azurerm_container_registry);
    const { body } = onlyRoleAssignment(stack);
    expect(body.scope).toBe(`\${data.azurerm_container_registry.${dataKey}.id}`);
    expect(body.role_definition_id).toBe(
      `/subscriptions/\${element(split("/", data.azurerm_container_registry.${dataKey}.id), 2)}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
    );
  });

  test('a principal given by object ID is keyed by its construct id and keeps its type', () => {
    // GIVEN
    const stack = newStack();
    const registry = importedRegistry(stack);
    // WHEN
    const grant = registry.grantPull(Principal.fromPrincipalId(stack, 'Readers', PRINCIPAL_ID, PrincipalType.GROUP));
    // THEN
    expect(registry.node.findChild('AcrPull-Readers')).toBe(grant.roleAssignment);
    const { body } = onlyRoleAssignment(stack);
    expect(body.principal_id).toBe(PRINCIPAL_ID);
    expect(body.principal_type).toBe('Group');
    expect(body).not.toHaveProperty('skip_service_principal_aad_check');
  });

  test('a grantee that is not a construct is named after its principal construct', () => {
    // GIVEN a plain object whose grant principal is a construct: it type-checks, and works
    const stack = newStack();
    const registry = importedRegistry(stack);
    const grantee: IGrantable = { grantPrincipal: Principal.fromPrincipalId(stack, 'Ops', PRINCIPAL_ID) };
    // WHEN
    const grant = registry.grantPull(grantee);
    // THEN
    expect(registry.node.findChild('AcrPull-Ops')).toBe(grant.roleAssignment);
    expect(onlyRoleAssignment(stack).body.principal_id).toBe(PRINCIPAL_ID);
  });

  test('a principal that is not a construct (plain JavaScript, or a cast) is refused with the fix', () => {
    // GIVEN the plain object the compiler refuses as an IPrincipal, smuggled in as plain JavaScript would
    const stack = newStack();
    const token = new TerraformVariable(stack, 'principal', { type: 'string' }).stringValue;
    const registry = importedRegistry(stack);
    const plain = { principalId: token, principalType: PrincipalType.SERVICE_PRINCIPAL } as unknown as IPrincipal;
    // WHEN
    const error = validationErrorOf(() => registry.grantPull({ grantPrincipal: plain }));
    // THEN
    expect(error.message).toBe("Grant at 'TestStack/Registry' has invalid input:\n"
      + `  - grantee: "${token}" has a grant principal that is not a construct, so its role assignment can get no stable construct id. `
      + "Fix: wrap the object ID in a principal: Principal.fromPrincipalId(this, 'MyPrincipal', principalId, principalType)");
    expect(roleAssignments(stack)).toEqual({});
  });
});

describe('custom roles', () => {
  test('by GUID: role_definition_id under the registry\'s subscription, construct named by the GUID', () => {
    // GIVEN
    const stack = newStack();
    const registry = importedRegistry(stack);
    // WHEN
    const grant = registry.grant(importedIdentity(stack), RegistryRole.fromRoleDefinitionId(CUSTOM_GUID));
    // THEN
    expect(grant.roleAssignment.node.id).toBe(`${CUSTOM_GUID}-Identity`);
    const { body } = onlyRoleAssignment(stack);
    expect(body.role_definition_id).toBe(`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM_GUID}`);
  });

  test('by full ID from another subscription: rewritten under the registry\'s subscription, which Azure reads back', () => {
    // GIVEN
    const stack = newStack();
    const role = RegistryRole.fromRoleDefinitionId(
      `/subscriptions/${OTHER_SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM_GUID}`, 'MyRole');
    // WHEN
    const grant = importedRegistry(stack).grant(importedIdentity(stack), role);
    // THEN
    expect(grant.roleAssignment.node.id).toBe('MyRole-Identity');
    expect(onlyRoleAssignment(stack).body.role_definition_id)
      .toBe(`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM_GUID}`);
  });

  test('by name: role_definition_name, no role_definition_id', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const grant = importedRegistry(stack).grant(importedIdentity(stack), RegistryRole.fromRoleName('My Registry Role'));
    // THEN
    expect(grant.roleAssignment.node.id).toBe('MyRegistryRole-Identity');
    const { body } = onlyRoleAssignment(stack);
    expect(body.role_definition_name).toBe('My Registry Role');
    expect(body).not.toHaveProperty('role_definition_id');
    expect(body.name).toBe(`\${uuidv5("url", "${REGISTRY_ID}|${PRINCIPAL_ID}|My Registry Role")}`);
  });

  test('by token ID with a literal name: the GUID is extracted by Terraform', () => {
    // GIVEN
    const stack = newStack();
    const roleId = new TerraformVariable(stack, 'roleId', { type: 'string' }).stringValue;
    // WHEN
    const grant = importedRegistry(stack).grant(importedIdentity(stack), RegistryRole.fromRoleDefinitionId(roleId, 'MyRole'));
    // THEN
    expect(grant.roleAssignment.node.id).toBe('MyRole-Identity');
    const { body } = onlyRoleAssignment(stack);
    expect(body.role_definition_id).toMatch(
      new RegExp(`^/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/\\$\\{regex\\(".*\\$", var\\.roleId\\)\\}$`),
    );
  });

  test('the same custom GUID under two names is still one role assignment', () => {
    const stack = newStack();
    const registry = importedRegistry(stack);
    const identity = importedIdentity(stack);
    const first = registry.grant(identity, RegistryRole.fromRoleDefinitionId(CUSTOM_GUID));
    const second = registry.grant(identity, RegistryRole.fromRoleDefinitionId(CUSTOM_GUID.toUpperCase(), 'Named'));
    expect(second).toBe(first);
    expect(Object.keys(roleAssignments(stack))).toHaveLength(1);
  });

  test('two different roles under one name are refused instead of silently returning the first grant', () => {
    // GIVEN
    const stack = newStack();
    const registry = importedRegistry(stack);
    const identity = importedIdentity(stack);
    registry.grant(identity, RegistryRole.fromRoleDefinitionId(CUSTOM_GUID, 'MyRole'));
    // WHEN
    const error = validationErrorOf(() => registry.grant(identity, RegistryRole.fromRoleName('MyRole')));
    // THEN
    expect(error.constructPath).toBe('TestStack/Registry');
    expect(error.problems).toEqual([expect.objectContaining({ property: 'role', value: 'MyRole' })]);
    expect(error.message).toMatch(/Fix: give the custom role a distinct name/);
  });
});

describe('registries in ABAC mode (AbacRepositoryPermissions)', () => {
  const abacRegistries: Array<[string, (scope: Construct) => IContainerRegistry]> = [
    ['fromRegistryAttributes', (scope) => importedRegistry(scope, RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS)],
    ['fromLookup', (scope) => ContainerRegistry.fromLookup(scope, 'Registry', {
      registryName: 'myContainerRegistry',
      resourceGroupName: 'myResourceGroup',
      roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS,
    })],
  ];

  describe.each(abacRegistries)('made with %s', (_, makeRegistry) => {
    test.each<[string, RegistryRole]>([
      ['AcrPull', RegistryRole.ACR_PULL],
      ['AcrPush', RegistryRole.ACR_PUSH],
      ['AcrDelete', RegistryRole.ACR_DELETE],
      ['AcrPull', RegistryRole.fromRoleDefinitionId(ACR_PULL)],
    ])('refuses %s, which such a registry ignores', (name, role) => {
      // GIVEN
      const stack = newStack();
      const registry = makeRegistry(stack);
      // WHEN
      const error = validationErrorOf(() => registry.grant(importedIdentity(stack), role));
      // THEN
      expect(error.constructPath).toBe('TestStack/Registry');
      expect(error.problems).toEqual([expect.objectContaining({ property: 'grant(role)', value: name })]);
      expect(error.message).toMatch(/not honoured by a registry in ABAC mode/);
      expect(error.message).toMatch(/Fix: use grantPull\/grantPush, or RegistryRole.REPOSITORY_READER/);
      expect(roleAssignments(stack)).toEqual({});
    });

    test.each<[string, (r: IContainerRegistry, g: IGrantable) => Grant, string]>([
      ['grantPull to Container Registry Repository Reader', (r, g) => r.grantPull(g), 'b93aa761-3e63-49ed-ac28-beffa264f7ac'],
      ['grantPush to Container Registry Repository Writer', (r, g) => r.grantPush(g), '2a1e307c-b015-4ebd-883e-5b7698a07328'],
      ['grant(REPOSITORY_CONTRIBUTOR) as asked', (r, g) => r.grant(g, RegistryRole.REPOSITORY_CONTRIBUTOR), '2efddaa5-3f1f-4df3-97df-af3f13818f4c'],
    ])('maps %s', (_name, grantFn, guid) => {
      // GIVEN
      const stack = newStack();
      const registry = makeRegistry(stack);
      // WHEN
      grantFn(registry, importedIdentity(stack));
      // THEN
      expect(onlyRoleAssignment(stack).body.role_definition_id).toMatch(new RegExp(`/providers/Microsoft.Authorization/roleDefinitions/${guid}$`));
    });
  });
});

describe('errors name the construct, property, value and fix', () => {
  test('a construct already holding the role assignment\'s id is reported, not a plain Error', () => {
    // GIVEN a construct under the registry with the id the grant needs
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    new Construct(registry, 'AcrPull-Identity');
    // WHEN
    const error = validationErrorOf(() => registry.grantPull(identity));
    // THEN
    expect(error.constructPath).toBe('TestStack/Registry');
    expect(error.problems).toEqual([expect.objectContaining({ property: 'grantee', value: 'TestStack/Identity' })]);
    expect(error.problems[0].message).toContain("construct id 'AcrPull-Identity' under 'TestStack/Registry'");
    expect(error.problems[0].fix).toBe('give that Construct another id');
    expect(roleAssignments(stack)).toEqual({});
  });

  test('two principals whose paths make the same construct id are refused instead of sharing a role assignment', () => {
    // GIVEN 'Ops-Team' and 'Ops/Team': both are 'Ops-Team' in a construct id
    const stack = newStack();
    const registry = importedRegistry(stack);
    registry.grantPull(Principal.fromPrincipalId(stack, 'Ops-Team', PRINCIPAL_ID));
    const nested = Principal.fromPrincipalId(new Construct(stack, 'Ops'), 'Team', CLIENT_ID);
    // WHEN
    const error = validationErrorOf(() => registry.grantPull(nested));
    // THEN
    expect(error.message).toBe("Grant at 'TestStack/Registry' has invalid input:\n"
      + "  - grantee: \"TestStack/Ops/Team\" needs the construct id 'AcrPull-Ops-Team' under 'TestStack/Registry' for its AcrPull role "
      + "assignment, but the role assignment of the principal 'TestStack/Ops-Team' already has it. "
      + 'Fix: give one of the two grantees another construct id (their paths differ only in characters dropped from construct ids)');
    // AND a principal with its own path gets its own role assignment
    registry.grantPull(Principal.fromPrincipalId(new Construct(stack, 'Dev'), 'Team', CLIENT_ID));
    expect(Object.keys(roleAssignments(stack))).toHaveLength(2);
  });

  test('a literal scope that is not an Azure resource ID is reported against the construct granting', () => {
    // GIVEN
    const stack = newStack();
    const { registry, identity } = scenario(stack);
    // WHEN
    const error = validationErrorOf(() =>
      Grant._assign({ scope: registry, resourceId: 'myContainerRegistry', grantee: identity, role: RegistryRole.ACR_PULL }));
    // THEN
    expect(error.constructPath).toBe('TestStack/Registry');
    expect(error.problems).toEqual([expect.objectContaining({ property: 'resourceId', value: 'myContainerRegistry' })]);
    expect(error.problems[0].fix).toMatch(/\/subscriptions\/<subscription>\/resourceGroups\//);
  });
});

const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII+7PpBGMViOridW3Iq4miX8E4H8P1Thxj3lndP8GBb7 test@example';
const VM_PROPS = { name: 'myDockerVM', resourceGroupName: 'myResourceGroup', location: 'eastus', sshPublicKey: SSH_KEY };

describe('grants across stacks: one registry in a shared stack, its consumers in another', () => {
  interface Consumer {
    /** The grantee: its role assignment's parent. */
    readonly grantee: IGrantable & Construct;
    /** The Terraform resource type and attribute of the grantee's principal ID. */
    readonly principal: [string, string];
  }

  const consumers: Array<[string, (stack: TerraformStack, registry: IContainerRegistry) => Consumer]> = [
    ['a user-assigned identity used by a VM that pulls from the registry', (stack, registry) => {
      const identity = new UserAssignedIdentity(stack, 'Identity', { name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus' });
      const vm = new DockerVirtualMachine(stack, 'Vm', { ...VM_PROPS, userAssignedIdentities: [identity] });
      vm.pullImages(registry, ['aci-helloworld:v1'], { identity });
      return { grantee: identity, principal: ['azurerm_user_assigned_identity', 'principal_id'] };
    }],
    ['a VM\'s system-assigned identity, the VM pulling from the registry', (stack, registry) => {
      const vm = new DockerVirtualMachine(stack, 'Vm', { ...VM_PROPS, systemAssignedIdentity: true });
      vm.pullImages(registry, ['aci-helloworld:v1']);
      return { grantee: vm, principal: ['azurerm_linux_virtual_machine', 'identity[0].principal_id'] };
    }],
  ];

  describe.each(consumers)('granted to %s', (_name, makeConsumer) => {
    test('the app synthesizes, with the role assignment in the grantee\'s stack, scoped by a cross-stack reference', () => {
      // GIVEN a registry in one stack and, in another, a grantee whose VM logs in to that registry
      const { app, shared, workload } = twoStacks();
      const registry = new ContainerRegistry(shared, 'Registry', { name: 'myContainerRegistry', resourceGroupName: 'myResourceGroup', location: 'eastus' });
      const { grantee, principal } = makeConsumer(workload, registry);
      // WHEN
      const grant = registry.grantPull(grantee);
      const { json, dependencies } = synthApp(app);
      // THEN the role assignment is the grantee's child, named after the registry's stack and path
      expect(grantee.node.findChild('AcrPull-Shared-Registry')).toBe(grant.roleAssignment);
      expect(json.Shared.resource.azurerm_role_assignment).toBeUndefined();
      const assignments = Object.values<any>(json.Workload.resource.azurerm_role_assignment);
      expect(assignments).toHaveLength(1);
      // AND it reads the registry's ID from the shared stack's state, and the principal from its own stack
      const registryId = crossStackReference(json, 'Shared', '${azurerm_container_registry.Registry.id}');
      const [principalType, principalAttribute] = principal;
      const [principalKey] = Object.keys(json.Workload.resource[principalType]);
      expect(assignments[0].scope).toBe(registryId);
      expect(assignments[0].principal_id).toBe(`\${${principalType}.${principalKey}.${principalAttribute}}`);
      expect(assignments[0].role_definition_id).toBe(
        `/subscriptions/${registryId.replace(/^\$\{(.*)\}$/, '$${element(split("/", $1), 2)}')}/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL}`,
      );
      expect(json.Workload.data.terraform_remote_state['cross-stack-reference-input-Shared']).toBeDefined();
      // AND only the consumer's stack depends on the shared one
      expect(dependencies).toEqual({ Shared: [], Workload: ['Shared'] });
    });
  });

  test('granting the same role to the same grantee again returns the same Grant and one role assignment', () => {
    // GIVEN
    const { app, shared, workload } = twoStacks();
    const registry = new ContainerRegistry(shared, 'Registry', { name: 'myContainerRegistry', resourceGroupName: 'myResourceGroup', location: 'eastus' });
    const identity = new UserAssignedIdentity(workload, 'Identity', { name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus' });
    // WHEN
    const first = registry.grantPull(identity);
    const again = [registry.grantPull(identity), registry.grant(identity, RegistryRole.ACR_PULL), registry.grant(identity, RegistryRole.fromRoleName('AcrPull'))];
    const push = registry.grantPush(identity);
    // THEN
    expect(again).toEqual([first, first, first]);
    expect(push).not.toBe(first);
    expect(identity.node.findChild('AcrPush-Shared-Registry')).toBe(push.roleAssignment);
    const { json } = synthApp(app);
    const roles = Object.values<any>(json.Workload.resource.azurerm_role_assignment).map((a) => a.role_definition_id.split('/').pop());
    expect(roles.sort()).toEqual([ACR_PULL, ACR_PUSH].sort());
  });

  test('registries in two stacks get distinct role assignments under the same grantee', () => {
    // GIVEN
    const { app, shared, workload } = twoStacks();
    const other = new TerraformStack(app, 'Other');
    new AzurermProvider(other, 'azurerm', { features: [{}] });
    const identity = new UserAssignedIdentity(workload, 'Identity', { name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus' });
    // WHEN
    new ContainerRegistry(shared, 'Registry', { name: 'myContainerRegistry', resourceGroupName: 'myResourceGroup', location: 'eastus' }).grantPull(identity);
    new ContainerRegistry(other, 'Registry', { name: 'otherRegistry', resourceGroupName: 'myResourceGroup', location: 'eastus' }).grantPull(identity);
    // THEN
    expect(identity.node.children.map((c) => c.node.id).sort()).toEqual(['AcrPull-Other-Registry', 'AcrPull-Shared-Registry', 'Default']);
    const { json, dependencies } = synthApp(app);
    const scopes = Object.values<any>(json.Workload.resource.azurerm_role_assignment).map((a) => a.scope).sort();
    expect(scopes).toEqual([
      crossStackReference(json, 'Other', '${azurerm_container_registry.Registry.id}'),
      crossStackReference(json, 'Shared', '${azurerm_container_registry.Registry.id}'),
    ].sort());
    expect(dependencies.Workload.sort()).toEqual(['Other', 'Shared']);
  });
});

import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { IUserAssignedIdentity, UserAssignedIdentity, UserAssignedIdentityAttributes, UserAssignedIdentityProps } from '../lib/identity';
import { PrincipalType } from '../lib/principal';
import { validationErrorOf } from './support/errors';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const IDENTITY_ID = `/subscriptions/${SUBSCRIPTION}/resourcegroups/myResourceGroup/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myACRId`;
const PRINCIPAL_ID = '11111111-2222-3333-4444-555555555555';
const CLIENT_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const TENANT_ID = '99999999-8888-7777-6666-555555555555';
const PROPS: UserAssignedIdentityProps = { name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus' };
const ATTRS: UserAssignedIdentityAttributes = { identityId: IDENTITY_ID, principalId: PRINCIPAL_ID, clientId: CLIENT_ID };

/* eslint-disable @typescript-eslint/no-explicit-any */
function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'TestStack');
}

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

describe('UserAssignedIdentity', () => {
  test('synthesizes an azurerm_user_assigned_identity from the props', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new UserAssignedIdentity(stack, 'Identity', { ...PROPS, tags: { app: 'acr' } });
    // THEN
    const identities = synth(stack).resource.azurerm_user_assigned_identity;
    expect(Object.values(identities)).toEqual([
      { name: 'myACRId', resource_group_name: 'myResourceGroup', location: 'eastus', tags: { app: 'acr' } },
    ]);
  });

  test('identityId, principalId, clientId and tenantId reference id, principal_id, client_id and tenant_id', () => {
    // GIVEN an identity seen through its interface, as DockerVirtualMachine and other stacks see it
    const stack = newStack();
    const identity: IUserAssignedIdentity = new UserAssignedIdentity(stack, 'Identity', PROPS);
    // WHEN
    const values = { id: identity.identityId, principal: identity.principalId, client: identity.clientId, tenant: identity.tenantId };
    for (const [name, value] of Object.entries(values)) new TerraformOutput(stack, name, { value });
    const json = synth(stack);
    // THEN
    const [key] = Object.keys(json.resource.azurerm_user_assigned_identity);
    const ref = `azurerm_user_assigned_identity.${key}`;
    expect(json.output.id.value).toBe(`\${${ref}.id}`);
    expect(json.output.principal.value).toBe(`\${${ref}.principal_id}`);
    expect(json.output.client.value).toBe(`\${${ref}.client_id}`);
    expect(json.output.tenant.value).toBe(`\${${ref}.tenant_id}`);
  });

  test('is its own grant principal, of type ServicePrincipal', () => {
    // WHEN
    const identity = new UserAssignedIdentity(newStack(), 'Identity', PROPS);
    // THEN
    expect(identity.grantPrincipal).toBe(identity);
    expect(identity.principalType).toBe(PrincipalType.SERVICE_PRINCIPAL);
    expect(identity.principalType).toBe('ServicePrincipal');
  });

  test('exposes the provider resource as the escape hatch, as child "Default"', () => {
    const identity = new UserAssignedIdentity(newStack(), 'Identity', PROPS);
    expect(identity.node.findChild('Default')).toBe(identity.resource);
  });

  describe('validation', () => {
    test.each([
      ['too short', 'ab'],
      ['too long', 'a'.repeat(129)],
      ['starting with a hyphen', '-myACRId'],
      ['with a dot', 'my.ACRId'],
      ['with a space', 'my ACRId'],
    ])('refuses a name %s', (_, name) => {
      const error = validationErrorOf(() => new UserAssignedIdentity(newStack(), 'Identity', { ...PROPS, name }));
      expect(error.problems).toEqual([expect.objectContaining({ property: 'name', value: name })]);
    });

    test.each(['abc', 'a'.repeat(128), '0_my-ACR_Id'])('accepts the name %s', (name) => {
      expect(() => new UserAssignedIdentity(newStack(), 'Identity', { ...PROPS, name })).not.toThrow();
    });

    test('reports a bad name and resource group in one error naming the construct path', () => {
      // WHEN
      const error = validationErrorOf(() =>
        new UserAssignedIdentity(newStack(), 'Identity', { ...PROPS, name: 'a', resourceGroupName: 'rg.' }));
      // THEN
      expect(error.constructPath).toBe('TestStack/Identity');
      expect(error.problems.map((p) => p.property)).toEqual(['name', 'resourceGroupName']);
      expect(error.message).toContain("UserAssignedIdentity at 'TestStack/Identity'");
      expect(error.message.match(/Fix: /g)).toHaveLength(2);
    });

    test.each<[string, unknown]>([
      ['no props', undefined],
      ['empty props', {}],
      ['null props', { name: null, resourceGroupName: null, location: null }],
    ])('a plain-JavaScript caller with %s gets every missing prop named, not a TypeError', (_, props) => {
      // WHEN
      const error = validationErrorOf(() => new UserAssignedIdentity(newStack(), 'Identity', props as UserAssignedIdentityProps));
      // THEN
      expect(error.constructPath).toBe('TestStack/Identity');
      expect(error.problems.map((p) => [p.property, p.message])).toEqual([
        ['name', 'is required but was not given'],
        ['resourceGroupName', 'is required but was not given'],
        ['location', 'is required but was not given'],
      ]);
      expect(error.message.match(/Fix: /g)).toHaveLength(3);
    });

    test('lets tokens through', () => {
      const stack = newStack();
      const v = new TerraformVariable(stack, 'name', { type: 'string' });
      new UserAssignedIdentity(stack, 'Identity', { ...PROPS, name: v.stringValue, resourceGroupName: v.stringValue });
      expect(Object.values(synth(stack).resource.azurerm_user_assigned_identity)).toEqual([
        expect.objectContaining({ name: '${var.name}', resource_group_name: '${var.name}' }),
      ]);
    });
  });
});

describe('UserAssignedIdentity.fromIdentityAttributes', () => {
  test('exposes the given literal IDs and is its own ServicePrincipal grant principal', () => {
    // WHEN
    const identity = UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', { ...ATTRS, tenantId: TENANT_ID });
    // THEN
    expect(identity.identityId).toBe(IDENTITY_ID);
    expect(identity.principalId).toBe(PRINCIPAL_ID);
    expect(identity.clientId).toBe(CLIENT_ID);
    expect(identity.tenantId).toBe(TENANT_ID);
    expect(identity.grantPrincipal).toBe(identity);
    expect(identity.principalType).toBe(PrincipalType.SERVICE_PRINCIPAL);
  });

  test('synthesizes nothing', () => {
    const stack = newStack();
    UserAssignedIdentity.fromIdentityAttributes(stack, 'Identity', ATTRS);
    expect(synth(stack).resource).toBeUndefined();
  });

  test('reading the tenantId of an identity imported without one fails with a ValidationError naming the fix', () => {
    // GIVEN
    const identity = UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', ATTRS);
    // WHEN
    const error = validationErrorOf(() => identity.tenantId);
    // THEN
    expect(error.constructPath).toBe('TestStack/Identity');
    expect(error.problems).toEqual([expect.objectContaining({ property: 'tenantId', value: undefined })]);
    expect(error.message).toContain("UserAssignedIdentity.fromIdentityAttributes at 'TestStack/Identity'");
    expect(error.message).toContain('tenantId: (not set) was not given');
    expect(error.problems[0].fix).toMatch(/pass tenantId to fromIdentityAttributes: az identity show --query tenantId/);
  });

  test('an identity imported without a tenantId can still be granted roles and attached', () => {
    const identity = UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', ATTRS);
    expect(() => [identity.identityId, identity.principalId, identity.clientId, identity.grantPrincipal]).not.toThrow();
  });

  test.each<[string, unknown]>([
    ['no attributes', undefined],
    ['empty attributes', {}],
    ['null attributes', { identityId: null, principalId: null, clientId: null }],
  ])('a plain-JavaScript caller with %s gets every missing attribute named, not a TypeError', (_, attrs) => {
    // WHEN
    const error = validationErrorOf(() =>
      UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', attrs as UserAssignedIdentityAttributes));
    // THEN
    expect(error.constructPath).toBe('TestStack/Identity');
    expect(error.problems.map((p) => [p.property, p.message])).toEqual([
      ['identityId', 'is required but was not given'],
      ['principalId', 'is required but was not given'],
      ['clientId', 'is required but was not given'],
    ]);
    expect(error.problems.map((p) => p.fix)).toEqual([
      expect.stringContaining('az identity show --query id'),
      expect.stringContaining('az identity show --query principalId'),
      expect.stringContaining('az identity show --query clientId'),
    ]);
  });

  test('names only the attribute that is missing', () => {
    const withoutClientId = { identityId: IDENTITY_ID, principalId: PRINCIPAL_ID };
    const error = validationErrorOf(() =>
      UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', withoutClientId as UserAssignedIdentityAttributes));
    expect(error.problems).toEqual([expect.objectContaining({ property: 'clientId', value: undefined, message: 'is required but was not given' })]);
  });

  test.each<[string, Partial<UserAssignedIdentityAttributes>]>([
    ['principalId', { principalId: 'not-a-guid' }],
    ['clientId', { clientId: '1234' }],
    ['tenantId', { tenantId: 'contoso.onmicrosoft.com' }],
    ['identityId', { identityId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myreg` }],
  ])('refuses a bad %s', (property, attrs) => {
    const error = validationErrorOf(() => UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', { ...ATTRS, ...attrs }));
    expect(error.problems).toEqual([expect.objectContaining({ property, value: Object.values(attrs)[0] })]);
  });

  test('refuses a principalId equal to the clientId: the client ID was passed where the principal ID is needed', () => {
    // WHEN
    const error = validationErrorOf(() =>
      UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', { ...ATTRS, principalId: CLIENT_ID.toUpperCase() }));
    // THEN
    expect(error.problems).toEqual([expect.objectContaining({ property: 'principalId', value: CLIENT_ID.toUpperCase() })]);
    expect(error.problems[0].message).toMatch(/same as clientId/);
    expect(error.problems[0].fix).toMatch(/az identity show --query principalId/);
  });

  test('reports every bad attribute in one error', () => {
    const error = validationErrorOf(() =>
      UserAssignedIdentity.fromIdentityAttributes(newStack(), 'Identity', { identityId: 'x', principalId: 'y', clientId: 'z' }));
    expect(error.constructPath).toBe('TestStack/Identity');
    expect(error.problems.map((p) => p.property)).toEqual(['identityId', 'principalId', 'clientId']);
  });

  test('lets tokens through', () => {
    const stack = newStack();
    const token = new TerraformVariable(stack, 'id', { type: 'string' }).stringValue;
    const identity = UserAssignedIdentity.fromIdentityAttributes(stack, 'Identity', { identityId: token, principalId: token, clientId: token });
    expect(identity.principalId).toBe(token);
  });
});

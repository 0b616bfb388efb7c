import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { DataAzurermContainerRegistry } from '@cdktf/provider-azurerm/lib/data-azurerm-container-registry';
import {
  ContainerRegistry, ContainerRegistryAttributes, ContainerRegistryLookupOptions, ContainerRegistryProps, RegistrySku, RoleAssignmentMode,
} from '../lib/registry';
import { validationErrorOf } from './support/errors';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const REGISTRY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/myResourceGroup/providers/Microsoft.ContainerRegistry/registries/myContainerRegistry`;
const BASE_PROPS: ContainerRegistryProps = { name: 'mycontainerregistry', resourceGroupName: 'myResourceGroup', location: 'eastus' };

/* eslint-disable @typescript-eslint/no-explicit-any */
function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'TestStack');
}

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** The only block of a type, with its Terraform name. */
function onlyBlock(section: Record<string, Record<string, any>> | undefined, type: string): { key: string; body: any } {
  const blocks = section?.[type] ?? {};
  const keys = Object.keys(blocks);
  expect(keys).toHaveLength(1);
  return { key: keys[0], body: blocks[keys[0]] };
}

/** Renders values as Terraform outputs so references can be read from the synthesized JSON. */
function outputsOf(stack: TerraformStack, values: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(values)) new TerraformOutput(stack, name, { value });
  const outputs = synth(stack).output;
  return Object.fromEntries(Object.keys(values).map((name) => [name, outputs[name].value]));
}

function registry(scope: Construct, props: Partial<ContainerRegistryProps>): ContainerRegistry {
  return new ContainerRegistry(scope, 'Registry', { ...BASE_PROPS, ...props });
}

describe('ContainerRegistry', () => {
  test('defaults are secure: admin user off, anonymous pull off, Basic SKU', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new ContainerRegistry(stack, 'Registry', BASE_PROPS);
    // THEN
    const { body } = onlyBlock(synth(stack).resource, 'azurerm_container_registry');
    expect(body.admin_enabled).toBe(false);
    expect(body.anonymous_pull_enabled).toBe(false);
    expect(body.sku).toBe('Basic');
    expect(body.public_network_access_enabled).toBe(true);
    expect(body).not.toHaveProperty('zone_redundancy_enabled');
    expect(body).not.toHaveProperty('retention_policy_in_days');
  });

  test('maps every prop to the azurerm_container_registry arguments', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    new ContainerRegistry(stack, 'Registry', {
      name: 'myContainerRegistry',
      resourceGroupName: 'myResourceGroup',
      location: 'westeurope',
      sku: RegistrySku.PREMIUM,
      adminUserEnabled: true,
      anonymousPullEnabled: true,
      publicNetworkAccessEnabled: false,
      zoneRedundancyEnabled: true,
      retentionPolicyInDays: 7,
      tags: { env: 'test' },
    });
    // THEN
    const { body } = onlyBlock(synth(stack).resource, 'azurerm_container_registry');
    expect(body).toEqual({
      name: 'myContainerRegistry',
      resource_group_name: 'myResourceGroup',
      location: 'westeurope',
      sku: 'Premium',
      admin_enabled: true,
      anonymous_pull_enabled: true,
      public_network_access_enabled: false,
      // Trusted services, az acr import among them, pass the network rules of a registry with public access off.
      network_rule_bypass_option: 'AzureServices',
      zone_redundancy_enabled: true,
      retention_policy_in_days: 7,
      tags: { env: 'test' },
    });
  });

  test('registryId, registryName and loginServer reference the resource', () => {
    // GIVEN
    const stack = newStack();
    const reg = new ContainerRegistry(stack, 'Registry', BASE_PROPS);
    // WHEN
    const out = outputsOf(stack, { id: reg.registryId, name: reg.registryName, server: reg.loginServer });
    // THEN
    const { key } = onlyBlock(synth(stack).resource, 'azurerm_container_registry');
    expect(out).toEqual({
      id: `\${azurerm_container_registry.${key}.id}`,
      name: `\${azurerm_container_registry.${key}.name}`,
      server: `\${azurerm_container_registry.${key}.login_server}`,
    });
  });

  test('exposes the provider resource as the escape hatch, as child "Default"', () => {
    // GIVEN
    const stack = newStack();
    const reg = new ContainerRegistry(stack, 'Registry', BASE_PROPS);
    // WHEN
    reg.resource.addOverride('data_endpoint_enabled', true);
    // THEN
    expect(reg.node.findChild('Default')).toBe(reg.resource);
    expect(reg.roleAssignmentMode).toBe(RoleAssignmentMode.REGISTRY_PERMISSIONS);
    expect(reg.sku).toBe(RegistrySku.BASIC);
    const { body } = onlyBlock(synth(stack).resource, 'azurerm_container_registry');
    expect(body.data_endpoint_enabled).toBe(true);
  });

  describe('validation', () => {
    test.each([
      ['too short', 'abcd'],
      ['too long', 'a'.repeat(51)],
      ['a hyphen', 'my-registry'],
      ['an underscore', 'my_registry'],
      ['a dot', 'my.registry'],
    ])('refuses a name with %s', (_, name) => {
      // GIVEN
      const stack = newStack();
      // WHEN
      const error = validationErrorOf(() => registry(stack, { name }));
      // THEN
      expect(error.problems).toEqual([expect.objectContaining({ property: 'name', value: name })]);
      expect(error.message).toMatch(/5-50 letters and digits/);
    });

    test.each(['abcde', 'A'.repeat(50), 'myContainerRegistry01'])('accepts the name %s', (name) => {
      expect(() => registry(newStack(), { name })).not.toThrow();
    });

    test('refuses a SKU that is not Basic, Standard or Premium', () => {
      // GIVEN
      const stack = newStack();
      // WHEN
      const error = validationErrorOf(() => registry(stack, { sku: 'Free' as RegistrySku }));
      // THEN
      expect(error.problems).toEqual([expect.objectContaining({ property: 'sku', value: 'Free' })]);
      expect(error.message).toMatch(/Basic, Standard, Premium/);
    });

    test('refuses a resource group name ending in a period', () => {
      const error = validationErrorOf(() => registry(newStack(), { resourceGroupName: 'myResourceGroup.' }));
      expect(error.problems).toEqual([expect.objectContaining({ property: 'resourceGroupName', value: 'myResourceGroup.' })]);
    });

    describe.each([RegistrySku.BASIC, RegistrySku.STANDARD])('on the %s SKU', (sku) => {
      test.each<[string, Partial<ContainerRegistryProps>]>([
        ['publicNetworkAccessEnabled', { publicNetworkAccessEnabled: false }],
        ['zoneRedundancyEnabled', { zoneRedundancyEnabled: true }],
        ['retentionPolicyInDays', { retentionPolicyInDays: 7 }],
      ])('refuses the Premium-only %s', (property, props) => {
        // GIVEN
        const stack = newStack();
        // WHEN
        const error = validationErrorOf(() => registry(stack, { sku, ...props }));
        // THEN
        expect(error.problems).toEqual([expect.objectContaining({ property, message: `needs the Premium SKU, but sku is ${sku}` })]);
        expect(error.problems[0].fix).toMatch(/RegistrySku.PREMIUM/);
      });

      test('accepts a retention of 0 days, which turns the policy off', () => {
        expect(() => registry(newStack(), { sku, retentionPolicyInDays: 0 })).not.toThrow();
      });
    });

    test('accepts the Premium-only options on Premium', () => {
      expect(() => registry(newStack(), {
        sku: RegistrySku.PREMIUM,
        publicNetworkAccessEnabled: false,
        zoneRedundancyEnabled: true,
        retentionPolicyInDays: 30,
      })).not.toThrow();
    });

    test('refuses anonymous pull on Basic', () => {
      const error = validationErrorOf(() => registry(newStack(), { anonymousPullEnabled: true }));
      expect(error.problems).toEqual([expect.objectContaining({ property: 'anonymousPullEnabled', value: true })]);
      expect(error.problems[0].message).toMatch(/Standard or Premium/);
    });

    test.each([RegistrySku.STANDARD, RegistrySku.PREMIUM])('accepts anonymous pull on %s', (sku) => {
      expect(() => registry(newStack(), { sku, anonymousPullEnabled: true })).not.toThrow();
    });

    test.each([-1, 366, 1.5])('refuses a retention of %p days', (days) => {
      const error = validationErrorOf(() => registry(newStack(), { sku: RegistrySku.PREMIUM, retentionPolicyInDays: days }));
      expect(error.problems).toEqual([expect.objectContaining({ property: 'retentionPolicyInDays', value: days })]);
      expect(error.problems[0].message).toMatch(/0 to 365/);
    });

    test.each([0, 1, 365])('accepts a retention of %p days', (days) => {
      expect(() => registry(newStack(), { sku: RegistrySku.PREMIUM, retentionPolicyInDays: days })).not.toThrow();
    });

    test('lets tokens through, since they are known only at apply', () => {
      // GIVEN
      const stack = newStack();
      const name = new TerraformVariable(stack, 'registryName', { type: 'string' });
      const sku = new TerraformVariable(stack, 'sku', { type: 'string' });
      const days = new TerraformVariable(stack, 'days', { type: 'number' });
      // WHEN
      registry(stack, {
        name: name.stringValue,
        resourceGroupName: name.stringValue,
        sku: sku.stringValue as RegistrySku,
        zoneRedundancyEnabled: true,
        retentionPolicyInDays: days.numberValue,
      });
      // THEN
      const { body } = onlyBlock(synth(stack).resource, 'azurerm_container_registry');
      expect(body.name).toBe('${var.registryName}');
      expect(body.sku).toBe('${var.sku}');
      expect(body.retention_policy_in_days).toBe('${var.days}');
    });

    test('a token retention on Basic passes: its value is unknown until apply', () => {
      const stack = newStack();
      const days = new TerraformVariable(stack, 'days', { type: 'number' });
      expect(() => registry(stack, { retentionPolicyInDays: days.numberValue })).not.toThrow();
    });

    test.each<[string, unknown]>([
      ['no props', undefined],
      ['empty props', {}],
      ['null props', { name: null, resourceGroupName: null, location: null }],
    ])('a plain-JavaScript caller with %s gets every missing prop named, not a TypeError', (_, props) => {
      // WHEN
      const error = validationErrorOf(() => new ContainerRegistry(newStack(), 'Registry', props as ContainerRegistryProps));
      // THEN
      expect(error.constructPath).toBe('TestStack/Registry');
      expect(error.problems.map((p) => [p.property, p.message])).toEqual([
        ['name', 'is required but was not given'],
        ['resourceGroupName', 'is required but was not given'],
        ['location', 'is required but was not given'],
      ]);
      expect(error.message.match(/Fix: /g)).toHaveLength(3);
    });

    test('reports every bad prop in one error with construct path, property, value and fix', () => {
      // GIVEN
      const stack = newStack();
      // WHEN
      const error = validationErrorOf(() => registry(stack, {
        name: 'my-registry',
        resourceGroupName: 'rg.',
        anonymousPullEnabled: true,
        zoneRedundancyEnabled: true,
      }));
      // THEN
      expect(error.constructPath).toBe('TestStack/Registry');
      expect(error.problems.map((p) => p.property)).toEqual(['name', 'resourceGroupName', 'zoneRedundancyEnabled', 'anonymousPullEnabled']);
      expect(error.message).toContain("ContainerRegistry at 'TestStack/Registry'");
      expect(error.message).toContain('name: "my-registry" must be 5-50 letters and digits');
      expect(error.message).toContain('resourceGroupName: "rg."');
      expect(error.message).toContain('anonymousPullEnabled: true');
      expect(error.message.match(/Fix: /g)).toHaveLength(4);
    });
  });
});

describe('ContainerRegistry.fromLookup', () => {
  test('reads the registry with an azurerm_container_registry data source', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    ContainerRegistry.fromLookup(stack, 'Registry', { registryName: 'myContainerRegistry', resourceGroupName: 'myResourceGroup' });
    // THEN
    const json = synth(stack);
    const { body } = onlyBlock(json.data, 'azurerm_container_registry');
    expect(body).toEqual({ name: 'myContainerRegistry', resource_group_name: 'myResourceGroup' });
    expect(json.resource).toBeUndefined();
  });

  test('attributes reference the data source', () => {
    // GIVEN
    const stack = newStack();
    const reg = ContainerRegistry.fromLookup(stack, 'Registry', { registryName: 'myContainerRegistry', resourceGroupName: 'myResourceGroup' });
    // WHEN
    const out = outputsOf(stack, { id: reg.registryId, name: reg.registryName, server: reg.loginServer });
    // THEN
    const { key } = onlyBlock(synth(stack).data, 'azurerm_container_registry');
    expect(out).toEqual({
      id: `\${data.azurerm_container_registry.${key}.id}`,
      name: `\${data.azurerm_container_registry.${key}.name}`,
      server: `\${data.azurerm_container_registry.${key}.login_server}`,
    });
    expect(reg.roleAssignmentMode).toBe(RoleAssignmentMode.REGISTRY_PERMISSIONS);
  });

  test('exposes the data source as the escape hatch "data", child "Default"', () => {
    // GIVEN
    const stack = newStack();
    const reg = ContainerRegistry.fromLookup(stack, 'Registry', { registryName: 'myContainerRegistry', resourceGroupName: 'myResourceGroup' });
    // WHEN the data source's other attributes are read through the returned type
    const data: DataAzurermContainerRegistry = reg.data;
    const out = outputsOf(stack, { sku: data.sku, admin: String(data.adminEnabled) });
    // THEN
    expect(reg.node.findChild('Default')).toBe(data);
    expect(data).toBeInstanceOf(DataAzurermContainerRegistry);
    const { key } = onlyBlock(synth(stack).data, 'azurerm_container_registry');
    expect(out).toEqual({
      sku: `\${data.azurerm_container_registry.${key}.sku}`,
      admin: `\${data.azurerm_container_registry.${key}.admin_enabled}`,
    });
  });

  test.each<[string, unknown]>([
    ['no options', undefined],
    ['empty options', {}],
    ['null names', { registryName: null, resourceGroupName: null }],
  ])('a plain-JavaScript caller with %s gets the missing names listed, not a TypeError', (_, options) => {
    // WHEN
    const error = validationErrorOf(() =>
      ContainerRegistry.fromLookup(newStack(), 'Registry', options as ContainerRegistryLookupOptions));
    // THEN
    expect(error.constructPath).toBe('TestStack/Registry');
    expect(error.problems.map((p) => [p.property, p.message])).toEqual([
      ['registryName', 'is required but was not given'],
      ['resourceGroupName', 'is required but was not given'],
    ]);
    expect(error.problems[0].fix).toMatch(/az acr list --query \[\]\.name/);
  });

  test('refuses a bad name and resource group in one error', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const error = validationErrorOf(() =>
      ContainerRegistry.fromLookup(stack, 'Registry', { registryName: 'my_registry', resourceGroupName: 'bad/group' }));
    // THEN
    expect(error.constructPath).toBe('TestStack/Registry');
    expect(error.problems).toEqual([
      expect.objectContaining({ property: 'registryName', value: 'my_registry' }),
      expect.objectContaining({ property: 'resourceGroupName', value: 'bad/group' }),
    ]);
  });

  test('lets tokens through', () => {
    const stack = newStack();
    const v = new TerraformVariable(stack, 'name', { type: 'string' });
    ContainerRegistry.fromLookup(stack, 'Registry', { registryName: v.stringValue, resourceGroupName: v.stringValue });
    expect(onlyBlock(synth(stack).data, 'azurerm_container_registry').body.name).toBe('${var.name}');
  });
});

describe('ContainerRegistry.fromRegistryAttributes', () => {
  test('synthesizes nothing: no data source, no resource', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    ContainerRegistry.fromRegistryAttributes(stack, 'Registry', { registryId: REGISTRY_ID });
    // THEN
    const json = synth(stack);
    expect(json.data).toBeUndefined();
    expect(json.resource).toBeUndefined();
  });

  test('derives registryName and a lowercase loginServer from a literal ID', () => {
    // WHEN
    const reg = ContainerRegistry.fromRegistryAttributes(newStack(), 'Registry', { registryId: REGISTRY_ID });
    // THEN
    expect(reg.registryId).toBe(REGISTRY_ID);
    expect(reg.registryName).toBe('myContainerRegistry');
    expect(reg.loginServer).toBe('mycontainerregistry.azurecr.io');
    expect(reg.roleAssignmentMode).toBe(RoleAssignmentMode.REGISTRY_PERMISSIONS);
  });

  test('accepts the lowercase "resourcegroups" form that az prints', () => {
    const id = REGISTRY_ID.replace('resourceGroups', 'resourcegroups');
    expect(ContainerRegistry.fromRegistryAttributes(newStack(), 'Registry', { registryId: id }).registryName).toBe('myContainerRegistry');
  });

  test('uses the given name, login server and mode over derived ones', () => {
    const reg = ContainerRegistry.fromRegistryAttributes(newStack(), 'Registry', {
      registryId: REGISTRY_ID,
      registryName: 'otherName1',
      loginServer: 'myregistry.azurecr.us',
      roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS,
    });
    expect(reg.registryName).toBe('otherName1');
    expect(reg.loginServer).toBe('myregistry.azurecr.us');
    expect(reg.roleAssignmentMode).toBe(RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS);
  });

  test('derives the name and login server from a token ID with Terraform functions', () => {
    // GIVEN
    const stack = newStack();
    const id = new TerraformVariable(stack, 'registryId', { type: 'string' });
    // WHEN
    const reg = ContainerRegistry.fromRegistryAttributes(stack, 'Registry', { registryId: id.stringValue });
    // THEN
    expect(outputsOf(stack, { name: reg.registryName, server: reg.loginServer })).toEqual({
      name: '${element(split("/", var.registryId), 8)}',
      server: '${lower(element(split("/", var.registryId), 8))}.azurecr.io',
    });
  });

  test.each([
    ['an identity ID', `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myACRId`],
    ['a name', 'myContainerRegistry'],
    ['a resource group ID', `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg`],
    ['a registry ID with a trailing segment', `${REGISTRY_ID}/replications/eastus`],
  ])('refuses %s as registryId', (_, registryId) => {
    const error = validationErrorOf(() => ContainerRegistry.fromRegistryAttributes(newStack(), 'Registry', { registryId }));
    expect(error.problems).toEqual([expect.objectContaining({ property: 'registryId', value: registryId })]);
    expect(error.problems[0].fix).toMatch(/az acr show --query id/);
  });

  test('refuses an ID whose last segment is not a registry name', () => {
    const registryId = REGISTRY_ID.replace('myContainerRegistry', 'my-registry');
    const error = validationErrorOf(() => ContainerRegistry.fromRegistryAttributes(newStack(), 'Registry', { registryId }));
    expect(error.problems).toEqual([expect.objectContaining({ property: 'registryId', value: registryId })]);
    expect(error.problems[0].message).toMatch(/5-50 letters and digits/);
  });

  test('refuses a bad registryName', () => {
    const error = validationErrorOf(() =>
      ContainerRegistry.fromRegistryAttributes(newStack(), 'Registry', { registryId: REGISTRY_ID, registryName: 'a-b' }));
    expect(error.problems).toEqual([expect.objectContaining({ property: 'registryName', value: 'a-b' })]);
  });

  test.each<[string, unknown]>([
    ['no attributes', undefined],
    ['no registryId', { registryName: 'myContainerRegistry' }],
    ['a null registryId', { registryId: null }],
  ])('a plain-JavaScript caller with %s gets registryId named, not a TypeError', (_, attrs) => {
    // WHEN
    const error = validationErrorOf(() =>
      ContainerRegistry.fromRegistryAttributes(newStack(), 'Registry', attrs as ContainerRegistryAttributes));
    // THEN
    expect(error.constructPath).toBe('TestStack/Registry');
    expect(error.problems).toEqual([expect.objectContaining({ property: 'registryId', message: 'is required but was not given' })]);
    expect(error.problems[0].fix).toMatch(/az acr show --query id/);
  });
});

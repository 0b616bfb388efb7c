import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { UserAssignedIdentity } from '../lib/identity';
import { ContainerRegistry, RegistrySku, RoleAssignmentMode } from '../lib/registry';
import { RegistryRole } from '../lib/registry-role';
import { expectValidTerraform, providerSchemas, validateTerraformJson } from './support/schema';
import { bothIdentitiesVm, existingSubnetVm, systemAssignedVm, userAssignedVm } from './support/docker-vm-stacks';

const RG = 'myResourceGroup';
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const REGISTRY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ContainerRegistry/registries/otherRegistry`;

/** A valid VM whose parts each test breaks one at a time. */
function vm(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'myDockerVM',
    resource_group_name: RG,
    location: 'eastus',
    size: 'Standard_B2s',
    network_interface_ids: ['${azurerm_network_interface.nic.id}'],
    admin_username: 'azureuser',
    admin_ssh_key: [{ username: 'azureuser', public_key: 'ssh-rsa AAAA' }],
    os_disk: { caching: 'ReadWrite', storage_account_type: 'Standard_LRS' },
    identity: { type: 'UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.id.id}'] },
    ...overrides,
  };
}

/** The problems of `body` as a VM, after a JSON round trip (which drops undefined, as synth does). */
function problemsOf(body: Record<string, unknown>): string[] {
  const json = JSON.stringify({ resource: { azurerm_linux_virtual_machine: { vm: body } } });
  return validateTerraformJson(JSON.parse(json));
}

describe('validateTerraformJson', () => {
  test('accepts a valid resource, with nested blocks as an object or an array', () => {
    // GIVEN a VM whose os_disk is an object and admin_ssh_key an array of objects
    // WHEN validated / THEN no problem
    expect(problemsOf(vm())).toEqual([]);
    expect(problemsOf(vm({ os_disk: [{ caching: 'ReadWrite', storage_account_type: 'Standard_LRS' }] }))).toEqual([]);
  });

  test('accepts expressions for any type, and literals Terraform converts', () => {
    // GIVEN an expression for a list, numbers and bools written as strings, a number for a string
    const body = vm({
      network_interface_ids: '${azurerm_network_interface.nic[*].id}',
      max_bid_price: '0.5',
      platform_fault_domain: '${var.fault_domain}',
      encryption_at_host_enabled: 'true',
      secure_boot_enabled: false,
      computer_name: 42,
      tags: { owner: 'me', cost: 3 },
    });
    // THEN no problem
    expect(problemsOf(body)).toEqual([]);
  });

  test('accepts Terraform meta-arguments and null (unset) arguments', () => {
    const body = vm({
      '//': { metadata: { path: 'stack/vm' } },
      depends_on: ['azurerm_role_assignment.pull'],
      count: 2,
      provider: 'azurerm.other',
      lifecycle: { ignore_changes: ['tags'] },
      provisioner: [{ 'local-exec': { command: 'echo hi' } }],
      connection: { type: 'ssh' },
      license_type: null,
    });
    expect(problemsOf(body)).toEqual([]);
  });

  test('reports an unknown argument', () => {
    expect(problemsOf(vm({ admin_pasword: 'x' }))).toEqual([
      expect.stringMatching(/^resource\.azurerm_linux_virtual_machine\.vm\.admin_pasword: unknown argument/),
    ]);
  });

  test('reports a missing required argument, also when null', () => {
    expect(problemsOf(vm({ size: undefined }))).toEqual([
      'resource.azurerm_linux_virtual_machine.vm: missing required argument "size"',
    ]);
    expect(problemsOf(vm({ size: null }))).toEqual([
      'resource.azurerm_linux_virtual_machine.vm: missing required argument "size"',
    ]);
  });

  test('reports a missing required block', () => {
    expect(problemsOf(vm({ os_disk: undefined }))).toEqual([
      expect.stringContaining('missing required block "os_disk"'),
    ]);
  });

  test('reports a computed-only argument that is set', () => {
    expect(problemsOf(vm({ public_ip_address: '1.2.3.4' }))).toEqual([
      expect.stringMatching(/\.public_ip_address: is computed by the provider and cannot be set/),
    ]);
  });

  test.each([
    ['a word for a number', { max_bid_price: 'cheap' }, /max_bid_price: expected number, got "cheap"/],
    ['a word for a bool', { secure_boot_enabled: 'yes' }, /secure_boot_enabled: expected bool, got "yes"/],
    ['an object for a string', { size: { name: 'B2s' } }, /size: expected string/],
    ['a string for a list', { network_interface_ids: 'nic-1' }, /network_interface_ids: expected a list/],
    ['a list for a map', { tags: ['a'] }, /tags: expected a map/],
    ['a wrong list element', { network_interface_ids: [['nested']] }, /network_interface_ids\[0\]: expected string/],
  ])('reports a wrong literal type: %s', (_, overrides, problem) => {
    expect(problemsOf(vm(overrides))).toEqual([expect.stringMatching(problem)]);
  });

  test('reports object attributes that are unknown or missing (attributes as blocks in JSON)', () => {
    // GIVEN an NSG security_rule, an attribute of type set(object): JSON must give every field
    const problems = validateTerraformJson({
      resource: {
        azurerm_network_security_group: {
          nsg: { name: 'nsg', resource_group_name: RG, location: 'eastus', security_rule: [{ name: 'ssh', port: 22 }] },
        },
      },
    });
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/security_rule\[0\]\.port: unknown object attribute/),
      expect.stringMatching(/security_rule\[0\]: missing object attribute "priority"/),
    ]));
  });

  test('reports too many blocks in a max_items=1 block', () => {
    const disk = { caching: 'ReadWrite', storage_account_type: 'Standard_LRS' };
    expect(problemsOf(vm({ os_disk: [disk, disk] }))).toEqual([
      'resource.azurerm_linux_virtual_machine.vm.os_disk: at most 1 block(s) allowed, got 2',
    ]);
  });

  test('reports unknown and missing arguments inside nested blocks, recursively', () => {
    const body = vm({
      identity: { type: 'UserAssigned', identity_idz: [] },
      os_disk: { caching: 'ReadWrite', storage_account_type: 'Standard_LRS', diff_disk_settings: { placement: 'CacheDisk' } },
    });
    expect(problemsOf(body)).toEqual([
      expect.stringMatching(/\.vm\.os_disk\[0\]\.diff_disk_settings\[0\]: missing required argument "option"/),
      expect.stringMatching(/\.vm\.identity\[0\]\.identity_idz: unknown argument/),
    ]);
  });

  test('checks the content of dynamic blocks', () => {
    const body = vm({
      admin_ssh_key: undefined,
      dynamic: { admin_ssh_key: { for_each: '${var.keys}', content: { username: 'azureuser', key: 'x' } } },
    });
    expect(problemsOf(body)).toEqual([
      expect.stringMatching(/dynamic\.admin_ssh_key\.content\.key: unknown argument/),
      expect.stringMatching(/dynamic\.admin_ssh_key\.content: missing required argument "public_key"/),
    ]);
  });

  test('checks data sources, where provisioners are not allowed', () => {
    const problems = validateTerraformJson({
      data: { azurerm_container_registry: { acr: { name: 'acr1', provisioner: [], login_server: 'x' } } },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^data\.azurerm_container_registry\.acr\.provisioner: unknown argument/),
      expect.stringMatching(/\.login_server: is computed by the provider/),
      'data.azurerm_container_registry.acr: missing required argument "resource_group_name"',
    ]);
  });

  test('reports a type with no schema in the fixture, saying how to add it', () => {
    const problems = validateTerraformJson({ resource: { azurerm_key_vault: { kv: {} } } });
    expect(problems).toEqual([expect.stringMatching(/^resource\.azurerm_key_vault: no schema .* add it to scripts\/cut-schemas\.js/)]);
  });

  test('expectValidTerraform fails listing every problem', () => {
    const json = JSON.stringify({ resource: { azurerm_linux_virtual_machine: { vm: vm({ size: undefined, colour: 'red' }) } } });
    expect(() => expectValidTerraform(json)).toThrow(/colour: unknown argument[\s\S]*missing required argument "size"/);
  });

  test('the fixture is cut from the provider versions the installed bindings generate for', () => {
    // GIVEN the installed provider bindings
    const stack = new TerraformStack(Testing.app(), 'Versions');
    const azurerm = new RoleAssignment(stack, 'Ra', { scope: 's', principalId: 'p' }).terraformGeneratorMetadata;
    const nullProvider = new NullResource(stack, 'Null').terraformGeneratorMetadata;
    // THEN the fixture's schemas are of the same versions (else re-run scripts/cut-schemas.js); terraform_data
    // comes from Terraform's built-in provider, which has no binding: its version is the Terraform that printed it
    expect(providerSchemas.provider_versions).toEqual({
      [`registry.terraform.io/hashicorp/${azurerm?.providerName}`]: azurerm?.providerVersion,
      [`registry.terraform.io/hashicorp/${nullProvider?.providerName}`]: nullProvider?.providerVersion,
      'terraform.io/builtin/terraform': '1.11.4',
    });
  });
});

/** What the library synthesizes. One line per stack: [description, () => stack]. */
const STACKS: Array<[string, () => TerraformStack]> = [
  ['ContainerRegistry with every prop, granted to an identity', registryWithEveryProp],
  ['ContainerRegistry.fromLookup, granted pull and push', lookedUpRegistry],
  ['ContainerRegistry.fromRegistryAttributes, granted custom roles', importedRegistry],
  ['DockerVirtualMachine with a system-assigned identity, public IP and SSH rule', () => systemAssignedVm().stack],
  ['DockerVirtualMachine with a user-assigned identity', () => userAssignedVm().stack],
  ['DockerVirtualMachine with both identity kinds and two registries', () => bothIdentitiesVm().stack],
  ['DockerVirtualMachine in an existing subnet, every optional prop set', () => existingSubnetVm().stack],
];

describe('the synthesized Terraform fits the provider schemas', () => {
  test.each(STACKS)('%s', (_, makeStack) => {
    // GIVEN a stack / WHEN synthesized
    const json = Testing.synth(makeStack());
    const parsed = JSON.parse(json);
    // THEN it has blocks to check, and every one fits its schema
    expect(Object.keys({ ...parsed.resource, ...parsed.data })).not.toHaveLength(0);
    expectValidTerraform(json);
  });
});

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'Test');
}

function registryWithEveryProp(): TerraformStack {
  const stack = newStack();
  const registry = new ContainerRegistry(stack, 'Registry', {
    name: 'myContainerRegistry',
    resourceGroupName: RG,
    location: 'eastus',
    sku: RegistrySku.PREMIUM,
    adminUserEnabled: false,
    anonymousPullEnabled: true,
    publicNetworkAccessEnabled: false,
    zoneRedundancyEnabled: true,
    retentionPolicyInDays: 7,
    tags: { env: 'test' },
  });
  const identity = new UserAssignedIdentity(stack, 'AcrIdentity', {
    name: 'myACRId', resourceGroupName: RG, location: 'eastus', tags: { env: 'test' },
  });
  registry.grantPull(identity);
  registry.grantPush(identity);
  registry.grant(identity, RegistryRole.ACR_DELETE);
  return stack;
}

function lookedUpRegistry(): TerraformStack {
  const stack = newStack();
  const registry = ContainerRegistry.fromLookup(stack, 'Registry', {
    registryName: 'myContainerRegistry', resourceGroupName: RG,
  });
  const identity = new UserAssignedIdentity(stack, 'AcrIdentity', { name: 'myACRId', resourceGroupName: RG, location: 'eastus' });
  registry.grantPull(identity);
  registry.grantPush(identity);
  return stack;
}

function importedRegistry(): TerraformStack {
  const stack = newStack();
  const registry = ContainerRegistry.fromRegistryAttributes(stack, 'Registry', {
    registryId: REGISTRY_ID, roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS,
  });
  const identity = new UserAssignedIdentity(stack, 'AcrIdentity', { name: 'myACRId', resourceGroupName: RG, location: 'eastus' });
  const imported = UserAssignedIdentity.fromIdentityAttributes(stack, 'Imported', {
    identityId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/other`,
    principalId: '11111111-1111-1111-1111-111111111111',
    clientId: '22222222-2222-2222-2222-222222222222',
  });
  registry.grantPull(identity);
  registry.grantPush(imported);
  registry.grant(identity, RegistryRole.fromRoleDefinitionId('33333333-3333-3333-3333-333333333333', 'ByGuid'));
  registry.grant(identity, RegistryRole.fromRoleDefinitionId(
    `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/44444444-4444-4444-4444-444444444444`));
  const customRoleId = new TerraformVariable(stack, 'customRoleId', { type: 'string' }).stringValue;
  registry.grant(identity, RegistryRole.fromRoleDefinitionId(customRoleId, 'ByToken'));
  registry.grant(identity, RegistryRole.fromRoleName('My Registry Role'));
  return stack;
}

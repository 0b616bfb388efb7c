import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Aspects, App, TerraformStack, Testing } from 'cdktf';
import { AzureSecurityChecks, securityFindingsOf } from '../lib';
import { ExampleConfig, defaultSshPublicKey, readExampleConfig } from '../examples/config';
import { PUBLIC_IP_SUPPRESSION, PUBLIC_REGISTRY_SUPPRESSION } from '../examples/tutorial';
import { AKS_PRIVATE_REGISTRY_REFUSAL, AksExample } from '../examples/aks/stack';
import { SystemAssignedIdentityExample } from '../examples/system-assigned/stack';
import { UserAssignedIdentityExample } from '../examples/user-assigned/stack';
import { loginLines, textOf } from './support/login-data';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII+7PpBGMViOridW3Iq4miX8E4H8P1Thxj3lndP8GBb7 test@example';
const ACR_PULL = '7f951dda-4ed3-4680-a7ca-43fe172d538d';

/** The defaults, as readExampleConfig gives them with no environment, but with a fixed key. */
function config(overrides: Partial<ExampleConfig> = {}): ExampleConfig {
  return { ...readExampleConfig(Testing.app(), { ACR_DEMO_SSH_PUBLIC_KEY: SSH_KEY }), ...overrides };
}

type Variant = typeof UserAssignedIdentityExample | typeof SystemAssignedIdentityExample | typeof AksExample;

function synth(variant: Variant, overrides: Partial<ExampleConfig> = {}): { text: string; json: any } {
  const app = Testing.app();
  const stack: TerraformStack = new variant(app, 'example', config(overrides));
  const text = Testing.synth(stack, true);
  return { text, json: JSON.parse(text) };
}

/** The registry logins in the VM's user data, one line each. */
function loginCommands(json: any, vm: any): string[] {
  return loginLines(textOf(json, vm.user_data));
}

function only(json: any, kind: 'resource' | 'data', type: string): any {
  const blocks = Object.values(json[kind]?.[type] ?? {});
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

describe.each([
  ['user-assigned', UserAssignedIdentityExample],
  ['system-assigned', SystemAssignedIdentityExample],
] as const)('the %s example', (_name, variant) => {
  test('synthesizes the same Terraform JSON as the reviewed snapshot', () => {
    expect(synth(variant).text).toMatchSnapshot();
  });

  test('synthesizes byte-identical output twice', () => {
    expect(synth(variant).text).toEqual(synth(variant).text);
  });

  test.each([
    ['defaults', {}],
    ['an existing resource group and registry, no image import', { useExistingResourceGroup: true, useExistingRegistry: true, importSampleImage: false, registryName: 'myContainerRegistry' }],
    ['remote state', { backend: { resourceGroupName: 'tfstate-rg', storageAccountName: 'tfstatestore', containerName: 'tfstate' } }],
  ])('is valid against the provider schemas with %s', (_case, overrides) => {
    expectValidTerraform(synth(variant, overrides).text);
  });

  test('grants AcrPull at the registry scope and imports the sample image after the registry exists', () => {
    const { json } = synth(variant);
    const assignment = only(json, 'resource', 'azurerm_role_assignment');
    expect(assignment.scope).toBe('${azurerm_container_registry.Registry.id}');
    expect(assignment.role_definition_id).toMatch(new RegExp(`/roleDefinitions/${ACR_PULL}$`));
    expect(assignment.principal_type).toBe('ServicePrincipal');
    const importer = only(json, 'resource', 'null_resource');
    expect(importer.triggers).toEqual({ registry_id: '${azurerm_container_registry.Registry.id}' });
    expect(importer.provisioner).toEqual([{ 'local-exec': {
      command: 'az acr import --subscription ${element(split("/", azurerm_container_registry.Registry.id), 2)} '
        + '--resource-group ${element(split("/", azurerm_container_registry.Registry.id), 4)} '
        + '--name ${azurerm_container_registry.Registry.name} --source mcr.microsoft.com/azuredocs/aci-helloworld:v1 '
        + '--image aci-helloworld:v1 --force',
    } }]);
  });

  test('creates the VM with the tutorial names, a public IP and no SSH source by default', () => {
    const { json } = synth(variant);
    const vm = only(json, 'resource', 'azurerm_linux_virtual_machine');
    expect(vm.name).toBe('myDockerVM');
    expect(vm.admin_username).toBe('azureuser');
    expect(vm.admin_ssh_key).toEqual([{ username: 'azureuser', public_key: SSH_KEY }]);
    expect(only(json, 'resource', 'azurerm_public_ip').sku).toBe('Standard');
    // No SSH source: the only rule denies SSH from everywhere, above Azure's AllowVnetInBound.
    expect(only(json, 'resource', 'azurerm_network_security_rule')).toMatchObject({
      access: 'Deny', direction: 'Inbound', destination_port_range: '22', source_address_prefix: '*', priority: 4096,
    });
    expect(only(json, 'resource', 'azurerm_resource_group').name).toBe('myResourceGroup');
    // The registry name is the tutorial's plus a suffix of the subscription: registry names are global.
    expect(only(json, 'resource', 'azurerm_container_registry').name)
      .toBe('myContainerRegistry${substr(sha1(data.azurerm_client_config.Client.subscription_id), 0, 8)}');
  });

  test('outputs what a user needs next', () => {
    const { json } = synth(variant);
    expect(Object.keys(json.output)).toEqual(expect.arrayContaining(
      ['public_ip_address', 'ssh_command', 'registry_login_server', 'verify_commands']));
    expect(json.output.ssh_command.value).toMatch(/^ssh azureuser@\$\{azurerm_public_ip\.\w+\.ip_address\}$/);
    expect(json.output.verify_commands.value).toContain(
      'docker pull ${azurerm_container_registry.Registry.login_server}/aci-helloworld:v1');
  });

  test('uses an existing resource group and registry by name when configured', () => {
    const { json } = synth(variant, { useExistingResourceGroup: true, useExistingRegistry: true, registryName: 'myContainerRegistry' });
    expect(json.resource.azurerm_resource_group).toBeUndefined();
    expect(json.resource.azurerm_container_registry).toBeUndefined();
    expect(only(json, 'data', 'azurerm_resource_group')).toMatchObject({ name: 'myResourceGroup' });
    expect(only(json, 'data', 'azurerm_container_registry')).toMatchObject({
      name: 'myContainerRegistry', resource_group_name: '${data.azurerm_resource_group.ResourceGroup.name}',
    });
    expect(only(json, 'resource', 'azurerm_role_assignment').scope).toBe('${data.azurerm_container_registry.Registry.id}');
  });

  test('leaves the image import out when switched off', () => {
    expect(synth(variant, { importSampleImage: false }).json.resource.null_resource).toBeUndefined();
  });

  test('keeps state in Azure Storage, one blob per stack, when configured', () => {
    const { json } = synth(variant, { backend: { resourceGroupName: 'tfstate-rg', storageAccountName: 'tfstatestore', containerName: 'tfstate' } });
    expect(json.terraform.backend.azurerm).toEqual({
      resource_group_name: 'tfstate-rg', storage_account_name: 'tfstatestore', container_name: 'tfstate',
      key: 'example.tfstate', use_azuread_auth: true,
    });
  });

  test.each([
    ['defaults', {}],
    ['SSH open to one admin range', { sshSourceAddressPrefixes: ['203.0.113.4/32'] }],
  ])('passes the policy check with %s: no unsuppressed finding, and the one suppression explained', (_case, overrides) => {
    const app = Testing.app();
    const stack = new variant(app, 'example', config(overrides));
    Testing.synth(stack);
    const checks = Aspects.of(stack).all.find((a): a is AzureSecurityChecks => a instanceof AzureSecurityChecks);
    expect(checks).toBeDefined();
    expect(checks!.findings.filter((f) => f.suppressionReason === undefined)).toEqual([]);
    expect(checks!.findings.map((f) => [f.ruleId, f.suppressionReason])).toEqual([
      ['AZ-ACR-003', PUBLIC_REGISTRY_SUPPRESSION.reason],
      ['AZ-NET-003', PUBLIC_IP_SUPPRESSION.reason],
    ]);
  });

  test('never puts a private key or password in the Terraform JSON', () => {
    const { text } = synth(variant);
    expect(text).not.toMatch(/PRIVATE KEY|admin_password/);
  });
});

describe('the user-assigned example', () => {
  test('gives the identity AcrPull and the VM logs in with its client ID', () => {
    const { json } = synth(UserAssignedIdentityExample);
    expect(only(json, 'resource', 'azurerm_user_assigned_identity').name).toBe('myACRId');
    expect(only(json, 'resource', 'azurerm_role_assignment').principal_id)
      .toBe('${azurerm_user_assigned_identity.AcrIdentity.principal_id}');
    const vm = only(json, 'resource', 'azurerm_linux_virtual_machine');
    expect(vm.identity).toEqual({ type: 'UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.AcrIdentity.id}'] });
    expect(loginCommands(json, vm)).toEqual([
      'login registry=${azurerm_container_registry.Registry.name} '
        + 'login_server=${azurerm_container_registry.Registry.login_server} '
        + 'client_id=${azurerm_user_assigned_identity.AcrIdentity.client_id} images=aci-helloworld:v1',
    ]);
    expect(json.output.identity_client_id.value).toBe('${azurerm_user_assigned_identity.AcrIdentity.client_id}');
  });
});

describe('the system-assigned example', () => {
  test('gives the VM\'s own identity AcrPull and the VM logs in without a client ID', () => {
    const { json } = synth(SystemAssignedIdentityExample);
    expect(json.resource.azurerm_user_assigned_identity).toBeUndefined();
    const vm = only(json, 'resource', 'azurerm_linux_virtual_machine');
    expect(vm.identity).toEqual({ type: 'SystemAssigned' });
    expect(only(json, 'resource', 'azurerm_role_assignment').principal_id)
      .toBe('${azurerm_linux_virtual_machine.DockerVm.identity[0].principal_id}');
    expect(loginCommands(json, vm)).toEqual([
      'login registry=${azurerm_container_registry.Registry.name} '
        + 'login_server=${azurerm_container_registry.Registry.login_server} client_id= images=aci-helloworld:v1',
    ]);
  });
});

describe('the AKS example', () => {
  test('synthesizes the same Terraform JSON as the reviewed snapshot', () => {
    expect(synth(AksExample).text).toMatchSnapshot();
  });

  test('synthesizes byte-identical output twice', () => {
    expect(synth(AksExample).text).toEqual(synth(AksExample).text);
  });

  test.each([
    ['defaults', {}],
    ['an existing resource group and registry, no image import', { useExistingResourceGroup: true, useExistingRegistry: true, importSampleImage: false, registryName: 'myContainerRegistry' }],
    ['remote state', { backend: { resourceGroupName: 'tfstate-rg', storageAccountName: 'tfstatestore', containerName: 'tfstate' } }],
  ])('is valid against the provider schemas with %s', (_case, overrides) => {
    expectValidTerraform(synth(AksExample, overrides).text);
  });

  test('creates one small node pool and a system-assigned control-plane identity, named by the configuration', () => {
    const { json } = synth(AksExample, { aksClusterName: 'team_cluster-1', aksNodeSize: 'Standard_B2s', aksNodeCount: 2 });
    const cluster = only(json, 'resource', 'azurerm_kubernetes_cluster');
    expect(cluster).toMatchObject({
      name: 'team_cluster-1',
      dns_prefix: 'teamcluster-1', // DNS prefixes take no underscores
      resource_group_name: '${azurerm_resource_group.ResourceGroup.name}',
      identity: { type: 'SystemAssigned' },
      default_node_pool: { name: 'system', vm_size: 'Standard_B2s', node_count: 2, upgrade_settings: { max_surge: '10%' } },
    });
    expect(cluster).not.toHaveProperty('service_principal');
  });

  test('grants AcrPull on the registry to the kubelet identity, as az aks update --attach-acr does, never to the control plane', () => {
    const { json } = synth(AksExample);
    const assignment = only(json, 'resource', 'azurerm_role_assignment');
    expect(assignment).toMatchObject({
      principal_id: '${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}',
      principal_type: 'ServicePrincipal',
      skip_service_principal_aad_check: true,
      scope: '${azurerm_container_registry.Registry.id}',
    });
    expect(assignment.role_definition_id).toMatch(new RegExp(`/roleDefinitions/${ACR_PULL}$`));
    expect(Object.keys(json.resource.azurerm_role_assignment)).toEqual([expect.stringMatching(/^Registry_AcrPull-Aks-KubeletIdentity_/)]);
    expect(json.resource.azurerm_linux_virtual_machine).toBeUndefined();
  });

  test('outputs the verification commands: get-credentials, check-acr, a pod running the sample image', () => {
    const { json } = synth(AksExample);
    const names = '--subscription ${element(split("/", azurerm_kubernetes_cluster.Aks.id), 2)} '
      + '--resource-group ${azurerm_kubernetes_cluster.Aks.resource_group_name} --name ${azurerm_kubernetes_cluster.Aks.name}';
    expect(json.output.verify_commands.value).toEqual([
      `az aks get-credentials ${names} --overwrite-existing`,
      `az aks check-acr ${names} --acr \${azurerm_container_registry.Registry.login_server}`,
      'kubectl run acr-pull-test --image ${azurerm_container_registry.Registry.login_server}/aci-helloworld:v1 --port 80',
      'kubectl get pod acr-pull-test',
    ]);
    expect(json.output.kubelet_identity_object_id.value).toBe('${azurerm_kubernetes_cluster.Aks.kubelet_identity[0].object_id}');
    expect(json.output.registry_login_server.value).toBe('${azurerm_container_registry.Registry.login_server}');
  });

  test('shares the tutorial\'s registry and sample image', () => {
    const { json } = synth(AksExample);
    expect(only(json, 'resource', 'azurerm_container_registry')).toMatchObject({ admin_enabled: false, anonymous_pull_enabled: false });
    expect(only(json, 'resource', 'null_resource').triggers).toEqual({ registry_id: '${azurerm_container_registry.Registry.id}' });
  });

  test('passes the policy check with no finding but the public registry, suppressed with its reason', () => {
    const app = Testing.app();
    const stack = new AksExample(app, 'example', config());
    Testing.synth(stack);
    const checks = Aspects.of(stack).all.find((a): a is AzureSecurityChecks => a instanceof AzureSecurityChecks);
    expect(checks).toBeDefined();
    expect(checks!.findings.map((f) => [f.ruleId, f.suppressionReason])).toEqual([
      ['AZ-ACR-003', PUBLIC_REGISTRY_SUPPRESSION.reason],
    ]);
  });
});

describe.each([
  ['user-assigned', UserAssignedIdentityExample],
  ['system-assigned', SystemAssignedIdentityExample],
  ['aks', AksExample],
] as const)('the %s example on an ABAC registry (ACR_DEMO_ABAC_REGISTRY)', (_name, variant) => {
  const READER = 'b93aa761-3e63-49ed-ac28-beffa264f7ac';
  const NAME = '@Request[Microsoft.ContainerRegistry/registries/repositories:name]';

  test('switches a new registry to ABAC mode before the grant, which is Repository Reader on the image\'s repository only', () => {
    const { text, json } = synth(variant, { abacRegistry: true });

    const mode = only(json, 'resource', 'terraform_data');
    expect(mode.provisioner[0]['local-exec'].command).toBe(
      'az acr update --ids "${azurerm_container_registry.Registry.id}" --role-assignment-mode rbac-abac --output none');
    const grant = only(json, 'resource', 'azurerm_role_assignment');
    expect(grant.role_definition_id).toMatch(new RegExp(`${READER}$`));
    expect(grant.condition_version).toBe('2.0');
    expect(grant.condition).toContain(`${NAME} StringEqualsIgnoreCase 'aci-helloworld'`);
    expect(grant.condition).not.toContain('StringStartsWith');
    expect(grant.depends_on).toEqual(['terraform_data.Registry_RoleAssignmentMode_7897F19A']);
    expectValidTerraform(text);
  });

  test('a configured image names its repository; an existing registry is declared ABAC and not switched', () => {
    const { json } = synth(variant, { abacRegistry: true, useExistingRegistry: true, image: 'team-a/app@sha256:' + 'a'.repeat(64) });

    expect(json.resource.terraform_data).toBeUndefined();
    const grant = only(json, 'resource', 'azurerm_role_assignment');
    expect(grant.role_definition_id).toMatch(new RegExp(`${READER}$`));
    expect(grant.condition).toContain(`${NAME} StringEqualsIgnoreCase 'team-a/app'`);
  });

  test('off by default: AcrPull on every repository, no condition, no switch', () => {
    const { json } = synth(variant);

    expect(json.resource.terraform_data).toBeUndefined();
    const grant = only(json, 'resource', 'azurerm_role_assignment');
    expect(grant.role_definition_id).toMatch(new RegExp(`${ACR_PULL}$`));
    expect(grant.condition).toBeUndefined();
  });
});

describe.each([
  ['user-assigned', UserAssignedIdentityExample],
  ['system-assigned', SystemAssignedIdentityExample],
] as const)('the private variant of the %s example (ACR_DEMO_PRIVATE_REGISTRY)', (_name, variant) => {
  const PRIVATE = { privateRegistry: true };

  test('synthesizes the same Terraform JSON as the reviewed snapshot, valid against the provider schemas', () => {
    const { text } = synth(variant, PRIVATE);
    expectValidTerraform(text);
    expect(text).toMatchSnapshot();
  });

  test('the registry is Premium with public network access off; trusted services still import into it', () => {
    const { json } = synth(variant, PRIVATE);
    expect(only(json, 'resource', 'azurerm_container_registry')).toMatchObject({
      sku: 'Premium', public_network_access_enabled: false, network_rule_bypass_option: 'AzureServices',
    });
    expect(only(json, 'resource', 'null_resource').provisioner[0]['local-exec'].command).toMatch(/^az acr import /);
  });

  test('the endpoint is in the VM\'s subnet, for the registry, and the zone is linked to the VM\'s virtual network', () => {
    const { json } = synth(variant, PRIVATE);
    const [subnet] = Object.keys(json.resource.azurerm_subnet);
    const endpoint = only(json, 'resource', 'azurerm_private_endpoint');
    expect(endpoint.subnet_id).toBe(`\${azurerm_subnet.${subnet}.id}`);
    expect(endpoint.private_service_connection).toMatchObject({
      private_connection_resource_id: '${azurerm_container_registry.Registry.id}', subresource_names: ['registry'],
    });
    const [zone] = Object.keys(json.resource.azurerm_private_dns_zone);
    expect(json.resource.azurerm_private_dns_zone[zone].name).toBe('privatelink.azurecr.io');
    expect(endpoint.private_dns_zone_group).toMatchObject({ private_dns_zone_ids: [`\${azurerm_private_dns_zone.${zone}.id}`] });
    // The VM's network: its subnet's ID without the subnet segments.
    expect(only(json, 'resource', 'azurerm_private_dns_zone_virtual_network_link').virtual_network_id)
      .toBe(`\${join("/", slice(split("/", azurerm_subnet.${subnet}.id), 0, 9))}`);
    expect(json.resource.azurerm_subnet[subnet].virtual_network_name).toMatch(/^\$\{azurerm_virtual_network\./);
  });

  test('the VM is created after the endpoint, so that its first pull resolves the registry privately', () => {
    const { json } = synth(variant, PRIVATE);
    const [endpoint] = Object.keys(json.resource.azurerm_private_endpoint);
    expect(only(json, 'resource', 'azurerm_linux_virtual_machine').depends_on).toContain(`azurerm_private_endpoint.${endpoint}`);
  });

  test('outputs the endpoint\'s address and an nslookup of the login server to run on the VM', () => {
    const { json } = synth(variant, PRIVATE);
    const [endpoint] = Object.keys(json.resource.azurerm_private_endpoint);
    expect(json.output.private_endpoint_ip.value).toBe(`\${azurerm_private_endpoint.${endpoint}.private_service_connection[0].private_ip_address}`);
    expect(json.output.verify_commands.value[0]).toBe('nslookup ${azurerm_container_registry.Registry.login_server}');
  });

  test('no finding of a public registry (AZ-ACR-003) and no finding at all; the public variant suppresses AZ-ACR-003', () => {
    const app = Testing.app();
    const stack = new variant(app, 'example', config(PRIVATE));
    Testing.synth(stack);
    expect(securityFindingsOf(stack)).toEqual([]);
    const checks = Aspects.of(stack).all.find((a): a is AzureSecurityChecks => a instanceof AzureSecurityChecks);
    expect(checks!.findings.map((f) => f.ruleId)).not.toContain('AZ-ACR-003');
    // The neighbour: the public variant has the finding, suppressed with its reason.
    const publicStack = new variant(Testing.app(), 'public', config());
    Testing.synth(publicStack);
    const publicChecks = Aspects.of(publicStack).all.find((a): a is AzureSecurityChecks => a instanceof AzureSecurityChecks);
    expect(publicChecks!.findings.filter((f) => f.ruleId === 'AZ-ACR-003').map((f) => f.suppressionReason))
      .toEqual([PUBLIC_REGISTRY_SUPPRESSION.reason]);
  });

  test('with an existing registry: the endpoint, with Terraform checking at plan that the registry is Premium', () => {
    const { text, json } = synth(variant, { ...PRIVATE, useExistingRegistry: true, registryName: 'myContainerRegistry' });
    expectValidTerraform(text);
    expect(json.resource.azurerm_container_registry).toBeUndefined();
    const endpoint = only(json, 'resource', 'azurerm_private_endpoint');
    expect(endpoint.lifecycle.precondition[0].condition).toBe('${(data.azurerm_container_registry.Registry.sku == "Premium")}');
  });

  test('off by default: no endpoint, no zone, the registry public and Basic', () => {
    const { json } = synth(variant);
    expect(json.resource.azurerm_private_endpoint).toBeUndefined();
    expect(json.resource.azurerm_private_dns_zone).toBeUndefined();
    expect(json.output.private_endpoint_ip).toBeUndefined();
    expect(only(json, 'resource', 'azurerm_container_registry')).toMatchObject({ sku: 'Basic', public_network_access_enabled: true });
  });
});

describe('the AKS example and the private variant', () => {
  test('refuses ACR_DEMO_PRIVATE_REGISTRY with the reason and the fix; without it, it synthesizes', () => {
    expect(() => synth(AksExample, { privateRegistry: true })).toThrow(AKS_PRIVATE_REGISTRY_REFUSAL);
    expect(AKS_PRIVATE_REGISTRY_REFUSAL).toBe('ACR_DEMO_PRIVATE_REGISTRY is set, but the AKS example has no private variant: its nodes '
      + 'are in the virtual network AKS creates in the node resource group, where this stack cannot put the registry\'s private '
      + 'endpoint and DNS zone link. Fix: deploy acr-pull-user-assigned or acr-pull-system-assigned for the private variant, '
      + 'or unset ACR_DEMO_PRIVATE_REGISTRY for acr-pull-aks.');
    expect(() => synth(AksExample, { privateRegistry: false })).not.toThrow();
  });
});

describe('main.ts', () => {
  test('declares the three example stacks', () => {
    const main = readFileSync(join(__dirname, '..', 'main.ts'), 'utf8');
    expect([...main.matchAll(/new (\w+)\(app, '([\w-]+)', config\)/g)].map((m) => [m[1], m[2]])).toEqual([
      ['UserAssignedIdentityExample', 'acr-pull-user-assigned'],
      ['SystemAssignedIdentityExample', 'acr-pull-system-assigned'],
      ['AksExample', 'acr-pull-aks'],
    ]);
  });
});

describe('readExampleConfig', () => {
  test('defaults to the tutorial\'s names', () => {
    const c = config();
    expect(c).toMatchObject({
      location: 'eastus', resourceGroupName: 'myResourceGroup', vmName: 'myDockerVM', identityName: 'myACRId',
      adminUsername: 'azureuser', image: 'aci-helloworld:v1', importSampleImage: true, abacRegistry: false, privateRegistry: false,
      aksClusterName: 'myAKSCluster', aksNodeSize: 'Standard_D2s_v5', aksNodeCount: 1,
      useExistingRegistry: false, useExistingResourceGroup: false, sshSourceAddressPrefixes: [], backend: undefined,
    });
    expect(c.registryName).toBeUndefined();
  });

  test('reads every setting from ACR_DEMO_* environment variables', () => {
    const c = readExampleConfig(Testing.app(), {
      ACR_DEMO_LOCATION: 'westeurope', ACR_DEMO_RESOURCE_GROUP_NAME: 'rg1', ACR_DEMO_REGISTRY_NAME: 'myreg12345',
      ACR_DEMO_USE_EXISTING_REGISTRY: 'true', ACR_DEMO_USE_EXISTING_RESOURCE_GROUP: '1', ACR_DEMO_IMPORT_SAMPLE_IMAGE: 'false',
      ACR_DEMO_VM_NAME: 'vm1', ACR_DEMO_IDENTITY_NAME: 'id1', ACR_DEMO_ADMIN_USERNAME: 'ops', ACR_DEMO_SSH_PUBLIC_KEY: SSH_KEY,
      ACR_DEMO_SSH_SOURCE_ADDRESS_PREFIXES: '203.0.113.4/32, 198.51.100.0/24', ACR_DEMO_IMAGE: 'app:v2',
      ACR_DEMO_STATE_STORAGE_ACCOUNT: 'tfstatestore', ACR_DEMO_STATE_RESOURCE_GROUP_NAME: 'tfstate-rg',
      ACR_DEMO_AKS_CLUSTER_NAME: 'aks1', ACR_DEMO_AKS_NODE_SIZE: 'Standard_B2s', ACR_DEMO_AKS_NODE_COUNT: '3',
      ACR_DEMO_ABAC_REGISTRY: 'yes', ACR_DEMO_PRIVATE_REGISTRY: 'on',
    });
    expect(c).toEqual({
      location: 'westeurope', resourceGroupName: 'rg1', registryName: 'myreg12345', useExistingRegistry: true,
      useExistingResourceGroup: true, importSampleImage: false, vmName: 'vm1', identityName: 'id1', adminUsername: 'ops',
      sshPublicKey: SSH_KEY, sshSourceAddressPrefixes: ['203.0.113.4/32', '198.51.100.0/24'], image: 'app:v2',
      aksClusterName: 'aks1', aksNodeSize: 'Standard_B2s', aksNodeCount: 3, abacRegistry: true, privateRegistry: true,
      backend: { storageAccountName: 'tfstatestore', resourceGroupName: 'tfstate-rg', containerName: 'tfstate' },
    });
  });

  test('refuses remote state without its own resource group: the stacks destroy theirs', () => {
    expect(() => readExampleConfig(Testing.app(), { ACR_DEMO_SSH_PUBLIC_KEY: SSH_KEY, ACR_DEMO_STATE_STORAGE_ACCOUNT: 'tfstatestore' }))
      .toThrow('ACR_DEMO_STATE_STORAGE_ACCOUNT is set but ACR_DEMO_STATE_RESOURCE_GROUP_NAME is not. '
        + 'Fix: name the resource group of the state storage account; it must not be the one the stacks create.');
  });

  test.each(['0', '1.5', 'two'])('refuses an AKS node count of %s; 1 and more pass', (count) => {
    expect(() => readExampleConfig(Testing.app(), { ACR_DEMO_SSH_PUBLIC_KEY: SSH_KEY, ACR_DEMO_AKS_NODE_COUNT: count }))
      .toThrow(`ACR_DEMO_AKS_NODE_COUNT is "${count}", not a whole number of nodes. Fix: set it to 1 or more, e.g. 1.`);
    expect(readExampleConfig(Testing.app(), { ACR_DEMO_SSH_PUBLIC_KEY: SSH_KEY, ACR_DEMO_AKS_NODE_COUNT: '1' }).aksNodeCount).toBe(1);
  });

  test('reads settings from the cdktf context when the environment has none', () => {
    const app = new App({ context: { vmName: 'fromContext', sshPublicKey: SSH_KEY, privateRegistry: true }, skipValidation: true });
    expect(readExampleConfig(app, {})).toMatchObject({ vmName: 'fromContext', privateRegistry: true });
  });
});

describe('defaultSshPublicKey', () => {
  test('generates an Ed25519 key pair like az vm create --generate-ssh-keys when there is none', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ssh-')), '.ssh');
    const publicKey = defaultSshPublicKey(dir);
    expect(publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ /);
    expect(readFileSync(join(dir, 'id_ed25519.pub'), 'utf8').trim()).toBe(publicKey);
    expect(readFileSync(join(dir, 'id_ed25519'), 'utf8')).toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(statSync(join(dir, 'id_ed25519')).mode & 0o777).toBe(0o600);
    // The second run reuses the key instead of replacing the VM with a new one.
    expect(defaultSshPublicKey(dir)).toBe(publicKey);
  });

  test('prefers an existing RSA key over generating one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-'));
    writeFileSync(join(dir, 'id_rsa.pub'), `${SSH_KEY}\n`);
    expect(defaultSshPublicKey(dir)).toBe(SSH_KEY);
    expect(existsSync(join(dir, 'id_ed25519'))).toBe(false);
  });

  test('refuses to overwrite a private key whose public half is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ssh-'));
    writeFileSync(join(dir, 'id_ed25519'), 'existing private key');
    expect(() => defaultSshPublicKey(dir)).toThrow(/id_ed25519 exists but its \.pub does not\. Fix: restore it/);
    expect(readFileSync(join(dir, 'id_ed25519'), 'utf8')).toBe('existing private key');
  });
});

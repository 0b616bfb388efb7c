import { Aspects, TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { DockerVirtualMachine } from '../lib/docker-vm';
import { UserAssignedIdentity } from '../lib/identity';
import { AzureSecurityChecks } from '../lib/policy';
import { ContainerRegistry, ContainerRegistryProps, IContainerRegistry, RegistrySku } from '../lib/registry';
import { RegistryPrivateEndpoint, RegistryPrivateEndpointOptions } from '../lib/registry-private-endpoint';
import { validationErrorOf } from './support/errors';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */
const SUB = '00000000-0000-0000-0000-000000000001';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII+7PpBGMViOridW3Iq4miX8E4H8P1Thxj3lndP8GBb7 test@example';
const VNET_ID = `/subscriptions/${SUB}/resourceGroups/network-rg/providers/Microsoft.Network/virtualNetworks/app-vnet`;
const SUBNET_ID = `${VNET_ID}/subnets/endpoints`;
const PEERED_VNET_ID = `/subscriptions/${SUB}/resourceGroups/network-rg/providers/Microsoft.Network/virtualNetworks/build-vnet`;
const HUB_ZONE_ID = `/subscriptions/${SUB}/resourceGroups/hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`;
const REGISTRY_ID = `/subscriptions/${SUB}/resourceGroups/myResourceGroup/providers/Microsoft.ContainerRegistry/registries/myregistry01`;
const PREMIUM: ContainerRegistryProps = {
  name: 'myregistry01', resourceGroupName: 'myResourceGroup', location: 'eastus', sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false,
};

function newStack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'stack');
}

function premiumRegistry(stack: TerraformStack, props: Partial<ContainerRegistryProps> = {}): ContainerRegistry {
  return new ContainerRegistry(stack, 'Registry', { ...PREMIUM, ...props });
}

function synth(stack: TerraformStack): { text: string; json: any } {
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) };
}

function blocksOf(json: any, type: string): any[] {
  return Object.values(json.resource?.[type] ?? {});
}

function only(json: any, type: string): any {
  const blocks = blocksOf(json, type);
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

/** Renders values as Terraform outputs, to read the references they stand for. */
function resolved(stack: TerraformStack, values: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(values)) new TerraformOutput(stack, name, { value });
  const outputs = synth(stack).json.output;
  return Object.fromEntries(Object.keys(values).map((name) => [name, outputs[name].value]));
}

describe('registry.addPrivateEndpoint', () => {
  test('connects an endpoint to the registry subresource, automatically approved, next to the registry', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    premiumRegistry(stack).addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
    // THEN
    const endpoint = only(synth(stack).json, 'azurerm_private_endpoint');
    expect(endpoint).toMatchObject({
      name: 'myregistry01-Private',
      resource_group_name: 'myResourceGroup',
      location: 'eastus',
      subnet_id: SUBNET_ID,
      private_service_connection: {
        name: 'myregistry01-Private',
        private_connection_resource_id: '${azurerm_container_registry.Registry.id}',
        is_manual_connection: false,
        subresource_names: ['registry'],
      },
    });
    expect(endpoint).not.toHaveProperty('lifecycle'); // the SKU was checked at synth
  });

  test('creates the privatelink.azurecr.io zone, linked to the subnet\'s virtual network, and registers the endpoint in it', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const endpoint = premiumRegistry(stack).addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
    // THEN
    const { json } = synth(stack);
    const zone = only(json, 'azurerm_private_dns_zone');
    expect(zone).toEqual({ name: 'privatelink.azurecr.io', resource_group_name: 'myResourceGroup' });
    const zoneAddress = `azurerm_private_dns_zone.${endpoint.privateDnsZone!.friendlyUniqueId}`;
    expect(only(json, 'azurerm_private_dns_zone_virtual_network_link')).toEqual({
      name: 'app-vnet-link',
      resource_group_name: 'myResourceGroup',
      private_dns_zone_name: `\${${zoneAddress}.name}`,
      virtual_network_id: VNET_ID,
      registration_enabled: false,
    });
    // The zone group makes Azure write the A records of <registry>.azurecr.io and <registry>.<region>.data.azurecr.io.
    expect(only(json, 'azurerm_private_endpoint').private_dns_zone_group).toEqual({
      name: 'default', private_dns_zone_ids: [`\${${zoneAddress}.id}`],
    });
  });

  test('links every virtual network listed, and the endpoint waits for the links', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const endpoint = premiumRegistry(stack).addPrivateEndpoint('Private', { subnetId: SUBNET_ID, virtualNetworkIds: [VNET_ID, PEERED_VNET_ID] });
    // THEN
    const { json } = synth(stack);
    const links = blocksOf(json, 'azurerm_private_dns_zone_virtual_network_link');
    expect(links.map((link) => link.virtual_network_id)).toEqual([VNET_ID, PEERED_VNET_ID]);
    expect(endpoint.virtualNetworkLinks).toHaveLength(2);
    expect(only(json, 'azurerm_private_endpoint').depends_on)
      .toEqual(endpoint.virtualNetworkLinks.map((link) => `azurerm_private_dns_zone_virtual_network_link.${link.friendlyUniqueId}`));
  });

  test('uses a zone the team passes (hub and spoke): no zone, no links', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const endpoint = premiumRegistry(stack).addPrivateEndpoint('Private', { subnetId: SUBNET_ID, privateDnsZoneId: HUB_ZONE_ID });
    // THEN
    const { json } = synth(stack);
    expect(blocksOf(json, 'azurerm_private_dns_zone')).toEqual([]);
    expect(blocksOf(json, 'azurerm_private_dns_zone_virtual_network_link')).toEqual([]);
    expect(only(json, 'azurerm_private_endpoint').private_dns_zone_group.private_dns_zone_ids).toEqual([HUB_ZONE_ID]);
    expect(only(json, 'azurerm_private_endpoint')).not.toHaveProperty('depends_on');
    expect(endpoint.privateDnsZoneId).toBe(HUB_ZONE_ID);
    expect(endpoint.privateDnsZone).toBeUndefined();
  });

  test('exposes the endpoint, its first private address and the zone, and can be depended on', () => {
    // GIVEN
    const stack = newStack();
    const endpoint = premiumRegistry(stack).addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
    // WHEN
    new NullResource(stack, 'Pull', { dependsOn: [endpoint] });
    const outputs = resolved(stack, {
      id: endpoint.privateEndpointId, ip: endpoint.privateIpAddress, zone: endpoint.privateDnsZoneId,
    });
    // THEN
    const address = `azurerm_private_endpoint.${endpoint.privateEndpoint.friendlyUniqueId}`;
    expect(outputs).toEqual({
      id: `\${${address}.id}`,
      ip: `\${${address}.private_service_connection[0].private_ip_address}`,
      zone: `\${azurerm_private_dns_zone.${endpoint.privateDnsZone!.friendlyUniqueId}.id}`,
    });
    expect(only(synth(stack).json, 'null_resource').depends_on).toEqual([address]);
  });

  test('passes tokens through: subnet, networks, zone, name, resource group and region known only at apply', () => {
    // GIVEN
    const stack = newStack();
    const rg = new ResourceGroup(stack, 'Rg', { name: 'app-rg', location: 'westeurope' });
    const vnet = new VirtualNetwork(stack, 'Vnet', { name: 'app-vnet', resourceGroupName: rg.name, location: rg.location, addressSpace: ['10.0.0.0/16'] });
    const subnet = new Subnet(stack, 'Subnet', { name: 'endpoints', resourceGroupName: rg.name, virtualNetworkName: vnet.name, addressPrefixes: ['10.0.1.0/24'] });
    const zoneId = new TerraformVariable(stack, 'zoneId', { type: 'string' });
    const name = new TerraformVariable(stack, 'name', { type: 'string' });
    const registry = premiumRegistry(stack, { resourceGroupName: rg.name, location: rg.location });
    // WHEN
    registry.addPrivateEndpoint('Own', { subnetId: subnet.id });
    registry.addPrivateEndpoint('Hub', {
      subnetId: subnet.id, privateDnsZoneId: zoneId.stringValue, name: name.stringValue, resourceGroupName: rg.name, location: vnet.location,
    });
    // THEN
    const { text, json } = synth(stack);
    const [hub, own] = blocksOf(json, 'azurerm_private_endpoint');
    expect(own).toMatchObject({ subnet_id: '${azurerm_subnet.Subnet.id}', resource_group_name: '${azurerm_resource_group.Rg.name}', location: '${azurerm_resource_group.Rg.location}' });
    expect(hub).toMatchObject({
      name: '${var.name}', location: '${azurerm_virtual_network.Vnet.location}', private_dns_zone_group: { name: 'default', private_dns_zone_ids: ['${var.zoneId}'] },
    });
    // The subnet's network is derived by Terraform: the subnet ID without /subnets/<name>.
    expect(only(json, 'azurerm_private_dns_zone_virtual_network_link')).toMatchObject({
      name: '${element(split("/", join("/", slice(split("/", azurerm_subnet.Subnet.id), 0, 9))), 8)}-link',
      virtual_network_id: '${join("/", slice(split("/", azurerm_subnet.Subnet.id), 0, 9))}',
    });
    expectValidTerraform(text);
  });

  test('works on imported and looked-up registries, in their resource group', () => {
    // GIVEN
    const stack = newStack();
    const imported = ContainerRegistry.fromRegistryAttributes(stack, 'Imported', { registryId: REGISTRY_ID, sku: RegistrySku.PREMIUM });
    const lookedUp = ContainerRegistry.fromLookup(stack, 'LookedUp', { registryName: 'shared01', resourceGroupName: 'shared-rg' });
    // WHEN
    imported.addPrivateEndpoint('Private', { subnetId: SUBNET_ID, location: 'eastus' });
    lookedUp.addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
    // THEN
    const { text, json } = synth(stack);
    const [fromImport, fromLookup] = blocksOf(json, 'azurerm_private_endpoint');
    expect(fromImport).toMatchObject({
      name: 'myregistry01-Private', resource_group_name: 'myResourceGroup', location: 'eastus',
      private_service_connection: { private_connection_resource_id: REGISTRY_ID, subresource_names: ['registry'] },
    });
    expect(fromLookup).toMatchObject({
      resource_group_name: 'shared-rg', location: '${data.azurerm_container_registry.LookedUp.location}',
      private_service_connection: { private_connection_resource_id: '${data.azurerm_container_registry.LookedUp.id}' },
    });
    expect(blocksOf(json, 'azurerm_private_dns_zone').map((zone) => zone.resource_group_name)).toEqual(['myResourceGroup', 'shared-rg']);
    expectValidTerraform(text);
  });

  test('an imported registry\'s resource group comes from its ID, also when the ID is a token', () => {
    // GIVEN
    const stack = newStack();
    const registryId = new TerraformVariable(stack, 'registryId', { type: 'string' });
    // WHEN
    ContainerRegistry.fromRegistryAttributes(stack, 'Imported', { registryId: registryId.stringValue })
      .addPrivateEndpoint('Private', { subnetId: SUBNET_ID, location: 'eastus' });
    // THEN
    const endpoint = only(synth(stack).json, 'azurerm_private_endpoint');
    expect(endpoint.resource_group_name).toBe('${element(split("/", var.registryId), 4)}');
    expect(endpoint.name).toBe('${element(split("/", var.registryId), 8)}-Private');
  });

  describe('refuses what Azure refuses, at synth', () => {
    test.each([RegistrySku.BASIC, RegistrySku.STANDARD])('a %s registry', (sku) => {
      // GIVEN
      const registry = premiumRegistry(newStack(), { sku, publicNetworkAccessEnabled: undefined });
      // WHEN
      const error = validationErrorOf(() => registry.addPrivateEndpoint('Private', { subnetId: SUBNET_ID }));
      // THEN
      expect(error.message).toBe("ContainerRegistry.addPrivateEndpoint at 'stack/Registry/Private' has invalid input:\n"
        + `  - sku: "${sku}" is the registry's SKU, but Azure accepts private endpoints only on Premium registries. `
        + 'Fix: set sku: RegistrySku.PREMIUM on the registry');
    });

    test('a registry imported as Standard, but not one imported as Premium or without a SKU', () => {
      // GIVEN
      const stack = newStack();
      const standard = ContainerRegistry.fromRegistryAttributes(stack, 'Standard', { registryId: REGISTRY_ID, sku: RegistrySku.STANDARD });
      // WHEN
      const error = validationErrorOf(() => standard.addPrivateEndpoint('Private', { subnetId: SUBNET_ID, location: 'eastus' }));
      // THEN
      expect(error.problems).toEqual([{
        property: 'sku', value: 'Standard', message: 'is the registry\'s SKU, but Azure accepts private endpoints only on Premium registries',
        fix: 'upgrade the registry (az acr update --name myregistry01 --sku Premium) and declare sku: RegistrySku.PREMIUM',
      }]);
      for (const sku of [RegistrySku.PREMIUM, undefined]) {
        const imported = ContainerRegistry.fromRegistryAttributes(newStack(), 'Imported', { registryId: REGISTRY_ID, sku });
        expect(() => imported.addPrivateEndpoint('Private', { subnetId: SUBNET_ID, location: 'eastus' })).not.toThrow();
      }
    });

    test('a looked-up registry\'s SKU is checked by Terraform at plan, with the fix', () => {
      // GIVEN
      const stack = newStack();
      // WHEN
      ContainerRegistry.fromLookup(stack, 'LookedUp', { registryName: 'shared01', resourceGroupName: 'shared-rg' })
        .addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
      // THEN
      expect(only(synth(stack).json, 'azurerm_private_endpoint').lifecycle).toEqual({
        precondition: [{
          condition: '${(data.azurerm_container_registry.LookedUp.sku == "Premium")}',
          error_message: 'Azure accepts private endpoints only on Premium registries, and this registry is not Premium. '
            + 'Fix: upgrade the registry: az acr update --name shared01 --sku Premium.',
        }],
      });
    });

    test('an imported registry without a region', () => {
      // GIVEN
      const imported = ContainerRegistry.fromRegistryAttributes(newStack(), 'Imported', { registryId: REGISTRY_ID });
      // WHEN
      const error = validationErrorOf(() => imported.addPrivateEndpoint('Private', { subnetId: SUBNET_ID }));
      // THEN
      expect(error.message).toBe("ContainerRegistry.addPrivateEndpoint at 'stack/Imported/Private' has invalid input:\n"
        + '  - location: (not set) is required: the registry was imported by ID, so its region is unknown. '
        + 'Fix: pass the region of the subnet\'s virtual network, e.g. location: "eastus"');
    });

    test.each<[string, Partial<RegistryPrivateEndpointOptions>, object]>([
      ['no subnet', { subnetId: undefined }, { property: 'subnetId', message: 'is required but was not given' }],
      ['a virtual network ID as the subnet', { subnetId: VNET_ID }, { property: 'subnetId', value: VNET_ID, message: 'is not a subnet resource ID' }],
      ['a subnet ID as a virtual network', { virtualNetworkIds: [SUBNET_ID] }, { property: 'virtualNetworkIds[0]', message: 'is not a virtual network resource ID' }],
      ['a network listed twice', { virtualNetworkIds: [VNET_ID, PEERED_VNET_ID, VNET_ID.toUpperCase()] }, {
        property: 'virtualNetworkIds[2]', message: 'is virtualNetworkIds[0] again; Azure links a virtual network to a zone once',
      }],
      ['a zone that is not privatelink.azurecr.io', { privateDnsZoneId: HUB_ZONE_ID.replace('azurecr.io', 'blob.core.windows.net') }, {
        property: 'privateDnsZoneId',
        message: 'is not the ID of a privatelink.azurecr.io private DNS zone, so the registry\'s names would not resolve through it',
      }],
      ['a zone and networks to link', { privateDnsZoneId: HUB_ZONE_ID, virtualNetworkIds: [VNET_ID] }, {
        property: 'virtualNetworkIds',
        message: 'links virtual networks to the zone this endpoint creates, but privateDnsZoneId passes a zone, whose links are its owner\'s',
      }],
      ['a name Azure refuses', { name: 'my registry' }, { property: 'name', value: 'my registry' }],
      ['a resource group name Azure refuses', { resourceGroupName: 'rg.' }, { property: 'resourceGroupName', value: 'rg.' }],
    ])('%s', (_, options, problem) => {
      // GIVEN
      const registry = premiumRegistry(newStack());
      // WHEN
      const error = validationErrorOf(() => registry.addPrivateEndpoint('Private', { subnetId: SUBNET_ID, ...options }));
      // THEN
      expect(error.problems).toEqual([expect.objectContaining(problem)]);
      expect(error.problems[0].fix).not.toBe('');
    });

    test.each<[string, Partial<ContainerRegistryProps>, string]>([
      ['a construct id with a space', {}, 'To app-vnet'],
      ['a 50-character registry name', { name: 'r'.repeat(50) }, 'PrivateEndpointToApps'],
    ])('a default name Azure refuses, from %s, but not when a name is given', (_, props, id) => {
      // WHEN
      const error = validationErrorOf(() => premiumRegistry(newStack(), props).addPrivateEndpoint(id, { subnetId: SUBNET_ID }));
      // THEN
      expect(error.problems).toEqual([{
        property: 'name', value: undefined,
        message: `is not set, and the default "${props.name ?? 'myregistry01'}-${id}" is not a valid name: it must be 2-64 letters, `
          + 'digits, underscores, periods or hyphens, start with a letter or digit and end with one or an underscore',
        fix: 'pass a name, e.g. name: "myregistry-pe", or use a shorter id of letters and digits',
      }]);
      expect(() => premiumRegistry(newStack(), props).addPrivateEndpoint(id, { subnetId: SUBNET_ID, name: 'myregistry01-app' })).not.toThrow();
    });

    test('a subnet ID that is not one is one problem, not also a bad network', () => {
      const error = validationErrorOf(() => premiumRegistry(newStack()).addPrivateEndpoint('Private', { subnetId: 'endpoints' }));
      expect(error.problems.map((p) => p.property)).toEqual(['subnetId']);
    });

    test.each<[string, (stack: TerraformStack) => string]>([
      ['a US Government zone', () => HUB_ZONE_ID.replace('azurecr.io', 'azurecr.us')],
      ['a zone ID known only at apply', (stack) => new TerraformVariable(stack, 'zone', { type: 'string' }).stringValue],
    ])('accepts %s', (_, zoneId) => {
      const stack = newStack();
      expect(() => premiumRegistry(stack).addPrivateEndpoint('Private', { subnetId: SUBNET_ID, privateDnsZoneId: zoneId(stack) })).not.toThrow();
    });
  });

  describe('one zone per resource group', () => {
    test('a second endpoint that would create a second zone in the same resource group is refused, naming the first', () => {
      // GIVEN
      const registry = premiumRegistry(newStack());
      registry.addPrivateEndpoint('App', { subnetId: SUBNET_ID });
      // WHEN
      const error = validationErrorOf(() => registry.addPrivateEndpoint('Build', { subnetId: SUBNET_ID.replace('app-vnet', 'build-vnet') }));
      // THEN
      expect(error.message).toBe("ContainerRegistry.addPrivateEndpoint at 'stack/Registry/Build' has invalid input:\n"
        + '  - privateDnsZoneId: (not set) is not set, so a privatelink.azurecr.io zone would be created in resource group '
        + '"myResourceGroup", where \'stack/Registry/App\' already creates one; Azure allows one zone of a name per resource group. '
        + 'Fix: share that zone: pass privateDnsZoneId: <the endpoint at \'stack/Registry/App\'>.privateDnsZoneId, and list this '
        + 'endpoint\'s virtual network in that endpoint\'s virtualNetworkIds; or put this endpoint in another resourceGroupName');
    });

    test('also when two registries name the resource group by the same reference, read twice', () => {
      // GIVEN
      const stack = newStack();
      const rg = new ResourceGroup(stack, 'Rg', { name: 'app-rg', location: 'eastus' });
      const first = new ContainerRegistry(stack, 'First', { ...PREMIUM, name: 'first01', resourceGroupName: rg.name });
      const second = new ContainerRegistry(stack, 'Second', { ...PREMIUM, name: 'second01', resourceGroupName: rg.name });
      first.addPrivateEndpoint('Private', { subnetId: SUBNET_ID });
      // WHEN
      const error = validationErrorOf(() => second.addPrivateEndpoint('Private', { subnetId: SUBNET_ID }));
      // THEN
      expect(error.problems[0].message).toMatch(/in resource group "\$\{azurerm_resource_group\.Rg\.name\}", where 'stack\/First\/Private' already creates one/);
    });

    test('shares the first endpoint\'s zone, which links both networks', () => {
      // GIVEN
      const stack = newStack();
      const registry: IContainerRegistry = premiumRegistry(stack);
      const app = registry.addPrivateEndpoint('App', { subnetId: SUBNET_ID, virtualNetworkIds: [VNET_ID, PEERED_VNET_ID] });
      // WHEN
      registry.addPrivateEndpoint('Build', { subnetId: SUBNET_ID.replace('app-vnet', 'build-vnet'), privateDnsZoneId: app.privateDnsZoneId });
      // THEN
      const { text, json } = synth(stack);
      expect(blocksOf(json, 'azurerm_private_dns_zone')).toHaveLength(1);
      expect(blocksOf(json, 'azurerm_private_dns_zone_virtual_network_link')).toHaveLength(2);
      const zoneId = `\${azurerm_private_dns_zone.${(app as RegistryPrivateEndpoint).privateDnsZone!.friendlyUniqueId}.id}`;
      expect(blocksOf(json, 'azurerm_private_endpoint').map((e) => e.private_dns_zone_group.private_dns_zone_ids)).toEqual([[zoneId], [zoneId]]);
      expectValidTerraform(text);
    });

    test('endpoints in other resource groups, or other stacks, create their own zones', () => {
      // GIVEN
      const app = Testing.app();
      const stacks = [new TerraformStack(app, 'one'), new TerraformStack(app, 'two')];
      // WHEN
      const [one, two] = stacks.map((stack) => new ContainerRegistry(stack, 'Registry', PREMIUM));
      one.addPrivateEndpoint('App', { subnetId: SUBNET_ID });
      one.addPrivateEndpoint('Build', { subnetId: SUBNET_ID, resourceGroupName: 'build-rg' });
      two.addPrivateEndpoint('App', { subnetId: SUBNET_ID });
      // THEN
      expect(blocksOf(synth(stacks[0]).json, 'azurerm_private_dns_zone').map((z) => z.resource_group_name)).toEqual(['myResourceGroup', 'build-rg']);
      expect(blocksOf(synth(stacks[1]).json, 'azurerm_private_dns_zone')).toHaveLength(1);
    });
  });
});

describe('the README\'s private registry', () => {
  test('synthesizes valid Terraform, the endpoint in the VM\'s subnet, with no finding of public registry access', () => {
    // GIVEN the README's code, in a stack checked by AzureSecurityChecks
    const stack = newStack();
    const checks = new AzureSecurityChecks();
    Aspects.of(stack).add(checks);
    const identity = new UserAssignedIdentity(stack, 'AcrIdentity', {
      name: 'myACRId', resourceGroupName: 'myResourceGroup', location: 'eastus',
    });
    const registry = new ContainerRegistry(stack, 'Registry', {
      name: 'mycontainerregistry', resourceGroupName: 'myResourceGroup', location: 'eastus',
      sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false,
    });
    const vm = new DockerVirtualMachine(stack, 'DockerVm', {
      name: 'myDockerVM', resourceGroupName: 'myResourceGroup', location: 'eastus', sshPublicKey: SSH_KEY,
      userAssignedIdentities: [identity],
    });
    // WHEN
    const endpoint = registry.addPrivateEndpoint('Private', { subnetId: vm.subnet!.id });
    registry.grantPull(identity);
    vm.pullImages(registry, ['aci-helloworld:v1']);
    // THEN
    const { text, json } = synth(stack);
    expectValidTerraform(text);
    expect(only(json, 'azurerm_private_endpoint').subnet_id).toBe(`\${azurerm_subnet.${vm.subnet!.friendlyUniqueId}.id}`);
    expect(only(json, 'azurerm_private_dns_zone_virtual_network_link').virtual_network_id)
      .toBe(`\${join("/", slice(split("/", azurerm_subnet.${vm.subnet!.friendlyUniqueId}.id), 0, 9))}`);
    expect(endpoint.privateDnsZone).toBeDefined();
    expect(checks.findings).toEqual([]);
  });
});

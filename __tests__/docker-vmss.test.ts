import { TerraformStack, Testing } from 'cdktf';
import { DockerVirtualMachineScaleSet, DockerVirtualMachineScaleSetProps } from '../lib/docker-vmss';
import { bootstrapCloudConfig } from '../lib/private/vm-scripts';
import { importedRegistry, newIdentity, newRegistry, newStack, RG, sshPublicKey, SUBNET_ID } from './support/docker-vm-stacks';
import { validationErrorOf } from './support/errors';
import { itWithTool } from './support/fake-bin';
import { localText, loginLines, textOf } from './support/login-data';
import { cloudInitSchema, processWithCloudInit } from './support/login-targets';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */

const VMSS = 'azurerm_linux_virtual_machine_scale_set';

function props(overrides: Partial<DockerVirtualMachineScaleSetProps> = {}): DockerVirtualMachineScaleSetProps {
  return { name: 'myFleet', resourceGroupName: RG, location: 'eastus', sshPublicKey: sshPublicKey(), ...overrides };
}

function synth(stack: TerraformStack): any {
  const text = Testing.synth(stack, true);
  expectValidTerraform(text);
  return JSON.parse(text);
}

function only(json: any, type: string): any {
  const blocks = Object.values(json.resource[type] ?? {});
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

describe('DockerVirtualMachineScaleSet', () => {
  test('a Uniform scale set with the VM\'s secure defaults, its own network and a system-assigned identity', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new DockerVirtualMachineScaleSet(stack, 'Fleet', props());
    // THEN
    const json = synth(stack);
    const vmss = only(json, VMSS);
    expect(vmss).toEqual(expect.objectContaining({
      name: 'myFleet', sku: 'Standard_D2s_v5', instances: 2, upgrade_mode: 'Manual', admin_username: 'azureuser',
      disable_password_authentication: true, extension_operations_enabled: false, secure_boot_enabled: true, vtpm_enabled: true,
      identity: { type: 'SystemAssigned' }, custom_data: '${local.AcrLoginBootstrap}',
      source_image_reference: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' },
      os_disk: { caching: 'ReadWrite', storage_account_type: 'StandardSSD_LRS' },
    }));
    expect(vmss.admin_ssh_key).toEqual([{ username: 'azureuser', public_key: sshPublicKey().trim() }]);
    const nic = vmss.network_interface[0];
    const nsg = Object.keys(json.resource.azurerm_network_security_group)[0];
    const subnet = Object.keys(json.resource.azurerm_subnet)[0];
    expect(nic).toEqual({
      name: 'myFleetNic', primary: true, enable_ip_forwarding: false, network_security_group_id: `\${azurerm_network_security_group.${nsg}.id}`,
      ip_configuration: [{ name: 'ipconfig1', primary: true, subnet_id: `\${azurerm_subnet.${subnet}.id}` }],
    });
    expect(only(json, 'azurerm_subnet_network_security_group_association').network_security_group_id).toBe(`\${azurerm_network_security_group.${nsg}.id}`);
    // The instances boot after their NSG and their outbound path (the default NAT gateway, with its address) exist.
    expect(vmss.depends_on).toEqual([
      expect.stringMatching(/^azurerm_subnet_network_security_group_association\./),
      expect.stringMatching(/^azurerm_nat_gateway_public_ip_association\./),
      expect.stringMatching(/^azurerm_subnet_nat_gateway_association\./),
    ]);
    expect(Object.keys(json.resource).sort()).toEqual([
      'azurerm_linux_virtual_machine_scale_set', 'azurerm_nat_gateway', 'azurerm_nat_gateway_public_ip_association',
      'azurerm_network_security_group', 'azurerm_network_security_rule', 'azurerm_public_ip', 'azurerm_subnet',
      'azurerm_subnet_nat_gateway_association', 'azurerm_subnet_network_security_group_association', 'azurerm_virtual_network',
    ]);
    expect(only(json, 'azurerm_subnet').default_outbound_access_enabled).toBe(false);
    expect(only(json, 'azurerm_virtual_network').name).toBe('myFleetVNET');
    expect(Object.values<any>(json.resource.azurerm_network_security_rule).map((r) => [r.access, r.destination_port_range, r.priority]))
      .toEqual([['Deny', '22', 4096]]);
    expect(localText(json, 'AcrLoginBootstrap')).toBe(bootstrapCloudConfig());
  });

  test('registry.grantPull(vmss) grants to the scale set\'s system-assigned principal; pullImages logs in without a client ID', () => {
    const stack = newStack();
    const registry = newRegistry(stack);
    const vmss = new DockerVirtualMachineScaleSet(stack, 'Fleet', props({ instances: 10 }));
    registry.grantPull(vmss);
    vmss.pullImages(registry, ['aci-helloworld:v1']);
    const json = synth(stack);
    expect(only(json, 'azurerm_role_assignment').principal_id).toBe('${azurerm_linux_virtual_machine_scale_set.Fleet.identity[0].principal_id}');
    expect(loginLines(textOf(json, only(json, VMSS).user_data))).toEqual([
      'login registry=${azurerm_container_registry.Registry.name} login_server=${azurerm_container_registry.Registry.login_server} ' +
        'client_id= images=aci-helloworld:v1',
    ]);
  });

  test('with a user-assigned identity in an existing subnet: no network of its own, the identity\'s client ID logs in', () => {
    const stack = newStack();
    const identity = newIdentity(stack);
    const registry = newRegistry(stack);
    const vmss = new DockerVirtualMachineScaleSet(stack, 'Fleet', props({
      userAssignedIdentities: [identity], subnetId: SUBNET_ID, sshSourceAddressPrefixes: ['203.0.113.0/24'],
    }));
    registry.grantPull(identity);
    vmss.pullImages(registry, ['aci-helloworld:v1']);
    const json = synth(stack);
    const scaleSet = only(json, VMSS);
    expect(scaleSet.identity).toEqual({ type: 'UserAssigned', identity_ids: ['${azurerm_user_assigned_identity.AcrIdentity.id}'] });
    expect(scaleSet.network_interface[0].ip_configuration[0].subnet_id).toBe(SUBNET_ID);
    expect(scaleSet).not.toHaveProperty('depends_on');
    expect(json.resource.azurerm_virtual_network).toBeUndefined();
    const rules = Object.values<any>(json.resource.azurerm_network_security_rule);
    expect(rules.filter((r) => r.access === 'Allow').map((r) => r.source_address_prefix)).toEqual(['203.0.113.0/24']);
    expect(rules.filter((r) => r.access === 'Deny').map((r) => r.source_address_prefix)).toEqual(['*']);
    expect(loginLines(textOf(json, scaleSet.user_data))[0]).toContain('client_id=${azurerm_user_assigned_identity.AcrIdentity.client_id}');
  });

  itWithTool('cloud-init', 'the instances\' custom data is the bootstrap, which cloud-init reads and its schema accepts', () => {
    const stack = newStack();
    new DockerVirtualMachineScaleSet(stack, 'Fleet', props()).pullImages(importedRegistry(stack), ['aci-helloworld:v1']);
    const json = synth(stack);
    const { parts, cloud_config: config } = processWithCloudInit(textOf(json, only(json, VMSS).custom_data));
    expect(parts.map((p) => p.content_type)).toEqual(['text/cloud-config']);
    expect(cloudInitSchema(config).ok).toBe(true);
  });

  test('granting to a scale set without a system-assigned identity names the fix; with one it passes', () => {
    const stack = newStack();
    const vmss = new DockerVirtualMachineScaleSet(stack, 'Fleet', props({ userAssignedIdentities: [newIdentity(stack)] }));
    const error = validationErrorOf(() => newRegistry(stack).grantPull(vmss));
    expect(error.message.split('\n')).toEqual([
      "DockerVirtualMachineScaleSet at 'Test/Fleet' has invalid input:",
      '  - systemAssignedIdentity: false is off, so the scale set has no identity of its own to grant a role to. ' +
        'Fix: set systemAssignedIdentity: true, or grant to the user-assigned identity (registry.grantPull(identity))',
    ]);
    const good = newStack();
    expect(() => newRegistry(good).grantPull(new DockerVirtualMachineScaleSet(good, 'Fleet', props()))).not.toThrow();
  });

  test.each([
    ['a name longer than a computer name prefix', { name: 'f'.repeat(59) }, { name: 'f'.repeat(58) },
      `  - name: "${'f'.repeat(59)}" is longer than 58 characters, the limit of a Linux scale set's computer name prefix ` +
      '(the instances\' host names start with the name). Fix: shorten name to at most 58 characters'],
    ['more than 1000 instances', { instances: 1001 }, { instances: 1000 },
      '  - instances: 1001 must be a whole number from 0 to 1000. Fix: choose e.g. 2'],
    ['a fractional instance count', { instances: 1.5 }, { instances: 0 },
      '  - instances: 1.5 must be a whole number from 0 to 1000. Fix: choose e.g. 2'],
    ['an empty location', { location: '' }, { location: 'westeurope' },
      '  - location: "" is empty, but Azure needs a region to create the resource in. Fix: name the Azure region, such as "eastus" ' +
      '(az account list-locations --query [].name)'],
    ['an SSH range open to the internet', { sshSourceAddressPrefixes: ['0.0.0.0/0'] }, { sshSourceAddressPrefixes: ['0.0.0.0/0'], allowSshFromInternet: true },
      '  - sshSourceAddressPrefixes: "0.0.0.0/0" opens SSH to the whole internet. ' +
      'Fix: name your own address range, or set allowSshFromInternet: true to do it on purpose'],
  ] as Array<[string, Partial<DockerVirtualMachineScaleSetProps>, Partial<DockerVirtualMachineScaleSetProps>, string]>)(
    'refuses %s, and its neighbour passes', (_, bad, good, line) => {
      const error = validationErrorOf(() => new DockerVirtualMachineScaleSet(newStack(), 'Fleet', props(bad)));
      expect(error.message.split('\n')).toEqual(["DockerVirtualMachineScaleSet at 'Test/Fleet' has invalid input:", line]);
      const stack = newStack();
      new DockerVirtualMachineScaleSet(stack, 'Fleet', props(good));
      expect(() => synth(stack)).not.toThrow();
    });
});

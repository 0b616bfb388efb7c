import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse } from 'yaml';
import { DockerVirtualMachine, UbuntuImage } from '../lib/docker-vm';
import { RegistryRole } from '../lib/registry-role';
import {
  bothIdentitiesVm, existingSubnetVm, importedRegistry, IMPORTED_REGISTRY_ID, newIdentity, newRegistry, newStack,
  sshPublicKey, SUBNET_ID, systemAssignedVm, userAssignedVm, vmProps,
} from './support/docker-vm-stacks';
import { validationErrorOf } from './support/errors';
import { localText, loginLines, settingsOf, textOf, userDataParts } from './support/login-data';
import { bootstrapCloudConfig, loginPayload } from '../lib/private/vm-scripts';

/* eslint-disable @typescript-eslint/no-explicit-any */
const VM = 'azurerm_linux_virtual_machine';
const NSG = 'azurerm_network_security_group';
const NSG_RULE = 'azurerm_network_security_rule';
const NIC = 'azurerm_network_interface';
const NIC_NSG = 'azurerm_network_interface_security_group_association';
const SUBNET_NSG = 'azurerm_subnet_network_security_group_association';
const ROLE_ASSIGNMENT = 'azurerm_role_assignment';
const ACR_PULL_GUID = '7f951dda-4ed3-4680-a7ca-43fe172d538d';
const LOGIN_SERVICE_PATH = '/etc/systemd/system/acr-login.service';

function synth(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

/** The only block of a type, with its Terraform name. */
function only(json: any, type: string): { key: string; body: any } {
  const blocks = json.resource?.[type] ?? {};
  const keys = Object.keys(blocks);
  expect(keys).toHaveLength(1);
  return { key: keys[0], body: blocks[keys[0]] };
}

/** The SSH allow rule (the NSG also always has the deny rule below it). */
function allowSsh(json: any): { key: string; body: any } {
  const [key, ...others] = Object.keys(json.resource?.[NSG_RULE] ?? {}).filter((k) => k.includes('AllowSsh'));
  expect(others).toEqual([]);
  return { key, body: json.resource[NSG_RULE][key] };
}

/** A reference to an attribute of the only block of a type, as Terraform JSON writes it. */
function ref(json: any, type: string, attribute: string): string {
  return `\${${type}.${only(json, type).key}.${attribute}}`;
}

function count(json: any, type: string): number {
  return Object.keys(json.resource?.[type] ?? {}).length;
}

/** The VM's custom data: the stack's bootstrap local. */
function cloudConfigOf(json: any): any {
  const customData = only(json, VM).body.custom_data;
  expect(customData).toBe('${local.AcrLoginBootstrap}');
  const text = textOf(json, customData);
  expect(text.startsWith('#cloud-config\n')).toBe(true);
  return parse(text, { version: '1.1' });
}

/** The VM's user data as Terraform computes it. */
function userDataOf(json: any): string {
  return textOf(json, only(json, VM).body.user_data);
}

/** The registry logins in the VM's user data, one line each. */
function loginCommands(json: any): string[] {
  return loginLines(userDataOf(json));
}

describe('DockerVirtualMachine identity block', () => {
  test('defaults to a system-assigned identity when no user-assigned identity is given', () => {
    // GIVEN
    const stack = newStack();
    // WHEN
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    // THEN
    expect(only(synth(stack), VM).body.identity).toEqual({ type: 'SystemAssigned' });
    expect(vm.hasSystemAssignedIdentity).toBe(true);
  });

  test('system-assigned only: type SystemAssigned, no identity_ids', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ systemAssignedIdentity: true }));
    expect(only(synth(stack), VM).body.identity).toEqual({ type: 'SystemAssigned' });
  });

  test('user-assigned only: type UserAssigned with the identity\'s id (no system-assigned by default)', () => {
    // GIVEN
    const stack = newStack();
    const identity = newIdentity(stack);
    // WHEN
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ userAssignedIdentities: [identity] }));
    // THEN
    const json = synth(stack);
    expect(only(json, VM).body.identity).toEqual({
      type: 'UserAssigned',
      identity_ids: [ref(json, 'azurerm_user_assigned_identity', 'id')],
    });
    expect(vm.hasSystemAssignedIdentity).toBe(false);
  });

  test('both: type "SystemAssigned, UserAssigned" with every identity\'s id, in order', () => {
    // GIVEN
    const stack = newStack();
    const first = newIdentity(stack, 'First', 'firstId');
    const second = newIdentity(stack, 'Second', 'secondId');
    // WHEN
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ systemAssignedIdentity: true, userAssignedIdentities: [first, second] }));
    // THEN
    expect(only(synth(stack), VM).body.identity).toEqual({
      type: 'SystemAssigned, UserAssigned',
      identity_ids: ['${azurerm_user_assigned_identity.First.id}', '${azurerm_user_assigned_identity.Second.id}'],
    });
  });

  test('no identity block when the system-assigned identity is turned off and none is given', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ systemAssignedIdentity: false }));
    expect(only(synth(stack), VM).body).not.toHaveProperty('identity');
  });
});

describe('DockerVirtualMachine role wiring', () => {
  test('registry.grantPull(vm) assigns AcrPull on the registry to the VM\'s system-assigned principal', () => {
    // GIVEN / WHEN
    const { stack } = systemAssignedVm();
    // THEN
    const json = synth(stack);
    const { body } = only(json, ROLE_ASSIGNMENT);
    expect(body.principal_id).toBe(`\${${VM}.${only(json, VM).key}.identity[0].principal_id}`);
    expect(body.scope).toBe(ref(json, 'azurerm_container_registry', 'id'));
    expect(body.principal_type).toBe('ServicePrincipal');
    expect(body.role_definition_id).toMatch(new RegExp(`/providers/Microsoft.Authorization/roleDefinitions/${ACR_PULL_GUID}$`));
  });

  test('registry.grantPull(identity) assigns AcrPull to the user-assigned identity\'s principal, never its client ID', () => {
    // GIVEN / WHEN
    const { stack } = userAssignedVm();
    // THEN
    const json = synth(stack);
    const { body } = only(json, ROLE_ASSIGNMENT);
    expect(body.principal_id).toBe(ref(json, 'azurerm_user_assigned_identity', 'principal_id'));
    expect(body.scope).toBe(ref(json, 'azurerm_container_registry', 'id'));
    expect(JSON.stringify(body)).not.toContain('client_id');
  });

  test('with both identities, each grant goes to its own principal and registry', () => {
    // GIVEN / WHEN
    const { stack } = bothIdentitiesVm();
    // THEN
    const json = synth(stack);
    const assignments = Object.values(json.resource[ROLE_ASSIGNMENT]) as any[];
    expect(assignments.map((a) => [a.principal_id, a.scope])).toEqual(expect.arrayContaining([
      [`\${${VM}.${only(json, VM).key}.identity[0].principal_id}`, ref(json, 'azurerm_container_registry', 'id')],
      [ref(json, 'azurerm_user_assigned_identity', 'principal_id'), IMPORTED_REGISTRY_ID],
    ]));
    expect(assignments).toHaveLength(2);
  });

  test('vm.principalId is the system-assigned identity\'s principal ID', () => {
    const { stack, vm } = systemAssignedVm();
    new TerraformOutput(stack, 'principal', { value: vm.principalId });
    const json = synth(stack);
    expect(json.output.principal.value).toBe(`\${${VM}.${only(json, VM).key}.identity[0].principal_id}`);
  });

  test('granting to a VM without a system-assigned identity is a ValidationError naming the fix', () => {
    // GIVEN a VM with only a user-assigned identity
    const stack = newStack();
    const registry = newRegistry(stack);
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ userAssignedIdentities: [newIdentity(stack)] }));
    // WHEN
    const error = validationErrorOf(() => registry.grantPull(vm));
    // THEN
    expect(error.constructPath).toBe('Test/DockerVm');
    expect(error.message.split('\n')).toContain(
      '  - systemAssignedIdentity: false is off, so the VM has no identity of its own to grant a role to. ' +
        'Fix: set systemAssignedIdentity: true, or grant to the user-assigned identity (registry.grantPull(identity))');
    expect(count(synth(stack), ROLE_ASSIGNMENT)).toBe(0);
  });
});

describe('DockerVirtualMachine network security', () => {
  test('no SSH allow rule and no inline rules by default: one rule denies SSH from everywhere', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    const json = synth(stack);
    expect(only(json, NSG_RULE).body).toEqual(expect.objectContaining({
      name: 'DenySshFromOtherSources', priority: 4096, direction: 'Inbound', access: 'Deny', protocol: 'Tcp',
      source_port_range: '*', destination_port_range: '22', source_address_prefix: '*', destination_address_prefix: '*',
    }));
    expect(only(json, NSG).body).not.toHaveProperty('security_rule');
  });

  test('SSH only from the named ranges: the deny rule is after the allow rule and before Azure\'s AllowVnetInBound (65000)', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ sshSourceAddressPrefixes: ['203.0.113.0/24'] }));
    // THEN
    const rules = Object.values<any>(synth(stack).resource[NSG_RULE]);
    const allow = rules.filter((r) => r.access === 'Allow');
    const deny = rules.filter((r) => r.access === 'Deny');
    expect(allow).toHaveLength(1);
    expect(deny).toHaveLength(1);
    expect(deny[0].priority).toBeGreaterThan(Math.max(...allow.map((r) => r.priority)));
    expect(deny[0].priority).toBeLessThan(65000);
    expect(deny[0]).toMatchObject({ destination_port_range: allow[0].destination_port_range, protocol: allow[0].protocol, source_address_prefix: '*' });
  });

  test('one source: an inbound TCP 22 Allow rule with exactly that source_address_prefix', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ sshSourceAddressPrefixes: ['203.0.113.0/24'] }));
    // THEN
    const json = synth(stack);
    const { body } = allowSsh(json);
    expect(body).toEqual(expect.objectContaining({
      name: 'AllowSsh',
      priority: 1000,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      source_port_range: '*',
      destination_port_range: '22',
      destination_address_prefix: '*',
      source_address_prefix: '203.0.113.0/24',
      network_security_group_name: ref(json, NSG, 'name'),
    }));
    expect(body).not.toHaveProperty('source_address_prefixes');
  });

  test('several sources: source_address_prefixes with exactly those ranges', () => {
    const stack = newStack();
    const sources = ['203.0.113.4', '198.51.100.0/24', '192.0.2.0/28'];
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ sshSourceAddressPrefixes: sources }));
    const { body } = allowSsh(synth(stack));
    expect(body.source_address_prefixes).toEqual(sources);
    expect(body).not.toHaveProperty('source_address_prefix');
  });

  test.each([
    ['*', 'the whole internet'],
    ['Internet', 'the whole internet'],
    ['0.0.0.0/0', 'the whole internet'],
    ['0.0.0.0/1', 'a large part of the internet (a /1 range)'],
    ['AzureCloud', 'every Azure customer\'s VMs (AzureCloud is all of Azure\'s public address space)'],
    ['AzureCloud.WestEurope', 'every Azure customer\'s VMs (AzureCloud is all of Azure\'s public address space)'],
  ])('SSH from %s is refused unless allowSshFromInternet is set', (source, reach) => {
    // GIVEN / WHEN / THEN refused by default
    const error = validationErrorOf(() =>
      new DockerVirtualMachine(newStack(), 'DockerVm', vmProps({ sshSourceAddressPrefixes: [source] })));
    expect(error.message.split('\n')).toContain(`  - sshSourceAddressPrefixes: ${JSON.stringify(source)} opens SSH to ${reach}. ` +
      'Fix: name your own address range, or set allowSshFromInternet: true to do it on purpose');
    // AND allowed when asked for explicitly
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ sshSourceAddressPrefixes: [source], allowSshFromInternet: true }));
    expect(allowSsh(synth(stack)).body.source_address_prefix).toBe(source);
  });

  test.each([
    ['VirtualNetwork', false], ['AzureLoadBalancer', false], ['GatewayManager', false], ['AzureTrafficManager', false],
    ['AzureFrontDoor.Backend', false], ['Internet', true], ['AzureCloud', true], ['AzureCloud.eastus2', true],
  ])('the documented service tag %s is taken as the single source_address_prefix', (tag, internetWide) => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ sshSourceAddressPrefixes: [tag], allowSshFromInternet: internetWide }));
    expect(allowSsh(synth(stack)).body.source_address_prefix).toBe(tag);
  });

  test('IPv6 sources are refused: the NIC has only an IPv4 address (and Azure refuses a rule mixing families)', () => {
    // GIVEN / WHEN an IPv4 and an IPv6 source
    const error = validationErrorOf(() =>
      new DockerVirtualMachine(newStack(), 'DockerVm', vmProps({ sshSourceAddressPrefixes: ['203.0.113.4', '2001:db8::/48'] })));
    // THEN the IPv6 one is named
    expect(error.problems.map((p) => [p.property, p.value])).toEqual([['sshSourceAddressPrefixes', '2001:db8::/48']]);
    // AND the NIC the construct makes is IPv4-only, which is why
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    const ipConfiguration = only(synth(stack), NIC).body.ip_configuration;
    expect(ipConfiguration).toHaveLength(1);
    expect(ipConfiguration[0].private_ip_address_version ?? 'IPv4').toBe('IPv4');
  });

  test('the NSG guards the NIC and the subnet the construct creates', () => {
    // GIVEN / WHEN
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    // THEN
    const json = synth(stack);
    expect(only(json, NIC_NSG).body).toEqual({
      network_interface_id: ref(json, NIC, 'id'),
      network_security_group_id: ref(json, NSG, 'id'),
    });
    expect(only(json, SUBNET_NSG).body).toEqual({
      subnet_id: ref(json, 'azurerm_subnet', 'id'),
      network_security_group_id: ref(json, NSG, 'id'),
    });
    // AND the VM waits for the NIC's NSG and its outbound path (the default NAT gateway with its address, on the subnet)
    expect(only(json, VM).body.depends_on).toEqual([
      `${NIC_NSG}.${only(json, NIC_NSG).key}`,
      `azurerm_nat_gateway_public_ip_association.${only(json, 'azurerm_nat_gateway_public_ip_association').key}`,
      `azurerm_subnet_nat_gateway_association.${only(json, 'azurerm_subnet_nat_gateway_association').key}`,
    ]);
  });

  test('creates a virtual network and subnet, named like az vm create, and puts the NIC in the subnet', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ virtualNetworkAddressSpace: '10.1.0.0/16', subnetAddressPrefix: '10.1.2.0/24' }));
    const json = synth(stack);
    expect(only(json, 'azurerm_virtual_network').body).toEqual(expect.objectContaining({ name: 'myDockerVMVNET', address_space: ['10.1.0.0/16'] }));
    expect(only(json, 'azurerm_subnet').body).toEqual(expect.objectContaining({
      name: 'myDockerVMSubnet',
      address_prefixes: ['10.1.2.0/24'],
      virtual_network_name: ref(json, 'azurerm_virtual_network', 'name'),
    }));
    expect(only(json, NIC).body.ip_configuration).toEqual([expect.objectContaining({ subnet_id: ref(json, 'azurerm_subnet', 'id') })]);
    expect(only(json, NSG).body.name).toBe('myDockerVMNSG');
    expect(only(json, NIC).body.name).toBe('myDockerVMVMNic');
  });

  test('with subnetId: no virtual network, subnet or subnet association; the NIC uses the given subnet', () => {
    // GIVEN / WHEN
    const { stack, vm } = existingSubnetVm();
    // THEN
    const json = synth(stack);
    expect(count(json, 'azurerm_virtual_network')).toBe(0);
    expect(count(json, 'azurerm_subnet')).toBe(0);
    expect(count(json, SUBNET_NSG)).toBe(0);
    expect(only(json, NIC).body.ip_configuration).toEqual([expect.objectContaining({ subnet_id: SUBNET_ID })]);
    expect(count(json, NIC_NSG)).toBe(1);
    expect(vm.virtualNetwork).toBeUndefined();
    expect(vm.subnet).toBeUndefined();
  });

  test('IP forwarding is off on the NIC', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    expect(only(synth(stack), NIC).body.ip_forwarding_enabled).toBe(false);
  });

  test('no public IP unless asked', () => {
    // GIVEN / WHEN
    const stack = newStack();
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    // THEN
    const json = synth(stack);
    // The one public IP is the NAT gateway's (the default outbound path without one), not on the NIC.
    expect(only(json, 'azurerm_public_ip').body.name).toBe('myDockerVMNATIP');
    expect(only(json, NIC).body.ip_configuration[0]).not.toHaveProperty('public_ip_address_id');
    expect(validationErrorOf(() => vm.publicIpAddress).message).toContain(
      'associatePublicIpAddress: (not set) is off, so the VM has no public IP address. Fix: set associatePublicIpAddress: true');
  });

  test('associatePublicIpAddress: a static Standard public IP on the NIC, exposed as the publicIpAddress attribute', () => {
    // GIVEN / WHEN
    const { stack, vm } = systemAssignedVm();
    new TerraformOutput(stack, 'ip', { value: vm.publicIpAddress });
    // THEN
    const json = synth(stack);
    expect(only(json, 'azurerm_public_ip').body).toEqual(expect.objectContaining({
      name: 'myDockerVMPublicIP', sku: 'Standard', allocation_method: 'Static',
    }));
    expect(only(json, NIC).body.ip_configuration[0].public_ip_address_id).toBe(ref(json, 'azurerm_public_ip', 'id'));
    expect(json.output.ip.value).toBe(ref(json, 'azurerm_public_ip', 'ip_address'));
  });
});

describe('DockerVirtualMachine OS and access', () => {
  test('Ubuntu 22.04 LTS Gen2 by default, with Trusted Launch', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    const { body } = only(synth(stack), VM);
    expect(body.source_image_reference).toEqual({
      publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest',
    });
    expect(body.secure_boot_enabled).toBe(true);
    expect(body.vtpm_enabled).toBe(true);
    expect(body.size).toBe('Standard_D2s_v5');
  });

  test('Ubuntu 24.04 LTS as an option', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ image: UbuntuImage.UBUNTU_24_04 }));
    expect(only(synth(stack), VM).body.source_image_reference).toEqual({
      publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest',
    });
  });

  test('admin user azureuser by default, SSH key only, password authentication off', () => {
    // GIVEN a key as read from a .pub file, with its trailing newline
    const key = sshPublicKey();
    const stack = newStack();
    // WHEN
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ sshPublicKey: `${key}\n` }));
    // THEN
    const { body } = only(synth(stack), VM);
    expect(body.admin_username).toBe('azureuser');
    expect(body.admin_ssh_key).toEqual([{ username: 'azureuser', public_key: key }]);
    expect(body.disable_password_authentication).toBe(true);
    expect(body).not.toHaveProperty('admin_password');
  });

  test('a custom admin user owns the SSH key, joins the docker group and runs the registry login', () => {
    // GIVEN / WHEN
    const { stack } = existingSubnetVm();
    // THEN
    const json = synth(stack);
    const { body } = only(json, VM);
    expect(body.admin_username).toBe('dockeradmin');
    expect(body.admin_ssh_key[0].username).toBe('dockeradmin');
    expect(body.computer_name).toBe('docker-host');
    expect(settingsOf(userDataOf(json))).toEqual(expect.objectContaining({ admin_user: 'dockeradmin', login_timeout_seconds: '900' }));
  });

  test('a token admin user (a variable) is the admin of the VM and the user of the login, rendered by Terraform functions', () => {
    // GIVEN the admin user known only at apply
    const stack = newStack();
    const admin = new TerraformVariable(stack, 'admin', { type: 'string' });
    // WHEN
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ adminUsername: admin.stringValue }));
    vm.pullImages(importedRegistry(stack), ['aci-helloworld:v1']);
    // THEN it synthesizes with validations, and the user data names the variable
    const json = JSON.parse(Testing.synth(stack, true));
    expect(only(json, VM).body.admin_username).toBe('${var.admin}');
    expect(settingsOf(userDataOf(json)).admin_user).toBe('${var.admin}');
  });

  test('extension operations are off by default and on only when asked', () => {
    const off = newStack();
    new DockerVirtualMachine(off, 'DockerVm', vmProps());
    expect(only(synth(off), VM).body.allow_extension_operations).toBe(false);
    const on = newStack();
    new DockerVirtualMachine(on, 'DockerVm', vmProps({ allowExtensionOperations: true }));
    expect(only(synth(on), VM).body.allow_extension_operations).toBe(true);
  });
});

describe('DockerVirtualMachine custom data and registry login', () => {
  test('a system-assigned login to a registry with literal attributes: no reference in the head, no client ID', () => {
    // GIVEN
    const stack = newStack();
    const registry = importedRegistry(stack);
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    // WHEN
    vm.pullImages(registry, ['aci-helloworld:v1']);
    // THEN
    const json = synth(stack);
    const { head, payload } = userDataParts(userDataOf(json));
    expect(head.join('\n')).not.toContain('${');
    expect(head).toEqual([
      '#acr-login-user-data 1',
      expect.stringMatching(/^# /),
      'admin_user=azureuser',
      'login_timeout_seconds=1800',
      'login_method=token-exchange',
      'login registry=otherRegistry login_server=otherregistry.azurecr.io client_id= images=aci-helloworld:v1',
      '#acr-login-payload',
    ]);
    expect(payload).toBe(loginPayload());
  });

  test('a user-assigned login names the identity\'s client ID, a reference carried through format()', () => {
    // GIVEN / WHEN
    const { stack } = userAssignedVm();
    // THEN
    const json = synth(stack);
    expect(loginCommands(json)).toEqual([
      'login registry=${azurerm_container_registry.Registry.name}' +
        ' login_server=${azurerm_container_registry.Registry.login_server}' +
        ' client_id=${azurerm_user_assigned_identity.AcrIdentity.client_id} images=aci-helloworld:v1',
    ]);
  });

  test('the custom data is the stack\'s bootstrap: no login, no user, no reference', () => {
    // GIVEN a VM logging in with a user-assigned identity to a registry known only at apply
    const { stack } = userAssignedVm();
    // WHEN
    const json = synth(stack);
    // THEN the custom data references the stack's bootstrap local, which is the bootstrap cloud-config
    const config = cloudConfigOf(json);
    expect(localText(json, 'AcrLoginBootstrap')).toBe(bootstrapCloudConfig());
    expect(config.write_files.map((f: any) => f.path)).toContain(LOGIN_SERVICE_PATH);
    expect(json.locals.AcrLoginBootstrap).not.toMatch(/azurerm_|\$\{/);
    expect(bootstrapCloudConfig()).not.toMatch(/azureuser|AcrIdentity|myContainerRegistry/);
  });

  test('adding an image with a second pullImages leaves the custom data byte-identical and changes only the user data', () => {
    // GIVEN two stacks of the same VM, the second pulling one image more
    const synthVm = (imageSets: string[][]) => {
      const stack = newStack();
      const registry = importedRegistry(stack);
      const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps());
      for (const images of imageSets) vm.pullImages(registry, images);
      return synth(stack);
    };
    // WHEN
    const before = synthVm([['aci-helloworld:v1']]);
    const after = synthVm([['aci-helloworld:v1'], ['nginx:1.27']]);
    // THEN
    expect(only(after, VM).body.custom_data).toBe(only(before, VM).body.custom_data);
    expect(after.locals).toEqual(before.locals);
    expect(only(after, VM).body.user_data).not.toBe(only(before, VM).body.user_data);
    const withoutUserData = (body: any) => Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'user_data'));
    expect(withoutUserData(only(after, VM).body)).toEqual(withoutUserData(only(before, VM).body));
    expect(loginCommands(after)[0]).toContain('images=aci-helloworld:v1,nginx:1.27');
  });

  test('a VM without pullImages has the same custom data, and user data with the payload and no login', () => {
    const without = newStack();
    new DockerVirtualMachine(without, 'DockerVm', vmProps());
    const withLogin = newStack();
    new DockerVirtualMachine(withLogin, 'DockerVm', vmProps()).pullImages(importedRegistry(withLogin), ['aci-helloworld:v1']);
    const json = synth(without);
    expect(loginCommands(json)).toEqual([]);
    expect(userDataParts(userDataOf(json)).payload).toBe(loginPayload());
    expect(only(json, VM).body.custom_data).toBe(only(synth(withLogin), VM).body.custom_data);
  });

  test('with both identities, pullImages uses the system-assigned one unless told otherwise', () => {
    const { stack } = bothIdentitiesVm();
    expect(loginCommands(synth(stack))).toEqual([
      'login registry=${azurerm_container_registry.Registry.name}' +
        ' login_server=${azurerm_container_registry.Registry.login_server} client_id= images=aci-helloworld:v1',
      'login registry=otherRegistry login_server=otherregistry.azurecr.io' +
        ' client_id=${azurerm_user_assigned_identity.AcrIdentity.client_id} images=tools/busybox:1.36',
    ]);
  });

  test('the only user-assigned identity is the default when the VM has no system-assigned one', () => {
    const stack = newStack();
    const registry = importedRegistry(stack);
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ userAssignedIdentities: [newIdentity(stack)] }));
    vm.pullImages(registry, ['aci-helloworld:v1']);
    expect(loginCommands(synth(stack))).toEqual([
      'login registry=otherRegistry login_server=otherregistry.azurecr.io' +
        ' client_id=${azurerm_user_assigned_identity.AcrIdentity.client_id} images=aci-helloworld:v1',
    ]);
  });

  test('images for the same registry and identity merge into one login, each image once', () => {
    // GIVEN
    const stack = newStack();
    const registry = importedRegistry(stack);
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    // WHEN
    vm.pullImages(registry, ['aci-helloworld:v1', 'aci-helloworld:v1']);
    vm.pullImages(registry, ['nginx:1.27', 'aci-helloworld:v1']);
    // THEN
    expect(loginCommands(synth(stack))).toEqual([
      'login registry=otherRegistry login_server=otherregistry.azurecr.io client_id= images=aci-helloworld:v1,nginx:1.27',
    ]);
  });

  test('the same registry with two identities is two logins', () => {
    const stack = newStack();
    const registry = importedRegistry(stack);
    const identity = newIdentity(stack);
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ systemAssignedIdentity: true, userAssignedIdentities: [identity] }));
    vm.pullImages(registry, ['a:1']);
    vm.pullImages(registry, ['b:1'], { identity });
    expect(loginCommands(synth(stack))).toHaveLength(2);
  });

  test('pullImages with an identity the VM does not carry is refused by its login', () => {
    // GIVEN
    const stack = newStack();
    const registry = newRegistry(stack);
    const stranger = newIdentity(stack, 'Stranger', 'stranger');
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ userAssignedIdentities: [newIdentity(stack)] }));
    // WHEN
    const error = validationErrorOf(() => vm.pullImages(registry, ['aci-helloworld:v1'], { identity: stranger }));
    // THEN
    expect(error.constructPath).toBe('Test/DockerVm/Login');
    expect(error.message.split('\n')).toContain(
      '  - pullImages(options.identity): "Test/Stranger" is not in the target\'s identity block (identity_ids), so the machine cannot log in with it. ' +
        'Fix: attach it to the target (identity_ids; DockerVirtualMachine: userAssignedIdentities), or leave options.identity out');
  });

  test('pullImages without options.identity on a VM with several user-assigned identities and no system-assigned one is refused', () => {
    const stack = newStack();
    const identities = [newIdentity(stack, 'A', 'idA'), newIdentity(stack, 'B', 'idB')];
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ userAssignedIdentities: identities }));
    const error = validationErrorOf(() => vm.pullImages(newRegistry(stack), ['aci-helloworld:v1']));
    expect(error.message.split('\n')).toContain(
      '  - pullImages(options.identity): (not set) is not set and the target\'s identity block has no system-assigned identity ' +
        '(type "UserAssigned") to log in with. Fix: give the target identity { type = "SystemAssigned" } (DockerVirtualMachine: ' +
        'systemAssignedIdentity: true), or pass a user-assigned identity attached to it as options.identity');
    // AND naming one of them works
    vm.pullImages(newRegistry(stack, 'Other'), ['aci-helloworld:v1'], { identity: identities[1] });
    expect(loginCommands(synth(stack))[0]).toContain('client_id=${azurerm_user_assigned_identity.B.client_id}');
  });

  test.each([
    ['the login server prefixed', 'mycontainerregistry.azurecr.io/aci-helloworld:v1'],
    ['uppercase', 'ACI-helloworld:v1'],
    ['a space', 'aci helloworld'],
    ['a short digest', 'aci-helloworld@sha256:abc'],
  ])('an image reference with %s is refused', (_, image) => {
    const stack = newStack();
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    const error = validationErrorOf(() => vm.pullImages(importedRegistry(stack), [image]));
    expect(error.message.split('\n')).toContain(`  - pullImages(images): ${JSON.stringify(image)} is not an image reference relative to the registry ` +
      '(repository[:tag] or repository@sha256:digest, lowercase). Fix: give the image without the login server, e.g. "aci-helloworld:v1"');
  });

  test('user data over Azure\'s limit is reported when the stack is synthesized with validations', () => {
    // GIVEN a VM pulling so many images that its user data outgrows 64 KiB of base64
    const images = Array.from({ length: 1200 }, (_, i) => `team-${i}/a-service-with-a-rather-long-repository-name:v1.2.${i}`);
    const stack = newStack();
    const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps());
    vm.pullImages(importedRegistry(stack), images);
    // WHEN / THEN
    expect(() => Testing.synth(stack, true)).toThrow(
      /ContainerRegistryLogin at 'Test\/DockerVm\/Login' has invalid input:\n {2}- userData: \d+ bytes of user data \(the login payload and the registry logins, tokens estimated\), over Azure's limit of 49152 bytes \(64 KiB in base64\)\. Fix: pull fewer images on this machine/);
    // AND the same VM with a tenth of the images passes, its user data within 64 KiB once Terraform computes it
    const small = newStack();
    const smallVm = new DockerVirtualMachine(small, 'DockerVm', vmProps());
    smallVm.pullImages(importedRegistry(small), images.slice(0, 120));
    const json = JSON.parse(Testing.synth(small, true));
    expect(Buffer.from(userDataOf(json), 'utf8').toString('base64').length).toBeLessThanOrEqual(65536);
  });
});

describe('DockerVirtualMachine is secure by default', () => {
  /** A full stack: both identity kinds, two registries, grants, SSH from named ranges, a public IP. */
  function fullStack(): any {
    const { stack, registry, identity } = bothIdentitiesVm();
    registry.grant(identity!, RegistryRole.ACR_PUSH);
    return synth(stack);
  }

  test('registry admin user and anonymous pull are off', () => {
    expect(only(fullStack(), 'azurerm_container_registry').body).toEqual(expect.objectContaining({
      admin_enabled: false, anonymous_pull_enabled: false,
    }));
  });

  test('password authentication off, extension operations off, IP forwarding off', () => {
    const json = fullStack();
    expect(only(json, VM).body).toEqual(expect.objectContaining({
      disable_password_authentication: true, allow_extension_operations: false,
    }));
    expect(only(json, NIC).body.ip_forwarding_enabled).toBe(false);
  });

  test('no SSH from the internet: every SSH source is one of the named ranges', () => {
    const rule = allowSsh(fullStack()).body;
    expect(rule.source_address_prefixes).toEqual(['203.0.113.4', '198.51.100.0/24']);
    expect(rule).not.toHaveProperty('source_address_prefix');
  });

  test('an NSG on the NIC and on the subnet the construct creates', () => {
    const json = fullStack();
    expect(only(json, NIC_NSG).body.network_security_group_id).toBe(ref(json, NSG, 'id'));
    expect(only(json, SUBNET_NSG).body.network_security_group_id).toBe(ref(json, NSG, 'id'));
  });

  test('no private key, password or secret anywhere in the synthesized JSON or the custom data', () => {
    // GIVEN / WHEN
    const json = fullStack();
    const cloudConfig = textOf(json, only(json, VM).body.custom_data);
    const userData = userDataOf(json);
    // THEN no argument holds a password or secret (the only one named so turns password login off)
    const suspicious = pathsOf(json).filter((path) => /password|secret/i.test(path) && !path.endsWith('.disable_password_authentication'));
    expect(suspicious).toEqual([]);
    expect(only(json, VM).body.disable_password_authentication).toBe(true);
    // AND no value or script holds a private key or password
    expect(JSON.stringify(json)).not.toMatch(/PRIVATE KEY|admin_password/);
    expect(cloudConfig).not.toMatch(/PRIVATE KEY|password|client[_-]secret/i);
    // (the payload script's own text speaks of docker login --password-stdin: its values are the head's)
    expect(userDataParts(userData).head.join('\n')).not.toMatch(/PRIVATE KEY|password|secret/i);
    expect(userData).not.toMatch(/PRIVATE KEY/);
  });
});

/** The path of every key in a JSON document, e.g. `resource.azurerm_linux_virtual_machine.DockerVm.admin_username`. */
function pathsOf(value: any, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...pathsOf(child, path)];
  });
}

import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { DockerVirtualMachine, DockerVirtualMachineProps } from '../lib/docker-vm';
import { DockerVirtualMachineScaleSet } from '../lib/docker-vmss';
import { VmOutbound, VmOutboundKind } from '../lib/vm-outbound';
import { newStack, RG, sshPublicKey, SUBNET_ID, vmProps } from './support/docker-vm-stacks';
import { validationErrorOf } from './support/errors';
import { expectValidTerraform } from './support/schema';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON */

const NAT_GATEWAY_ID = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/hub/providers/Microsoft.Network/natGateways/hubNat';
const OUTBOUND_TYPES = ['azurerm_nat_gateway', 'azurerm_nat_gateway_public_ip_association', 'azurerm_subnet_nat_gateway_association'];

function synth(stack: TerraformStack): any {
  const text = Testing.synth(stack, true);
  expectValidTerraform(text);
  return JSON.parse(text);
}

function blocks(json: any, type: string): Array<[string, any]> {
  return Object.entries(json.resource?.[type] ?? {});
}

function only(json: any, type: string): [string, any] {
  const all = blocks(json, type);
  expect(all).toHaveLength(1);
  return all[0];
}

function vm(overrides: Partial<DockerVirtualMachineProps> = {}): { stack: TerraformStack; vm: DockerVirtualMachine } {
  const stack = newStack();
  return { stack, vm: new DockerVirtualMachine(stack, 'DockerVm', vmProps(overrides)) };
}

function outboundResources(json: any): string[] {
  return OUTBOUND_TYPES.filter((type) => blocks(json, type).length > 0);
}

describe('outbound on purpose', () => {
  test('default without a public IP: a NAT gateway with a static Standard address on a private subnet, before the VM boots', () => {
    // GIVEN / WHEN
    const { stack, vm: machine } = vm();
    // THEN
    const json = synth(stack);
    expect(machine.outbound.kind).toBe(VmOutboundKind.NAT_GATEWAY);
    const [natKey, nat] = only(json, 'azurerm_nat_gateway');
    expect(nat).toEqual({ name: 'myDockerVMNATGW', resource_group_name: RG, location: 'eastus', sku_name: 'Standard' });
    const [ipKey, ip] = only(json, 'azurerm_public_ip');
    expect(ip).toEqual(expect.objectContaining({ name: 'myDockerVMNATIP', sku: 'Standard', allocation_method: 'Static' }));
    const [ipAssociationKey, ipAssociation] = only(json, 'azurerm_nat_gateway_public_ip_association');
    expect(ipAssociation).toEqual({
      nat_gateway_id: `\${azurerm_nat_gateway.${natKey}.id}`, public_ip_address_id: `\${azurerm_public_ip.${ipKey}.id}`,
    });
    const [subnetKey, subnet] = only(json, 'azurerm_subnet');
    expect(subnet.default_outbound_access_enabled).toBe(false);
    const [subnetNatKey, subnetNat] = only(json, 'azurerm_subnet_nat_gateway_association');
    expect(subnetNat).toEqual({ subnet_id: `\${azurerm_subnet.${subnetKey}.id}`, nat_gateway_id: `\${azurerm_nat_gateway.${natKey}.id}` });
    expect(only(json, 'azurerm_linux_virtual_machine')[1].depends_on).toEqual(expect.arrayContaining([
      `azurerm_nat_gateway_public_ip_association.${ipAssociationKey}`, `azurerm_subnet_nat_gateway_association.${subnetNatKey}`,
    ]));
    expect(machine.natGateway).toBeDefined();
    expect(machine.natGatewayPublicIp).toBeDefined();
  });

  test('the construct ids of the NAT gateway resources are stable (they are Terraform addresses)', () => {
    const { stack } = vm();
    const json = synth(stack);
    expect(only(json, 'azurerm_nat_gateway')[0]).toMatch(/^DockerVm_NatGateway_/);
    expect(only(json, 'azurerm_public_ip')[0]).toMatch(/^DockerVm_NatGatewayIp_/);
    expect(only(json, 'azurerm_nat_gateway_public_ip_association')[0]).toMatch(/^DockerVm_NatGatewayIpAssociation_/);
    expect(only(json, 'azurerm_subnet_nat_gateway_association')[0]).toMatch(/^DockerVm_SubnetNatGateway_/);
  });

  test('default with a public IP: the VM leaves by its own address; nothing else is created and the subnet is private', () => {
    const { stack, vm: machine } = vm({ associatePublicIpAddress: true });
    const json = synth(stack);
    expect(machine.outbound.kind).toBe(VmOutboundKind.PUBLIC_IP);
    expect(outboundResources(json)).toEqual([]);
    expect(only(json, 'azurerm_public_ip')[1].name).toBe('myDockerVMPublicIP');
    expect(only(json, 'azurerm_subnet')[1].default_outbound_access_enabled).toBe(false);
  });

  test('default with subnetId: the subnet owner\'s path; nothing created', () => {
    const { stack, vm: machine } = vm({ subnetId: SUBNET_ID });
    const json = synth(stack);
    expect(machine.outbound.kind).toBe(VmOutboundKind.USER_MANAGED);
    expect(outboundResources(json)).toEqual([]);
    expect(blocks(json, 'azurerm_public_ip')).toEqual([]);
  });

  test('existingNatGateway: only the subnet association, to the given gateway', () => {
    const { stack } = vm({ outbound: VmOutbound.existingNatGateway(NAT_GATEWAY_ID) });
    const json = synth(stack);
    expect(outboundResources(json)).toEqual(['azurerm_subnet_nat_gateway_association']);
    expect(only(json, 'azurerm_subnet_nat_gateway_association')[1].nat_gateway_id).toBe(NAT_GATEWAY_ID);
    expect(blocks(json, 'azurerm_public_ip')).toEqual([]);
    expect(only(json, 'azurerm_subnet')[1].default_outbound_access_enabled).toBe(false);
  });

  test('existingNatGateway takes a token (a gateway made elsewhere in the stack)', () => {
    const stack = newStack();
    const id = new TerraformVariable(stack, 'natGatewayId', { type: 'string' }).stringValue;
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ outbound: VmOutbound.existingNatGateway(id) }));
    expect(only(synth(stack), 'azurerm_subnet_nat_gateway_association')[1].nat_gateway_id).toBe('${var.natGatewayId}');
  });

  test('userManaged: nothing created, the created subnet private (the team attaches its route to vm.subnet)', () => {
    const { stack, vm: machine } = vm({ outbound: VmOutbound.userManaged() });
    const json = synth(stack);
    expect(outboundResources(json)).toEqual([]);
    expect(blocks(json, 'azurerm_public_ip')).toEqual([]);
    expect(only(json, 'azurerm_subnet')[1].default_outbound_access_enabled).toBe(false);
    expect(machine.subnet).toBeDefined();
  });

  test('azureDefault: today\'s behaviour, the subnet with default outbound access and nothing created', () => {
    const { stack } = vm({ outbound: VmOutbound.azureDefault() });
    const json = synth(stack);
    expect(outboundResources(json)).toEqual([]);
    expect(only(json, 'azurerm_subnet')[1].default_outbound_access_enabled).toBe(true);
  });

  test('a NAT gateway and a public IP together: the VM is reached on its address and leaves by the gateway\'s', () => {
    const { stack } = vm({ associatePublicIpAddress: true, outbound: VmOutbound.natGateway() });
    const json = synth(stack);
    expect(blocks(json, 'azurerm_public_ip').map(([, ip]) => ip.name).sort()).toEqual(['myDockerVMNATIP', 'myDockerVMPublicIP']);
    expect(outboundResources(json)).toEqual(OUTBOUND_TYPES);
  });

  test('the scale set shares the implementation: a NAT gateway by default, the others on request', () => {
    const stack = newStack();
    const fleet = new DockerVirtualMachineScaleSet(stack, 'Fleet', { name: 'myFleet', resourceGroupName: RG, location: 'eastus', sshPublicKey: sshPublicKey() });
    const other = new DockerVirtualMachineScaleSet(stack, 'Other', {
      name: 'myOther', resourceGroupName: RG, location: 'eastus', sshPublicKey: sshPublicKey(), outbound: VmOutbound.azureDefault(),
      virtualNetworkAddressSpace: '10.1.0.0/16', subnetAddressPrefix: '10.1.0.0/24',
    });
    const json = synth(stack);
    expect(fleet.outbound.kind).toBe(VmOutboundKind.NAT_GATEWAY);
    expect(other.outbound.kind).toBe(VmOutboundKind.AZURE_DEFAULT);
    expect(only(json, 'azurerm_nat_gateway')[1].name).toBe('myFleetNATGW');
    expect(blocks(json, 'azurerm_subnet').map(([, s]) => [s.name, s.default_outbound_access_enabled]).sort())
      .toEqual([['myFleetSubnet', false], ['myOtherSubnet', true]]);
  });
});

describe('outbound combinations refused at synth', () => {
  test('publicIp() without associatePublicIpAddress; the neighbour with it passes', () => {
    expect(validationErrorOf(() => vm({ outbound: VmOutbound.publicIp() })).message).toContain(
      'outbound: "VmOutbound.publicIp()" leaves by the VM\'s public IP, but associatePublicIpAddress is off, so the VM has none. '
      + 'Fix: set associatePublicIpAddress: true, or use VmOutbound.natGateway() (the default without a public IP)');
    expect(() => synth(vm({ outbound: VmOutbound.publicIp(), associatePublicIpAddress: true }).stack)).not.toThrow();
  });

  test('publicIp() on a scale set; the neighbour with a NAT gateway passes', () => {
    const fleet = (outbound: VmOutbound) => new DockerVirtualMachineScaleSet(newStack(), 'Fleet', {
      name: 'myFleet', resourceGroupName: RG, location: 'eastus', sshPublicKey: sshPublicKey(), outbound,
    });
    expect(validationErrorOf(() => fleet(VmOutbound.publicIp())).message).toContain(
      'outbound: "VmOutbound.publicIp()" leaves by the machine\'s public IP, but a scale set\'s instances have none. '
      + 'Fix: use VmOutbound.natGateway() (the default) or VmOutbound.userManaged()');
    expect(() => fleet(VmOutbound.natGateway())).not.toThrow();
  });

  test.each([
    ['natGateway()', VmOutbound.natGateway(), 'VmOutbound.natGateway()'],
    ['existingNatGateway()', VmOutbound.existingNatGateway(NAT_GATEWAY_ID), 'VmOutbound.existingNatGateway(...)'],
    ['azureDefault()', VmOutbound.azureDefault(), 'VmOutbound.azureDefault()'],
  ])('%s with subnetId; the neighbour userManaged() passes', (_name, outbound, call) => {
    expect(validationErrorOf(() => vm({ subnetId: SUBNET_ID, outbound })).message).toContain(
      `outbound: "${call}" sets the outbound path of the subnet the construct creates, but subnetId passes a subnet of yours, `
      + 'whose outbound settings are set where it is defined. Fix: give that subnet its path there (a NAT gateway association, '
      + 'a route table) and use VmOutbound.userManaged(), the default with subnetId; or remove subnetId');
    expect(() => synth(vm({ subnetId: SUBNET_ID, outbound: VmOutbound.userManaged() }).stack)).not.toThrow();
  });

  test('existingNatGateway() with an ID that is not a NAT gateway\'s; the neighbour with one passes', () => {
    const subnetAsGateway = VmOutbound.existingNatGateway(SUBNET_ID);
    expect(validationErrorOf(() => vm({ outbound: subnetAsGateway })).message).toContain(
      `outbound.natGatewayId: "${SUBNET_ID.slice(0, 57)}..." is not a NAT gateway resource ID. Fix: pass the gateway's "id" `
      + '(az network nat gateway show --query id), /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/natGateways/<name>');
    expect(() => vm({ outbound: VmOutbound.existingNatGateway(NAT_GATEWAY_ID) })).not.toThrow();
  });

  test('a plain-JavaScript outbound that is not a VmOutbound; the neighbour passes', () => {
    const notOutbound = { kind: 'Firewall' } as unknown as VmOutbound;
    expect(validationErrorOf(() => vm({ outbound: notOutbound })).message).toContain(
      'outbound: {"kind":"Firewall"} is not a VmOutbound. Fix: use VmOutbound.natGateway(), VmOutbound.userManaged() or another VmOutbound factory');
    expect(() => vm({ outbound: VmOutbound.userManaged() })).not.toThrow();
  });
});

import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import type { DockerVirtualMachineProps } from '../docker-vm';
import { addressPrefixProblem, cidrContains, cidrProblem, ipVersionOf, isInternetWide, isServiceTag, prefixLengthOf } from './address-prefix';
import { isLocation, isResourceGroupName, isResourceIdOfType, LOCATION_FIX, LOCATION_RULE, RESOURCE_GROUP_NAME_RULE } from './azure-names';
import { outboundOf } from './docker-network';
import { validateLoginSettings } from './registry-login-props';
import { isPrivateKey, sshPublicKeyProblem } from './ssh-key';
import { isLiteral, PropsValidator } from './validation';
import { VmOutboundKind } from '../vm-outbound';

// The rules Azure and the azurerm provider enforce on a DockerVirtualMachine's input, checked at synth.

export const DEFAULT_VNET_ADDRESS_SPACE = '10.0.0.0/16';
export const DEFAULT_SUBNET_ADDRESS_PREFIX = '10.0.0.0/24';

/** Names Azure refuses as the admin user of a Linux VM. */
const RESERVED_ADMIN_USERNAMES = new Set([
  'administrator', 'admin', 'user', 'user1', 'user2', 'user3', 'user4', 'user5', 'test', 'test1', 'test2',
  'test3', 'admin1', 'admin2', '1', '123', 'a', 'actuser', 'adm', 'aspnet', 'backup', 'console', 'david',
  'guest', 'john', 'owner', 'root', 'server', 'sql', 'support', 'support_388945a0', 'sys',
]);

/** Azure's VM name rule (azurerm: 1-80, alphanumeric first, alphanumeric or `_` last). */
const VM_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$/;
/** A Linux host name as Azure takes it: at most 64 letters, digits, `.` and `-`, not ending in `.` or `-`. */
const COMPUTER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/;
const SUBNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;
const OS_DISK_TYPES = ['Standard_LRS', 'StandardSSD_LRS', 'Premium_LRS', 'StandardSSD_ZRS', 'Premium_ZRS'];
/** Azure's smallest subnet. */
const MAX_SUBNET_PREFIX_LENGTH = 29;
const REQUIRED_PROPS: Array<['name' | 'resourceGroupName' | 'location' | 'sshPublicKey', string]> = [
  ['name', '"myDockerVM"'], ['resourceGroupName', '"myResourceGroup"'], ['location', '"eastus"'],
  ['sshPublicKey', 'the contents of ~/.ssh/id_ed25519.pub'],
];
const SSH_KEY_FIX = 'pass the contents of ~/.ssh/id_ed25519.pub or ~/.ssh/id_rsa.pub (ssh-keygen -t ed25519, or -t rsa -b 4096)';

/**
 * Checks the props of a DockerVirtualMachine, or of a DockerVirtualMachineScaleSet (the same props but for
 * computerName and associatePublicIpAddress); throws one ValidationError naming `constructType`.
 */
export function validateDockerVmProps(vm: IConstruct, props: DockerVirtualMachineProps, adminUsername: string,
  constructType = 'DockerVirtualMachine', extra?: (v: PropsValidator) => void): void {
  const v = new PropsValidator(constructType, vm);
  // For callers without the type checker (plain JavaScript, JSON config): a clear error, not a TypeError.
  for (const [property, example] of REQUIRED_PROPS) {
    v.expect(typeof props[property] === 'string', property, props[property], 'is required and must be a string', `set ${property}, e.g. ${example}`);
  }
  validateNames(v, props);

  v.expectLiteral(adminUsername, (x) => !RESERVED_ADMIN_USERNAMES.has(x.toLowerCase()), 'adminUsername',
    'is a name Azure reserves and refuses', 'use e.g. "azureuser"');

  if (typeof props.sshPublicKey === 'string' && isLiteral(props.sshPublicKey)) {
    const problem = sshKeyProblemOf(props.sshPublicKey);
    // Never echo a private key into an error message (CI logs are readable too).
    const shown = isPrivateKey(props.sshPublicKey) ? '(a private key, not shown)' : props.sshPublicKey;
    v.expect(problem === undefined, 'sshPublicKey', shown, problem ?? '', SSH_KEY_FIX);
  }

  validateSshSources(v, props);
  validateNetwork(v, props);
  validateOutbound(v, props, constructType);

  v.expectLiteral(props.osDiskStorageAccountType, (x) => OS_DISK_TYPES.includes(x), 'osDiskStorageAccountType',
    `is not an OS disk storage type (${OS_DISK_TYPES.join(', ')})`, 'use e.g. "StandardSSD_LRS" or "Premium_LRS"');

  validateLoginSettings(v, { adminUsername, loginTimeoutSeconds: props.loginTimeoutSeconds, loginMethod: props.loginMethod });

  const identities = props.userAssignedIdentities ?? [];
  const identityIds = identities.map((i) => i.identityId).filter((x) => !Token.isUnresolved(x));
  v.expect(new Set(identities).size === identities.length && new Set(identityIds).size === identityIds.length,
    'userAssignedIdentities', identities.map((i) => i.node.path), 'lists the same identity twice', 'list each identity once');
  extra?.(v);
  v.throwIfInvalid();
}

function validateNames(v: PropsValidator, props: DockerVirtualMachineProps): void {
  const nameOk = !isLiteral(props.name) || (VM_NAME.test(props.name) && !/^\d+$/.test(props.name));
  v.expect(nameOk, 'name', props.name,
    'must be 1-80 letters, digits, ".", "_" or "-", start with a letter or digit, end with a letter, digit or "_", and not be all digits',
    'choose a name such as "myDockerVM"');
  if (props.computerName === undefined) {
    // Azure uses the VM's name as its host name, which has stricter rules: report it only for a valid VM name.
    if (nameOk) {
      v.expectLiteral(props.name, (x) => COMPUTER_NAME.test(x), 'name (the computer name derived from it)',
        'is not a valid Linux computer name: at most 64 letters, digits, "." or "-", no "_", not ending in "." or "-"',
        `set computerName to a valid host name, e.g. "${suggestedComputerName(props.name)}", or rename the VM`);
    }
  } else {
    v.expectLiteral(props.computerName, (x) => COMPUTER_NAME.test(x) && !/^\d+$/.test(x), 'computerName',
      'is not a valid Linux computer name: at most 64 letters, digits, "." or "-", no "_", not ending in "." or "-", not all digits',
      `use a host name such as "${suggestedComputerName(props.computerName)}"`);
  }
  v.expectLiteral(props.resourceGroupName, isResourceGroupName, 'resourceGroupName', RESOURCE_GROUP_NAME_RULE,
    'use the name of an existing resource group, such as "myResourceGroup"');
  v.expectLiteral(typeof props.location === 'string' ? props.location : undefined, isLocation, 'location', LOCATION_RULE, LOCATION_FIX);

  // The network resources are named after the VM, as `az vm create` names them; their limits are tighter.
  if (nameOk && isLiteral(props.name)) {
    const derived: Array<[string, string, number]> = [
      ['network security group', 'NSG', 80],
      ['network interface', 'VMNic', 80],
      ...(props.subnetId === undefined ? [['virtual network', 'VNET', 64], ['subnet', 'Subnet', 80]] as Array<[string, string, number]> : []),
      ...(props.associatePublicIpAddress ? [['public IP address', 'PublicIP', 80]] as Array<[string, string, number]> : []),
    ];
    const tooLong = derived.find(([, suffix, limit]) => props.name.length + suffix.length > limit);
    if (tooLong) {
      const [kind, suffix, limit] = tooLong;
      const max = Math.min(...derived.map(([, s, l]) => l - s.length));
      v.expect(false, 'name', props.name,
        `is too long for the resources named after it: the ${kind} "${props.name}${suffix}" would exceed Azure's ${limit}-character limit`,
        `shorten name to at most ${max} characters`);
    }
  }
}

function validateSshSources(v: PropsValidator, props: DockerVirtualMachineProps): void {
  const sources = props.sshSourceAddressPrefixes ?? [];
  // A token list (e.g. a list variable) is known only at apply.
  if (Token.isUnresolved(sources)) return;
  for (const source of sources.filter(isLiteral)) {
    const problem = addressPrefixProblem(source);
    if (problem) {
      v.expect(false, 'sshSourceAddressPrefixes', source, problem.message,
        problem.fix ?? 'use e.g. "203.0.113.4/32" (your address: curl -s https://ifconfig.me)');
    } else if (ipVersionOf(source) === 'ipv6') {
      // Azure also refuses a rule mixing IPv4 and IPv6 (ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies).
      v.expect(false, 'sshSourceAddressPrefixes', source,
        'is an IPv6 source, but the VM\'s network interface has only an IPv4 address, so SSH from it could never arrive',
        'use IPv4 addresses and ranges, e.g. "203.0.113.4/32" (your IPv4 address: curl -4 -s https://ifconfig.me)');
    } else {
      v.expect(!isInternetWide(source) || props.allowSshFromInternet === true, 'sshSourceAddressPrefixes', source,
        internetWideMessage(source), 'name your own address range, or set allowSshFromInternet: true to do it on purpose');
    }
  }
  v.expect(sources.length <= 1 || !sources.some((s) => isLiteral(s) && (s === '*' || isServiceTag(s))),
    'sshSourceAddressPrefixes', sources, 'mixes a service tag or "*" with other sources, which Azure refuses',
    'use a service tag alone, or only addresses and CIDR ranges');
}

/** Why an internet-wide SSH source is one. */
function internetWideMessage(source: string): string {
  if (/^azurecloud/i.test(source)) {
    return 'opens SSH to every Azure customer\'s VMs (AzureCloud is all of Azure\'s public address space)';
  }
  const length = prefixLengthOf(source);
  return length ? `opens SSH to a large part of the internet (a /${length} range)` : 'opens SSH to the whole internet';
}

function validateNetwork(v: PropsValidator, props: DockerVirtualMachineProps): void {
  if (props.subnetId !== undefined) {
    v.expectLiteral(props.subnetId, (x) => SUBNET_ID.test(x), 'subnetId', 'is not a subnet resource ID',
      'pass the subnet\'s "id" (az network vnet subnet show --query id), /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>');
    for (const property of ['virtualNetworkAddressSpace', 'subnetAddressPrefix'] as const) {
      v.expect(props[property] === undefined, property, props[property],
        'has no effect when subnetId is given: the construct creates no virtual network', `remove ${property}, or remove subnetId`);
    }
    return;
  }
  // The defaults are known good: a fleet of a thousand machines need not parse them a thousand times.
  if (props.virtualNetworkAddressSpace === undefined && props.subnetAddressPrefix === undefined) return;
  const space = props.virtualNetworkAddressSpace ?? DEFAULT_VNET_ADDRESS_SPACE;
  const subnet = props.subnetAddressPrefix ?? DEFAULT_SUBNET_ADDRESS_PREFIX;
  const spaceOk = ipv4CidrOk(v, 'virtualNetworkAddressSpace', space, `use a private range such as "${DEFAULT_VNET_ADDRESS_SPACE}"`);
  const subnetOk = ipv4CidrOk(v, 'subnetAddressPrefix', subnet, `use a range inside the virtual network, such as "${DEFAULT_SUBNET_ADDRESS_PREFIX}"`);
  if (!subnetOk) return;
  v.expect((prefixLengthOf(subnet) ?? 0) <= MAX_SUBNET_PREFIX_LENGTH, 'subnetAddressPrefix', subnet,
    `is smaller than /${MAX_SUBNET_PREFIX_LENGTH}, the smallest subnet Azure allows`, 'use a /29 or larger range, e.g. a /24');
  if (spaceOk) {
    v.expect(cidrContains(space, subnet), 'subnetAddressPrefix', subnet, `is not inside virtualNetworkAddressSpace "${space}"`,
      'choose a subnet range inside the virtual network\'s address space');
  }
}

/** How each outbound mode is written, for messages. */
const OUTBOUND_CALLS: Record<VmOutboundKind, string> = {
  [VmOutboundKind.NAT_GATEWAY]: 'VmOutbound.natGateway()',
  [VmOutboundKind.EXISTING_NAT_GATEWAY]: 'VmOutbound.existingNatGateway(...)',
  [VmOutboundKind.USER_MANAGED]: 'VmOutbound.userManaged()',
  [VmOutboundKind.PUBLIC_IP]: 'VmOutbound.publicIp()',
  [VmOutboundKind.AZURE_DEFAULT]: 'VmOutbound.azureDefault()',
};

/** The outbound mode the props give, or undefined when `outbound` is not a VmOutbound (plain JavaScript). */
function outboundKindOf(props: DockerVirtualMachineProps): VmOutboundKind | undefined {
  const kind = outboundOf(props)?.kind;
  return kind !== undefined && kind in OUTBOUND_CALLS ? kind : undefined;
}

function validateOutbound(v: PropsValidator, props: DockerVirtualMachineProps, constructType: string): void {
  const outbound = props.outbound;
  const kind = outboundKindOf(props);
  if (kind === undefined) {
    v.expect(false, 'outbound', outbound, 'is not a VmOutbound', 'use VmOutbound.natGateway(), VmOutbound.userManaged() or another VmOutbound factory');
    return;
  }
  const call = OUTBOUND_CALLS[kind];
  if (kind === VmOutboundKind.PUBLIC_IP) {
    const scaleSet = constructType !== 'DockerVirtualMachine';
    v.expect(props.associatePublicIpAddress === true, 'outbound', call, scaleSet
      ? 'leaves by the machine\'s public IP, but a scale set\'s instances have none'
      : 'leaves by the VM\'s public IP, but associatePublicIpAddress is off, so the VM has none',
    scaleSet ? 'use VmOutbound.natGateway() (the default) or VmOutbound.userManaged()'
      : 'set associatePublicIpAddress: true, or use VmOutbound.natGateway() (the default without a public IP)');
  }
  const onCreatedSubnet = kind === VmOutboundKind.NAT_GATEWAY || kind === VmOutboundKind.EXISTING_NAT_GATEWAY || kind === VmOutboundKind.AZURE_DEFAULT;
  if (props.subnetId !== undefined && onCreatedSubnet) {
    v.expect(false, 'outbound', call,
      'sets the outbound path of the subnet the construct creates, but subnetId passes a subnet of yours, whose outbound settings are set where it is defined',
      'give that subnet its path there (a NAT gateway association, a route table) and use VmOutbound.userManaged(), the default with subnetId; or remove subnetId');
  }
  if (kind === VmOutboundKind.EXISTING_NAT_GATEWAY) {
    const id = outbound?.natGatewayId;
    const fix = 'pass the gateway\'s "id" (az network nat gateway show --query id), '
      + '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/natGateways/<name>';
    v.expect(typeof id === 'string', 'outbound.natGatewayId', id, 'is required and must be a string', fix);
    if (typeof id === 'string') {
      v.expectLiteral(id, (x) => isResourceIdOfType(x, 'Microsoft.Network/natGateways'), 'outbound.natGatewayId', 'is not a NAT gateway resource ID', fix);
    }
  }
}

/** The problem of an SSH public key, checked once per key: a fleet usually has one key for all its machines. */
const sshKeyProblems = new Map<string, string | undefined>();
function sshKeyProblemOf(key: string): string | undefined {
  if (!sshKeyProblems.has(key)) sshKeyProblems.set(key, sshPublicKeyProblem(key));
  return sshKeyProblems.get(key);
}

/** Checks a literal IPv4 CIDR of the network the construct creates; true when it is one. */
function ipv4CidrOk(v: PropsValidator, property: string, cidr: string, fix: string): boolean {
  if (!isLiteral(cidr)) return false;
  const problem = cidrProblem(cidr);
  v.expect(problem === undefined, property, cidr, problem?.message ?? '', problem?.fix ?? fix);
  if (problem) return false;
  const ipv4 = ipVersionOf(cidr) === 'ipv4';
  v.expect(ipv4, property, cidr, 'is an IPv6 range, but the construct creates an IPv4-only virtual network and subnet', fix);
  return ipv4;
}

/** A valid Linux host name close to `name`, for the fix of an error message. */
function suggestedComputerName(name: string): string {
  if (typeof name !== 'string') return 'mydockervm';
  const suggestion = name.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64).replace(/^[.-]+|[.-]+$/g, '');
  return COMPUTER_NAME.test(suggestion) && !/^\d+$/.test(suggestion) ? suggestion : 'mydockervm';
}

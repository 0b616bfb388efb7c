import { RuleLevel } from '../rule';
import { blocks, isExpression, isSet, literalBool, literalString, refersTo } from '../private/config';
import { PolicyRule, StackResources } from '../private/rule';

const NIC = 'azurerm_network_interface';
const SUBNET = 'azurerm_subnet';
const VNET = 'azurerm_virtual_network';
const NIC_NSG = 'azurerm_network_interface_security_group_association';
const SUBNET_NSG = 'azurerm_subnet_network_security_group_association';
const PRIVATE_ENDPOINT = 'azurerm_private_endpoint';

/** Subnets Azure reserves for gateways, firewalls and route servers: an NSG is not supported there. */
const NSG_LESS_SUBNETS = new Set(['gatewaysubnet', 'azurefirewallsubnet', 'azurefirewallmanagementsubnet', 'routeserversubnet']);

function mayHaveNsg(subnetName: unknown): boolean {
  const name = literalString(subnetName);
  return name === undefined || !NSG_LESS_SUBNETS.has(name.toLowerCase());
}

/** The `subnet_id`s (as written: an expression or an ID) that have an NSG association in the stack. */
function subnetIdsWithNsg(stack: StackResources): Set<string> {
  return new Set(stack.ofType(SUBNET_NSG)
    .map(({ config }) => config.subnet_id)
    .filter((id): id is string => typeof id === 'string')
    .map((id) => id.toLowerCase()));
}

/** AZ-NET-001: a NIC with no NSG of its own and none on its subnet lets all traffic reach the VM. */
export const NIC_WITHOUT_NSG: PolicyRule = {
  id: 'AZ-NET-001',
  level: RuleLevel.ERROR,
  summary: 'Network interface without a network security group',
  fix: 'associate an NSG with the NIC (azurerm_network_interface_security_group_association; DockerVirtualMachine does) or with its subnet (azurerm_subnet_network_security_group_association) in this stack',
  resourceTypes: [NIC],
  check: ({ name, config }, stack) => {
    if (stack.ofType(NIC_NSG).some((a) => refersTo(a.config.network_interface_id, NIC, name))) return [];
    const ipConfigurations = blocks(config, 'ip_configuration');
    if (ipConfigurations === undefined) return [];
    const covered = subnetIdsWithNsg(stack);
    const subnetIds = ipConfigurations.map((ip) => ip.subnet_id).filter((id): id is string => typeof id === 'string');
    if (subnetIds.length > 0 && subnetIds.every((id) => covered.has(id.toLowerCase()))) return [];
    return ['no azurerm_network_interface_security_group_association names this NIC and its subnet has no NSG association in this stack: every port of the VM is reachable from wherever the network routes'];
  },
};

/** AZ-NET-002: a subnet without an NSG relies on every NIC in it having one. */
export const SUBNET_WITHOUT_NSG: PolicyRule = {
  id: 'AZ-NET-002',
  level: RuleLevel.ERROR,
  summary: 'Subnet without a network security group',
  fix: 'associate an NSG with the subnet (azurerm_subnet_network_security_group_association, or security_group in an inline subnet block)',
  resourceTypes: [SUBNET, VNET],
  check: ({ type, name, config }, stack) => {
    if (type === VNET) {
      return (blocks(config, 'subnet') ?? [])
        .filter((subnet) => mayHaveNsg(subnet.name) && !isSet(subnet.security_group))
        .map((subnet) => `inline subnet "${literalString(subnet.name) ?? '(unnamed)'}" has no security_group`);
    }
    if (!mayHaveNsg(config.name)) return [];
    return stack.ofType(SUBNET_NSG).some((a) => refersTo(a.config.subnet_id, SUBNET, name))
      ? []
      : ['no azurerm_subnet_network_security_group_association names this subnet in this stack'];
  },
};

/** AZ-NET-003: a public IP on a NIC puts the VM on the internet; its NSG is then all that guards it. */
export const NIC_PUBLIC_IP: PolicyRule = {
  id: 'AZ-NET-003',
  level: RuleLevel.WARNING,
  summary: 'Public IP address on a network interface',
  fix: 'reach the VM through Azure Bastion, a VPN or a load balancer instead (DockerVirtualMachine: leave associatePublicIpAddress off); when the public IP is intended, keep its NSG rules narrow and suppress with the reason',
  resourceTypes: [NIC],
  check: ({ config }) => (blocks(config, 'ip_configuration') ?? [])
    .filter((ip) => isSet(ip.public_ip_address_id))
    .map((ip) => `ip_configuration "${literalString(ip.name) ?? '(unnamed)'}" has a public_ip_address_id: the VM is directly on the internet`),
};

/** AZ-NET-004: IP forwarding lets the VM route traffic that is not addressed to it. */
export const NIC_IP_FORWARDING: PolicyRule = {
  id: 'AZ-NET-004',
  level: RuleLevel.ERROR,
  summary: 'IP forwarding enabled on a network interface',
  fix: 'set ip_forwarding_enabled = false; only network virtual appliances (firewalls, routers) need it: suppress with that reason',
  resourceTypes: [NIC],
  check: ({ config }) => literalBool(config.ip_forwarding_enabled) === true || literalBool(config.enable_ip_forwarding) === true
    ? ['ip_forwarding_enabled is true: the VM accepts and forwards traffic addressed to other hosts, the job of a network virtual appliance']
    : [],
};

/**
 * AZ-NET-005: a private endpoint whose address nothing writes into DNS. Clients keep resolving the
 * service's public name to its public address: the endpoint goes unused, or, with the service's
 * public access off, connections fail. A warning: DNS may be kept outside the stack (an Azure Policy
 * that adds zone groups in hub-and-spoke networks, custom DNS servers).
 */
export const PRIVATE_ENDPOINT_WITHOUT_DNS: PolicyRule = {
  id: 'AZ-NET-005',
  level: RuleLevel.WARNING,
  summary: 'Private endpoint without a private DNS zone group',
  fix: 'add a private_dns_zone_group naming the service\'s privatelink zone (registries: privatelink.azurecr.io; registry.addPrivateEndpoint does this); when DNS records are kept elsewhere (an Azure Policy adding zone groups, custom DNS servers), suppress with that reason',
  resourceTypes: [PRIVATE_ENDPOINT],
  check: ({ config }) => {
    const groups = blocks(config, 'private_dns_zone_group');
    if (groups === undefined) return []; // built by a dynamic block, known only at apply
    const withZones = groups.filter((group) => isExpression(group.private_dns_zone_ids)
      || (Array.isArray(group.private_dns_zone_ids) && group.private_dns_zone_ids.length > 0));
    return withZones.length > 0
      ? []
      : ['has no private_dns_zone_group with a zone: nothing writes the endpoint\'s private addresses into DNS, so clients resolve the service\'s name to its public address'];
  },
};

export const NETWORK_RULES: readonly PolicyRule[] = [
  NIC_WITHOUT_NSG, SUBNET_WITHOUT_NSG, NIC_PUBLIC_IP, NIC_IP_FORWARDING, PRIVATE_ENDPOINT_WITHOUT_DNS,
];

import { RuleLevel } from '../rule';
import { isInternetWide } from '../../private/address-prefix';
import { blocks, Config, literalString, literalStrings } from '../private/config';
import { CheckedResource, PolicyRule } from '../private/rule';

const NSG = 'azurerm_network_security_group';
const NSG_RULE = 'azurerm_network_security_rule';

/** An inbound Allow rule open to the internet: its name, the open source, ports and protocol. */
interface OpenRule {
  readonly name: string;
  readonly source: string;
  readonly protocol: string;
  readonly ports: Array<[number, number]>;
  readonly portText: string;
}

/** The security rules of an NSG (its inline `security_rule` blocks) or a standalone rule. */
function securityRules({ type, config }: CheckedResource): Config[] {
  return type === NSG_RULE ? [config] : blocks(config, 'security_rule') ?? [];
}

/** The rule, when it lets the internet in; rules with values known only at apply are skipped. */
function openToInternet(rule: Config): OpenRule | undefined {
  if (literalString(rule.direction)?.toLowerCase() !== 'inbound') return undefined;
  if (literalString(rule.access)?.toLowerCase() !== 'allow') return undefined;
  const protocol = literalString(rule.protocol);
  const source = [...literalStrings(rule.source_address_prefix), ...literalStrings(rule.source_address_prefixes)]
    .find(isInternetWide);
  if (protocol === undefined || source === undefined) return undefined;
  const portSpecs = [...literalStrings(rule.destination_port_range), ...literalStrings(rule.destination_port_ranges)];
  const ports = portSpecs.map(portRange).filter((r): r is [number, number] => r !== undefined);
  return { name: literalString(rule.name) ?? '(unnamed)', source, protocol, ports, portText: portSpecs.join(', ') };
}

/** `*`, `22` or `20-30` as an inclusive range. */
function portRange(spec: string): [number, number] | undefined {
  if (spec.trim() === '*') return [0, 65535];
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(spec);
  return match ? [Number(match[1]), Number(match[2] ?? match[1])] : undefined;
}

function allPorts(rule: OpenRule): boolean {
  return rule.ports.some(([from, to]) => from <= 1 && to >= 65535);
}

function carries(rule: OpenRule, protocols: string[]): boolean {
  return protocols.includes(rule.protocol.toLowerCase());
}

/** One port, not as part of every port (that is AZ-NSG-003's finding). */
function opensPort(rule: OpenRule, port: number, protocols: string[]): boolean {
  return carries(rule, protocols) && !allPorts(rule) && rule.ports.some(([from, to]) => from <= port && port <= to);
}

const opensSsh = (rule: OpenRule) => opensPort(rule, 22, ['tcp', '*']);
const opensRdp = (rule: OpenRule) => opensPort(rule, 3389, ['tcp', 'udp', '*']);
const opensAllPorts = (rule: OpenRule) => carries(rule, ['tcp', 'udp', '*']) && allPorts(rule);

/** A rule about inbound rules open to the internet: each offending security rule is its own finding. */
function openRule(
  info: Omit<PolicyRule, 'resourceTypes' | 'check'>, matches: (rule: OpenRule) => boolean, risk: string,
): PolicyRule {
  return {
    ...info,
    resourceTypes: [NSG, NSG_RULE],
    check: (resource) => securityRules(resource)
      .map(openToInternet)
      .filter((rule): rule is OpenRule => rule !== undefined && matches(rule))
      .map((rule) => `security rule "${rule.name}" allows inbound ${rule.protocol} to port ${rule.portText} from "${rule.source}": ${risk}`),
  };
}

/** AZ-NSG-001: SSH from anywhere invites brute force and exploits of sshd. */
export const NSG_SSH_FROM_INTERNET = openRule({
  id: 'AZ-NSG-001',
  level: RuleLevel.ERROR,
  summary: 'SSH (port 22) open to the internet',
  fix: 'set source_address_prefix(es) to the admin network\'s CIDR (DockerVirtualMachine: sshSourceAddressPrefixes), or reach the VM through Azure Bastion or a VPN',
}, opensSsh, 'SSH is reachable from the internet');

/** AZ-NSG-002: RDP from anywhere, the most attacked remote access port. */
export const NSG_RDP_FROM_INTERNET = openRule({
  id: 'AZ-NSG-002',
  level: RuleLevel.ERROR,
  summary: 'RDP (port 3389) open to the internet',
  fix: 'set source_address_prefix(es) to the admin network\'s CIDR, or reach the VM through Azure Bastion or a VPN',
}, opensRdp, 'RDP is reachable from the internet');

/** AZ-NSG-003: every port open, SSH and RDP included. */
export const NSG_ALL_PORTS_FROM_INTERNET = openRule({
  id: 'AZ-NSG-003',
  level: RuleLevel.ERROR,
  summary: 'All ports open to the internet',
  fix: 'allow only the ports the service needs (destination_port_range "443", not "*") and, where possible, only from known source prefixes',
}, opensAllPorts, 'every port, SSH (22) and RDP (3389) included, is reachable from the internet');

/**
 * AZ-NSG-004: any other port open to the internet. A warning: a public web server's 443 is often
 * intended, but each such opening should be a decision, suppressed with its reason.
 */
export const NSG_PORT_FROM_INTERNET = openRule({
  id: 'AZ-NSG-004',
  level: RuleLevel.WARNING,
  summary: 'A port open to the internet (other than SSH, RDP or all ports, which AZ-NSG-001..003 report)',
  fix: 'allow only known source prefixes; if the service is public on purpose (a web server on 443), suppress with that reason',
}, (rule) => rule.ports.length > 0 && !opensSsh(rule) && !opensRdp(rule) && !opensAllPorts(rule),
'the service on it is reachable from the internet');

export const NSG_RULES: readonly PolicyRule[] = [
  NSG_SSH_FROM_INTERNET, NSG_RDP_FROM_INTERNET, NSG_ALL_PORTS_FROM_INTERNET, NSG_PORT_FROM_INTERNET,
];

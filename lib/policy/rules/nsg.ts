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

function describe(rule: OpenRule): string {
  return `security rule "${rule.name}" allows inbound ${rule.protocol} to port ${rule.portText} from "${rule.source}"`;
}

/** A rule for one port open to the internet; the all-ports case is AZ-NSG-003's. */
function portRule(id: string, service: string, port: number, protocols: string[], fix: string): PolicyRule {
  return {
    id,
    level: RuleLevel.ERROR,
    summary: `${service} (port ${port}) open to the internet`,
    fix,
    resourceTypes: [NSG, NSG_RULE],
    check: (resource) => securityRules(resource)
      .map(openToInternet)
      .filter((rule): rule is OpenRule => rule !== undefined && carries(rule, protocols) && !allPorts(rule)
        && rule.ports.some(([from, to]) => from <= port && port <= to))
      .map((rule) => `${describe(rule)}: ${service} is reachable from the whole internet`),
  };
}

/** AZ-NSG-001: SSH from anywhere invites brute force and exploits of sshd. */
export const NSG_SSH_FROM_INTERNET = portRule('AZ-NSG-001', 'SSH', 22, ['tcp', '*'],
  'set source_address_prefix(es) to the admin network\'s CIDR (DockerVirtualMachine: sshSourceAddressPrefixes), or reach the VM through Azure Bastion or a VPN');

/** AZ-NSG-002: RDP from anywhere, the most attacked remote access port. */
export const NSG_RDP_FROM_INTERNET = portRule('AZ-NSG-002', 'RDP', 3389, ['tcp', 'udp', '*'],
  'set source_address_prefix(es) to the admin network\'s CIDR, or reach the VM through Azure Bastion or a VPN');

/** AZ-NSG-003: every port open, SSH and RDP included. */
export const NSG_ALL_PORTS_FROM_INTERNET: PolicyRule = {
  id: 'AZ-NSG-003',
  level: RuleLevel.ERROR,
  summary: 'All ports open to the internet',
  fix: 'allow only the ports the service needs (destination_port_range "443", not "*") and, where possible, only from known source prefixes',
  resourceTypes: [NSG, NSG_RULE],
  check: (resource) => securityRules(resource)
    .map(openToInternet)
    .filter((rule): rule is OpenRule => rule !== undefined && carries(rule, ['tcp', 'udp', '*']) && allPorts(rule))
    .map((rule) => `${describe(rule)}: every port, SSH (22) and RDP (3389) included, is reachable from the whole internet`),
};

export const NSG_RULES: readonly PolicyRule[] = [NSG_SSH_FROM_INTERNET, NSG_RDP_FROM_INTERNET, NSG_ALL_PORTS_FROM_INTERNET];

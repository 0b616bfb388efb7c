import { RuleLevel } from '../rule';
import { isInternetWide, prefixLengthOf } from '../../private/address-prefix';
import { blocks, Config, isExpression, literalString, literalStrings, refersTo } from '../private/config';
import { CheckedResource, PolicyRule, StackResources } from '../private/rule';

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

/** The literal sources of a rule (`source_address_prefix` and `source_address_prefixes`). */
function sourcesOf(rule: Config): string[] {
  return [...literalStrings(rule.source_address_prefix), ...literalStrings(rule.source_address_prefixes)];
}

/** The literal destination port specs of a rule (`destination_port_range` and `destination_port_ranges`). */
function portSpecsOf(rule: Config): string[] {
  return [...literalStrings(rule.destination_port_range), ...literalStrings(rule.destination_port_ranges)];
}

function portRangesOf(specs: string[]): Array<[number, number]> {
  return specs.map(portRange).filter((r): r is [number, number] => r !== undefined);
}

function isInboundAllow(rule: Config): boolean {
  return literalString(rule.direction)?.toLowerCase() === 'inbound' && literalString(rule.access)?.toLowerCase() === 'allow';
}

/** The rule, when it lets the internet in; rules with values known only at apply are skipped. */
function openToInternet(rule: Config): OpenRule | undefined {
  if (!isInboundAllow(rule)) return undefined;
  const protocol = literalString(rule.protocol);
  const source = sourcesOf(rule).find(isInternetWide);
  if (protocol === undefined || source === undefined) return undefined;
  const portSpecs = portSpecsOf(rule);
  return { name: literalString(rule.name) ?? '(unnamed)', source, protocol, ports: portRangesOf(portSpecs), portText: portSpecs.join(', ') };
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

/** An inbound rule with every value that matters known at synth. */
interface InboundRule {
  readonly name: string;
  readonly allow: boolean;
  readonly protocol: string;
  readonly sources: string[];
  readonly ports: Array<[number, number]>;
}

/**
 * The inbound rule as far as synth knows it: `undefined` for an outbound rule, `'unknown'` when a value
 * that decides what it admits or denies is known only at apply.
 */
function inboundRule(rule: Config): InboundRule | 'unknown' | undefined {
  const direction = literalString(rule.direction)?.toLowerCase();
  if (direction === 'outbound') return undefined;
  const access = literalString(rule.access)?.toLowerCase();
  const protocol = literalString(rule.protocol);
  const fields = [rule.source_address_prefix, rule.source_address_prefixes, rule.destination_port_range, rule.destination_port_ranges];
  const specs = portSpecsOf(rule);
  const ports = portRangesOf(specs);
  if (direction !== 'inbound' || access === undefined || protocol === undefined
    || fields.flat().some(isExpression) || ports.length !== specs.length) return 'unknown';
  return { name: literalString(rule.name) ?? '(unnamed)', allow: access === 'allow', protocol, sources: sourcesOf(rule), ports };
}

/** Sources that include every host of the virtual network and of peered networks. */
function coversVirtualNetwork(source: string): boolean {
  return ['*', 'any', 'virtualnetwork'].includes(source.trim().toLowerCase()) || prefixLengthOf(source.trim()) === 0;
}

/**
 * True when `rule` decides, before Azure's defaults, whether the virtual network reaches every port of
 * `range` over `protocol`: a Deny (what closes the gap) or an Allow (the network admitted on purpose).
 */
function decidesForVirtualNetwork(rule: InboundRule, protocol: string, [from, to]: [number, number]): boolean {
  return (rule.protocol === '*' || rule.protocol.toLowerCase() === protocol.toLowerCase())
    && rule.sources.some(coversVirtualNetwork)
    && rule.ports.some(([ruleFrom, ruleTo]) => ruleFrom <= from && to <= ruleTo);
}

/**
 * Every security rule of the NSG a resource belongs to, as far as the stack shows it: the NSG's inline
 * rules and the standalone rules that name it. Standalone rules name their NSG by reference or by the
 * same name and resource group.
 */
function rulesOfSameNsg({ type, name, config }: CheckedResource, stack: StackResources): Config[] | undefined {
  const nsg = type === NSG ? { name, config } : stack.ofType(NSG).find((g) => namesNsg(config, g.name, g.config));
  const inline = nsg ? blocks(nsg.config, 'security_rule') : [];
  if (inline === undefined) return undefined;
  const standalone = stack.ofType(NSG_RULE)
    .filter((r) => (nsg ? namesNsg(r.config, nsg.name, nsg.config) : sameNsgName(r.config, config)))
    .map((r) => r.config);
  return [...inline, ...standalone];
}

function namesNsg(rule: Config, nsgName: string, nsg: Config): boolean {
  return refersTo(rule.network_security_group_name, NSG, nsgName) || sameNsgName(rule, { network_security_group_name: nsg.name, resource_group_name: nsg.resource_group_name });
}

function sameNsgName(a: Config, b: Config): boolean {
  const literal = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : undefined);
  return literal(a.network_security_group_name) !== undefined
    && literal(a.network_security_group_name) === literal(b.network_security_group_name)
    && literal(a.resource_group_name) === literal(b.resource_group_name);
}

/**
 * AZ-NSG-005: an Allow rule that names its sources is silently widened by Azure's default rule
 * AllowVnetInBound (priority 65000) unless a rule from `*` or `VirtualNetwork` decides its ports first:
 * a Deny closes the gap, an explicit Allow says the network is meant to get in.
 */
export const NSG_WIDENED_BY_VNET_DEFAULT: PolicyRule = {
  id: 'AZ-NSG-005',
  level: RuleLevel.WARNING,
  summary: 'Inbound Allow rule for named sources that Azure\'s default rule AllowVnetInBound widens to the whole virtual network',
  fix: 'add an inbound Deny rule for the same ports and protocol from "*" (or "VirtualNetwork") with a priority number above the Allow rules\' and below 65000 (e.g. 4096), so only the named sources get in; when the virtual network should reach the port, allow "VirtualNetwork" explicitly',
  resourceTypes: [NSG, NSG_RULE],
  check: (resource, stack) => {
    const all = rulesOfSameNsg(resource, stack)?.map(inboundRule);
    if (all === undefined || all.includes('unknown')) return []; // a Deny known only at apply may close the gap
    const rules = all.filter((r): r is InboundRule => r !== undefined);
    const own = securityRules(resource).filter(isInboundAllow).map(inboundRule)
      .filter((r): r is InboundRule => typeof r === 'object');
    return own
      .filter((allow) => allow.sources.length > 0
        && !allow.sources.some((source) => isInternetWide(source) || coversVirtualNetwork(source)))
      .flatMap((allow) => allow.ports
        .filter((range) => !rules.some((rule) => decidesForVirtualNetwork(rule, allow.protocol, range)))
        .map(([from, to]) => {
          const port = from === to ? `${from}` : `${from}-${to}`;
          return `security rule "${allow.name}" admits ${allow.protocol} port ${port} from ${allow.sources.join(', ')}, but no rule from "*" `
            + `or "VirtualNetwork" covers port ${port}, so Azure's default rule AllowVnetInBound (priority 65000) admits every host of `
            + 'the virtual network and of peered networks to it too';
        }));
  },
};

export const NSG_RULES: readonly PolicyRule[] = [
  NSG_SSH_FROM_INTERNET, NSG_RDP_FROM_INTERNET, NSG_ALL_PORTS_FROM_INTERNET, NSG_PORT_FROM_INTERNET, NSG_WIDENED_BY_VNET_DEFAULT,
];

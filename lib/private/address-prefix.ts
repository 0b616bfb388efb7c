import * as ipaddr from 'ipaddr.js';

/** Sources that mean "anyone on the internet" in an NSG rule (compared in lower case). */
const INTERNET_WIDE = new Set(['*', 'any', 'internet', '0.0.0.0', '::']);
/** A range shorter than this covers at least 1/128 of its address family: a large part of the internet. */
const INTERNET_WIDE_PREFIX_LENGTH = 8;

/**
 * Azure service tags that make sense as the source of an inbound NSG rule, as Microsoft's
 * "Virtual network service tags" page spells them. Only AzureCloud is offered per region here.
 */
export const SOURCE_SERVICE_TAGS = [
  'VirtualNetwork', 'AzureLoadBalancer', 'Internet', 'AzureCloud', 'GatewayManager', 'AzureTrafficManager', 'AzureFrontDoor.Backend',
];
/** `AzureCloud.<region>`: the region as the service tag file writes it (`westeurope`) or as the docs do (`WestEurope`). */
const AZURE_CLOUD = /^AzureCloud(\.[A-Za-z][A-Za-z0-9]*)?$/;

/** Why a value is not an address prefix; `fix` when a specific one applies. */
export interface AddressPrefixProblem {
  readonly message: string;
  readonly fix?: string;
}

/**
 * True for an address prefix that opens a rule to the internet, or a large part of it: `*`, `Internet`,
 * `AzureCloud[.<region>]` (any Azure customer's VM), and any range shorter than /8. Lenient about case.
 */
export function isInternetWide(prefix: string): boolean {
  const text = prefix.trim();
  if (INTERNET_WIDE.has(text.toLowerCase()) || /^azurecloud(\.[a-z0-9]+)?$/i.test(text)) return true;
  const length = parseCidr(text)?.[1];
  return length !== undefined ? length < INTERNET_WIDE_PREFIX_LENGTH : /\/0$/.test(text);
}

/** One of {@link SOURCE_SERVICE_TAGS}, or `AzureCloud.<region>`, spelled as Azure documents it. */
export function isServiceTag(prefix: string): boolean {
  return SOURCE_SERVICE_TAGS.includes(prefix) || AZURE_CLOUD.test(prefix);
}

/** `ipv4` or `ipv6` for a valid address or CIDR range; undefined for anything else (service tag, `*`, invalid). */
export function ipVersionOf(prefix: string): 'ipv4' | 'ipv6' | undefined {
  if (isAddress(prefix)) return ipaddr.parse(prefix).kind();
  return parseCidr(prefix)?.[0].kind();
}

/** Why `prefix` is not a source an NSG rule accepts (address, CIDR, service tag or `*`); undefined when it is. */
export function addressPrefixProblem(prefix: string): AddressPrefixProblem | undefined {
  if (prefix === '*' || isServiceTag(prefix)) return undefined;
  if (isAddress(prefix)) return undefined;
  const cidr = parseCidr(prefix);
  if (cidr) return hostBitsProblem(...cidr);
  if (/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)?$/.test(prefix)) return serviceTagProblem(prefix);
  return { message: 'is not an IPv4/IPv6 address, CIDR range or service tag' };
}

/** A word that is not one of the service tags: misspelt in case, or unknown. */
function serviceTagProblem(word: string): AddressPrefixProblem {
  const regional = word.replace(/^azurecloud\./i, 'AzureCloud.');
  const known = SOURCE_SERVICE_TAGS.find((t) => t.toLowerCase() === word.toLowerCase())
    ?? (regional !== word && isServiceTag(regional) ? regional : undefined);
  if (known) return { message: 'is not spelt as Azure documents the service tag', fix: `use "${known}"` };
  if (word.toLowerCase() === 'any') return { message: 'is not a source Azure accepts', fix: 'use "*" for any source' };
  return {
    message: `is not an address, CIDR range or known NSG source service tag (${SOURCE_SERVICE_TAGS.join(', ')}, AzureCloud.<region>)`,
    fix: 'use one of those service tags, or the address range you mean, e.g. "203.0.113.0/24"',
  };
}

/**
 * Why `cidr` is not an `address/length` range Azure accepts; undefined when it is.
 * Azure refuses a range whose address has bits set past the prefix length (`10.0.0.1/8`).
 */
export function cidrProblem(cidr: string): AddressPrefixProblem | undefined {
  const parsed = parseCidr(cidr);
  return parsed ? hostBitsProblem(...parsed) : { message: 'is not an IPv4/IPv6 CIDR range (address/prefix length)' };
}

/** The prefix length of a valid CIDR, or undefined. */
export function prefixLengthOf(cidr: string): number | undefined {
  return parseCidr(cidr)?.[1];
}

/** True when the valid CIDR `inner` lies inside the valid CIDR `outer` (same IP version). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o[0].kind() !== i[0].kind() || i[1] < o[1]) return false;
  return i[0].match(o);
}

/** IPv4 only in dotted four-part decimal (ipaddr.js also reads `10` and octal `010.0.0.1`); IPv6 without a zone. */
function isAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (ipaddr.IPv6.isValid(text) && !text.includes('%'));
}

function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  const match = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(cidr);
  if (!match || !isAddress(match[1])) return undefined;
  try {
    return ipaddr.parseCIDR(cidr);
  } catch {
    return undefined; // prefix length over 32 / 128
  }
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, length: number): ipaddr.IPv4 | ipaddr.IPv6 {
  const cidr = `${address.toString()}/${length}`;
  return address.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
}

function hostBitsProblem(address: ipaddr.IPv4 | ipaddr.IPv6, length: number): AddressPrefixProblem | undefined {
  const start = networkAddress(address, length);
  if (start.toString() !== address.toString()) {
    const network = `${start.toString()}/${length}`;
    return {
      message: `has bits set past its prefix length, which Azure refuses (the range starts at ${network})`,
      fix: `use "${network}"`,
    };
  }
  return undefined;
}

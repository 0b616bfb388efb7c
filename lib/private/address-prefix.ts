import * as ipaddr from 'ipaddr.js';

/** Sources that mean "anyone on the internet" in an NSG rule. */
const INTERNET_WIDE = new Set(['*', 'any', 'internet', '0.0.0.0', '0.0.0.0/0', '::/0', '::']);

/** Why a value is not an address prefix; `fix` when a specific one applies. */
export interface AddressPrefixProblem {
  readonly message: string;
  readonly fix?: string;
}

/** True for an address prefix that opens a rule to the whole internet. */
export function isInternetWide(prefix: string): boolean {
  return INTERNET_WIDE.has(prefix.trim().toLowerCase()) || /\/0$/.test(prefix.trim());
}

/** A service tag such as `VirtualNetwork`, `AzureCloud` or `AzureCloud.WestEurope`. */
export function isServiceTag(prefix: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)?$/.test(prefix);
}

/** Why `prefix` is not a source an NSG rule accepts (address, CIDR, service tag or `*`); undefined when it is. */
export function addressPrefixProblem(prefix: string): AddressPrefixProblem | undefined {
  if (prefix === '*' || isServiceTag(prefix)) return undefined;
  if (isAddress(prefix)) return undefined;
  const cidr = parseCidr(prefix);
  return cidr ? hostBitsProblem(...cidr) : { message: 'is not an IPv4/IPv6 address, CIDR range or service tag' };
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

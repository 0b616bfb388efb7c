import * as ipaddr from 'ipaddr.js';

/** Sources that mean "anyone on the internet" in an NSG rule. */
const INTERNET_WIDE = new Set(['*', 'any', 'internet', '0.0.0.0', '0.0.0.0/0', '::/0', '::']);

/** True for an address prefix that opens a rule to the whole internet. */
export function isInternetWide(prefix: string): boolean {
  return INTERNET_WIDE.has(prefix.trim().toLowerCase()) || /\/0$/.test(prefix.trim());
}

/** A service tag such as `VirtualNetwork`, `AzureCloud` or `AzureCloud.WestEurope`. */
export function isServiceTag(prefix: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)?$/.test(prefix);
}

/** A source address prefix an NSG rule accepts: an IPv4/IPv6 address or CIDR, a service tag, or `*`. */
export function isAddressPrefix(prefix: string): boolean {
  if (prefix === '*' || isServiceTag(prefix)) return true;
  if (prefix.includes('/')) {
    try {
      ipaddr.parseCIDR(prefix);
      return true;
    } catch {
      return false;
    }
  }
  return ipaddr.isValid(prefix) && (ipaddr.IPv4.isValidFourPartDecimal(prefix) || prefix.includes(':'));
}

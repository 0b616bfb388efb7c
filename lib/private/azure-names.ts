/** Naming rules Azure enforces at deploy time, checked at synth. */

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Resource group names: 1-90 of letters, digits, `_`, `(`, `)`, `-`, `.`; not ending in `.`. */
export function isResourceGroupName(name: string): boolean {
  return /^[\p{L}\p{N}_().-]{1,90}$/u.test(name) && !name.endsWith('.');
}

export const RESOURCE_GROUP_NAME_RULE = 'must be 1-90 letters, digits, underscores, parentheses, hyphens or periods, not ending in a period';

/**
 * A resource ID of the given provider type, e.g. `Microsoft.ManagedIdentity/userAssignedIdentities`,
 * or of a child type, e.g. `Microsoft.Network/virtualNetworks/subnets`.
 */
export function isResourceIdOfType(id: string, type: string): boolean {
  const [namespace, ...resourceTypes] = type.split('/');
  const names = resourceTypes.map((resourceType) => `/${escape(resourceType)}/[^/]+`).join('');
  const pattern = new RegExp(`^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/${escape(namespace)}${names}$`, 'i');
  return pattern.test(id);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const REGISTRY_NAME = /^[A-Za-z0-9]{5,50}$/;
const LOGIN_SERVER = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
export const REGISTRY_NAME_RULE = 'must be 5-50 letters and digits (no hyphens, dots or underscores); registry names are globally unique';

/** A container registry name: 5-50 letters and digits. */
export function isRegistryName(name: string): boolean {
  return REGISTRY_NAME.test(name);
}

/** A registry login server: a host name without scheme, path, port or spaces. */
export function isLoginServer(host: string): boolean {
  return LOGIN_SERVER.test(host);
}

/** Private endpoint names: 2-64 letters, digits, `_`, `.`, `-`; starting with a letter or digit, ending with one or `_`. */
export function isPrivateEndpointName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$/.test(name);
}

export const PRIVATE_ENDPOINT_NAME_RULE = 'must be 2-64 letters, digits, underscores, periods or hyphens, start with a letter or digit and end with one or an underscore';

/**
 * A Linux user name Azure takes for the admin user: 1-64 letters, digits, `.`, `_` or `-`, starting with a letter
 * or `_`, not ending with `.`. Safe in a unit's `User=` and in runcmd. The one rule: the constructs' validation,
 * the user data renderer and the payload (`linux_user` in vm/acr-login.sh, the same POSIX ERE, checked by a test).
 */
export const LINUX_USERNAME = /^[A-Za-z_]([A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?$/;

/** An Azure region as the provider takes it (`eastus`, `West Europe`): not empty. */
export function isLocation(location: string): boolean {
  return location.trim().length > 0;
}

export const LOCATION_RULE = 'is empty, but Azure needs a region to create the resource in';
export const LOCATION_FIX = 'name the Azure region, such as "eastus" (az account list-locations --query [].name)';

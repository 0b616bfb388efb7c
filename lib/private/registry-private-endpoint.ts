import { TerraformStack, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { ValidationProblem } from '../errors';
import { sameResourceKey } from './resource-id';

/** What a kind of registry (made, looked up, imported) knows about itself that its private endpoints need. */
export interface PrivateEndpointTarget {
  /** The registry's name as given (a literal where the user wrote one): the endpoints' default name starts with it. */
  readonly registryName: string;
  /** The registry's resource group: where its endpoints and their DNS zone go by default. */
  readonly resourceGroupName: string;
  /** The registry's region, when known: the endpoints' default region. */
  readonly location?: string;
  /** The registry's SKU, when known: a literal is checked at synth, a token by a precondition at plan. */
  readonly sku?: string;
  /** How to make the registry Premium, or to declare that it is. */
  readonly skuFix: string;
}

/** The DNS zone every registry private endpoint resolves through (Azure public cloud). */
export const REGISTRY_PRIVATE_DNS_ZONE = 'privatelink.azurecr.io';

/** Zone names of the clouds: public, US Government, China. A team's own zone must be one of them. */
export const REGISTRY_PRIVATE_DNS_ZONE_NAMES = /^privatelink\.azurecr\.(io|us|cn)$/i;

/** Per stack: the resource groups (by {@link sameResourceKey}) that have a registry zone, and which endpoint made it. */
const ZONE_OWNERS = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * Records that `endpoint` creates the `privatelink.azurecr.io` zone in `resourceGroupName`, or
 * returns the problem when another endpoint of the stack already does: Azure has one zone of a
 * name per resource group, so a second would fail at apply with "already exists".
 */
export function claimRegistryPrivateDnsZone(endpoint: IConstruct, resourceGroupName: string): ValidationProblem | undefined {
  const stack = TerraformStack.of(endpoint);
  const owners = ZONE_OWNERS.get(stack) ?? new Map<string, string>();
  ZONE_OWNERS.set(stack, owners);
  const key = sameResourceKey(endpoint, resourceGroupName);
  const owner = owners.get(key);
  if (owner === undefined) {
    owners.set(key, endpoint.node.path);
    return undefined;
  }
  const group = Token.isUnresolved(resourceGroupName) ? key.replace(/^expression:/, '') : `"${resourceGroupName}"`;
  return {
    property: 'privateDnsZoneId',
    value: undefined,
    message: `is not set, so a ${REGISTRY_PRIVATE_DNS_ZONE} zone would be created in resource group ${group}, where '${owner}' `
      + 'already creates one; Azure allows one zone of a name per resource group',
    fix: `share that zone: pass privateDnsZoneId: <the endpoint at '${owner}'>.privateDnsZoneId, and list this endpoint's `
      + 'virtual network in that endpoint\'s virtualNetworkIds; or put this endpoint in another resourceGroupName',
  };
}

import { DefaultTokenResolver, Fn, StringConcat, TerraformStack, Token, Tokenization } from 'cdktf';
import { IConstruct } from 'constructs';

/**
 * Positions in an Azure resource ID split on `/`:
 * `/subscriptions/<2>/resourceGroups/<4>/providers/<namespace>/<type>/<8>/<child type>/<10>`.
 */
export const RESOURCE_GROUP_SEGMENT = 4;
export const NAME_SEGMENT = 8;
const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** The segments of a top-level resource's ID, e.g. a virtual network's within a subnet's ID. */
const TOP_LEVEL_SEGMENTS = 9;

/** One segment of a resource ID; a token is split by Terraform at apply. */
export function resourceIdSegment(resourceId: string, index: number): string {
  return Token.isUnresolved(resourceId)
    ? Fn.element(Fn.split('/', resourceId), index)
    : resourceId.split('/')[index] ?? '';
}

/** The ID of the virtual network a subnet belongs to: the subnet's ID without `/subnets/<name>`. */
export function virtualNetworkIdOf(subnetId: string): string {
  return Token.isUnresolved(subnetId)
    ? Fn.join('/', Fn.slice(Fn.split('/', subnetId), 0, TOP_LEVEL_SEGMENTS))
    : subnetId.split('/').slice(0, TOP_LEVEL_SEGMENTS).join('/');
}

/**
 * A key that is equal for two values naming the same Azure resource as far as synth can tell: a
 * literal compared without case (Azure names and IDs are case-insensitive), a token by the
 * expression it stands for (`${azurerm_resource_group.rg.name}`), however many times it was read.
 * Used to compare only, never as a construct id.
 */
export function sameResourceKey(scope: IConstruct, value: string): string {
  return Token.isUnresolved(value)
    ? `expression:${JSON.stringify(Tokenization.resolve(value, { scope: TerraformStack.of(scope), resolver: RESOLVER }))}`
    : `literal:${value.toLowerCase()}`;
}

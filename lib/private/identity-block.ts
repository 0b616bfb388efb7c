import { Fn, Token } from 'cdktf';

/** An `identity` block as the provider classes take it. */
export interface IdentityBlock {
  readonly type: string;
  readonly identityIds?: string[];
}

/** The identity an app pulls with: its own system-assigned one, or a user-assigned one by resource ID. */
export type AppIdentity = { readonly systemAssigned: true } | { readonly userAssignedIdentityId: string };

const SYSTEM = 'SystemAssigned';
const USER = 'UserAssigned';

/**
 * `current` with `identity` added, keeping every identity it has; `current` itself when it has the
 * identity already. Undefined when `current.type` is a token, which cannot be extended at synth.
 */
export function identityBlockWith(current: IdentityBlock | undefined, identity: AppIdentity): IdentityBlock | undefined {
  if (current !== undefined && Token.isUnresolved(current.type)) return undefined;
  const kinds = (current?.type ?? '').split(',').map((kind) => kind.trim().toLowerCase());
  const system = kinds.includes(SYSTEM.toLowerCase()) || 'systemAssigned' in identity;
  const user = kinds.includes(USER.toLowerCase()) || 'userAssignedIdentityId' in identity;
  const type = system && user ? `${SYSTEM}, ${USER}` : system ? SYSTEM : USER;
  const identityIds = 'userAssignedIdentityId' in identity
    ? withId(current?.identityIds, identity.userAssignedIdentityId)
    : current?.identityIds;
  if (current !== undefined && type === current.type && identityIds === current.identityIds) return current;
  return { type, identityIds };
}

/** The identity IDs with `id` added; a token list is extended by Terraform. */
function withId(ids: string[] | undefined, id: string): string[] {
  if (ids === undefined) return [id];
  if (Token.isUnresolved(ids)) return Token.asList(Fn.distinct(Fn.concat([ids, [id]])));
  return ids.includes(id) ? ids : [...ids, id];
}

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

/** The kinds of managed identity an identity block's `type` names. */
export interface IdentityKinds {
  readonly systemAssigned: boolean;
  readonly userAssigned: boolean;
}

/**
 * Parses a literal identity `type`: `SystemAssigned`, `UserAssigned` or `SystemAssigned, UserAssigned` (any case,
 * any spacing around the comma). Undefined (no identity block) names neither kind.
 */
export function identityKindsOf(type: string | undefined): IdentityKinds {
  const kinds = (type ?? '').split(',').map((kind) => kind.trim().toLowerCase());
  return { systemAssigned: kinds.includes(SYSTEM.toLowerCase()), userAssigned: kinds.includes(USER.toLowerCase()) };
}

/** The identity `type` of these kinds as Azure spells it (`SystemAssigned, UserAssigned` for both); undefined for neither. */
export function identityTypeOf(kinds: IdentityKinds): string | undefined {
  if (kinds.systemAssigned && kinds.userAssigned) return `${SYSTEM}, ${USER}`;
  if (kinds.systemAssigned) return SYSTEM;
  return kinds.userAssigned ? USER : undefined;
}

/**
 * `current` with `identity` added, keeping every identity it has; `current` itself when it has the
 * identity already. Undefined when `current.type` is a token, which cannot be extended at synth.
 */
export function identityBlockWith(current: IdentityBlock | undefined, identity: AppIdentity): IdentityBlock | undefined {
  if (current !== undefined && Token.isUnresolved(current.type)) return undefined;
  const kinds = identityKindsOf(current?.type);
  const type = identityTypeOf({
    systemAssigned: kinds.systemAssigned || 'systemAssigned' in identity,
    userAssigned: kinds.userAssigned || 'userAssignedIdentityId' in identity,
  })!;
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

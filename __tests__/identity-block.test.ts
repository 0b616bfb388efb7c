/**
 * The one parser and builder of identity types (`SystemAssigned`, `UserAssigned`, `SystemAssigned, UserAssigned`)
 * that principals, logins, app consumers and the Docker machines share.
 */
import { identityBlockWith, identityKindsOf, identityTypeOf } from '../lib/private/identity-block';

const NEITHER = { systemAssigned: false, userAssigned: false };
const SYSTEM = { systemAssigned: true, userAssigned: false };
const USER = { systemAssigned: false, userAssigned: true };
const BOTH = { systemAssigned: true, userAssigned: true };
const IDENTITY_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id';

describe('identityKindsOf', () => {
  test.each([
    ['SystemAssigned', SYSTEM],
    ['UserAssigned', USER],
    ['SystemAssigned, UserAssigned', BOTH],
    ['UserAssigned,SystemAssigned', BOTH],
    ['  systemassigned ,  USERASSIGNED ', BOTH],
  ])('reads %j', (type, kinds) => {
    expect(identityKindsOf(type)).toEqual(kinds);
  });

  test.each([[undefined], [''], ['None'], ['SystemAssignedX'], ['System Assigned'], ['SystemAssigned UserAssigned']])(
    'names neither kind in %j (not a list of the two kinds)', (type) => {
      expect(identityKindsOf(type)).toEqual(NEITHER);
    });
});

describe('identityTypeOf', () => {
  test.each([
    [SYSTEM, 'SystemAssigned'],
    [USER, 'UserAssigned'],
    [BOTH, 'SystemAssigned, UserAssigned'],
    [NEITHER, undefined],
  ])('spells %j as Azure does: %j, which reads back the same', (kinds, type) => {
    expect(identityTypeOf(kinds)).toBe(type);
    expect(identityKindsOf(identityTypeOf(kinds))).toEqual(kinds);
  });
});

describe('identityBlockWith', () => {
  test('adds a user-assigned identity to a system-assigned block written in another case, keeping both kinds', () => {
    expect(identityBlockWith({ type: 'systemassigned' }, { userAssignedIdentityId: IDENTITY_ID }))
      .toEqual({ type: 'SystemAssigned, UserAssigned', identityIds: [IDENTITY_ID] });
  });

  test('returns the block itself when it has the identity already', () => {
    const block = { type: 'SystemAssigned, UserAssigned', identityIds: [IDENTITY_ID] };
    expect(identityBlockWith(block, { systemAssigned: true })).toBe(block);
    expect(identityBlockWith(block, { userAssignedIdentityId: IDENTITY_ID })).toBe(block);
  });
});

import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { RegistryRole } from '../lib/registry-role';

const CUSTOM_GUID = '0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb';

describe('RegistryRole', () => {
  // The role definition GUIDs Azure publishes; a typo here grants a role that does not exist.
  test.each<[RegistryRole, string, string]>([
    [RegistryRole.ACR_PULL, 'AcrPull', '7f951dda-4ed3-4680-a7ca-43fe172d538d'],
    [RegistryRole.ACR_PUSH, 'AcrPush', '8311e382-0749-4cb8-b61a-304f252e45ec'],
    [RegistryRole.ACR_DELETE, 'AcrDelete', 'c2f4ef07-c644-48eb-af81-4b1b4947fb11'],
    [RegistryRole.ACR_IMAGE_SIGNER, 'AcrImageSigner', '6cef56e8-d556-48e5-a04f-b8e64114680f'],
    [RegistryRole.ACR_QUARANTINE_READER, 'AcrQuarantineReader', 'cdda3590-29a3-44f6-95f2-9f980659eb04'],
    [RegistryRole.ACR_QUARANTINE_WRITER, 'AcrQuarantineWriter', 'c8d4ff99-41c3-41a8-9f60-21dfdad59608'],
    [RegistryRole.REPOSITORY_READER, 'Container Registry Repository Reader', 'b93aa761-3e63-49ed-ac28-beffa264f7ac'],
    [RegistryRole.REPOSITORY_WRITER, 'Container Registry Repository Writer', '2a1e307c-b015-4ebd-883e-5b7698a07328'],
    [RegistryRole.REPOSITORY_CONTRIBUTOR, 'Container Registry Repository Contributor', '2efddaa5-3f1f-4df3-97df-af3f13818f4c'],
  ])('built-in %s is "%s" with GUID %s', (role, name, guid) => {
    expect(role.roleName).toBe(name);
    expect(role.toString()).toBe(name);
    expect(role.roleDefinitionGuid).toBe(guid);
  });

  test('AcrPull, AcrPush and AcrDelete are the roles a registry in ABAC mode ignores', () => {
    const ignored = [RegistryRole.ACR_PULL, RegistryRole.ACR_PUSH, RegistryRole.ACR_DELETE];
    const honoured = [RegistryRole.REPOSITORY_READER, RegistryRole.REPOSITORY_WRITER, RegistryRole.REPOSITORY_CONTRIBUTOR];
    expect(ignored.map((r) => r.honouredInAbacMode)).toEqual([false, false, false]);
    expect(honoured.map((r) => r.honouredInAbacMode)).toEqual([true, true, true]);
  });

  describe('fromRoleDefinitionId', () => {
    test('takes a custom role GUID, lowercased, named by its GUID unless named', () => {
      const role = RegistryRole.fromRoleDefinitionId(CUSTOM_GUID.toUpperCase());
      expect(role.roleDefinitionGuid).toBe(CUSTOM_GUID);
      expect(role.roleName).toBe(CUSTOM_GUID);
      expect(role.honouredInAbacMode).toBe(true);
      expect(RegistryRole.fromRoleDefinitionId(CUSTOM_GUID, 'MyRole').roleName).toBe('MyRole');
    });

    test.each([
      ['subscription', `/subscriptions/00000000-0000-0000-0000-000000000009/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM_GUID}`],
      ['tenant', `/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM_GUID}`],
      ['management group', `/providers/Microsoft.Management/managementGroups/mg1/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM_GUID}`],
      ['lowercase', `/subscriptions/x/providers/microsoft.authorization/roledefinitions/${CUSTOM_GUID}`],
    ])('keeps the GUID of a full %s-level ID', (_, id) => {
      expect(RegistryRole.fromRoleDefinitionId(id, 'MyRole').roleDefinitionGuid).toBe(CUSTOM_GUID);
    });

    test('a built-in GUID or ID returns the built-in role itself', () => {
      expect(RegistryRole.fromRoleDefinitionId('7F951DDA-4ED3-4680-A7CA-43FE172D538D')).toBe(RegistryRole.ACR_PULL);
      expect(RegistryRole.fromRoleDefinitionId(
        '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec', 'Push',
      )).toBe(RegistryRole.ACR_PUSH);
    });

    test.each(['', 'AcrPull', '7f951dda-4ed3-4680-a7ca', '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/not-a-guid'])(
      'refuses %p',
      (id) => {
        expect(() => RegistryRole.fromRoleDefinitionId(id)).toThrow(/is not a role definition ID\. Fix: pass the role's GUID/);
      },
    );

    test('a token ID needs a literal name, since construct ids never derive from tokens', () => {
      // GIVEN
      const stack = new TerraformStack(Testing.app(), 'TestStack');
      const id = new TerraformVariable(stack, 'roleId', { type: 'string' }).stringValue;
      // THEN
      expect(() => RegistryRole.fromRoleDefinitionId(id)).toThrow(/roleDefinitionId is a token.*literal 'name' is required/);
      expect(() => RegistryRole.fromRoleDefinitionId(id, id)).toThrow(/literal 'name' is required/);
      expect(() => RegistryRole.fromRoleDefinitionId(id, ' ')).toThrow(/literal 'name' is required/);
      const role = RegistryRole.fromRoleDefinitionId(id, 'MyRole');
      expect(role.roleName).toBe('MyRole');
      expect(role.roleDefinitionGuid).toBeUndefined();
    });

    test('a token name is refused even for a literal ID', () => {
      const stack = new TerraformStack(Testing.app(), 'TestStack');
      const name = new TerraformVariable(stack, 'roleName', { type: 'string' }).stringValue;
      expect(() => RegistryRole.fromRoleDefinitionId(CUSTOM_GUID, name)).toThrow(/literal 'name' is required/);
    });
  });

  describe('fromRoleName', () => {
    test('a custom role is resolved by name, with no GUID at synth', () => {
      const role = RegistryRole.fromRoleName('My Registry Role');
      expect(role.roleName).toBe('My Registry Role');
      expect(role.roleDefinitionGuid).toBeUndefined();
    });

    test('a built-in role name returns the built-in role', () => {
      expect(RegistryRole.fromRoleName('AcrPull')).toBe(RegistryRole.ACR_PULL);
      expect(RegistryRole.fromRoleName('container registry repository reader')).toBe(RegistryRole.REPOSITORY_READER);
    });

    test('refuses an empty or token name', () => {
      const stack = new TerraformStack(Testing.app(), 'TestStack');
      const name = new TerraformVariable(stack, 'roleName', { type: 'string' }).stringValue;
      expect(() => RegistryRole.fromRoleName('  ')).toThrow(/non-empty literal/);
      expect(() => RegistryRole.fromRoleName(name)).toThrow(/non-empty literal/);
    });
  });
});

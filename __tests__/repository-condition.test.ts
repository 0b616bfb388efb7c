import { RegistryRole } from '../lib';
import { isRepositoryOrPrefix, repositoryCondition } from '../lib/private/repository-condition';

const READ = (kind: string) => `Microsoft.ContainerRegistry/registries/repositories/${kind}`;
const NAME = '@Request[Microsoft.ContainerRegistry/registries/repositories:name]';

describe('repositoryCondition', () => {
  test('one repository: Microsoft\'s documented condition for the reader role', () => {
    // GIVEN / WHEN
    const condition = repositoryCondition(RegistryRole.REPOSITORY_READER.repositoryDataActions!, ['hello-world']);

    // THEN: the example of "Azure ABAC repository permissions in Azure Container Registry", line for line
    expect(condition).toBe([
      '(',
      ' (',
      `  !(ActionMatches{'${READ('content/read')}'})`,
      '  AND',
      `  !(ActionMatches{'${READ('metadata/read')}'})`,
      ' )',
      ' OR',
      ' (',
      `  ${NAME} StringEqualsIgnoreCase 'hello-world'`,
      ' )',
      ')',
    ].join('\n'));
  });

  test('a prefix ending in / matches by StringStartsWithIgnoreCase; several entries are ORed, sorted and deduplicated', () => {
    const condition = repositoryCondition(RegistryRole.REPOSITORY_READER.repositoryDataActions!, ['team-a/', 'aci-helloworld', 'team-a/']);

    expect(condition).toContain([
      ' (',
      `  ${NAME} StringEqualsIgnoreCase 'aci-helloworld'`,
      '  OR',
      `  ${NAME} StringStartsWithIgnoreCase 'team-a/'`,
      ' )',
    ].join('\n'));
    expect(condition).toBe(repositoryCondition(RegistryRole.REPOSITORY_READER.repositoryDataActions!, ['aci-helloworld', 'team-a/']));
  });

  test.each([
    [RegistryRole.REPOSITORY_READER, ['content/read', 'metadata/read']],
    [RegistryRole.REPOSITORY_WRITER, ['content/read', 'metadata/read', 'content/write', 'metadata/write']],
    [RegistryRole.REPOSITORY_CONTRIBUTOR,
      ['content/read', 'metadata/read', 'content/write', 'metadata/write', 'content/delete', 'metadata/delete']],
  ])('%s: the condition names every data action of the role, ANDed', (role, kinds) => {
    const condition = repositoryCondition(role.repositoryDataActions!, ['app']);

    const named = [...condition.matchAll(/ActionMatches\{'([^']+)'\}/g)].map((m) => m[1]);
    expect(named).toEqual(kinds.map(READ));
    expect(condition.split('\n  AND\n')).toHaveLength(kinds.length);
  });

  test.each([RegistryRole.ACR_PULL, RegistryRole.ACR_PUSH, RegistryRole.REPOSITORY_CATALOG_LISTER,
    RegistryRole.fromRoleDefinitionId('0b8e2b5f-7c1e-4a44-9a5e-1d2c3b4a5f60', 'Custom')])(
    '%s takes no repository condition', (role) => {
      expect(role.repositoryDataActions).toBeUndefined();
    });
});

describe('isRepositoryOrPrefix', () => {
  test.each(['aci-helloworld', 'team-a/app', 'team-a/', 'a/b/c', 'my_repo', 'my__repo', 'a.b', 'x--y'])('accepts %s', (entry) => {
    expect(isRepositoryOrPrefix(entry)).toBe(true);
  });
  test.each(['', '/', 'Team-A/app', 'team-a*', 'team-a/*', '-app', 'app-', 'a//b', '/app', 'a'.repeat(257), 'app:v1'])(
    'refuses %j', (entry) => {
      expect(isRepositoryOrPrefix(entry)).toBe(false);
    });
});

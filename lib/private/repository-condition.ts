import { Token } from 'cdktf';

/** The repository name a data action is requested on, as ABAC conditions read it. */
const REPOSITORY_NAME_ATTRIBUTE = '@Request[Microsoft.ContainerRegistry/registries/repositories:name]';

/** One path component of a repository name (the OCI distribution grammar, which ACR follows). */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** A repository name (`team-a/app`), or a prefix of whole components ending in `/` (`team-a/`). */
const REPOSITORY_OR_PREFIX = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*/?$`);
/** ACR's limit on a repository name. */
const MAX_REPOSITORY_LENGTH = 256;

/** The rule a repository entry must follow, for messages. */
export const REPOSITORY_RULE =
  'must be a repository name (lowercase letters, digits and . _ __ - between them, components separated by /, ' +
  `at most ${MAX_REPOSITORY_LENGTH} characters) such as "aci-helloworld", or a prefix of whole components ending in / such as "team-a/"`;

/** Whether `entry` is a literal repository name or `/`-terminated prefix that ACR could hold. */
export function isRepositoryOrPrefix(entry: string): boolean {
  return entry.length <= MAX_REPOSITORY_LENGTH && REPOSITORY_OR_PREFIX.test(entry);
}

/**
 * The ABAC condition (version 2.0) that limits a role's repository data actions to `repositories`, in the
 * layout of Microsoft's "Azure ABAC repository permissions in Azure Container Registry": every data action of
 * the role is allowed only when the repository's name equals an entry, or starts with an entry that ends in
 * `/` (a prefix of whole components: `team-a/` never matches `team-a-other/...`). Entries are sorted and
 * deduplicated, so the same set always yields the same text (the condition is ForceNew in azurerm).
 */
export function repositoryCondition(dataActions: readonly string[], repositories: readonly string[]): string {
  if (dataActions.length === 0 || repositories.length === 0) {
    throw new Error('repositoryCondition: needs at least one data action and one repository');
  }
  const entries = [...new Set(repositories)].sort();
  const actions = dataActions.map((action) => `  !(ActionMatches{'${action}'})`);
  const matches = entries.map((entry) => {
    const operator = !Token.isUnresolved(entry) && entry.endsWith('/') ? 'StringStartsWithIgnoreCase' : 'StringEqualsIgnoreCase';
    return `  ${REPOSITORY_NAME_ATTRIBUTE} ${operator} '${entry}'`;
  });
  return ['(', ' (', actions.join('\n  AND\n'), ' )', ' OR', ' (', matches.join('\n  OR\n'), ' )', ')'].join('\n');
}

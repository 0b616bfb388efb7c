import { RuleLevel } from '../rule';
import { blocks, Config, isExpression, isSet, literalBool, literalString, refersTo } from '../private/config';
import { PolicyRule, StackResources } from '../private/rule';

const REGISTRY = ['azurerm_container_registry'];

/** AZ-ACR-001: the admin user is a shared username and password, stored in the Terraform state. */
export const ACR_ADMIN_USER: PolicyRule = {
  id: 'AZ-ACR-001',
  level: RuleLevel.ERROR,
  summary: 'Container registry admin user enabled',
  fix: 'set admin_enabled = false (ContainerRegistry: leave adminUserEnabled off) and let managed identities pull with AcrPull (registry.grantPull(identity))',
  resourceTypes: REGISTRY,
  check: ({ config }) => literalBool(config.admin_enabled) === true
    ? ['admin_enabled is true: a shared username and password can push and pull, and the password lands in the Terraform state']
    : [],
};

/** AZ-ACR-002: anonymous pull lets anyone who can reach the registry read every image. */
export const ACR_ANONYMOUS_PULL: PolicyRule = {
  id: 'AZ-ACR-002',
  level: RuleLevel.ERROR,
  summary: 'Container registry anonymous pull enabled',
  fix: 'set anonymous_pull_enabled = false (ContainerRegistry: leave anonymousPullEnabled off) and grant AcrPull to the identities that pull',
  resourceTypes: REGISTRY,
  check: ({ config }) => literalBool(config.anonymous_pull_enabled) === true
    ? ['anonymous_pull_enabled is true: anyone who can reach the registry pulls every image without credentials']
    : [],
};

const PRIVATE_ENDPOINT = 'azurerm_private_endpoint';

/** The addresses of the stack's private endpoints that connect to the registry `<type>.<name>`. */
function privateEndpointsOf(registryName: string, stack: StackResources): string[] {
  return stack.ofType(PRIVATE_ENDPOINT)
    .filter(({ config }) => (blocks(config, 'private_service_connection') ?? [])
      .some((connection) => refersTo(connection.private_connection_resource_id, REGISTRY[0], registryName)))
    .map(({ address }) => address);
}

/**
 * AZ-ACR-003: a registry open to every network. A warning: a public registry (the tutorial's) is often
 * intended, but it should be a decision, suppressed with its reason. Basic and Standard registries are
 * reported too (as checkov does): the fix is Premium with a private endpoint.
 */
export const ACR_PUBLIC_NETWORK: PolicyRule = {
  id: 'AZ-ACR-003',
  level: RuleLevel.WARNING,
  summary: 'Container registry reachable from every network',
  fix: 'make the registry Premium, set public_network_access_enabled = false and pull over a private endpoint (ContainerRegistry: sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false, registry.addPrivateEndpoint(...)), or restrict it with network_rule_set { default_action = "Deny" }; a registry public on purpose suppresses with that reason',
  resourceTypes: REGISTRY,
  check: ({ name, config }, stack) => {
    const publicAccess = config.public_network_access_enabled;
    if (isSet(publicAccess) && literalBool(publicAccess) !== true) return []; // off, or known only at apply
    const ruleSets = blocks(config, 'network_rule_set');
    const denies = (set: Config) => isExpression(set.default_action) || literalString(set.default_action)?.toLowerCase() === 'deny';
    if (ruleSets === undefined || ruleSets.some(denies)) return [];
    const open = `public_network_access_enabled is ${isSet(publicAccess) ? 'true' : 'not set (the provider default is true)'} and no network_rule_set denies by default`;
    const endpoints = privateEndpointsOf(name, stack);
    if (endpoints.length > 0) {
      return [`${open}: ${endpoints.join(', ')} reaches the registry privately, yet its public endpoint still accepts connections from the whole internet`];
    }
    const sku = literalString(config.sku);
    const tier = sku !== undefined && sku.toLowerCase() !== 'premium' ? ` (a ${sku} registry cannot restrict networks: only Premium can)` : '';
    return [`${open}: the registry endpoint accepts connections from the whole internet${tier}`];
  },
};

export const ACR_RULES: readonly PolicyRule[] = [ACR_ADMIN_USER, ACR_ANONYMOUS_PULL, ACR_PUBLIC_NETWORK];

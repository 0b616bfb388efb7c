import { RuleLevel } from '../rule';
import { blocks, Config, isExpression, isSet, literalBool, literalString } from '../private/config';
import { PolicyRule } from '../private/rule';

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

/**
 * AZ-ACR-003: a Premium registry open to every network. Only Premium can restrict network
 * access, so Basic and Standard registries (public by necessity) are not reported.
 */
export const ACR_PUBLIC_NETWORK: PolicyRule = {
  id: 'AZ-ACR-003',
  level: RuleLevel.WARNING,
  summary: 'Premium container registry reachable from every network',
  fix: 'set public_network_access_enabled = false and use private endpoints, or add network_rule_set { default_action = "Deny" } with ip_rule entries for the networks that pull',
  resourceTypes: REGISTRY,
  check: ({ config }) => {
    if (literalString(config.sku)?.toLowerCase() !== 'premium') return [];
    const publicAccess = config.public_network_access_enabled;
    if (isSet(publicAccess) && literalBool(publicAccess) !== true) return []; // off, or known only at apply
    const ruleSets = blocks(config, 'network_rule_set');
    const denies = (set: Config) => isExpression(set.default_action) || literalString(set.default_action)?.toLowerCase() === 'deny';
    if (ruleSets === undefined || ruleSets.some(denies)) return [];
    return ['public_network_access_enabled is true (the provider default) and no network_rule_set denies by default: the registry endpoint accepts connections from the whole internet'];
  },
};

export const ACR_RULES: readonly PolicyRule[] = [ACR_ADMIN_USER, ACR_ANONYMOUS_PULL, ACR_PUBLIC_NETWORK];

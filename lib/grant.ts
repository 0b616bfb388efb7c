import { Fn, ITerraformDependable, Lazy, TerraformStack, Token } from 'cdktf';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { IGrantable, IPrincipal, Principal, PrincipalType } from './principal';
import { orderAfter } from './private/ordering';
import { repositoryCondition } from './private/repository-condition';
import { sharedToken } from './private/shared-token';
import { isLiteral } from './private/validation';
import { RegistryRole } from './registry-role';

/**
 * Options to assign a role on an Azure resource.
 * @internal
 */
export interface RoleAssignmentOptions {
  /**
   * The resource's construct. The role assignment is created under it, or under the grantee when the
   * grantee is a construct in another stack.
   */
  readonly scope: IConstruct;
  /** The resource ID the role is assigned at. */
  readonly resourceId: string;
  readonly grantee: IGrantable;
  readonly role: RegistryRole;
  /**
   * Repositories (names, or prefixes ending in `/`) to limit the role to, by an ABAC condition; the role must
   * have `repositoryDataActions`. Checked by the caller.
   * @default - every repository
   */
  readonly repositories?: readonly string[];
}

/**
 * A resource (or data source, or module) that can be ordered after a grant: any cdktf
 * `TerraformResource` fits.
 */
export interface IGrantDependent extends IConstruct {
  /**
   * Terraform's `depends_on`: the addresses it waits for.
   * @default - none
   */
  dependsOn?: string[];
}

/**
 * The result of a grant: one role assignment of one role to one principal at one scope.
 *
 * Granting the same role to the same principal twice (through any grantee) returns the same `Grant`
 * and synthesizes one role assignment.
 *
 * Order work after the permission exists (an app's first pull) in one of two ways:
 * - a resource made after the grant: its config's `dependsOn: [grant]`;
 * - any resource: `grant.applyBefore(resource)`.
 *
 * Not `resource.dependsOn = [grant.fqn]`: the property takes strings, and `fqn` renders as
 * `"${azurerm_role_assignment...}"`, which Terraform refuses in `depends_on` ("A single static
 * variable reference is required"). `node.addDependency` orders nothing in cdktf 0.21.
 */
export class Grant implements ITerraformDependable {
  /**
   * Assigns `role` to the grantee's principal at `resourceId`, or returns the existing grant.
   * @internal
   */
  public static _assign(options: RoleAssignmentOptions): Grant {
    const { scope, role } = options;
    const principal = principalOf(options.grantee, scope);
    refuseControlPlanePull(principal, role, scope);
    // The grantee names the role assignment (a DockerVirtualMachine, not its identity's principal construct),
    // so the Terraform addresses of grants to existing grantees stay what they were.
    const grantee: IConstruct = Construct.isConstruct(options.grantee) ? options.grantee : principal;

    // The same role (by GUID or name) to the same principal, whatever the role or the grantee was called.
    const grants = Grant.byScope.get(scope) ?? new Map<string, Grant>();
    Grant.byScope.set(scope, grants);
    const key = Token.isUnresolved(role._key) ? undefined : `${role._key}|${principalKey(principal)}`;
    const same = key === undefined ? undefined : grants.get(key);
    if (same) return same.withRepositories(options.repositories, scope);

    // A grantee in another stack gets the role assignment in its own stack (as aws-cdk attaches grants to
    // the principal): that stack then depends on the resource's, never the other way round, so the
    // grantee's stack can also reference the resource (a VM pulling from the registry) without a cycle.
    const crossStack = TerraformStack.of(grantee) !== TerraformStack.of(scope);
    const parent = crossStack ? grantee : scope;
    const id = `${constructIdPart(role.roleName)}-${crossStack ? pathKey(scope, true) : pathKey(grantee, false)}`;

    const existing = parent.node.tryFindChild(id);
    if (existing) return Grant.sameAs(existing, { id, parent, grantee, principal, role, scope }).withRepositories(options.repositories, scope);

    const roleDefinition = role._definitionFor(subscriptionOf(options.resourceId, scope, parent));
    const isServicePrincipal = principal.principalType === PrincipalType.SERVICE_PRINCIPAL;
    const repositories = options.repositories === undefined ? undefined : new Set(options.repositories);
    const nameKey = `${options.resourceId}|${principal.principalId}|${role._key}`;
    const roleAssignment = new RoleAssignment(parent, id, {
      // Deterministic, so re-applies, imports and a second stack granting the same role agree. With a condition,
      // its repositories are part of the name: the same set, the same assignment, whatever the grant order.
      name: repositories === undefined
        ? Fn.uuidv5('url', nameKey)
        : Lazy.stringValue({ produce: () => Fn.uuidv5('url', `${nameKey}|${sorted(repositories).join(',')}`) }),
      scope: options.resourceId,
      principalId: principal.principalId,
      // Without it a brand-new identity fails with PrincipalNotFound until Entra ID has replicated it.
      principalType: principal.principalType,
      skipServicePrincipalAadCheck: isServicePrincipal ? true : undefined,
      ...roleDefinition,
      ...(repositories === undefined ? {} : {
        // Every grant call's repositories, as one condition: rendered once all calls are in.
        condition: Lazy.stringValue({ produce: () => repositoryCondition(role.repositoryDataActions ?? [], sorted(repositories)) }),
        conditionVersion: '2.0',
      }),
    });
    const grant = new Grant(roleAssignment, role, principal, repositories);
    Grant.ofRoleAssignment.set(roleAssignment, grant);
    if (key !== undefined) grants.set(key, grant);
    return grant;
  }

  /** The grant whose role assignment already has the construct id, when it is the same role to the same principal. */
  private static sameAs(existing: IConstruct, wanted: {
    id: string; parent: IConstruct; grantee: IConstruct; principal: IPrincipal; role: RegistryRole; scope: IConstruct;
  }): Grant {
    const { id, parent, grantee, principal, role, scope } = wanted;
    const grant = Grant.ofRoleAssignment.get(existing);
    const taken = (holder: string, fix: string) => new ValidationError('Grant', scope.node.path, [{
      property: 'grantee',
      value: grantee.node.path,
      message: `needs the construct id '${id}' under '${parent.node.path}' for its ${role.roleName} role assignment, `
        + `but ${holder} already has it`,
      fix,
    }]);
    if (!grant) throw taken(`a ${existing.constructor.name}`, `give that ${existing.constructor.name} another id`);
    if (principalKey(grant.principal) !== principalKey(principal)) {
      throw taken(`the role assignment of the principal '${grant.principal.node.path}'`,
        'give one of the two grantees another construct id (their paths differ only in characters dropped from construct ids)');
    }
    if (!Token.isUnresolved(role._key) && !Token.isUnresolved(grant.role._key) && role._key !== grant.role._key) {
      // Two different literal roles share a name, so their role assignments would share a construct id.
      throw new ValidationError('Grant', scope.node.path, [{
        property: 'role',
        value: role.roleName,
        message: `names a role other than the one already granted to '${pathKey(grantee, false)}' under that name (${grant.role._key}, not ${role._key})`,
        fix: 'give the custom role a distinct name: RegistryRole.fromRoleDefinitionId(id, \'MyOtherRole\')',
      }]);
    }
    return grant;
  }

  private static readonly byScope = new WeakMap<IConstruct, Map<string, Grant>>();
  private static readonly ofRoleAssignment = new WeakMap<IConstruct, Grant>();

  private constructor(
    /** The role assignment: the escape hatch to the `azurerm_role_assignment` resource. */
    public readonly roleAssignment: RoleAssignment,
    /** The role granted. */
    public readonly role: RegistryRole,
    /** The principal the role is granted to. */
    public readonly principal: IPrincipal,
    /** The repositories the role is limited to (every grant call's), or undefined: every repository. */
    private readonly repositorySet?: Set<string>,
  ) {}

  /**
   * The repositories (names, or prefixes ending in `/`) the role is limited to, sorted: those of every grant of
   * this role to this principal on this resource. Undefined when the role covers every repository.
   */
  public get repositories(): string[] | undefined {
    return this.repositorySet === undefined ? undefined : sorted(this.repositorySet);
  }

  /** Adds a later grant call's repositories to this grant's; a grant limited to repositories and one that is not never mix. */
  private withRepositories(repositories: readonly string[] | undefined, scope: IConstruct): Grant {
    if ((repositories === undefined) !== (this.repositorySet === undefined)) {
      const limited = repositories ?? this.repositories ?? [];
      throw new ValidationError('Grant', scope.node.path, [{
        property: 'grant(options.repositories)',
        value: limited,
        message: `limits ${this.role.roleName} for '${this.principal.node.path}' to some repositories, but another grant of ` +
          'the same role to the same principal covers every repository: one role assignment cannot be both',
        fix: 'pass repositories to every grant of this role to this principal, or to none',
      }]);
    }
    for (const repository of repositories ?? []) this.repositorySet!.add(repository);
    return this;
  }

  /**
   * The role assignment's Terraform address, so a `Grant` can be given to a resource config's
   * `dependsOn: [grant]` (which renders it as `azurerm_role_assignment.<name>`).
   */
  public get fqn(): string {
    return this.roleAssignment.fqn;
  }

  /** The role assignment's resource ID. */
  public get roleAssignmentId(): string {
    return this.roleAssignment.id;
  }

  /**
   * Orders `resources` after the role assignment: an app that pulls at creation waits until it may.
   *
   * A resource in the role assignment's stack gets it in its `depends_on`; a resource in another stack
   * gets its stack ordered after the role assignment's stack (`cdktf deploy` applies that one first).
   * Calling it again for the same resource adds nothing.
   */
  public applyBefore(...resources: IGrantDependent[]): void {
    for (const resource of resources) orderAfter(resource, this.roleAssignment);
  }
}

/**
 * `/subscriptions/<id>/...` → `<id>`; a token is split by Terraform at apply, with one expression per resource ID
 * and stack of the role assignment (`parent`), shared by its grants.
 */
function subscriptionOf(resourceId: string, scope: IConstruct, parent: IConstruct): string {
  if (Token.isUnresolved(resourceId)) {
    return sharedToken(TerraformStack.of(parent), `subscription:${resourceId}`, () => Fn.element(Fn.split('/', resourceId), 2));
  }
  const match = /^\/subscriptions\/([^/]+)\//i.exec(resourceId);
  if (!match) {
    throw new ValidationError('Grant', scope.node.path, [{
      property: 'resourceId',
      value: resourceId,
      message: 'is not an Azure resource ID, so the role cannot be assigned on it',
      fix: 'pass the resource\'s "id" as az shows it: /subscriptions/<subscription>/resourceGroups/<group>/providers/...',
    }]);
  }
  return match[1];
}

/** The grantee's principal, which must be a construct so its role assignment gets a construct id. */
function principalOf(grantee: IGrantable, scope: IConstruct): IPrincipal {
  const principal = grantee.grantPrincipal;
  if (Construct.isConstruct(principal)) return principal;
  // Plain JavaScript (or a cast) can pass a principal the compiler refuses: name the fix.
  throw new ValidationError('Grant', scope.node.path, [{
    property: 'grantee',
    value: (principal as { principalId?: unknown } | undefined)?.principalId,
    message: 'has a grant principal that is not a construct, so its role assignment can get no stable construct id',
    fix: 'wrap the object ID in a principal: Principal.fromPrincipalId(this, \'MyPrincipal\', principalId, principalType)',
  }]);
}

/** Pull roles, which on an AKS cluster's control-plane identity let no pod pull. */
const PULL_ROLES = [RegistryRole.ACR_PULL, RegistryRole.REPOSITORY_READER];

/** Refuses the most common AKS mistake (Azure/AKS#1428): pull roles on the cluster's own identity. */
function refuseControlPlanePull(principal: IPrincipal, role: RegistryRole, scope: IConstruct): void {
  if (!(principal instanceof Principal) || !principal._isClusterControlPlane || !PULL_ROLES.includes(role)) return;
  throw new ValidationError('Grant', scope.node.path, [{
    property: 'grantee',
    value: principal.node.scope?.node.path,
    message: `is the AKS cluster's control-plane identity, which never pulls images: the nodes pull with the kubelet identity, `
      + `so ${role.roleName} on the control-plane identity lets no pod pull (Azure/AKS#1428)`,
    fix: 'grant to the kubelet identity, as az aks update --attach-acr does: registry.grantPull(Principal.ofKubeletIdentity(cluster))',
  }]);
}

/** A stable key of the principal: its object ID when literal, else its construct path (unique in the app). */
function principalKey(principal: IPrincipal): string {
  return isLiteral(principal.principalId) ? principal.principalId.toLowerCase() : `construct:${principal.node.path}`;
}

/** A construct's path as one construct id part, from its stack down (or below its stack). */
function pathKey(construct: IConstruct, withStack: boolean): string {
  const scopes = construct.node.scopes.slice(1); // drop the App
  const path = withStack ? scopes : scopes.filter((s) => !TerraformStack.isStack(s));
  return path.map((s) => constructIdPart(s.node.id)).join('-');
}

function constructIdPart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '');
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

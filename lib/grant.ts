import { Fn, ITerraformDependable, TerraformStack, Token } from 'cdktf';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { IGrantable, IPrincipal, PrincipalType } from './principal';
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
}

/**
 * The result of a grant: one role assignment of one role to one principal at one scope.
 *
 * A `Grant` can be depended on (`resource.dependsOn = [grant]`) to order work after the
 * permission exists. Granting the same role to the same grantee twice returns the same
 * `Grant` and synthesizes one role assignment.
 */
export class Grant implements ITerraformDependable {
  /**
   * Assigns `role` to the grantee's principal at `resourceId`, or returns the existing grant.
   * @internal
   */
  public static _assign(options: RoleAssignmentOptions): Grant {
    const { scope, role } = options;
    const principal = options.grantee.grantPrincipal;
    const granteeConstruct = constructOf(options.grantee, principal);
    const grantee = granteeKey(granteeConstruct, principal, scope);

    // The same role (by GUID or name) to the same grantee, whatever the role was called.
    const grants = Grant.byScope.get(scope) ?? new Map<string, Grant>();
    Grant.byScope.set(scope, grants);
    const key = Token.isUnresolved(role._key) ? undefined : `${role._key}|${grantee}`;
    const same = key === undefined ? undefined : grants.get(key);
    if (same) return same;

    // A grantee in another stack gets the role assignment in its own stack (as aws-cdk attaches grants to
    // the principal): that stack then depends on the resource's, never the other way round, so the
    // grantee's stack can also reference the resource (a VM pulling from the registry) without a cycle.
    const crossStack = granteeConstruct !== undefined && TerraformStack.of(granteeConstruct) !== TerraformStack.of(scope);
    const parent = crossStack ? granteeConstruct : scope;
    const id = `${constructIdPart(role.roleName)}-${crossStack ? pathKey(scope, true) : grantee}`;

    const existing = parent.node.tryFindChild(id);
    if (existing) {
      const grant = Grant.ofRoleAssignment.get(existing);
      if (!grant) {
        throw new ValidationError('Grant', scope.node.path, [{
          property: 'grantee',
          value: granteeConstruct?.node.path ?? principal.principalId,
          message: `needs the construct id '${id}' under '${parent.node.path}' for its ${role.roleName} role assignment, ` +
            `but a ${existing.constructor.name} already has it`,
          fix: `give that ${existing.constructor.name} another id`,
        }]);
      }
      if (key !== undefined && !Token.isUnresolved(grant.role._key)) {
        // Two different literal roles share a name, so their role assignments would share a construct id.
        throw new ValidationError('Grant', scope.node.path, [{
          property: 'role',
          value: role.roleName,
          message: `names a role other than the one already granted to '${grantee}' under that name (${grant.role._key}, not ${role._key})`,
          fix: 'give the custom role a distinct name: RegistryRole.fromRoleDefinitionId(id, \'MyOtherRole\')',
        }]);
      }
      return grant;
    }

    const roleDefinition = role._definitionFor(subscriptionOf(options.resourceId, scope));
    const isServicePrincipal = principal.principalType === PrincipalType.SERVICE_PRINCIPAL;
    const roleAssignment = new RoleAssignment(parent, id, {
      // Deterministic, so re-applies, imports and a second stack granting the same role agree.
      name: Fn.uuidv5('url', `${options.resourceId}|${principal.principalId}|${role._key}`),
      scope: options.resourceId,
      principalId: principal.principalId,
      // Without it a brand-new identity fails with PrincipalNotFound until Entra ID has replicated it.
      principalType: principal.principalType,
      skipServicePrincipalAadCheck: isServicePrincipal ? true : undefined,
      ...roleDefinition,
    });
    const grant = new Grant(roleAssignment, role, principal);
    Grant.ofRoleAssignment.set(roleAssignment, grant);
    if (key !== undefined) grants.set(key, grant);
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
  ) {}

  /** The role assignment's Terraform address, so a `Grant` can be used in `dependsOn`. */
  public get fqn(): string {
    return this.roleAssignment.fqn;
  }

  /** The role assignment's resource ID. */
  public get roleAssignmentId(): string {
    return this.roleAssignment.id;
  }
}

/** `/subscriptions/<id>/...` → `<id>`; a token is split by Terraform at apply. */
function subscriptionOf(resourceId: string, scope: IConstruct): string {
  if (Token.isUnresolved(resourceId)) return Fn.element(Fn.split('/', resourceId), 2);
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

/** The grantee as a construct, when it (or its principal) is one. */
function constructOf(grantee: IGrantable, principal: IPrincipal): (IGrantable & IConstruct) | undefined {
  return [grantee, principal].find((g): g is IGrantable & IConstruct => Construct.isConstruct(g));
}

/** A stable, token-free key of the grantee, used in the role assignment's construct id. */
function granteeKey(construct: IConstruct | undefined, principal: IPrincipal, scope: IConstruct): string {
  if (construct) return pathKey(construct, TerraformStack.of(construct) !== TerraformStack.of(scope));
  if (!Token.isUnresolved(principal.principalId)) return principal.principalId;
  throw new ValidationError('Grant', scope.node.path, [{
    property: 'grantee',
    value: principal.principalId,
    message: 'is not a construct and its principalId is a token (known only at apply), so no stable construct id ' +
      'can be derived for its role assignment',
    fix: 'grant to a construct (UserAssignedIdentity, DockerVirtualMachine) or to a principal with a literal principalId',
  }]);
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

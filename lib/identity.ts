import { UserAssignedIdentity as AzurermUserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { IPrincipal, PrincipalType } from './principal';
import { GUID, isResourceGroupName, isResourceIdOfType, RESOURCE_GROUP_NAME_RULE } from './private/azure-names';
import { isLiteral, PropsValidator } from './private/validation';

const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

/**
 * A user-assigned managed identity: one made by this stack or one made elsewhere.
 */
export interface IUserAssignedIdentity extends IPrincipal, IConstruct {
  /** The identity's resource ID (`/subscriptions/.../userAssignedIdentities/<name>`). */
  readonly identityId: string;
  /** The identity's principal (object) ID: what roles are assigned to. */
  readonly principalId: string;
  /** The identity's client (application) ID: what `az login --identity --client-id` takes. */
  readonly clientId: string;
  /**
   * The Entra ID tenant the identity belongs to. Reading it from an identity imported without
   * `tenantId` throws a {@link ValidationError}.
   */
  readonly tenantId: string;
}

/**
 * Properties of a {@link UserAssignedIdentity}.
 */
export interface UserAssignedIdentityProps {
  /** The identity's name (3-128 letters, digits, hyphens and underscores; starts with a letter or digit). */
  readonly name: string;
  /** The resource group to create the identity in. */
  readonly resourceGroupName: string;
  /** The Azure region, e.g. `eastus`. */
  readonly location: string;
  /**
   * Tags of the identity.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * Attributes of a user-assigned identity made elsewhere.
 */
export interface UserAssignedIdentityAttributes {
  /** The identity's resource ID. */
  readonly identityId: string;
  /** The identity's principal (object) ID. Not its client ID. */
  readonly principalId: string;
  /** The identity's client (application) ID. */
  readonly clientId: string;
  /**
   * The identity's tenant ID.
   * @default - unknown; `tenantId` of the imported identity throws
   */
  readonly tenantId?: string;
}

/**
 * A user-assigned managed identity (`az identity create`), over `azurerm_user_assigned_identity`.
 *
 * It is its own grant principal: `registry.grantPull(identity)` assigns AcrPull to its principal ID.
 */
export class UserAssignedIdentity extends Construct implements IUserAssignedIdentity {
  /**
   * An identity made elsewhere (another stack, the portal, `az identity create`).
   */
  public static fromIdentityAttributes(
    scope: Construct,
    id: string,
    attrs: UserAssignedIdentityAttributes,
  ): IUserAssignedIdentity {
    attrs = attrs ?? ({} as UserAssignedIdentityAttributes);
    class Import extends Construct implements IUserAssignedIdentity {
      public readonly identityId = attrs.identityId;
      public readonly principalId = attrs.principalId;
      public readonly clientId = attrs.clientId;
      public readonly principalType = PrincipalType.SERVICE_PRINCIPAL;
      public readonly grantPrincipal = this;
      public get tenantId(): string {
        if (attrs.tenantId === undefined || attrs.tenantId === null) {
          throw new ValidationError('UserAssignedIdentity.fromIdentityAttributes', this.node.path, [{
            property: 'tenantId',
            value: undefined,
            message: 'was not given, so the imported identity\'s tenant is unknown',
            fix: 'pass tenantId to fromIdentityAttributes: az identity show --query tenantId',
          }]);
        }
        return attrs.tenantId;
      }
    }
    const imported = new Import(scope, id);
    const v = new PropsValidator('UserAssignedIdentity.fromIdentityAttributes', imported);
    v.expectGiven(attrs, {
      identityId: 'pass the identity\'s "id": az identity show --query id',
      principalId: 'pass the identity\'s principal (object) ID: az identity show --query principalId',
      clientId: 'pass the identity\'s client ID: az identity show --query clientId',
    });
    v.expectLiteral(attrs.identityId ?? undefined, (x) => isResourceIdOfType(x, IDENTITY_TYPE), 'identityId',
      'is not a user-assigned identity resource ID',
      'pass the identity\'s "id" (az identity show --query id), /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>');
    v.expectLiteral(attrs.principalId ?? undefined, (x) => GUID.test(x), 'principalId', 'is not a GUID',
      'pass the identity\'s principal (object) ID: az identity show --query principalId');
    v.expectLiteral(attrs.clientId ?? undefined, (x) => GUID.test(x), 'clientId', 'is not a GUID',
      'pass the identity\'s client ID: az identity show --query clientId');
    v.expectLiteral(attrs.tenantId ?? undefined, (x) => GUID.test(x), 'tenantId', 'is not a GUID',
      'pass the identity\'s tenant ID: az identity show --query tenantId');
    const guids = [attrs.principalId, attrs.clientId].every((x) => isLiteral(x) && GUID.test(x));
    if (guids) {
      v.expect(attrs.principalId.toLowerCase() !== attrs.clientId.toLowerCase(), 'principalId', attrs.principalId,
        'is the same as clientId: a role assigned to a client ID never takes effect',
        'pass the principal (object) ID as principalId: az identity show --query principalId');
    }
    v.throwIfInvalid();
    return imported;
  }

  /** The underlying `azurerm_user_assigned_identity`: the escape hatch. */
  public readonly resource: AzurermUserAssignedIdentity;
  public readonly identityId: string;
  public readonly principalId: string;
  public readonly clientId: string;
  /** The tenant the identity belongs to. */
  public readonly tenantId: string;
  /** The identity's name. */
  public readonly identityName: string;
  public readonly principalType = PrincipalType.SERVICE_PRINCIPAL;
  public readonly grantPrincipal = this;

  constructor(scope: Construct, id: string, props: UserAssignedIdentityProps) {
    super(scope, id);
    props = props ?? ({} as UserAssignedIdentityProps);
    const v = new PropsValidator('UserAssignedIdentity', this);
    v.expectGiven(props, {
      name: 'choose a name such as "myACRId"',
      resourceGroupName: 'use the name of an existing resource group, such as "myResourceGroup"',
      location: 'name the Azure region, such as "eastus"',
    });
    v.expectLiteral(props.name ?? undefined, (x) => /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/.test(x), 'name',
      'must be 3-128 letters, digits, hyphens or underscores, starting with a letter or digit',
      'choose a name such as "myACRId"');
    v.expectLiteral(props.resourceGroupName ?? undefined, isResourceGroupName, 'resourceGroupName', RESOURCE_GROUP_NAME_RULE,
      'use the name of an existing resource group, such as "myResourceGroup"');
    v.throwIfInvalid();

    this.resource = new AzurermUserAssignedIdentity(this, 'Default', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
    });
    this.identityId = this.resource.id;
    this.principalId = this.resource.principalId;
    this.clientId = this.resource.clientId;
    this.tenantId = this.resource.tenantId;
    this.identityName = this.resource.name;
  }
}


import { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { GUID } from './private/azure-names';
import { identityKindsOf } from './private/identity-block';
import { PropsValidator } from './private/validation';

/**
 * The kind of Entra ID principal a role is assigned to (`principal_type` of a role assignment).
 */
export enum PrincipalType {
  /** Service principals, which include every managed identity. */
  SERVICE_PRINCIPAL = 'ServicePrincipal',
  /** A user. */
  USER = 'User',
  /** A group. */
  GROUP = 'Group',
}

/**
 * Something that can be granted a role: it has, or is, a principal.
 *
 * A user-assigned identity is its own grant principal; a VM's grant principal is its
 * system-assigned identity.
 */
export interface IGrantable {
  /** The principal that roles are assigned to. */
  readonly grantPrincipal: IPrincipal;
}

/**
 * An Entra ID principal that Azure roles can be assigned to.
 *
 * A principal is a construct, so each of its role assignments gets a construct id (a Terraform
 * address) that never derives from its principal ID, which is often known only at apply. To grant
 * to a principal known by its object ID, use {@link Principal.fromPrincipalId}.
 */
export interface IPrincipal extends IGrantable, IConstruct {
  /**
   * The principal's object ID: what `az role assignment create --assignee` needs.
   * For a managed identity this is its `principalId`, never its `clientId`.
   */
  readonly principalId: string;

  /** The kind of principal. */
  readonly principalType: PrincipalType;
}

/**
 * A provider resource with an `identity` block, seen through the attributes the library reads: any
 * resource class of `@cdktf/provider-azurerm` with a managed identity fits (`LinuxVirtualMachine`,
 * `LinuxVirtualMachineScaleSet`, `KubernetesCluster`, `LinuxWebApp`, `LinuxFunctionApp`,
 * `ContainerApp`, `ContainerGroup`, ...).
 */
export interface IResourceWithIdentity extends IConstruct {
  /** The Terraform resource type, e.g. `azurerm_linux_virtual_machine`. */
  readonly terraformResourceType: string;
  /** The resource's `identity` block: its `principal_id` (known at apply) and the `type` it was given. */
  readonly identity: {
    /** `identity[0].principal_id`: the system-assigned identity's object ID. */
    readonly principalId: string;
    /**
     * The identity type given to the resource (`SystemAssigned`, `UserAssigned`, both).
     * @default - none: the resource has no identity block
     */
    readonly typeInput?: string;
  };
}

/**
 * An AKS cluster (`KubernetesCluster` of `@cdktf/provider-azurerm/lib/kubernetes-cluster`), seen through
 * the attributes the library reads.
 */
export interface IKubernetesClusterResource extends IResourceWithIdentity {
  /** The `kubelet_identity` block: the identity the cluster's nodes pull images with. */
  readonly kubeletIdentity: {
    /** `kubelet_identity[0].object_id`: the kubelet identity's object (principal) ID. */
    readonly objectId: string;
  };
}

const AKS_TYPE = 'azurerm_kubernetes_cluster';

/**
 * Principals from anything: an object ID, the system-assigned identity of any provider resource,
 * the kubelet identity of an AKS cluster.
 *
 * ```ts
 * registry.grantPull(Principal.ofKubeletIdentity(aks));              // az aks update --attach-acr
 * registry.grantPull(Principal.ofSystemAssignedIdentity(goldenVm));  // a raw LinuxVirtualMachine
 * registry.grantPush(Principal.fromPrincipalId(this, 'CiGroup', ciGroupObjectId, PrincipalType.GROUP));
 * ```
 */
export class Principal extends Construct implements IPrincipal {
  /**
   * A principal made elsewhere, by its object ID: a user, an Entra ID group, a service principal or
   * a managed identity. The ID may be a token (known only at apply, e.g. another resource's attribute):
   * the construct `id` names its role assignments.
   *
   * @param principalType the kind of principal; role assignments to service principals skip
   *   Entra ID's replication check (`skip_service_principal_aad_check`), others do not
   * @default principalType PrincipalType.SERVICE_PRINCIPAL
   */
  public static fromPrincipalId(
    scope: Construct,
    id: string,
    principalId: string,
    principalType: PrincipalType = PrincipalType.SERVICE_PRINCIPAL,
  ): IPrincipal {
    const v = PropsValidator.ofChild('Principal.fromPrincipalId', scope, id);
    v.expectGiven({ principalId }, {
      principalId: 'pass the principal\'s object ID: az ad user|group|sp show --id <name> --query id',
    });
    v.expectLiteral(principalId ?? undefined, (x) => GUID.test(x), 'principalId', 'is not a GUID',
      'pass the principal\'s object ID (not its name or client ID): az ad user|group|sp show --id <name> --query id');
    const types = Object.values(PrincipalType) as string[];
    v.expectLiteral(principalType ?? undefined, (x) => types.includes(x), 'principalType', `is not one of ${types.join(', ')}`,
      'use PrincipalType.SERVICE_PRINCIPAL, PrincipalType.GROUP or PrincipalType.USER');
    v.throwIfInvalid();
    return new Principal(scope, id, principalId, principalType);
  }

  /**
   * The system-assigned identity of a provider resource (`identity { type = "SystemAssigned" }`): its
   * `identity[0].principal_id`. Calling it again for the same resource returns the same principal
   * (the resource's child `SystemAssignedIdentity`).
   *
   * The resource's identity block must be set before the call. For an AKS cluster this is the
   * control-plane identity, which never pulls images: pull roles on it are refused, use
   * {@link Principal.ofKubeletIdentity}.
   */
  public static ofSystemAssignedIdentity(resource: IResourceWithIdentity): IPrincipal {
    return Principal.childOf(resource, 'SystemAssignedIdentity', () => {
      const v = new PropsValidator('Principal.ofSystemAssignedIdentity', resource);
      const type = resource.identity.typeInput;
      const fix = 'add identity { type = "SystemAssigned" } to the resource before this call (both identity kinds: '
        + '"SystemAssigned, UserAssigned"), or grant to its user-assigned identity';
      v.expect(type !== undefined, 'identity', undefined, 'leaves the resource without a system-assigned identity', fix);
      v.expectLiteral(type, (x) => identityKindsOf(x).systemAssigned, 'identity.type',
        'has no SystemAssigned identity', fix);
      v.throwIfInvalid();
      return new Principal(resource, 'SystemAssignedIdentity', resource.identity.principalId, PrincipalType.SERVICE_PRINCIPAL,
        resource.terraformResourceType === AKS_TYPE);
    });
  }

  /**
   * The kubelet identity of an AKS cluster: `kubelet_identity[0].object_id`, the identity its nodes
   * pull images with, and what `az aks update --attach-acr` grants AcrPull to. Calling it again for
   * the same cluster returns the same principal (the cluster's child `KubeletIdentity`).
   *
   * Clusters with a managed identity (`identity` block) only: a cluster with a `service_principal`
   * has no kubelet identity, its nodes pull with that service principal.
   */
  public static ofKubeletIdentity(cluster: IKubernetesClusterResource): IPrincipal {
    return Principal.childOf(cluster, 'KubeletIdentity', () => {
      const v = new PropsValidator('Principal.ofKubeletIdentity', cluster);
      v.expect(cluster.identity.typeInput !== undefined, 'identity', undefined,
        'means a cluster with a service_principal, which has no kubelet identity: its nodes pull with the service principal',
        'give the cluster identity { type = "SystemAssigned" }, or grant to the service principal: '
          + 'Principal.fromPrincipalId(this, \'AksServicePrincipal\', <its object ID>)');
      v.throwIfInvalid();
      return new Principal(cluster, 'KubeletIdentity', cluster.kubeletIdentity.objectId, PrincipalType.SERVICE_PRINCIPAL);
    });
  }

  /** The principal `id` under `resource`, made by `make` once. */
  private static childOf(resource: IConstruct, id: string, make: () => Principal): Principal {
    const existing = resource.node.tryFindChild(id);
    if (existing === undefined) return make();
    if (existing instanceof Principal) return existing;
    throw new ValidationError('Principal', resource.node.path, [{
      property: id,
      value: existing.node.path,
      message: `is the construct id of the principal, but a ${existing.constructor.name} already has it`,
      fix: `give that ${existing.constructor.name} another id`,
    }]);
  }

  /** The principal itself. */
  public readonly grantPrincipal: IPrincipal = this;

  /** The principal's object ID. */
  public readonly principalId: string;
  /** The kind of principal. */
  public readonly principalType: PrincipalType;
  /**
   * Whether this is an AKS cluster's control-plane identity, which must not be granted pull roles.
   * @internal
   */
  public readonly _isClusterControlPlane: boolean;

  private constructor(scope: IConstruct, id: string, principalId: string, principalType: PrincipalType, isClusterControlPlane = false) {
    super(scope, id);
    this.principalId = principalId;
    this.principalType = principalType;
    this._isClusterControlPlane = isClusterControlPlane;
  }
}

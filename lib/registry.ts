import { Fn, Token } from 'cdktf';
import { ContainerRegistry as AzurermContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { DataAzurermContainerRegistry } from '@cdktf/provider-azurerm/lib/data-azurerm-container-registry';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { Grant } from './grant';
import { IGrantable } from './principal';
import { isLoginServer, isRegistryName, isResourceGroupName, isResourceIdOfType, REGISTRY_NAME_RULE, RESOURCE_GROUP_NAME_RULE } from './private/azure-names';
import { isLocation, LOCATION_FIX, LOCATION_RULE } from './private/azure-names';
import { isLiteral, PropsValidator } from './private/validation';
import { RegistryRole } from './registry-role';

const REGISTRY_TYPE = 'Microsoft.ContainerRegistry/registries';

/** The pricing tier of a registry. */
export enum RegistrySku {
  /** The entry tier: enough for the tutorial; no anonymous pull, no private networking. */
  BASIC = 'Basic',
  /** More storage and throughput; anonymous pull possible. */
  STANDARD = 'Standard',
  /** Geo-replication, zone redundancy, private endpoints, retention policies. */
  PREMIUM = 'Premium',
}

/**
 * How a registry honours role assignments ("Role assignment permissions mode").
 * See https://learn.microsoft.com/azure/container-registry/container-registry-rbac-abac-repository-permissions
 */
export enum RoleAssignmentMode {
  /** "RBAC Registry Permissions": AcrPull, AcrPush, AcrDelete apply registry-wide. */
  REGISTRY_PERMISSIONS = 'LegacyRegistryPermissions',
  /**
   * "RBAC Registry + ABAC Repository Permissions": AcrPull, AcrPush and AcrDelete are NOT
   * honoured; the Container Registry Repository Reader/Writer/Contributor roles are.
   */
  ABAC_REPOSITORY_PERMISSIONS = 'AbacRepositoryPermissions',
}

/**
 * An Azure Container Registry: made by this stack, looked up, or imported by ID.
 */
export interface IContainerRegistry extends IConstruct {
  /** The registry's resource ID. */
  readonly registryId: string;
  /** The registry's name, as given to `az acr login --name`. */
  readonly registryName: string;
  /** The registry's login server, e.g. `mycontainerregistry.azurecr.io`. */
  readonly loginServer: string;
  /** How the registry honours role assignments. */
  readonly roleAssignmentMode: RoleAssignmentMode;

  /** Assigns `role` on this registry to the grantee's principal. */
  grant(grantee: IGrantable, role: RegistryRole): Grant;
  /** Lets the grantee pull images: AcrPull (Container Registry Repository Reader in ABAC mode). */
  grantPull(grantee: IGrantable): Grant;
  /** Lets the grantee push and pull images: AcrPush (Container Registry Repository Writer in ABAC mode). */
  grantPush(grantee: IGrantable): Grant;
}

/**
 * A registry read by {@link ContainerRegistry.fromLookup}, with its data source.
 */
export interface ILookedUpContainerRegistry extends IContainerRegistry {
  /** The `azurerm_container_registry` data source: the escape hatch (e.g. `data.adminEnabled`, `data.sku`). */
  readonly data: DataAzurermContainerRegistry;
}

/** The grants, implemented once for made, looked-up and imported registries. */
abstract class ContainerRegistryBase extends Construct implements IContainerRegistry {
  /** The registry's resource ID. */
  public abstract readonly registryId: string;
  /** The registry's name, as given to `az acr login --name`. */
  public abstract readonly registryName: string;
  /** The registry's login server, e.g. `mycontainerregistry.azurecr.io`. */
  public abstract readonly loginServer: string;
  /** How the registry honours role assignments. */
  public abstract readonly roleAssignmentMode: RoleAssignmentMode;

  public grant(grantee: IGrantable, role: RegistryRole): Grant {
    if (this.roleAssignmentMode === RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS && !role.honouredInAbacMode) {
      throw new ValidationError('ContainerRegistry', this.node.path, [{
        property: 'grant(role)',
        value: role.roleName,
        message: 'is not honoured by a registry in ABAC mode (AbacRepositoryPermissions): the assignment would grant nothing',
        fix: 'use grantPull/grantPush, or RegistryRole.REPOSITORY_READER / REPOSITORY_WRITER / REPOSITORY_CONTRIBUTOR',
      }]);
    }
    return Grant._assign({ scope: this, resourceId: this.registryId, grantee, role });
  }

  public grantPull(grantee: IGrantable): Grant {
    return this.grant(grantee, this.isAbac ? RegistryRole.REPOSITORY_READER : RegistryRole.ACR_PULL);
  }

  public grantPush(grantee: IGrantable): Grant {
    return this.grant(grantee, this.isAbac ? RegistryRole.REPOSITORY_WRITER : RegistryRole.ACR_PUSH);
  }

  private get isAbac(): boolean {
    return this.roleAssignmentMode === RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS;
  }
}

/**
 * Properties of a {@link ContainerRegistry}.
 */
export interface ContainerRegistryProps {
  /** The registry's name: 5-50 letters and digits, globally unique. */
  readonly name: string;
  /** The resource group to create the registry in. */
  readonly resourceGroupName: string;
  /** The Azure region, e.g. `eastus`. */
  readonly location: string;
  /**
   * The pricing tier.
   * @default RegistrySku.BASIC
   */
  readonly sku?: RegistrySku;
  /**
   * Enables the admin user (a shared username and password). Its password is stored in the
   * Terraform state; managed identities make it unnecessary.
   * @default false
   */
  readonly adminUserEnabled?: boolean;
  /**
   * Lets anyone on the network pull without credentials. Standard and Premium only.
   * @default false
   */
  readonly anonymousPullEnabled?: boolean;
  /**
   * Allows access from public networks. Turning it off (private endpoints only) needs Premium.
   * @default true
   */
  readonly publicNetworkAccessEnabled?: boolean;
  /**
   * Makes the registry zone redundant. Premium only.
   * @default false
   */
  readonly zoneRedundancyEnabled?: boolean;
  /**
   * Days (1-365) to keep untagged manifests before they are purged; 0 turns the policy off. Above 0: Premium only.
   * @default - untagged manifests are kept
   */
  readonly retentionPolicyInDays?: number;
  /**
   * Tags of the registry.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * Options to look up an existing registry.
 */
export interface ContainerRegistryLookupOptions {
  /** The registry's name. */
  readonly registryName: string;
  /** The registry's resource group. */
  readonly resourceGroupName: string;
  /**
   * The registry's role assignment mode (the azurerm provider cannot read it).
   * @default RoleAssignmentMode.REGISTRY_PERMISSIONS
   */
  readonly roleAssignmentMode?: RoleAssignmentMode;
}

/**
 * Attributes of a registry made elsewhere.
 */
export interface ContainerRegistryAttributes {
  /** The registry's resource ID. */
  readonly registryId: string;
  /**
   * The registry's name.
   * @default - the last segment of `registryId`
   */
  readonly registryName?: string;
  /**
   * The registry's login server.
   * @default - `<lowercase registry name>.azurecr.io` (Azure public cloud)
   */
  readonly loginServer?: string;
  /**
   * The registry's role assignment mode.
   * @default RoleAssignmentMode.REGISTRY_PERMISSIONS
   */
  readonly roleAssignmentMode?: RoleAssignmentMode;
}

/**
 * An Azure Container Registry (`az acr create`), over `azurerm_container_registry`, with
 * secure defaults: admin user off, anonymous pull off.
 *
 * Registries made with the azurerm provider (4.55.0) are in `REGISTRY_PERMISSIONS` mode: the
 * provider cannot set the ABAC mode.
 */
export class ContainerRegistry extends ContainerRegistryBase {
  /**
   * An existing registry, read by a data source at plan (`az acr show`).
   *
   * The data source reads the admin password into the Terraform state when the registry's
   * admin user is enabled; prefer {@link fromRegistryAttributes} for such registries.
   */
  public static fromLookup(scope: Construct, id: string, options: ContainerRegistryLookupOptions): ILookedUpContainerRegistry {
    options = options ?? ({} as ContainerRegistryLookupOptions);
    class Lookup extends ContainerRegistryBase implements ILookedUpContainerRegistry {
      public readonly registryId: string;
      public readonly registryName: string;
      public readonly loginServer: string;
      public readonly roleAssignmentMode = options.roleAssignmentMode ?? RoleAssignmentMode.REGISTRY_PERMISSIONS;
      public readonly data: DataAzurermContainerRegistry;
      constructor() {
        super(scope, id);
        const v = new PropsValidator('ContainerRegistry.fromLookup', this);
        v.expectGiven(options, {
          registryName: 'pass the registry\'s name, as shown by az acr list --query [].name',
          resourceGroupName: 'pass the registry\'s resource group, as shown by az acr show --query resourceGroup',
        });
        v.expectLiteral(options.registryName ?? undefined, isRegistryName, 'registryName', REGISTRY_NAME_RULE,
          'use the name shown by az acr list --query [].name');
        v.expectLiteral(options.resourceGroupName ?? undefined, isResourceGroupName, 'resourceGroupName', RESOURCE_GROUP_NAME_RULE,
          'use the registry\'s resource group, as shown by az acr show --query resourceGroup');
        v.throwIfInvalid();
        this.data = new DataAzurermContainerRegistry(this, 'Default', {
          name: options.registryName,
          resourceGroupName: options.resourceGroupName,
        });
        this.registryId = this.data.id;
        this.registryName = this.data.name;
        this.loginServer = this.data.loginServer;
      }
    }
    return new Lookup();
  }

  /**
   * A registry made elsewhere, by its resource ID, with no lookup.
   */
  public static fromRegistryAttributes(scope: Construct, id: string, attrs: ContainerRegistryAttributes): IContainerRegistry {
    attrs = attrs ?? ({} as ContainerRegistryAttributes);
    class Import extends ContainerRegistryBase {
      public readonly registryId: string;
      public readonly registryName: string;
      public readonly loginServer: string;
      public readonly roleAssignmentMode = attrs.roleAssignmentMode ?? RoleAssignmentMode.REGISTRY_PERMISSIONS;
      constructor() {
        super(scope, id);
        validateRegistryAttributes(this, attrs);
        this.registryId = attrs.registryId;
        this.registryName = attrs.registryName ?? lastSegment(attrs.registryId);
        this.loginServer = attrs.loginServer ?? loginServerOf(this.registryName);
      }
    }
    return new Import();
  }

  /** The underlying `azurerm_container_registry`: the escape hatch. */
  public readonly resource: AzurermContainerRegistry;
  /** The registry's resource ID. */
  public readonly registryId: string;
  /** The registry's name, as given to `az acr login --name`. */
  public readonly registryName: string;
  /** The registry's login server, e.g. `mycontainerregistry.azurecr.io`. */
  public readonly loginServer: string;
  /** Always `REGISTRY_PERMISSIONS`: the azurerm provider cannot make a registry in ABAC mode. */
  public readonly roleAssignmentMode = RoleAssignmentMode.REGISTRY_PERMISSIONS;
  /** The registry's pricing tier. */
  public readonly sku: RegistrySku;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    props = props ?? ({} as ContainerRegistryProps);
    const sku = props.sku ?? RegistrySku.BASIC;
    validateRegistryProps(this, props, sku);

    this.resource = new AzurermContainerRegistry(this, 'Default', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku,
      adminEnabled: props.adminUserEnabled ?? false,
      anonymousPullEnabled: props.anonymousPullEnabled ?? false,
      publicNetworkAccessEnabled: props.publicNetworkAccessEnabled ?? true,
      zoneRedundancyEnabled: props.zoneRedundancyEnabled,
      retentionPolicyInDays: props.retentionPolicyInDays,
      tags: props.tags,
    });
    this.sku = sku;
    this.registryId = this.resource.id;
    this.registryName = this.resource.name;
    this.loginServer = this.resource.loginServer;
  }
}

function validateRegistryProps(registry: ContainerRegistry, props: ContainerRegistryProps, sku: RegistrySku): void {
  const v = new PropsValidator('ContainerRegistry', registry);
  v.expectGiven(props, {
    name: 'choose a globally unique name of 5-50 letters and digits, e.g. "mycontainerregistry"',
    resourceGroupName: 'use the name of an existing resource group, such as "myResourceGroup"',
    location: 'name the Azure region, such as "eastus"',
  });
  v.expectLiteral(props.name ?? undefined, isRegistryName, 'name', REGISTRY_NAME_RULE,
    'remove other characters and keep 5-50, e.g. "mycontainerregistry"');
  v.expectLiteral(props.resourceGroupName ?? undefined, isResourceGroupName, 'resourceGroupName', RESOURCE_GROUP_NAME_RULE,
    'use the name of an existing resource group, such as "myResourceGroup"');
  v.expectLiteral(props.location ?? undefined, isLocation, 'location', LOCATION_RULE, LOCATION_FIX);
  const skus = Object.values(RegistrySku) as string[];
  v.expectLiteral(sku, (x) => skus.includes(x), 'sku', `is not a registry SKU (${skus.join(', ')})`,
    'use RegistrySku.BASIC, RegistrySku.STANDARD or RegistrySku.PREMIUM');

  if (isLiteral(sku)) {
    const premiumOnly: Array<[string, boolean]> = [
      ['publicNetworkAccessEnabled', props.publicNetworkAccessEnabled === false],
      ['zoneRedundancyEnabled', props.zoneRedundancyEnabled === true],
      // 0 turns the policy off, which the provider accepts on any SKU.
      ['retentionPolicyInDays', isLiteral(props.retentionPolicyInDays) && (props.retentionPolicyInDays ?? 0) > 0],
    ];
    for (const [property, used] of premiumOnly) {
      const value = (props as unknown as Record<string, unknown>)[property];
      v.expect(!used || sku === RegistrySku.PREMIUM, property, value,
        `needs the Premium SKU, but sku is ${sku}`, `set sku: RegistrySku.PREMIUM, or remove ${property}`);
    }
    v.expect(props.anonymousPullEnabled !== true || sku !== RegistrySku.BASIC, 'anonymousPullEnabled', true,
      'needs the Standard or Premium SKU, but sku is Basic', 'set sku: RegistrySku.STANDARD, or leave anonymous pull off');
  }
  const days = props.retentionPolicyInDays;
  if (days !== undefined && isLiteral(days)) {
    v.expect(Number.isInteger(days) && days >= 0 && days <= 365, 'retentionPolicyInDays', days,
      'must be a whole number of days from 0 to 365', 'choose e.g. 7');
  }
  v.throwIfInvalid();
}

/** Checks the attributes before they are used: a registry name is derived from a literal ID. */
function validateRegistryAttributes(imported: IConstruct, attrs: ContainerRegistryAttributes): void {
  const v = new PropsValidator('ContainerRegistry.fromRegistryAttributes', imported);
  const idFix = 'pass the registry\'s "id" (az acr show --query id), /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>';
  v.expectGiven(attrs, { registryId: idFix });
  v.expectLiteral(attrs.registryId ?? undefined, (x) => isResourceIdOfType(x, REGISTRY_TYPE), 'registryId',
    'is not a container registry resource ID', idFix);
  v.expectLiteral(attrs.registryName ?? undefined, isRegistryName, 'registryName', REGISTRY_NAME_RULE,
    'use the name shown by az acr list --query [].name');
  if (attrs.registryName == null && v.ok && isLiteral(attrs.registryId)) {
    v.expect(isRegistryName(lastSegment(attrs.registryId)), 'registryId', attrs.registryId,
      `ends in a name that ${REGISTRY_NAME_RULE}`, 'pass the registry\'s "id" as shown by az acr show --query id');
  }
  // The VM's login runs `docker pull <loginServer>/<image>`: a scheme, path or space would break it at boot.
  v.expectLiteral(attrs.loginServer ?? undefined, isLoginServer, 'loginServer', 'is not a host name (no scheme, path, port or spaces)',
    'pass the registry\'s login server as shown by az acr show --query loginServer, e.g. "myregistry.azurecr.io"');
  v.throwIfInvalid();
}

function lastSegment(resourceId: string): string {
  return Token.isUnresolved(resourceId) ? Fn.element(Fn.split('/', resourceId), 8) : resourceId.split('/')[8] ?? '';
}

function loginServerOf(registryName: string): string {
  return Token.isUnresolved(registryName) ? `${Fn.lower(registryName)}.azurecr.io` : `${registryName.toLowerCase()}.azurecr.io`;
}

import { DataResource, Fn, Token } from 'cdktf';
import { ContainerRegistry as AzurermContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry';
import { DataAzurermContainerRegistry } from '@cdktf/provider-azurerm/lib/data-azurerm-container-registry';
import { Construct, IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { Grant } from './grant';
import { IGrantable } from './principal';
import {
  isLocation, isLoginServer, isRegistryName, isResourceGroupName, isResourceIdOfType, LOCATION_FIX, LOCATION_RULE, REGISTRY_NAME_RULE,
  RESOURCE_GROUP_NAME_RULE,
} from './private/azure-names';
import { orderAfter } from './private/ordering';
import { isRepositoryOrPrefix, REPOSITORY_RULE } from './private/repository-condition';
import { PrivateEndpointTarget } from './private/registry-private-endpoint';
import { RESOURCE_GROUP_SEGMENT, NAME_SEGMENT, resourceIdSegment } from './private/resource-id';
import { isLiteral, PropsValidator } from './private/validation';
import { RegistryPrivateEndpoint, RegistryPrivateEndpointOptions } from './registry-private-endpoint';
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

  /** Assigns `role` on this registry to the grantee's principal, on every repository or on `options.repositories`. */
  grant(grantee: IGrantable, role: RegistryRole, options?: RegistryGrantOptions): Grant;
  /** Lets the grantee pull images: AcrPull (Container Registry Repository Reader in ABAC mode). */
  grantPull(grantee: IGrantable, options?: RegistryGrantOptions): Grant;
  /** Lets the grantee push and pull images: AcrPush (Container Registry Repository Writer in ABAC mode). */
  grantPush(grantee: IGrantable, options?: RegistryGrantOptions): Grant;
  /**
   * Reaches the registry from a virtual network over a private endpoint, with the
   * `privatelink.azurecr.io` DNS zone that makes its names resolve privately there. Premium only.
   */
  addPrivateEndpoint(id: string, options: RegistryPrivateEndpointOptions): RegistryPrivateEndpoint;
}

/**
 * Options of a grant on a registry.
 */
export interface RegistryGrantOptions {
  /**
   * Limits the grant to these repositories, by an ABAC condition on the role assignment (`az role assignment
   * create --condition ... --condition-version 2.0`): repository names (`aci-helloworld`, `team-a/app`) and
   * prefixes of whole path components ending in `/` (`team-a/` matches `team-a/app`, never `team-a-other/app`).
   *
   * Only on a registry in ABAC mode (`roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS`), with
   * the Container Registry Repository Reader, Writer or Contributor role (what `grantPull`/`grantPush` choose
   * there). Several grants of one role to one principal share one role assignment whose condition lists every
   * repository they name. Azure cannot change a condition in place: adding a repository replaces the role
   * assignment (deleted, then created with the new condition).
   * @default - every repository of the registry
   */
  readonly repositories?: string[];
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

  public grant(grantee: IGrantable, role: RegistryRole, options: RegistryGrantOptions = {}): Grant {
    if (this.roleAssignmentMode === RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS && !role.honouredInAbacMode) {
      throw new ValidationError('ContainerRegistry', this.node.path, [{
        property: 'grant(role)',
        value: role.roleName,
        message: 'is not honoured by a registry in ABAC mode (AbacRepositoryPermissions): the assignment would grant nothing',
        fix: 'use grantPull/grantPush, or RegistryRole.REPOSITORY_READER / REPOSITORY_WRITER / REPOSITORY_CONTRIBUTOR',
      }]);
    }
    const repositories = options?.repositories;
    if (repositories !== undefined) this.validateRepositories(role, repositories);
    const grant = Grant._assign({ scope: this, resourceId: this.registryId, grantee, role, repositories });
    // A grant on a registry switched to ABAC mode by this stack takes effect only after the switch.
    const modeSwitch = this.roleAssignmentModeSwitch;
    if (modeSwitch) orderAfter(grant.roleAssignment, modeSwitch);
    return grant;
  }

  /** The resource that puts a registry this stack creates in its role assignment mode, if any. */
  protected get roleAssignmentModeSwitch(): DataResource | undefined {
    return undefined;
  }

  public grantPull(grantee: IGrantable, options?: RegistryGrantOptions): Grant {
    return this.grant(grantee, this.isAbac ? RegistryRole.REPOSITORY_READER : RegistryRole.ACR_PULL, options);
  }

  public grantPush(grantee: IGrantable, options?: RegistryGrantOptions): Grant {
    return this.grant(grantee, this.isAbac ? RegistryRole.REPOSITORY_WRITER : RegistryRole.ACR_PUSH, options);
  }

  /** A repository condition must be honoured (ABAC mode), allowed on the role, and name repositories ACR can hold. */
  private validateRepositories(role: RegistryRole, repositories: string[]): void {
    const v = new PropsValidator('ContainerRegistry', this);
    const property = 'grant(options.repositories)';
    v.expect(this.isAbac, property, repositories,
      `limits the grant to repositories, but the registry's role assignment mode is ${this.roleAssignmentMode}, where Azure ` +
      'ignores repository conditions (the role would cover every repository)',
      'put the registry in ABAC mode and say so: roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS ' +
      '(new ContainerRegistry, fromLookup or fromRegistryAttributes), or leave repositories out');
    // In RBAC mode grantPull picks AcrPull: the mode is the one problem to report.
    v.expect(!this.isAbac || role.repositoryDataActions !== undefined, property, repositories,
      `cannot limit ${role.roleName}: Azure allows repository conditions only on the Container Registry Repository ` +
      'Reader, Writer and Contributor roles',
      'grant RegistryRole.REPOSITORY_READER, REPOSITORY_WRITER or REPOSITORY_CONTRIBUTOR (grantPull/grantPush choose them), ' +
      'or leave repositories out');
    if (Token.isUnresolved(repositories)) {
      v.expect(false, property, repositories, 'is a token list (known only at apply), but the condition names each repository at synth',
        'pass a literal list, e.g. ["aci-helloworld", "team-a/"]');
    } else {
      v.expect(repositories.length > 0, property, repositories, 'is empty, which would grant nothing',
        'name at least one repository, or leave repositories out to grant every repository');
      for (const repository of repositories) {
        // Sorted and matched by prefix at synth: a token would sort by its placeholder and always match exactly.
        v.expect(isLiteral(repository), property, repository, 'is a token (known only at apply), but the condition names each repository at synth',
          'pass the repository name as a literal, e.g. "aci-helloworld"');
        const glob = isLiteral(repository) && /[*?]/.test(repository);
        v.expectLiteral(repository, isRepositoryOrPrefix, property,
          glob ? 'is a wildcard, which conditions do not take' : REPOSITORY_RULE,
          glob ? `name a prefix of whole components ending in / instead, e.g. "${repository.replace(/[*?].*$/, '').replace(/\/?$/, '/')}"`
            : 'e.g. "aci-helloworld", or "team-a/" for every repository under team-a/');
      }
    }
    v.throwIfInvalid();
  }

  public addPrivateEndpoint(id: string, options: RegistryPrivateEndpointOptions): RegistryPrivateEndpoint {
    return RegistryPrivateEndpoint._add(this, id, options, this.privateEndpointTarget);
  }

  /** What this kind of registry knows that its private endpoints need: their defaults and the SKU check. */
  protected abstract readonly privateEndpointTarget: PrivateEndpointTarget;

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
   * The role assignment permissions mode. `ABAC_REPOSITORY_PERMISSIONS` ("RBAC Registry + ABAC Repository
   * Permissions") honours the Container Registry Repository roles, optionally limited to repositories, and
   * ignores AcrPull, AcrPush and AcrDelete.
   *
   * The azurerm provider (4.55.0) can neither set nor read the mode (`role_assignment_mode` came in 4.81.0), so
   * a registry in ABAC mode is switched after creation by `az acr update --role-assignment-mode rbac-abac`, run
   * by Terraform on the deploying machine (a `terraform_data` resource with a `local-exec` provisioner): that
   * machine needs a current Azure CLI (`az acr update` with `--role-assignment-mode`), logged in with rights to
   * update the registry. The switch runs
   * once, before any grant on the registry; Terraform does not see the mode afterwards, so a switch back made
   * outside Terraform is not corrected (see the README's "Repository-scoped grants").
   * @default RoleAssignmentMode.REGISTRY_PERMISSIONS
   */
  readonly roleAssignmentMode?: RoleAssignmentMode;
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
  /**
   * The registry's pricing tier, as `az acr show --query sku.name` shows it: declared, `addPrivateEndpoint`
   * refuses a registry that is not Premium at synth.
   * @default - unknown: Azure refuses a private endpoint on a Basic or Standard registry at apply
   */
  readonly sku?: RegistrySku;
}

/**
 * An Azure Container Registry (`az acr create`), over `azurerm_container_registry`, with
 * secure defaults: admin user off, anonymous pull off.
 *
 * The azurerm provider (4.55.0) cannot set the ABAC mode: `roleAssignmentMode` switches the registry
 * after creation with the Azure CLI, on the deploying machine.
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
      protected readonly privateEndpointTarget: PrivateEndpointTarget;
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
        this.privateEndpointTarget = {
          registryName: options.registryName, resourceGroupName: options.resourceGroupName, location: this.data.location, sku: this.data.sku,
          skuFix: `upgrade the registry: az acr update --name ${options.registryName} --sku Premium`,
        };
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
      protected readonly privateEndpointTarget: PrivateEndpointTarget;
      constructor() {
        super(scope, id);
        validateRegistryAttributes(this, attrs);
        this.registryId = attrs.registryId;
        this.registryName = attrs.registryName ?? lastSegment(attrs.registryId);
        this.loginServer = attrs.loginServer ?? loginServerOf(this.registryName);
        this.privateEndpointTarget = {
          registryName: this.registryName, resourceGroupName: resourceIdSegment(attrs.registryId, RESOURCE_GROUP_SEGMENT), sku: attrs.sku,
          skuFix: `upgrade the registry (az acr update --name ${this.registryName} --sku Premium) and declare sku: RegistrySku.PREMIUM`,
        };
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
  /** How the registry honours role assignments. */
  public readonly roleAssignmentMode: RoleAssignmentMode;
  /**
   * The `terraform_data` resource that switches the registry to ABAC mode (`az acr update
   * --role-assignment-mode rbac-abac`), when `roleAssignmentMode` is `ABAC_REPOSITORY_PERMISSIONS`.
   */
  public readonly roleAssignmentModeResource?: DataResource;
  /** The registry's pricing tier. */
  public readonly sku: RegistrySku;
  protected readonly privateEndpointTarget: PrivateEndpointTarget;

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
      // Trusted Azure services pass the registry's network rules. `az acr import` is one (the registry
      // service copies the image itself): with public access off, importing into the registry keeps
      // working from anywhere. The provider's default, set so a review sees it.
      networkRuleBypassOption: 'AzureServices',
      zoneRedundancyEnabled: props.zoneRedundancyEnabled,
      retentionPolicyInDays: props.retentionPolicyInDays,
      tags: props.tags,
    });
    this.sku = sku;
    this.registryId = this.resource.id;
    this.registryName = this.resource.name;
    this.loginServer = this.resource.loginServer;
    this.roleAssignmentMode = props.roleAssignmentMode ?? RoleAssignmentMode.REGISTRY_PERMISSIONS;
    if (this.roleAssignmentMode === RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS) {
      this.roleAssignmentModeResource = new DataResource(this, 'RoleAssignmentMode', {
        // Replaced, and so run again, when the registry is.
        triggersReplace: { registryId: this.registryId },
        input: { registryId: this.registryId },
        provisioners: [{
          type: 'local-exec',
          command: `az acr update --ids "${this.registryId}" --role-assignment-mode rbac-abac --output none`,
        }, {
          // Removing roleAssignmentMode puts the registry back in RBAC mode, where the AcrPull that grantPull then
          // assigns is honoured (a destroy-time provisioner may only read self).
          type: 'local-exec',
          when: 'destroy',
          command: 'az acr update --ids "${self.input.registryId}" --role-assignment-mode rbac --output none',
        }],
      });
    }
    this.privateEndpointTarget = {
      registryName: props.name, resourceGroupName: props.resourceGroupName, location: props.location, sku,
      skuFix: 'set sku: RegistrySku.PREMIUM on the registry',
    };
  }

  protected get roleAssignmentModeSwitch(): DataResource | undefined {
    return this.roleAssignmentModeResource;
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
  return resourceIdSegment(resourceId, NAME_SEGMENT);
}

function loginServerOf(registryName: string): string {
  return Token.isUnresolved(registryName) ? `${Fn.lower(registryName)}.azurecr.io` : `${registryName.toLowerCase()}.azurecr.io`;
}

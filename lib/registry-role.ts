import { Fn, Token } from 'cdktf';
import { GUID } from './private/azure-names';

/** The data actions of the ABAC repository roles, as Azure defines them (a condition must name each). */
const REPOSITORY_ACTIONS = 'Microsoft.ContainerRegistry/registries/repositories';
const READ_ACTIONS = [`${REPOSITORY_ACTIONS}/content/read`, `${REPOSITORY_ACTIONS}/metadata/read`];
const WRITE_ACTIONS = [...READ_ACTIONS, `${REPOSITORY_ACTIONS}/content/write`, `${REPOSITORY_ACTIONS}/metadata/write`];
const DELETE_ACTIONS = [...WRITE_ACTIONS, `${REPOSITORY_ACTIONS}/content/delete`, `${REPOSITORY_ACTIONS}/metadata/delete`];

const GUID_PATTERN = '[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}';
/** Any form of role definition ID (subscription, management group or tenant level), capturing the GUID. */
const ROLE_DEFINITION_ID = new RegExp(`^(?:/.+)?/providers/Microsoft\\.Authorization/roleDefinitions/(${GUID_PATTERN})$`, 'i');

/**
 * An Azure role that can be assigned on a container registry.
 *
 * The built-in roles are constants (`RegistryRole.ACR_PULL`, ...); custom roles come from
 * {@link RegistryRole.fromRoleDefinitionId} or {@link RegistryRole.fromRoleName}.
 * See https://learn.microsoft.com/azure/container-registry/container-registry-rbac-built-in-roles-overview
 */
export class RegistryRole {
  private static readonly builtIns: RegistryRole[] = [];

  /** Pull images and artifacts (`acrpull`). Not honoured on registries in ABAC mode. */
  public static readonly ACR_PULL = RegistryRole.builtIn('AcrPull', '7f951dda-4ed3-4680-a7ca-43fe172d538d', false);
  /** Push and pull images (`acrpush`, which includes pull). Not honoured on registries in ABAC mode. */
  public static readonly ACR_PUSH = RegistryRole.builtIn('AcrPush', '8311e382-0749-4cb8-b61a-304f252e45ec', false);
  /** Delete images and artifacts. Not honoured on registries in ABAC mode. */
  public static readonly ACR_DELETE = RegistryRole.builtIn('AcrDelete', 'c2f4ef07-c644-48eb-af81-4b1b4947fb11', false);
  /** Sign images (Docker Content Trust). */
  public static readonly ACR_IMAGE_SIGNER = RegistryRole.builtIn('AcrImageSigner', '6cef56e8-d556-48e5-a04f-b8e64114680f', true);
  /** Pull quarantined images. */
  public static readonly ACR_QUARANTINE_READER = RegistryRole.builtIn('AcrQuarantineReader', 'cdda3590-29a3-44f6-95f2-9f980659eb04', true);
  /** Pull and push quarantined images and mark them. */
  public static readonly ACR_QUARANTINE_WRITER = RegistryRole.builtIn('AcrQuarantineWriter', 'c8d4ff99-41c3-41a8-9f60-21dfdad59608', true);
  /** Read repositories: the pull role of registries in ABAC mode (`AbacRepositoryPermissions`). */
  public static readonly REPOSITORY_READER = RegistryRole.builtIn('Container Registry Repository Reader', 'b93aa761-3e63-49ed-ac28-beffa264f7ac', true, READ_ACTIONS);
  /** Read and write repositories: the push role of registries in ABAC mode. */
  public static readonly REPOSITORY_WRITER = RegistryRole.builtIn('Container Registry Repository Writer', '2a1e307c-b015-4ebd-883e-5b7698a07328', true, WRITE_ACTIONS);
  /** Read, write and delete repositories: for registries in ABAC mode. */
  public static readonly REPOSITORY_CONTRIBUTOR = RegistryRole.builtIn('Container Registry Repository Contributor', '2efddaa5-3f1f-4df3-97df-af3f13818f4c', true, DELETE_ACTIONS);
  /** List the registry's repositories (`catalog/read`) in ABAC mode. Azure allows no repository condition on it. */
  public static readonly REPOSITORY_CATALOG_LISTER = RegistryRole.builtIn('Container Registry Repository Catalog Lister', 'bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7', true);

  /**
   * A custom (or any other) role by its role definition ID: the GUID, or the full ID at any
   * level (`/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`,
   * `/providers/Microsoft.Authorization/roleDefinitions/<guid>`, ...).
   *
   * Only the GUID is kept: role assignments name the role under the registry's subscription,
   * which is the form Azure reads back. A built-in role's GUID returns that built-in role.
   *
   * @param roleDefinitionId the role definition's GUID or resource ID
   * @param name a literal name for the role, used in construct ids and messages. Required when
   *   `roleDefinitionId` is a token, since construct ids must never derive from tokens.
   * @default name - the role definition's GUID
   */
  public static fromRoleDefinitionId(roleDefinitionId: string, name?: string): RegistryRole {
    const tokenId = Token.isUnresolved(roleDefinitionId);
    if ((tokenId && name === undefined) || (name !== undefined && (Token.isUnresolved(name) || name.trim() === ''))) {
      throw new Error(
        `RegistryRole.fromRoleDefinitionId: ${tokenId ? 'roleDefinitionId is a token (known only at apply), so ' : ''}` +
          `a non-empty literal 'name' is required to name the role assignment's construct, got ${JSON.stringify(name)}. ` +
          `Fix: RegistryRole.fromRoleDefinitionId(id, 'MyCustomRole').`,
      );
    }
    if (tokenId) {
      // Every form ends in the GUID; Terraform extracts it (and fails the plan on anything else).
      return new RegistryRole(name!, { guid: Fn.regex(`${GUID_PATTERN}$`, roleDefinitionId) }, true);
    }
    const guid = GUID.test(roleDefinitionId) ? roleDefinitionId : ROLE_DEFINITION_ID.exec(roleDefinitionId)?.[1];
    if (!guid) {
      throw new Error(
        `RegistryRole.fromRoleDefinitionId: ${JSON.stringify(roleDefinitionId)} is not a role definition ID. ` +
          `Fix: pass the role's GUID (e.g. "7f951dda-4ed3-4680-a7ca-43fe172d538d") or its full ID ` +
          `("/subscriptions/<subscription>/providers/Microsoft.Authorization/roleDefinitions/<guid>").`,
      );
    }
    // A built-in role by GUID is that role, so it dedupes with (and is refused in ABAC mode like) the constant.
    const lower = guid.toLowerCase();
    return RegistryRole.builtIns.find((r) => r.definition.guid === lower) ?? new RegistryRole(name ?? lower, { guid: lower }, true);
  }

  /**
   * A role by its name, resolved by the azurerm provider at apply (`role_definition_name`).
   * Prefer {@link RegistryRole.fromRoleDefinitionId} for custom roles: names need not be unique.
   */
  public static fromRoleName(roleName: string): RegistryRole {
    if (Token.isUnresolved(roleName) || roleName.trim() === '') {
      throw new Error(
        `RegistryRole.fromRoleName: the role name must be a non-empty literal, got ${JSON.stringify(roleName)}. ` +
          `Fix: pass the role's display name, e.g. RegistryRole.fromRoleName('My Registry Role').`,
      );
    }
    const builtIn = RegistryRole.builtIns.find((r) => r.roleName.toLowerCase() === roleName.trim().toLowerCase());
    return builtIn ?? new RegistryRole(roleName, { name: roleName }, true);
  }

  private static builtIn(name: string, guid: string, honouredInAbacMode: boolean, repositoryDataActions?: string[]): RegistryRole {
    const role = new RegistryRole(name, { guid }, honouredInAbacMode, repositoryDataActions);
    RegistryRole.builtIns.push(role);
    return role;
  }

  private constructor(
    /** The role's name (built-in roles: their Azure name, e.g. `AcrPull`). */
    public readonly roleName: string,
    /** The GUID (literal, or a Terraform expression for a token ID), or else the name. */
    private readonly definition: { guid?: string; name?: string },
    /**
     * Whether the role grants anything on a registry whose role assignment mode is
     * `AbacRepositoryPermissions`, where AcrPull, AcrPush and AcrDelete are ignored.
     */
    public readonly honouredInAbacMode: boolean,
    /**
     * The role's repository data actions, which a repository condition restricts; undefined for a role that
     * takes no repository condition (the legacy roles, the catalog lister, custom roles).
     */
    public readonly repositoryDataActions?: readonly string[],
  ) {}

  /** The role definition's GUID, when known at synth. */
  public get roleDefinitionGuid(): string | undefined {
    const guid = this.definition.guid;
    return guid === undefined || Token.isUnresolved(guid) ? undefined : guid;
  }

  /**
   * The `role_definition_id` / `role_definition_name` arguments of a role assignment at `scope`.
   *
   * For a scope at or below a subscription, Azure reports the role definition ID under the
   * scope's subscription, whatever form it was given in (a custom role's home subscription,
   * `/providers/...`); any other form makes the provider plan a replacement on every apply
   * (hashicorp/terraform-provider-azurerm#8558, #13993, #19847). So the ID is built from the scope.
   * @internal
   */
  public _definitionFor(scopeSubscriptionId: string): { roleDefinitionId?: string; roleDefinitionName?: string } {
    if (this.definition.guid !== undefined) {
      return {
        roleDefinitionId: `/subscriptions/${scopeSubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${this.definition.guid}`,
      };
    }
    return { roleDefinitionName: this.definition.name };
  }

  /**
   * A stable key for the role: the same role always yields the same key.
   * @internal
   */
  public get _key(): string {
    return this.definition.guid ?? this.definition.name ?? this.roleName;
  }

  /** The role's name, e.g. `AcrPull`. */
  public toString(): string {
    return this.roleName;
  }
}

import { Token } from 'cdktf';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLE_DEFINITION_ID = /^(\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-fA-F-]{36})$/;

/**
 * An Azure role that can be assigned on a container registry.
 *
 * The built-in roles are constants (`RegistryRole.ACR_PULL`, ...); custom roles come from
 * {@link RegistryRole.fromRoleDefinitionId} or {@link RegistryRole.fromRoleName}.
 * See https://learn.microsoft.com/azure/container-registry/container-registry-rbac-built-in-roles-overview
 */
export class RegistryRole {
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
  public static readonly REPOSITORY_READER = RegistryRole.builtIn('Container Registry Repository Reader', 'b93aa761-3e63-49ed-ac28-beffa264f7ac', true);
  /** Read and write repositories: the push role of registries in ABAC mode. */
  public static readonly REPOSITORY_WRITER = RegistryRole.builtIn('Container Registry Repository Writer', '2a1e307c-b015-4ebd-883e-5b7698a07328', true);
  /** Read, write and delete repositories: for registries in ABAC mode. */
  public static readonly REPOSITORY_CONTRIBUTOR = RegistryRole.builtIn('Container Registry Repository Contributor', '2efddaa5-3f1f-4df3-97df-af3f13818f4c', true);

  /**
   * A custom (or any other) role by its role definition ID: either the GUID or the full
   * `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>` ID.
   *
   * @param roleDefinitionId the role definition's GUID or resource ID
   * @param name a name for the role, used in construct ids and messages. Required when
   *   `roleDefinitionId` is a token, since construct ids must never derive from tokens.
   * @default name - the role definition's GUID
   */
  public static fromRoleDefinitionId(roleDefinitionId: string, name?: string): RegistryRole {
    if (Token.isUnresolved(roleDefinitionId)) {
      if (name === undefined || Token.isUnresolved(name)) {
        throw new Error(
          `RegistryRole.fromRoleDefinitionId: roleDefinitionId is a token (known only at apply), so a literal 'name' is required ` +
            `to name the role assignment's construct. Fix: RegistryRole.fromRoleDefinitionId(id, 'MyCustomRole').`,
        );
      }
      return new RegistryRole(name, { roleDefinitionId }, true);
    }
    const guid = GUID.test(roleDefinitionId) ? roleDefinitionId : ROLE_DEFINITION_ID.exec(roleDefinitionId)?.[2];
    if (!guid || !GUID.test(guid)) {
      throw new Error(
        `RegistryRole.fromRoleDefinitionId: ${JSON.stringify(roleDefinitionId)} is not a role definition ID. ` +
          `Fix: pass the role's GUID (e.g. "7f951dda-4ed3-4680-a7ca-43fe172d538d") or its full ID ` +
          `("/subscriptions/<subscription>/providers/Microsoft.Authorization/roleDefinitions/<guid>").`,
      );
    }
    return GUID.test(roleDefinitionId)
      ? new RegistryRole(name ?? guid, { roleDefinitionGuid: guid.toLowerCase() }, true)
      : new RegistryRole(name ?? guid, { roleDefinitionId }, true);
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
    return new RegistryRole(roleName, { roleDefinitionName: roleName }, true);
  }

  private static builtIn(name: string, guid: string, honouredInAbacMode: boolean): RegistryRole {
    return new RegistryRole(name, { roleDefinitionGuid: guid }, honouredInAbacMode);
  }

  private constructor(
    /** The role's name (built-in roles: their Azure name, e.g. `AcrPull`). */
    public readonly roleName: string,
    private readonly definition: { roleDefinitionGuid?: string; roleDefinitionId?: string; roleDefinitionName?: string },
    /**
     * Whether the role grants anything on a registry whose role assignment mode is
     * `AbacRepositoryPermissions`, where AcrPull, AcrPush and AcrDelete are ignored.
     */
    public readonly honouredInAbacMode: boolean,
  ) {}

  /** The role definition's GUID, when known at synth. */
  public get roleDefinitionGuid(): string | undefined {
    return this.definition.roleDefinitionGuid;
  }

  /**
   * The `role_definition_id` / `role_definition_name` arguments of a role assignment at `scope`.
   *
   * Azure reports a role definition ID under the subscription of the assignment's scope; an ID
   * written under any other form makes the provider plan a replacement on every apply
   * (hashicorp/terraform-provider-azurerm#4258, #8558). So the ID is built from the scope.
   * @internal
   */
  public _definitionFor(scopeSubscriptionId: string): { roleDefinitionId?: string; roleDefinitionName?: string } {
    if (this.definition.roleDefinitionGuid) {
      return {
        roleDefinitionId: `/subscriptions/${scopeSubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${this.definition.roleDefinitionGuid}`,
      };
    }
    if (this.definition.roleDefinitionId) return { roleDefinitionId: this.definition.roleDefinitionId };
    return { roleDefinitionName: this.definition.roleDefinitionName };
  }

  /**
   * A stable key for the role: the same role always yields the same key.
   * @internal
   */
  public get _key(): string {
    return this.definition.roleDefinitionGuid ?? this.definition.roleDefinitionName ?? this.roleName;
  }

  public toString(): string {
    return this.roleName;
  }
}

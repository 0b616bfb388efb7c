import { IResolvable, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { Grant, IGrantDependent } from './grant';
import { IUserAssignedIdentity } from './identity';
import { IPrincipal, IResourceWithIdentity, Principal } from './principal';
import { AppIdentity, identityBlockWith } from './private/identity-block';
import { PropsValidator } from './private/validation';
import { IContainerRegistry } from './registry';

/**
 * A provider resource whose `identity` block the library can extend.
 */
export interface IAppWithIdentity extends IResourceWithIdentity, IGrantDependent {
  /**
   * The `identity` block as given.
   * @default - none: the library adds one
   */
  readonly identityInput?: {
    /** `SystemAssigned`, `UserAssigned` or `SystemAssigned, UserAssigned`. */
    readonly type: string;
    /**
     * The user-assigned identities' resource IDs.
     * @default - none
     */
    readonly identityIds?: string[];
  };
  /** Replaces the `identity` block. */
  putIdentity(value: { type: string; identityIds?: string[] }): void;
}

/**
 * An App Service app that runs a container, seen through what the library sets: `LinuxWebApp`,
 * `LinuxFunctionApp`, their slots (`LinuxWebAppSlot`, `LinuxFunctionAppSlot`) and `WindowsWebApp` of
 * `@cdktf/provider-azurerm` fit; `WindowsFunctionApp`, which runs no container, does not compile.
 */
export interface IAppServiceResource extends IAppWithIdentity {
  /** The `site_config` block, whose two registry settings the library sets. */
  readonly siteConfig: {
    /** `container_registry_use_managed_identity`. */
    containerRegistryUseManagedIdentity: boolean | IResolvable;
    /** `container_registry_managed_identity_client_id`: the user-assigned identity's client ID. */
    containerRegistryManagedIdentityClientId: string;
    /**
     * The client ID as given.
     * @default - none
     */
    readonly containerRegistryManagedIdentityClientIdInput?: string;
  };
}

/** A `registry` block of a container app. */
export interface ContainerAppRegistryBlock {
  /** The registry's login server. */
  readonly server: string;
  /**
   * The identity pulling: a user-assigned identity's resource ID, or `system`.
   * @default - none: the registry is reached with a username and password secret
   */
  readonly identity?: string;
  /**
   * The registry user name (the admin user), instead of an identity.
   * @default - none
   */
  readonly username?: string;
  /**
   * The secret holding the password, instead of an identity.
   * @default - none
   */
  readonly passwordSecretName?: string;
}

/**
 * A container app (`ContainerApp` of `@cdktf/provider-azurerm/lib/container-app`), seen through what
 * the library sets.
 */
export interface IContainerAppResource extends IAppWithIdentity {
  /**
   * The `registry` blocks as given.
   * @default - none: the library adds the registry's
   */
  readonly registryInput?: ContainerAppRegistryBlock[] | IResolvable;
  /** Replaces the `registry` blocks. */
  putRegistry(value: ContainerAppRegistryBlock[]): void;
}

/** An `image_registry_credential` block of a container group. */
export interface ContainerGroupRegistryCredentialBlock {
  /** The registry's login server. */
  readonly server: string;
  /**
   * The user-assigned identity pulling, by resource ID.
   * @default - none: the registry is reached with a username and password
   */
  readonly userAssignedIdentityId?: string;
  /**
   * The registry user name, instead of an identity.
   * @default - none
   */
  readonly username?: string;
  /**
   * The registry password, instead of an identity.
   * @default - none
   */
  readonly password?: string;
}

/**
 * A container group of Azure Container Instances (`ContainerGroup` of
 * `@cdktf/provider-azurerm/lib/container-group`), seen through what the library sets.
 */
export interface IContainerGroupResource extends IAppWithIdentity {
  /**
   * The `image_registry_credential` blocks as given.
   * @default - none: the library adds the registry's
   */
  readonly imageRegistryCredentialInput?: ContainerGroupRegistryCredentialBlock[] | IResolvable;
  /** Replaces the `image_registry_credential` blocks. */
  putImageRegistryCredential(value: ContainerGroupRegistryCredentialBlock[]): void;
}

/**
 * Options of {@link RegistryPull.configureAppService} and {@link RegistryPull.configureContainerApp}.
 */
export interface RegistryPullOptions {
  /**
   * The user-assigned identity the app pulls with (recommended): it is granted pull first, added to
   * the app's identity block, and the app is created after its role assignment.
   *
   * @default - the app's own system-assigned identity, added to its identity block. That principal
   * exists only once the app does, so its role assignment is created after the app, and the app's
   * first pull fails until the role has propagated (up to ~10 minutes; an App Service app pulls again
   * when it restarts, a container app's first revision may fail to provision). Prefer a user-assigned identity.
   */
  readonly identity?: IUserAssignedIdentity;
  /**
   * Limits the pull to these repositories (an ABAC condition; the registry must be in ABAC mode): see
   * {@link RegistryGrantOptions.repositories}.
   * @default - every repository of the registry
   */
  readonly repositories?: string[];
}

/**
 * Options of {@link RegistryPull.configureContainerGroup}.
 */
export interface ContainerGroupPullOptions {
  /**
   * Limits the pull to these repositories (an ABAC condition; the registry must be in ABAC mode): see
   * {@link RegistryGrantOptions.repositories}.
   * @default - every repository of the registry
   */
  readonly repositories?: string[];
}

/**
 * Wires raw provider resources to pull their images from a registry with a managed identity, with no
 * registry credentials: each method grants pull on the registry (AcrPull; Container Registry Repository
 * Reader in ABAC mode), sets the app's registry settings, adds the identity to the app's identity
 * block, and, for a user-assigned identity, orders the app after its role assignment (`depends_on`),
 * so the first pull is allowed. Each returns the {@link Grant}.
 *
 * ```ts
 * const identity = new UserAssignedIdentity(this, 'AppIdentity', { ... });
 * const app = new LinuxWebApp(this, 'App', { ..., siteConfig: { applicationStack: {
 *   dockerImageName: 'aci-helloworld:v1', dockerRegistryUrl: `https://${registry.loginServer}` } } });
 * RegistryPull.configureAppService(app, registry, { identity });
 * ```
 */
export class RegistryPull {
  /**
   * A Linux (or Windows) web app or function app: `site_config.container_registry_use_managed_identity
   * = true` and, for a user-assigned identity, `site_config.container_registry_managed_identity_client_id`.
   *
   * The app pulls every image with one identity: an app already set to another client ID is refused.
   * The image and its registry URL stay the app's own settings (`application_stack`).
   */
  public static configureAppService(app: IAppServiceResource, registry: IContainerRegistry, options: RegistryPullOptions = {}): Grant {
    const where = 'RegistryPull.configureAppService';
    validateGiven(where, app, registry, options);
    const clientId = options.identity?.clientId;
    const current = app.siteConfig.containerRegistryManagedIdentityClientIdInput;
    if (current !== undefined && current !== clientId) {
      throw new ValidationError(where, app.node.path, [{
        property: 'siteConfig.containerRegistryManagedIdentityClientId',
        value: current,
        message: `is set to another identity's client ID than ${clientId === undefined ? 'the system-assigned identity (none)' : `'${options.identity!.node.path}'`}, `
          + 'and an App Service app pulls every image with one identity',
        fix: 'pull every registry with the same user-assigned identity, or remove the client ID set by hand',
      }]);
    }
    const grant = RegistryPull.grantTo(where, app, registry, options.identity, options.repositories);
    app.siteConfig.containerRegistryUseManagedIdentity = true;
    if (clientId !== undefined) app.siteConfig.containerRegistryManagedIdentityClientId = clientId;
    return grant;
  }

  /**
   * A container app: a `registry { server, identity }` block for the registry's login server, appended
   * to the app's other registries. `identity` is the user-assigned identity's resource ID, or `system`.
   *
   * A registry block for the same server with other credentials is refused.
   */
  public static configureContainerApp(app: IContainerAppResource, registry: IContainerRegistry, options: RegistryPullOptions = {}): Grant {
    const where = 'RegistryPull.configureContainerApp';
    validateGiven(where, app, registry, options);
    const entry: ContainerAppRegistryBlock = { server: registry.loginServer, identity: options.identity?.identityId ?? 'system' };
    const registries = existingBlocks(where, app, 'registry', app.registryInput);
    const same = sameServer(where, app, 'registry', registries, entry, (a, b) => a.identity === b.identity && a.username === undefined);
    const grant = RegistryPull.grantTo(where, app, registry, options.identity, options.repositories);
    if (!same) app.putRegistry([...registries, entry]);
    return grant;
  }

  /**
   * A container group (Azure Container Instances): an `image_registry_credential { server,
   * user_assigned_identity_id }` block for the registry's login server, appended to the group's other
   * credentials.
   *
   * A user-assigned identity is required: Container Instances cannot pull images with the group's
   * system-assigned identity. `image_registry_credential` forces a new group when it changes.
   */
  public static configureContainerGroup(
    group: IContainerGroupResource, registry: IContainerRegistry, identity: IUserAssignedIdentity, options: ContainerGroupPullOptions = {},
  ): Grant {
    const where = 'RegistryPull.configureContainerGroup';
    validateGiven(where, group, registry, options);
    if (identity === undefined || identity === null) {
      throw new ValidationError(where, group.node.path, [{
        property: 'identity',
        value: undefined,
        message: 'is required: Container Instances pull images only with a user-assigned identity, never with the group\'s system-assigned one',
        fix: 'create a UserAssignedIdentity and pass it: RegistryPull.configureContainerGroup(group, registry, identity)',
      }]);
    }
    const entry: ContainerGroupRegistryCredentialBlock = { server: registry.loginServer, userAssignedIdentityId: identity.identityId };
    const credentials = existingBlocks(where, group, 'imageRegistryCredential', group.imageRegistryCredentialInput);
    const same = sameServer(where, group, 'imageRegistryCredential', credentials, entry,
      (a, b) => a.userAssignedIdentityId === b.userAssignedIdentityId && a.username === undefined);
    const grant = RegistryPull.grantTo(where, group, registry, identity, options.repositories);
    if (!same) group.putImageRegistryCredential([...credentials, entry]);
    return grant;
  }

  /**
   * Adds the identity to the app's identity block and grants it pull; a user-assigned identity's
   * role assignment is ordered before the app (a system-assigned one can only follow it).
   */
  private static grantTo(
    where: string, app: IAppWithIdentity, registry: IContainerRegistry, identity?: IUserAssignedIdentity, repositories?: string[],
  ): Grant {
    const wanted: AppIdentity = identity ? { userAssignedIdentityId: identity.identityId } : { systemAssigned: true };
    const block = identityBlockWith(app.identityInput, wanted);
    if (block === undefined) {
      throw new ValidationError(where, app.node.path, [{
        property: 'identity.type',
        value: app.identityInput?.type,
        message: `is a token (known only at apply), so the ${identity ? 'user-assigned identity' : 'system-assigned identity'} cannot be added to it`,
        fix: 'give the app a literal identity type ("SystemAssigned", "UserAssigned" or "SystemAssigned, UserAssigned")',
      }]);
    }
    if (block !== app.identityInput) app.putIdentity(block);
    const grantee: IPrincipal = identity ?? Principal.ofSystemAssignedIdentity(app);
    const grant = registry.grantPull(grantee, repositories === undefined ? undefined : { repositories });
    if (identity) grant.applyBefore(app);
    return grant;
  }
}

/** Plain-JavaScript callers can leave out an argument: name it instead of failing with a TypeError. */
function validateGiven(where: string, app: IConstruct, registry: IContainerRegistry, options: RegistryPullOptions): void {
  if (app === undefined || app === null) {
    throw new ValidationError(where, '(none)', [{ property: 'app', value: undefined, message: 'is required', fix: 'pass the provider resource to configure' }]);
  }
  const v = new PropsValidator(where, app);
  v.expect(registry !== undefined && registry !== null, 'registry', undefined, 'is required',
    'pass the registry to pull from (new ContainerRegistry, ContainerRegistry.fromLookup or fromRegistryAttributes)');
  v.expect(options !== null, 'options', options, 'must be an object', 'pass { identity } or leave options out');
  v.throwIfInvalid();
}

/** The blocks as given, as a list the library can append to. */
function existingBlocks<T>(where: string, app: IConstruct, property: string, blocks: T[] | IResolvable | undefined): T[] {
  if (blocks === undefined) return [];
  if (Array.isArray(blocks) && !Token.isUnresolved(blocks)) return blocks;
  throw new ValidationError(where, app.node.path, [{
    property,
    value: blocks,
    message: 'is a token (known only at apply), so the registry cannot be appended to it',
    fix: `give ${property} as a list of blocks, or leave it out and let the library add the registry`,
  }]);
}

/**
 * Whether the blocks already have `entry`'s server with the same identity (nothing to add); refuses
 * the same server with other credentials.
 */
function sameServer<T extends { readonly server: string }>(
  where: string, app: IConstruct, property: string, blocks: T[], entry: T, sameCredentials: (a: T, b: T) => boolean,
): boolean {
  const existing = blocks.find((block) => block.server === entry.server);
  if (existing === undefined) return false;
  if (sameCredentials(existing, entry)) return true;
  throw new ValidationError(where, app.node.path, [{
    property,
    value: existing,
    message: 'already has a block for the registry\'s login server with other credentials (another identity, or a username)',
    fix: `remove that ${property} block and let the library add the registry with the managed identity`,
  }]);
}

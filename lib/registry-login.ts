import { Fn, Lazy, TerraformLocal, TerraformSelf, TerraformStack, Token } from 'cdktf';
import type * as DataVirtualMachineModule from '@cdktf/provider-azurerm/lib/data-azurerm-virtual-machine';
import type { DataAzurermVirtualMachine } from '@cdktf/provider-azurerm/lib/data-azurerm-virtual-machine';
import type { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import type { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import type { OrchestratedVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/orchestrated-virtual-machine-scale-set';
import type * as ExtensionModule from '@cdktf/provider-azurerm/lib/virtual-machine-extension';
import type { VirtualMachineExtension } from '@cdktf/provider-azurerm/lib/virtual-machine-extension';
import { Construct, IConstruct } from 'constructs';
import { IUserAssignedIdentity } from './identity';
import { IContainerRegistry } from './registry';
import { RegistryLoginMethod } from './registry-login-method';
import { isResourceIdOfType } from './private/azure-names';
import { identityKindsOf } from './private/identity-block';
import {
  buildMultipartArchive, CLOUD_CONFIG_TYPE, cloudConfigUsersOf, CloudInitUserData, cloudInitUserDataOf, RECOGNISED_STARTS,
} from './private/cloud-init-user-data';
import { LoginTarget, loginTargetOf } from './private/login-target';
import { sharedToken } from './private/shared-token';
import { validateLoginSettings, validatePullImages } from './private/registry-login-props';
import { isLiteral, PropsValidator } from './private/validation';
import {
  BOOTSTRAP_FORMAT, bootstrapCloudConfig, bootstrapInstallScript, DEFAULT_LOGIN_TIMEOUT_SECONDS, estimatedBytes, loginPayload, RegistryLogin,
  renderUserDataHead, STEP_TIMEOUT_SECONDS, terraformBase64,
} from './private/vm-scripts';

export { RegistryLoginMethod };

/** Azure's limit on user data: 64 KiB of base64, so 49152 bytes of text. */
const USER_DATA_LIMIT_BYTES = 49152;
/** Azure's limit on custom data, as on user data: 64 KiB of base64. */
const CUSTOM_DATA_LIMIT_BYTES = 49152;

/** Beyond the first run's budget, what the existing VM's extension may take to install itself and the bootstrap. */
const EXTENSION_MARGIN_MINUTES = 10;

/** The merge rules of the bootstrap's part when it joins a team's cloud-config: append to their lists, never replace. */
const BOOTSTRAP_MERGE_TYPE = 'list(append)+dict(no_replace,recurse_list)+str()';

/**
 * Options of `pullImages`.
 */
export interface PullImagesOptions {
  /**
   * The user-assigned identity to log in with; it must be attached to the machine.
   * @default - the machine's system-assigned identity (a `DockerVirtualMachine` without one: its only user-assigned identity)
   */
  readonly identity?: IUserAssignedIdentity;
}

/**
 * A registry login on a machine: `pullImages` adds what it pulls.
 */
export interface IRegistryLogin extends IConstruct {
  /**
   * Logs in to `registry` with a managed identity of the machine and pulls `images`, as the admin user, on every
   * run of the login service (at boot, then every 2 hours, before the registry's ~3 hour token expires).
   * The identity needs a pull role on the registry: `registry.grantPull(...)`.
   *
   * @param images image references relative to the registry, e.g. `aci-helloworld:v1`
   */
  pullImages(registry: IContainerRegistry, images: string[], options?: PullImagesOptions): void;
}

/** The settings every form of the login takes. */
export interface RegistryLoginSettings {
  /**
   * How the machine logs in.
   * @default RegistryLoginMethod.TOKEN_EXCHANGE
   */
  readonly loginMethod?: RegistryLoginMethod;
  /**
   * How long one login run retries, in seconds (role assignments take 1-10 minutes to propagate, and a
   * system-assigned identity exists only once its machine does): 900 to 7200. It is user data: changing it
   * updates the machine in place.
   * @default 1800
   */
  readonly loginTimeoutSeconds?: number;
}

/**
 * Properties of a {@link ContainerRegistryLogin}.
 */
export interface ContainerRegistryLoginProps extends RegistryLoginSettings {
  /**
   * The machine: a provider `LinuxVirtualMachine`, `LinuxVirtualMachineScaleSet` or
   * `OrchestratedVirtualMachineScaleSet`, defined anywhere in the app. The login sets its custom data (the
   * bootstrap, combined with the target's own cloud-init if it has some) and its user data (the logins), which
   * it owns: the target must have no user data of its own.
   */
  readonly target: LinuxVirtualMachine | LinuxVirtualMachineScaleSet | OrchestratedVirtualMachineScaleSet;
  /**
   * The user who runs Docker and logs in (the token lands in its `~/.docker/config.json`): the target's admin
   * user, or a user the target's own cloud-config creates (`users:`). May be a token.
   * @default - the target's admin user (`admin_username`)
   */
  readonly adminUsername?: string;
  /**
   * Installs the bootstrap through the target's custom data. Turn it off for an image that already has it
   * (a golden image built with {@link VmBootstrap.installScript}): the target's custom data is then left alone.
   * @default true
   */
  readonly installBootstrap?: boolean;
}

/**
 * Properties of {@link ContainerRegistryLogin.onExistingVirtualMachine}.
 */
export interface ExistingVirtualMachineLoginProps extends RegistryLoginSettings {
  /** The VM's resource ID (`az vm show --query id`): a Linux VM that Terraform does not manage. */
  readonly virtualMachineId: string;
  /** The VM's admin user (or another user on it), who runs Docker and logs in. May be a token. */
  readonly adminUsername: string;
  /**
   * The identity `pullImages` logs in with unless it names one; it must already be assigned to the VM
   * (`az vm identity assign`): a plan fails when it is not.
   * @default - the VM's system-assigned identity
   */
  readonly identity?: IUserAssignedIdentity;
}

/** What the logins of one machine share: the list, pullImages and its checks, the user data. */
abstract class RegistryLoginBase extends Construct implements IRegistryLogin {
  private readonly logins: RegistryLogin[] = [];
  /** The identity each login uses (undefined: system-assigned), in login order. */
  private readonly identities: Array<IUserAssignedIdentity | undefined> = [];
  private renderedHead?: string;
  /** The payload in base64: a reference to the stack's local (made here: a local made while resolving is lost). */
  protected readonly payloadBase64: string;
  /** The payload as text, decoded by Terraform. */
  private readonly payload: string;

  protected constructor(
    scope: Construct,
    id: string,
    private readonly constructType: string,
    private readonly settings: { adminUsername: string; loginTimeoutSeconds?: number; loginMethod?: RegistryLoginMethod },
    /** A construct in the stack of the machine's resource, where the shared locals go. */
    protected readonly machineScope?: IConstruct,
  ) {
    super(scope, id);
    this.payloadBase64 = sharedLocal(machineScope ?? this, PAYLOAD_LOCAL, loginPayload);
    this.payload = sharedReference(machineScope ?? this, `${PAYLOAD_LOCAL}:decoded`, () => Fn.base64decode(this.payloadBase64));
    this.node.addValidation({ validate: () => this.validateUserDataSize() });
  }

  public pullImages(registry: IContainerRegistry, images: string[], options: PullImagesOptions = {}): void {
    const v = new PropsValidator(this.constructType, this);
    validatePullImages(v, registry, images);
    const identity = options.identity ?? this.defaultIdentity();
    this.checkIdentity(v, identity);
    v.throwIfInvalid();

    const clientId = identity?.clientId;
    this.renderedHead = undefined;
    const same = this.logins.findIndex((l) => l.registryName === registry.registryName && l.clientId === clientId);
    if (same >= 0) {
      this.logins[same].images.push(...images.filter((i) => !this.logins[same].images.includes(i)));
    } else {
      this.logins.push({ registryName: registry.registryName, loginServer: registry.loginServer, images: [...new Set(images)], clientId });
      this.identities.push(identity);
    }
    this.loginsChanged();
  }

  /**
   * Called after pullImages added or extended a login: renders what the machine gets. Done here rather than in a
   * Lazy at synth, where each of the Terraform function tokens would capture a stack trace 40 frames deep (a fleet
   * of 1,000 machines spent 1.6x the CPU time of hand-written resources that way).
   */
  protected abstract loginsChanged(): void;

  /** The identity pullImages uses when none is named. */
  protected defaultIdentity(): IUserAssignedIdentity | undefined {
    return undefined;
  }

  /** Records a problem when the machine cannot log in with `identity` (undefined: its system-assigned identity). */
  protected abstract checkIdentity(v: PropsValidator, identity: IUserAssignedIdentity | undefined): void;

  /** The identities the logins use, each once (undefined: system-assigned). */
  protected get usedIdentities(): Array<IUserAssignedIdentity | undefined> {
    return [...new Set(this.identities)];
  }

  /** The user data text: the head (settings and logins; tokens as cdktf tokens) and the payload, a stack local. */
  protected userDataText(): string {
    return this.head() + this.payload;
  }

  /** The user data as a base64 Terraform value: the per-machine head as one `format()`, the payload a reference. */
  protected userDataValue(): string {
    return terraformBase64(this.userDataText());
  }

  /** The retry budget of one run, in seconds. */
  protected get loginTimeoutSeconds(): number {
    return this.settings.loginTimeoutSeconds ?? DEFAULT_LOGIN_TIMEOUT_SECONDS;
  }

  /** The head of the user data: settings and logins, up to the payload marker. */
  protected head(): string {
    return this.renderedHead ??= renderUserDataHead({ ...this.settings }, this.logins);
  }

  private validateUserDataSize(): string[] {
    const bytes = estimatedBytes(this.head()) + Buffer.byteLength(loginPayload(), 'utf8');
    const v = new PropsValidator(this.constructType, this);
    v.expect(bytes <= USER_DATA_LIMIT_BYTES, 'userData', bytes,
      `bytes of user data (the login payload and the registry logins, tokens estimated), over Azure's limit of ${USER_DATA_LIMIT_BYTES} bytes (64 KiB in base64)`,
      'pull fewer images on this machine (each pullImages image is named in its user data), or spread them over several machines');
    return messagesOf(v);
  }
}

/** The login of each target: one per target, since it owns the target's user data. */
const LOGIN_OF_TARGET = new WeakMap<IConstruct, ContainerRegistryLogin>();

/**
 * The registry login on a Linux VM or scale set that your stack defines with the provider's classes: Docker,
 * the login service (token exchange, or the Azure CLI) and the images to pull, with the machine's managed identity.
 *
 * It sets the target's custom data to the bootstrap (docs/bootstrap.md: the same text for every machine, held
 * once per stack in a Terraform local) and its user data to the logins and the login payload (updated in place).
 * A target with its own cloud-init in its custom data keeps it: the two are combined in a cloud-init multipart
 * archive whose bootstrap part appends to the lists of theirs (`Merge-Type: list(append)+dict(no_replace,recurse_list)+str()`).
 * It adds no resource. Checked at synth: the identity each `pullImages` uses is in the target's identity block,
 * the admin user exists, and no one replaced the custom or user data afterwards.
 */
export class ContainerRegistryLogin extends RegistryLoginBase {
  /**
   * The login on a Linux VM that Terraform does not manage, by its resource ID: an Azure CustomScript extension
   * (`azurerm_virtual_machine_extension`) writes the user data to `/etc/acr-login/user-data` and installs the
   * bootstrap; a data source checks at plan that the identity the login uses is assigned to the VM.
   *
   * It can install Docker, the login service and its timer, and pull images. It cannot assign an identity
   * to the VM (`az vm identity assign` first), change its custom data, user data, network or size, or run when
   * the VM's extension operations are off or it has no Azure Linux agent. Azure allows one CustomScript extension
   * per Linux VM: on a VM that has one under another name, Azure refuses this one ("Multiple VMExtensions per
   * handler not supported") and the apply fails; remove the other first.
   */
  public static onExistingVirtualMachine(scope: Construct, id: string, props: ExistingVirtualMachineLoginProps): ExistingVirtualMachineLogin {
    return new ExistingVirtualMachineLogin(scope, id, props);
  }

  /** The target: the escape hatch. */
  public readonly target: LinuxVirtualMachine | LinuxVirtualMachineScaleSet | OrchestratedVirtualMachineScaleSet;
  /** The user who runs Docker and logs in. */
  public readonly adminUsername: string;

  private readonly view: LoginTarget;
  private readonly customData?: string;
  /** The user data last set on the target. */
  private userData?: string;

  constructor(scope: Construct, id: string, props: ContainerRegistryLoginProps) {
    props = props ?? ({} as ContainerRegistryLoginProps);
    const view = loginTargetOf(props.target);
    const adminUsername = props.adminUsername ?? view?.adminUsername();
    super(scope, id, 'ContainerRegistryLogin',
      { adminUsername: adminUsername ?? '', loginTimeoutSeconds: props.loginTimeoutSeconds, loginMethod: props.loginMethod },
      view?.resource);
    const v = new PropsValidator('ContainerRegistryLogin', this);
    v.expect(view !== undefined, 'target', describeTarget(props.target),
      'is not a LinuxVirtualMachine, LinuxVirtualMachineScaleSet or OrchestratedVirtualMachineScaleSet of @cdktf/provider-azurerm',
      'pass the provider resource (e.g. new LinuxVirtualMachine(...)), or DockerVirtualMachine / DockerVirtualMachineScaleSet, which have their login');
    v.throwIfInvalid();
    this.view = view!;
    this.target = props.target;
    v.expect(adminUsername !== undefined, 'adminUsername', adminUsername,
      `is not set and the target has no ${this.view.adminUsernameArgument}`, `set ${this.view.adminUsernameArgument} on the target, or adminUsername here`);
    validateLoginSettings(v, { ...props, adminUsername });
    const existingLogin = LOGIN_OF_TARGET.get(this.view.resource);
    v.expect(existingLogin === undefined, 'target', this.view.resource.node.path,
      `already has a ContainerRegistryLogin (${existingLogin?.node.path}), which owns its user data`,
      'one login per target; call pullImages on the existing one');
    const existingUserData = this.view.userData();
    v.expect(existingLogin !== undefined || existingUserData === undefined, this.view.userDataArgument, existingUserData,
      'is already set on the target, but the login owns the target\'s user data (its registry logins and payload, read on every run)',
      'remove the target\'s user data; keep your cloud-init in its custom data, which the login combines with its own');
    v.throwIfInvalid();
    this.adminUsername = adminUsername!;

    if (props.installBootstrap ?? true) {
      this.customData = this.bootstrapCustomData(v);
      v.throwIfInvalid();
      this.view.setCustomData(this.customData);
    }
    // Rendered at synth only for a machine without pullImages; pullImages renders it at once (see loginsChanged).
    this.userData = Lazy.stringValue({ produce: () => this.userDataValue() });
    this.view.setUserData(this.userData);
    this.node.addValidation({ validate: () => this.validateTarget() });
    LOGIN_OF_TARGET.set(this.view.resource, this);
  }

  protected loginsChanged(): void {
    this.userData = this.userDataValue();
    this.view.setUserData(this.userData);
  }

  /** The custom data: the stack's bootstrap local, or the target's cloud-init and the bootstrap in one archive. */
  private bootstrapCustomData(v: PropsValidator): string {
    const theirs = this.view.customData();
    const argument = this.view.customDataArgument;
    if (theirs === undefined) {
      this.checkAdminUser(v, undefined);
      return sharedLocal(this.target, BOOTSTRAP_LOCAL, bootstrapCloudConfig);
    }
    if (!isLiteral(theirs)) {
      v.expect(false, argument, theirs, 'is a token (known only at apply), so the login cannot combine it with the bootstrap at synth',
        'pass your cloud-init as a literal base64 string, or set installBootstrap: false and bake the bootstrap into the image (VmBootstrap.installScript)');
      return '';
    }
    const userData = /^[A-Za-z0-9+/]*={0,2}$/.test(theirs.trim()) ? cloudInitUserDataOf(theirs.trim()) : undefined;
    v.expect(userData !== undefined, argument, theirs,
      `is not user data cloud-init runs (base64 of a text starting with ${RECOGNISED_STARTS.map((s) => `"${s}"`).join(', ')}, or a MIME multipart archive)`,
      'give the target cloud-init user data in base64 (e.g. Buffer.from("#cloud-config\\n...").toString("base64")), or remove its custom data');
    if (!userData) return '';
    this.checkAdminUser(v, userData);
    const archive = buildMultipartArchive([
      { contentType: userData.contentType, filename: 'custom-data', text: userData.text },
      { contentType: CLOUD_CONFIG_TYPE, filename: 'acr-login-bootstrap', text: bootstrapCloudConfig(), headers: { 'Merge-Type': BOOTSTRAP_MERGE_TYPE } },
    ]);
    const bytes = Buffer.byteLength(archive, 'utf8');
    v.expect(bytes <= CUSTOM_DATA_LIMIT_BYTES, argument, bytes,
      `bytes of custom data (the target's cloud-init, decompressed, and the bootstrap in one archive), over Azure's limit of ${CUSTOM_DATA_LIMIT_BYTES} bytes (64 KiB in base64)`,
      'make your cloud-init smaller (fetch large files at boot, or bake them into the image), or bake the bootstrap into the image and set installBootstrap: false');
    return Buffer.from(archive, 'utf8').toString('base64');
  }

  /** The admin user must exist on the target: its admin user (unless their cloud-config drops it), or one their cloud-config creates. */
  private checkAdminUser(v: PropsValidator, theirs: CloudInitUserData | undefined): void {
    const targetAdmin = this.view.adminUsername();
    const users = theirs?.contentType === CLOUD_CONFIG_TYPE ? cloudConfigUsersOf(theirs.text) : undefined;
    const isTargetAdmin = this.adminUsername === targetAdmin;
    if (isTargetAdmin) {
      v.expect(users === undefined || users.createsDefaultUser || users.names.includes(this.adminUsername), 'adminUsername', this.adminUsername,
        `is the target's admin user, but the target's cloud-config lists users without "default", so cloud-init does not create it`,
        'add "default" to the users of your cloud-config');
      return;
    }
    if (!isLiteral(this.adminUsername) || !isLiteral(targetAdmin)) return;
    v.expect(users?.names.includes(this.adminUsername) ?? false, 'adminUsername', this.adminUsername,
      `is neither the target's ${this.view.adminUsernameArgument} ("${targetAdmin}") nor a user the target's cloud-config creates`,
      `leave adminUsername out to use "${targetAdmin}", or create the user in the target's cloud-config (users: [default, {name: ${this.adminUsername}}])`);
  }

  protected checkIdentity(v: PropsValidator, identity: IUserAssignedIdentity | undefined): void {
    const problem = identityProblem(this.view, identity);
    if (problem) v.expect(false, 'pullImages(options.identity)', identity?.node.path, problem.message, problem.fix);
  }

  /** Run at synth: every identity is still on the target, and no one replaced the custom or user data. */
  private validateTarget(): string[] {
    const v = new PropsValidator('ContainerRegistryLogin', this);
    for (const identity of this.usedIdentities) this.checkIdentity(v, identity);
    const replaced = (argument: string, value: string | undefined) => v.expect(false, argument, value,
      'was replaced after the ContainerRegistryLogin was attached, so the machine would not run the registry login',
      `set the target's ${argument} before creating the login (it combines custom data with the bootstrap), and do not change it afterwards`);
    if (this.customData !== undefined && this.view.customData() !== this.customData) replaced(this.view.customDataArgument, this.view.customData());
    if (this.view.userData() !== this.userData) replaced(this.view.userDataArgument, this.view.userData());
    return messagesOf(v);
  }
}

/**
 * The registry login on a Linux VM that Terraform does not manage: see {@link ContainerRegistryLogin.onExistingVirtualMachine}.
 */
export class ExistingVirtualMachineLogin extends RegistryLoginBase {
  /** The CustomScript extension that writes the user data and installs the bootstrap: the escape hatch. */
  public readonly extension: VirtualMachineExtension;
  /** The VM, read at plan: its identity block is checked by a postcondition. */
  public readonly virtualMachine: DataAzurermVirtualMachine;
  /** The user who runs Docker and logs in. */
  public readonly adminUsername: string;
  private readonly identity?: IUserAssignedIdentity;
  private readonly installer: string;

  constructor(scope: Construct, id: string, props: ExistingVirtualMachineLoginProps) {
    props = props ?? ({} as ExistingVirtualMachineLoginProps);
    super(scope, id, 'ContainerRegistryLogin.onExistingVirtualMachine', {
      adminUsername: props.adminUsername, loginTimeoutSeconds: props.loginTimeoutSeconds, loginMethod: props.loginMethod,
    });
    const v = new PropsValidator('ContainerRegistryLogin.onExistingVirtualMachine', this);
    v.expectGiven(props, {
      virtualMachineId: 'pass the VM\'s "id": az vm show --resource-group <group> --name <vm> --query id',
      adminUsername: 'pass the VM\'s admin user: az vm show --query osProfile.adminUsername',
    });
    v.expectLiteral(props.virtualMachineId ?? undefined, (x) => isResourceIdOfType(x, 'Microsoft.Compute/virtualMachines'), 'virtualMachineId',
      'is not a virtual machine resource ID',
      'pass the VM\'s "id" (az vm show --query id), /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>');
    validateLoginSettings(v, props);
    v.throwIfInvalid();
    this.adminUsername = props.adminUsername;
    this.identity = props.identity;
    this.installer = sharedLocal(this, INSTALLER_LOCAL, bootstrapInstallScript);

    // /subscriptions/<sub>/resourceGroups/<group>/providers/Microsoft.Compute/virtualMachines/<name>
    const segments = Fn.split('/', props.virtualMachineId);
    const [resourceGroupName, name] = isLiteral(props.virtualMachineId)
      ? [props.virtualMachineId.split('/')[4], props.virtualMachineId.split('/')[8]]
      : [Fn.element(segments, 4), Fn.element(segments, 8)];
    // Loaded on first use, like the scale set class: most stacks have no existing VM.
    /* eslint-disable @typescript-eslint/no-require-imports -- deferred load, measured by npm run bench */
    const { DataAzurermVirtualMachine: DataVirtualMachine } = require('@cdktf/provider-azurerm/lib/data-azurerm-virtual-machine') as typeof DataVirtualMachineModule;
    const { VirtualMachineExtension: Extension } = require('@cdktf/provider-azurerm/lib/virtual-machine-extension') as typeof ExtensionModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.virtualMachine = new DataVirtualMachine(this, 'VirtualMachine', { name, resourceGroupName });

    this.extension = new Extension(this, 'Extension', {
      name: 'acr-login',
      virtualMachineId: props.virtualMachineId,
      publisher: 'Microsoft.Azure.Extensions',
      type: 'CustomScript',
      typeHandlerVersion: '2.1',
      autoUpgradeMinorVersion: true,
      // The script holds no secret, but protected settings keep it out of the VM's instance view.
      protectedSettings: this.protectedSettings(),
      // After the identity check: a VM without the identity fails the plan, before anything is installed.
      dependsOn: [this.virtualMachine],
      // The extension's status is the first run's, which the provider's default 30 minutes would not wait for.
      timeouts: { create: this.extensionTimeout(), update: this.extensionTimeout() },
    });
  }

  /**
   * How long Terraform waits for the extension: the first run's budget, one step beyond it (a run ends by its
   * budget plus one bounded step), and {@link EXTENSION_MARGIN_MINUTES} for the extension's own install.
   */
  private extensionTimeout(): string {
    const budgetSeconds = this.loginTimeoutSeconds + STEP_TIMEOUT_SECONDS;
    return `${Math.ceil(budgetSeconds / 60) + EXTENSION_MARGIN_MINUTES}m`;
  }

  protected defaultIdentity(): IUserAssignedIdentity | undefined {
    return this.identity;
  }

  /** Nothing to check at synth: the VM's identities are read at plan, by the data source's postconditions. */
  protected checkIdentity(): void {}

  protected loginsChanged(): void {
    // Not before the constructor has made them (the base class's constructor comes first).
    if (!this.extension) return;
    this.virtualMachine.lifecycle = { postcondition: this.postconditions() };
    this.extension.protectedSettings = this.protectedSettings();
  }

  /** The extension's protected settings: the script, in base64. */
  private protectedSettings(): string {
    return Fn.jsonencode({ script: terraformBase64(this.extensionScript()) });
  }

  /** One postcondition per identity the logins use. */
  private postconditions() {
    const identity = Fn.jsonencode(TerraformSelf.getAny('identity'));
    return this.usedIdentities.map((used) => (used === undefined
      ? {
        condition: Fn.strcontains(identity, 'SystemAssigned'),
        errorMessage: 'The VM has no system-assigned identity, which ContainerRegistryLogin logs in with: az vm identity assign --resource-group <group> --name <vm>',
      }
      : {
        condition: Fn.strcontains(Fn.lower(identity), Fn.lower(Fn.jsonencode(used.identityId))),
        errorMessage: `The user-assigned identity ${used.node.path} that ContainerRegistryLogin logs in with is not assigned to the VM: az vm identity assign --identities <its id>`,
      }));
  }

  /**
   * The CustomScript: writes the user data where the bootstrap reads it (the head as text: its values are names
   * and IDs; the payload and the installer from the stack's base64 locals), then runs the installer.
   * `ACR_BOOTSTRAP_ROOT` (tests) puts the files under another root, as the installer does.
   */
  private extensionScript(): string {
    return [
      '#!/bin/bash',
      '# ContainerRegistryLogin on an existing VM: the login\'s user data goes to /etc/acr-login/user-data (the',
      '# bootstrap reads it there instead of the Instance Metadata Service), then the bootstrap is installed.',
      'set -euo pipefail',
      'root=${ACR_BOOTSTRAP_ROOT:-}',
      'install -d -m 0755 "$root/etc/acr-login"',
      '{',
      '  cat <<\'ACR_LOGIN_USER_DATA_HEAD\'',
      this.head() + 'ACR_LOGIN_USER_DATA_HEAD',
      '  base64 -d <<\'ACR_LOGIN_PAYLOAD\'',
      this.payloadBase64,
      'ACR_LOGIN_PAYLOAD',
      '} >"$root/etc/acr-login/user-data.new"',
      'mv -f "$root/etc/acr-login/user-data.new" "$root/etc/acr-login/user-data"',
      'base64 -d >"$root/etc/acr-login/install-bootstrap" <<\'ACR_LOGIN_INSTALLER\'',
      this.installer,
      'ACR_LOGIN_INSTALLER',
      'exec bash "$root/etc/acr-login/install-bootstrap"',
      '',
    ].join('\n');
  }
}

/**
 * The bootstrap (format {@link VmBootstrap.FORMAT}, docs/bootstrap.md) for images and pipelines of your own:
 * bake {@link VmBootstrap.installScript} into a golden image, then give each machine its user data
 * ({@link VmBootstrap.renderUserData}).
 */
export class VmBootstrap {
  /** The bootstrap format: it changes only in a major release. */
  public static readonly FORMAT: number = BOOTSTRAP_FORMAT;

  /** The bootstrap as a `#cloud-config` (what `ContainerRegistryLogin` puts in custom data). */
  public static cloudConfig(): string {
    return bootstrapCloudConfig();
  }

  /**
   * The bootstrap as a bash script (run as root) that installs it on a running machine or into an image.
   * Without `/etc/acr-login/user-data`, the bootstrap reads the user data from the Instance Metadata Service.
   */
  public static installScript(): string {
    return bootstrapInstallScript();
  }

  /** A machine's user data (format 1): its settings, its logins and the login payload of this library version. */
  public static renderUserData(options: VmBootstrapUserDataOptions): string {
    return renderUserDataHead(options, options.logins.map((l) => ({ ...l, images: [...l.images] }))) + loginPayload();
  }

  private constructor() {}
}

/** Options of {@link VmBootstrap.renderUserData}. */
export interface VmBootstrapUserDataOptions extends RegistryLoginSettings {
  /** The user who runs Docker and logs in. */
  readonly adminUsername: string;
  /** The registries to log in to. */
  readonly logins: VmBootstrapLogin[];
}

/** One registry a machine logs in to, in {@link VmBootstrap.renderUserData}. */
export interface VmBootstrapLogin {
  /** The registry's name, e.g. `myregistry`. */
  readonly registryName: string;
  /** The registry's login server, e.g. `myregistry.azurecr.io`. */
  readonly loginServer: string;
  /** Image references relative to the login server. */
  readonly images: string[];
  /**
   * The client ID of the user-assigned identity to log in with.
   * @default - the system-assigned identity
   */
  readonly clientId?: string;
}

const BOOTSTRAP_LOCAL = 'AcrLoginBootstrap';
const PAYLOAD_LOCAL = 'AcrLoginPayload';
const INSTALLER_LOCAL = 'AcrLoginInstaller';

/** A reference to a stack-wide Terraform local holding `text()` in base64, made on first use in the stack of `scope`. */
function sharedLocal(scope: IConstruct, id: string, text: () => string): string {
  return sharedReference(scope, id, () => {
    const stack = TerraformStack.of(scope);
    const local = (stack.node.tryFindChild(id) as TerraformLocal | undefined)
      ?? new TerraformLocal(stack, id, Buffer.from(text(), 'utf8').toString('base64'));
    return local.asString;
  });
}

/** A token made once per stack (the stack of `scope`) and key, shared by its machines. */
function sharedReference(scope: IConstruct, key: string, make: () => string): string {
  return sharedToken(TerraformStack.of(scope), key, make);
}

/** Why `target` cannot log in with `identity` (undefined: its system-assigned identity), if it cannot. */
function identityProblem(target: LoginTarget, identity: IUserAssignedIdentity | undefined): { message: string; fix: string } | undefined {
  const block = target.identity();
  const type = block?.type;
  if (identity === undefined) {
    if (!target.supportsSystemAssigned) {
      return {
        message: 'is not set, but a Flexible scale set (azurerm_orchestrated_virtual_machine_scale_set) has no system-assigned identity',
        fix: 'attach a user-assigned identity to the scale set and pass it as options.identity',
      };
    }
    if (type !== undefined && !isLiteral(type)) return undefined;
    return identityKindsOf(type).systemAssigned ? undefined : {
      message: `is not set and the target's identity block has no system-assigned identity (type ${JSON.stringify(type ?? null)}) to log in with`,
      fix: 'give the target identity { type = "SystemAssigned" } (DockerVirtualMachine: systemAssignedIdentity: true), or pass a user-assigned identity attached to it as options.identity',
    };
  }
  const ids = block?.identityIds;
  if (ids !== undefined && Token.isUnresolved(ids)) return undefined;
  const wanted = identity.identityId;
  const attached = (ids ?? []).some((id) => id === wanted || (isLiteral(id) && isLiteral(wanted) && id.toLowerCase() === wanted.toLowerCase()));
  return attached ? undefined : {
    message: 'is not in the target\'s identity block (identity_ids), so the machine cannot log in with it',
    fix: 'attach it to the target (identity_ids; DockerVirtualMachine: userAssignedIdentities), or leave options.identity out',
  };
}

/** The problems a validator recorded, as the one message of a ValidationError (for node.addValidation). */
function messagesOf(v: PropsValidator): string[] {
  try {
    v.throwIfInvalid();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

function describeTarget(target: unknown): string {
  if (target === undefined || target === null) return String(target);
  const type = (target as { terraformResourceType?: unknown }).terraformResourceType;
  return typeof type === 'string' ? type : (target as object).constructor?.name ?? typeof target;
}

import type * as ScaleSetModule from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import type { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import type { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import type { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import type { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { DockerVirtualMachineProps, UbuntuImage } from './docker-vm';
import { ValidationError } from './errors';
import { IUserAssignedIdentity } from './identity';
import { IGrantable, IPrincipal, Principal } from './principal';
import { IContainerRegistry } from './registry';
import { ContainerRegistryLogin, IRegistryLogin, PullImagesOptions } from './registry-login';
import { createDockerNetwork, defaultLoginIdentity, identityBlockOf } from './private/docker-network';
import { validateDockerVmProps } from './private/docker-vm-props';
import { isLiteral } from './private/validation';
import { VmOutbound } from './vm-outbound';

/**
 * The scale set class is loaded on first use: it is the largest provider class the library uses (0.8 MB), and
 * importing the library, or a stack without a scale set, need not pay for it.
 */
let scaleSetModule: typeof ScaleSetModule | undefined;
function loadScaleSetModule(): typeof ScaleSetModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, measured by npm run bench
  return (scaleSetModule ??= require('@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set') as typeof ScaleSetModule);
}

/** Azure's limit on a Linux scale set's computer name prefix (the scale set's name here). */
const COMPUTER_NAME_PREFIX_MAX = 58;
const MAX_INSTANCES = 1000;

/**
 * Properties of a {@link DockerVirtualMachineScaleSet}: those of a {@link DockerVirtualMachine} (the same
 * defaults) but for the computer name, which is the scale set's name followed by each instance's number, and
 * the public IP (instances have none), plus the instance count.
 */
export interface DockerVirtualMachineScaleSetProps extends Omit<DockerVirtualMachineProps, 'computerName' | 'associatePublicIpAddress'> {
  /**
   * How many instances to run: 0 to 1000.
   * @default 2
   */
  readonly instances?: number;
}

/**
 * A fleet of Docker-enabled Ubuntu VMs that pull from container registries with a managed identity: the scale
 * set form of {@link DockerVirtualMachine}, with the same secure defaults, network and registry login.
 *
 * A Uniform scale set (`azurerm_linux_virtual_machine_scale_set`), because it can have a system-assigned identity
 * (`registry.grantPull(vmss)`; a Flexible scale set takes user-assigned identities only) and because a change of
 * its user data reaches the running instances: adding an image to `pullImages` changes the user data, and so does
 * every library release that changes the login payload (`vm/acr-login.sh`). The azurerm provider then updates
 * every instance to the new model (`upgrade_mode = "Manual"`, provider feature
 * `roll_instances_when_required`, on by default) and reimages each in turn (feature `reimage_on_manual_upgrade`,
 * on by default). Set `reimage_on_manual_upgrade = false` in the provider's `features.virtual_machine_scale_set`
 * to update the instances in place instead: their login then pulls the new image at its next run (within 2
 * hours, or `sudo systemctl start acr-login.service`). A Flexible scale set leaves running instances on the old
 * model. New instances (scale-out) always start with the current user data.
 */
export class DockerVirtualMachineScaleSet extends Construct implements IGrantable {
  /** The underlying `azurerm_linux_virtual_machine_scale_set`: the escape hatch. */
  public readonly resource: LinuxVirtualMachineScaleSet;
  /** The network security group on the instances' network interfaces (and on the subnet the construct creates). */
  public readonly networkSecurityGroup: NetworkSecurityGroup;
  /** The virtual network, when the construct created one. */
  public readonly virtualNetwork?: VirtualNetwork;
  /** The subnet, when the construct created one. */
  public readonly subnet?: Subnet;
  /** The outbound path: `props.outbound`, or its default. */
  public readonly outbound: VmOutbound;
  /** The NAT gateway, when the construct created one (`VmOutbound.natGateway()`, the default for the subnet it creates). */
  public readonly natGateway?: NatGateway;
  /** The NAT gateway's public IP (the instances' outbound address), when the construct created one. */
  public readonly natGatewayPublicIp?: PublicIp;
  /** The scale set's resource ID. */
  public get scaleSetId(): string {
    return this.resource.id;
  }

  /** The admin user. */
  public readonly adminUsername: string;
  /** The user-assigned identities attached to the scale set. */
  public readonly userAssignedIdentities: IUserAssignedIdentity[];
  /** Whether the scale set has a system-assigned identity. */
  public readonly hasSystemAssignedIdentity: boolean;
  /** The registry login: sets the scale set's custom data (the bootstrap) and user data (the logins). */
  public readonly login: IRegistryLogin;

  private readonly props: DockerVirtualMachineScaleSetProps;

  constructor(scope: Construct, id: string, props: DockerVirtualMachineScaleSetProps) {
    super(scope, id);
    props = props ?? ({} as DockerVirtualMachineScaleSetProps);
    this.props = props;
    this.adminUsername = props.adminUsername ?? 'azureuser';
    this.userAssignedIdentities = props.userAssignedIdentities ?? [];
    this.hasSystemAssignedIdentity = props.systemAssignedIdentity ?? this.userAssignedIdentities.length === 0;
    validateDockerVmProps(this, props, this.adminUsername, 'DockerVirtualMachineScaleSet', (v) => {
      v.expectLiteral(props.name, (x) => x.length <= COMPUTER_NAME_PREFIX_MAX, 'name', `is longer than ${COMPUTER_NAME_PREFIX_MAX} characters, ` +
        'the limit of a Linux scale set\'s computer name prefix (the instances\' host names start with the name)',
      `shorten name to at most ${COMPUTER_NAME_PREFIX_MAX} characters`);
      const instances = props.instances;
      v.expect(instances === undefined || !isLiteral(instances) || (Number.isInteger(instances) && instances >= 0 && instances <= MAX_INSTANCES),
        'instances', instances, `must be a whole number from 0 to ${MAX_INSTANCES}`, 'choose e.g. 2');
    });

    const network = createDockerNetwork(this, props);
    this.networkSecurityGroup = network.networkSecurityGroup;
    this.virtualNetwork = network.virtualNetwork;
    this.subnet = network.subnet;
    this.outbound = network.outbound;
    this.natGateway = network.natGateway;
    this.natGatewayPublicIp = network.natGatewayPublicIp;

    const image = props.image ?? UbuntuImage.UBUNTU_22_04;
    this.resource = new (loadScaleSetModule().LinuxVirtualMachineScaleSet)(this, 'Default', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: props.tags,
      sku: props.size ?? 'Standard_D2s_v5',
      instances: props.instances ?? 2,
      // Applied to instances by the provider's roll (see the class comment): a user data change must not reimage
      // every instance at once, as "Automatic" with a "latest" image would (an OS upgrade of the whole set).
      upgradeMode: 'Manual',
      adminUsername: this.adminUsername,
      adminSshKey: [{ username: this.adminUsername, publicKey: isLiteral(props.sshPublicKey) ? props.sshPublicKey.trim() : props.sshPublicKey }],
      disablePasswordAuthentication: true,
      extensionOperationsEnabled: props.allowExtensionOperations ?? false,
      networkInterface: [{
        name: `${props.name}Nic`,
        primary: true,
        enableIpForwarding: false,
        networkSecurityGroupId: this.networkSecurityGroup.id,
        ipConfiguration: [{ name: 'ipconfig1', primary: true, subnetId: network.subnetId }],
      }],
      osDisk: { caching: 'ReadWrite', storageAccountType: props.osDiskStorageAccountType ?? 'StandardSSD_LRS' },
      sourceImageReference: { publisher: image.publisher, offer: image.offer, sku: image.sku, version: image.version },
      // Trusted Launch, as for the VM.
      secureBootEnabled: true,
      vtpmEnabled: true,
      identity: identityBlockOf(this.hasSystemAssignedIdentity, this.userAssignedIdentities),
      // The subnet's NSG guards the instances before they boot, and cloud-init's first run has its outbound path.
      dependsOn: network.subnetNetworkSecurityGroup ? [network.subnetNetworkSecurityGroup, ...network.outboundReady] : undefined,
    });
    this.login = new ContainerRegistryLogin(this, 'Login', {
      target: this.resource, loginTimeoutSeconds: props.loginTimeoutSeconds, loginMethod: props.loginMethod,
    });
  }

  /** The principal ID of the scale set's system-assigned identity; throws when it has none. */
  public get principalId(): string {
    return this.grantPrincipal.principalId;
  }

  /**
   * The scale set's system-assigned identity (one for all its instances), so `registry.grantPull(vmss)` grants to
   * the scale set. Throws when it has none: grant to its user-assigned identity instead.
   */
  public get grantPrincipal(): IPrincipal {
    if (!this.hasSystemAssignedIdentity) {
      throw new ValidationError('DockerVirtualMachineScaleSet', this.node.path, [{
        property: 'systemAssignedIdentity',
        value: this.props.systemAssignedIdentity ?? false,
        message: 'is off, so the scale set has no identity of its own to grant a role to',
        fix: 'set systemAssignedIdentity: true, or grant to the user-assigned identity (registry.grantPull(identity))',
      }]);
    }
    return Principal.ofSystemAssignedIdentity(this.resource);
  }

  /**
   * Logs in to `registry` with the scale set's managed identity and pulls `images` on every instance, as the
   * admin user, at boot and every 2 hours. The logins are the scale set's user data: see the class comment for how
   * a change reaches running instances. The identity needs a pull role: `registry.grantPull(vmss)` or
   * `registry.grantPull(identity)`.
   *
   * @param images image references relative to the registry, e.g. `aci-helloworld:v1`
   */
  public pullImages(registry: IContainerRegistry, images: string[], options: PullImagesOptions = {}): void {
    const identity = options.identity ?? defaultLoginIdentity(this.hasSystemAssignedIdentity, this.userAssignedIdentities);
    this.login.pullImages(registry, images, { identity });
  }
}

import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { NetworkInterfaceSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/network-interface-security-group-association';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import type { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import type { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import type { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import type { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { ValidationError } from './errors';
import { IUserAssignedIdentity } from './identity';
import { IGrantable, IPrincipal, Principal } from './principal';
import { IContainerRegistry } from './registry';
import { ContainerRegistryLogin, IRegistryLogin, PullImagesOptions, RegistryLoginMethod } from './registry-login';
import { createDockerNetwork, defaultLoginIdentity, identityBlockOf } from './private/docker-network';
import { validateDockerVmProps } from './private/docker-vm-props';
import { isLiteral } from './private/validation';
import { VmOutbound } from './vm-outbound';

/**
 * An Ubuntu LTS image from Canonical, Gen2 (Trusted Launch capable).
 */
export class UbuntuImage {
  /** Ubuntu Server 22.04 LTS, Gen2: the tutorial's `Ubuntu2204`. */
  public static readonly UBUNTU_22_04 = new UbuntuImage('Canonical', '0001-com-ubuntu-server-jammy', '22_04-lts-gen2');
  /** Ubuntu Server 24.04 LTS, Gen2. */
  public static readonly UBUNTU_24_04 = new UbuntuImage('Canonical', 'ubuntu-24_04-lts', 'server');

  private constructor(
    /** The image publisher (`source_image_reference.publisher`). */
    public readonly publisher: string,
    /** The image offer. */
    public readonly offer: string,
    /** The image SKU. */
    public readonly sku: string,
    /** The image version: the latest, so a new VM boots with current packages. */
    public readonly version = 'latest',
  ) {}
}

/**
 * Properties of a {@link DockerVirtualMachine}.
 */
export interface DockerVirtualMachineProps {
  /**
   * The VM's name: 1-80 letters, digits, `.`, `_` or `-`, starting with a letter or digit and ending with a
   * letter, digit or `_`. Also its computer (host) name unless `computerName` is set, and the stem of its
   * network resources' names (`<name>NSG`, `<name>VMNic`, `<name>VNET`, `<name>Subnet`, `<name>PublicIP`), as
   * `az vm create` names them.
   */
  readonly name: string;
  /** The resource group to create the VM and its network in. */
  readonly resourceGroupName: string;
  /** The Azure region, e.g. `eastus`. */
  readonly location: string;
  /**
   * The admin user's OpenSSH public key: RSA of 2048 bits or more, or Ed25519
   * (the contents of `~/.ssh/id_rsa.pub` or `~/.ssh/id_ed25519.pub`). Password login is off.
   */
  readonly sshPublicKey: string;
  /**
   * The admin user, who runs Docker and the registry login: 1-64 letters, digits, `.`, `_` or `-`, starting
   * with a letter or `_`, and not a name Azure reserves (`admin`, `root`, `user`, `test`, ...). May be a token:
   * it is written only into the user data, by Terraform functions.
   * @default 'azureuser'
   */
  readonly adminUsername?: string;
  /**
   * The computer (host) name: at most 64 letters, digits, `.` or `-`, not ending in `.` or `-`.
   * @default - the VM's name
   */
  readonly computerName?: string;
  /**
   * The VM size. The default has 2 vCPUs and 8 GiB, supports Trusted Launch and is offered in most regions.
   * @default 'Standard_D2s_v5'
   */
  readonly size?: string;
  /**
   * The OS image.
   * @default UbuntuImage.UBUNTU_22_04
   */
  readonly image?: UbuntuImage;
  /**
   * Gives the VM a system-assigned managed identity, which `registry.grantPull(vm)` grants to.
   * @default - true when no `userAssignedIdentities` are given, false otherwise
   */
  readonly systemAssignedIdentity?: boolean;
  /**
   * User-assigned managed identities to attach (`az vm identity assign --identities`).
   * @default - none
   */
  readonly userAssignedIdentities?: IUserAssignedIdentity[];
  /**
   * An existing subnet (its resource ID) to put the VM's network interface in. It needs outbound internet access
   * (NAT gateway, firewall, or a public IP on the VM) to install packages and reach the registry: see `outbound`.
   * @default - a virtual network and subnet are created for the VM
   */
  readonly subnetId?: string;
  /**
   * The outbound internet path cloud-init's installs and the registry login take. Every mode but
   * `VmOutbound.azureDefault()` makes the subnet the construct creates private (no default outbound access).
   * @default - `VmOutbound.publicIp()` with `associatePublicIpAddress`; else `VmOutbound.natGateway()` for the subnet
   * the construct creates, `VmOutbound.userManaged()` (the subnet owner's path) for `subnetId`
   */
  readonly outbound?: VmOutbound;
  /**
   * The IPv4 address space of the virtual network created when `subnetId` is not given.
   * @default '10.0.0.0/16'
   */
  readonly virtualNetworkAddressSpace?: string;
  /**
   * The IPv4 address prefix of the subnet created when `subnetId` is not given: inside `virtualNetworkAddressSpace`,
   * /29 or larger.
   * @default '10.0.0.0/24'
   */
  readonly subnetAddressPrefix?: string;
  /**
   * Gives the VM a static Standard public IP address (as `az vm create` does), read from `publicIpAddress`.
   * @default false
   */
  readonly associatePublicIpAddress?: boolean;
  /**
   * Source address ranges allowed to reach SSH (TCP 22): IPv4 addresses or CIDRs, or one service tag
   * (`VirtualNetwork`, `AzureLoadBalancer`, `Internet`, `AzureCloud[.<region>]`, `GatewayManager`,
   * `AzureTrafficManager`, `AzureFrontDoor.Backend`). IPv4 only: the VM's network interface has no IPv6 address.
   * A CIDR must start its range (`203.0.113.0/24`, not `203.0.113.4/24`): Azure refuses the latter.
   * @default - no SSH from anywhere
   */
  readonly sshSourceAddressPrefixes?: string[];
  /**
   * Allows `sshSourceAddressPrefixes` to open SSH to the internet or a large part of it: `*`, `Internet`,
   * `AzureCloud[.<region>]` (every Azure customer's VMs), or a range shorter than /8 such as `0.0.0.0/0`.
   * @default false
   */
  readonly allowSshFromInternet?: boolean;
  /**
   * Allows VM extensions. cloud-init does all the VM's setup, so none are needed.
   * @default false
   */
  readonly allowExtensionOperations?: boolean;
  /**
   * The OS disk's storage type.
   * @default 'StandardSSD_LRS'
   */
  readonly osDiskStorageAccountType?: string;
  /**
   * How long one registry login run retries (role assignments take 1-10 minutes to propagate,
   * and a system-assigned identity exists only once the VM does), in seconds: one run does every login.
   * 900 to 7200; it is user data, so changing it updates the VM in place.
   * @default 1800
   */
  readonly loginTimeoutSeconds?: number;
  /**
   * How the VM logs in to registries.
   * @default RegistryLoginMethod.TOKEN_EXCHANGE
   */
  readonly loginMethod?: RegistryLoginMethod;
  /**
   * Tags of every resource the construct creates.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * A Docker-enabled Ubuntu VM (`az vm create` + Docker + the Azure CLI) that logs in to container
 * registries with its managed identity and pulls images: no registry credentials anywhere.
 *
 * Creates the VM, a network interface in a network security group (SSH only from the ranges you
 * name), a virtual network and subnet unless `subnetId` is given, and optionally a public IP.
 * With a system-assigned identity it is `IGrantable`: `registry.grantPull(vm)`.
 */
export class DockerVirtualMachine extends Construct implements IGrantable {
  /** The underlying `azurerm_linux_virtual_machine`: the escape hatch. */
  public readonly resource: LinuxVirtualMachine;
  /** The VM's network interface. */
  public readonly networkInterface: NetworkInterface;
  /** The network security group on the NIC (and on the subnet the construct creates). */
  public readonly networkSecurityGroup: NetworkSecurityGroup;
  /** The virtual network, when the construct created one. */
  public readonly virtualNetwork?: VirtualNetwork;
  /** The subnet, when the construct created one. */
  public readonly subnet?: Subnet;
  /** The public IP, when `associatePublicIpAddress` is set. */
  public readonly publicIp?: PublicIp;
  /** The outbound path: `props.outbound`, or its default. */
  public readonly outbound: VmOutbound;
  /** The NAT gateway, when the construct created one (`VmOutbound.natGateway()`). */
  public readonly natGateway?: NatGateway;
  /** The NAT gateway's public IP (the machines' outbound address), when the construct created one. */
  public readonly natGatewayPublicIp?: PublicIp;
  /** The VM's resource ID. */
  public get virtualMachineId(): string {
    return this.resource.id;
  }

  /** The admin user. */
  public readonly adminUsername: string;
  /** The VM's private IP address. */
  public get privateIpAddress(): string {
    return this.networkInterface.privateIpAddress;
  }

  /** The user-assigned identities attached to the VM. */
  public readonly userAssignedIdentities: IUserAssignedIdentity[];
  /** Whether the VM has a system-assigned identity. */
  public readonly hasSystemAssignedIdentity: boolean;

  /** The registry login: sets the VM's custom data (the bootstrap) and user data (the logins). */
  public readonly login: IRegistryLogin;

  private readonly props: DockerVirtualMachineProps;

  constructor(scope: Construct, id: string, props: DockerVirtualMachineProps) {
    super(scope, id);
    props = props ?? {};
    this.props = props;
    this.adminUsername = props.adminUsername ?? 'azureuser';
    this.userAssignedIdentities = props.userAssignedIdentities ?? [];
    this.hasSystemAssignedIdentity = props.systemAssignedIdentity ?? this.userAssignedIdentities.length === 0;
    validateDockerVmProps(this, props, this.adminUsername);

    const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags };

    const network = createDockerNetwork(this, props);
    this.networkSecurityGroup = network.networkSecurityGroup;
    this.virtualNetwork = network.virtualNetwork;
    this.subnet = network.subnet;
    this.outbound = network.outbound;
    this.natGateway = network.natGateway;
    this.natGatewayPublicIp = network.natGatewayPublicIp;
    const subnetId = network.subnetId;

    if (props.associatePublicIpAddress) {
      this.publicIp = new PublicIp(this, 'PublicIp', {
        ...common,
        name: `${props.name}PublicIP`,
        sku: 'Standard',
        allocationMethod: 'Static',
      });
    }

    this.networkInterface = new NetworkInterface(this, 'Nic', {
      ...common,
      name: `${props.name}VMNic`,
      ipForwardingEnabled: false,
      ipConfiguration: [{
        name: 'ipconfig1',
        subnetId,
        privateIpAddressAllocation: 'Dynamic',
        publicIpAddressId: this.publicIp?.id,
      }],
    });
    const nicNsg = new NetworkInterfaceSecurityGroupAssociation(this, 'NicNsg', {
      networkInterfaceId: this.networkInterface.id,
      networkSecurityGroupId: this.networkSecurityGroup.id,
    });

    const image = props.image ?? UbuntuImage.UBUNTU_22_04;
    this.resource = new LinuxVirtualMachine(this, 'Default', {
      ...common,
      name: props.name,
      computerName: props.computerName,
      size: props.size ?? 'Standard_D2s_v5',
      adminUsername: this.adminUsername,
      // Trimmed: a key read from a .pub file ends in a newline.
      adminSshKey: [{ username: this.adminUsername, publicKey: isLiteral(props.sshPublicKey) ? props.sshPublicKey.trim() : props.sshPublicKey }],
      disablePasswordAuthentication: true,
      allowExtensionOperations: props.allowExtensionOperations ?? false,
      networkInterfaceIds: [this.networkInterface.id],
      osDisk: { caching: 'ReadWrite', storageAccountType: props.osDiskStorageAccountType ?? 'StandardSSD_LRS' },
      sourceImageReference: { publisher: image.publisher, offer: image.offer, sku: image.sku, version: image.version },
      // Trusted Launch, as `az vm create` does for Gen2 images.
      secureBootEnabled: true,
      vtpmEnabled: true,
      identity: identityBlockOf(this.hasSystemAssignedIdentity, this.userAssignedIdentities),
      // The NSG guards the NIC before the VM boots, and cloud-init's first run has its outbound path.
      dependsOn: [nicNsg, ...network.outboundReady],
    });
    // The bootstrap in custom_data (the same for every VM: a change would replace the VM), the logins in
    // user_data (updated in place). No resource of its own.
    this.login = new ContainerRegistryLogin(this, 'Login', {
      target: this.resource, loginTimeoutSeconds: props.loginTimeoutSeconds, loginMethod: props.loginMethod,
    });
  }

  /** The VM's public IP address; throws unless `associatePublicIpAddress` is set. */
  public get publicIpAddress(): string {
    if (!this.publicIp) {
      throw new ValidationError('DockerVirtualMachine', this.node.path, [{
        property: 'associatePublicIpAddress', value: this.props.associatePublicIpAddress,
        message: 'is off, so the VM has no public IP address', fix: 'set associatePublicIpAddress: true',
      }]);
    }
    return this.publicIp.ipAddress;
  }

  /** The principal ID of the VM's system-assigned identity; throws when the VM has none. */
  public get principalId(): string {
    return this.grantPrincipal.principalId;
  }

  /**
   * The VM's system-assigned identity, so `registry.grantPull(vm)` grants to the VM itself.
   * Throws when the VM has no system-assigned identity: grant to its user-assigned identity instead.
   */
  public get grantPrincipal(): IPrincipal {
    if (!this.hasSystemAssignedIdentity) {
      throw new ValidationError('DockerVirtualMachine', this.node.path, [{
        property: 'systemAssignedIdentity',
        value: this.props.systemAssignedIdentity ?? false,
        message: 'is off, so the VM has no identity of its own to grant a role to',
        fix: 'set systemAssignedIdentity: true, or grant to the user-assigned identity (registry.grantPull(identity))',
      }]);
    }
    return Principal.ofSystemAssignedIdentity(this.resource);
  }

  /**
   * Logs in to `registry` with the VM's managed identity and pulls `images` on the VM, as the admin
   * user, retrying until the identity's role assignment has propagated; a systemd timer logs in
   * again every 2 hours, before the registry's ~3 hour token expires.
   *
   * The logins are the VM's user data (`user_data`), which Azure updates without replacing the VM: an image
   * added later is pulled at the next timer run, or at once with `sudo systemctl start acr-login.service`.
   *
   * The identity still needs a role on the registry: `registry.grantPull(vm)` or `registry.grantPull(identity)`.
   *
   * @param images image references relative to the registry, e.g. `aci-helloworld:v1`
   */
  public pullImages(registry: IContainerRegistry, images: string[], options: PullImagesOptions = {}): void {
    const identity = options.identity ?? defaultLoginIdentity(this.hasSystemAssignedIdentity, this.userAssignedIdentities);
    this.login.pullImages(registry, images, { identity });
  }
}

import { Lazy, Token } from 'cdktf';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { NetworkInterface } from '@cdktf/provider-azurerm/lib/network-interface';
import { NetworkInterfaceSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/network-interface-security-group-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { ValidationError } from './errors';
import { IUserAssignedIdentity } from './identity';
import { IGrantable, IPrincipal, PrincipalType } from './principal';
import { IContainerRegistry } from './registry';
import { addressPrefixProblem, cidrContains, cidrProblem, isInternetWide, isServiceTag, prefixLengthOf } from './private/address-prefix';
import { isResourceGroupName, RESOURCE_GROUP_NAME_RULE } from './private/azure-names';
import { isPrivateKey, sshPublicKeyProblem } from './private/ssh-key';
import { isLiteral, PropsValidator } from './private/validation';
import { customDataOf, estimatedCustomDataBytes, RegistryLogin, renderCloudConfig } from './private/vm-scripts';

/** Azure's limit on custom data: 65535 bytes, 87380 characters in base64 ("64 KiB" in the docs). */
const CUSTOM_DATA_LIMIT_BYTES = 65535;
const DEFAULT_VNET_ADDRESS_SPACE = '10.0.0.0/16';
const DEFAULT_SUBNET_ADDRESS_PREFIX = '10.0.0.0/24';

/** Names Azure refuses as the admin user of a Linux VM. */
const RESERVED_ADMIN_USERNAMES = new Set([
  'administrator', 'admin', 'user', 'user1', 'user2', 'user3', 'user4', 'user5', 'test', 'test1', 'test2',
  'test3', 'admin1', 'admin2', '1', '123', 'a', 'actuser', 'adm', 'aspnet', 'backup', 'console', 'david',
  'guest', 'john', 'owner', 'root', 'server', 'sql', 'support', 'support_388945a0', 'sys',
]);

/**
 * An Ubuntu LTS image from Canonical, Gen2 (Trusted Launch capable).
 */
export class UbuntuImage {
  /** Ubuntu Server 22.04 LTS, Gen2: the tutorial's `Ubuntu2204`. */
  public static readonly UBUNTU_22_04 = new UbuntuImage('Canonical', '0001-com-ubuntu-server-jammy', '22_04-lts-gen2');
  /** Ubuntu Server 24.04 LTS, Gen2. */
  public static readonly UBUNTU_24_04 = new UbuntuImage('Canonical', 'ubuntu-24_04-lts', 'server');

  private constructor(
    public readonly publisher: string,
    public readonly offer: string,
    public readonly sku: string,
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
   * with a letter or `_`, and not a name Azure reserves (`admin`, `root`, `user`, `test`, ...). A literal, since
   * it is written into the cloud-config.
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
   * (NAT gateway, firewall, or a public IP on the VM) to install packages and reach the registry.
   * @default - a virtual network and subnet are created for the VM
   */
  readonly subnetId?: string;
  /**
   * The address space of the virtual network created when `subnetId` is not given.
   * @default '10.0.0.0/16'
   */
  readonly virtualNetworkAddressSpace?: string;
  /**
   * The address prefix of the subnet created when `subnetId` is not given: inside `virtualNetworkAddressSpace`,
   * /29 or larger.
   * @default '10.0.0.0/24'
   */
  readonly subnetAddressPrefix?: string;
  /**
   * Gives the VM a static Standard public IP address (as `az vm create` does).
   * @default false
   */
  readonly publicIpAddress?: boolean;
  /**
   * Source address ranges (IPv4/IPv6 addresses or CIDRs, or one service tag) allowed to reach SSH (TCP 22).
   * A CIDR must start its range (`203.0.113.0/24`, not `203.0.113.4/24`): Azure refuses the latter.
   * @default - no SSH from anywhere
   */
  readonly sshSourceAddressPrefixes?: string[];
  /**
   * Allows `sshSourceAddressPrefixes` to open SSH to the whole internet (`*`, `Internet`, `0.0.0.0/0`, `::/0`).
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
   * and a system-assigned identity exists only once the VM does), in seconds.
   * At least 900; a literal, since it is written into the cloud-config.
   * @default 1800
   */
  readonly loginTimeoutSeconds?: number;
  /**
   * Tags of every resource the construct creates.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * Options of {@link DockerVirtualMachine.pullImages}.
 */
export interface PullImagesOptions {
  /**
   * The user-assigned identity to log in with; it must be one of the VM's `userAssignedIdentities`.
   * @default - the system-assigned identity if the VM has one, else its only user-assigned identity
   */
  readonly identity?: IUserAssignedIdentity;
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
  public readonly networkInterface: NetworkInterface;
  public readonly networkSecurityGroup: NetworkSecurityGroup;
  /** The virtual network, when the construct created one. */
  public readonly virtualNetwork?: VirtualNetwork;
  /** The subnet, when the construct created one. */
  public readonly subnet?: Subnet;
  /** The public IP, when `publicIpAddress` is set. */
  public readonly publicIp?: PublicIp;
  /** The VM's resource ID. */
  public readonly virtualMachineId: string;
  /** The admin user. */
  public readonly adminUsername: string;
  /** The VM's private IP address. */
  public readonly privateIpAddress: string;
  /** The user-assigned identities attached to the VM. */
  public readonly userAssignedIdentities: IUserAssignedIdentity[];
  /** Whether the VM has a system-assigned identity. */
  public readonly hasSystemAssignedIdentity: boolean;

  private readonly logins: RegistryLogin[] = [];
  private readonly props: DockerVirtualMachineProps;

  constructor(scope: Construct, id: string, props: DockerVirtualMachineProps) {
    super(scope, id);
    props = props ?? {};
    this.props = props;
    this.adminUsername = props.adminUsername ?? 'azureuser';
    this.userAssignedIdentities = props.userAssignedIdentities ?? [];
    this.hasSystemAssignedIdentity = props.systemAssignedIdentity ?? this.userAssignedIdentities.length === 0;
    validateVmProps(this, props, this.adminUsername);

    const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags };

    this.networkSecurityGroup = new NetworkSecurityGroup(this, 'Nsg', { ...common, name: `${props.name}NSG` });
    const sshSources = props.sshSourceAddressPrefixes ?? [];
    const sourcesKnownAtApply = Token.isUnresolved(sshSources);
    if (sshSources.length > 0) {
      new NetworkSecurityRule(this, 'AllowSsh', {
        name: 'AllowSsh',
        resourceGroupName: props.resourceGroupName,
        networkSecurityGroupName: this.networkSecurityGroup.name,
        priority: 1000,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        sourcePortRange: '*',
        destinationPortRange: '22',
        destinationAddressPrefix: '*',
        // Azure takes a service tag only as the single source_address_prefix; a token list is a list.
        ...(sshSources.length === 1 && !sourcesKnownAtApply
          ? { sourceAddressPrefix: sshSources[0] }
          : { sourceAddressPrefixes: sshSources }),
      });
    }

    let subnetId = props.subnetId;
    if (subnetId === undefined) {
      this.virtualNetwork = new VirtualNetwork(this, 'Vnet', {
        ...common,
        name: `${props.name}VNET`,
        addressSpace: [props.virtualNetworkAddressSpace ?? DEFAULT_VNET_ADDRESS_SPACE],
      });
      this.subnet = new Subnet(this, 'Subnet', {
        name: `${props.name}Subnet`,
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: this.virtualNetwork.name,
        addressPrefixes: [props.subnetAddressPrefix ?? DEFAULT_SUBNET_ADDRESS_PREFIX],
        // Cloud-init needs outbound internet (apt, Microsoft's repository, the registry). Azure is
        // retiring implicit outbound access for new subnets, so say it explicitly.
        defaultOutboundAccessEnabled: true,
      });
      new SubnetNetworkSecurityGroupAssociation(this, 'SubnetNsg', {
        subnetId: this.subnet.id,
        networkSecurityGroupId: this.networkSecurityGroup.id,
      });
      subnetId = this.subnet.id;
    }

    if (props.publicIpAddress) {
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
      identity: this.identityBlock(),
      customData: Lazy.stringValue({ produce: () => customDataOf(this.cloudConfig()) }),
      // The NSG guards the NIC before the VM boots.
      dependsOn: [nicNsg],
    });
    this.virtualMachineId = this.resource.id;
    this.privateIpAddress = this.networkInterface.privateIpAddress;

    this.node.addValidation({ validate: () => this.validateCustomData() });
  }

  /** The VM's public IP address; throws when the VM has none. */
  public get publicIpAddress(): string {
    if (!this.publicIp) {
      throw new ValidationError('DockerVirtualMachine', this.node.path, [{
        property: 'publicIpAddress', value: this.props.publicIpAddress,
        message: 'is off, so the VM has no public IP address', fix: 'set publicIpAddress: true',
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
    const principalId = this.resource.identity.principalId;
    const principal: IPrincipal = {
      principalId,
      principalType: PrincipalType.SERVICE_PRINCIPAL,
      get grantPrincipal() {
        return principal;
      },
    };
    return principal;
  }

  /**
   * Logs in to `registry` with the VM's managed identity and pulls `images` on the VM, as the admin
   * user, retrying until the identity's role assignment has propagated; a systemd timer logs in
   * again every 2 hours, before the registry's ~3 hour token expires.
   *
   * The identity still needs a role on the registry: `registry.grantPull(vm)` or `registry.grantPull(identity)`.
   *
   * @param images image references relative to the registry, e.g. `aci-helloworld:v1`
   */
  public pullImages(registry: IContainerRegistry, images: string[], options: PullImagesOptions = {}): void {
    const v = new PropsValidator('DockerVirtualMachine', this);
    for (const image of images) {
      v.expectLiteral(image, isImageReference, 'pullImages(images)',
        'is not an image reference relative to the registry (repository[:tag] or repository@sha256:digest, lowercase)',
        'give the image without the login server, e.g. "aci-helloworld:v1"');
    }
    v.expect(images.length > 0, 'pullImages(images)', images, 'is empty', 'name at least one image, e.g. ["aci-helloworld:v1"]');
    const identity = options.identity;
    v.expect(identity === undefined || this.userAssignedIdentities.includes(identity), 'pullImages(options.identity)',
      identity?.node.path, 'is not one of the VM\'s userAssignedIdentities, so the VM cannot log in with it',
      'add it to userAssignedIdentities, or leave options.identity out');
    const none = this.userAssignedIdentities.length === 0;
    v.expect(identity !== undefined || this.hasSystemAssignedIdentity || this.userAssignedIdentities.length === 1,
      'pullImages(options.identity)', undefined,
      none
        ? 'is not set and the VM has no managed identity to log in with'
        : 'is not set and the VM has several user-assigned identities and no system-assigned one',
      none
        ? 'give the VM an identity: systemAssignedIdentity: true, or userAssignedIdentities: [identity]'
        : 'pass options.identity, or give the VM a system-assigned identity');
    v.throwIfInvalid();

    const clientId = identity?.clientId
      ?? (this.hasSystemAssignedIdentity ? undefined : this.userAssignedIdentities[0].clientId);
    const existing = this.logins.find((l) => l.registryName === registry.registryName && l.clientId === clientId);
    if (existing) {
      existing.images.push(...images.filter((i) => !existing.images.includes(i)));
    } else {
      this.logins.push({ registryName: registry.registryName, loginServer: registry.loginServer, images: [...new Set(images)], clientId });
    }
  }

  /** The cloud-config the VM boots with. */
  private cloudConfig(): string {
    return renderCloudConfig({
      adminUsername: this.adminUsername,
      logins: this.logins,
      loginTimeoutSeconds: this.props.loginTimeoutSeconds,
    });
  }

  private identityBlock() {
    const ids = this.userAssignedIdentities.map((i) => i.identityId);
    if (this.hasSystemAssignedIdentity && ids.length > 0) return { type: 'SystemAssigned, UserAssigned', identityIds: ids };
    if (this.hasSystemAssignedIdentity) return { type: 'SystemAssigned' };
    if (ids.length > 0) return { type: 'UserAssigned', identityIds: ids };
    return undefined;
  }

  /** Run by `cdktf synth` (and `Testing.synth(stack, true)`), once every pullImages call is in. */
  private validateCustomData(): string[] {
    const bytes = estimatedCustomDataBytes(this.cloudConfig());
    if (bytes <= CUSTOM_DATA_LIMIT_BYTES) return [];
    return [new ValidationError('DockerVirtualMachine', this.node.path, [{
      property: 'customData',
      value: bytes,
      message: `bytes of cloud-config (tokens estimated), over Azure's limit of ${CUSTOM_DATA_LIMIT_BYTES} bytes (87380 base64 characters)`,
      fix: 'pull fewer images on this VM (each pullImages image is named in the cloud-config), or spread them over several VMs',
    }]).message];
  }
}

/** A Docker image reference without registry host: `repo/name[:tag]` or `repo/name@sha256:<64 hex>`. */
function isImageReference(image: string): boolean {
  const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  const pattern = new RegExp(`^${component}(?:/${component})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$`);
  const firstSegment = image.split('/')[0];
  const looksLikeHost = image.includes('/') && (firstSegment.includes('.') || firstSegment.includes(':'));
  return pattern.test(image) && !looksLikeHost;
}


/** Azure's VM name rule (azurerm: 1-80, alphanumeric first, alphanumeric or `_` last). */
const VM_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,78}[A-Za-z0-9_])?$/;
/** A Linux host name as Azure takes it: at most 64 letters, digits, `.` and `-`, not ending in `.` or `-`. */
const COMPUTER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/;
const ADMIN_USERNAME = /^[A-Za-z_][A-Za-z0-9._-]{0,63}$/;
const SUBNET_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i;
const OS_DISK_TYPES = ['Standard_LRS', 'StandardSSD_LRS', 'Premium_LRS', 'StandardSSD_ZRS', 'Premium_ZRS'];
const MIN_LOGIN_TIMEOUT_SECONDS = 900;
/** Azure's smallest subnet. */
const MAX_SUBNET_PREFIX_LENGTH = 29;
const REQUIRED_PROPS: Array<['name' | 'resourceGroupName' | 'location' | 'sshPublicKey', string]> = [
  ['name', '"myDockerVM"'], ['resourceGroupName', '"myResourceGroup"'], ['location', '"eastus"'],
  ['sshPublicKey', 'the contents of ~/.ssh/id_ed25519.pub'],
];
const SSH_KEY_FIX = 'pass the contents of ~/.ssh/id_ed25519.pub or ~/.ssh/id_rsa.pub (ssh-keygen -t ed25519, or -t rsa -b 4096)';

function validateVmProps(vm: DockerVirtualMachine, props: DockerVirtualMachineProps, adminUsername: string): void {
  const v = new PropsValidator('DockerVirtualMachine', vm);
  // For callers without the type checker (plain JavaScript, JSON config): a clear error, not a TypeError.
  for (const [property, example] of REQUIRED_PROPS) {
    v.expect(typeof props[property] === 'string', property, props[property], 'is required and must be a string', `set ${property}, e.g. ${example}`);
  }
  validateNames(v, props);

  v.expect(!Token.isUnresolved(adminUsername), 'adminUsername', adminUsername,
    'is a token (known only at apply), but the VM\'s cloud-config is written at synth with the literal user name',
    'pass the user name as a literal string, e.g. "azureuser"');
  v.expectLiteral(adminUsername, (x) => ADMIN_USERNAME.test(x) && !x.endsWith('.'), 'adminUsername',
    'must be 1-64 letters, digits, ".", "_" or "-", start with a letter or "_" and not end with "."',
    'use e.g. "azureuser"');
  v.expectLiteral(adminUsername, (x) => !RESERVED_ADMIN_USERNAMES.has(x.toLowerCase()), 'adminUsername',
    'is a name Azure reserves and refuses', 'use e.g. "azureuser"');

  if (typeof props.sshPublicKey === 'string' && isLiteral(props.sshPublicKey)) {
    const problem = sshPublicKeyProblem(props.sshPublicKey);
    // Never echo a private key into an error message (CI logs are readable too).
    const shown = isPrivateKey(props.sshPublicKey) ? '(a private key, not shown)' : props.sshPublicKey;
    v.expect(problem === undefined, 'sshPublicKey', shown, problem ?? '', SSH_KEY_FIX);
  }

  validateSshSources(v, props);
  validateNetwork(v, props);

  v.expectLiteral(props.osDiskStorageAccountType, (x) => OS_DISK_TYPES.includes(x), 'osDiskStorageAccountType',
    `is not an OS disk storage type (${OS_DISK_TYPES.join(', ')})`, 'use e.g. "StandardSSD_LRS" or "Premium_LRS"');

  const timeout = props.loginTimeoutSeconds;
  if (timeout !== undefined) {
    const literal = !Token.isUnresolved(timeout);
    v.expect(literal, 'loginTimeoutSeconds', timeout,
      'is a token (known only at apply), but the VM\'s cloud-config is written at synth with the literal number',
      `pass a literal number of seconds, at least ${MIN_LOGIN_TIMEOUT_SECONDS}`);
    v.expect(!literal || (Number.isInteger(timeout) && timeout >= MIN_LOGIN_TIMEOUT_SECONDS), 'loginTimeoutSeconds', timeout,
      `must be a whole number of at least ${MIN_LOGIN_TIMEOUT_SECONDS} seconds: role assignments take up to 10 minutes to propagate`,
      `leave it at the default (1800) or choose ${MIN_LOGIN_TIMEOUT_SECONDS} or more`);
  }

  const identities = props.userAssignedIdentities ?? [];
  const identityIds = identities.map((i) => i.identityId).filter((x) => !Token.isUnresolved(x));
  v.expect(new Set(identities).size === identities.length && new Set(identityIds).size === identityIds.length,
    'userAssignedIdentities', identities.map((i) => i.node.path), 'lists the same identity twice', 'list each identity once');
  v.throwIfInvalid();
}

function validateNames(v: PropsValidator, props: DockerVirtualMachineProps): void {
  const nameOk = !isLiteral(props.name) || (VM_NAME.test(props.name) && !/^\d+$/.test(props.name));
  v.expect(nameOk, 'name', props.name,
    'must be 1-80 letters, digits, ".", "_" or "-", start with a letter or digit, end with a letter, digit or "_", and not be all digits',
    'choose a name such as "myDockerVM"');
  if (props.computerName === undefined) {
    // Azure uses the VM's name as its host name, which has stricter rules: report it only for a valid VM name.
    if (nameOk) {
      v.expectLiteral(props.name, (x) => COMPUTER_NAME.test(x), 'name (the computer name derived from it)',
        'is not a valid Linux computer name: at most 64 letters, digits, "." or "-", no "_", not ending in "." or "-"',
        `set computerName to a valid host name, e.g. "${suggestedComputerName(props.name)}", or rename the VM`);
    }
  } else {
    v.expectLiteral(props.computerName, (x) => COMPUTER_NAME.test(x) && !/^\d+$/.test(x), 'computerName',
      'is not a valid Linux computer name: at most 64 letters, digits, "." or "-", no "_", not ending in "." or "-", not all digits',
      `use a host name such as "${suggestedComputerName(props.computerName)}"`);
  }
  v.expectLiteral(props.resourceGroupName, isResourceGroupName, 'resourceGroupName', RESOURCE_GROUP_NAME_RULE,
    'use the name of an existing resource group, such as "myResourceGroup"');

  // The network resources are named after the VM, as `az vm create` names them; their limits are tighter.
  if (nameOk && isLiteral(props.name)) {
    const derived: Array<[string, string, number]> = [
      ['network security group', 'NSG', 80],
      ['network interface', 'VMNic', 80],
      ...(props.subnetId === undefined ? [['virtual network', 'VNET', 64], ['subnet', 'Subnet', 80]] as Array<[string, string, number]> : []),
      ...(props.publicIpAddress ? [['public IP address', 'PublicIP', 80]] as Array<[string, string, number]> : []),
    ];
    const tooLong = derived.find(([, suffix, limit]) => props.name.length + suffix.length > limit);
    if (tooLong) {
      const [kind, suffix, limit] = tooLong;
      const max = Math.min(...derived.map(([, s, l]) => l - s.length));
      v.expect(false, 'name', props.name,
        `is too long for the resources named after it: the ${kind} "${props.name}${suffix}" would exceed Azure's ${limit}-character limit`,
        `shorten name to at most ${max} characters`);
    }
  }
}

function validateSshSources(v: PropsValidator, props: DockerVirtualMachineProps): void {
  const sources = props.sshSourceAddressPrefixes ?? [];
  // A token list (e.g. a list variable) is known only at apply.
  if (Token.isUnresolved(sources)) return;
  for (const source of sources.filter(isLiteral)) {
    const problem = addressPrefixProblem(source);
    v.expect(problem === undefined, 'sshSourceAddressPrefixes', source, problem?.message ?? '',
      problem?.fix ?? 'use e.g. "203.0.113.4/32" (your address: curl -s https://ifconfig.me)');
    v.expect(!isInternetWide(source) || props.allowSshFromInternet === true, 'sshSourceAddressPrefixes', source,
      'opens SSH to the whole internet', 'name your own address range, or set allowSshFromInternet: true to do it on purpose');
  }
  v.expect(sources.length <= 1 || !sources.some((s) => isLiteral(s) && (s === '*' || isServiceTag(s))),
    'sshSourceAddressPrefixes', sources, 'mixes a service tag or "*" with other sources, which Azure refuses',
    'use a service tag alone, or only addresses and CIDR ranges');
}

function validateNetwork(v: PropsValidator, props: DockerVirtualMachineProps): void {
  if (props.subnetId !== undefined) {
    v.expectLiteral(props.subnetId, (x) => SUBNET_ID.test(x), 'subnetId', 'is not a subnet resource ID',
      'pass the subnet\'s "id" (az network vnet subnet show --query id), /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>');
    for (const property of ['virtualNetworkAddressSpace', 'subnetAddressPrefix'] as const) {
      v.expect(props[property] === undefined, property, props[property],
        'has no effect when subnetId is given: the construct creates no virtual network', `remove ${property}, or remove subnetId`);
    }
    return;
  }
  const space = props.virtualNetworkAddressSpace ?? DEFAULT_VNET_ADDRESS_SPACE;
  const subnet = props.subnetAddressPrefix ?? DEFAULT_SUBNET_ADDRESS_PREFIX;
  const spaceProblem = isLiteral(space) ? cidrProblem(space) : undefined;
  const subnetProblem = isLiteral(subnet) ? cidrProblem(subnet) : undefined;
  v.expect(spaceProblem === undefined, 'virtualNetworkAddressSpace', space, spaceProblem?.message ?? '',
    spaceProblem?.fix ?? `use a private range such as "${DEFAULT_VNET_ADDRESS_SPACE}"`);
  v.expect(subnetProblem === undefined, 'subnetAddressPrefix', subnet, subnetProblem?.message ?? '',
    subnetProblem?.fix ?? `use a range inside the virtual network, such as "${DEFAULT_SUBNET_ADDRESS_PREFIX}"`);
  if (!isLiteral(subnet) || subnetProblem) return;
  v.expect(!subnet.includes('.') || (prefixLengthOf(subnet) ?? 0) <= MAX_SUBNET_PREFIX_LENGTH, 'subnetAddressPrefix', subnet,
    `is smaller than /${MAX_SUBNET_PREFIX_LENGTH}, the smallest subnet Azure allows`, 'use a /29 or larger range, e.g. a /24');
  if (isLiteral(space) && !spaceProblem) {
    v.expect(cidrContains(space, subnet), 'subnetAddressPrefix', subnet, `is not inside virtualNetworkAddressSpace "${space}"`,
      'choose a subnet range inside the virtual network\'s address space');
  }
}

/** A valid Linux host name close to `name`, for the fix of an error message. */
function suggestedComputerName(name: string): string {
  if (typeof name !== 'string') return 'mydockervm';
  const suggestion = name.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64).replace(/^[.-]+|[.-]+$/g, '');
  return COMPUTER_NAME.test(suggestion) && !/^\d+$/.test(suggestion) ? suggestion : 'mydockervm';
}

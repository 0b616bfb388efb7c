/**
 * How a {@link VmOutbound} reaches the internet.
 */
export enum VmOutboundKind {
  /** A NAT gateway the construct creates, with its own Standard static public IP, on the subnet it creates. */
  NAT_GATEWAY = 'NatGateway',
  /** A NAT gateway the team already has, associated with the subnet the construct creates. */
  EXISTING_NAT_GATEWAY = 'ExistingNatGateway',
  /** The team's own path (a route table to a firewall, a NAT gateway or load balancer it attaches): nothing created. */
  USER_MANAGED = 'UserManaged',
  /** The VM's own public IP address (`associatePublicIpAddress`). */
  PUBLIC_IP = 'PublicIp',
  /** Azure's default outbound access: an address Microsoft owns and may change, retired for new virtual networks. */
  AZURE_DEFAULT = 'AzureDefault',
}

/**
 * The outbound internet path of a {@link DockerVirtualMachine} or {@link DockerVirtualMachineScaleSet}: cloud-init
 * installs packages (Ubuntu's and Microsoft's apt repositories) and the login reaches Microsoft Entra ID and the
 * registry, so a machine needs one unless every one of those is private to it.
 *
 * Every mode but `azureDefault()` makes the subnet the construct creates private
 * (`default_outbound_access_enabled = false`): the machines leave only by the path named here.
 */
export class VmOutbound {
  /**
   * A NAT gateway the construct creates (`<name>NATGW`, Standard, no zone) with a Standard static public IP
   * (`<name>NATIP`), associated with the subnet the construct creates: every machine of the subnet leaves from that
   * one address, which you can allow in a firewall. Not with `subnetId`: a subnet's NAT gateway is its owner's.
   */
  public static natGateway(): VmOutbound {
    return new VmOutbound(VmOutboundKind.NAT_GATEWAY);
  }

  /**
   * A NAT gateway you already have (`az network nat gateway show --query id`), associated with the subnet the
   * construct creates. It must be in the subnet's region. Not with `subnetId`: associate it where that subnet is defined.
   */
  public static existingNatGateway(natGatewayId: string): VmOutbound {
    return new VmOutbound(VmOutboundKind.EXISTING_NAT_GATEWAY, natGatewayId);
  }

  /**
   * Your own path: a route table to a firewall or network virtual appliance, or a NAT gateway or load balancer you
   * attach to the subnet (`vm.subnet`, or the subnet of `subnetId`). The construct creates nothing, and the subnet it
   * creates has no default outbound access: without your path the machines reach nothing outside the network.
   */
  public static userManaged(): VmOutbound {
    return new VmOutbound(VmOutboundKind.USER_MANAGED);
  }

  /** The VM's own public IP address: needs `associatePublicIpAddress: true` (a scale set's instances have none). */
  public static publicIp(): VmOutbound {
    return new VmOutbound(VmOutboundKind.PUBLIC_IP);
  }

  /**
   * Azure's default outbound access (`default_outbound_access_enabled = true` on the subnet the construct creates):
   * free, but from an address Microsoft owns and may change, not recommended for production, and off by default in
   * virtual networks created with Azure's API versions after March 31, 2026. Only for a subnet the construct creates.
   */
  public static azureDefault(): VmOutbound {
    return new VmOutbound(VmOutboundKind.AZURE_DEFAULT);
  }

  private constructor(
    /** The mode. */
    public readonly kind: VmOutboundKind,
    /** The NAT gateway's resource ID, for `existingNatGateway`. */
    public readonly natGatewayId?: string,
  ) {}
}

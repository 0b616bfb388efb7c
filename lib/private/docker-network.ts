import { ITerraformDependable, Token } from 'cdktf';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { DEFAULT_SUBNET_ADDRESS_PREFIX, DEFAULT_VNET_ADDRESS_SPACE } from './docker-vm-props';
import { IdentityBlock, identityTypeOf } from './identity-block';
import type { IUserAssignedIdentity } from '../identity';
import { VmOutbound, VmOutboundKind } from '../vm-outbound';

// The network and identity block of a Docker VM or scale set: an NSG with SSH only from the named ranges, a
// virtual network and subnet unless a subnet is given, and the outbound path. Named after the machine, as
// `az vm create` names them.

/** What the network takes from the construct's props. */
export interface DockerNetworkProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly tags?: Record<string, string>;
  readonly sshSourceAddressPrefixes?: string[];
  readonly subnetId?: string;
  readonly virtualNetworkAddressSpace?: string;
  readonly subnetAddressPrefix?: string;
  readonly outbound?: VmOutbound;
  /** The VM's; a scale set's instances have no public IP. */
  readonly associatePublicIpAddress?: boolean;
}

export interface DockerNetwork {
  readonly networkSecurityGroup: NetworkSecurityGroup;
  readonly virtualNetwork?: VirtualNetwork;
  readonly subnet?: Subnet;
  /** The NSG's association with the subnet the construct created. */
  readonly subnetNetworkSecurityGroup?: SubnetNetworkSecurityGroupAssociation;
  /** The subnet the machines go in: the given one or the one created. */
  readonly subnetId: string;
  /** The outbound path: given, or the default for the props. */
  readonly outbound: VmOutbound;
  /** The NAT gateway created for `VmOutbound.natGateway()`. */
  readonly natGateway?: NatGateway;
  /** The NAT gateway's public IP. */
  readonly natGatewayPublicIp?: PublicIp;
  /** What the machines wait for so that their first boot has its outbound path (cloud-init installs packages then). */
  readonly outboundReady: ITerraformDependable[];
}

/**
 * The outbound path when none is given: the VM's public IP when it has one; else, for a subnet the construct creates,
 * a NAT gateway, since Azure's default outbound access is implicit, its address Microsoft's and subject to change,
 * and off for virtual networks created with Azure's API versions after March 31, 2026; else (a subnet of the
 * team's) the team's path.
 */
export function outboundOf(props: Pick<DockerNetworkProps, 'outbound' | 'associatePublicIpAddress' | 'subnetId'>): VmOutbound {
  if (props.outbound !== undefined) return props.outbound;
  if (props.associatePublicIpAddress) return VmOutbound.publicIp();
  return props.subnetId === undefined ? VmOutbound.natGateway() : VmOutbound.userManaged();
}

/** Azure's highest rule priority number: after every rule the construct or a team adds, before Azure's defaults (65000+). */
export const DENY_SSH_PRIORITY = 4096;

/**
 * Creates the NSG (`Nsg`, `AllowSsh`, `DenySsh`) and, without `subnetId`, `Vnet`, `Subnet` and `SubnetNsg` under
 * `scope`, with the outbound path's resources (`NatGateway`, `NatGatewayIp`, `NatGatewayIpAssociation`,
 * `SubnetNatGateway`) when it has any.
 */
export function createDockerNetwork(scope: Construct, props: DockerNetworkProps): DockerNetwork {
  const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags };
  const networkSecurityGroup = new NetworkSecurityGroup(scope, 'Nsg', { ...common, name: `${props.name}NSG` });
  const sshSources = props.sshSourceAddressPrefixes ?? [];
  const sourcesKnownAtApply = Token.isUnresolved(sshSources);
  if (sshSources.length > 0) {
    new NetworkSecurityRule(scope, 'AllowSsh', {
      name: 'AllowSsh',
      resourceGroupName: props.resourceGroupName,
      networkSecurityGroupName: networkSecurityGroup.name,
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
  // SSH only from the ranges named: without this, Azure's default AllowVnetInBound (65000) admits every host of the
  // virtual network and of peered networks, and AllowAzureLoadBalancerInBound (65001) the load balancer's probes.
  new NetworkSecurityRule(scope, 'DenySsh', {
    name: 'DenySshFromOtherSources',
    resourceGroupName: props.resourceGroupName,
    networkSecurityGroupName: networkSecurityGroup.name,
    priority: DENY_SSH_PRIORITY,
    direction: 'Inbound',
    access: 'Deny',
    protocol: 'Tcp',
    sourcePortRange: '*',
    destinationPortRange: '22',
    sourceAddressPrefix: '*',
    destinationAddressPrefix: '*',
  });
  const outbound = outboundOf(props);
  if (props.subnetId !== undefined) return { networkSecurityGroup, subnetId: props.subnetId, outbound, outboundReady: [] };

  const virtualNetwork = new VirtualNetwork(scope, 'Vnet', {
    ...common,
    name: `${props.name}VNET`,
    addressSpace: [props.virtualNetworkAddressSpace ?? DEFAULT_VNET_ADDRESS_SPACE],
  });
  const subnet = new Subnet(scope, 'Subnet', {
    name: `${props.name}Subnet`,
    resourceGroupName: props.resourceGroupName,
    virtualNetworkName: virtualNetwork.name,
    addressPrefixes: [props.subnetAddressPrefix ?? DEFAULT_SUBNET_ADDRESS_PREFIX],
    // A private subnet unless Azure's default outbound access is chosen: the machines leave only by the path named.
    defaultOutboundAccessEnabled: outbound.kind === VmOutboundKind.AZURE_DEFAULT,
  });
  const subnetNetworkSecurityGroup = new SubnetNetworkSecurityGroupAssociation(scope, 'SubnetNsg', {
    subnetId: subnet.id,
    networkSecurityGroupId: networkSecurityGroup.id,
  });
  const nat = createNatGateway(scope, props, outbound);
  const outboundReady: ITerraformDependable[] = [];
  let natGatewayId = outbound.natGatewayId;
  if (nat) {
    natGatewayId = nat.natGateway.id;
    outboundReady.push(nat.publicIpAssociation);
  }
  if (natGatewayId !== undefined) {
    outboundReady.push(new SubnetNatGatewayAssociation(scope, 'SubnetNatGateway', { subnetId: subnet.id, natGatewayId }));
  }
  return {
    networkSecurityGroup, virtualNetwork, subnet, subnetNetworkSecurityGroup, subnetId: subnet.id,
    outbound, natGateway: nat?.natGateway, natGatewayPublicIp: nat?.publicIp, outboundReady,
  };
}

/** `VmOutbound.natGateway()`: the gateway (`NatGateway`) and its address (`NatGatewayIp`, `NatGatewayIpAssociation`). */
function createNatGateway(scope: Construct, props: DockerNetworkProps, outbound: VmOutbound) {
  if (outbound.kind !== VmOutboundKind.NAT_GATEWAY) return undefined;
  const common = { resourceGroupName: props.resourceGroupName, location: props.location, tags: props.tags };
  // Standard with no zone, as the address: Azure places both; deployable in every region, zonal or not.
  const natGateway = new NatGateway(scope, 'NatGateway', { ...common, name: `${props.name}NATGW`, skuName: 'Standard' });
  const publicIp = new PublicIp(scope, 'NatGatewayIp', {
    ...common, name: `${props.name}NATIP`, sku: 'Standard', allocationMethod: 'Static',
  });
  const publicIpAssociation = new NatGatewayPublicIpAssociation(scope, 'NatGatewayIpAssociation', {
    natGatewayId: natGateway.id,
    publicIpAddressId: publicIp.id,
  });
  return { natGateway, publicIp, publicIpAssociation };
}

/** The identity block of a machine with these identities, or undefined for none. */
export function identityBlockOf(systemAssigned: boolean, userAssigned: IUserAssignedIdentity[]): IdentityBlock | undefined {
  const ids = userAssigned.map((i) => i.identityId);
  const type = identityTypeOf({ systemAssigned, userAssigned: ids.length > 0 });
  if (type === undefined) return undefined;
  return ids.length > 0 ? { type, identityIds: ids } : { type };
}

/** The identity a machine's pullImages uses when none is named: its system-assigned one, else its only user-assigned one. */
export function defaultLoginIdentity(systemAssigned: boolean, userAssigned: IUserAssignedIdentity[]): IUserAssignedIdentity | undefined {
  return systemAssigned || userAssigned.length !== 1 ? undefined : userAssigned[0];
}

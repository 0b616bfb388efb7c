import { Token } from 'cdktf';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { DEFAULT_SUBNET_ADDRESS_PREFIX, DEFAULT_VNET_ADDRESS_SPACE } from './docker-vm-props';
import type { IUserAssignedIdentity } from '../identity';

// The network and identity block of a Docker VM or scale set: an NSG with SSH only from the named ranges, and a
// virtual network and subnet unless a subnet is given. Named after the machine, as `az vm create` names them.

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
}

export interface DockerNetwork {
  readonly networkSecurityGroup: NetworkSecurityGroup;
  readonly virtualNetwork?: VirtualNetwork;
  readonly subnet?: Subnet;
  /** The NSG's association with the subnet the construct created. */
  readonly subnetNetworkSecurityGroup?: SubnetNetworkSecurityGroupAssociation;
  /** The subnet the machines go in: the given one or the one created. */
  readonly subnetId: string;
}

/** Azure's highest rule priority number: after every rule the construct or a team adds, before Azure's defaults (65000+). */
export const DENY_SSH_PRIORITY = 4096;

/**
 * Creates the NSG (`Nsg`, `AllowSsh`, `DenySsh`) and, without `subnetId`, `Vnet`, `Subnet` and `SubnetNsg` under
 * `scope`.
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
  if (props.subnetId !== undefined) return { networkSecurityGroup, subnetId: props.subnetId };

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
    // Cloud-init needs outbound internet (apt, Microsoft's repository, the registry). Azure is
    // retiring implicit outbound access for new subnets, so say it explicitly.
    defaultOutboundAccessEnabled: true,
  });
  const subnetNetworkSecurityGroup = new SubnetNetworkSecurityGroupAssociation(scope, 'SubnetNsg', {
    subnetId: subnet.id,
    networkSecurityGroupId: networkSecurityGroup.id,
  });
  return { networkSecurityGroup, virtualNetwork, subnet, subnetNetworkSecurityGroup, subnetId: subnet.id };
}

/** The identity block of a machine with these identities, or undefined for none. */
export function identityBlockOf(systemAssigned: boolean, userAssigned: IUserAssignedIdentity[]) {
  const ids = userAssigned.map((i) => i.identityId);
  if (systemAssigned && ids.length > 0) return { type: 'SystemAssigned, UserAssigned', identityIds: ids };
  if (systemAssigned) return { type: 'SystemAssigned' };
  if (ids.length > 0) return { type: 'UserAssigned', identityIds: ids };
  return undefined;
}

/** The identity a machine's pullImages uses when none is named: its system-assigned one, else its only user-assigned one. */
export function defaultLoginIdentity(systemAssigned: boolean, userAssigned: IUserAssignedIdentity[]): IUserAssignedIdentity | undefined {
  return systemAssigned || userAssigned.length !== 1 ? undefined : userAssigned[0];
}

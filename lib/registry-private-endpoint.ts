import { ITerraformDependable, Op, TerraformResourceLifecycle, Token } from 'cdktf';
import type * as PrivateDnsZoneModule from '@cdktf/provider-azurerm/lib/private-dns-zone';
import type { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import type * as VirtualNetworkLinkModule from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import type { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import type * as PrivateEndpointModule from '@cdktf/provider-azurerm/lib/private-endpoint';
import type { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Construct } from 'constructs';
import {
  isPrivateEndpointName, isResourceGroupName, isResourceIdOfType, PRIVATE_ENDPOINT_NAME_RULE, RESOURCE_GROUP_NAME_RULE,
} from './private/azure-names';
import {
  claimRegistryPrivateDnsZone, PrivateEndpointTarget, REGISTRY_PRIVATE_DNS_ZONE, REGISTRY_PRIVATE_DNS_ZONE_NAMES,
} from './private/registry-private-endpoint';
import { NAME_SEGMENT, resourceIdSegment, sameResourceKey, virtualNetworkIdOf } from './private/resource-id';
import { isLiteral, PropsValidator } from './private/validation';
import type { IContainerRegistry } from './registry';

/** The registry's subresource ("group ID") a private endpoint connects to: the login server and its data endpoints. */
const REGISTRY_SUBRESOURCE = 'registry';
const PREMIUM = 'Premium';

/**
 * Options of {@link IContainerRegistry.addPrivateEndpoint}.
 */
export interface RegistryPrivateEndpointOptions {
  /**
   * The subnet the endpoint's network interface goes in (`az network vnet subnet show --query id`).
   * It takes one private address for the login server and one per region for the data endpoints.
   */
  readonly subnetId: string;
  /**
   * The virtual networks whose hosts resolve the registry privately: each is linked to the
   * `privatelink.azurecr.io` zone this endpoint creates. List the endpoint's own network too when you
   * list others (peered spokes, a build network). Not allowed with `privateDnsZoneId`: the links of a
   * zone you pass are its owner's.
   * @default - the virtual network of `subnetId`
   */
  readonly virtualNetworkIds?: string[];
  /**
   * A `privatelink.azurecr.io` private DNS zone of your own (`…/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`),
   * e.g. the hub's in a hub-and-spoke network, or the zone of another endpoint of this stack
   * (`other.privateDnsZoneId`). The endpoint registers its records there; no zone and no virtual
   * network links are created.
   * @default - a `privatelink.azurecr.io` zone is created in `resourceGroupName` and linked to `virtualNetworkIds`
   */
  readonly privateDnsZoneId?: string;
  /**
   * The endpoint's name (2-64 letters, digits, `_`, `.`, `-`).
   * @default - `<registry name>-<id>`
   */
  readonly name?: string;
  /**
   * The resource group of the endpoint, and of the DNS zone it creates.
   * @default - the registry's resource group
   */
  readonly resourceGroupName?: string;
  /**
   * The endpoint's region: the region of the subnet's virtual network.
   * @default - the registry's region (required for a registry imported with `fromRegistryAttributes`)
   */
  readonly location?: string;
  /**
   * Tags of the endpoint and of the DNS zone and links it creates.
   * @default - no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * A private endpoint of a registry (`az network private-endpoint create --group-id registry`), made by
 * {@link IContainerRegistry.addPrivateEndpoint}, with the `privatelink.azurecr.io` DNS zone that makes
 * `<registry>.azurecr.io` and `<registry>.<region>.data.azurecr.io` resolve to private addresses in the
 * linked virtual networks.
 *
 * Depend on it (`dependsOn: [endpoint]`) to order work after the endpoint, its DNS records and the
 * zone's virtual network links exist.
 */
export class RegistryPrivateEndpoint extends Construct implements ITerraformDependable {
  /**
   * Creates the endpoint under the registry.
   * @internal
   */
  public static _add(registry: IContainerRegistry, id: string, options: RegistryPrivateEndpointOptions,
    target: PrivateEndpointTarget): RegistryPrivateEndpoint {
    return new RegistryPrivateEndpoint(registry, id, options ?? ({} as RegistryPrivateEndpointOptions), target);
  }

  /** The `azurerm_private_endpoint`: the escape hatch. */
  public readonly privateEndpoint: PrivateEndpoint;
  /** The endpoint's resource ID. */
  public readonly privateEndpointId: string;
  /**
   * The first private address of the endpoint's network interface (the provider's
   * `private_service_connection[0].private_ip_address`). The endpoint has one address for the login
   * server and one per region for the data endpoints: `privateEndpoint.privateDnsZoneConfigs` lists
   * each with its name.
   */
  public readonly privateIpAddress: string;
  /** The private DNS zone the endpoint registers its records in: created, or the one passed. */
  public readonly privateDnsZoneId: string;
  /** The `azurerm_private_dns_zone` created for the endpoint, unless a `privateDnsZoneId` was passed. */
  public readonly privateDnsZone?: PrivateDnsZone;
  /** The links of the created zone to `virtualNetworkIds`, in their order; empty when a zone was passed. */
  public readonly virtualNetworkLinks: PrivateDnsZoneVirtualNetworkLink[];

  private constructor(registry: IContainerRegistry, id: string, options: RegistryPrivateEndpointOptions,
    target: PrivateEndpointTarget) {
    super(registry, id);
    const name = options.name ?? `${target.registryName}-${id}`;
    const resourceGroupName = options.resourceGroupName ?? target.resourceGroupName;
    const location = options.location ?? target.location;
    validate(this, { options, name, target, location });
    const virtualNetworkIds = options.virtualNetworkIds ?? [virtualNetworkIdOf(options.subnetId)];
    // Loaded on first use, like the scale set class: most stacks have no private endpoint.
    /* eslint-disable @typescript-eslint/no-require-imports -- deferred load, measured by npm run bench */
    const { PrivateDnsZone: DnsZone } = require('@cdktf/provider-azurerm/lib/private-dns-zone') as typeof PrivateDnsZoneModule;
    const { PrivateDnsZoneVirtualNetworkLink: VirtualNetworkLink } =
      require('@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link') as typeof VirtualNetworkLinkModule;
    const { PrivateEndpoint: Endpoint } = require('@cdktf/provider-azurerm/lib/private-endpoint') as typeof PrivateEndpointModule;
    /* eslint-enable @typescript-eslint/no-require-imports */

    const tags = options.tags;
    if (options.privateDnsZoneId === undefined) {
      this.privateDnsZone = new DnsZone(this, 'DnsZone', { name: REGISTRY_PRIVATE_DNS_ZONE, resourceGroupName, tags });
      this.privateDnsZoneId = this.privateDnsZone.id;
      const zone = this.privateDnsZone;
      this.virtualNetworkLinks = virtualNetworkIds.map((virtualNetworkId, i) => new VirtualNetworkLink(this, `VnetLink${i}`, {
        name: `${resourceIdSegment(virtualNetworkId, NAME_SEGMENT)}-link`,
        resourceGroupName,
        privateDnsZoneName: zone.name,
        virtualNetworkId,
        // The registry's records come from the endpoint's zone group; VMs do not register themselves here.
        registrationEnabled: false,
        tags,
      }));
    } else {
      this.privateDnsZoneId = options.privateDnsZoneId;
      this.virtualNetworkLinks = [];
    }

    this.privateEndpoint = new Endpoint(this, 'Default', {
      name,
      resourceGroupName,
      location: location as string, // validated above
      subnetId: options.subnetId,
      privateServiceConnection: {
        name,
        privateConnectionResourceId: registry.registryId,
        // The registry's owner approves nothing by hand: the deploying principal has rights on both.
        isManualConnection: false,
        subresourceNames: [REGISTRY_SUBRESOURCE],
      },
      // Azure writes (and keeps up to date) an A record per endpoint of the registry: the login server
      // and each region's data endpoint. Without it, the names resolve to the public addresses.
      privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [this.privateDnsZoneId] },
      // Who depends on the endpoint can resolve the registry privately in every linked network.
      dependsOn: this.virtualNetworkLinks.length > 0 ? this.virtualNetworkLinks : undefined,
      lifecycle: premiumAtPlan(target),
      tags,
    });
    this.privateEndpointId = this.privateEndpoint.id;
    this.privateIpAddress = this.privateEndpoint.privateServiceConnection.privateIpAddress;
  }

  /** The endpoint's Terraform address, so the endpoint can be used in `dependsOn`. */
  public get fqn(): string {
    return this.privateEndpoint.fqn;
  }
}

/** A SKU known only at plan (a looked-up registry's) is checked by Terraform before the endpoint is created. */
function premiumAtPlan({ sku, skuFix }: PrivateEndpointTarget): TerraformResourceLifecycle | undefined {
  if (sku === undefined || !Token.isUnresolved(sku)) return undefined;
  return {
    precondition: [{
      condition: Op.eq(sku, PREMIUM),
      errorMessage: `Azure accepts private endpoints only on Premium registries, and this registry is not Premium. Fix: ${skuFix}.`,
    }],
  };
}

interface EndpointInput {
  readonly options: RegistryPrivateEndpointOptions;
  /** The endpoint's name: given, or the default `<registry name>-<id>`. */
  readonly name: string;
  readonly target: PrivateEndpointTarget;
  readonly location: string | undefined;
}

function validate(endpoint: RegistryPrivateEndpoint, { options, name, target, location }: EndpointInput): void {
  const v = new PropsValidator('ContainerRegistry.addPrivateEndpoint', endpoint);
  const subnetFix = 'pass the subnet\'s "id" (az network vnet subnet show --query id), '
    + '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>';
  v.expectGiven(options, { subnetId: subnetFix });
  v.expectLiteral(options.subnetId ?? undefined, (x) => isResourceIdOfType(x, 'Microsoft.Network/virtualNetworks/subnets'),
    'subnetId', 'is not a subnet resource ID', subnetFix);

  if (isLiteral(target.sku)) {
    v.expect(target.sku?.toLowerCase() === PREMIUM.toLowerCase(), 'sku', target.sku,
      'is the registry\'s SKU, but Azure accepts private endpoints only on Premium registries', target.skuFix);
  }
  v.expect(location !== undefined, 'location', location,
    'is required: the registry was imported by ID, so its region is unknown',
    'pass the region of the subnet\'s virtual network, e.g. location: "eastus"');
  v.expectLiteral(options.resourceGroupName, isResourceGroupName, 'resourceGroupName', RESOURCE_GROUP_NAME_RULE,
    'use the name of an existing resource group, such as "myResourceGroup"');
  if (options.name !== undefined) {
    v.expectLiteral(options.name, isPrivateEndpointName, 'name', PRIVATE_ENDPOINT_NAME_RULE, 'choose a name such as "myregistry-pe"');
  } else {
    // The default `<registry name>-<id>`: checked whole when the registry's name is known, else the id's part of it.
    const checked = isLiteral(name) ? name : `x-${endpoint.node.id}`;
    v.expect(isPrivateEndpointName(checked), 'name', undefined,
      `is not set, and the default "${isLiteral(name) ? name : `<registry name>-${endpoint.node.id}`}" is not a valid name: it ${PRIVATE_ENDPOINT_NAME_RULE}`,
      'pass a name, e.g. name: "myregistry-pe", or use a shorter id of letters and digits');
  }

  if (options.privateDnsZoneId !== undefined) {
    v.expectLiteral(options.privateDnsZoneId, (x) => isResourceIdOfType(x, 'Microsoft.Network/privateDnsZones')
      && REGISTRY_PRIVATE_DNS_ZONE_NAMES.test(resourceIdSegment(x, NAME_SEGMENT)),
    'privateDnsZoneId', `is not the ID of a ${REGISTRY_PRIVATE_DNS_ZONE} private DNS zone, so the registry's names would not resolve through it`,
    `pass the zone's "id" (az network private-dns zone show --name ${REGISTRY_PRIVATE_DNS_ZONE} --query id)`);
    v.expect(options.virtualNetworkIds === undefined, 'virtualNetworkIds', options.virtualNetworkIds,
      'links virtual networks to the zone this endpoint creates, but privateDnsZoneId passes a zone, whose links are its owner\'s',
      'link the networks to that zone where it is made, and remove virtualNetworkIds');
  }
  const seen = new Map<string, number>();
  (options.virtualNetworkIds ?? []).forEach((virtualNetworkId, i) => {
    v.expectLiteral(virtualNetworkId, (x) => isResourceIdOfType(x, 'Microsoft.Network/virtualNetworks'), `virtualNetworkIds[${i}]`,
      'is not a virtual network resource ID', 'pass the network\'s "id" (az network vnet show --query id)');
    const key = sameResourceKey(endpoint, virtualNetworkId);
    const first = seen.get(key);
    v.expect(first === undefined, `virtualNetworkIds[${i}]`, virtualNetworkId,
      `is virtualNetworkIds[${first}] again; Azure links a virtual network to a zone once`, 'remove the duplicate');
    seen.set(key, first ?? i);
  });

  if (v.ok && options.privateDnsZoneId === undefined) {
    const taken = claimRegistryPrivateDnsZone(endpoint, options.resourceGroupName ?? target.resourceGroupName);
    if (taken) v.expect(false, taken.property, taken.value, taken.message, taken.fix);
  }
  v.throwIfInvalid();
}

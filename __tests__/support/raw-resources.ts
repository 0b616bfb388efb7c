/**
 * Test support: raw provider resources with a managed identity, as a platform team writes them (the
 * smallest configs the provider schema accepts), for the principals and consumers the library wires.
 */
import { ContainerApp } from '@cdktf/provider-azurerm/lib/container-app';
import { ContainerGroup } from '@cdktf/provider-azurerm/lib/container-group';
import { KubernetesCluster, KubernetesClusterIdentity } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { LinuxFunctionApp } from '@cdktf/provider-azurerm/lib/linux-function-app';
import { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import { LinuxWebApp } from '@cdktf/provider-azurerm/lib/linux-web-app';
import { Construct } from 'constructs';
import { RG, sshPublicKey, SUBNET_ID, SUBSCRIPTION } from './docker-vm-stacks';

/** An `identity` block; null (or undefined, where that is not the default) leaves the block out. */
export type Identity = { type: string; identityIds?: string[] } | null | undefined;

const PLAN_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Web/serverFarms/myPlan`;
const ENVIRONMENT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.App/managedEnvironments/myEnvironment`;
const NIC_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/myNic`;
const IMAGE = { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' };
const common = { resourceGroupName: RG, location: 'eastus' };

/** A team's own VM module: a raw Linux VM. */
export function linuxVm(scope: Construct, id = 'GoldenVm', identity: Identity = { type: 'SystemAssigned' }): LinuxVirtualMachine {
  return new LinuxVirtualMachine(scope, id, {
    ...common, name: 'golden-vm', size: 'Standard_D2s_v5', adminUsername: 'azureuser',
    adminSshKey: [{ username: 'azureuser', publicKey: sshPublicKey() }], networkInterfaceIds: [NIC_ID],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' }, sourceImageReference: IMAGE, identity: identity ?? undefined,
  });
}

export function linuxVmss(scope: Construct, id = 'Workers', identity: Identity = { type: 'SystemAssigned' }): LinuxVirtualMachineScaleSet {
  return new LinuxVirtualMachineScaleSet(scope, id, {
    ...common, name: 'workers', sku: 'Standard_D2s_v5', instances: 1, adminUsername: 'azureuser',
    adminSshKey: [{ username: 'azureuser', publicKey: sshPublicKey() }],
    networkInterface: [{ name: 'nic', primary: true, ipConfiguration: [{ name: 'ipconfig1', primary: true, subnetId: SUBNET_ID }] }],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' }, sourceImageReference: IMAGE, identity: identity ?? undefined,
  });
}

/** An AKS cluster: one small node pool, a system-assigned control-plane identity unless told otherwise. */
export function aksCluster(
  scope: Construct, id = 'Aks',
  identity: KubernetesClusterIdentity | null = { type: 'SystemAssigned' },
): KubernetesCluster {
  return new KubernetesCluster(scope, id, {
    ...common, name: 'myAKSCluster', dnsPrefix: 'myakscluster',
    defaultNodePool: { name: 'system', vmSize: 'Standard_D2s_v5', nodeCount: 1 },
    identity: identity ?? undefined,
    servicePrincipal: identity ? undefined : { clientId: '00000000-0000-0000-0000-0000000000aa', clientSecret: 'not-a-real-secret' },
  });
}

export function webApp(scope: Construct, id = 'Web', identity?: Identity): LinuxWebApp {
  return new LinuxWebApp(scope, id, {
    ...common, name: 'my-web-app', servicePlanId: PLAN_ID, identity: identity ?? undefined,
    siteConfig: { applicationStack: { dockerImageName: 'aci-helloworld:v1', dockerRegistryUrl: 'https://myregistry.azurecr.io' } },
  });
}

export function functionApp(scope: Construct, id = 'Functions', identity?: Identity): LinuxFunctionApp {
  return new LinuxFunctionApp(scope, id, {
    ...common, name: 'my-function-app', servicePlanId: PLAN_ID, storageAccountName: 'mystorageaccount', identity: identity ?? undefined,
    siteConfig: { applicationStack: { docker: [{ registryUrl: 'https://myregistry.azurecr.io', imageName: 'functions', imageTag: 'v1' }] } },
  });
}

export function containerApp(scope: Construct, id = 'ContainerApp', identity?: Identity): ContainerApp {
  return new ContainerApp(scope, id, {
    name: 'my-container-app', resourceGroupName: RG, containerAppEnvironmentId: ENVIRONMENT_ID, revisionMode: 'Single', identity: identity ?? undefined,
    template: { container: [{ name: 'hello', image: 'myregistry.azurecr.io/aci-helloworld:v1', cpu: 0.25, memory: '0.5Gi' }] },
  });
}

export function containerGroup(scope: Construct, id = 'ContainerGroup', identity?: Identity): ContainerGroup {
  return new ContainerGroup(scope, id, {
    ...common, name: 'my-container-group', osType: 'Linux', identity: identity ?? undefined,
    container: [{ name: 'hello', image: 'myregistry.azurecr.io/aci-helloworld:v1', cpu: 1, memory: 1.5 }],
  });
}

import { Fn, TerraformOutput } from 'cdktf';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { Construct } from 'constructs';
import { Principal } from '../../lib';
import { ExampleConfig } from '../config';
import { TutorialStack } from '../tutorial';

/** Why the AKS example has no private variant, and what to do instead. */
export const AKS_PRIVATE_REGISTRY_REFUSAL = 'ACR_DEMO_PRIVATE_REGISTRY is set, but the AKS example has no private variant: its nodes '
  + 'are in the virtual network AKS creates in the node resource group, where this stack cannot put the registry\'s private '
  + 'endpoint and DNS zone link. Fix: deploy acr-pull-user-assigned or acr-pull-system-assigned for the private variant, '
  + 'or unset ACR_DEMO_PRIVATE_REGISTRY for acr-pull-aks.';

/**
 * The AKS variant: the seed's other registry consumer, an Azure Kubernetes Service cluster whose nodes
 * pull from the registry with their kubelet identity, as `az aks create` and `az aks update --attach-acr`
 * set it up.
 */
export class AksExample extends TutorialStack {
  constructor(scope: Construct, id: string, config: ExampleConfig) {
    if (config.privateRegistry) throw new Error(AKS_PRIVATE_REGISTRY_REFUSAL);
    super(scope, id, config);

    // az aks create --name myAKSCluster --node-count 1 --node-vm-size Standard_D2s_v5 --enable-managed-identity
    const cluster = new KubernetesCluster(this, 'Aks', {
      name: config.aksClusterName,
      resourceGroupName: this.resourceGroupName,
      location: config.location,
      dnsPrefix: dnsPrefixOf(config.aksClusterName),
      defaultNodePool: {
        name: 'system',
        vmSize: config.aksNodeSize,
        nodeCount: config.aksNodeCount,
        // AKS applies 10% when none is given; saying so keeps plans clean (hashicorp/terraform-provider-azurerm#24020).
        upgradeSettings: { maxSurge: '10%' },
      },
      // The control plane's own identity; the nodes pull with the kubelet identity AKS makes beside it.
      identity: { type: 'SystemAssigned' },
    });

    // az aks update --attach-acr <registry>: AcrPull for the kubelet identity, never the control plane's.
    this.grantImagePull(Principal.ofKubeletIdentity(cluster));

    const subscription = Fn.element(Fn.split('/', cluster.id), 2);
    const names = `--subscription ${subscription} --resource-group ${cluster.resourceGroupName} --name ${cluster.name}`;
    new TerraformOutput(this, 'aks_cluster_name', { value: cluster.name });
    new TerraformOutput(this, 'kubelet_identity_object_id', { value: cluster.kubeletIdentity.objectId });
    new TerraformOutput(this, 'registry_login_server', { value: this.registry.loginServer });
    new TerraformOutput(this, 'verify_commands', {
      description: 'Run these where kubectl is installed (az aks install-cli) to check the pull by hand; '
        + 'the pod is Running once the role has propagated (ErrImagePull for up to ~10 minutes before)',
      value: [
        `az aks get-credentials ${names} --overwrite-existing`,
        `az aks check-acr ${names} --acr ${this.registry.loginServer}`,
        `kubectl run acr-pull-test --image ${this.registry.loginServer}/${config.image} --port 80`,
        'kubectl get pod acr-pull-test',
      ],
    });
  }
}

/** AKS DNS prefixes: 1-54 letters, digits and hyphens, starting and ending with a letter or digit. */
function dnsPrefixOf(clusterName: string): string {
  const prefix = clusterName.replace(/[^A-Za-z0-9-]/g, '').slice(0, 54).replace(/^-+|-+$/g, '');
  return prefix === '' ? 'aks' : prefix;
}

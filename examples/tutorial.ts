import { Aspects, AzurermBackend, dependable, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Resource as NullResource } from '@cdktf/provider-null/lib/resource';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Construct } from 'constructs';
import {
  AzureSecurityChecks, ContainerRegistry, DockerVirtualMachine, Grant, IContainerRegistry, IGrantable, RegistryPrivateEndpoint,
  RegistrySku, RoleAssignmentMode,
} from '../lib';
import { ExampleConfig, SAMPLE_IMAGE_SOURCE } from './config';

/** The one policy finding the examples accept, and why. */
export const PUBLIC_IP_SUPPRESSION = {
  id: 'AZ-NET-003',
  reason: 'The tutorial SSHes to the VM on its public IP to verify the pull; the NSG admits SSH only from '
    + 'ACR_DEMO_SSH_SOURCE_ADDRESS_PREFIXES (none by default)',
};

/** The tutorial's registry is public, as the tutorial's is; every pull still needs a role on it. */
export const PUBLIC_REGISTRY_SUPPRESSION = {
  id: 'AZ-ACR-003',
  reason: 'The tutorial\'s registry is public like the tutorial\'s (Basic SKU): every pull needs a role on it (AcrPull), '
    + 'and the VM and the cluster pull over the internet',
};

/**
 * What both variants of the tutorial share: providers and state, the resource group, the
 * registry with the sample image, and the outputs to verify the pull by hand.
 */
export abstract class TutorialStack extends TerraformStack {
  /** The resource group everything goes in (created, or an existing one). */
  protected readonly resourceGroupName: string;
  /** The tutorial's prerequisite: a registry holding `aci-helloworld:v1`. */
  protected readonly registry: IContainerRegistry;
  /** The registry's private endpoint in the VM's subnet, in the private variant. */
  protected privateEndpoint?: RegistryPrivateEndpoint;

  constructor(scope: Construct, id: string, protected readonly config: ExampleConfig) {
    super(scope, id);
    // The policy check: an unsuppressed error fails `cdktf synth`.
    Aspects.of(this).add(new AzureSecurityChecks());
    new AzurermProvider(this, 'Azurerm', { features: [{}] });
    new NullProvider(this, 'Null');
    if (config.backend) {
      new AzurermBackend(this, {
        ...config.backend,
        key: `${id}.tfstate`,
        useAzureadAuth: true,
      });
    }

    this.resourceGroupName = config.useExistingResourceGroup
      ? new DataAzurermResourceGroup(this, 'ResourceGroup', { name: config.resourceGroupName }).name
      : new ResourceGroup(this, 'ResourceGroup', { name: config.resourceGroupName, location: config.location }).name;

    // Prerequisite: "Create a container registry" (az acr create / az acr show), in ABAC mode when configured
    // (az acr create --role-assignment-mode rbac-abac).
    const roleAssignmentMode = config.abacRegistry ? RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS : undefined;
    this.registry = config.useExistingRegistry
      ? ContainerRegistry.fromLookup(this, 'Registry', {
        registryName: config.registryName ?? 'myContainerRegistry',
        resourceGroupName: this.resourceGroupName,
        roleAssignmentMode,
      })
      : new ContainerRegistry(this, 'Registry', {
        name: config.registryName ?? this.uniqueRegistryName(),
        resourceGroupName: this.resourceGroupName,
        location: config.location,
        roleAssignmentMode,
        // The private variant: Azure offers private endpoints on Premium only; no public endpoint at all.
        ...(config.privateRegistry ? { sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false } : {}),
      });

    if (!config.privateRegistry) AzureSecurityChecks.suppress(this.registry, [PUBLIC_REGISTRY_SUPPRESSION]);

    // "This article assumes you have the aci-helloworld:v1 container image stored in your registry."
    // Into a private registry too: the import is done by the registry service, a trusted service that passes its
    // network rules (network_rule_bypass_option = "AzureServices").
    if (config.importSampleImage) {
      new NullResource(this, 'SampleImage', {
        triggers: { registry_id: this.registry.registryId },
        provisioners: [{
          type: 'local-exec',
          // The registry's own subscription and resource group (both from its ID), not whichever subscription the
          // deploying CLI has selected; without --resource-group, az lists the whole subscription to find the
          // registry, an eventually consistent read that misses a registry just created (Azure/azure-cli#27913).
          command: `az acr import --subscription ${Fn.element(Fn.split('/', this.registry.registryId), 2)} `
            + `--resource-group ${Fn.element(Fn.split('/', this.registry.registryId), 4)} `
            + `--name ${this.registry.registryName} --source ${SAMPLE_IMAGE_SOURCE} --image aci-helloworld:v1 --force`,
        }],
      });
    }
  }

  /**
   * `az role assignment create --role acrpull`: lets the grantee pull the sample image. On an ABAC registry that is
   * Container Registry Repository Reader limited to the image's repository (`--condition ... --condition-version 2.0`).
   */
  protected grantImagePull(grantee: IGrantable): Grant {
    const repository = this.config.image.split(/[:@]/)[0];
    return this.registry.grantPull(grantee, this.config.abacRegistry ? { repositories: [repository] } : undefined);
  }

  /**
   * The private variant: the registry's private endpoint in the VM's subnet, the `privatelink.azurecr.io` zone
   * linked to the VM's virtual network, and the VM created after them, so that its first pull already resolves
   * `<registry>.azurecr.io` to the endpoint's private address.
   */
  protected connectPrivately(vm: DockerVirtualMachine): void {
    if (!this.config.privateRegistry || !vm.subnet) return;
    this.privateEndpoint = this.registry.addPrivateEndpoint('PrivateEndpoint', { subnetId: vm.subnet.id });
    vm.resource.dependsOn = [...(vm.resource.dependsOn ?? []), dependable(this.privateEndpoint)];
  }

  /** Registry names are global: the tutorial's name plus 8 hex characters of the subscription's hash. */
  private uniqueRegistryName(): string {
    const client = new DataAzurermClientConfig(this, 'Client', {});
    return `myContainerRegistry${Fn.substr(Fn.sha1(client.subscriptionId), 0, 8)}`;
  }

  /** The outputs a user needs next: how to reach the VM and verify the pull by hand. */
  protected addVerificationOutputs(vm: DockerVirtualMachine, loginCommand: string): void {
    const user = vm.adminUsername;
    new TerraformOutput(this, 'public_ip_address', { value: vm.publicIpAddress });
    new TerraformOutput(this, 'ssh_command', { value: `ssh ${user}@${vm.publicIpAddress}` });
    new TerraformOutput(this, 'registry_login_server', { value: this.registry.loginServer });
    if (this.privateEndpoint) {
      new TerraformOutput(this, 'private_endpoint_ip', { value: this.privateEndpoint.privateIpAddress });
    }
    new TerraformOutput(this, 'verify_commands', {
      description: 'Run these on the VM to repeat the tutorial\'s login and pull by hand',
      value: [
        // The private variant: the login server resolves to the endpoint's private address.
        ...(this.privateEndpoint ? [`nslookup ${this.registry.loginServer}`] : []),
        loginCommand,
        `az acr login --name ${this.registry.registryName}`,
        `docker pull ${this.registry.loginServer}/${this.config.image}`,
        'systemctl status acr-login.service',
      ],
    });
  }
}

import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { DockerVirtualMachine, DockerVirtualMachineProps } from '../lib/docker-vm';
import { ValidationError } from '../lib/errors';
import { UserAssignedIdentity, UserAssignedIdentityAttributes } from '../lib/identity';
import { ContainerRegistry, ContainerRegistryProps, IContainerRegistry, RegistrySku, RoleAssignmentMode } from '../lib/registry';
import { RegistryRole } from '../lib/registry-role';
import {
  IMPORTED_REGISTRY_ID, keyPair, newIdentity, newStack, RG, sshPublicKey, SUBNET_ID, SUBSCRIPTION, vmProps,
} from './support/docker-vm-stacks';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The names Azure refuses as a Linux admin user, as issue 5 lists them. */
const RESERVED_ADMIN_USERNAMES = [
  'administrator', 'admin', 'user', 'user1', 'user2', 'user3', 'user4', 'user5', 'test', 'test1', 'test2', 'test3',
  'admin1', 'admin2', '1', '123', 'a', 'actuser', 'adm', 'aspnet', 'backup', 'console', 'david', 'guest', 'john',
  'owner', 'root', 'server', 'sql', 'support', 'support_388945a0', 'sys',
];

const REGISTRY_NAME_RULE = 'must be 5-50 letters and digits (no hyphens, dots or underscores); registry names are globally unique';
const VM_NAME_PROBLEM = 'must be 1-80 letters, digits, ".", "_" or "-", start with a letter or digit, end with a letter, digit or "_", ' +
  'and not be all digits. Fix: choose a name such as "myDockerVM"';
const COMPUTER_NAME_RULE = 'is not a valid Linux computer name: at most 64 letters, digits, "." or "-", no "_", not ending in "." or "-", not all digits';
const ADMIN_RULE = 'must be 1-64 letters, digits, ".", "_" or "-", start with a letter or "_" and not end with ".". Fix: use e.g. "azureuser"';
const RESERVED = 'is a name Azure reserves and refuses. Fix: use e.g. "azureuser"';
const KEY_FIX = 'Fix: pass the contents of ~/.ssh/id_ed25519.pub or ~/.ssh/id_rsa.pub (ssh-keygen -t ed25519, or -t rsa -b 4096)';
const KEY_FORM = `is not an OpenSSH public key of the form "<type> <base64> [comment]". ${KEY_FIX}`;
const KEY_DECODE = `does not decode as an OpenSSH public key (truncated or corrupted base64, or a type that does not match the key). ${KEY_FIX}`;
const KEY_TYPE = `key; Azure accepts only RSA (2048 bits or more) and Ed25519 keys. ${KEY_FIX}`;
const PRIVATE_KEY_LINE = '  - sshPublicKey: "(a private key, not shown)" is a PRIVATE key: it must never be put in Terraform ' +
  `(the JSON and the state are readable). ${KEY_FIX}`;
const NOT_A_SOURCE = 'is not an IPv4/IPv6 address, CIDR range or service tag. Fix: use e.g. "203.0.113.4/32" (your address: curl -s https://ifconfig.me)';
const INTERNET_FIX = 'Fix: name your own address range, or set allowSshFromInternet: true to do it on purpose';
const INTERNET = `opens SSH to the whole internet. ${INTERNET_FIX}`;
const AZURE_CLOUD = `opens SSH to every Azure customer's VMs (AzureCloud is all of Azure's public address space). ${INTERNET_FIX}`;
const IPV6_SOURCE = 'is an IPv6 source, but the VM\'s network interface has only an IPv4 address, so SSH from it could never arrive. ' +
  'Fix: use IPv4 addresses and ranges, e.g. "203.0.113.4/32" (your IPv4 address: curl -4 -s https://ifconfig.me)';
const UNKNOWN_TAG = 'is not an address, CIDR range or known NSG source service tag (VirtualNetwork, AzureLoadBalancer, Internet, AzureCloud, ' +
  'GatewayManager, AzureTrafficManager, AzureFrontDoor.Backend, AzureCloud.<region>). ' +
  'Fix: use one of those service tags, or the address range you mean, e.g. "203.0.113.0/24"';
const IPV6_NETWORK = 'is an IPv6 range, but the construct creates an IPv4-only virtual network and subnet';
const TIMEOUT_RULE = 'must be a whole number of at least 900 seconds: role assignments take up to 10 minutes to propagate ' +
  '(and at most 7200: a run ends before the timer\'s next one). Fix: leave it at the default (1800) or choose 900 to 7200';
const NOT_ATTACHED = 'is not in the target\'s identity block (identity_ids), so the machine cannot log in with it. ' +
  'Fix: attach it to the target (identity_ids; DockerVirtualMachine: userAssignedIdentities), or leave options.identity out';
const NO_SYSTEM = 'to log in with. Fix: give the target identity { type = "SystemAssigned" } (DockerVirtualMachine: systemAssignedIdentity: true), ' +
  'or pass a user-assigned identity attached to it as options.identity';
const ABAC = 'is not honoured by a registry in ABAC mode (AbacRepositoryPermissions): the assignment would grant nothing. ' +
  'Fix: use grantPull/grantPush, or RegistryRole.REPOSITORY_READER / REPOSITORY_WRITER / REPOSITORY_CONTRIBUTOR';
const IMAGE_RULE = 'is not an image reference relative to the registry (repository[:tag] or repository@sha256:digest, lowercase). ' +
  'Fix: give the image without the login server, e.g. "aci-helloworld:v1"';

const LOCATION_RULE = 'is empty, but Azure needs a region to create the resource in. Fix: name the Azure region, such as "eastus" (az account list-locations --query [].name)';

const GUID_1 = '11111111-1111-1111-1111-111111111111';
const GUID_2 = '22222222-2222-2222-2222-222222222222';
const IDENTITY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/myACRId`;

/** One bad input: the construct path and problem line it must produce, and a valid neighbour that must pass. */
interface Row {
  readonly case: string;
  readonly bad: (stack: TerraformStack) => unknown;
  readonly path: string;
  /** The whole problem line; or, where the value is long or random, the property and everything after the value. */
  readonly line: string | { readonly property: string; readonly after: string };
  readonly good: (stack: TerraformStack) => unknown;
}

function registry(stack: TerraformStack, props: Partial<ContainerRegistryProps> = {}): ContainerRegistry {
  return new ContainerRegistry(stack, 'Registry', { name: 'myContainerRegistry', resourceGroupName: RG, location: 'eastus', ...props });
}

function importedIdentity(stack: TerraformStack, attrs: Partial<UserAssignedIdentityAttributes> = {}) {
  return UserAssignedIdentity.fromIdentityAttributes(stack, 'Imported', {
    identityId: IDENTITY_ID, principalId: GUID_1, clientId: GUID_2, ...attrs,
  });
}

function vm(stack: TerraformStack, overrides: Partial<DockerVirtualMachineProps> = {}): DockerVirtualMachine {
  return new DockerVirtualMachine(stack, 'DockerVm', vmProps(overrides));
}

/** A registry implemented outside this library: an imported one with its name and login server replaced. */
function customRegistry(stack: TerraformStack, registryName = 'myregistry', loginServer = 'myregistry.azurecr.io'): IContainerRegistry {
  const imported = ContainerRegistry.fromRegistryAttributes(stack, 'Registry', { registryId: IMPORTED_REGISTRY_ID });
  return Object.create(imported, { registryName: { value: registryName }, loginServer: { value: loginServer } });
}

function abacRegistry(stack: TerraformStack) {
  return ContainerRegistry.fromRegistryAttributes(stack, 'Registry', {
    registryId: IMPORTED_REGISTRY_ID, roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS,
  });
}

function variable(stack: TerraformStack, name: string, type = 'string'): TerraformVariable {
  return new TerraformVariable(stack, name, { type });
}

const name = (length: number) => 'v'.repeat(length);

/** Registry rows. */
const REGISTRY_ROWS: Row[] = [
  {
    case: 'registry location empty',
    bad: (s) => registry(s, { location: '' }),
    good: (s) => registry(s, { location: 'westeurope' }),
    path: 'Test/Registry',
    line: `  - location: "" ${LOCATION_RULE}`,
  },
  {
    case: 'registry location blank',
    bad: (s) => registry(s, { location: ' ' }),
    good: (s) => registry(s, { location: 'West Europe' }),
    path: 'Test/Registry',
    line: `  - location: " " ${LOCATION_RULE}`,
  },
  {
    case: 'registry name of 4 characters',
    bad: (s) => registry(s, { name: 'abcd' }),
    good: (s) => registry(s, { name: 'abcde' }),
    path: 'Test/Registry',
    line: `  - name: "abcd" ${REGISTRY_NAME_RULE}. Fix: remove other characters and keep 5-50, e.g. "mycontainerregistry"`,
  },
  {
    case: 'registry name of 51 characters',
    bad: (s) => registry(s, { name: 'r'.repeat(51) }),
    good: (s) => registry(s, { name: 'r'.repeat(50) }),
    path: 'Test/Registry',
    line: { property: 'name', after: `${REGISTRY_NAME_RULE}. Fix: remove other characters and keep 5-50, e.g. "mycontainerregistry"` },
  },
  {
    case: 'registry name with a hyphen',
    bad: (s) => registry(s, { name: 'my-registry' }),
    good: (s) => registry(s, { name: 'myregistry' }),
    path: 'Test/Registry',
    line: `  - name: "my-registry" ${REGISTRY_NAME_RULE}. Fix: remove other characters and keep 5-50, e.g. "mycontainerregistry"`,
  },
  {
    case: 'unknown registry SKU',
    bad: (s) => registry(s, { sku: 'Gold' as RegistrySku }),
    good: (s) => registry(s, { sku: 'Premium' as RegistrySku }),
    path: 'Test/Registry',
    line: '  - sku: "Gold" is not a registry SKU (Basic, Standard, Premium). Fix: use RegistrySku.BASIC, RegistrySku.STANDARD or RegistrySku.PREMIUM',
  },
  {
    case: 'zone redundancy on Standard',
    bad: (s) => registry(s, { sku: RegistrySku.STANDARD, zoneRedundancyEnabled: true }),
    good: (s) => registry(s, { sku: RegistrySku.PREMIUM, zoneRedundancyEnabled: true }),
    path: 'Test/Registry',
    line: '  - zoneRedundancyEnabled: true needs the Premium SKU, but sku is Standard. Fix: set sku: RegistrySku.PREMIUM, or remove zoneRedundancyEnabled',
  },
  {
    case: 'public network access off on Basic',
    bad: (s) => registry(s, { publicNetworkAccessEnabled: false }),
    good: (s) => registry(s, { sku: RegistrySku.PREMIUM, publicNetworkAccessEnabled: false }),
    path: 'Test/Registry',
    line: '  - publicNetworkAccessEnabled: false needs the Premium SKU, but sku is Basic. Fix: set sku: RegistrySku.PREMIUM, or remove publicNetworkAccessEnabled',
  },
  {
    case: 'a retention policy on Standard',
    bad: (s) => registry(s, { sku: RegistrySku.STANDARD, retentionPolicyInDays: 7 }),
    good: (s) => registry(s, { sku: RegistrySku.STANDARD, retentionPolicyInDays: 0 }),
    path: 'Test/Registry',
    line: '  - retentionPolicyInDays: 7 needs the Premium SKU, but sku is Standard. Fix: set sku: RegistrySku.PREMIUM, or remove retentionPolicyInDays',
  },
  {
    case: 'a retention policy of 366 days',
    bad: (s) => registry(s, { sku: RegistrySku.PREMIUM, retentionPolicyInDays: 366 }),
    good: (s) => registry(s, { sku: RegistrySku.PREMIUM, retentionPolicyInDays: 365 }),
    path: 'Test/Registry',
    line: '  - retentionPolicyInDays: 366 must be a whole number of days from 0 to 365. Fix: choose e.g. 7',
  },
  {
    case: 'anonymous pull on Basic',
    bad: (s) => registry(s, { anonymousPullEnabled: true }),
    good: (s) => registry(s, { sku: RegistrySku.STANDARD, anonymousPullEnabled: true }),
    path: 'Test/Registry',
    line: '  - anonymousPullEnabled: true needs the Standard or Premium SKU, but sku is Basic. Fix: set sku: RegistrySku.STANDARD, or leave anonymous pull off',
  },
  {
    case: 'resource group name ending in a period',
    bad: (s) => registry(s, { resourceGroupName: 'myGroup.' }),
    good: (s) => registry(s, { resourceGroupName: 'my.Group' }),
    path: 'Test/Registry',
    line: '  - resourceGroupName: "myGroup." must be 1-90 letters, digits, underscores, parentheses, hyphens or periods, ' +
      'not ending in a period. Fix: use the name of an existing resource group, such as "myResourceGroup"',
  },
  {
    case: 'fromLookup: registry name of 3 characters',
    bad: (s) => ContainerRegistry.fromLookup(s, 'Registry', { registryName: 'acr', resourceGroupName: RG }),
    good: (s) => ContainerRegistry.fromLookup(s, 'Registry', { registryName: 'myacr', resourceGroupName: RG }),
    path: 'Test/Registry',
    line: `  - registryName: "acr" ${REGISTRY_NAME_RULE}. Fix: use the name shown by az acr list --query [].name`,
  },
  {
    case: 'fromLookup: resource group name with a slash',
    bad: (s) => ContainerRegistry.fromLookup(s, 'Registry', { registryName: 'myacr', resourceGroupName: 'rg/x' }),
    good: (s) => ContainerRegistry.fromLookup(s, 'Registry', { registryName: 'myacr', resourceGroupName: 'rg-x' }),
    path: 'Test/Registry',
    line: '  - resourceGroupName: "rg/x" must be 1-90 letters, digits, underscores, parentheses, hyphens or periods, not ending in a period. ' +
      'Fix: use the registry\'s resource group, as shown by az acr show --query resourceGroup',
  },
  {
    case: 'fromRegistryAttributes: an identity ID for the registry ID',
    bad: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IDENTITY_ID }),
    good: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IMPORTED_REGISTRY_ID }),
    path: 'Test/Registry',
    line: {
      property: 'registryId',
      after: 'is not a container registry resource ID. Fix: pass the registry\'s "id" (az acr show --query id), ' +
        '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerRegistry/registries/<name>',
    },
  },
  {
    case: 'fromRegistryAttributes: a registry ID ending in an invalid name',
    bad: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IMPORTED_REGISTRY_ID.replace(/otherRegistry$/, 'other-registry') }),
    good: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IMPORTED_REGISTRY_ID.replace(/otherRegistry$/, 'otherregistry') }),
    path: 'Test/Registry',
    line: { property: 'registryId', after: `ends in a name that ${REGISTRY_NAME_RULE}. Fix: pass the registry's "id" as shown by az acr show --query id` },
  },
  {
    case: 'fromRegistryAttributes: registry name with an underscore',
    bad: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IMPORTED_REGISTRY_ID, registryName: 'other_registry' }),
    good: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IMPORTED_REGISTRY_ID, registryName: 'otherregistry' }),
    path: 'Test/Registry',
    line: `  - registryName: "other_registry" ${REGISTRY_NAME_RULE}. Fix: use the name shown by az acr list --query [].name`,
  },
  {
    case: 'fromRegistryAttributes: a login server with a scheme',
    bad: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IMPORTED_REGISTRY_ID, loginServer: 'https://otherregistry.azurecr.io' }),
    good: (s) => ContainerRegistry.fromRegistryAttributes(s, 'Registry', { registryId: IMPORTED_REGISTRY_ID, loginServer: 'otherregistry.azurecr.io' }),
    path: 'Test/Registry',
    line: '  - loginServer: "https://otherregistry.azurecr.io" is not a host name (no scheme, path, port or spaces). ' +
      'Fix: pass the registry\'s login server as shown by az acr show --query loginServer, e.g. "myregistry.azurecr.io"',
  },
  ...([
    ['AcrPull', RegistryRole.ACR_PULL, RegistryRole.REPOSITORY_READER],
    ['AcrPush', RegistryRole.ACR_PUSH, RegistryRole.REPOSITORY_WRITER],
    ['AcrDelete', RegistryRole.ACR_DELETE, RegistryRole.REPOSITORY_CONTRIBUTOR],
  ] as const).map(([role, bad, good]): Row => ({
    case: `${role} on a registry in ABAC mode`,
    bad: (s) => abacRegistry(s).grant(newIdentity(s), bad),
    good: (s) => abacRegistry(s).grant(newIdentity(s), good),
    path: 'Test/Registry',
    line: `  - grant(role): "${role}" ${ABAC}`,
  })),
  {
    case: 'AcrPull by its role definition GUID on a looked-up registry in ABAC mode',
    bad: (s) => ContainerRegistry.fromLookup(s, 'Registry', {
      registryName: 'myacr', resourceGroupName: RG, roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS,
    }).grant(newIdentity(s), RegistryRole.fromRoleDefinitionId('7f951dda-4ed3-4680-a7ca-43fe172d538d')),
    good: (s) => ContainerRegistry.fromLookup(s, 'Registry', {
      registryName: 'myacr', resourceGroupName: RG, roleAssignmentMode: RoleAssignmentMode.ABAC_REPOSITORY_PERMISSIONS,
    }).grantPull(newIdentity(s)),
    path: 'Test/Registry',
    line: `  - grant(role): "AcrPull" ${ABAC}`,
  },
];

/** UserAssignedIdentity rows. */
const IDENTITY_ROWS: Row[] = [
  {
    case: 'identity name of 2 characters',
    bad: (s) => new UserAssignedIdentity(s, 'Identity', { name: 'id', resourceGroupName: RG, location: 'eastus' }),
    good: (s) => new UserAssignedIdentity(s, 'Identity', { name: 'ids', resourceGroupName: RG, location: 'eastus' }),
    path: 'Test/Identity',
    line: '  - name: "id" must be 3-128 letters, digits, hyphens or underscores, starting with a letter or digit. Fix: choose a name such as "myACRId"',
  },
  {
    case: 'identity name starting with an underscore',
    bad: (s) => new UserAssignedIdentity(s, 'Identity', { name: '_myId', resourceGroupName: RG, location: 'eastus' }),
    good: (s) => new UserAssignedIdentity(s, 'Identity', { name: 'my_Id', resourceGroupName: RG, location: 'eastus' }),
    path: 'Test/Identity',
    line: '  - name: "_myId" must be 3-128 letters, digits, hyphens or underscores, starting with a letter or digit. Fix: choose a name such as "myACRId"',
  },
  {
    case: 'fromIdentityAttributes: a principal ID that is not a GUID',
    bad: (s) => importedIdentity(s, { principalId: 'not-a-guid' }),
    good: (s) => importedIdentity(s, { principalId: GUID_1 }),
    path: 'Test/Imported',
    line: '  - principalId: "not-a-guid" is not a GUID. Fix: pass the identity\'s principal (object) ID: az identity show --query principalId',
  },
  {
    case: 'fromIdentityAttributes: a client ID in braces',
    bad: (s) => importedIdentity(s, { clientId: `{${GUID_2}}` }),
    good: (s) => importedIdentity(s, { clientId: GUID_2 }),
    path: 'Test/Imported',
    line: `  - clientId: "{${GUID_2}}" is not a GUID. Fix: pass the identity's client ID: az identity show --query clientId`,
  },
  {
    case: 'fromIdentityAttributes: the client ID passed as the principal ID',
    bad: (s) => importedIdentity(s, { principalId: GUID_2.toUpperCase(), clientId: GUID_2 }),
    good: (s) => importedIdentity(s, { principalId: GUID_1, clientId: GUID_2 }),
    path: 'Test/Imported',
    line: `  - principalId: "${GUID_2.toUpperCase()}" is the same as clientId: a role assigned to a client ID never takes effect. ` +
      'Fix: pass the principal (object) ID as principalId: az identity show --query principalId',
  },
  {
    case: 'fromIdentityAttributes: a registry ID for the identity ID',
    bad: (s) => importedIdentity(s, { identityId: IMPORTED_REGISTRY_ID }),
    good: (s) => importedIdentity(s, { identityId: IDENTITY_ID }),
    path: 'Test/Imported',
    line: {
      property: 'identityId',
      after: 'is not a user-assigned identity resource ID. Fix: pass the identity\'s "id" (az identity show --query id), ' +
        '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>',
    },
  },
];

/** DockerVirtualMachine names and admin user. */
const VM_NAME_ROWS: Row[] = [
  {
    case: 'VM location empty',
    bad: (s) => vm(s, { location: '' }),
    good: (s) => vm(s, { location: 'westeurope' }),
    path: 'Test/DockerVm',
    line: `  - location: "" ${LOCATION_RULE}`,
  },
  {
    case: 'VM name empty',
    bad: (s) => vm(s, { name: '' }),
    good: (s) => vm(s, { name: 'v' }),
    path: 'Test/DockerVm',
    line: `  - name: "" ${VM_NAME_PROBLEM}`,
  },
  {
    case: 'VM name of 81 characters',
    bad: (s) => vm(s, { name: name(81), computerName: 'host', subnetId: SUBNET_ID }),
    good: (s) => vm(s, { name: name(75), computerName: 'host', subnetId: SUBNET_ID }),
    path: 'Test/DockerVm',
    line: { property: 'name', after: VM_NAME_PROBLEM },
  },
  {
    case: 'VM name starting with a hyphen',
    bad: (s) => vm(s, { name: '-myvm' }),
    good: (s) => vm(s, { name: 'myvm' }),
    path: 'Test/DockerVm',
    line: `  - name: "-myvm" ${VM_NAME_PROBLEM}`,
  },
  {
    case: 'VM name ending in a period',
    bad: (s) => vm(s, { name: 'myvm.' }),
    good: (s) => vm(s, { name: 'my.vm' }),
    path: 'Test/DockerVm',
    line: `  - name: "myvm." ${VM_NAME_PROBLEM}`,
  },
  {
    case: 'VM name of digits only',
    bad: (s) => vm(s, { name: '12345' }),
    good: (s) => vm(s, { name: 'vm12345' }),
    path: 'Test/DockerVm',
    line: `  - name: "12345" ${VM_NAME_PROBLEM}`,
  },
  {
    case: 'VM name with a space',
    bad: (s) => vm(s, { name: 'my vm' }),
    good: (s) => vm(s, { name: 'my-vm' }),
    path: 'Test/DockerVm',
    line: `  - name: "my vm" ${VM_NAME_PROBLEM}`,
  },
  {
    case: 'VM name too long for the network interface named after it',
    bad: (s) => vm(s, { name: name(76), computerName: 'host', subnetId: SUBNET_ID }),
    good: (s) => vm(s, { name: name(75), computerName: 'host', subnetId: SUBNET_ID }),
    path: 'Test/DockerVm',
    line: {
      property: 'name',
      after: `is too long for the resources named after it: the network interface "${name(76)}VMNic" would exceed Azure's 80-character limit. ` +
        'Fix: shorten name to at most 75 characters',
    },
  },
  {
    case: 'VM name too long for the virtual network named after it',
    bad: (s) => vm(s, { name: name(61), computerName: 'host' }),
    good: (s) => vm(s, { name: name(60), computerName: 'host' }),
    path: 'Test/DockerVm',
    line: {
      property: 'name',
      after: `is too long for the resources named after it: the virtual network "${name(61)}VNET" would exceed Azure's 64-character limit. ` +
        'Fix: shorten name to at most 60 characters',
    },
  },
  {
    case: 'VM name too long for the public IP address named after it',
    bad: (s) => vm(s, { name: name(73), computerName: 'host', subnetId: SUBNET_ID, associatePublicIpAddress: true }),
    good: (s) => vm(s, { name: name(72), computerName: 'host', subnetId: SUBNET_ID, associatePublicIpAddress: true }),
    path: 'Test/DockerVm',
    line: {
      property: 'name',
      after: `is too long for the resources named after it: the public IP address "${name(73)}PublicIP" would exceed Azure's 80-character limit. ` +
        'Fix: shorten name to at most 72 characters',
    },
  },
  {
    case: 'derived computer name with an underscore',
    bad: (s) => vm(s, { name: 'my_vm' }),
    good: (s) => vm(s, { name: 'my_vm', computerName: 'my-vm' }),
    path: 'Test/DockerVm',
    line: '  - name (the computer name derived from it): "my_vm" is not a valid Linux computer name: at most 64 letters, digits, "." or "-", ' +
      'no "_", not ending in "." or "-". Fix: set computerName to a valid host name, e.g. "my-vm", or rename the VM',
  },
  {
    case: 'derived computer name of 65 characters',
    bad: (s) => vm(s, { name: name(65), subnetId: SUBNET_ID }),
    good: (s) => vm(s, { name: name(64), subnetId: SUBNET_ID }),
    path: 'Test/DockerVm',
    line: {
      property: 'name (the computer name derived from it)',
      after: 'is not a valid Linux computer name: at most 64 letters, digits, "." or "-", no "_", not ending in "." or "-". ' +
        `Fix: set computerName to a valid host name, e.g. "${name(64)}", or rename the VM`,
    },
  },
  ...([
    ['a trailing hyphen', 'myvm-', 'my-vm', 'myvm'],
    ['a trailing period', 'myvm.', 'my.vm', 'myvm'],
    ['digits only', '12345', 'host12345', 'mydockervm'],
    ['an underscore', 'my_vm', 'my-vm', 'my-vm'],
  ]).map(([what, bad, good, suggestion]): Row => ({
    case: `computerName with ${what}`,
    bad: (s) => vm(s, { computerName: bad }),
    good: (s) => vm(s, { computerName: good }),
    path: 'Test/DockerVm',
    line: `  - computerName: "${bad}" ${COMPUTER_NAME_RULE}. Fix: use a host name such as "${suggestion}"`,
  })),
  {
    case: 'computerName of 65 characters',
    bad: (s) => vm(s, { computerName: 'h'.repeat(65) }),
    good: (s) => vm(s, { computerName: 'h'.repeat(64) }),
    path: 'Test/DockerVm',
    line: { property: 'computerName', after: `${COMPUTER_NAME_RULE}. Fix: use a host name such as "${'h'.repeat(64)}"` },
  },
  {
    case: 'admin username empty',
    bad: (s) => vm(s, { adminUsername: '' }),
    good: (s) => vm(s, { adminUsername: 'b' }),
    path: 'Test/DockerVm',
    line: `  - adminUsername: "" ${ADMIN_RULE}`,
  },
  {
    case: 'admin username of 65 characters',
    bad: (s) => vm(s, { adminUsername: 'u'.repeat(65) }),
    good: (s) => vm(s, { adminUsername: 'u'.repeat(64) }),
    path: 'Test/DockerVm',
    line: { property: 'adminUsername', after: ADMIN_RULE },
  },
  {
    case: 'admin username with a space',
    bad: (s) => vm(s, { adminUsername: 'user name' }),
    good: (s) => vm(s, { adminUsername: 'username' }),
    path: 'Test/DockerVm',
    line: `  - adminUsername: "user name" ${ADMIN_RULE}`,
  },
  {
    case: 'admin username ending in a period',
    bad: (s) => vm(s, { adminUsername: 'azureuser.' }),
    good: (s) => vm(s, { adminUsername: 'azure.user' }),
    path: 'Test/DockerVm',
    line: `  - adminUsername: "azureuser." ${ADMIN_RULE}`,
  },
  {
    case: 'admin username "admin" (reserved)',
    bad: (s) => vm(s, { adminUsername: 'admin' }),
    good: (s) => vm(s, { adminUsername: 'admin3' }),
    path: 'Test/DockerVm',
    line: `  - adminUsername: "admin" ${RESERVED}`,
  },
  {
    case: 'admin username "Root" (reserved, in any case)',
    bad: (s) => vm(s, { adminUsername: 'Root' }),
    good: (s) => vm(s, { adminUsername: 'rooter' }),
    path: 'Test/DockerVm',
    line: `  - adminUsername: "Root" ${RESERVED}`,
  },
  {
    case: 'admin username "support_388945a0" (reserved)',
    bad: (s) => vm(s, { adminUsername: 'support_388945a0' }),
    good: (s) => vm(s, { adminUsername: 'support_388945a1' }),
    path: 'Test/DockerVm',
    line: `  - adminUsername: "support_388945a0" ${RESERVED}`,
  },
];

/** SSH public keys: real keys made with node's crypto, converted by sshpk. */
const SSH_KEY_ROWS: Row[] = [
  {
    case: 'SSH key that is not "<type> <base64>"',
    bad: (s) => vm(s, { sshPublicKey: 'not a key' }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('ed25519') }),
    path: 'Test/DockerVm',
    line: `  - sshPublicKey: "not a key" ${KEY_FORM}`,
  },
  {
    case: 'SSH key empty',
    bad: (s) => vm(s, { sshPublicKey: '' }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('ed25519') }),
    path: 'Test/DockerVm',
    line: `  - sshPublicKey: "" ${KEY_FORM}`,
  },
  {
    case: 'SSH key type without key data',
    bad: (s) => vm(s, { sshPublicKey: 'ssh-ed25519' }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('ed25519') }),
    path: 'Test/DockerVm',
    line: `  - sshPublicKey: "ssh-ed25519" ${KEY_FORM}`,
  },
  {
    case: 'SSH key with characters outside base64',
    bad: (s) => vm(s, { sshPublicKey: 'ssh-rsa AAAA$$$$ me@host' }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-2048') }),
    path: 'Test/DockerVm',
    line: `  - sshPublicKey: "ssh-rsa AAAA$$$$ me@host" ${KEY_FORM}`,
  },
  {
    case: 'SSH key with garbage (truncated) base64',
    bad: (s) => vm(s, { sshPublicKey: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== me@host' }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-2048') }),
    path: 'Test/DockerVm',
    line: `  - sshPublicKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== me@host" ${KEY_DECODE}`,
  },
  {
    case: 'SSH key whose type does not match its data',
    bad: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-2048').replace(/^ssh-rsa/, 'ssh-ed25519') }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-2048') }),
    path: 'Test/DockerVm',
    line: { property: 'sshPublicKey', after: KEY_DECODE },
  },
  {
    case: 'RSA key of 1024 bits',
    bad: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-1024') }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-2048') }),
    path: 'Test/DockerVm',
    line: { property: 'sshPublicKey', after: `is an RSA key of 1024 bits; Azure requires at least 2048. ${KEY_FIX}` },
  },
  {
    case: 'RSA key of 2047 bits',
    bad: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-2047') }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('rsa-2048') }),
    path: 'Test/DockerVm',
    line: { property: 'sshPublicKey', after: `is an RSA key of 2047 bits; Azure requires at least 2048. ${KEY_FIX}` },
  },
  {
    case: 'ECDSA key',
    bad: (s) => vm(s, { sshPublicKey: sshPublicKey('ecdsa') }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('ed25519') }),
    path: 'Test/DockerVm',
    line: { property: 'sshPublicKey', after: `is an ECDSA ${KEY_TYPE}` },
  },
  {
    case: 'DSA key',
    bad: (s) => vm(s, { sshPublicKey: sshPublicKey('dsa') }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('ed25519') }),
    path: 'Test/DockerVm',
    line: { property: 'sshPublicKey', after: `is a DSA ${KEY_TYPE}` },
  },
  {
    case: 'a PEM private key pasted',
    bad: (s) => vm(s, { sshPublicKey: keyPair('rsa-2048').privateKeyPem }),
    good: (s) => vm(s, { sshPublicKey: keyPair('rsa-2048').publicKey }),
    path: 'Test/DockerVm',
    line: PRIVATE_KEY_LINE,
  },
  {
    case: 'an OpenSSH private key pasted',
    bad: (s) => vm(s, { sshPublicKey: keyPair('ed25519').privateKeyOpenSsh }),
    good: (s) => vm(s, { sshPublicKey: keyPair('ed25519').publicKey }),
    path: 'Test/DockerVm',
    line: PRIVATE_KEY_LINE,
  },
  {
    case: 'a PEM public key',
    bad: (s) => vm(s, { sshPublicKey: keyPair('ed25519').publicKeyPem }),
    good: (s) => vm(s, { sshPublicKey: keyPair('ed25519').publicKey }),
    path: 'Test/DockerVm',
    line: {
      property: 'sshPublicKey',
      after: 'is a PEM or SSH2 public key, not the one-line OpenSSH form Azure takes (convert it with ssh-keygen -i -m PKCS8 -f <file>). ' + KEY_FIX,
    },
  },
  {
    case: 'two keys on two lines',
    bad: (s) => vm(s, { sshPublicKey: `${sshPublicKey('ed25519')}\n${sshPublicKey('rsa-2048')}` }),
    good: (s) => vm(s, { sshPublicKey: sshPublicKey('ed25519') }),
    path: 'Test/DockerVm',
    line: { property: 'sshPublicKey', after: `has several lines: give exactly one OpenSSH public key, on one line. ${KEY_FIX}` },
  },
];

/** SSH source address ranges. */
const SOURCE_ROWS: Row[] = [
  ...([
    ['a prefix length over 32', '10.0.0.0/33', '10.0.0.0/32'],
    ['an octet over 255', '300.1.1.1', '30.1.1.1'],
    ['words with a space', 'foo bar', 'VirtualNetwork'],
    ['an octal-looking octet', '010.0.0.0/8', '10.0.0.0/8'],
    ['a short IPv4 form', '10/8', '10.0.0.0/8'],
    ['an IPv6 zone', 'fe80::1%eth0', '203.0.113.4'],
    ['a prefix length over 128', '2001:db8::/129', '203.0.113.0/24'],
  ]).map(([what, bad, good]): Row => ({
    case: `SSH source with ${what}`,
    bad: (s) => vm(s, { sshSourceAddressPrefixes: [bad] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: [good] }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "${bad}" ${NOT_A_SOURCE}`,
  })),
  {
    case: 'SSH source CIDR with bits set past its prefix length',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['203.0.113.4/24'] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['203.0.113.0/24'] }),
    path: 'Test/DockerVm',
    line: '  - sshSourceAddressPrefixes: "203.0.113.4/24" has bits set past its prefix length, which Azure refuses ' +
      '(the range starts at 203.0.113.0/24). Fix: use "203.0.113.0/24"',
  },
  ...['*', 'Internet', '0.0.0.0', '0.0.0.0/0'].map((source): Row => ({
    case: `SSH source ${source} without allowSshFromInternet`,
    bad: (s) => vm(s, { sshSourceAddressPrefixes: [source] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: [source], allowSshFromInternet: true }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "${source}" ${INTERNET}`,
  })),
  ...([
    ['AzureCloud', AZURE_CLOUD],
    ['AzureCloud.westeurope', AZURE_CLOUD],
    ['0.0.0.0/1', `opens SSH to a large part of the internet (a /1 range). ${INTERNET_FIX}`],
  ]).map(([source, message]): Row => ({
    case: `SSH source ${source} without allowSshFromInternet`,
    bad: (s) => vm(s, { sshSourceAddressPrefixes: [source] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: [source], allowSshFromInternet: true }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "${source}" ${message}`,
  })),
  {
    case: 'SSH source range shorter than /8 (a /7)',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['8.0.0.0/7'] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['8.0.0.0/8'] }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "8.0.0.0/7" opens SSH to a large part of the internet (a /7 range). ${INTERNET_FIX}`,
  },
  {
    case: 'SSH source that is an IPv6 range',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['2001:db8::/48'] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['203.0.113.0/24'] }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "2001:db8::/48" ${IPV6_SOURCE}`,
  },
  {
    case: 'SSH sources mixing IPv4 and IPv6 addresses',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['203.0.113.4', '2001:db8::1'] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['203.0.113.4', '198.51.100.1'] }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "2001:db8::1" ${IPV6_SOURCE}`,
  },
  {
    case: 'SSH source ::/0 even with allowSshFromInternet',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['::/0'], allowSshFromInternet: true }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['0.0.0.0/0'], allowSshFromInternet: true }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "::/0" ${IPV6_SOURCE}`,
  },
  {
    case: 'SSH source "office", which is no service tag',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['office'] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['VirtualNetwork'] }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "office" ${UNKNOWN_TAG}`,
  },
  ...([
    ['virtualnetwork', 'VirtualNetwork'],
    ['AZURELOADBALANCER', 'AzureLoadBalancer'],
    ['azurefrontdoor.backend', 'AzureFrontDoor.Backend'],
  ]).map(([bad, good]): Row => ({
    case: `SSH source service tag ${bad} in the wrong case`,
    bad: (s) => vm(s, { sshSourceAddressPrefixes: [bad] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: [good] }),
    path: 'Test/DockerVm',
    line: `  - sshSourceAddressPrefixes: "${bad}" is not spelt as Azure documents the service tag. Fix: use "${good}"`,
  })),
  {
    case: 'SSH source azurecloud.westeurope in the wrong case',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['azurecloud.westeurope'], allowSshFromInternet: true }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['AzureCloud.westeurope'], allowSshFromInternet: true }),
    path: 'Test/DockerVm',
    line: '  - sshSourceAddressPrefixes: "azurecloud.westeurope" is not spelt as Azure documents the service tag. Fix: use "AzureCloud.westeurope"',
  },
  {
    case: 'SSH source "any", the portal\'s word for "*"',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['any'], allowSshFromInternet: true }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['*'], allowSshFromInternet: true }),
    path: 'Test/DockerVm',
    line: '  - sshSourceAddressPrefixes: "any" is not a source Azure accepts. Fix: use "*" for any source',
  },
  {
    case: 'SSH sources mixing a service tag with a CIDR',
    bad: (s) => vm(s, { sshSourceAddressPrefixes: ['VirtualNetwork', '10.0.0.0/8'] }),
    good: (s) => vm(s, { sshSourceAddressPrefixes: ['VirtualNetwork'] }),
    path: 'Test/DockerVm',
    line: '  - sshSourceAddressPrefixes: ["VirtualNetwork","10.0.0.0/8"] mixes a service tag or "*" with other sources, which Azure refuses. ' +
      'Fix: use a service tag alone, or only addresses and CIDR ranges',
  },
];

/** The VM's network, disk and login settings, and identity misuse. */
const VM_SETTING_ROWS: Row[] = [
  {
    case: 'subnetId that is not a subnet resource ID',
    bad: (s) => vm(s, { subnetId: 'vms' }),
    good: (s) => vm(s, { subnetId: SUBNET_ID }),
    path: 'Test/DockerVm',
    line: '  - subnetId: "vms" is not a subnet resource ID. Fix: pass the subnet\'s "id" (az network vnet subnet show --query id), ' +
      '/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>',
  },
  {
    case: 'subnetAddressPrefix with subnetId',
    bad: (s) => vm(s, { subnetId: SUBNET_ID, subnetAddressPrefix: '10.0.1.0/24' }),
    good: (s) => vm(s, { subnetId: SUBNET_ID }),
    path: 'Test/DockerVm',
    line: '  - subnetAddressPrefix: "10.0.1.0/24" has no effect when subnetId is given: the construct creates no virtual network. ' +
      'Fix: remove subnetAddressPrefix, or remove subnetId',
  },
  {
    case: 'subnet outside the virtual network',
    bad: (s) => vm(s, { subnetAddressPrefix: '10.1.0.0/24' }),
    good: (s) => vm(s, { subnetAddressPrefix: '10.0.1.0/24' }),
    path: 'Test/DockerVm',
    line: '  - subnetAddressPrefix: "10.1.0.0/24" is not inside virtualNetworkAddressSpace "10.0.0.0/16". ' +
      'Fix: choose a subnet range inside the virtual network\'s address space',
  },
  {
    case: 'subnet smaller than /29',
    bad: (s) => vm(s, { subnetAddressPrefix: '10.0.0.0/30' }),
    good: (s) => vm(s, { subnetAddressPrefix: '10.0.0.0/29' }),
    path: 'Test/DockerVm',
    line: '  - subnetAddressPrefix: "10.0.0.0/30" is smaller than /29, the smallest subnet Azure allows. Fix: use a /29 or larger range, e.g. a /24',
  },
  {
    case: 'virtual network address space that is IPv6',
    bad: (s) => vm(s, { virtualNetworkAddressSpace: '2001:db8::/48' }),
    good: (s) => vm(s, { virtualNetworkAddressSpace: '10.0.0.0/16' }),
    path: 'Test/DockerVm',
    line: `  - virtualNetworkAddressSpace: "2001:db8::/48" ${IPV6_NETWORK}. Fix: use a private range such as "10.0.0.0/16"`,
  },
  {
    case: 'subnet prefix that is IPv6 (and smaller than /29)',
    bad: (s) => vm(s, { subnetAddressPrefix: '2001:db8::/126' }),
    good: (s) => vm(s, { subnetAddressPrefix: '10.0.0.0/29' }),
    path: 'Test/DockerVm',
    line: `  - subnetAddressPrefix: "2001:db8::/126" ${IPV6_NETWORK}. Fix: use a range inside the virtual network, such as "10.0.0.0/24"`,
  },
  {
    case: 'virtual network address space without a prefix length',
    bad: (s) => vm(s, { virtualNetworkAddressSpace: '10.0.0.0' }),
    good: (s) => vm(s, { virtualNetworkAddressSpace: '10.0.0.0/16' }),
    path: 'Test/DockerVm',
    line: '  - virtualNetworkAddressSpace: "10.0.0.0" is not an IPv4/IPv6 CIDR range (address/prefix length). Fix: use a private range such as "10.0.0.0/16"',
  },
  {
    case: 'virtual network address space with bits set past its prefix length',
    bad: (s) => vm(s, { virtualNetworkAddressSpace: '10.0.0.1/16' }),
    good: (s) => vm(s, { virtualNetworkAddressSpace: '10.0.0.0/16' }),
    path: 'Test/DockerVm',
    line: '  - virtualNetworkAddressSpace: "10.0.0.1/16" has bits set past its prefix length, which Azure refuses (the range starts at 10.0.0.0/16). ' +
      'Fix: use "10.0.0.0/16"',
  },
  {
    case: 'OS disk type that OS disks do not take',
    bad: (s) => vm(s, { osDiskStorageAccountType: 'UltraSSD_LRS' }),
    good: (s) => vm(s, { osDiskStorageAccountType: 'Premium_LRS' }),
    path: 'Test/DockerVm',
    line: '  - osDiskStorageAccountType: "UltraSSD_LRS" is not an OS disk storage type (Standard_LRS, StandardSSD_LRS, Premium_LRS, StandardSSD_ZRS, Premium_ZRS). ' +
      'Fix: use e.g. "StandardSSD_LRS" or "Premium_LRS"',
  },
  {
    case: 'loginTimeoutSeconds below 900',
    bad: (s) => vm(s, { loginTimeoutSeconds: 899 }),
    good: (s) => vm(s, { loginTimeoutSeconds: 900 }),
    path: 'Test/DockerVm',
    line: `  - loginTimeoutSeconds: 899 ${TIMEOUT_RULE}`,
  },
  {
    case: 'loginTimeoutSeconds above 7200',
    bad: (s) => vm(s, { loginTimeoutSeconds: 7201 }),
    good: (s) => vm(s, { loginTimeoutSeconds: 7200 }),
    path: 'Test/DockerVm',
    line: `  - loginTimeoutSeconds: 7201 ${TIMEOUT_RULE}`,
  },
  {
    case: 'loginTimeoutSeconds not a whole number',
    bad: (s) => vm(s, { loginTimeoutSeconds: 1000.5 }),
    good: (s) => vm(s, { loginTimeoutSeconds: 1000 }),
    path: 'Test/DockerVm',
    line: `  - loginTimeoutSeconds: 1000.5 ${TIMEOUT_RULE}`,
  },
  {
    case: 'loginTimeoutSeconds that is a token',
    bad: (s) => vm(s, { loginTimeoutSeconds: variable(s, 'timeout', 'number').numberValue }),
    good: (s) => vm(s, { loginTimeoutSeconds: 1800 }),
    path: 'Test/DockerVm',
    line: {
      property: 'loginTimeoutSeconds',
      after: 'is a token (known only at apply), but the login\'s user data is written at synth with the literal number. ' +
        'Fix: pass a literal number of seconds, at least 900',
    },
  },
  {
    case: 'the same user-assigned identity twice',
    bad: (s) => { const id = newIdentity(s); return vm(s, { userAssignedIdentities: [id, id] }); },
    good: (s) => vm(s, { userAssignedIdentities: [newIdentity(s)] }),
    path: 'Test/DockerVm',
    line: '  - userAssignedIdentities: ["Test/AcrIdentity","Test/AcrIdentity"] lists the same identity twice. Fix: list each identity once',
  },
  {
    case: 'a grant to a VM without a system-assigned identity',
    bad: (s) => registry(s).grantPull(vm(s, { userAssignedIdentities: [newIdentity(s)] })),
    good: (s) => registry(s).grantPull(vm(s, { userAssignedIdentities: [newIdentity(s)], systemAssignedIdentity: true })),
    path: 'Test/DockerVm',
    line: '  - systemAssignedIdentity: false is off, so the VM has no identity of its own to grant a role to. ' +
      'Fix: set systemAssignedIdentity: true, or grant to the user-assigned identity (registry.grantPull(identity))',
  },
  {
    case: 'a login with a user-assigned identity the VM does not carry',
    bad: (s) => vm(s).pullImages(registry(s), ['aci-helloworld:v1'], { identity: newIdentity(s) }),
    good: (s) => { const id = newIdentity(s); vm(s, { userAssignedIdentities: [id] }).pullImages(registry(s), ['aci-helloworld:v1'], { identity: id }); },
    path: 'Test/DockerVm/Login',
    line: `  - pullImages(options.identity): "Test/AcrIdentity" ${NOT_ATTACHED}`,
  },
  {
    case: 'a login that does not say which of several user-assigned identities',
    bad: (s) => vm(s, { userAssignedIdentities: [newIdentity(s, 'A', 'idA'), newIdentity(s, 'B', 'idB')] })
      .pullImages(registry(s), ['aci-helloworld:v1']),
    good: (s) => { const b = newIdentity(s, 'B', 'idB'); vm(s, { userAssignedIdentities: [newIdentity(s, 'A', 'idA'), b] }).pullImages(registry(s), ['aci-helloworld:v1'], { identity: b }); },
    path: 'Test/DockerVm/Login',
    line: `  - pullImages(options.identity): (not set) is not set and the target's identity block has no system-assigned identity (type "UserAssigned") ${NO_SYSTEM}`,
  },
  {
    case: 'a login on a VM without any managed identity',
    bad: (s) => vm(s, { systemAssignedIdentity: false }).pullImages(registry(s), ['aci-helloworld:v1']),
    good: (s) => vm(s, { systemAssignedIdentity: true }).pullImages(registry(s), ['aci-helloworld:v1']),
    path: 'Test/DockerVm/Login',
    line: `  - pullImages(options.identity): (not set) is not set and the target's identity block has no system-assigned identity (type null) ${NO_SYSTEM}`,
  },
  ...([
    ['with the login server', 'mycontainerregistry.azurecr.io/aci-helloworld:v1', 'aci-helloworld:v1'],
    ['in uppercase', 'ACI-helloworld:v1', 'aci-helloworld:v1'],
    ['with a digest that is not sha256', `aci-helloworld@md5:${'a'.repeat(32)}`, 'aci-helloworld@sha256:' + 'a'.repeat(64)],
  ]).map(([what, bad, good]): Row => ({
    case: `an image ${what}`,
    bad: (s) => vm(s).pullImages(registry(s), [bad]),
    good: (s) => vm(s).pullImages(registry(s), [good]),
    path: 'Test/DockerVm/Login',
    line: `  - pullImages(images): ${JSON.stringify(bad)} ${IMAGE_RULE}`,
  })),
  {
    case: 'an image with a tag of 129 characters',
    bad: (s) => vm(s).pullImages(registry(s), [`aci-helloworld:${'t'.repeat(129)}`]),
    good: (s) => vm(s).pullImages(registry(s), [`aci-helloworld:${'t'.repeat(128)}`]),
    path: 'Test/DockerVm/Login',
    line: { property: 'pullImages(images)', after: IMAGE_RULE },
  },
  {
    case: 'images that are a token list',
    bad: (s) => vm(s).pullImages(registry(s), variable(s, 'images', 'list(string)').listValue),
    good: (s) => vm(s).pullImages(registry(s), ['aci-helloworld:v1']),
    path: 'Test/DockerVm/Login',
    line: {
      property: 'pullImages(images)',
      after: 'is a token list (known only at apply), but the login\'s user data names each image at synth. ' +
        'Fix: pass a literal list of image references, e.g. ["aci-helloworld:v1"]',
    },
  },
  ...['my registry', 'my-registry', 'acr'].map((bad): Row => ({
    case: `a custom registry named "${bad}"`,
    bad: (s) => vm(s).pullImages(customRegistry(s, bad), ['aci-helloworld:v1']),
    good: (s) => vm(s).pullImages(customRegistry(s, 'myregistry'), ['aci-helloworld:v1']),
    path: 'Test/DockerVm/Login',
    line: `  - pullImages(registry.registryName): "${bad}" ${REGISTRY_NAME_RULE}. ` +
      'Fix: give the registry\'s name as az acr list --query [].name shows it, e.g. "mycontainerregistry"',
  })),
  {
    case: 'a custom registry whose login server has a scheme',
    bad: (s) => vm(s).pullImages(customRegistry(s, 'myregistry', 'https://myregistry.azurecr.io'), ['aci-helloworld:v1']),
    good: (s) => vm(s).pullImages(customRegistry(s, 'myregistry', 'myregistry.azurecr.io'), ['aci-helloworld:v1']),
    path: 'Test/DockerVm/Login',
    line: '  - pullImages(registry.loginServer): "https://myregistry.azurecr.io" is not a host name (no scheme, path, port or spaces). ' +
      'Fix: give the registry\'s login server as az acr show --query loginServer shows it, e.g. "mycontainerregistry.azurecr.io"',
  },
  {
    case: 'the public IP address of a VM without one',
    bad: (s) => vm(s).publicIpAddress,
    good: (s) => vm(s, { associatePublicIpAddress: true }).publicIpAddress,
    path: 'Test/DockerVm',
    line: '  - associatePublicIpAddress: (not set) is off, so the VM has no public IP address. Fix: set associatePublicIpAddress: true',
  },
  {
    case: 'no images to pull',
    bad: (s) => vm(s).pullImages(registry(s), []),
    good: (s) => vm(s).pullImages(registry(s), ['aci-helloworld:v1']),
    path: 'Test/DockerVm/Login',
    line: '  - pullImages(images): [] is empty. Fix: name at least one image, e.g. ["aci-helloworld:v1"]',
  },
];

const ROWS: Row[] = [...REGISTRY_ROWS, ...IDENTITY_ROWS, ...VM_NAME_ROWS, ...SSH_KEY_ROWS, ...SOURCE_ROWS, ...VM_SETTING_ROWS];

/** Whatever `fn` throws; fails when it throws nothing. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but nothing was thrown');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('bad input fails at synth with a stable message, and its valid neighbour passes', () => {
  test('the table has at least 40 bad inputs, each named once', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ROWS.map((r) => r.case)).size).toBe(ROWS.length);
  });

  test.each(ROWS.map((row) => [row.case, row] as const))('%s', (_, row) => {
    // GIVEN / WHEN the bad input
    const error = thrownBy(() => row.bad(newStack()));
    // THEN one ValidationError (never a TypeError) for the construct, with exactly this problem
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).not.toBeInstanceOf(TypeError);
    const validationError = error as ValidationError;
    expect(validationError.name).toBe('ValidationError');
    expect(validationError.constructPath).toBe(row.path);
    expect(validationError.problems).toHaveLength(1);
    const lines = validationError.message.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^[A-Za-z.]+ at '${escapeRegExp(row.path)}' has invalid input:$`));
    if (typeof row.line === 'string') {
      expect(lines).toContain(row.line);
    } else {
      expect(lines).toContainEqual(expect.stringMatching(
        new RegExp(`^ {2}- ${escapeRegExp(row.line.property)}: .+ ${escapeRegExp(row.line.after)}$`)));
    }
    // AND the valid neighbour passes, through a full synth with validations
    const stack = newStack();
    expect(() => row.good(stack)).not.toThrow();
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test.each(RESERVED_ADMIN_USERNAMES)('every reserved admin username is refused: %s', (username) => {
    const error = thrownBy(() => vm(newStack(), { adminUsername: username })) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message.split('\n')).toContain(`  - adminUsername: ${JSON.stringify(username)} ${RESERVED}`);
    // AND the same name with a suffix that Azure does not reserve passes
    expect(() => vm(newStack(), { adminUsername: `x${username}` })).not.toThrow();
  });

  test('user data over 64 KiB of base64 is reported by synth validations; under the limit it passes', () => {
    // GIVEN a VM asked to pull so many images that its user data (the registry logins) outgrows Azure's limit
    const images = Array.from({ length: 1200 }, (_, i) => `team-${i}/a-service-with-a-rather-long-repository-name:v1.2.${i}`);
    const big = newStack();
    vm(big).pullImages(registry(big), images);
    // WHEN synthesized with validations / THEN the problem is reported with the construct path
    expect(() => Testing.synth(big, true)).toThrow(new RegExp(
      "ContainerRegistryLogin at 'Test/DockerVm/Login' has invalid input:\\n {2}- userData: \\d+ bytes of user data \\(the login payload and the registry logins, tokens estimated\\), " +
        "over Azure's limit of 49152 bytes \\(64 KiB in base64\\)\\. Fix: pull fewer images on this machine"));
    // AND a tenth of the images passes
    const small = newStack();
    vm(small).pullImages(registry(small), images.slice(0, 120));
    expect(() => Testing.synth(small, true)).not.toThrow();
  });
});

describe('the validation error', () => {
  test('several bad props are reported in ONE error, in property order', () => {
    // GIVEN a VM with five bad props
    const error = thrownBy(() => vm(newStack(), {
      name: 'my vm', adminUsername: 'root', sshPublicKey: 'x', sshSourceAddressPrefixes: ['*'], loginTimeoutSeconds: 60,
    })) as ValidationError;
    // THEN one error lists them all
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.problems.map((p) => p.property)).toEqual(['name', 'adminUsername', 'sshPublicKey', 'sshSourceAddressPrefixes', 'loginTimeoutSeconds']);
    expect(error.message.split('\n')).toEqual([
      "DockerVirtualMachine at 'Test/DockerVm' has invalid input:",
      `  - name: "my vm" ${VM_NAME_PROBLEM}`,
      `  - adminUsername: "root" ${RESERVED}`,
      `  - sshPublicKey: "x" ${KEY_FORM}`,
      `  - sshSourceAddressPrefixes: "*" ${INTERNET}`,
      `  - loginTimeoutSeconds: 60 ${TIMEOUT_RULE}`,
    ]);
  });

  test('a registry with several bad props reports them in one error', () => {
    const error = thrownBy(() => registry(newStack(), {
      name: 'my-registry', sku: RegistrySku.BASIC, anonymousPullEnabled: true, zoneRedundancyEnabled: true,
    })) as ValidationError;
    expect(error.problems.map((p) => p.property)).toEqual(['name', 'zoneRedundancyEnabled', 'anonymousPullEnabled']);
  });

  test('missing required props (plain JavaScript) are a ValidationError, not a TypeError', () => {
    const error = thrownBy(() => new DockerVirtualMachine(newStack(), 'DockerVm', {} as any)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message.split('\n')).toEqual([
      "DockerVirtualMachine at 'Test/DockerVm' has invalid input:",
      '  - name: (not set) is required and must be a string. Fix: set name, e.g. "myDockerVM"',
      '  - resourceGroupName: (not set) is required and must be a string. Fix: set resourceGroupName, e.g. "myResourceGroup"',
      '  - location: (not set) is required and must be a string. Fix: set location, e.g. "eastus"',
      '  - sshPublicKey: (not set) is required and must be a string. Fix: set sshPublicKey, e.g. the contents of ~/.ssh/id_ed25519.pub',
    ]);
    const noProps = thrownBy(() => new DockerVirtualMachine(newStack(), 'DockerVm', undefined as any));
    expect(noProps).toBeInstanceOf(ValidationError);
  });

  test('a pasted private key is never echoed in the error', () => {
    const { privateKeyPem } = keyPair('rsa-2048');
    const error = thrownBy(() => vm(newStack(), { sshPublicKey: privateKeyPem })) as ValidationError;
    const body = privateKeyPem.split('\n')[1];
    expect(error.message).not.toContain(body.slice(0, 20));
    expect(JSON.stringify(error.problems)).not.toContain(body.slice(0, 20));
  });
});

describe('tokens (known only at apply) pass through unvalidated', () => {
  test('a VM whose names, key, ranges and subnet are tokens synthesizes them as references', () => {
    // GIVEN variables for everything a user might take from outside the stack
    const stack = newStack();
    const v = (n: string, type = 'string') => variable(stack, n, type);
    // WHEN
    new DockerVirtualMachine(stack, 'DockerVm', {
      name: v('vm_name').stringValue,
      resourceGroupName: v('rg').stringValue,
      location: v('location').stringValue,
      computerName: v('host').stringValue,
      sshPublicKey: v('key').stringValue,
      sshSourceAddressPrefixes: [v('admin_cidr').stringValue],
      subnetId: v('subnet').stringValue,
    });
    // THEN no validation error, and the references are in the JSON
    const json = JSON.parse(Testing.synth(stack, true));
    const machine = Object.values(json.resource.azurerm_linux_virtual_machine)[0] as any;
    expect(machine.name).toBe('${var.vm_name}');
    expect(machine.admin_ssh_key[0].public_key).toBe('${var.key}');
    const rule = (Object.values(json.resource.azurerm_network_security_rule) as any[]).find((r) => r.access === 'Allow');
    expect(rule.source_address_prefix).toBe('${var.admin_cidr}');
    const nic = Object.values(json.resource.azurerm_network_interface)[0] as any;
    expect(nic.ip_configuration[0].subnet_id).toBe('${var.subnet}');
  });

  test('a token list of SSH sources becomes source_address_prefixes', () => {
    const stack = newStack();
    new DockerVirtualMachine(stack, 'DockerVm', vmProps({ sshSourceAddressPrefixes: variable(stack, 'cidrs', 'list(string)').listValue }));
    const rules = Object.values(JSON.parse(Testing.synth(stack, true)).resource.azurerm_network_security_rule) as any[];
    const rule = rules.find((r) => r.access === 'Allow');
    expect(rule.source_address_prefixes).toBe('${var.cidrs}');
    expect(rule).not.toHaveProperty('source_address_prefix');
  });

  test('a registry, lookup and imported identity whose names and IDs are tokens', () => {
    const stack = newStack();
    expect(() => {
      registry(stack, { name: variable(stack, 'acr').stringValue, resourceGroupName: variable(stack, 'rg').stringValue });
      ContainerRegistry.fromLookup(stack, 'Lookup', { registryName: variable(stack, 'other').stringValue, resourceGroupName: RG });
      ContainerRegistry.fromRegistryAttributes(stack, 'Attrs', { registryId: variable(stack, 'acr_id').stringValue });
      UserAssignedIdentity.fromIdentityAttributes(stack, 'Imported', {
        identityId: variable(stack, 'id').stringValue,
        principalId: variable(stack, 'principal').stringValue,
        clientId: variable(stack, 'client').stringValue,
      });
      new UserAssignedIdentity(stack, 'Identity', { name: variable(stack, 'identity').stringValue, resourceGroupName: RG, location: 'eastus' });
      Testing.synth(stack, true);
    }).not.toThrow();
  });
});

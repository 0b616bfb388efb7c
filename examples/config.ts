import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { generateKeyPairSync } from 'crypto';
import { homedir } from 'os';
import { join } from 'path';
import * as sshpk from 'sshpk';
import { IConstruct } from 'constructs';

/**
 * What a platform team sets to run the tutorial in its own subscription, without editing code.
 * Each key is read from the environment variable `ACR_DEMO_<KEY in SCREAMING_SNAKE_CASE>` or the
 * cdktf context key of the same name (`cdktf.json` "context", or `-c` … is not supported by cdktf
 * synth: use the environment). The README's configuration table lists them.
 */
export interface ExampleConfig {
  /** @default 'eastus' */
  readonly location: string;
  /** @default 'myResourceGroup' */
  readonly resourceGroupName: string;
  /** Use an existing resource group instead of creating it. @default false */
  readonly useExistingResourceGroup: boolean;
  /**
   * The registry's name. Registry names are global, so the default adds 8 hex characters derived
   * from the subscription ID to the tutorial's name.
   * @default - 'myContainerRegistry' + a suffix unique to the subscription
   */
  readonly registryName?: string;
  /** Look up an existing registry instead of creating one. @default false */
  readonly useExistingRegistry: boolean;
  /** Import the sample image into the registry with `az acr import` on the deploying machine. @default true */
  readonly importSampleImage: boolean;
  /**
   * Run the tutorial on a registry in ABAC mode ("RBAC Registry + ABAC Repository Permissions"): a new registry is
   * switched with `az acr update --role-assignment-mode rbac-abac`, an existing one is declared so, and the pull is
   * granted on the sample image's repository only (Container Registry Repository Reader with a condition).
   * @default false
   */
  readonly abacRegistry: boolean;
  /**
   * The private variant: a new registry is Premium with public network access off, and a private endpoint in the
   * VM's subnet (with the `privatelink.azurecr.io` zone linked to the VM's virtual network) makes the VM pull over
   * private addresses. An existing registry gets the endpoint (it must be Premium; its public access is left as it
   * is). The AKS example refuses it.
   * @default false
   */
  readonly privateRegistry: boolean;
  /** @default 'myDockerVM' */
  readonly vmName: string;
  /** @default 'myACRId' */
  readonly identityName: string;
  /** @default 'azureuser' */
  readonly adminUsername: string;
  /** The admin user's SSH public key (its text). @default - ~/.ssh/id_ed25519.pub or ~/.ssh/id_rsa.pub, generated when neither exists */
  readonly sshPublicKey: string;
  /** Source ranges allowed to SSH to the VM, comma-separated in the environment. @default - none */
  readonly sshSourceAddressPrefixes: string[];
  /** The image to pull, relative to the registry. @default 'aci-helloworld:v1' */
  readonly image: string;
  /** The AKS example's cluster name. @default 'myAKSCluster' */
  readonly aksClusterName: string;
  /** The VM size of the AKS example's one node pool. @default 'Standard_D2s_v5' */
  readonly aksNodeSize: string;
  /** The number of nodes of the AKS example's node pool. @default 1 */
  readonly aksNodeCount: number;
  /** Azure Storage for remote state with locking (azurerm backend); unset = local state. */
  readonly backend?: RemoteStateConfig;
}

/** Where the azurerm backend keeps the state (one blob per stack, locked with a blob lease). */
export interface RemoteStateConfig {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  /** @default 'tfstate' */
  readonly containerName: string;
}

/** The tutorial's sample image, from Microsoft's public registry. */
export const SAMPLE_IMAGE_SOURCE = 'mcr.microsoft.com/azuredocs/aci-helloworld:v1';

/** Reads the configuration from the environment and the cdktf context. */
export function readExampleConfig(scope: IConstruct, env: NodeJS.ProcessEnv = process.env): ExampleConfig {
  const get = (key: string): string | undefined => {
    const fromEnv = env[`ACR_DEMO_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
    const value = fromEnv ?? scope.node.tryGetContext(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const flag = (key: string, fallback: boolean): boolean => {
    const value = get(key);
    return value === undefined ? fallback : /^(1|true|yes|on)$/i.test(value);
  };
  return {
    location: get('location') ?? 'eastus',
    resourceGroupName: get('resourceGroupName') ?? 'myResourceGroup',
    useExistingResourceGroup: flag('useExistingResourceGroup', false),
    registryName: get('registryName'),
    useExistingRegistry: flag('useExistingRegistry', false),
    importSampleImage: flag('importSampleImage', true),
    abacRegistry: flag('abacRegistry', false),
    privateRegistry: flag('privateRegistry', false),
    vmName: get('vmName') ?? 'myDockerVM',
    identityName: get('identityName') ?? 'myACRId',
    adminUsername: get('adminUsername') ?? 'azureuser',
    sshPublicKey: get('sshPublicKey') ?? defaultSshPublicKey(join(homedir(), '.ssh')),
    sshSourceAddressPrefixes: (get('sshSourceAddressPrefixes') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    image: get('image') ?? 'aci-helloworld:v1',
    aksClusterName: get('aksClusterName') ?? 'myAKSCluster',
    aksNodeSize: get('aksNodeSize') ?? 'Standard_D2s_v5',
    aksNodeCount: nodeCountOf(get('aksNodeCount')),
    backend: remoteStateOf(get),
  };
}

/** The AKS node count: a whole number of at least 1. */
function nodeCountOf(value: string | undefined): number {
  if (value === undefined) return 1;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`ACR_DEMO_AKS_NODE_COUNT is "${value}", not a whole number of nodes. Fix: set it to 1 or more, e.g. 1.`);
  }
  return count;
}

/** The azurerm backend's settings, when remote state is switched on. */
function remoteStateOf(get: (key: string) => string | undefined): RemoteStateConfig | undefined {
  const storageAccountName = get('stateStorageAccount');
  if (storageAccountName === undefined) return undefined;
  const resourceGroupName = get('stateResourceGroupName');
  if (resourceGroupName === undefined) {
    // The stacks create (and destroy) their own resource group: the state must live elsewhere.
    throw new Error('ACR_DEMO_STATE_STORAGE_ACCOUNT is set but ACR_DEMO_STATE_RESOURCE_GROUP_NAME is not. '
      + 'Fix: name the resource group of the state storage account; it must not be the one the stacks create.');
  }
  return { storageAccountName, resourceGroupName, containerName: get('stateContainerName') ?? 'tfstate' };
}

/**
 * Like `az vm create --generate-ssh-keys`: the user's existing public key, or a new key pair
 * written to ~/.ssh. Only the public key is returned; the private key never leaves ~/.ssh.
 */
export function defaultSshPublicKey(sshDir: string): string {
  for (const name of ['id_ed25519.pub', 'id_rsa.pub']) {
    const file = join(sshDir, name);
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  }
  const { privateKey } = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = sshpk.parsePrivateKey(privateKey, 'pem');
  key.comment = 'generated-by-cdktf-azure-acr-identity';
  const publicKey = key.toPublic().toString('ssh');
  mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  if (existsSync(join(sshDir, 'id_ed25519'))) {
    throw new Error(`${join(sshDir, 'id_ed25519')} exists but its .pub does not. Fix: restore it `
      + '(ssh-keygen -y -f ~/.ssh/id_ed25519 > ~/.ssh/id_ed25519.pub), or set ACR_DEMO_SSH_PUBLIC_KEY.');
  }
  writeFileSync(join(sshDir, 'id_ed25519'), key.toString('openssh'), { mode: 0o600, flag: 'wx' });
  writeFileSync(join(sshDir, 'id_ed25519.pub'), `${publicKey}\n`, { mode: 0o644, flag: 'wx' });
  return publicKey;
}

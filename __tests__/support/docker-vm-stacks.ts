/**
 * Test support for DockerVirtualMachine: real SSH keys made with node's crypto (converted to OpenSSH
 * form by sshpk), and the stacks of the tutorial's variants, shared by the construct's tests and the
 * schema test.
 */
import * as crypto from 'crypto';
import { TerraformStack, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import * as sshpk from 'sshpk';
import { DockerVirtualMachine, DockerVirtualMachineProps, UbuntuImage } from '../../lib/docker-vm';
import { UserAssignedIdentity } from '../../lib/identity';
import { ContainerRegistry, IContainerRegistry } from '../../lib/registry';

export const RG = 'myResourceGroup';
export const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
export const SUBNET_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/virtualNetworks/sharedVnet/subnets/vms`;
export const IMPORTED_REGISTRY_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.ContainerRegistry/registries/otherRegistry`;

export type KeyKind = 'ed25519' | 'rsa-1024' | 'rsa-2047' | 'rsa-2048' | 'ecdsa' | 'dsa';

interface KeyPair {
  /** One line, `<type> <base64> <comment>`, as in `~/.ssh/id_*.pub`. */
  readonly publicKey: string;
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** `-----BEGIN OPENSSH PRIVATE KEY-----`, as in `~/.ssh/id_*`. */
  readonly privateKeyOpenSsh: string;
  /** `-----BEGIN PUBLIC KEY-----` (SPKI PEM). */
  readonly publicKeyPem: string;
}

const GENERATE: Record<KeyKind, () => crypto.KeyPairKeyObjectResult> = {
  'ed25519': () => crypto.generateKeyPairSync('ed25519'),
  'rsa-1024': () => crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }),
  'rsa-2047': () => crypto.generateKeyPairSync('rsa', { modulusLength: 2047 }),
  'rsa-2048': () => crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }),
  'ecdsa': () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  'dsa': () => crypto.generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }),
};

const keys = new Map<KeyKind, KeyPair>();

/** A fresh key pair of the kind, made once per test file (RSA generation takes a while). */
export function keyPair(kind: KeyKind): KeyPair {
  let pair = keys.get(kind);
  if (!pair) {
    const { publicKey, privateKey } = GENERATE[kind]();
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const sshKey = sshpk.parseKey(publicKeyPem, 'pem');
    sshKey.comment = 'azureuser@laptop';
    pair = {
      publicKey: sshKey.toString('ssh'),
      publicKeyPem,
      privateKeyPem,
      privateKeyOpenSsh: sshpk.parsePrivateKey(privateKeyPem, 'pem').toString('ssh'),
    };
    keys.set(kind, pair);
  }
  return pair;
}

/** The OpenSSH public key of the kind. */
export function sshPublicKey(kind: KeyKind = 'ed25519'): string {
  return keyPair(kind).publicKey;
}

/** A stack with the azurerm provider, so `Testing.synth(stack, true)` can run every validation. */
export function newStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'Test');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  return stack;
}

/** The props every VM of the tests starts from. */
export function vmProps(overrides: Partial<DockerVirtualMachineProps> = {}): DockerVirtualMachineProps {
  return { name: 'myDockerVM', resourceGroupName: RG, location: 'eastus', sshPublicKey: sshPublicKey(), ...overrides };
}

export function newRegistry(stack: TerraformStack, id = 'Registry'): ContainerRegistry {
  return new ContainerRegistry(stack, id, { name: 'myContainerRegistry', resourceGroupName: RG, location: 'eastus' });
}

/** A registry made elsewhere, with literal attributes: the cloud-config then has no tokens. */
export function importedRegistry(stack: TerraformStack, id = 'Imported'): IContainerRegistry {
  return ContainerRegistry.fromRegistryAttributes(stack, id, { registryId: IMPORTED_REGISTRY_ID });
}

export function newIdentity(stack: TerraformStack, id = 'AcrIdentity', name = 'myACRId'): UserAssignedIdentity {
  return new UserAssignedIdentity(stack, id, { name, resourceGroupName: RG, location: 'eastus' });
}

export interface VmStack {
  readonly stack: TerraformStack;
  readonly vm: DockerVirtualMachine;
  readonly registry: ContainerRegistry;
  readonly identity?: UserAssignedIdentity;
}

/** Example 2 of the tutorial: the VM's own identity pulls; SSH from one range, a public IP. */
export function systemAssignedVm(): VmStack {
  const stack = newStack();
  const registry = newRegistry(stack);
  const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({
    systemAssignedIdentity: true, associatePublicIpAddress: true, sshSourceAddressPrefixes: ['203.0.113.0/24'],
  }));
  registry.grantPull(vm);
  vm.pullImages(registry, ['aci-helloworld:v1']);
  return { stack, vm, registry };
}

/** Example 1 of the tutorial: a user-assigned identity pulls. */
export function userAssignedVm(): VmStack {
  const stack = newStack();
  const registry = newRegistry(stack);
  const identity = newIdentity(stack);
  const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({ userAssignedIdentities: [identity] }));
  registry.grantPull(identity);
  vm.pullImages(registry, ['aci-helloworld:v1'], { identity });
  return { stack, vm, registry, identity };
}

/** Both identity kinds: the VM's own identity pulls from one registry, a user-assigned one from another. */
export function bothIdentitiesVm(): VmStack {
  const stack = newStack();
  const registry = newRegistry(stack);
  const other = importedRegistry(stack);
  const identity = newIdentity(stack);
  const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({
    systemAssignedIdentity: true, userAssignedIdentities: [identity], sshSourceAddressPrefixes: ['203.0.113.4', '198.51.100.0/24'],
  }));
  registry.grantPull(vm);
  other.grantPull(identity);
  vm.pullImages(registry, ['aci-helloworld:v1']);
  vm.pullImages(other, ['tools/busybox:1.36'], { identity });
  return { stack, vm, registry, identity };
}

/** An existing subnet, Ubuntu 24.04, every optional prop set. */
export function existingSubnetVm(): VmStack {
  const stack = newStack();
  const registry = newRegistry(stack);
  const vm = new DockerVirtualMachine(stack, 'DockerVm', vmProps({
    subnetId: SUBNET_ID,
    image: UbuntuImage.UBUNTU_24_04,
    adminUsername: 'dockeradmin',
    computerName: 'docker-host',
    size: 'Standard_B2s',
    sshPublicKey: sshPublicKey('rsa-2048'),
    sshSourceAddressPrefixes: ['VirtualNetwork'],
    associatePublicIpAddress: true,
    allowExtensionOperations: true,
    osDiskStorageAccountType: 'Premium_LRS',
    loginTimeoutSeconds: 900,
    tags: { env: 'test' },
  }));
  registry.grantPull(vm);
  vm.pullImages(registry, ['aci-helloworld:v1', 'tools/busybox@sha256:' + 'a'.repeat(64)]);
  return { stack, vm, registry };
}

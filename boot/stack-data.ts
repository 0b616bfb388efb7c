import { createHash } from 'crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { BootTestFailure, run } from './process';

/**
 * What a synthesized stack hands one machine, evaluated as Terraform would at apply: the exact `custom_data`
 * and `user_data` (decoded), the admin user and the identities Azure attaches. Expressions are evaluated by
 * real Terraform; each reference to an attribute Azure computes (a registry's login server, an identity's
 * client ID, the subscription) is replaced, by exact string replacement of its text, with a local holding the
 * fake Azure's value for it. Attributes set in the configuration (a registry's name) keep their expression.
 */
export interface MachineData {
  readonly stack: string;
  /** Terraform address, e.g. azurerm_linux_virtual_machine.DockerVm. */
  readonly address: string;
  readonly computerName: string;
  readonly adminUsername: string;
  /** The admin user's SSH public key (admin_ssh_key), which Azure installs; empty for a VM made elsewhere. */
  readonly sshPublicKey: string;
  readonly customData: string;
  readonly userData: string;
  readonly identity: MachineIdentity;
  /** The registries the stack's data refers to, as the fake Azure serves them. */
  readonly registries: FakeRegistry[];
  /** A CustomScript extension's script, which the Azure agent runs as root on the booted machine. */
  readonly agentScript?: string;
}

/**
 * A VM that Terraform does not manage, given a login by a CustomScript extension of the stack
 * (ContainerRegistryLogin.onExistingVirtualMachine): what the stack cannot say about it.
 */
export interface ExistingMachine {
  readonly name: string;
  readonly adminUsername: string;
  /** Addresses of the stack's user-assigned identities assigned to the VM by hand. */
  readonly userAssignedIdentities: string[];
}

/** An existing VM's own custom_data: none of the login's (a plain cloud-config). */
const EXISTING_MACHINE_CUSTOM_DATA = '#cloud-config\n# a VM made elsewhere: the login comes from its CustomScript extension\n';

export interface MachineIdentity {
  readonly systemAssigned: boolean;
  /** Client IDs of the user-assigned identities attached to the machine. */
  readonly userAssignedClientIds: string[];
}

export interface FakeRegistry {
  readonly name: string;
  readonly loginServer: string;
}

/**
 * The resource types whose instances boot with custom_data and user_data at the top level of the resource (a
 * Uniform scale set's instance boots like a VM). A Flexible scale set (azurerm_orchestrated_virtual_machine_scale_set)
 * keeps its custom_data and admin user under os_profile: it joins here with a reader for that layout.
 */
export const MACHINE_RESOURCE_TYPES = ['azurerm_linux_virtual_machine', 'azurerm_linux_virtual_machine_scale_set'];

export const FAKE_SUBSCRIPTION_ID = 'b007b007-0000-4000-8000-00000000c0de';
export const FAKE_TENANT_ID = 'b007b007-0000-4000-8000-0000000074e4';

type TerraformJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  locals?: Record<string, unknown>;
};

/** A reference to a resource attribute in an expression: [data.]azurerm_type.name.attribute */
const REFERENCE = /\b((?:data\.)?azurerm_[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z0-9_]+)\b/g;
const LOCAL_REFERENCE = /\blocal\.([A-Za-z0-9_-]+)/g;

/**
 * Reads every machine of a synthesized stack (cdktf.out/stacks/<stack>) and evaluates its data with Terraform:
 * the VMs and scale sets, and, given `existing`, the VM a CustomScript extension of the stack logs in.
 */
export function readMachines(stackDir: string, stack: string, workDir: string, existing?: ExistingMachine): MachineData[] {
  const config = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as TerraformJson;
  const machines: MachineData[] = [];
  for (const type of MACHINE_RESOURCE_TYPES) {
    for (const [name, block] of Object.entries(config.resource?.[type] ?? {})) {
      const dir = join(workDir, `${stack}.${type}.${name}`);
      machines.push(evaluateMachine(config, stack, `${type}.${name}`, block, dir));
    }
  }
  for (const [name, block] of Object.entries(config.resource?.azurerm_virtual_machine_extension ?? {})) {
    if (existing && block.type === 'CustomScript' && block.publisher === 'Microsoft.Azure.Extensions') {
      const address = `azurerm_virtual_machine_extension.${name}`;
      machines.push(evaluateExtension(config, stack, address, block, join(workDir, `${stack}.${address}`), existing));
    }
  }
  if (machines.length === 0) {
    throw new BootTestFailure(`stack ${stack} has no ${MACHINE_RESOURCE_TYPES.join(' or ')}`);
  }
  return machines;
}

function evaluateMachine(config: TerraformJson, stack: string, address: string, block: Record<string, unknown>, dir: string): MachineData {
  const fakes = new FakeAzureState(config);
  const identityBlock = firstBlock(block.identity);
  const identityType = String(identityBlock?.type ?? '');
  const identityAddresses = ((identityBlock?.identity_ids as string[] | undefined) ?? []).map((id) => {
    const match = /^\$\{((?:data\.)?azurerm_user_assigned_identity\.[A-Za-z0-9_-]+)\.id\}$/.exec(id);
    if (!match) throw new BootTestFailure(`${stack} ${address}: identity_ids entry ${id} is not an identity of the stack`);
    return match[1];
  });

  const outputs: Record<string, string> = {
    custom_data: String(block.custom_data ?? ''),
    user_data: String(block.user_data ?? ''),
    admin_username: String(block.admin_username ?? ''),
    computer_name: String(block.computer_name ?? block.name ?? ''),
    ssh_public_key: String(firstBlock(block.admin_ssh_key)?.public_key ?? ''),
  };
  identityAddresses.forEach((identity, i) => { outputs[`identity_client_id_${i}`] = `\${${fakes.local(identity, 'client_id')}}`; });
  const texts = fakes.evaluate(outputs, dir);

  const registries = fakes.addressesOfType('azurerm_container_registry').map((registry) => ({
    name: texts[`fake:${registry}.name`],
    loginServer: texts[`fake:${registry}.login_server`],
  }));
  return {
    stack,
    address,
    computerName: texts.computer_name,
    adminUsername: texts.admin_username,
    sshPublicKey: texts.ssh_public_key,
    customData: Buffer.from(texts.custom_data, 'base64').toString('utf8'),
    userData: Buffer.from(texts.user_data, 'base64').toString('utf8'),
    identity: {
      systemAssigned: identityType.includes('SystemAssigned'),
      userAssignedClientIds: identityAddresses.map((_, i) => texts[`identity_client_id_${i}`]),
    },
    registries,
  };
}

function evaluateExtension(config: TerraformJson, stack: string, address: string, block: Record<string, unknown>, dir: string,
  existing: ExistingMachine): MachineData {
  const fakes = new FakeAzureState(config);
  const outputs: Record<string, string> = { protected_settings: String(block.protected_settings ?? '') };
  existing.userAssignedIdentities.forEach((identity, i) => { outputs[`identity_client_id_${i}`] = `\${${fakes.local(identity, 'client_id')}}`; });
  const texts = fakes.evaluate(outputs, dir);
  const settings = JSON.parse(texts.protected_settings) as { script?: string };
  if (!settings.script) throw new BootTestFailure(`${stack} ${address}: its protected settings have no script`);
  return {
    stack,
    address,
    computerName: existing.name,
    adminUsername: existing.adminUsername,
    sshPublicKey: '',
    customData: EXISTING_MACHINE_CUSTOM_DATA,
    userData: '',
    identity: { systemAssigned: false, userAssignedClientIds: existing.userAssignedIdentities.map((_, i) => texts[`identity_client_id_${i}`]) },
    registries: fakes.addressesOfType('azurerm_container_registry').map((registry) => ({
      name: texts[`fake:${registry}.name`],
      loginServer: texts[`fake:${registry}.login_server`],
    })),
    agentScript: Buffer.from(settings.script, 'base64').toString('utf8'),
  };
}

function firstBlock(value: unknown): Record<string, unknown> | undefined {
  return (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | undefined;
}

/**
 * The fake Azure's view of the stack's resources: each referenced attribute becomes a Terraform local, its
 * configured expression when the configuration sets it, else the value Azure would compute.
 */
class FakeAzureState {
  private readonly locals = new Map<string, string>();
  private readonly addresses = new Set<string>();

  constructor(private readonly config: TerraformJson) {}

  /** The local (`local.boot_fake__...`) standing for an attribute of a resource, defined on first use. */
  local(address: string, attribute: string): string {
    const name = `boot_fake__${address.replace(/\./g, '__')}__${attribute}`;
    if (!this.locals.has(name)) {
      this.locals.set(name, ''); // reserved first: attributes may refer to one another
      this.addresses.add(address);
      this.locals.set(name, this.substitute(this.valueOf(address, attribute)));
      // A registry's name and login server are what the fake registry serves: always evaluate both.
      if (address.replace(/^data\./, '').startsWith('azurerm_container_registry.')) {
        this.local(address, 'name');
        this.local(address, 'login_server');
      }
    }
    return `local.${name}`;
  }

  addressesOfType(type: string): string[] {
    return [...this.addresses].filter((address) => address.replace(/^data\./, '').startsWith(`${type}.`));
  }

  /** Evaluates each output expression (and every fake attribute, as `fake:<address>.<attribute>`) with Terraform. */
  evaluate(outputs: Record<string, string>, dir: string): Record<string, string> {
    const expressions = Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, this.substitute(value)]));
    const stackLocals = this.referencedStackLocals(Object.values(expressions));
    const fakeOutputs = [...this.locals.keys()].map((name): [string, string] => {
      const [, address, attribute] = /^boot_fake__(.*)__([a-z0-9_]+)$/.exec(name)!;
      return [`fake:${address.replace(/__/g, '.')}.${attribute}`, `\${local.${name}}`];
    });
    const all: Array<[string, string]> = [...Object.entries(expressions), ...fakeOutputs];
    const tf = {
      locals: { ...stackLocals, ...Object.fromEntries(this.locals) },
      output: Object.fromEntries(all.map(([, value], i) => [`o${i}`, { value }])),
    };
    const values = terraformOutputs(tf, dir);
    return Object.fromEntries(all.map(([key], i) => [key, values[`o${i}`]]));
  }

  /** The stack's locals the expressions use, transitively, with their references substituted. */
  private referencedStackLocals(expressions: string[]): Record<string, unknown> {
    const found: Record<string, unknown> = {};
    const pending = expressions.flatMap((text) => [...text.matchAll(LOCAL_REFERENCE)].map((m) => m[1]));
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name.startsWith('boot_fake__') || name in found) continue;
      if (!(name in (this.config.locals ?? {}))) throw new BootTestFailure(`the data refers to local.${name}, which the stack does not define`);
      const value = JSON.parse(this.substitute(JSON.stringify(this.config.locals![name]))) as unknown;
      found[name] = value;
      pending.push(...[...JSON.stringify(value).matchAll(LOCAL_REFERENCE)].map((m) => m[1]));
    }
    return found;
  }

  /** Replaces every resource attribute reference in the text with the local of its fake value. */
  private substitute(text: string): string {
    return text.replace(REFERENCE, (_, address: string, attribute: string) => this.local(address, attribute));
  }

  private valueOf(address: string, attribute: string): string {
    const isData = address.startsWith('data.');
    const [type, name] = address.replace(/^data\./, '').split('.');
    const block = (isData ? this.config.data : this.config.resource)?.[type]?.[name];
    if (block === undefined) throw new BootTestFailure(`the data refers to ${address}, which the stack does not define`);
    const configured = block[attribute];
    if (typeof configured === 'string') return configured;
    const computed = computedAttributes(type, address, (other) => this.local(address, other), block)[attribute];
    if (computed === undefined) {
      throw new BootTestFailure(`the data refers to ${address}.${attribute}: teach boot/stack-data.ts the fake Azure's value of it`);
    }
    return computed;
  }
}

/**
 * What Azure computes for a resource: the attributes the stacks' data may refer to, as Terraform templates.
 * `ref(attribute)` is the expression of another attribute of the same resource.
 */
function computedAttributes(type: string, address: string, ref: (attribute: string) => string, block: Record<string, unknown>): Record<string, string> {
  const group = typeof block.resource_group_name === 'string' ? `\${${ref('resource_group_name')}}` : 'myResourceGroup';
  const id = (provider: string) => `/subscriptions/${FAKE_SUBSCRIPTION_ID}/resourceGroups/${group}/providers/${provider}/\${${ref('name')}}`;
  switch (type) {
    case 'azurerm_client_config':
      return { subscription_id: FAKE_SUBSCRIPTION_ID, tenant_id: FAKE_TENANT_ID, client_id: fakeGuid(`${address}.client_id`), object_id: fakeGuid(`${address}.object_id`) };
    case 'azurerm_container_registry':
      return {
        name: typeof block.name === 'string' ? block.name : 'fakeregistry',
        login_server: `\${lower(${ref('name')})}.azurecr.io`,
        id: id('Microsoft.ContainerRegistry/registries'),
      };
    case 'azurerm_user_assigned_identity':
      return {
        client_id: fakeGuid(`${address}.client_id`),
        principal_id: fakeGuid(`${address}.principal_id`),
        tenant_id: FAKE_TENANT_ID,
        id: id('Microsoft.ManagedIdentity/userAssignedIdentities'),
      };
    case 'azurerm_resource_group':
      return { id: `/subscriptions/${FAKE_SUBSCRIPTION_ID}/resourceGroups/\${${ref('name')}}` };
    default:
      return {};
  }
}

/** A stable GUID-shaped fake value named by `seed`. */
export function fakeGuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Applies a providerless configuration with Terraform and returns its outputs as strings. */
function terraformOutputs(config: object, dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
  writeFileSync(join(dir, 'empty.tfrc'), '');
  const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'empty.tfrc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const options = { cwd: dir, env };
  run('terraform', ['init', '-input=false', '-no-color'], options);
  run('terraform', ['apply', '-auto-approve', '-input=false', '-no-color', '-state=terraform.tfstate'], options);
  const outputs = JSON.parse(run('terraform', ['output', '-json', '-no-color', '-state=terraform.tfstate'], options)) as
    Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, String(output.value)]));
}

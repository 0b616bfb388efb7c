import { RuleLevel } from '../rule';
import { blocks, Config, isSet, literalBool } from '../private/config';
import { CheckedResource, PolicyRule } from '../private/rule';
import { findSecrets } from '../private/secrets';

const LINUX_VM = 'azurerm_linux_virtual_machine';
const LINUX_VMSS = 'azurerm_linux_virtual_machine_scale_set';
const WINDOWS_VM = 'azurerm_windows_virtual_machine';
const WINDOWS_VMSS = 'azurerm_windows_virtual_machine_scale_set';
const ORCHESTRATED_VMSS = 'azurerm_orchestrated_virtual_machine_scale_set';
const LEGACY_VM = 'azurerm_virtual_machine';

/** Where a Linux machine's login settings live: at the top, or in an `os_profile` block. */
interface LinuxLogin {
  readonly prefix: string;
  readonly disablePasswordAuthentication: unknown;
  readonly adminPassword: { readonly name: string; readonly value: unknown };
  readonly keys: { readonly name: string; readonly items: Config[] | undefined };
}

function linuxLogins({ type, config }: CheckedResource): LinuxLogin[] {
  if (type === LINUX_VM || type === LINUX_VMSS) {
    return [{
      prefix: '',
      disablePasswordAuthentication: config.disable_password_authentication,
      adminPassword: { name: 'admin_password', value: config.admin_password },
      keys: { name: 'admin_ssh_key', items: blocks(config, 'admin_ssh_key') },
    }];
  }
  if (type === ORCHESTRATED_VMSS) {
    return (blocks(config, 'os_profile') ?? []).flatMap((profile) => (blocks(profile, 'linux_configuration') ?? []).map((linux) => ({
      prefix: 'os_profile.linux_configuration.',
      disablePasswordAuthentication: linux.disable_password_authentication,
      adminPassword: { name: 'os_profile.linux_configuration.admin_password', value: linux.admin_password },
      keys: { name: 'os_profile.linux_configuration.admin_ssh_key', items: blocks(linux, 'admin_ssh_key') },
    })));
  }
  if (type === LEGACY_VM) {
    const profile = (blocks(config, 'os_profile') ?? [])[0] ?? {};
    return (blocks(config, 'os_profile_linux_config') ?? []).map((linux) => ({
      prefix: 'os_profile_linux_config.',
      disablePasswordAuthentication: linux.disable_password_authentication,
      adminPassword: { name: 'os_profile.admin_password', value: profile.admin_password },
      keys: { name: 'os_profile_linux_config.ssh_keys', items: blocks(linux, 'ssh_keys') },
    }));
  }
  return [];
}

/** AZ-VM-001: a Linux machine that accepts passwords, or has no SSH key. */
export const VM_PASSWORD_LOGIN: PolicyRule = {
  id: 'AZ-VM-001',
  level: RuleLevel.ERROR,
  summary: 'Linux VM allows password login or has no SSH key',
  fix: 'give the VM an admin_ssh_key, set disable_password_authentication = true and remove admin_password (DockerVirtualMachine does this by default)',
  resourceTypes: [LINUX_VM, LINUX_VMSS, ORCHESTRATED_VMSS, LEGACY_VM],
  check: (resource) => linuxLogins(resource).flatMap((login) => {
    const problems: string[] = [];
    if (literalBool(login.disablePasswordAuthentication) === false) {
      problems.push(`${login.prefix}disable_password_authentication is false: SSH accepts passwords, which can be guessed`);
    }
    if (isSet(login.adminPassword.value)) {
      problems.push(`${login.adminPassword.name} is set: the password is written to the Terraform JSON and state`);
    }
    if (login.keys.items !== undefined && login.keys.items.length === 0) {
      problems.push(`${login.keys.name} is missing: nobody logs in with a key`);
    }
    return problems.length > 0 ? [problems.join('; ')] : [];
  }),
};

const EXTENSION_SWITCH: Record<string, string> = {
  [LINUX_VM]: 'allow_extension_operations',
  [WINDOWS_VM]: 'allow_extension_operations',
  [LINUX_VMSS]: 'extension_operations_enabled',
  [WINDOWS_VMSS]: 'extension_operations_enabled',
  [ORCHESTRATED_VMSS]: 'extension_operations_enabled',
};

/** AZ-VM-002: extensions (Run Command, Custom Script) run anything as root, from the control plane. */
export const VM_EXTENSION_OPERATIONS: PolicyRule = {
  id: 'AZ-VM-002',
  level: RuleLevel.WARNING,
  summary: 'VM allows extension operations',
  fix: 'set allow_extension_operations = false (scale sets: extension_operations_enabled = false) unless the VM needs an extension; cloud-init custom data needs none (DockerVirtualMachine: allowExtensionOperations defaults to false)',
  resourceTypes: Object.keys(EXTENSION_SWITCH),
  check: ({ type, config }) => {
    const name = EXTENSION_SWITCH[type];
    const value = config[name];
    const allowed = isSet(value) ? literalBool(value) === true : true; // the provider default is true
    return allowed
      ? [`${name} is ${isSet(value) ? 'true' : 'not set (the provider default is true)'}: anyone with Virtual Machine Contributor on it can run any command as root through extensions such as Run Command or Custom Script`]
      : [];
  },
};

/** The arguments that carry custom data or user data, by resource type. */
function startupData({ type, config }: CheckedResource): Array<[string, unknown]> {
  switch (type) {
    case LINUX_VM: case WINDOWS_VM: case LINUX_VMSS: case WINDOWS_VMSS:
      return [['custom_data', config.custom_data], ['user_data', config.user_data]];
    case ORCHESTRATED_VMSS:
      return [['user_data_base64', config.user_data_base64],
        ...(blocks(config, 'os_profile') ?? []).map((p): [string, unknown] => ['os_profile.custom_data', p.custom_data])];
    case LEGACY_VM:
      return (blocks(config, 'os_profile') ?? []).map((p): [string, unknown] => ['os_profile.custom_data', p.custom_data]);
    default:
      return [];
  }
}

/** AZ-VM-003: custom data and user data are readable by anyone who can read the VM, and from the VM itself. */
export const VM_SECRETS_IN_CUSTOM_DATA: PolicyRule = {
  id: 'AZ-VM-003',
  level: RuleLevel.ERROR,
  summary: 'Secrets in VM custom data or user data',
  fix: 'remove the secret: give the VM a managed identity and fetch what it needs at boot (az login --identity, Key Vault, AcrPull for registries); custom data is stored in the Terraform state and readable by anyone who can read the VM',
  resourceTypes: [LINUX_VM, WINDOWS_VM, LINUX_VMSS, WINDOWS_VMSS, ORCHESTRATED_VMSS, LEGACY_VM],
  check: (resource) => startupData(resource).flatMap(([name, value]) => {
    if (typeof value !== 'string') return [];
    const secrets = findSecrets(value);
    return secrets.length > 0 ? [`${name} contains ${secrets.join(', ')}`] : [];
  }),
};

export const VM_RULES: readonly PolicyRule[] = [VM_PASSWORD_LOGIN, VM_EXTENSION_OPERATIONS, VM_SECRETS_IN_CUSTOM_DATA];

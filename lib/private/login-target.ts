import type { LinuxVirtualMachine } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import type { LinuxVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import type { OrchestratedVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/orchestrated-virtual-machine-scale-set';

// The three provider resources a ContainerRegistryLogin attaches to, behind one view: where each keeps its
// admin user, custom data, user data and identity block.

/** A provider Linux VM or scale set that a registry login can be attached to. */
export type LoginTargetResource = LinuxVirtualMachine | LinuxVirtualMachineScaleSet | OrchestratedVirtualMachineScaleSet;

/** The target's identity block as configured: `type` and `identity_ids` (either may be a token). */
export interface TargetIdentity {
  readonly type?: string;
  readonly identityIds?: string[];
}

export interface LoginTarget {
  readonly resource: LoginTargetResource;
  /** e.g. `azurerm_linux_virtual_machine`. */
  readonly resourceType: string;
  /** Whether the resource kind can have a system-assigned identity. */
  readonly supportsSystemAssigned: boolean;
  /** Names of the arguments, for error messages. */
  readonly adminUsernameArgument: string;
  readonly customDataArgument: string;
  readonly userDataArgument: string;
  adminUsername(): string | undefined;
  customData(): string | undefined;
  setCustomData(value: string): void;
  userData(): string | undefined;
  setUserData(value: string): void;
  identity(): TargetIdentity | undefined;
}

const RESOURCE_TYPES = [
  'azurerm_linux_virtual_machine', 'azurerm_linux_virtual_machine_scale_set', 'azurerm_orchestrated_virtual_machine_scale_set',
];

/** The view of `resource`, or undefined when it is none of the supported kinds (checked by resource type, not class). */
export function loginTargetOf(resource: unknown): LoginTarget | undefined {
  const type = (resource as { terraformResourceType?: unknown } | undefined)?.terraformResourceType;
  if (typeof type !== 'string' || !RESOURCE_TYPES.includes(type)) return undefined;
  if (type === 'azurerm_orchestrated_virtual_machine_scale_set') return flexible(resource as OrchestratedVirtualMachineScaleSet);
  const target = resource as LinuxVirtualMachine | LinuxVirtualMachineScaleSet;
  return {
    resource: target,
    resourceType: type,
    supportsSystemAssigned: true,
    adminUsernameArgument: 'admin_username',
    customDataArgument: 'custom_data',
    userDataArgument: 'user_data',
    adminUsername: () => target.adminUsernameInput,
    customData: () => target.customDataInput,
    setCustomData: (value) => { target.customData = value; },
    userData: () => target.userDataInput,
    setUserData: (value) => { target.userData = value; },
    identity: () => target.identityInput,
  };
}

/** Flexible orchestration: custom data and the admin user in `os_profile`, user data as `user_data_base64`. */
function flexible(target: OrchestratedVirtualMachineScaleSet): LoginTarget {
  return {
    resource: target,
    resourceType: 'azurerm_orchestrated_virtual_machine_scale_set',
    // Microsoft's documentation and azurerm: Flexible scale sets take user-assigned identities only.
    supportsSystemAssigned: false,
    adminUsernameArgument: 'os_profile.linux_configuration.admin_username',
    customDataArgument: 'os_profile.custom_data',
    userDataArgument: 'user_data_base64',
    adminUsername: () => target.osProfileInput?.linuxConfiguration?.adminUsername,
    customData: () => target.osProfileInput?.customData,
    setCustomData: (value) => { target.osProfile.customData = value; },
    userData: () => target.userDataBase64Input,
    setUserData: (value) => { target.userDataBase64 = value; },
    identity: () => target.identityInput,
  };
}

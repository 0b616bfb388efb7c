/**
 * Raw provider targets of a ContainerRegistryLogin, as a team writes them with the provider's classes, and
 * cloud-init itself run on what the login gives them.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { TerraformStack } from 'cdktf';
import { LinuxVirtualMachine, LinuxVirtualMachineConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine';
import { LinuxVirtualMachineScaleSet, LinuxVirtualMachineScaleSetConfig } from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import {
  OrchestratedVirtualMachineScaleSet, OrchestratedVirtualMachineScaleSetConfig,
} from '@cdktf/provider-azurerm/lib/orchestrated-virtual-machine-scale-set';
import { RG, sshPublicKey, SUBNET_ID, SUBSCRIPTION } from './docker-vm-stacks';

const IMAGE = { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' };
export const NIC_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.Network/networkInterfaces/golden-nic`;

/** A team's golden VM: the provider's class, its own admin user and network interface. */
export function rawVm(stack: TerraformStack, overrides: Partial<LinuxVirtualMachineConfig> = {}, id = 'Golden'): LinuxVirtualMachine {
  return new LinuxVirtualMachine(stack, id, {
    name: 'golden-vm', resourceGroupName: RG, location: 'eastus', size: 'Standard_D2s_v5',
    adminUsername: 'azureuser', adminSshKey: [{ username: 'azureuser', publicKey: sshPublicKey() }],
    networkInterfaceIds: [NIC_ID], osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' },
    sourceImageReference: IMAGE, ...overrides,
  });
}

/** A Uniform scale set (azurerm_linux_virtual_machine_scale_set). */
export function rawScaleSet(stack: TerraformStack, overrides: Partial<LinuxVirtualMachineScaleSetConfig> = {}): LinuxVirtualMachineScaleSet {
  return new LinuxVirtualMachineScaleSet(stack, 'Fleet', {
    name: 'fleet', resourceGroupName: RG, location: 'eastus', sku: 'Standard_D2s_v5', instances: 3,
    adminUsername: 'azureuser', adminSshKey: [{ username: 'azureuser', publicKey: sshPublicKey() }],
    networkInterface: [{ name: 'nic', primary: true, ipConfiguration: [{ name: 'ipconfig', primary: true, subnetId: SUBNET_ID }] }],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' }, sourceImageReference: IMAGE, ...overrides,
  });
}

/** A Flexible scale set (azurerm_orchestrated_virtual_machine_scale_set): admin user and custom data in os_profile. */
export function rawFlexibleScaleSet(
  stack: TerraformStack, overrides: Partial<OrchestratedVirtualMachineScaleSetConfig> = {},
): OrchestratedVirtualMachineScaleSet {
  return new OrchestratedVirtualMachineScaleSet(stack, 'Flexible', {
    name: 'flexible', resourceGroupName: RG, location: 'eastus', platformFaultDomainCount: 1, skuName: 'Standard_D2s_v5', instances: 3,
    osProfile: {
      linuxConfiguration: {
        adminUsername: 'azureuser', adminSshKey: [{ username: 'azureuser', publicKey: sshPublicKey() }], disablePasswordAuthentication: true,
      },
    },
    networkInterface: [{ name: 'nic', primary: true, ipConfiguration: [{ name: 'ipconfig', primary: true, subnetId: SUBNET_ID }] }],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'StandardSSD_LRS' }, sourceImageReference: IMAGE, ...overrides,
  });
}

/** The base64 custom data of a cloud-init text, as a team passes it to the provider. */
export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** One part of user data as cloud-init walked it. */
export interface CloudInitPart {
  readonly content_type: string;
  readonly filename: string;
  readonly merge_type: string | null;
  readonly payload: string;
}

/** What cloud-init makes of user data: its parts in order and the cloud-config it merges them into. */
export interface CloudInitResult {
  readonly parts: CloudInitPart[];
  readonly cloud_config: Record<string, unknown>;
}

/** Runs cloud-init's own user-data processing and merging (support/cloud-init-process.py) on `userData`. */
export function processWithCloudInit(userData: string): CloudInitResult {
  const file = join(mkdtempSync(join(tmpdir(), 'cloud-init-')), 'user-data');
  writeFileSync(file, userData);
  const result = spawnSync('/usr/bin/python3', [join(__dirname, 'cloud-init-process.py'), file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cloud-init-process.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as CloudInitResult;
}

/** `cloud-init schema` on a cloud-config (JSON is YAML): its output, and whether it passed. */
export function cloudInitSchema(config: Record<string, unknown>): { ok: boolean; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'cloud-config-')), 'cloud-config.yaml');
  writeFileSync(file, `#cloud-config\n${JSON.stringify(config, null, 1)}\n`);
  const result = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

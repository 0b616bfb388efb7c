// The on-VM part of DockerVirtualMachine: cloud-config, registry login script, Azure CLI install script.
export * from './vm-scripts/azure-cli-install-script';
export * from './vm-scripts/cloud-config';
export * from './vm-scripts/custom-data';
export * from './vm-scripts/login-script';

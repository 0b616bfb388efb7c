// The on-VM part of DockerVirtualMachine: cloud-config, registry login script, Azure CLI install script.
export * from './azure-cli-install-script';
export * from './cloud-config';
export * from './custom-data';
export * from './login-script';

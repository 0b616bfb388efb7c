// The on-VM part of DockerVirtualMachine: cloud-config, login user data, registry login script, Azure CLI install script.
export * from './azure-cli-install-script';
export * from './cloud-config';
export * from './login-script';
export * from './terraform-base64';

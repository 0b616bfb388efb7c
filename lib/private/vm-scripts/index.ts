// The on-VM part of the registry login (docs/bootstrap.md): the static bootstrap (custom_data or a VM
// extension) and the user data (settings, logins, payload), rendered from the files in vm/.
export * from './bootstrap';
export * from './user-data';
export * from './terraform-base64';
// Deprecated: only lib/docker-vm.ts uses these, until it moves to the bootstrap (branch vm-login).
export { AZURE_CLI_INSTALL_SCRIPT_PATH, LOGIN_SCRIPT_PATH, renderCloudConfig, renderLoginUserData } from './cloud-config';
export type { CloudConfigOptions } from './cloud-config';
export * from './azure-cli-install-script';
export * from './login-script';

// The on-VM part of the registry login (docs/bootstrap.md): the static bootstrap (custom_data or a VM
// extension) and the user data (settings, logins, payload), rendered from the files in vm/.
export * from './bootstrap';
export * from './user-data';
export * from './terraform-base64';

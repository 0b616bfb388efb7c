/** Names the boot test's targets app and its checks share. */

/** What the team's own cloud-config of the RawVm target leaves behind: the boot test checks it ran beside the bootstrap. */
export const TEAM_CLOUD_CONFIG_MARKER = '/var/tmp/team-cloud-config-ran';

/** The VM of ExistingVmLogin, made outside Terraform: its admin user and the identity assigned to it by hand. */
export const EXISTING_VM = { name: 'existingvm', adminUsername: 'azureuser', identity: 'ExistingVmIdentity' };

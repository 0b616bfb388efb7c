/** What the team's own cloud-config of the RawVm target leaves behind: the boot test checks it ran beside the bootstrap. */
export const TEAM_CLOUD_CONFIG_MARKER = '/var/tmp/team-cloud-config-ran';

/**
 * Fakes for the root steps of a machine, so the real bootstrap and payload can run as the test's own user:
 * `runuser` runs the command as is (the test's user stands in for the admin), `id` knows the admin and
 * whether `usermod` added it to docker, `apt-get` "installs" docker.io and azure-cli, `curl` reaches a
 * {@link FakeAzure}. Everything else is the system's.
 */
import { FakeBin, FakeTool, installs } from './index';
import { curlThroughFakeAzure } from './fake-azure';

export const FAKE_ADMIN = 'azureuser';

export interface FakeMachineOptions {
  /** Docker is installed already. @default true */
  readonly docker?: boolean;
  /** The admin user is in the docker group already. @default false */
  readonly inDockerGroup?: boolean;
  /** The admin user exists. @default true */
  readonly adminExists?: boolean;
  /** @default - installs docker.io and azure-cli (the fake az must then be `absent`) */
  readonly aptGet?: FakeTool;
  /** @default - no az */
  readonly az?: FakeTool;
  /** @default - succeeds */
  readonly systemctl?: FakeTool;
}

export function fakeMachine(options: FakeMachineOptions = {}): FakeBin {
  const here = '"$(dirname "$0")"';
  const tools: Record<string, FakeTool> = {
    curl: curlThroughFakeAzure,
    runuser: { body: '[[ $1 == -u && $3 == -- ]] || exit 99; shift 3; exec "$@"' },
    id: {
      body: [
        `[[ $2 == ${FAKE_ADMIN} && ${options.adminExists ?? true} == true ]] || { echo "id: '$2': no such user" >&2; exit 1; }`,
        `if [[ $1 == -u ]]; then echo 1000; elif [[ ${options.inDockerGroup ?? false} == true || -f ${here}/usermod.count ]]; then echo "$2 adm docker"; else echo "$2 adm"; fi`,
      ].join('\n'),
    },
    usermod: {},
    systemctl: options.systemctl ?? {},
    journalctl: { body: 'echo "(the service\'s journal)"' },
    dpkg: { body: 'echo amd64' },
    'apt-get': options.aptGet ?? {
      body: `if [[ $* == *' install '*docker.io* ]]; then ${installs('docker')}; fi; if [[ $* == *' install '*azure-cli* ]]; then ${installs('az')}; fi`,
    },
    docker: { recordStdin: true, absent: !(options.docker ?? true) },
  };
  if (options.az) tools.az = options.az;
  return new FakeBin(tools);
}

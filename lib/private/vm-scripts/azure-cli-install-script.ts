/**
 * Installs a current Azure CLI from Microsoft's apt repository (bash), following Microsoft's "Install the
 * Azure CLI on Linux", apt, step by step. Ubuntu's own `azure-cli` package is years old (no
 * `az login --identity --client-id`). `\${` is a bash `${`: this is a JS template literal.
 */
export const AZURE_CLI_INSTALL_SCRIPT = `#!/usr/bin/env bash
# install-azure-cli: installs a current Azure CLI from Microsoft's apt repository.
# Ubuntu's own azure-cli package is outdated. Network steps are retried: networking is flaky at boot.
#   AZURE_CLI_INSTALL_RETRY_DELAY_SECONDS  delay between tries (default 15)
#   AZURE_CLI_INSTALL_ROOT                 directory the apt files are written under (default /; for tests)
set -euo pipefail

readonly me=install-azure-cli tries=5
readonly keyring=/etc/apt/keyrings/microsoft.gpg
root=\${AZURE_CLI_INSTALL_ROOT:-}
delay=\${AZURE_CLI_INSTALL_RETRY_DELAY_SECONDS:-15}
export DEBIAN_FRONTEND=noninteractive

# Runs a command up to $tries times.
retry() {
  local n
  for ((n = 1; n <= tries; n++)); do
    if "$@"; then
      return 0
    fi
    echo "$me: '$*' failed (try $n of $tries)" >&2
    if ((n < tries)); then
      sleep "$delay"
    fi
  done
  echo "$me: giving up on '$*'" >&2
  return 1
}

key=$(mktemp)
trap 'rm -f "$key"' EXIT
retry curl -fsSL -o "$key" https://packages.microsoft.com/keys/microsoft.asc
install -d -m 0755 "$root/etc/apt/keyrings" "$root/etc/apt/sources.list.d"
gpg --batch --yes --dearmor -o "$root$keyring" "$key"
chmod go+r "$root$keyring"

suite=$(lsb_release -cs)
architecture=$(dpkg --print-architecture)
cat >"$root/etc/apt/sources.list.d/azure-cli.sources" <<EOF
Types: deb
URIs: https://packages.microsoft.com/repos/azure-cli/
Suites: $suite
Components: main
Architectures: $architecture
Signed-by: $keyring
EOF

# Wait for a dpkg lock held by unattended-upgrades at boot rather than fail.
retry apt-get -o DPkg::Lock::Timeout=600 update
retry apt-get -o DPkg::Lock::Timeout=600 install -y azure-cli
echo "$me: installed the Azure CLI from https://packages.microsoft.com/repos/azure-cli/ ($suite, $architecture)"
`;

#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian/Ubuntu machine, then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."

# The tests check the generated cloud-config with cloud-init's schema, the scripts with shellcheck
# and the systemd units with systemd-analyze.
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v cloud-init >/dev/null || missing+=(cloud-init)
command -v systemd-analyze >/dev/null || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests need only `cloud-init schema`: keep cloud-init from configuring this machine at its next boot.
  if [[ " ${missing[*]} " == *" cloud-init "* ]]; then
    "${sudo_cmd[@]}" touch /etc/cloud/cloud-init.disabled
  fi
fi

npm ci --no-audit --no-fund
npm run typecheck
npm run lint
npm run docs:check
npm test
# Both packed packages (cdktf and cdktn), each installed offline into a scratch project and used by a
# consumer app; their synthesized Terraform compared.
bash scripts/package-test.sh

#!/usr/bin/env bash
# install-bootstrap: installs the acr-login bootstrap (format 1) on a running machine, as cloud-init does
# from custom_data at first boot: the same files, then 'acr-bootstrap activate'. Run as root, by a VM
# extension or by hand; running it again is harmless.
# The caller writes the user data to /etc/acr-login/user-data first (without it, the bootstrap reads the
# machine's user data from the Instance Metadata Service).
# Exit status: that of the first login run (0: logged in and pulled). The timer retries a failed run.
#   ACR_BOOTSTRAP_ROOT  directory the files are written under (default /; for tests)
set -euo pipefail

readonly me=install-bootstrap
root=${ACR_BOOTSTRAP_ROOT:-}

# Writes the base64 text on stdin to the file $1 (under $root) with mode $2, replacing it atomically.
install_file() {
  local target=$root$1
  install -d -m 0755 "$(dirname "$target")"
  base64 -d >"$target.new"
  chmod "$2" "$target.new"
  mv -f "$target.new" "$target"
}

if [[ ! -f $root/etc/acr-login/user-data ]]; then
  echo "$me: no /etc/acr-login/user-data: the bootstrap reads the machine's user data from the Instance Metadata Service" >&2
fi

echo "$me: installing the acr-login bootstrap, then running the first login"
# The files and the command of the bootstrap, as its cloud-config has them (generated):
#@BOOTSTRAP@

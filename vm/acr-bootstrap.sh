#!/usr/bin/env bash
# acr-bootstrap: the part of the registry login that never changes within bootstrap format 1
# (docs/bootstrap.md). Installed by cloud-init (custom_data) or by a VM extension, with acr-login.service
# and acr-login.timer; everything that changes between library releases travels in the user data.
#
#   acr-bootstrap run       what acr-login.service runs: reads the user data, installs the payload it
#                           carries when it differs from the installed one, and runs it as root
#   acr-bootstrap activate  run once after installing: enables the timer, runs the service and waits;
#                           exits non-zero when that first run failed (so cloud-init reports an error)
#
# The user data is /etc/acr-login/user-data when that file exists (VM extension, golden images), else
# the VM's user data from the Instance Metadata Service, retried while the service does not answer.
# Its first line must be '#acr-login-user-data 1'; the lines after '#acr-login-payload' are the payload,
# run as 'acr-login run <user data file>' with ACR_BOOTSTRAP_FORMAT=1 in its environment.
# Exit status: 0 done (or no user data), 1 failed (the timer runs again within 2 hours), 2 user data
# this bootstrap cannot use.
#   ACR_BOOTSTRAP_IMDS_TIMEOUT_SECONDS  how long to retry the Instance Metadata Service (default 600)
#   ACR_BOOTSTRAP_ROOT                  directory the files live under (default /; for tests)
set -euo pipefail

readonly me=acr-bootstrap
readonly format=1
readonly magic="#acr-login-user-data $format"
readonly payload_marker='#acr-login-payload'
readonly service=acr-login.service timer=acr-login.timer
readonly imds_url='http://169.254.169.254/metadata/instance/compute/userData?api-version=2021-01-01&format=text'
root=${ACR_BOOTSTRAP_ROOT:-}
readonly local_user_data=$root/etc/acr-login/user-data
readonly payload=$root/usr/local/lib/acr-login/acr-login
readonly run_dir=$root/run/acr-login
work='' staged=''

fail() {
  echo "$me: $2" >&2
  exit "$1"
}

# Writes the VM's user data (decoded) to $1, empty when the VM has none; fails while the Instance Metadata
# Service does not answer.
fetch_user_data() {
  local response status
  response=$(curl -sS --noproxy '*' --max-time 30 -H Metadata:true -w '\n%{http_code}' "$imds_url") || return
  status=${response##*$'\n'}
  case $status in
    200) base64 -d <<<"${response%$'\n'*}" >"$1" 2>/dev/null || fail 2 "the VM's user data from the Instance Metadata Service is not base64" ;;
    404) : >"$1" ;;
    *)
      echo "$me: the Instance Metadata Service answered HTTP $status" >&2
      return 1
      ;;
  esac
}

# Writes the user data to $1: the local file, else the Instance Metadata Service with retries.
read_user_data() {
  if [[ -f $local_user_data ]]; then
    echo "$me: reading the user data from $local_user_data"
    cp "$local_user_data" "$1"
    return
  fi
  local limit=${ACR_BOOTSTRAP_IMDS_TIMEOUT_SECONDS:-600} delay=1 started=$SECONDS
  echo "$me: reading the VM's user data from the Instance Metadata Service"
  until fetch_user_data "$1"; do
    if ((SECONDS - started >= limit)); then
      fail 1 "the Instance Metadata Service did not answer within $limit s"
    fi
    echo "$me: the Instance Metadata Service did not answer; retrying in $delay s" >&2
    sleep "$delay"
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

run() {
  install -d -m 0755 "$run_dir" "$(dirname "$payload")"
  exec 9>"$run_dir/lock"
  flock -n 9 || fail 1 "another run holds $run_dir/lock"
  work=$(mktemp -d "$run_dir/work.XXXXXX")
  trap 'rm -rf "$work" "$staged"' EXIT
  read_user_data "$work/user-data"

  local first marker_line
  if [[ ! -s $work/user-data ]]; then
    echo "$me: this machine has no user data: nothing to do"
    return 0
  fi
  IFS= read -r first <"$work/user-data" || true
  first=${first%$'\r'}
  if [[ $first != "$magic" ]]; then
    if [[ $first =~ ^#acr-login-user-data\ ([0-9]+)$ ]]; then
      fail 2 "the user data is format ${BASH_REMATCH[1]}, but this machine's bootstrap is format $format: a library release of bootstrap format ${BASH_REMATCH[1]} needs a new bootstrap (its custom_data), which replaces the machine"
    fi
    fail 2 "the user data does not start with '$magic': it was not written for acr-login"
  fi
  marker_line=$(grep -n -x -m 1 -e "$payload_marker" "$work/user-data" | cut -d : -f 1) || true
  [[ -n $marker_line ]] || fail 2 "the user data has no '$payload_marker' line, so no payload to run"
  tail -n "+$((marker_line + 1))" "$work/user-data" >"$work/payload"
  [[ -s $work/payload ]] || fail 2 "the payload after '$payload_marker' is empty"

  if ! cmp -s "$work/payload" "$payload"; then
    # Staged beside the payload, so the rename is atomic: $work is on /run (a tmpfs), and mv across file
    # systems copies over the old payload in place.
    staged=$(mktemp "$payload.XXXXXX")
    cat "$work/payload" >"$staged"
    chmod 0755 "$staged"
    mv -f "$staged" "$payload"
    echo "$me: installed payload $(sha256sum "$payload" | cut -c 1-12) at $payload"
  fi
  chmod 0644 "$work/user-data"
  mv -f "$work/user-data" "$run_dir/user-data"
  ACR_BOOTSTRAP_FORMAT=$format "$payload" run "$run_dir/user-data"
}

activate() {
  systemctl daemon-reload
  systemctl enable --now "$timer"
  if systemctl start "$service"; then
    echo "$me: the first registry login succeeded"
    return 0
  fi
  echo "$me: the first registry login failed. The timer runs it again within 2 hours;" \
    "'sudo systemctl start $service' runs it now, and 'journalctl -u $service' shows every attempt. Its last lines:" >&2
  journalctl -u "$service" -n 30 --no-pager -o cat >&2 || true
  return 1
}

case ${1:-} in
  run) run ;;
  activate) activate ;;
  *) fail 2 "usage: $me run | activate" ;;
esac

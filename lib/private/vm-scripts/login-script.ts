/**
 * The registry login script installed on the VM (bash). `\${` is a bash `${`: this is a JS template literal.
 *
 * Usage: `acr-login --registry NAME --login-server HOST [--client-id ID] [IMAGE...]`.
 * It runs as the VM's admin user, so `az acr login` writes that user's `~/.docker/config.json` and the
 * user's own `docker pull` works afterwards. The identity's `az login` goes to an Azure CLI profile of its
 * own (`~/.azure-acr-login`): the admin's own `az login` in `~/.azure` is not replaced every 2 hours.
 * Role assignments take 1-10 minutes to propagate, so a failed attempt is retried with exponential backoff
 * until the budget is spent.
 */
export const LOGIN_SCRIPT = `#!/usr/bin/env bash
# acr-login: logs in to an Azure Container Registry with this VM's managed identity, then pulls images.
#
#   acr-login --registry NAME --login-server HOST [--client-id ID] [IMAGE...]
#
# Without --client-id the system-assigned identity is used. A failed attempt (for example while a new
# role assignment propagates) is retried with exponential backoff. Seconds may have decimals (0.05).
#   ACR_LOGIN_TIMEOUT_SECONDS        retry budget (default 1800)
#   ACR_LOGIN_INITIAL_DELAY_SECONDS  first delay between attempts (default 5)
#   ACR_LOGIN_MAX_DELAY_SECONDS      cap of the doubling delay (default 60)
#   ACR_LOGIN_AZURE_CONFIG_DIR       Azure CLI profile of these logins (default ~/.azure-acr-login)
set -euo pipefail

readonly me=acr-login

usage() {
  echo "$me: $1" >&2
  echo "usage: $me --registry NAME --login-server HOST [--client-id ID] [IMAGE...]" >&2
  exit 2
}

# Prints the seconds in $2 (the setting named $1) as whole milliseconds.
to_ms() {
  if [[ ! $2 =~ ^([0-9]+)(\\.([0-9]{1,3})[0-9]*)?$ ]]; then
    echo "$me: $1 must be a number of seconds such as 30 or 0.5, not '$2'" >&2
    exit 2
  fi
  local fraction=\${BASH_REMATCH[3]}000
  echo $((10#\${BASH_REMATCH[1]} * 1000 + 10#\${fraction:0:3}))
}

# Milliseconds since boot: unlike the wall clock, not stepped by time synchronisation at boot.
uptime_ms() {
  local uptime _
  read -r uptime _ </proc/uptime
  to_ms uptime "$uptime"
}

sleep_ms() {
  sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"
}

registry=''
login_server=''
client_id=''
while (($# > 0)); do
  case $1 in
    --registry | --login-server | --client-id)
      (($# >= 2)) || usage "$1 needs a value"
      case $1 in
        --registry) registry=$2 ;;
        --login-server) login_server=$2 ;;
        --client-id) client_id=$2 ;;
      esac
      shift 2
      ;;
    --) shift && break ;;
    -*) usage "unknown option $1" ;;
    *) break ;;
  esac
done
[[ -n $registry ]] || usage "--registry is required"
[[ -n $login_server ]] || usage "--login-server is required"

timeout_ms=$(to_ms ACR_LOGIN_TIMEOUT_SECONDS "\${ACR_LOGIN_TIMEOUT_SECONDS:-1800}")
delay_ms=$(to_ms ACR_LOGIN_INITIAL_DELAY_SECONDS "\${ACR_LOGIN_INITIAL_DELAY_SECONDS:-5}")
max_delay_ms=$(to_ms ACR_LOGIN_MAX_DELAY_SECONDS "\${ACR_LOGIN_MAX_DELAY_SECONDS:-60}")

# A profile of its own: logging in as the identity must not replace the user's own az login in ~/.azure.
# Docker credentials still go to ~/.docker/config.json, for the user's own docker pull.
export AZURE_CONFIG_DIR=\${ACR_LOGIN_AZURE_CONFIG_DIR:-$HOME/.azure-acr-login}
install -d -m 0700 "$AZURE_CONFIG_DIR"

if [[ -n $client_id ]]; then
  identity="user-assigned identity $client_id"
else
  identity="system-assigned identity"
fi

# One attempt; errexit does not apply in a function called by 'if', hence the explicit returns.
attempt() {
  if [[ -n $client_id ]]; then
    az login --identity --client-id "$client_id" --allow-no-subscriptions --output none || return
  else
    az login --identity --allow-no-subscriptions --output none || return
  fi
  az acr login --name "$registry" || return
  local image
  for image in "$@"; do
    docker pull "$login_server/$image" || return
  done
}

start_ms=$(uptime_ms)
deadline_ms=$((start_ms + timeout_ms))
for ((n = 1; ; n++)); do
  echo "$me: attempt $n: logging in to registry $registry with the $identity"
  if attempt "$@"; then
    echo "$me: logged in to $login_server and pulled $# image(s) on attempt $n"
    exit 0
  fi
  now_ms=$(uptime_ms)
  if ((now_ms >= deadline_ms)); then
    echo "$me: giving up on registry $registry after $n attempt(s) in $(((now_ms - start_ms) / 1000)) s" \\
      "(ACR_LOGIN_TIMEOUT_SECONDS=\${ACR_LOGIN_TIMEOUT_SECONDS:-1800}). Check that the $identity is" \\
      "assigned to this VM and has a pull role on the registry (AcrPull; Container Registry Repository" \\
      "Reader on an ABAC registry), and that the images exist." >&2
    exit 1
  fi
  wait_ms=$((delay_ms < deadline_ms - now_ms ? delay_ms : deadline_ms - now_ms))
  echo "$me: attempt $n failed; retrying in $wait_ms ms" >&2
  sleep_ms "$wait_ms"
  delay_ms=$((delay_ms * 2 < max_delay_ms ? delay_ms * 2 : max_delay_ms))
done
`;

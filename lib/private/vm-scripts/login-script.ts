/**
 * The registry login script installed on the VM (bash). `\${` is a bash `${`: this is a JS template literal.
 *
 * Usage: `acr-login --from-user-data` (what the service runs: the logins come from the VM's user data, read
 * from the Instance Metadata Service on every run, so they change without replacing the VM), or
 * `acr-login --registry NAME --login-server HOST [--client-id ID] [IMAGE...]` for one login by hand.
 * It runs as the VM's admin user, so `az acr login` writes that user's `~/.docker/config.json` and the
 * user's own `docker pull` works afterwards. The identity's `az login` goes to an Azure CLI profile of its
 * own (`~/.azure-acr-login`): the admin's own `az login` in `~/.azure` is not replaced every 2 hours.
 * Role assignments take 1-10 minutes to propagate, so a failed step is retried with exponential backoff
 * until the run's budget is spent.
 */
export const LOGIN_SCRIPT = `#!/usr/bin/env bash
# acr-login: logs in to Azure Container Registries with this VM's managed identity, then pulls images.
#
#   acr-login --from-user-data
#   acr-login --registry NAME --login-server HOST [--client-id ID] [IMAGE...]
#
# --from-user-data reads the logins from the VM's user data (Instance Metadata Service), one per line:
#   registry=NAME login_server=HOST client_id=ID images=IMAGE,IMAGE
# An empty client_id (or no --client-id) means the system-assigned identity. Blank lines and lines
# starting with # are skipped; user data without a login means there is nothing to do (exit 0).
# The logins run one after another within one retry budget: a failed step (the metadata service not yet
# answering at boot, a role assignment still propagating) is retried with exponential backoff, and a
# login already done is not repeated. Seconds may have decimals (0.05).
#   ACR_LOGIN_TIMEOUT_SECONDS        retry budget of the whole run (default 1800)
#   ACR_LOGIN_INITIAL_DELAY_SECONDS  first delay between attempts (default 5)
#   ACR_LOGIN_MAX_DELAY_SECONDS      cap of the doubling delay (default 60)
#   ACR_LOGIN_AZURE_CONFIG_DIR       Azure CLI profile of these logins (default ~/.azure-acr-login)
set -euo pipefail

readonly me=acr-login
readonly user_data_url='http://169.254.169.254/metadata/instance/compute/userData?api-version=2021-01-01&format=text'
# What registry names, host names, GUIDs and image references are made of; a comma separates images.
readonly safe='^[A-Za-z0-9][A-Za-z0-9._:@/-]*$'

usage() {
  echo "$me: $1" >&2
  echo "usage: $me --from-user-data | --registry NAME --login-server HOST [--client-id ID] [IMAGE...]" >&2
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

# The logins, as parallel arrays; images comma-separated.
registries=()
login_servers=()
client_ids=()
image_lists=()

# Adds a login (registry, login server, client ID or '', comma-separated images) after checking its values;
# $5 names where they came from.
add_login() {
  local image images
  [[ $1 =~ $safe ]] || bad_input "$5" "registry '$1' is not a registry name"
  [[ $2 =~ $safe ]] || bad_input "$5" "login server '$2' is not a host name"
  [[ -z $3 || $3 =~ $safe ]] || bad_input "$5" "client ID '$3' has characters other than letters, digits and . _ : @ / -"
  IFS=, read -r -a images <<<"$4"
  for image in "\${images[@]}"; do
    [[ $image =~ $safe ]] || bad_input "$5" "image '$image' is not an image reference"
  done
  registries+=("$1")
  login_servers+=("$2")
  client_ids+=("$3")
  image_lists+=("$4")
}

bad_input() {
  if [[ $1 == arguments ]]; then
    usage "$2"
  fi
  echo "$me: $1: $2" >&2
  exit 2
}

# Adds the logins of user data (text): one per line, registry=... login_server=... client_id=... images=...
parse_user_data() {
  local line field number=0 registry login_server client_id images
  local -a fields
  while IFS= read -r line || [[ -n $line ]]; do
    number=$((number + 1))
    [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
    registry='' login_server='' client_id='' images=''
    read -r -a fields <<<"$line"
    for field in "\${fields[@]}"; do
      case $field in
        registry=*) registry=\${field#*=} ;;
        login_server=*) login_server=\${field#*=} ;;
        client_id=*) client_id=\${field#*=} ;;
        images=*) images=\${field#*=} ;;
        *) bad_input "user data line $number" "unknown field '$field'" ;;
      esac
    done
    add_login "$registry" "$login_server" "$client_id" "$images" "user data line $number"
  done <<<"$1"
}

from_user_data=false
registry=''
login_server=''
client_id=''
while (($# > 0)); do
  case $1 in
    --from-user-data) from_user_data=true && shift ;;
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
if [[ $from_user_data == true ]]; then
  [[ -z $registry$login_server$client_id && $# == 0 ]] || usage "--from-user-data takes no other argument"
else
  [[ -n $registry ]] || usage "--registry is required"
  [[ -n $login_server ]] || usage "--login-server is required"
  images=$(IFS=, && echo "$*")
  add_login "$registry" "$login_server" "$client_id" "$images" arguments
fi

timeout_ms=$(to_ms ACR_LOGIN_TIMEOUT_SECONDS "\${ACR_LOGIN_TIMEOUT_SECONDS:-1800}")
delay_ms=$(to_ms ACR_LOGIN_INITIAL_DELAY_SECONDS "\${ACR_LOGIN_INITIAL_DELAY_SECONDS:-5}")
max_delay_ms=$(to_ms ACR_LOGIN_MAX_DELAY_SECONDS "\${ACR_LOGIN_MAX_DELAY_SECONDS:-60}")

# A profile of its own: logging in as the identity must not replace the user's own az login in ~/.azure.
# Docker credentials still go to ~/.docker/config.json, for the user's own docker pull.
export AZURE_CONFIG_DIR=\${ACR_LOGIN_AZURE_CONFIG_DIR:-$HOME/.azure-acr-login}
install -d -m 0700 "$AZURE_CONFIG_DIR"

identity_of() {
  if [[ -n $1 ]]; then
    echo "user-assigned identity $1"
  else
    echo "system-assigned identity"
  fi
}

# Reads the logins from the user data; fails while the metadata service does not answer.
read_user_data() {
  local encoded text
  echo "$me: attempt $n: reading the registry logins from the VM's user data"
  encoded=$(curl -sSf --noproxy '*' --max-time 30 -H Metadata:true "$user_data_url") || return
  if ! text=$(base64 -d <<<"$encoded" 2>/dev/null); then
    echo "$me: the VM's user data is not base64" >&2
    exit 2
  fi
  parse_user_data "$text"
}

# Login number $1: az login, az acr login, docker pull of each image.
login() {
  local registry=\${registries[$1]} login_server=\${login_servers[$1]} client_id=\${client_ids[$1]} image
  local -a images
  IFS=, read -r -a images <<<"\${image_lists[$1]}"
  echo "$me: attempt $n: logging in to registry $registry with the $(identity_of "$client_id")"
  if [[ -n $client_id ]]; then
    az login --identity --client-id "$client_id" --allow-no-subscriptions --output none || return
  else
    az login --identity --allow-no-subscriptions --output none || return
  fi
  az acr login --name "$registry" || return
  for image in "\${images[@]}"; do
    docker pull "$login_server/$image" || return
  done
  echo "$me: logged in to $login_server and pulled \${#images[@]} image(s) on attempt $n"
}

# One attempt: continues where the previous one failed. errexit does not apply in a function called by
# 'if', hence the explicit returns.
loaded=true
if [[ $from_user_data == true ]]; then
  loaded=false
fi
next=0
attempt() {
  if [[ $loaded == false ]]; then
    read_user_data || return
    loaded=true
    if ((\${#registries[@]} == 0)); then
      echo "$me: no registry login in the VM's user data; nothing to do"
      exit 0
    fi
  fi
  while ((next < \${#registries[@]})); do
    login "$next" || return
    next=$((next + 1))
  done
}

start_ms=$(uptime_ms)
deadline_ms=$((start_ms + timeout_ms))
for ((n = 1; ; n++)); do
  if attempt; then
    exit 0
  fi
  now_ms=$(uptime_ms)
  if ((now_ms >= deadline_ms)); then
    spent="after $n attempt(s) in $(((now_ms - start_ms) / 1000)) s (ACR_LOGIN_TIMEOUT_SECONDS=\${ACR_LOGIN_TIMEOUT_SECONDS:-1800})"
    if [[ $loaded == false ]]; then
      echo "$me: giving up on reading the VM's user data from the Instance Metadata Service $spent." >&2
    else
      echo "$me: giving up on registry \${registries[next]} $spent. Check that the" \\
        "$(identity_of "\${client_ids[next]}") is assigned to this VM and has a pull role on the registry" \\
        "(AcrPull; Container Registry Repository Reader on an ABAC registry), and that the images exist." >&2
    fi
    exit 1
  fi
  wait_ms=$((delay_ms < deadline_ms - now_ms ? delay_ms : deadline_ms - now_ms))
  echo "$me: attempt $n failed; retrying in $wait_ms ms" >&2
  sleep_ms "$wait_ms"
  delay_ms=$((delay_ms * 2 < max_delay_ms ? delay_ms * 2 : max_delay_ms))
done
`;

#!/usr/bin/env bash
# acr-login: logs in to Azure Container Registries with this machine's managed identity and pulls images.
# The payload of bootstrap format 1 (docs/bootstrap.md): it travels in the user data, so a library release
# replaces it in place, and acr-bootstrap runs it.
#
#   acr-login run USER_DATA_FILE
#       As root (acr-login.service): installs Docker, adds the admin user to the docker group, installs the
#       Azure CLI when the login method needs it, then runs every login of the user data as the admin user.
#   acr-login login [--method token-exchange|azure-cli] [--registry NAME] --login-server HOST
#                   [--client-id ID] [IMAGE...]
#       One attempt of one login, as the user whose ~/.docker/config.json gets the registry token (the
#       admin user, in the docker group): exit 0 logged in and pulled, 1 failed.
#
# One run has one retry budget (login_timeout_seconds of the user data) covering the installs and the
# logins: a failed step (apt busy or unreachable, a role assignment still propagating) is retried with
# exponential backoff, and a step already done is not repeated. No token is ever printed or put in a
# command line. Seconds may have decimals (0.05).
#   ACR_LOGIN_INITIAL_DELAY_SECONDS  first delay between attempts (default 5)
#   ACR_LOGIN_MAX_DELAY_SECONDS      cap of the doubling delay (default 60)
#   ACR_LOGIN_AZURE_CONFIG_DIR       Azure CLI profile of the azure-cli method (default ~/.azure-acr-login)
#   ACR_LOGIN_ROOT                   directory the apt files are written under (default /; for tests)
set -euo pipefail

readonly me=acr-login
readonly magic='#acr-login-user-data 1'
readonly payload_marker='#acr-login-payload'
# What registry names, host names, GUIDs and image references are made of; a comma separates images.
readonly safe='^[A-Za-z0-9][A-Za-z0-9._:@/-]*$'
readonly linux_user='^[A-Za-z_]([A-Za-z0-9._-]{0,62}[A-Za-z0-9_-])?$'
readonly default_timeout_seconds=1800 max_timeout_seconds=7200
# The registry's own audience: accepted whether or not the registry also accepts ARM tokens.
readonly acr_audience=https://containerregistry.azure.net
readonly imds_token_url=http://169.254.169.254/metadata/identity/oauth2/token
readonly null_guid=00000000-0000-0000-0000-000000000000
readonly microsoft_repository=https://packages.microsoft.com/repos/azure-cli/
readonly microsoft_key_url=https://packages.microsoft.com/keys/microsoft.asc
# How long one step may take: a pull of a large image, an apt install.
readonly step_timeout_seconds=1800
root=${ACR_LOGIN_ROOT:-}
# No prompt from debconf, nor from needrestart (Ubuntu 22.04 asks which services to restart after an install).
export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=l

usage() {
  echo "$me: $1" >&2
  echo "usage: $me run USER_DATA_FILE" >&2
  echo "       $me login [--method token-exchange|azure-cli] [--registry NAME] --login-server HOST [--client-id ID] [IMAGE...]" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------------------
# Time: milliseconds since boot, not stepped by time synchronisation at boot.

# Prints the seconds in $2 (the setting named $1) as whole milliseconds.
to_ms() {
  if [[ ! $2 =~ ^([0-9]+)(\.([0-9]{1,3})[0-9]*)?$ ]]; then
    echo "$me: $1 must be a number of seconds such as 30 or 0.5, not '$2'" >&2
    exit 2
  fi
  local fraction=${BASH_REMATCH[3]}000
  echo $((10#${BASH_REMATCH[1]} * 1000 + 10#${fraction:0:3}))
}

uptime_ms() {
  local uptime _
  read -r uptime _ </proc/uptime
  to_ms uptime "$uptime"
}

sleep_ms() {
  sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"
}

# ---------------------------------------------------------------------------------------------------------
# One login attempt (acr-login login), as the user who pulls.

identity_of() {
  if [[ -n $1 ]]; then
    echo "user-assigned identity $1"
  else
    echo "system-assigned identity"
  fi
}

# Reads a service's JSON answer on stdin and prints its string field $1 ('access_token' is printed as
# "<tenant> <token>", the tenant read from the token's claims); otherwise says why on stderr, naming $2,
# the service, and $3, the HTTP status, and fails. Prints nothing else: the field is a token.
json_field() {
  python3 -I -S -c '
import base64, json, sys
field, service, status = sys.argv[1:4]
try:
    document = json.load(sys.stdin)
except ValueError:
    sys.exit("%s answered HTTP %s without JSON" % (service, status))
value = document.get(field) if isinstance(document, dict) else None
if isinstance(value, str) and value:
    if field == "access_token":
        claims = value.split(".")[1] if value.count(".") == 2 else ""
        try:
            tenant = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))).get("tid", "")
        except ValueError:
            tenant = ""
        value = "%s %s" % (tenant, value)
    sys.stdout.write(value)
    sys.exit(0)
reason = ""
if isinstance(document, dict):
    if isinstance(document.get("errors"), list):  # the registry: {"errors": [{"code", "message"}]}
        reason = "; ".join("%s: %s" % (e.get("code", ""), e.get("message", "")) for e in document["errors"] if isinstance(e, dict))
    else:  # the Instance Metadata Service: {"error", "error_description"}
        reason = ": ".join(str(document[k]) for k in ("error", "error_description") if document.get(k))
sys.exit("%s answered HTTP %s without %s%s" % (service, status, field, " (%s)" % reason if reason else ""))
' "$@"
}

# Splits curl output ending in a line with the HTTP status (-w '\n%{http_code}') into $body and $status.
split_response() {
  status=${1##*$'\n'}
  body=${1%$'\n'*}
}

# Prints "<tenant> <access token>": the managed identity's token for the registry audience, from the
# Instance Metadata Service. $1: client ID of a user-assigned identity, or empty.
identity_token() {
  local response body status
  local -a client=()
  [[ -z $1 ]] || client=(--data-urlencode "client_id=$1")
  response=$(curl -sS --noproxy '*' --max-time 30 -H Metadata:true -G -w '\n%{http_code}' \
    --data-urlencode api-version=2018-02-01 --data-urlencode "resource=$acr_audience" "${client[@]}" \
    "$imds_token_url") || return
  split_response "$response"
  printf '%s' "$body" | json_field access_token 'the Instance Metadata Service' "$status"
}

# Prints the registry's refresh token for the access token on stdin. $1: login server, $2: tenant.
exchange_token() {
  local response body status
  local -a tenant=()
  [[ -z $2 ]] || tenant=(--data-urlencode "tenant=$2")
  response=$(curl -sS --max-time 60 -w '\n%{http_code}' \
    --data-urlencode grant_type=access_token --data-urlencode "service=$1" "${tenant[@]}" \
    --data-urlencode access_token@- "https://$1/oauth2/exchange") || return
  split_response "$response"
  printf '%s' "$body" | json_field refresh_token "the registry $1 (POST /oauth2/exchange)" "$status"
}

# The registry token in ~/.docker/config.json without the Azure CLI: the identity's token from the
# Instance Metadata Service, exchanged at the registry for a refresh token, given to docker login.
login_with_token_exchange() {
  local login_server=$1 client_id=$2 identity tenant refresh_token
  identity=$(identity_token "$client_id") || return
  tenant=${identity%% *}
  refresh_token=$(printf '%s' "${identity#* }" | exchange_token "$login_server" "$tenant") || return
  printf '%s' "$refresh_token" | docker login "$login_server" --username "$null_guid" --password-stdin
}

# The tutorial's way: az login as the identity, in a profile of its own (the user's own az login in
# ~/.azure stays), then az acr login, which writes ~/.docker/config.json.
login_with_azure_cli() {
  local registry=$1 client_id=$2
  export AZURE_CONFIG_DIR=${ACR_LOGIN_AZURE_CONFIG_DIR:-$HOME/.azure-acr-login}
  install -d -m 0700 "$AZURE_CONFIG_DIR"
  if [[ -n $client_id ]]; then
    az login --identity --client-id "$client_id" --allow-no-subscriptions --output none || return
  else
    az login --identity --allow-no-subscriptions --output none || return
  fi
  az acr login --name "$registry"
}

login_command() {
  local method=token-exchange registry='' login_server='' client_id='' image
  while (($# > 0)); do
    case $1 in
      --method | --registry | --login-server | --client-id)
        (($# >= 2)) || usage "$1 needs a value"
        case $1 in
          --method) method=$2 ;;
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
  [[ -n $login_server ]] || usage "--login-server is required"
  [[ $login_server =~ $safe ]] || usage "login server '$login_server' is not a host name"
  [[ -z $client_id || $client_id =~ $safe ]] || usage "client ID '$client_id' has characters other than letters, digits and . _ : @ / -"
  for image in "$@"; do
    [[ $image =~ $safe ]] || usage "image '$image' is not an image reference"
  done
  case $method in
    token-exchange) login_with_token_exchange "$login_server" "$client_id" || exit 1 ;;
    azure-cli)
      [[ $registry =~ $safe ]] || usage "the azure-cli method needs --registry NAME"
      login_with_azure_cli "$registry" "$client_id" || exit 1
      ;;
    *) usage "unknown method '$method' (token-exchange or azure-cli)" ;;
  esac
  for image in "$@"; do
    docker pull "$login_server/$image" || exit 1
  done
  echo "$me: logged in to $login_server with the $(identity_of "$client_id") and pulled $# image(s)"
}

# ---------------------------------------------------------------------------------------------------------
# The user data: settings and logins, up to the payload.

admin_user=''
timeout_seconds=$default_timeout_seconds
timeout_ms=0
method=token-exchange
registries=()
login_servers=()
client_ids=()
image_lists=()

bad_user_data() {
  echo "$me: user data line $1: $2" >&2
  exit 2
}

# Adds the login of user data line $1, whose words after 'login' are $2...
add_login() {
  local number=$1 field registry='' login_server='' client_id='' images='' image
  local -a image_array
  shift
  for field in "$@"; do
    case $field in
      registry=*) registry=${field#*=} ;;
      login_server=*) login_server=${field#*=} ;;
      client_id=*) client_id=${field#*=} ;;
      images=*) images=${field#*=} ;;
      *) echo "$me: user data line $number: ignoring the unknown login field '${field%%=*}'" >&2 ;;
    esac
  done
  [[ $login_server =~ $safe ]] || bad_user_data "$number" "login server '$login_server' is not a host name"
  [[ -z $registry || $registry =~ $safe ]] || bad_user_data "$number" "registry '$registry' is not a registry name"
  [[ -z $client_id || $client_id =~ $safe ]] || bad_user_data "$number" "client ID '$client_id' has characters other than letters, digits and . _ : @ / -"
  IFS=, read -r -a image_array <<<"$images"
  for image in "${image_array[@]}"; do
    [[ $image =~ $safe ]] || bad_user_data "$number" "image '$image' is not an image reference"
  done
  registries+=("$registry")
  login_servers+=("$login_server")
  client_ids+=("$client_id")
  image_lists+=("$images")
}

# Reads the settings and logins of user data file $1. Unknown settings and login fields are reported and
# ignored: user data written by a newer release still works with this payload.
parse_user_data() {
  local line number=0 key value
  local -a words
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    number=$((number + 1))
    if ((number == 1)); then
      [[ $line == "$magic" ]] || bad_user_data 1 "expected '$magic'"
      continue
    fi
    [[ $line == "$payload_marker" ]] && return
    [[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
    read -r -a words <<<"$line"
    if [[ ${words[0]} == login ]]; then
      add_login "$number" "${words[@]:1}"
      continue
    fi
    if [[ ${#words[@]} != 1 || $line != *=* ]]; then
      echo "$me: user data line $number: ignoring a line that is neither a setting nor a login" >&2
      continue
    fi
    key=${line%%=*} value=${line#*=}
    case $key in
      admin_user) admin_user=$value ;;
      login_timeout_seconds) timeout_seconds=$value ;;
      login_method) method=$value ;;
      *) echo "$me: user data line $number: ignoring the unknown setting '$key'" >&2 ;;
    esac
  done <"$1"
}

check_settings() {
  [[ $admin_user =~ $linux_user ]] || bad_user_data - "admin_user '$admin_user' is not a Linux user name"
  timeout_ms=$(to_ms login_timeout_seconds "$timeout_seconds")
  if ((timeout_ms > max_timeout_seconds * 1000)); then
    echo "$me: login_timeout_seconds $timeout_seconds is over $max_timeout_seconds; using $max_timeout_seconds" >&2
    timeout_seconds=$max_timeout_seconds timeout_ms=$((max_timeout_seconds * 1000))
  fi
  case $method in
    token-exchange) ;;
    azure-cli)
      local i
      for i in "${!registries[@]}"; do
        [[ -n ${registries[i]} ]] || bad_user_data - "the login to ${login_servers[i]} has no registry name, which login_method=azure-cli needs"
      done
      ;;
    *) bad_user_data - "unknown login_method '$method' (token-exchange or azure-cli)" ;;
  esac
}

# ---------------------------------------------------------------------------------------------------------
# The steps of a run, as root. Each returns non-zero to be retried.

# apt-get that waits for the dpkg lock (held by unattended-upgrades or a VM extension at boot) and keeps
# the machine's own configuration files.
apt_get() {
  timeout "$step_timeout_seconds" apt-get -q -o DPkg::Lock::Timeout=120 \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

lists_updated=false
# apt-get update of every source; its lists lock is not covered by DPkg::Lock::Timeout, so a busy lock
# fails the step and the run retries it.
update_package_lists() {
  [[ $lists_updated == true ]] && return
  apt_get update || return
  lists_updated=true
}

# apt-get install after an update of the lists. With apt's default error mode a mirror that could not be
# reached is only a warning (update exits 0) and leaves no list to install from: a failed install forgets
# the update, so the next attempt fetches the lists again.
install_packages() {
  update_package_lists || return
  apt_get install -y "$@" && return
  lists_updated=false
  return 1
}

install_docker() {
  if command -v docker >/dev/null; then
    docker info >/dev/null 2>&1 || systemctl start docker.service
    return
  fi
  echo "$me: installing Docker (docker.io)"
  install_packages docker.io || return
  command -v docker >/dev/null || { echo "$me: docker.io is installed, but there is no docker command" >&2; return 1; }
}

join_docker_group() {
  if ! id -u "$admin_user" >/dev/null 2>&1; then
    echo "$me: the admin user '$admin_user' does not exist (yet)" >&2
    return 1
  fi
  if [[ " $(id -nG "$admin_user") " == *' docker '* ]]; then
    return
  fi
  usermod -aG docker "$admin_user" || return
  echo "$me: added $admin_user to the docker group. A session opened before now does not have the group:" \
    "run sg docker -c 'docker images' there, or log in again"
}

# True when az exists and can log in with a user-assigned identity's client ID (--client-id replaced the
# tutorial's --username, which Azure CLI 2.73 removed). Golden images with a current CLI skip the install.
az_is_current() {
  command -v az >/dev/null || return
  local profile help
  profile=$(mktemp -d) || return
  help=$(AZURE_CONFIG_DIR=$profile az login --help 2>/dev/null)
  rm -rf "$profile"
  [[ $help == *--client-id* ]]
}

# Microsoft's repository, and a pin that lets azure-cli come from nowhere else (Ubuntu's own is years old).
write_azure_cli_source() {
  # Called where errexit does not apply (in an attempt): each step checks its own result.
  local key=$root/etc/apt/keyrings/microsoft.asc suite architecture
  install -d -m 0755 "$root/etc/apt/keyrings" "$root/etc/apt/sources.list.d" "$root/etc/apt/preferences.d" || return
  if [[ ! -s $key ]]; then
    curl -fsSL --max-time 60 -o "$key.new" "$microsoft_key_url" && chmod 0644 "$key.new" && mv -f "$key.new" "$key" || return
  fi
  # shellcheck source=/dev/null
  suite=$(. "$root/etc/os-release" && echo "${VERSION_CODENAME:-}")
  [[ -n $suite ]] || { echo "$me: $root/etc/os-release names no VERSION_CODENAME" >&2; return 1; }
  architecture=$(dpkg --print-architecture) || return
  cat >"$root/etc/apt/sources.list.d/azure-cli.sources" <<EOF || return
Types: deb
URIs: $microsoft_repository
Suites: $suite
Components: main
Architectures: $architecture
Signed-By: /etc/apt/keyrings/microsoft.asc
EOF
  cat >"$root/etc/apt/preferences.d/azure-cli.pref" <<EOF || return
# Written by acr-login: azure-cli only from Microsoft's repository.
Package: azure-cli
Pin: origin "packages.microsoft.com"
Pin-Priority: 1001

Package: azure-cli
Pin: version *
Pin-Priority: -1
EOF
}

install_azure_cli() {
  if az_is_current; then
    return
  fi
  echo "$me: installing the Azure CLI from $microsoft_repository"
  write_azure_cli_source || return
  update_package_lists || return
  # Microsoft's source alone, failing on any error: by default a failed fetch is only a warning, and
  # apt would go on with no list, or an old one, from Microsoft.
  apt_get update -o APT::Update::Error-Mode=any -o APT::Get::List-Cleanup=0 \
    -o Dir::Etc::SourceList="$root/etc/apt/sources.list.d/azure-cli.sources" -o Dir::Etc::SourceParts=- || return
  install_packages azure-cli || return
  az_is_current || { echo "$me: the installed az does not support az login --identity --client-id" >&2; return 1; }
}

# Runs a command as the admin user, with its groups as /etc/group has them now (docker included).
as_admin() {
  timeout "$step_timeout_seconds" runuser -u "$admin_user" -- "$@"
}

# Login number $1, as the admin user.
run_login() {
  local i=$1
  local -a images args=(--method "$method" --login-server "${login_servers[i]}")
  IFS=, read -r -a images <<<"${image_lists[i]}"
  [[ -z ${registries[i]} ]] || args+=(--registry "${registries[i]}")
  [[ -z ${client_ids[i]} ]] || args+=(--client-id "${client_ids[i]}")
  echo "$me: attempt $n: logging in to ${login_servers[i]} with the $(identity_of "${client_ids[i]}") ($method), as $admin_user"
  as_admin "$self" login "${args[@]}" -- "${images[@]}"
}

# What the run has done so far, and what it is doing (named when it gives up).
docker_ready=false
group_ready=false
azure_cli_ready=false
next_login=0
step=''

attempt() {
  if [[ $docker_ready == false ]]; then
    step='installing Docker'
    install_docker || return
    docker_ready=true
  fi
  if [[ $group_ready == false ]]; then
    step="adding $admin_user to the docker group"
    join_docker_group || return
    group_ready=true
  fi
  if [[ $method == azure-cli && $azure_cli_ready == false ]]; then
    step='installing the Azure CLI'
    install_azure_cli || return
    azure_cli_ready=true
  fi
  while ((next_login < ${#login_servers[@]})); do
    step="logging in to ${login_servers[next_login]} with the $(identity_of "${client_ids[next_login]}")"
    run_login "$next_login" || return
    next_login=$((next_login + 1))
  done
}

run_command() {
  (($# == 1)) || usage "run takes one user data file"
  [[ -r $1 ]] || usage "cannot read the user data file '$1'"
  parse_user_data "$1"
  check_settings
  local delay_ms max_delay_ms start_ms deadline_ms now_ms wait_ms
  delay_ms=$(to_ms ACR_LOGIN_INITIAL_DELAY_SECONDS "${ACR_LOGIN_INITIAL_DELAY_SECONDS:-5}")
  max_delay_ms=$(to_ms ACR_LOGIN_MAX_DELAY_SECONDS "${ACR_LOGIN_MAX_DELAY_SECONDS:-60}")
  start_ms=$(uptime_ms)
  deadline_ms=$((start_ms + timeout_ms))
  echo "$me: ${#login_servers[@]} login(s) as $admin_user ($method), within $timeout_seconds s"
  for ((n = 1; ; n++)); do
    if attempt; then
      echo "$me: done on attempt $n"
      exit 0
    fi
    now_ms=$(uptime_ms)
    if ((now_ms >= deadline_ms)); then
      echo "$me: giving up on $step after $n attempt(s) in $(((now_ms - start_ms) / 1000)) s" \
        "(login_timeout_seconds=$timeout_seconds). The timer runs again within 2 hours;" \
        "'sudo systemctl start acr-login.service' runs it now." >&2
      if ((next_login < ${#login_servers[@]})) && [[ $docker_ready == true && $group_ready == true ]]; then
        echo "$me: check that the $(identity_of "${client_ids[next_login]}") is assigned to this machine and has" \
          "a pull role on the registry (AcrPull; Container Registry Repository Reader on an ABAC registry)," \
          "and that the images exist." >&2
      fi
      exit 1
    fi
    wait_ms=$((delay_ms < deadline_ms - now_ms ? delay_ms : deadline_ms - now_ms))
    echo "$me: attempt $n failed ($step); retrying in $wait_ms ms" >&2
    sleep_ms "$wait_ms"
    delay_ms=$((delay_ms * 2 < max_delay_ms ? delay_ms * 2 : max_delay_ms))
  done
}

self=$(readlink -f "$0")
case ${1:-} in
  run) shift && run_command "$@" ;;
  login) shift && login_command "$@" ;;
  *) usage "unknown command '${1:-}'" ;;
esac

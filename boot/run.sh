#!/usr/bin/env bash
# npm run test:boot: boots the example stacks' machines under QEMU with their exact custom_data and user_data,
# against a fake Azure, and checks the registry login and pull inside the guest (boot/main.ts; README "Tests").
#
#   BOOT_REQUIRED=1       a machine where QEMU cannot run fails instead of skipping (CI)
#   BOOT_STACKS=a,b       the stacks to boot (default: the two examples; boot-targets: the scale set and raw VM)
#   BOOT_SEQUENTIAL=1     boot the stacks one after the other (default: side by side)
#   BOOT_BREAK=admin-user|service-user   a deliberately broken machine: the test must fail
#   BOOT_ARTIFACTS=DIR    where the evidence goes (default boot/.artifacts)
#   BOOT_CACHE_DIR=DIR    where the guest image is cached (default /var/cache/acr-boot-test)
#   BOOT_APP_DIR=DIR      synthesize the example stacks of another checkout (with its node_modules) instead
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
started=$SECONDS

skip() {
  if [[ ${BOOT_REQUIRED:-} == 1 ]]; then
    echo "boot test: FAILED: $1 (BOOT_REQUIRED=1)" >&2
    exit 1
  fi
  echo "boot test: SKIPPED: $1. Nothing was booted, nothing was proven." >&2
  exit 0
}

as_root=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || skip "not root and no sudo: cannot install packages or build the guest image"
  as_root=(sudo)
fi

# Host packages: QEMU, the image build, the registry and its tools.
declare -A package_of=(
  [qemu-system-x86_64]=qemu-system-x86 [mmdebstrap]=mmdebstrap [mkfs.ext4]=e2fsprogs [docker-registry]=docker-registry
  [skopeo]=skopeo [socat]=socat [htpasswd]=apache2-utils [openssl]=openssl [ssh]=openssh-client [flock]=util-linux
)
missing=()
for command in "${!package_of[@]}"; do
  command -v "$command" >/dev/null || missing+=("${package_of[$command]}")
done
if ((${#missing[@]} > 0)); then
  command -v apt-get >/dev/null || skip "missing ${missing[*]} and no apt-get to install them"
  echo "boot test: installing ${missing[*]}" >&2
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The machines' data are Terraform expressions: real Terraform evaluates them (no provider, offline).
if ! command -v terraform >/dev/null; then
  echo "boot test: FAILED: terraform is not on PATH. The boot test evaluates the stacks' custom_data and user_data" \
    "with Terraform (offline, no provider): install Terraform 1.x (https://developer.hashicorp.com/terraform/install)." >&2
  exit 1
fi

npx tsc -p boot/tsconfig.json

phase=$SECONDS
image_dir=$("${as_root[@]}" bash boot/image/build.sh "${BOOT_CACHE_DIR:-/var/cache/acr-boot-test}")
echo "boot test: guest image ready in $((SECONDS - phase)) s: $image_dir" >&2

# The stacks, synthesized with the boot test's SSH key (the admin's key, which Azure installs: the checks log
# in with it) and the tutorial's image; then with another image, for the user_data change. The examples by
# npm run synth (main.ts); the other targets (BOOT_STACKS=boot-targets) by boot/apps/targets.ts.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ssh-keygen -q -t ed25519 -N '' -C acr-boot-test -f "$work/id_ed25519"
base_image=aci-helloworld:v1
changed_image=aci-helloworld:v2
apps=(examples)
[[ ,${BOOT_STACKS:-}, != *,boot-targets,* ]] || apps+=(targets)
mkdir -p "$work/synth"
phase=$SECONDS
for app in "${apps[@]}"; do
  for synth in "base $base_image" "changed $changed_image"; do
    read -r variant image <<<"$synth"
    out=$work/synth/$app-$variant
    if [[ $app == examples ]]; then
      command=(npm --prefix "${BOOT_APP_DIR:-.}" run --silent synth -- --output "$out")
    else
      command=(npx cdktf synth --app "npx tsx boot/apps/targets.ts" --output "$out")
    fi
    ACR_DEMO_SSH_PUBLIC_KEY=$(cat "$work/id_ed25519.pub") ACR_DEMO_IMAGE=$image "${command[@]}" >"$out.log" 2>&1 \
      || { cat "$out.log" >&2; echo "boot test: FAILED: synthesizing the $app with $image" >&2; exit 1; }
  done
done
echo "boot test: stacks synthesized in $((SECONDS - phase)) s" >&2

status=0
BOOT_IMAGE_DIR=$image_dir BOOT_SSH_KEY=$work/id_ed25519 BOOT_ARTIFACTS=${BOOT_ARTIFACTS:-$PWD/boot/.artifacts} \
  BOOT_SYNTH_ROOT=$work/synth \
  BOOT_BASE_IMAGE=$base_image BOOT_CHANGED_IMAGE=$changed_image \
  npx tsx boot/main.ts || status=$?
echo "boot test: $((SECONDS - started)) s wall time in all (exit $status)" >&2
exit "$status"

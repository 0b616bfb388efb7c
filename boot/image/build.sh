#!/usr/bin/env bash
# Builds the boot test's guest image, or reuses the one cached for the same recipe, and prints its directory:
#   vmlinuz, initrd.img   the guest's kernel and initrd, booted directly by QEMU
#   rootfs.raw            ext4 root file system (sparse), booted read-only by the tests (-snapshot)
#   ca.crt, ca.key        the test CA the guest trusts; the tests issue the registry's certificate with it
#
#   build.sh [CACHE_ROOT]   (default /var/cache/acr-boot-test; needs root, the Debian mirror and mmdebstrap)
#
# The image is Debian bookworm with cloud-init, as an Azure image would be, plus ONLY test infrastructure
# (rootfs/: a fake Azure CLI, /etc/hosts entries for the fake registry from the kernel command line, the
# admin user's ~/.azure marker, network and cloud-init datasource settings) and the test CA. Docker's
# packages are downloaded into apt's cache but not installed: installing them is the code under test's job.
# apt's lists are kept too: the code under test's `apt-get update` then fetches only what changed since.
# The cache key is a hash of this directory (this script and rootfs/), so a changed recipe builds anew.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${1:-/var/cache/acr-boot-test}
mirror=${BOOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${BOOT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
readonly suite=bookworm

recipe_hash=$(cd "$here" && {
  find . -type f -printf '%p %m\n' | LC_ALL=C sort
  find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
} | sha256sum | cut -c1-16)
image_dir=$cache_root/bookworm-$recipe_hash

mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
flock 9
if [[ -s $image_dir/rootfs.raw ]]; then
  echo "guest image: reusing $image_dir" >&2
  echo "$image_dir"
  exit 0
fi

started=$SECONDS
work=$(mktemp -d "$cache_root/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "guest image: building $image_dir (Debian $suite, mmdebstrap; log: $work/build.log)" >&2

# The test CA: the guest trusts it; the registry's certificate is issued with it at test time.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=acr boot test CA' \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2>>"$work/build.log"

# What an Ubuntu server cloud image has (the packages Docker recommends among them), on Debian.
packages=(
  apparmor systemd-sysv udev dbus linux-image-cloud-amd64 initramfs-tools cloud-init locales
  curl ca-certificates sudo iproute2 netbase procps openssh-server python3
  gnupg lsb-release git xz-utils patch iptables needrestart libnss-myhostname
)
# What the code under test installs, fetched ahead (not installed) to spare the mirror and the clock.
prefetched=(docker.io)

export BOOT_OVERLAY=$here/rootfs BOOT_WORK=$work
# The hooks are run by mmdebstrap with the root file system as $1: single quotes are meant.
# shellcheck disable=SC2016
if ! mmdebstrap --variant=minbase --components=main --skip=cleanup/apt \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --include="$(IFS=, && echo "${packages[*]}")" \
  --customize-hook='cp -R --no-preserve=ownership "$BOOT_OVERLAY"/. "$1"/' \
  --customize-hook='install -m 0644 "$BOOT_WORK/ca.crt" "$1/usr/local/share/ca-certificates/acr-boot-test-ca.crt"' \
  --customize-hook='chroot "$1" update-ca-certificates' \
  --customize-hook='echo "en_US.UTF-8 UTF-8" >"$1/etc/locale.gen" && chroot "$1" locale-gen && echo LANG=en_US.UTF-8 >"$1/etc/default/locale"' \
  --customize-hook='chroot "$1" systemctl enable systemd-networkd.service boot-test-hosts.service' \
  --customize-hook='chroot "$1" systemctl mask apt-daily.timer apt-daily-upgrade.timer' \
  --customize-hook='rm -f "$1/etc/resolv.conf" && echo "nameserver 169.254.169.3" >"$1/etc/resolv.conf"' \
  --customize-hook='echo "LABEL=rootfs / ext4 rw,errors=remount-ro 0 1" >"$1/etc/fstab" && echo debian >"$1/etc/hostname"' \
  --customize-hook='chroot "$1" apt-get clean' \
  --customize-hook="chroot \"\$1\" apt-get install --download-only -o APT::Install-Recommends=true -y -q ${prefetched[*]}" \
  --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
  --customize-hook='cp "$1"/boot/vmlinuz-* "$BOOT_WORK/vmlinuz" && cp "$1"/boot/initrd.img-* "$BOOT_WORK/initrd.img"' \
  "$suite" "$work/rootfs" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security_mirror $suite-security main" \
  >>"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  echo "guest image: mmdebstrap failed (log above)" >&2
  exit 1
fi
mkfs.ext4 -q -F -L rootfs -d "$work/rootfs" "$work/rootfs.raw" 4G >>"$work/build.log" 2>&1
rm -rf "$work/rootfs"
echo "$recipe_hash" >"$work/recipe-hash"
# Readable by the user running the tests (the CA key too: it is the test CA's, trusted by these guests only).
chmod -R a+rX "$work"

# Only the newest recipe is kept.
find "$cache_root" -mindepth 1 -maxdepth 1 -name 'bookworm-*' -exec rm -rf {} +
mv "$work" "$image_dir"
trap - EXIT
echo "guest image: built in $((SECONDS - started)) s" >&2
echo "$image_dir"

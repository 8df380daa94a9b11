#!/bin/bash
# Install what hako needs to build and test on Debian 12 (bookworm).
#
#   contrib/setup.sh           build + unit/integration test dependencies
#                              (qemu and the cloud kernel for make check's VM)
#   contrib/setup.sh --vm      also what the comparison and VM recipes use
#                              (crun, runc, debootstrap, ...); --all is the same
#
# Idempotent and non-interactive.  Runs apt-get as root, or through sudo.
set -euo pipefail

# Compile and link: autotools, the libraries configure looks for.
BUILD_PACKAGES=(
  build-essential autoconf automake libtool pkg-config
  libyajl-dev libcap-dev libseccomp-dev libselinux1-dev libsystemd-dev
)
# make check and the CI script: TAP tests, bats, the schema oracle, the
# rootfs source, clang + its runtime for the libFuzzer/ASan target.
TEST_PACKAGES=(
  bats python3 python3-jsonschema busybox-static jq git
  clang libclang-rt-14-dev clang-format
  iproute2 util-linux procps
  # tests/bats/rootless.bats: several id ranges through newuidmap/newgidmap.
  uidmap
  debootstrap
  # tests/vm/cgroup-v2.sh boots this kernel under qemu from a cpio initramfs.
  qemu-system-x86 linux-image-cloud-amd64 cpio
  # tests/vm/apparmor.sh loads a profile in that VM with apparmor_parser.
  apparmor
  # tests/vm/selinux.sh compiles its test policy with secilc; the guest
  # labels files with setfattr/getfattr and reads a keyring's label with keyctl.
  secilc attr keyutils
  # tests/engines/: podman (with conmon, catatonit for --init, and the
  # network stack it expects even with --network none) and containerd with
  # its runc v2 shim (ctr); script gives them a terminal.
  podman conmon catatonit netavark aardvark-dns slirp4netns containernetworking-plugins
  containerd bsdutils
)
# Heavier, for the runtime comparisons and the tests that boot a VM.
# ../shared/recipes/vm-*.sh need: qemu, the cloud kernel, cpio for the
# initramfs, debootstrap + e2fsprogs for the systemd VM image, file for ELFs.
VM_PACKAGES=(
  crun runc qemu-system-x86 linux-image-cloud-amd64
  debootstrap e2fsprogs cpio file gzip
)

packages=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}")
for arg in "$@"; do
  case $arg in
    --vm | --all) packages+=("${VM_PACKAGES[@]}") ;;
    -h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  sudo=(sudo)
else
  echo "setup.sh: run as root, or install sudo" >&2
  exit 1
fi

# Skip apt entirely when everything is already there (fast reruns, offline).
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  --no-install-recommends "${missing[@]}"

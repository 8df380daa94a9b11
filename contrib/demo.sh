#!/bin/bash
# Install dependencies, build hako, and show it working: run a container from
# a tiny busybox rootfs.
#
#   contrib/demo.sh [--no-setup]
#
# Builds in ./build (BUILD_DIR overrides); the demo bundle lives in
# $BUILD_DIR/demo-bundle.
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$srcdir/build}
[ "${1:-}" = --no-setup ] || bash "$srcdir/contrib/setup.sh"

cd "$srcdir"
[ -x configure ] || ./autogen.sh
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || "$srcdir/configure"
make -j"$(nproc)" >/dev/null
hako=$build/hako
echo "built $hako"

# A bundle: the busybox rootfs and hako's default config running a shell line.
bundle=$build/demo-bundle
rm -rf "$bundle"
bash "$srcdir/tests/lib/make-rootfs.sh" "$bundle/rootfs"
spec_args=()
[ "$(id -u)" -eq 0 ] || spec_args=(--rootless)
"$hako" spec "${spec_args[@]}" -b "$bundle"
jq '.process.terminal = false
  | .process.args = ["sh", "-c", "echo hello from a hako container; id; hostname; ls /"]' \
  "$bundle/config.json" > "$bundle/config.json.tmp"
mv "$bundle/config.json.tmp" "$bundle/config.json"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
echo "\$ hako run -b $bundle demo"
"$hako" --version | head -1
"$hako" --root "$root" run -b "$bundle" "demo-$$"

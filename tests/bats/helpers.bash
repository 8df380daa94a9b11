# Shared helpers for hako's bats tests.  Load with:  load helpers
#
# Under make check the environment names the build (HAKO, HAKO_BUILDDIR,
# HAKO_SRCDIR, SPEC_DIR); run by hand (bats tests/bats/x.bats) they default
# to an in-tree build.

HAKO_SRCDIR=${HAKO_SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
HAKO_BUILDDIR=${HAKO_BUILDDIR:-$HAKO_SRCDIR}
HAKO=${HAKO:-$HAKO_BUILDDIR/hako}
SPEC_DIR=${SPEC_DIR:-$(cd "$HAKO_SRCDIR/.." && pwd)/shared/runtime-spec-v1.3.0}
MAKE_ROOTFS="$HAKO_SRCDIR/tests/lib/make-rootfs.sh"

# A state root per test, so tests never see each other's containers.
HAKO_ROOT=${BATS_TEST_TMPDIR:-${BATS_TMPDIR:-/tmp}}/hako-root

# Run hako against the test's own state root: `run hako state x`.
hako () {
  "$HAKO" --root "$HAKO_ROOT" "$@"
}

# The rootfs is built once per .bats file and copied for each bundle, so a
# test may change its rootfs freely.
ROOTFS_CACHE=${BATS_FILE_TMPDIR:-${BATS_TMPDIR:-/tmp}}/rootfs-cache

# make_rootfs DIR: a fresh busybox rootfs in DIR.
make_rootfs () {
  local dir=${1:?make_rootfs DIR}
  if [ ! -x "$ROOTFS_CACHE/bin/busybox" ]; then
    rm -rf "$ROOTFS_CACHE"
    bash "$MAKE_ROOTFS" "$ROOTFS_CACHE" || return 1
  fi
  mkdir -p "$dir"
  cp -a "$ROOTFS_CACHE/." "$dir/"
}

# make_bundle [DIR]: DIR/rootfs plus DIR/config.json from `hako spec`,
# adjusted for tests (no terminal, runs `true`).  Sets BUNDLE.
make_bundle () {
  BUNDLE=${1:-${BATS_TEST_TMPDIR:-${BATS_TMPDIR:-/tmp}}/bundle}
  make_rootfs "$BUNDLE/rootfs" || return 1
  rm -f "$BUNDLE/config.json"
  "$HAKO" spec -b "$BUNDLE" || return 1
  update_config '.process.terminal = false | .process.args = ["true"]'
}

# update_config JQ_FILTER [JQ_ARGS...]: rewrite $BUNDLE/config.json in place.
#   update_config '.process.args = $a' --argjson a '["sh","-c","echo hi"]'
update_config () {
  local filter=${1:?update_config FILTER}
  shift
  local tmp="$BUNDLE/config.json.tmp"
  jq "$@" "$filter" "$BUNDLE/config.json" > "$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# set_args ARG...: the container's command line.
set_args () {
  local json
  json=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
  update_config '.process.args = $a' --argjson a "$json"
}

requires_root () {
  [ "$(id -u)" -eq 0 ] || skip "needs root (uid $(id -u))"
}

requires_cmd () {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || skip "needs $c (see contrib/setup.sh)"
  done
}

# Delete whatever containers a test left in its state root.
cleanup_containers () {
  local d
  [ -d "$HAKO_ROOT" ] || return 0
  for d in "$HAKO_ROOT"/*/; do
    [ -d "$d" ] || continue
    hako delete --force "$(basename "$d")" >/dev/null 2>&1 || true
  done
}

# Assertions with a useful message on failure (bats prints output on failure).
assert_success () {
  if [ "$status" -ne 0 ]; then
    echo "expected success, got status $status; output: $output" >&2
    return 1
  fi
}

assert_failure () {
  if [ "$status" -eq 0 ]; then
    echo "expected failure, got success; output: $output" >&2
    return 1
  fi
}

assert_output_contains () {
  case $output in
    *"$1"*) return 0 ;;
  esac
  echo "expected output to contain: $1" >&2
  echo "actual output: $output" >&2
  return 1
}

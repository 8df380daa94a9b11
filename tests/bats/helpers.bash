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

# The runtime the container tests drive: hako, unless RUNTIME names another
# (RUNTIME=runc bats tests/bats/lifecycle.bats checks the tests themselves
# against a reference runtime).
RUNTIME=${RUNTIME:-$HAKO}
RUNTIME_NAME=$(basename "$RUNTIME")

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

# make_bundle [DIR [JQ_FILTER]]: DIR/rootfs plus DIR/config.json from
# `$RUNTIME spec`, adjusted for tests (no terminal, runs `true`) and by
# JQ_FILTER if given.  Sets BUNDLE.
make_bundle () {
  BUNDLE=${1:-${BATS_TEST_TMPDIR:-${BATS_TMPDIR:-/tmp}}/bundle}
  make_rootfs "$BUNDLE/rootfs" || return 1
  rm -f "$BUNDLE/config.json"
  "$RUNTIME" spec -b "$BUNDLE" || return 1
  update_config ".process.terminal = false | .process.args = [\"true\"] | ${2:-.}"
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
  json=$(jq -n -c '$ARGS.positional' --args -- "$@")
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
    case $(basename "$d") in @*) continue ;; esac # hako's lock directory
    rt delete --force "$(basename "$d")" >/dev/null 2>&1 || true
  done
}

# Assertions with a useful message on failure (bats prints output on failure).
assert_success () {
  if [ "$status" -ne 0 ]; then
    echo "expected success, got status $status; output: $output" >&2
    [ -z "${stderr:-}" ] || echo "stderr: $stderr" >&2
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

# ---- Containers: helpers for the tests that run them (lifecycle.bats,
# config.bats).  They drive $RUNTIME, so every test can be checked against
# runc first.

# rt ARGS...: the runtime under test with the test's own state root.  Fd 3
# (bats' output) is closed so that a container left running cannot hold it;
# tests that pass fds to the runtime call "$RUNTIME" themselves.
rt () {
  "$RUNTIME" --root "$HAKO_ROOT" "$@" 3>&-
}

# is_runc: the tests run against runc (the reference): checks that follow
# hako's own promises (error texts) are left out there.
is_runc () {
  [ "$RUNTIME_NAME" = runc ]
}

# runc_lacks WHAT: skip when the reference runc (1.1 on Debian 12) does not
# implement WHAT; the test still runs against hako.
runc_lacks () {
  local v
  is_runc || return 0
  v=$("$RUNTIME" --version | sed -n 's/^runc version \([0-9]*\.[0-9]*\).*/\1/p')
  case $v in
    0.* | 1.0 | 1.1) skip "runc $v does not implement $1" ;;
  esac
}

# new_id PREFIX: a container id unique to this test and this run -> ID.
# Unique across runs too: runc names its cgroups after the id.
new_id () {
  ID="${1:-ctr}-${BATS_TEST_NUMBER:-0}-$$"
}

# host_ns NS: the inode link of the test's own namespace NS.
host_ns () {
  readlink "/proc/$$/ns/$1"
}

# run_container [RUN_OPTS...]: `rt run` $ID from $BUNDLE in the foreground,
# as bats' run with --separate-stderr (the container's stdout is $output).
run_container () {
  run --separate-stderr rt run -b "$BUNDLE" "$@" "$ID" < /dev/null
}

# run_create [CREATE_OPTS...]: `rt create` $ID from $BUNDLE.  The container
# inherits the runtime's stdio, so both go to files ($CTR_OUT, $CTR_OUT.err)
# that a waiting container may hold without blocking bats.  Sets status and
# output (the runtime's stderr) like bats' run.
run_create () {
  run_detached create "$@"
}

# run_detached COMMAND [OPTS...]: `rt COMMAND -b $BUNDLE OPTS $ID` with the
# stdio on files, as run_create (COMMAND: create, or run -d).
run_detached () {
  local cmd=$1
  shift
  CTR_OUT="$BATS_TEST_TMPDIR/$ID.out"
  status=0
  rt $cmd -b "$BUNDLE" "$@" "$ID" < /dev/null > "$CTR_OUT" 2> "$CTR_OUT.err" || status=$?
  output=$(cat "$CTR_OUT.err")
}

# launch [ARGS...]: create and start $ID running ARGS (default: sleep 1000).
launch () {
  [ $# -eq 0 ] && set -- sleep 1000
  set_args "$@"
  run_create
  assert_success
  run rt start "$ID"
  assert_success
}

# state_field FIELD [ID]: one field of `rt state`.
state_field () {
  rt state "${2:-$ID}" | jq -r ".$1"
}

# wait_for_status STATUS [ID]: poll `rt state` for up to 5 s.
wait_for_status () {
  local i s
  for i in $(seq 50); do
    s=$(state_field status "${2:-$ID}" 2> /dev/null) || s=gone
    [ "$s" = "$1" ] && return 0
    sleep 0.1
  done
  echo "container ${2:-$ID} is $s, not $1" >&2
  return 1
}

# wait_for_file FILE [PATTERN]: poll up to 5 s until FILE exists (and
# contains PATTERN).
wait_for_file () {
  local i
  for i in $(seq 50); do
    if [ -e "$1" ] && { [ -z "${2:-}" ] || grep -q -- "$2" "$1"; }; then
      return 0
    fi
    sleep 0.1
  done
  echo "timed out waiting for $1 ${2:+to contain $2}" >&2
  return 1
}

# assert_no_container [ID]: nothing left behind by a failed create: no state
# directory, no process whose root or cwd is the bundle's rootfs (compared
# by device and inode, which holds across mount namespaces).
assert_no_container () {
  local id=${1:-$ID} p
  if [ -e "$HAKO_ROOT/$id" ]; then
    echo "state directory $HAKO_ROOT/$id left behind" >&2
    return 1
  fi
  for p in /proc/[0-9]*; do
    if [ "$p/root" -ef "$BUNDLE/rootfs" ] || [ "$p/cwd" -ef "$BUNDLE/rootfs" ]; then
      echo "process ${p#/proc/} ($(tr '\0' ' ' < "$p/cmdline")) left in the rootfs" >&2
      return 1
    fi
  done
}

# mount_line MOUNTPOINT: the line of $output (a mountinfo) for MOUNTPOINT
# (the last one: the one on top).
mount_line () {
  awk -v m="$1" '$5 == m { l = $0 } END { print l }' <<< "$output"
}

# mount_has_option LINE OPT: OPT is among the per-mount or super options.
mount_has_option () {
  local opts
  opts=$(awk '{ for (i = 7; $i != "-"; i++); print $6 "," $(i + 3) }' <<< "$1")
  case ",$opts," in
    *",$2,"*) return 0 ;;
  esac
  echo "mount has no option $2: $1" >&2
  return 1
}

# assert_equal ACTUAL EXPECTED [WHAT]
assert_equal () {
  if [ "$1" != "$2" ]; then
    echo "${3:-value}: expected '$2', got '$1'" >&2
    return 1
  fi
}

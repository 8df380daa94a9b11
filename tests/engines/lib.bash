# Shared by tests/engines/*.bats: real container engines (podman, containerd)
# driving hako as their OCI runtime, each with private state in a directory
# of its own (/tmp/hako-*), so nothing of the host's engines is touched.
#
# RUNTIME selects the runtime the engines run (default: $HAKO, the build
# under test); RUNTIME=/usr/sbin/runc checks the tests against the
# reference.  The engines get a wrapper script (engine_wrapper), which adds
# the sanitizer options of an ASan build: conmon, which podman starts, does
# not pass the environment on to the runtime.
#
# A missing engine skips the tests (engine_check), saying why, except under
# CI (CI set), where contrib/setup.sh installed it: there the tests fail.
# Under make distcheck (a build in _build/sub) they are skipped: the main
# build's make check ran them already.

load ../bats/helpers

bats_require_minimum_version 1.5.0

# engine_check CMD...: for setup_file (where bats 1.8 cannot skip): sets
# and exports ENGINE_SKIP to why the tests cannot run here, empty when they
# can: not root, make distcheck's second run, a CMD not installed.  Under CI
# a missing CMD fails instead (returns 1).  Each test's setup calls
# skip_unless_engine.
engine_check () {
  local c
  ENGINE_SKIP=
  if [ "$(id -u)" -ne 0 ]; then
    ENGINE_SKIP="needs root (uid $(id -u))"
  else
    case ${HAKO_BUILDDIR:-} in
      */_build/sub) ENGINE_SKIP="make distcheck: the main build's make check ran the engine tests" ;;
    esac
  fi
  for c in "$@"; do
    [ -z "$ENGINE_SKIP" ] || break
    command -v "$c" > /dev/null && continue
    if [ -n "${CI:-}" ]; then
      echo "needs $c: CI is set, contrib/setup.sh should have installed it" >&2
      return 1
    fi
    ENGINE_SKIP="needs $c (contrib/setup.sh installs it)"
  done
  export ENGINE_SKIP
}

skip_unless_engine () {
  [ -z "${ENGINE_SKIP:-}" ] || skip "$ENGINE_SKIP"
}

# engine_wrapper PATH [GLOBAL_OPTS...]: an executable script at PATH that
# runs $RUNTIME with GLOBAL_OPTS first, in the sanitizer environment this
# test runs with (conmon and the shim do not pass ours on).  With
# WRAPPER_LOG set, it appends each command line it gets to that file.
engine_wrapper () {
  local path=$1 v
  shift
  mkdir -p "$(dirname "$path")"
  {
    echo '#!/bin/sh'
    [ -z "${WRAPPER_LOG:-}" ] || printf 'echo "$*" >> %q\n' "$WRAPPER_LOG"
    for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
      [ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"
    done
    printf 'exec %q' "$RUNTIME"
    [ $# -eq 0 ] || printf ' %q' "$@"
    echo ' "$@"'
  } > "$path"
  chmod 0755 "$path"
}

# make_image_rootfs DIR: the busybox rootfs of the tests, plus files the
# tests look for: /var/tmp/from-image and /data/seed (copied into the tmpfs
# podman mounts there).
make_image_rootfs () {
  make_rootfs "$1" || return 1
  echo image > "$1/var/tmp/from-image"
  mkdir -p "$1/data"
  echo seed > "$1/data/seed"
}

# ---- cgroups: the container's files, found through /proc/PID/cgroup, on
# cgroup v1, v2 or hybrid hosts.

# cg_mount TYPE CONTROLLER: the mount point of the v1 hierarchy holding
# CONTROLLER (TYPE cgroup) or of the cgroup2 hierarchy (TYPE cgroup2).
cg_mount () {
  awk -v t="$1" -v c="$2" '{ for (i = 7; $i != "-"; i++);
      if ($(i + 1) == t && $5 ~ "^/sys/fs/cgroup" && (t == "cgroup2" || index("," $(i + 3) ",", "," c ",")))
        { print $5; exit } }' /proc/self/mountinfo
}

# cg_dir PID CONTROLLER: PID's cgroup directory for CONTROLLER (a v1
# hierarchy, else cgroup2 if it has the controller).
cg_dir () {
  local pid=$1 c=$2 ids path mp
  while IFS=: read -r _ ids path; do
    case ",$ids," in
      *",$c,"*) mp=$(cg_mount cgroup "$c") && [ -n "$mp" ] && { echo "$mp$path"; return 0; } ;;
    esac
  done < "/proc/$pid/cgroup"
  path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  mp=$(cg_mount cgroup2 "")
  if [ -n "$mp" ] && [ -n "$path" ] && grep -qw -- "$c" "$mp$path/cgroup.controllers" 2> /dev/null; then
    echo "$mp$path"
    return 0
  fi
  echo "no $c controller for process $pid" >&2
  return 1
}

# cg_read PID CONTROLLER V1FILE V2FILE: the setting, from the file this
# layout uses.
cg_read () {
  local dir
  dir=$(cg_dir "$1" "$2") || return 1
  if [ -e "$dir/cgroup.controllers" ]; then cat "$dir/$4"; else cat "$dir/$3"; fi
}

# cg_remove NAME: remove the cgroup NAME (a path below the hierarchies'
# roots) and everything below it, in every hierarchy.
cg_remove () {
  local mp
  for mp in $(awk '{ for (i = 7; $i != "-"; i++);
      if (($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") && $5 ~ "^/sys/fs/cgroup") print $5 }' \
    /proc/self/mountinfo | sort -u); do
    [ -d "$mp/$1" ] || continue
    find "$mp/$1" -depth -type d -exec rmdir {} + 2> /dev/null || true
  done
}

# umount_below DIR: lazily unmount whatever is still mounted below DIR.
umount_below () {
  local m
  for m in $(awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$m" 2> /dev/null || true
  done
}

# wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_until () {
  local n=$(($1 * 5))
  shift
  while ! "$@" > /dev/null 2>&1; do
    n=$((n - 1))
    [ "$n" -gt 0 ] || { echo "timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

# assert_match REGEX [WHAT]: $output matches the extended REGEX.
assert_match () {
  if ! grep -Eq -- "$1" <<< "$output"; then
    echo "${2:-output}: expected a match for /$1/, got: $output" >&2
    return 1
  fi
}

assert_status () {
  if [ "$status" -ne "$1" ]; then
    echo "expected status $1, got $status; output: $output" >&2
    return 1
  fi
}

#!/usr/bin/env bats
# Rootless containers: hako run by a real unprivileged user, created for the
# test (hako-rootless, with ranges in /etc/subuid and /etc/subgid).  The
# user's own id is mapped without helpers; several ranges go through
# newuidmap/newgidmap (package uidmap).  State lives under
# $XDG_RUNTIME_DIR/hako; without a delegated cgroup the container runs
# without one.

load helpers

bats_require_minimum_version 1.5.0

RL_USER=hako-rootless

# The user and its subordinate ids (useradd may have given it a range
# already; otherwise one far above the usual ones).
setup_file () {
  [ "$(id -u)" -eq 0 ] || return 0
  id "$RL_USER" > /dev/null 2>&1 || useradd -M -d /nonexistent -s /usr/sbin/nologin "$RL_USER"
  local f
  for f in /etc/subuid /etc/subgid; do
    grep -q "^$RL_USER:" "$f" 2> /dev/null || echo "$RL_USER:300000:65536" >> "$f"
  done
}

# sub_start FILE: the first subordinate id of the user in FILE.
sub_start () {
  awk -F: -v u="$RL_USER" '$1 == u { print $2; exit }' "$1"
}

setup () {
  requires_root
  requires_cmd setpriv jq
  RL_UID=$(id -u "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  # Everything the user touches lives in a directory of its own: bats'
  # temporary directories are root's.
  RL_DIR=$(mktemp -d /tmp/hako-rootless.XXXXXX)
  chmod 755 "$RL_DIR"
  RL_XDG="$RL_DIR/xdg"
  mkdir -m 700 "$RL_XDG"
  make_bundle "$RL_DIR/bundle"
  rm -f "$BUNDLE/config.json"
  # A copy of hako the user can reach (the build tree may be below a
  # directory only root may enter).
  cp "$HAKO" "$RL_DIR/hako"
  chown -R "$RL_UID:$RL_GID" "$RL_DIR"
  urt spec --rootless -b "$BUNDLE"
  update_config '.process.terminal = false | .process.args = ["true"]'
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  new_id rl
}

teardown () {
  [ -n "${RL_DIR:-}" ] || return 0
  local d
  for d in "$RL_XDG"/hako/*/; do
    [ -d "$d" ] || continue
    case $(basename "$d") in @*) continue ;; esac
    urt delete --force "$(basename "$d")" > /dev/null 2>&1 || true
  done
  rm -rf "$RL_DIR"
}

# urt ARGS...: hako as the unprivileged user, with its own runtime dir and
# nothing of root's environment.
urt () {
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$RL_XDG" HOME="$RL_DIR" \
    ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
    "$RL_DIR/hako" "$@" 3>&-
}

@test "rootless: spec --rootless runs as the user: root inside, the user's id outside" {
  set_args sh -c 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/gid_map; cat /proc/self/setgroups'
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  run --separate-stderr urt run -b "$BUNDLE" "$ID" < /dev/null
  assert_success
  assert_equal "${lines[0]}" 0 "uid inside"
  assert_equal "${lines[1]}" 0 "gid inside"
  assert_equal "$(echo ${lines[2]})" "0 $RL_UID 1" "uid_map"
  assert_equal "$(echo ${lines[3]})" "0 $RL_GID 1" "gid_map"
  assert_equal "${lines[4]}" deny "setgroups (an unprivileged gid map needs it denied)"
}

@test "rootless: state under \$XDG_RUNTIME_DIR/hako; the process is the user's; root's store untouched" {
  set_args sleep 1000
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  local root_before
  root_before=$(ls /run/hako 2> /dev/null | sort)
  # The container keeps its stdio: files, not bats' pipes.
  urt run -d -b "$BUNDLE" "$ID" < /dev/null > "$RL_DIR/out" 2>&1
  [ -f "$RL_XDG/hako/$ID/state.json" ]
  assert_equal "$(stat -c %u "$RL_XDG/hako/$ID")" "$RL_UID" "state dir owner"
  local pid
  pid=$(urt state "$ID" | jq -r .pid)
  assert_equal "$(stat -c %u "/proc/$pid")" "$RL_UID" "the init's uid on the host"
  assert_equal "$(urt state "$ID" | jq -r .status)" running status
  assert_equal "$(urt list -q)" "$ID" "list"
  run urt kill "$ID" KILL
  assert_success
  wait_for_status_of urt stopped
  run urt delete "$ID"
  assert_success
  [ ! -e "$RL_XDG/hako/$ID" ]
  assert_equal "$(ls /run/hako 2> /dev/null | sort)" "$root_before" "root's state root"
}

@test "rootless: without a delegated cgroup the container runs without one, and says so" {
  set_args sleep 1000
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  urt --debug run -d -b "$BUNDLE" "$ID" < /dev/null > "$RL_DIR/out" 2> "$RL_DIR/err"
  grep -q "rootless: running without a cgroup" "$RL_DIR/err" || { cat "$RL_DIR/err" >&2; false; }
  local pid
  pid=$(urt state "$ID" | jq -r .pid)
  # Still in the caller's cgroups: nothing was made for it.
  assert_equal "$(grep -v '^0::' "/proc/$pid/cgroup" | sort)" "$(grep -v '^0::' /proc/self/cgroup | sort)" "cgroups"
  [ "$(jq -r '.cgroupPath // ""' "$RL_XDG/hako/$ID/state.json")" = "" ]
}

@test "rootless: several id ranges through newuidmap/newgidmap and /etc/subuid" {
  requires_cmd newuidmap newgidmap
  local sub
  sub=$(sub_start /etc/subuid)
  [ "$sub" = "$(sub_start /etc/subgid)" ] || skip "the user's subuid and subgid ranges differ"
  update_config '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
                                       {containerID: 1, hostID: $s, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
                            {containerID: 1, hostID: $s, size: 65536}]
    | .root.readonly = false
    | .process.capabilities |= with_entries(.value += ["CAP_CHOWN"])' \
    --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson s "$sub"
  set_args sh -c 'cat /proc/self/uid_map; touch /tmp/owned && chown 1000:1000 /tmp/owned && echo chowned'
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  run --separate-stderr urt run -b "$BUNDLE" "$ID" < /dev/null
  assert_success
  assert_equal "$(echo ${lines[1]})" "1 $sub 65536" "second uid range"
  assert_equal "${lines[2]}" chowned
  # uid 1000 inside is subuid start + 999 outside.
  assert_equal "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/owned")" \
    "$((sub + 999)):$((sub + 999))" "owner on the host"
}

@test "rootless: a mapping of ids the user does not own is refused, nothing left behind" {
  requires_cmd newuidmap
  update_config '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]'
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  run --separate-stderr urt run -b "$BUNDLE" "$ID" < /dev/null
  assert_failure
  [[ $stderr == *"uid map"* ]] || { echo "stderr: $stderr" >&2; false; }
  [ ! -e "$RL_XDG/hako/$ID" ]
}

# wait_for_status_of RUNNER STATUS: poll `RUNNER state $ID` for up to 5 s.
wait_for_status_of () {
  local i
  for i in $(seq 50); do
    [ "$("$1" state "$ID" 2> /dev/null | jq -r .status)" = "$2" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $ID to be $2" >&2
  return 1
}

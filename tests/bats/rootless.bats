#!/usr/bin/env bats
# Rootless containers: hako run by a real unprivileged user, created for the
# test (hako-rootless, with ranges in /etc/subuid and /etc/subgid).  The
# user's own id is mapped without helpers; several ranges go through
# newuidmap/newgidmap (package uidmap).  State lives under
# $XDG_RUNTIME_DIR/hako; without a delegated cgroup the container runs
# without one.  The delegated-cgroup tests delegate a cgroup to the user as
# an admin (or systemd's user manager) would: a directory chowned to it in
# each hierarchy (cgroup v2: also its cgroup.procs, cgroup.subtree_control
# and cgroup.threads, the controllers passed down by its parent, and hako
# run from a leaf below it).  They run on this host's layout and, through
# tests/vm/rootless.sh, on a pure cgroup v2 VM.

load helpers

bats_require_minimum_version 1.5.0

RL_USER=hako-rootless

# The user and its subordinate ids (useradd may have given it a range
# already; otherwise one far above the usual ones).
setup_file () {
  [ "$(id -u)" -eq 0 ] || return 0
  id "$RL_USER" > /dev/null 2>&1 || add_user
  local f
  for f in /etc/subuid /etc/subgid; do
    grep -q "^$RL_USER:" "$f" 2> /dev/null || echo "$RL_USER:300000:65536" >> "$f"
  done
}

# add_user: useradd, or (the test VM's busybox initramfs has none) a line
# in /etc/passwd and /etc/group with the first free id from 2000.
add_user () {
  if command -v useradd > /dev/null; then
    useradd -M -d /nonexistent -s /usr/sbin/nologin "$RL_USER"
    return
  fi
  local n=2000
  while cut -d: -f3 /etc/passwd /etc/group 2> /dev/null | grep -qx "$n"; do n=$((n + 1)); done
  echo "$RL_USER:x:$n:$n::/nonexistent:/sbin/nologin" >> /etc/passwd
  echo "$RL_USER:x:$n:" >> /etc/group
}

# requires_uidmap: newuidmap and newgidmap (package uidmap; the test VM's
# busybox initramfs has none).
requires_uidmap () {
  command -v newuidmap > /dev/null && command -v newgidmap > /dev/null \
    || skip "needs newuidmap and newgidmap (package uidmap; the cgroup v2 test VM has none)"
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
  RL_LEAF=
}

teardown () {
  [ -n "${RL_DIR:-}" ] || return 0
  local d
  for d in "$RL_XDG"/hako/*/; do
    [ -d "$d" ] || continue
    case $(basename "$d") in @*) continue ;; esac
    urt delete --force "$(basename "$d")" > /dev/null 2>&1 || true
  done
  undelegate
  rm -rf "$RL_DIR"
}

# urt ARGS...: hako as the unprivileged user, with its own runtime dir and
# nothing of root's environment; from the cgroup2 leaf RL_LEAF when set
# (root moves the subshell there first).
urt () {
  (
    [ -z "${RL_LEAF:-}" ] || echo "$BASHPID" > "$RL_LEAF/cgroup.procs" || exit 125
    exec setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups \
      env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$RL_XDG" HOME="$RL_DIR" \
      ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
      "$RL_DIR/hako" "$@" 3>&-
  )
}

# ---- Delegated cgroups

CG=/sys/fs/cgroup

# cg_layout: v2, hybrid (v1 controllers plus cgroup2 at unified/) or v1.
cg_layout () {
  if [ -e $CG/cgroup.controllers ]; then
    echo v2
  elif [ -e $CG/unified/cgroup.controllers ]; then
    echo hybrid
  else
    echo v1
  fi
}

# chown_cgroup DIR: DIR and the files that move processes and pass
# controllers down, to the user (cgroup-v2.rst, "Delegation").
chown_cgroup () {
  local f
  chown "$RL_UID:$RL_GID" "$1" || return 1
  for f in cgroup.procs cgroup.subtree_control cgroup.threads tasks; do
    [ ! -e "$1/$f" ] || chown "$RL_UID:$RL_GID" "$1/$f" || return 1
  done
}

# delegate CONTROLLER...: RL_PATH=/RL_CG/u delegated to the user, below a
# parent of root's (RL_CG, unique to the test) that passes CONTROLLER...
# down.  cgroup v2: one directory, and RL_LEAF=RL_PATH/leaf for urt (moves
# into the user's cgroups need its cgroup.procs: the common ancestor);
# v1: one per controller's hierarchy (plus the freezer's when there is no
# cgroup2 for pause); hybrid: those and the unified hierarchy's, with the
# leaf there.  Every top directory is listed in $RL_DIR/cgdirs for
# undelegate.
delegate () {
  local layout c top
  layout=$(cg_layout)
  RL_CG=hako-rootless-$$-$BATS_TEST_NUMBER
  RL_PATH=/$RL_CG/u
  case $layout in
    v2)
      top=$CG/$RL_CG
      echo "$top" >> "$RL_DIR/cgdirs"
      mkdir "$top" || return 1
      for c in "$@"; do
        grep -qw "$c" $CG/cgroup.subtree_control || echo "+$c" > $CG/cgroup.subtree_control || return 1
        echo "+$c" > "$top/cgroup.subtree_control" || return 1
      done
      mkdir "$top/u" && chown_cgroup "$top/u" && mkdir "$top/u/leaf" || return 1
      RL_LEAF=$top/u/leaf
      ;;
    v1 | hybrid)
      [ "$layout" = hybrid ] || set -- "$@" freezer
      [ "$layout" = v1 ] || set -- "$@" unified
      for c in "$@"; do
        top=$CG/$c/$RL_CG
        echo "$top" >> "$RL_DIR/cgdirs"
        mkdir -p "$top/u" && chown_cgroup "$top/u" || return 1
      done
      [ "$layout" = v1 ] || { mkdir "$CG/unified$RL_PATH/leaf" && RL_LEAF=$CG/unified$RL_PATH/leaf; } \
        || return 1
      ;;
  esac
}

# undelegate: kill whatever is left in the delegated cgroups (by pid, or
# cgroup.kill) and remove them, deepest first.
undelegate () {
  local top i pids
  [ -s "$RL_DIR/cgdirs" ] || return 0
  while read -r top; do
    [ -d "$top" ] || continue
    for i in $(seq 50); do
      pids=$(find "$top" -name cgroup.procs -exec cat {} + 2> /dev/null)
      [ -n "$pids" ] || break
      [ ! -e "$top/cgroup.kill" ] || echo 1 > "$top/cgroup.kill"
      kill -9 $pids 2> /dev/null
      sleep 0.1
    done
    find "$top" -depth -type d -exec rmdir {} + 2> /dev/null
    [ ! -d "$top" ] || echo "could not remove $top" >&2
  done < "$RL_DIR/cgdirs"
  RL_LEAF=
}

# ctr_cg CONTROLLER: the container's cgroup in the hierarchy holding
# CONTROLLER ("unified": the cgroup2 one).
ctr_cg () {
  case $(cg_layout):$1 in
    v2:*) echo "$CG$RL_PATH/$ID" ;;
    *) echo "$CG/$1$RL_PATH/$ID" ;;
  esac
}

# The cgroup v2 part (cgroup.freeze, ...): the unified hierarchy on hybrid.
ctr_cg2 () {
  case $(cg_layout) in
    v2) ctr_cg v2 ;;
    hybrid) ctr_cg unified ;;
  esac
}

# wait_for_line FILE TEXT: poll for up to 10 s.
wait_for_line () {
  local i
  for i in $(seq 100); do
    grep -qx "$2" "$1" 2> /dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for \"$2\" in $1: $(cat "$1")" >&2
  return 1
}

# no_cgroup_left: the container's cgroup is gone from every hierarchy.
no_cgroup_left () {
  local left
  left=$(find $CG -maxdepth 5 -type d -path "*/$RL_CG/u/$ID" 2> /dev/null)
  [ -z "$left" ] || { echo "left behind: $left" >&2; return 1; }
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
  requires_uidmap
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
  requires_uidmap
  update_config '.linux.uidMappings = [{containerID: 0, hostID: 0, size: 1}]'
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  run --separate-stderr urt run -b "$BUNDLE" "$ID" < /dev/null
  assert_failure
  [[ $stderr == *"uid map"* ]] || { echo "stderr: $stderr" >&2; false; }
  [ ! -e "$RL_XDG/hako/$ID" ]
}

@test "rootless: a delegated cgroup: the container's own, the user's, with its limits enforced" {
  delegate pids memory
  update_config '.linux.cgroupsPath = $p | .linux.resources.pids.limit = 8
    | .linux.resources.memory.limit = 67108864' --arg p "$RL_PATH/$ID"
  # More children than the limit allows; the subshell gives up at the
  # first fork refused.
  set_args sh -c '(for i in $(seq 30); do sleep 100 & done) 2> /dev/null; echo forked; exec sleep 1000'
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  urt run -d -b "$BUNDLE" "$ID" < /dev/null > "$RL_DIR/out" 2>&1 || { cat "$RL_DIR/out" >&2; false; }
  wait_for_line "$RL_DIR/out" forked
  local pid pids_cg mem_cg layout
  layout=$(cg_layout)
  pid=$(urt state "$ID" | jq -r .pid)
  pids_cg=$(ctr_cg pids)
  mem_cg=$(ctr_cg memory)
  [ -d "$pids_cg" ]
  assert_equal "$(stat -c %u "$pids_cg")" "$RL_UID" "owner of $pids_cg"
  # The init is in it (in each delegated hierarchy, on hybrid hosts).
  if [ "$layout" = v2 ]; then
    grep -qx "0::$RL_PATH/$ID" "/proc/$pid/cgroup" || { cat "/proc/$pid/cgroup" >&2; false; }
  else
    grep -qx "[0-9]*:pids:$RL_PATH/$ID" "/proc/$pid/cgroup" || { cat "/proc/$pid/cgroup" >&2; false; }
    grep -qx "[0-9]*:memory:$RL_PATH/$ID" "/proc/$pid/cgroup"
  fi
  [ "$layout" != hybrid ] || grep -qx "0::$RL_PATH/$ID" "/proc/$pid/cgroup"
  assert_equal "$(cat "$pids_cg/pids.max")" 8 pids.max
  if [ "$layout" = v2 ]; then
    assert_equal "$(cat "$mem_cg/memory.max")" 67108864 memory.max
  else
    assert_equal "$(cat "$mem_cg/memory.limit_in_bytes")" 67108864 memory.limit_in_bytes
  fi
  # The limit held: forks were refused, never more than 8 tasks.
  local refused current
  refused=$(awk '$1 == "max" { print $2 }' "$pids_cg/pids.events")
  current=$(cat "$pids_cg/pids.current")
  [ "$refused" -ge 1 ] || { echo "pids.events: $(cat "$pids_cg/pids.events")" >&2; false; }
  [ "$current" -le 8 ] || { echo "pids.current $current > 8" >&2; false; }
  # state.json names only the delegated hierarchies.
  local recorded
  recorded=$(jq -r .cgroupPath "$RL_XDG/hako/$ID/state.json")
  case $layout in
    v2) assert_equal "$recorded" "$RL_PATH/$ID" cgroupPath ;;
    hybrid)
      assert_equal "$(echo "$recorded" | sort | tr '\n' ' ')" \
        ":$RL_PATH/$ID memory:$RL_PATH/$ID pids:$RL_PATH/$ID " cgroupPath ;;
  esac
}

@test "rootless: a delegated cgroup: pause, resume and delete; the delegated cgroup stays" {
  delegate pids memory
  update_config '.linux.cgroupsPath = $p | .linux.resources.pids.limit = 20' --arg p "$RL_PATH/$ID"
  set_args sleep 1000
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  urt run -d -b "$BUNDLE" "$ID" < /dev/null > "$RL_DIR/out" 2>&1 || { cat "$RL_DIR/out" >&2; false; }
  local cg2 freezer
  cg2=$(ctr_cg2)
  run urt pause "$ID"
  assert_success
  assert_equal "$(urt state "$ID" | jq -r .status)" paused status
  if [ -n "$cg2" ]; then
    freezer=$cg2/cgroup.freeze
    assert_equal "$(cat "$freezer")" 1 "$freezer"
    grep -qx "frozen 1" "$cg2/cgroup.events"
  else
    freezer=$(ctr_cg freezer)/freezer.state
    assert_equal "$(cat "$freezer")" FROZEN "$freezer"
  fi
  run urt resume "$ID"
  assert_success
  assert_equal "$(urt state "$ID" | jq -r .status)" running status
  [ -z "$cg2" ] || assert_equal "$(cat "$freezer")" 0 "$freezer"
  run urt delete --force "$ID"
  assert_success
  [ ! -e "$RL_XDG/hako/$ID" ]
  no_cgroup_left
  # The delegated cgroup is the user's, not the container's: it stays.
  [ -d "$(dirname "$(ctr_cg pids)")" ]
}

@test "rootless: a delegated cgroup without a controller a limit needs: refused, nothing left" {
  delegate pids
  update_config '.linux.cgroupsPath = $p | .linux.resources.memory.limit = 67108864' \
    --arg p "$RL_PATH/$ID"
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  run --separate-stderr urt run -b "$BUNDLE" "$ID" < /dev/null
  assert_failure
  # v1 and hybrid: the memory hierarchy is not delegated; v2: the parent
  # does not pass memory down.
  [[ $stderr == *"linux.resources.memory: "*"rootless"* ]] || { echo "stderr: $stderr" >&2; false; }
  [ ! -e "$RL_XDG/hako/$ID" ]
  no_cgroup_left
}

@test "rootless: without a delegated cgroup, resources are refused, nothing left" {
  update_config '.linux.resources.pids.limit = 20'
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
  run --separate-stderr urt run -b "$BUNDLE" "$ID" < /dev/null
  assert_failure
  [[ $stderr == *"linux.resources.pids: rootless, and the pids controller's hierarchy is not delegated to this user: "*"Permission denied"* ]] \
    || { echo "stderr: $stderr" >&2; false; }
  [ ! -e "$RL_XDG/hako/$ID" ]
  local left
  left=$(find $CG -maxdepth 4 -type d -name "$ID")
  [ -z "$left" ] || { echo "left behind: $left" >&2; false; }
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

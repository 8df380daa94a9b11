#!/usr/bin/env bats
# hako events (statistics and OOM kills, as runc prints them) and
# exec --cgroup, on real containers with resource limits.  The numbers are
# checked against the cgroup files of the container, found from
# /proc/PID/cgroup, so the tests hold on cgroup v1, v2 and hybrid hosts.

load helpers

bats_require_minimum_version 1.5.0

setup () {
  requires_root
  requires_cmd jq
  make_bundle "$BATS_TEST_TMPDIR/bundle" \
    '.linux.resources.memory = {"limit": 67108864}
     | .linux.resources.pids = {"limit": 50}
     | .linux.resources.cpu = {"quota": 50000, "period": 100000}'
  new_id ev
  EVENTS_PID=
}

teardown () {
  if [ -n "$EVENTS_PID" ]; then
    kill "$EVENTS_PID" 2> /dev/null || true
    wait "$EVENTS_PID" 2> /dev/null || true
  fi
  cleanup_containers
}

# ctr_cgroup CONTROLLER [PID]: the directory of PID's cgroup (default: the
# container's init) in the hierarchy holding CONTROLLER; nothing if none.
ctr_cgroup () {
  local ctrl=$1 pid=${2:-$(state_field pid)} ctrls path dir
  while IFS=: read -r _ ctrls path; do
    [ -n "$ctrls" ] || continue
    case ",$ctrls," in
      *",$ctrl,"*) echo "/sys/fs/cgroup/${ctrls#name=}$path"; return 0 ;;
    esac
  done < "/proc/$pid/cgroup"
  path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  [ -n "$path" ] || return 0
  dir=/sys/fs/cgroup$path
  [ -d /sys/fs/cgroup/unified ] && dir=/sys/fs/cgroup/unified$path
  if [ "$ctrl" = "" ] || grep -qw "$ctrl" "$dir/cgroup.controllers"; then
    echo "$dir"
  fi
}

# cg_value CONTROLLER V1FILE V2FILE: a file of the container's cgroup.
cg_value () {
  local dir
  dir=$(ctr_cgroup "$1")
  [ -n "$dir" ] || { echo "no cgroup for $1" >&2; return 1; }
  if [ -e "$dir/$2" ]; then cat "$dir/$2"; else cat "$dir/$3"; fi
}

# stats: `events --stats` of $ID into $STATS (the data member).
stats () {
  run --separate-stderr rt events --stats "$ID"
  assert_success
  assert_equal "$(jq -r .type <<< "$output")" stats type
  assert_equal "$(jq -r .id <<< "$output")" "$ID" id
  STATS=$(jq -c .data <<< "$output")
}

# wait_for_lines FILE PATTERN COUNT: poll up to 10 s for COUNT lines.
wait_for_lines () {
  local i
  for i in $(seq 100); do
    [ "$(grep -c -- "$2" "$1" 2> /dev/null)" -ge "$3" ] && return 0
    sleep 0.1
  done
  echo "timed out waiting for $3 lines matching $2 in $1: $(cat "$1")" >&2
  return 1
}

# small_memory: a 16 MiB limit and, where the kernel accounts swap, no swap
# to escape to (memory+swap = the same limit), so that more is an OOM kill.
small_memory () {
  local swap=
  if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] \
    || compgen -G '/sys/fs/cgroup/*/memory.swap.max' > /dev/null; then
    swap=', "swap": 16777216'
  fi
  update_config ".linux.resources.memory = {\"limit\": 16777216 $swap}"
}

# start_events: `events --interval 100ms` in the background, output in
# $BATS_TEST_TMPDIR/events; returns once it reports (it is watching then).
start_events () {
  rt events --interval 100ms "$ID" > "$BATS_TEST_TMPDIR/events" \
    2> "$BATS_TEST_TMPDIR/events.err" &
  EVENTS_PID=$!
  wait_for_lines "$BATS_TEST_TMPDIR/events" '"type":"stats"' 1
}

# events_end: the container has stopped; wait for events to end and check
# its exit status.  (runc on cgroup v1 watches until the cgroup is removed:
# delete it there first.)
events_end () {
  if is_runc; then rt delete --force "$ID"; fi
  wait_gone "$EVENTS_PID"
  local rc=0
  wait "$EVENTS_PID" || rc=$?
  EVENTS_PID=
  assert_equal "$rc" 0 "events exit status ($(cat "$BATS_TEST_TMPDIR/events.err"))"
}

# wait_gone PID: poll up to 10 s for PID (a child of this shell) to exit.
wait_gone () {
  local i
  for i in $(seq 100); do
    kill -0 "$1" 2> /dev/null || return 0
    sleep 0.1
  done
  echo "process $1 still runs" >&2
  return 1
}

# ---- --stats

@test "events --stats: one line of runc's JSON with the configured limits" {
  launch sleep 1000
  stats
  [ "${#lines[@]}" -eq 1 ]
  assert_equal "$(jq -r '.data.memory.usage.limit' <<< "$output")" 67108864 "memory limit"
  assert_equal "$(cg_value memory memory.limit_in_bytes memory.max)" 67108864 "memory limit file"
  assert_equal "$(jq -r '.pids.limit' <<< "$STATS")" 50 "pids limit"
  assert_equal "$(jq -c '.intel_rdt' <<< "$STATS")" '{}' intel_rdt
  assert_equal "$(jq -c '.network_interfaces' <<< "$STATS")" null network_interfaces
  assert_equal "$(jq -r '.hugetlb | type' <<< "$STATS")" object hugetlb
  assert_equal "$(jq -r '.cpu.usage | has("kernel") and has("user")' <<< "$STATS")" true cpu.usage
}

@test "events --stats: memory usage, pids and cpu time match the cgroup files" {
  launch sh -c 'sleep 1000 & sleep 1000 & while :; do :; done'
  # Three processes once the children have started.
  local i
  for i in $(seq 50); do
    [ "$(cg_value pids pids.current pids.current)" = 3 ] && break
    sleep 0.1
  done
  stats
  assert_equal "$(jq -r '.pids.current' <<< "$STATS")" 3 "pids.current"
  assert_equal "$(cg_value pids pids.current pids.current)" 3 "pids.current file"
  [ "$(jq -r '.memory.usage.usage' <<< "$STATS")" -gt 0 ]
  [ "$(jq -r '.cpu.usage.total' <<< "$STATS")" -gt 0 ]
  # The same memory.stat keys, sorted (runc writes a Go map).
  local dir
  dir=$(ctr_cgroup memory)
  assert_equal "$(jq -r '.memory.raw | keys | join(" ")' <<< "$STATS")" \
    "$(cut -d' ' -f1 "$dir/memory.stat" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')" raw
  # Counters only grow: a second look never shows less cpu time.
  local before=$(jq -r '.cpu.usage.total' <<< "$STATS")
  stats
  [ "$(jq -r '.cpu.usage.total' <<< "$STATS")" -ge "$before" ]
  # cpu.max / cfs quota: the container is throttled now and then.
  [ "$(jq -r '.cpu.throttling | type' <<< "$STATS")" = object ]
}

@test "events --stats: the shape of runc's output for the same bundle" {
  requires_cmd runc
  is_runc && skip "compares hako with runc"
  launch sleep 1000
  stats
  local mine theirs
  # Object members only (values differ; zero numbers are omitted by both).
  mine=$(jq -c '[paths(type == "object") | map(tostring) | join(".")
                 | select(test("^(hugetlb|.*psi)") | not)]' <<< "$STATS")
  runc --root "$BATS_TEST_TMPDIR/runc" run -d -b "$BUNDLE" "$ID" < /dev/null > /dev/null 2>&1 || {
    runc --root "$BATS_TEST_TMPDIR/runc" delete -f "$ID" > /dev/null 2>&1
    skip "runc cannot run the bundle here"
  }
  theirs=$(runc --root "$BATS_TEST_TMPDIR/runc" events --stats "$ID" | jq -c '.data
           | [paths(type == "object") | map(tostring) | join(".")
              | select(test("^(hugetlb|.*psi)") | not)]')
  runc --root "$BATS_TEST_TMPDIR/runc" delete -f "$ID" > /dev/null 2>&1
  assert_equal "$mine" "$theirs" "object members"
}

# ---- the event stream

@test "events: stats every --interval until the container stops, then exit 0" {
  launch sleep 1000
  start_events
  wait_for_lines "$BATS_TEST_TMPDIR/events" '"type":"stats"' 2
  run rt kill "$ID" KILL
  assert_success
  events_end
  # Every line is a stats event of this container.
  run jq -r -s 'map(.type + " " + .id) | unique | join(",")' "$BATS_TEST_TMPDIR/events"
  assert_equal "$output" "stats $ID" "events"
}

@test "events: an OOM kill in the container is reported" {
  small_memory
  launch sleep 1000
  start_events
  # dd fills a 64 MiB buffer: more than the limit.
  run rt exec "$ID" dd if=/dev/zero of=/dev/null bs=64M count=1
  assert_failure
  wait_for_lines "$BATS_TEST_TMPDIR/events" '"type":"oom"' 1
  assert_equal "$(grep '"type":"oom"' "$BATS_TEST_TMPDIR/events" | head -1)" \
    "{\"type\":\"oom\",\"id\":\"$ID\"}" "oom event"
  # The init survived; stopping it ends events.
  assert_equal "$(state_field status)" running status
  rt kill "$ID" KILL
  events_end
}

@test "events: an OOM kill of the init is reported before events ends" {
  small_memory
  mkfifo "$BUNDLE/rootfs/tmp/go"
  # The init waits for a line on the fifo, then allocates too much.
  launch sh -c 'read x < /tmp/go; exec dd if=/dev/zero of=/dev/null bs=64M count=1'
  start_events
  timeout 10 sh -c 'echo go > "$1"' sh "$BUNDLE/rootfs/tmp/go"
  wait_for_lines "$BATS_TEST_TMPDIR/events" '"type":"oom"' 1
  events_end
  assert_equal "$(grep -v '"type":"stats"' "$BATS_TEST_TMPDIR/events")" \
    "{\"type\":\"oom\",\"id\":\"$ID\"}" events
}

# ---- errors

@test "events: a missing container" {
  # runc: "container does not exist"; hako names it.
  local want='container "nosuch" does not exist'
  is_runc && want='container does not exist'
  run --separate-stderr rt events nosuch
  assert_equal "$status" 1 status
  [[ $stderr == *"$want"* ]]
  run --separate-stderr rt events --stats nosuch
  assert_equal "$status" 1 status
  [[ $stderr == *"$want"* ]]
}

@test "events: a stopped container is not running" {
  launch true
  wait_for_status stopped
  run --separate-stderr rt events "$ID"
  assert_equal "$status" 1 status
  [[ $stderr == *"container with id $ID is not running"* ]]
  run --separate-stderr rt events --stats "$ID"
  assert_equal "$status" 1 status
  [[ $stderr == *"container with id $ID is not running"* ]]
}

@test "events --interval: Go durations, and runc's errors" {
  launch sleep 1000
  run --separate-stderr rt events --interval 1m30s --stats "$ID"
  assert_success
  run --separate-stderr rt events --interval=0.5s --stats "$ID"
  assert_success
  local bad
  for bad in 0 -1s 0s; do
    run --separate-stderr rt events --interval "$bad" "$ID"
    assert_equal "$status" 1 "status for $bad"
    [[ $stderr == *"duration interval must be greater than 0"* ]]
  done
  # A usage error: the message, then the command's help (stdout for runc).
  for bad in abc 5 1x ''; do
    run rt events --interval "$bad" "$ID"
    assert_equal "$status" 1 "status for '$bad'"
    [[ $output == *"invalid value \"$bad\" for flag -interval: parse error"* ]]
  done
  run rt events
  assert_failure
  [[ $output == *'events'*' requires exactly 1 argument(s)'* ]]
}

# ---- exec --cgroup

# make_sub NAME: NAME below the container's cgroup in every hierarchy (a v1
# cpuset gets its parent's cpus and mems, without which it takes no task).
make_sub () {
  local pid ctrls path dir
  pid=$(state_field pid)
  while IFS=: read -r _ ctrls path; do
    if [ -z "$ctrls" ]; then
      dir=/sys/fs/cgroup$path
      [ -d /sys/fs/cgroup/unified ] && dir=/sys/fs/cgroup/unified$path
    else
      dir=/sys/fs/cgroup/${ctrls#name=}$path
    fi
    mkdir -p "$dir/$1"
    if [ -e "$dir/cpuset.cpus" ] && [ -n "$ctrls" ]; then
      cat "$dir/cpuset.cpus" > "$dir/$1/cpuset.cpus"
      cat "$dir/cpuset.mems" > "$dir/$1/cpuset.mems"
    fi
  done < "/proc/$pid/cgroup"
}

# exec_sleep ARGS...: exec -d a sleep with ARGS; its pid in EXEC_PID.  The
# sleep inherits the runtime's stdio: files, so that nothing waits for it.
exec_sleep () {
  status=0
  rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$@" "$ID" sleep 1000 < /dev/null \
    > "$BATS_TEST_TMPDIR/exec.out" 2>&1 || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/exec.out")
  EXEC_PID=$(cat "$BATS_TEST_TMPDIR/exec.pid" 2> /dev/null || true)
}

@test "exec --cgroup PATH: the process is in the sub-cgroup of every hierarchy" {
  launch sleep 1000
  make_sub sub
  exec_sleep --cgroup sub
  assert_success
  local init=$(state_field pid) line init_line n=0
  while read -r line; do
    init_line=$(grep "^${line%%:*}:" "/proc/$init/cgroup")
    assert_equal "${line##*:}" "${init_line##*:}/sub" "hierarchy ${line%:*}"
    n=$((n + 1))
  done < "/proc/$EXEC_PID/cgroup"
  [ "$n" -gt 0 ]
  # ps and events see it: the sub-cgroup is part of the container.
  run rt ps --format json "$ID"
  assert_success
  [[ $output == *"$EXEC_PID"* ]]
}

@test "exec --cgroup CONTROLLER:PATH: only that controller's hierarchy (cgroup v1)" {
  [ -n "$(grep -v '^0::' /proc/self/cgroup)" ] || skip "cgroup v2 host: controller prefixes need v1"
  launch sleep 1000
  make_sub sub
  exec_sleep --cgroup memory:sub --cgroup pids:sub
  assert_success
  local init=$(state_field pid) line init_line want
  while read -r line; do
    init_line=$(grep "^${line%%:*}:" "/proc/$init/cgroup")
    want=${init_line##*:}
    case ",$(cut -d: -f2 <<< "$line")," in
      *,memory,* | *,pids,*) want=$want/sub ;;
    esac
    assert_equal "${line##*:}" "$want" "hierarchy ${line%:*}"
  done < "/proc/$EXEC_PID/cgroup"
}

@test "exec --cgroup: paths leaving the container's cgroup and missing sub-cgroups are refused" {
  launch sleep 1000
  make_sub sub
  local n_before
  n_before=$(rt ps --format json "$ID" | jq length)
  # (runc words the first three differently: its texts are not checked.)
  run --separate-stderr rt exec --cgroup .. "$ID" true
  assert_failure
  is_runc || [[ $stderr == *"--cgroup ..: the path leaves the container's cgroup"* ]]
  run --separate-stderr rt exec --cgroup sub/../../x "$ID" true
  assert_failure
  is_runc || [[ $stderr == *"leaves the container's cgroup"* ]]
  run --separate-stderr rt exec --cgroup nosuch "$ID" true
  assert_failure
  is_runc || [[ $stderr == *"--cgroup nosuch: no sub-cgroup /sys/fs/cgroup/"*/nosuch* ]]
  run --separate-stderr rt exec --cgroup sub --cgroup memory:sub "$ID" true
  assert_failure
  [[ $stderr == *"invalid --cgroup argument: sub (missing <controller>: prefix)"* ]]
  # Nothing was started.
  assert_equal "$(rt ps --format json "$ID" | jq length)" "$n_before" "processes"
}

#!/usr/bin/env bats
# linux.seccomp in real containers: a Docker-style profile (deny by
# default with EPERM, allow the ordinary system calls, leave out unshare,
# mount, keyctl and friends, clone only without namespace flags) and small
# profiles for errnoRet and the kill actions.  Runs with $RUNTIME (default:
# the built hako); `RUNTIME=runc bats tests/bats/seccomp.bats` checks the
# tests against the reference.

load helpers

bats_require_minimum_version 1.5.0

setup () {
  requires_root
  requires_cmd jq
  if ! is_runc && ! "$RUNTIME" features | jq -e .linux.seccomp.enabled > /dev/null; then
    skip "$RUNTIME_NAME was built without libseccomp"
  fi
  make_bundle "$BATS_TEST_TMPDIR/bundle"
  new_id sec
}

teardown () {
  cleanup_containers
}

# The calls Docker's default profile leaves to CAP_SYS_ADMIN and friends
# (or denies outright); everything else on x86_64 is allowed.
DENIED=" unshare setns mount umount2 pivot_root keyctl add_key request_key ptrace
  clone clone3 kexec_load kexec_file_load init_module finit_module delete_module
  bpf perf_event_open open_by_handle_at name_to_handle_at reboot swapon swapoff "

# docker_profile FILE: write the Docker-style profile.
docker_profile () {
  local unistd=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
  [ -r "$unistd" ] || skip "needs $unistd (x86_64 syscall names, linux-libc-dev)"
  sed -n 's/^#define __NR_\([a-z0-9_]*\) .*/\1/p' "$unistd" \
    | while read -r name; do
        case $DENIED in *" $name "*) ;; *) echo "$name" ;; esac
      done \
    | jq -R . | jq -s '{
        defaultAction: "SCMP_ACT_ERRNO",
        defaultErrnoRet: 1,
        architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        syscalls: [
          {names: ., action: "SCMP_ACT_ALLOW"},
          {names: ["clone"], action: "SCMP_ACT_ALLOW",
           args: [{index: 0, value: 2114060288, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ"}]},
          {names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38}
        ]}' > "$1"
}

# use_profile FILE: linux.seccomp of the bundle.
use_profile () {
  update_config '.linux.seccomp = $p[0]' --slurpfile p "$1"
}

use_docker_profile () {
  docker_profile "$BATS_TEST_TMPDIR/profile.json"
  use_profile "$BATS_TEST_TMPDIR/profile.json"
}

# A profile allowing everything but RULE (a syscalls[] entry as JSON).
use_allow_but () {
  echo "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [$1]}" > "$BATS_TEST_TMPDIR/p.json"
  use_profile "$BATS_TEST_TMPDIR/p.json"
}

@test "seccomp: without a profile, the unshare call succeeds (the tests below can fail)" {
  # -U only: -r's uid_map write needs CAP_SETUID, which the default
  # config does not grant, so without a profile -r fails after the call.
  set_args sh -c 'unshare -U echo unshared; unshare -r true'
  run_container
  assert_equal "$output" unshared
  [[ $stderr != *"unshare(0x"* ]] || { echo "stderr: $stderr"; false; }
}

@test "seccomp: the Docker-style profile runs ordinary programs (fork, exec, pipes)" {
  use_docker_profile
  set_args sh -c 'echo a | cat; ls / > /dev/null && echo b'
  run_container
  assert_success
  assert_equal "$output" "a
b"
}

@test "seccomp: the Docker-style profile blocks unshare with EPERM" {
  use_docker_profile
  set_args unshare -r true
  run_container
  assert_failure
  [[ $stderr == *"unshare(0x10000000): Operation not permitted"* ]] || { echo "stderr: $stderr"; false; }
}

@test "seccomp: the Docker-style profile blocks mount" {
  use_docker_profile
  # The default config keeps CAP_SYS_ADMIN out, so the capability plays
  # no part: grant it, so only the filter stands in the way.
  update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
    | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
    | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
  set_args sh -c 'mount -t tmpfs tmpfs /tmp && echo mounted; echo "status $?"'
  run_container
  assert_success
  assert_equal "$output" "status 1"
  [[ $stderr == *"denied"* ]] || { echo "stderr: $stderr"; false; }
}

@test "seccomp: the same profile with noNewPrivileges false (loaded before the identity switch)" {
  use_docker_profile
  update_config '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}'
  set_args sh -c 'id -u; unshare -r true || echo blocked'
  run_container
  assert_success
  assert_equal "$output" "1000
blocked"
  [[ $stderr == *"unshare(0x10000000): Operation not permitted"* ]] || { echo "stderr: $stderr"; false; }
}

@test "seccomp: errnoRet comes back as configured (unshare -> ENOSYS)" {
  use_allow_but '{"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}'
  set_args unshare -r true
  run_container
  assert_failure
  [[ $stderr == *"unshare(0x10000000): Function not implemented"* ]] || { echo "stderr: $stderr"; false; }
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the process with SIGSYS" {
  use_allow_but '{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}'
  set_args uname
  run_container
  assert_equal "$status" 159
}

@test "seccomp: SCMP_ACT_LOG lets the call through and the kernel logs it" {
  dmesg > /dev/null 2>&1 || skip "cannot read the kernel log (dmesg)"
  grep -qw log /proc/sys/kernel/seccomp/actions_logged || skip "the kernel does not log SCMP_ACT_LOG"
  use_allow_but '{"names": ["uname"], "action": "SCMP_ACT_LOG"}'
  set_args uname -s
  local i found=
  # The kernel's printk rate limit may drop a record: try a few times.
  for i in 1 2 3; do
    local since
    # The time stamp of the last record: the ring buffer may be full, so
    # counting lines does not find the new ones.
    since=$(dmesg | tail -n 1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
    run_container
    assert_success
    assert_equal "$output" Linux
    # uname is system call 63 on x86_64; 0x7ffc0000 is SECCOMP_RET_LOG.
    if dmesg | awk -v t="${since:-0}" '{ s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s) } s + 0 > t + 0' \
      | grep 'type=1326' | grep 'comm="uname"' | grep 'syscall=63 ' | grep -q 'code=0x7ffc0000'; then
      found=1
      break
    fi
    sleep 5
  done
  [ -n "$found" ] || { dmesg | tail -5; false; }
}

@test "seccomp: an argument rule (personality) in the container" {
  # Deny personality(PER_LINUX32 = 8): busybox linux32 sets it.
  use_allow_but '{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
    "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}'
  set_args sh -c 'linux32 true && echo allowed || echo denied; linux64 true && echo allowed'
  run_container
  assert_success
  assert_equal "$output" "denied
allowed"
}

@test "seccomp: exec'd processes get the container's filter" {
  use_docker_profile
  set_args sleep 1000
  run_create
  assert_success
  run rt start "$ID"
  assert_success
  run --separate-stderr rt exec "$ID" sh -c 'echo in; unshare -r true || echo blocked'
  assert_success
  assert_equal "$output" "in
blocked"
}

# start_agent [AGENT_OPTS...]: tests/seccomp-agent on $AGENT_SOCK; its
# output (one JSON line per connection, "notify ..." per call) in $AGENT_OUT.
start_agent () {
  local agent="$HAKO_BUILDDIR/tests/seccomp-agent"
  [ -x "$agent" ] || skip "seccomp-agent is not built (make check builds it)"
  AGENT_SOCK="$BATS_TEST_TMPDIR/agent.sock"
  AGENT_OUT="$BATS_TEST_TMPDIR/agent.out"
  "$agent" -t 20 "$@" "$AGENT_SOCK" > "$AGENT_OUT" 2>&1 3>&- &
  AGENT_PID=$!
  wait_for_file "$AGENT_SOCK"
}

# wait_agent: its exit status in AGENT_STATUS (0: every listener hung up).
wait_agent () {
  AGENT_STATUS=0
  wait "$AGENT_PID" || AGENT_STATUS=$?
  cat "$AGENT_OUT" >&2
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener and the process state to listenerPath" {
  runc_lacks "SCMP_ACT_NOTIFY with listenerPath"
  start_agent -n 2 -e 18
  use_allow_but '{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}'
  update_config '.linux.seccomp.listenerPath = $p | .linux.seccomp.listenerMetadata = "meta-1"
    | .annotations = {"org.example.k": "v", "org.example.big": ([range(20000)] | map("x") | join(""))}' \
    --arg p "$AGENT_SOCK"
  set_args sh -c 'mkdir /tmp/a 2>&1; echo "init-done"; sleep 1000'
  run_create
  assert_success
  local pid
  pid=$(state_field pid)
  # The agent got the fd and the state at create, before the process runs.
  local state
  state=$(head -1 "$AGENT_OUT")
  assert_equal "$(jq -r '.fds | join(",")' <<< "$state")" seccompFd fds
  assert_equal "$(jq -r .metadata <<< "$state")" meta-1 metadata
  assert_equal "$(jq -r .pid <<< "$state")" "$pid" pid
  assert_equal "$(jq -r .state.id <<< "$state")" "$ID" "state.id"
  assert_equal "$(jq -r .state.status <<< "$state")" creating "state.status"
  assert_equal "$(jq -r '.state.annotations["org.example.k"]' <<< "$state")" v "state.annotations"
  # a state far longer than an fd name's 4 KiB arrives whole
  assert_equal "$(jq -r '.state.annotations["org.example.big"] | length' <<< "$state")" 20000 "big annotation"
  run rt start "$ID"
  assert_success
  wait_for_file "$CTR_OUT" init-done
  # The agent answered mkdir with EXDEV (18) instead of the kernel.
  grep -q "Invalid cross-device link" "$CTR_OUT"
  [ ! -d "$BUNDLE/rootfs/tmp/a" ]
  # exec'd processes get the container's filter, and their own listener.
  run rt exec "$ID" sh -c 'mkdir /tmp/b 2>&1; true'
  assert_success
  assert_output_contains "Invalid cross-device link"
  assert_equal "$(grep '^{' "$AGENT_OUT" | sed -n 2p | jq -r .state.status)" running "exec: state.status"
  run rt delete -f "$ID"
  assert_success
  wait_agent
  assert_equal "$AGENT_STATUS" 0 "agent status (2: a listener never hung up)"
  [ "$(grep -c '^notify ' "$AGENT_OUT")" -ge 2 ]
}

@test "seccomp: SCMP_ACT_NOTIFY without an agent at listenerPath fails create cleanly" {
  runc_lacks "SCMP_ACT_NOTIFY with listenerPath"
  use_allow_but '{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}'
  update_config '.linux.seccomp.listenerPath = $p' --arg p "$BATS_TEST_TMPDIR/nobody.sock"
  set_args sleep 1000
  run_create
  assert_failure
  is_runc || assert_output_contains "listenerPath"
  [ ! -d "$HAKO_ROOT/$ID" ]
}

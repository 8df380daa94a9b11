#!/usr/bin/env bats
# The container lifecycle as a shell, a shim or an engine drives it: create,
# start, state, kill, delete, list, run, exec, ps, the console socket,
# preserved fds and hooks.  Every test drives $RUNTIME (default: the built
# hako), so `RUNTIME=runc bats tests/bats/lifecycle.bats` checks the tests
# themselves against the reference runtime.

load helpers

bats_require_minimum_version 1.5.0

setup () {
  requires_root
  requires_cmd jq
  # Tests leave marks in the rootfs (config.bats tests root.readonly).
  make_bundle "$BATS_TEST_TMPDIR/bundle" '.root.readonly = false'
  new_id life
}

teardown () {
  cleanup_containers
}

# ---- create, start, state

@test "create: the container is created, its process waits, the pid file names it" {
  set_args sh -c 'echo started > /tmp/started; sleep 1000'
  run_create --pid-file "$BATS_TEST_TMPDIR/pid"
  assert_success
  run rt state "$ID"
  assert_success
  assert_equal "$(jq -r .status <<< "$output")" created status
  local pid
  pid=$(jq -r .pid <<< "$output")
  [ "$pid" -gt 0 ]
  [ -d "/proc/$pid" ]
  assert_equal "$(cat "$BATS_TEST_TMPDIR/pid")" "$pid" "pid file"
  # The process has not run yet: the rootfs has no trace of it.
  [ ! -e "$BUNDLE/rootfs/tmp/started" ]
}

@test "start: the process runs and the container is running" {
  set_args sh -c 'echo started > /tmp/started; sleep 1000'
  run_create
  assert_success
  run rt start "$ID"
  assert_success
  wait_for_status running
  wait_for_file "$BUNDLE/rootfs/tmp/started" started
}

@test "start: a process that exits leaves a stopped container" {
  set_args true
  run_create
  assert_success
  run rt start "$ID"
  assert_success
  wait_for_status stopped
  assert_equal "$(state_field pid)" 0 "pid of a stopped container"
}

@test "state: the OCI state has ociVersion, id, status, pid, bundle and annotations" {
  update_config '.annotations = {"org.example.key": "value", "com.example.n": "42"}'
  launch
  run rt state "$ID"
  assert_success
  jq -e . <<< "$output" > /dev/null
  [[ $(jq -r .ociVersion <<< "$output") =~ ^1\.[0-9]+\.[0-9]+ ]]
  assert_equal "$(jq -r .id <<< "$output")" "$ID" id
  assert_equal "$(jq -r .status <<< "$output")" running status
  [ "$(jq -r .pid <<< "$output")" -gt 0 ]
  assert_equal "$(jq -r .bundle <<< "$output")" "$BUNDLE" bundle
  assert_equal "$(jq -c '.annotations | to_entries | sort_by(.key) | from_entries' <<< "$output")" \
    '{"com.example.n":"42","org.example.key":"value"}' annotations
  # And the runtime-spec's state schema accepts it.
  if [ -f "$SPEC_DIR/schema/state-schema.json" ]; then
    "${PYTHON3:-/usr/bin/python3}" -c '
import json, os, sys, jsonschema
schema = json.load(open(sys.argv[1]))
base = "file://" + os.path.dirname(os.path.abspath(sys.argv[1])) + "/"
resolver = jsonschema.RefResolver(base, schema)
jsonschema.Draft4Validator(schema, resolver=resolver).validate(json.loads(sys.argv[2]))' \
      "$SPEC_DIR/schema/state-schema.json" "$output"
  fi
}

@test "state: an unknown container is an error" {
  run --separate-stderr rt state nosuch
  assert_failure
  [ -n "$stderr" ]
}

@test "create: an existing id is refused and the first container is untouched" {
  launch
  local pid
  pid=$(state_field pid)
  run_create
  assert_failure
  if ! is_runc; then
    assert_output_contains "already exists"
  fi
  assert_equal "$(state_field status)" running status
  assert_equal "$(state_field pid)" "$pid" pid
}

@test "start: starting twice is refused" {
  launch
  run --separate-stderr rt start "$ID"
  assert_failure
  [ -n "$stderr" ]
  assert_equal "$(state_field status)" running status
}

@test "start: a config without process is created; start refuses it and stops the container" {
  runc_lacks "configs without process (runc 1.1 requires it at create)"
  update_config 'del(.process)'
  run_create
  assert_success
  assert_equal "$(state_field status)" created status
  run --separate-stderr rt start "$ID"
  assert_failure
  is_runc || [[ $stderr == *"process was not set"* ]] || { echo "stderr: $stderr" >&2; false; }
  # It can never run anything: start ends it.
  wait_for_status stopped
  run rt delete -f "$ID"
  assert_success
  assert_no_container
}

@test "create: a missing binary fails create, names the binary, leaves nothing behind" {
  set_args /bin/nosuch
  run_create
  assert_failure
  assert_output_contains /bin/nosuch
  if ! is_runc; then
    assert_output_contains 'exec "/bin/nosuch": No such file or directory'
  fi
  assert_no_container
  run rt state "$ID"
  assert_failure
}

@test "create: an invalid config fails, names the JSON path, leaves nothing behind" {
  update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": "many", "hard": 10}]'
  run_create
  assert_failure
  if ! is_runc; then
    assert_output_contains "process.rlimits[0].soft"
  fi
  assert_no_container
}

@test "create: a failure inside the container names the step, leaves nothing behind" {
  # A mount whose source does not exist fails in the container's init.
  update_config '.mounts += [{"destination": "/mnt", "type": "bind", "source": "/nonexistent/src", "options": ["bind"]}]'
  run_create
  assert_failure
  assert_output_contains /nonexistent/src
  if ! is_runc; then
    assert_output_contains "create: "
  fi
  assert_no_container
}

# ---- kill

@test "kill: the default signal is SIGTERM" {
  launch sh -c 'trap "echo TERM > /tmp/sig; exit 0" TERM; while :; do sleep 0.1; done'
  wait_for_status running
  sleep 0.2 # let the shell install its trap
  run rt kill "$ID"
  assert_success
  wait_for_file "$BUNDLE/rootfs/tmp/sig" TERM
  wait_for_status stopped
}

@test "kill: the signal as a number, a name, and a name with SIG" {
  local sig
  launch sh -c 'trap "echo USR1 >> /tmp/sig" USR1; trap "echo HUP >> /tmp/sig" HUP;
    trap "echo TERM >> /tmp/sig; exit 0" TERM; while :; do sleep 0.1; done'
  sleep 0.3
  run rt kill "$ID" 10
  assert_success
  wait_for_file "$BUNDLE/rootfs/tmp/sig" USR1
  run rt kill "$ID" HUP
  assert_success
  wait_for_file "$BUNDLE/rootfs/tmp/sig" HUP
  run rt kill "$ID" SIGTERM
  assert_success
  wait_for_file "$BUNDLE/rootfs/tmp/sig" TERM
  wait_for_status stopped
}

@test "kill: KILL stops the container; a stopped container answers 'container not running'" {
  launch
  run rt kill "$ID" KILL
  assert_success
  wait_for_status stopped
  run --separate-stderr rt kill "$ID" KILL
  assert_failure
  [[ $stderr == *"container not running"* ]]
}

@test "kill: an unknown signal is refused" {
  launch
  run --separate-stderr rt kill "$ID" SIGNOSUCH
  assert_failure
  assert_equal "$(state_field status)" running status
}

@test "kill -a: every process of the container gets the signal" {
  launch sh -c 'sleep 1000 & sleep 1000 & wait'
  wait_for_status running
  local init
  init=$(state_field pid)
  sleep 0.2
  run rt kill -a "$ID" KILL
  assert_success
  wait_for_status stopped
  [ ! -d "/proc/$init" ] || [ "$(awk '{print $3}' "/proc/$init/stat")" = Z ]
}

# ---- delete

@test "delete: a running container is refused without -f and kept" {
  launch
  run --separate-stderr rt delete "$ID"
  assert_failure
  [ -n "$stderr" ]
  assert_equal "$(state_field status)" running status
}

@test "delete -f: kills a running container and removes its state" {
  launch
  local pid
  pid=$(state_field pid)
  run rt delete -f "$ID"
  assert_success
  [ ! -e "$HAKO_ROOT/$ID" ]
  run rt state "$ID"
  assert_failure
  # The init is gone (not even a zombie: it was reaped).
  local i
  for i in $(seq 50); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  [ ! -d "/proc/$pid" ]
}

@test "delete: a stopped container is removed; a created one needs -f" {
  set_args true
  run_create
  assert_success
  run rt start "$ID"
  wait_for_status stopped
  run rt delete "$ID"
  assert_success
  run rt state "$ID"
  assert_failure
  new_id life-created
  run_create
  assert_success
  local pid
  pid=$(state_field pid)
  if ! is_runc; then
    # Spec 1.3: deleting a container that is not stopped is an error (runc
    # kills a created one instead).
    run --separate-stderr rt delete "$ID"
    assert_failure
    assert_equal "$(state_field status)" created status
  fi
  run rt delete -f "$ID"
  assert_success
  run rt state "$ID"
  assert_failure
  for i in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  [ ! -d "/proc/$pid" ]
}

# ---- list

@test "list: -q prints the ids; json and table formats" {
  local a b
  launch
  a=$ID
  new_id life-second
  b=$ID
  set_args true
  run_create
  assert_success
  run rt list -q
  assert_success
  assert_equal "$(sort <<< "$output" | tr '\n' ' ')" "$(printf '%s\n' "$a" "$b" | sort | tr '\n' ' ')" ids
  run rt list --format json
  assert_success
  assert_equal "$(jq -r --arg id "$a" '.[] | select(.id == $id) | .status' <<< "$output")" running
  assert_equal "$(jq -r --arg id "$b" '.[] | select(.id == $id) | .status' <<< "$output")" created
  assert_equal "$(jq -r --arg id "$a" '.[] | select(.id == $id) | .bundle' <<< "$output")" "$BUNDLE"
  [ "$(jq -r --arg id "$a" '.[] | select(.id == $id) | .pid' <<< "$output")" -gt 0 ]
  run rt list
  assert_success
  [[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE ]]
  [[ $output =~ $a\ +[0-9]+\ +running\ +$BUNDLE ]]
  [[ $output =~ $b\ +[0-9]+\ +created\ +$BUNDLE ]]
}

@test "list: an empty root lists nothing" {
  run rt list -q
  assert_success
  [ -z "$output" ]
  run rt list --format json
  assert_success
  [ "$(jq length <<< "$output")" -eq 0 ] || [ "$output" = null ]
}

# ---- run

@test "run: the container's output and exit status reach the caller" {
  set_args sh -c 'echo out; echo err >&2; exit 7'
  run_container
  [ "$status" -eq 7 ]
  assert_equal "$output" out stdout
  [[ $stderr == *err* ]]
  # Without --keep the container is gone.
  run rt state "$ID"
  assert_failure
  [ ! -e "$HAKO_ROOT/$ID" ]
}

@test "run: a process killed by signal N exits with 128+N" {
  set_args sleep 1000
  # Not rt: $! must be the runtime itself, not a subshell.
  "$RUNTIME" --root "$HAKO_ROOT" run -b "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  local runner=$!
  wait_for_status running
  rt kill "$ID" KILL
  local rc=0
  wait "$runner" || rc=$?
  assert_equal "$rc" 137 "exit status"
}

@test "run: signals sent to the runtime reach the container" {
  set_args sh -c 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done'
  "$RUNTIME" --root "$HAKO_ROOT" run -b "$BUNDLE" "$ID" < /dev/null > "$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
  local runner=$!
  wait_for_file "$BATS_TEST_TMPDIR/out" ready
  kill -TERM "$runner"
  local rc=0
  wait "$runner" || rc=$?
  assert_equal "$rc" 42 "exit status"
  grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "run -d: returns at once, the container keeps running" {
  set_args sh -c 'sleep 1000'
  run_detached "run -d"
  assert_success
  wait_for_status running
}

@test "run --keep: the stopped container stays until deleted" {
  set_args sh -c 'exit 3'
  run_container --keep
  [ "$status" -eq 3 ]
  assert_equal "$(state_field status)" stopped status
  run rt delete "$ID"
  assert_success
  run rt state "$ID"
  assert_failure
}

@test "run: the container process is in the container's namespaces, as pid 1" {
  set_args sh -c 'echo $$; readlink /proc/self/ns/mnt'
  run_container
  assert_success
  assert_equal "${lines[0]}" 1 "pid in the container"
  [ "${lines[1]}" != "$(host_ns mnt)" ]
}

# ---- exec

@test "exec: args, exit status, and all the init's namespaces and cgroups" {
  launch
  run --separate-stderr rt exec "$ID" sh -c 'echo "$0-$1"; exit 3' a b
  [ "$status" -eq 3 ]
  assert_equal "$output" a-b
  run --separate-stderr rt exec "$ID" sh -c '
    for n in cgroup ipc mnt net pid user uts; do
      [ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] || echo "differs: $n"
    done
    cmp -s /proc/self/cgroup /proc/1/cgroup || echo "differs: cgroups"
    echo done'
  assert_success
  assert_equal "$output" done
}

@test "exec: -e, --cwd, -u uid:gid and -g" {
  launch
  run --separate-stderr rt exec -e FOO=bar -e BAZ=qux --cwd /tmp "$ID" sh -c 'echo "$FOO $BAZ"; pwd'
  assert_success
  assert_equal "${lines[0]}" "bar qux"
  assert_equal "${lines[1]}" /tmp
  run --separate-stderr rt exec -u 1000:1000 -g 5 -g 6 "$ID" sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status'
  assert_success
  [[ ${lines[0]} =~ ^Uid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
  [[ ${lines[1]} =~ ^Gid:[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000[[:space:]]+1000$ ]]
  [[ ${lines[2]} =~ ^Groups:[[:space:]]+5\ 6[[:space:]]*$ ]]
  run --separate-stderr rt exec -u 1000 "$ID" id -u
  assert_success
  assert_equal "$output" 1000
}

@test "exec: --cap adds a capability, --no-new-privs sets no_new_privs" {
  update_config '.process.noNewPrivileges = false'
  launch
  run --separate-stderr rt exec "$ID" grep -E '^(CapEff|NoNewPrivs):' /proc/self/status
  assert_success
  [[ ${lines[0]} =~ ^CapEff:[[:space:]]+0000000020000420$ ]]
  [[ ${lines[1]} =~ ^NoNewPrivs:[[:space:]]+0$ ]]
  run --separate-stderr rt exec --cap CAP_CHOWN --no-new-privs "$ID" grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status
  assert_success
  [[ ${lines[0]} =~ ^CapEff:[[:space:]]+0000000020000421$ ]]
  [[ ${lines[1]} =~ ^CapBnd:[[:space:]]+0000000020000421$ ]]
  [[ ${lines[2]} =~ ^NoNewPrivs:[[:space:]]+1$ ]]
}

@test "exec -d: returns at once; --pid-file names the process in the container" {
  launch
  # The detached process keeps its stdio: a file, not bats' pipe.
  rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sh -c 'sleep 1000' \
    < /dev/null > "$BATS_TEST_TMPDIR/exec.out" 2>&1
  local pid init
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  init=$(state_field pid)
  [ "$pid" -gt 0 ]
  [ "$pid" != "$init" ]
  [ "$(readlink "/proc/$pid/ns/mnt")" = "$(readlink "/proc/$init/ns/mnt")" ]
  [ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$init/ns/pid_for_children")" ]
}

@test "exec -p: the process comes from a process.json" {
  launch
  jq -n '{args: ["sh", "-c", "echo $A; pwd; id -u; id -g"], env: ["PATH=/bin", "A=from-json"],
          cwd: "/home/user", user: {uid: 1000, gid: 1000}, terminal: false}' \
    > "$BATS_TEST_TMPDIR/process.json"
  run --separate-stderr rt exec -p "$BATS_TEST_TMPDIR/process.json" "$ID"
  assert_success
  assert_equal "$output" "$(printf '%s\n' from-json /home/user 1000 1000)"
}

@test "exec: a missing binary fails with an error naming it" {
  launch
  run --separate-stderr rt exec "$ID" /bin/nosuch
  assert_failure
  [[ $stderr == *"/bin/nosuch"* ]]
  if ! is_runc; then
    [[ $stderr == *'exec "/bin/nosuch": No such file or directory'* ]]
  fi
  assert_equal "$(state_field status)" running status
}

@test "exec: a stopped container refuses exec" {
  set_args true
  run_create
  assert_success
  run rt start "$ID"
  wait_for_status stopped
  run --separate-stderr rt exec "$ID" true
  assert_failure
  [ -n "$stderr" ]
}

# ---- ps

@test "ps: table, json, and ps options" {
  launch
  local pid
  pid=$(state_field pid)
  run --separate-stderr rt ps --format json "$ID"
  assert_success
  jq -e --argjson p "$pid" 'index($p) != null' <<< "$output"
  run --separate-stderr rt ps "$ID"
  assert_success
  [[ ${lines[0]} == *PID* ]]
  [[ $output =~ [[:space:]]$pid[[:space:]] ]]
  [[ $output == *"sleep 1000"* ]]
  run --separate-stderr rt ps "$ID" -o pid,comm
  assert_success
  [[ ${lines[0]} =~ PID\ +COMMAND ]]
  [[ ${lines[1]} =~ ^\ *$pid\ +sleep$ ]]
}

# ---- fds and terminals

@test "fds: only 0-2 and --preserve-fds fds reach the container" {
  echo one > "$BATS_TEST_TMPDIR/f3"
  echo two > "$BATS_TEST_TMPDIR/f4"
  # ls runs as a child of the shell and lists the shell's fds (no pipe: the
  # shell would hold its end while ls runs).
  set_args sh -c 'cat <&3; cat <&4; ls /proc/$$/fd; :'
  run --separate-stderr "$RUNTIME" --root "$HAKO_ROOT" run --preserve-fds 2 -b "$BUNDLE" "$ID" \
    3< "$BATS_TEST_TMPDIR/f3" 4< "$BATS_TEST_TMPDIR/f4" 5< "$BATS_TEST_TMPDIR/f4" < /dev/null
  assert_success
  assert_equal "${lines[0]}" one
  assert_equal "${lines[1]}" two
  assert_equal "${lines[*]:2}" "0 1 2 3 4" "fds in the container"
  new_id life-nofds
  set_args sh -c 'ls /proc/$$/fd; :'
  run --separate-stderr "$RUNTIME" --root "$HAKO_ROOT" run -b "$BUNDLE" "$ID" \
    3< "$BATS_TEST_TMPDIR/f3" 4< "$BATS_TEST_TMPDIR/f4" < /dev/null
  assert_success
  assert_equal "${lines[*]}" "0 1 2" "fds in the container"
}

@test "exec --preserve-fds: the fd reaches the exec'd process" {
  launch
  echo hello > "$BATS_TEST_TMPDIR/f3"
  run --separate-stderr "$RUNTIME" --root "$HAKO_ROOT" exec --preserve-fds 1 "$ID" \
    sh -c 'cat <&3; ls /proc/$$/fd; :' 3< "$BATS_TEST_TMPDIR/f3" 4< "$BATS_TEST_TMPDIR/f3"
  assert_success
  assert_equal "${lines[0]}" hello
  assert_equal "${lines[*]:1}" "0 1 2 3" "fds in the exec'd process"
}

@test "fds: LISTEN_FDS fds pass through, LISTEN_PID becomes the container's" {
  echo socket-fd > "$BATS_TEST_TMPDIR/f3"
  set_args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; ls /proc/$$/fd; :'
  # LISTEN_PID must be the runtime's own pid, as systemd would set it.
  run --separate-stderr sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"' sh \
    "$RUNTIME" --root "$HAKO_ROOT" run -b "$BUNDLE" "$ID" 3< "$BATS_TEST_TMPDIR/f3" < /dev/null
  assert_success
  assert_equal "${lines[0]}" "1 1" "LISTEN_FDS and LISTEN_PID"
  assert_equal "${lines[1]}" socket-fd
  assert_equal "${lines[*]:2}" "0 1 2 3" "fds in the container"
}

@test "run --no-pivot: the container runs in its rootfs without pivot_root" {
  set_args sh -c 'cat /etc/hostname; ls /work 2>/dev/null || echo no-host-dirs'
  run_container --no-pivot
  assert_success
  assert_equal "${lines[0]}" hako "/etc/hostname of the rootfs"
  assert_equal "${lines[1]}" no-host-dirs
}

# start_receiver: tests/console-receiver on $SOCK, output in $RECV_OUT.
start_receiver () {
  local recv="$HAKO_BUILDDIR/tests/console-receiver"
  [ -x "$recv" ] || skip "console-receiver is not built (make check builds it)"
  SOCK="$BATS_TEST_TMPDIR/console.sock"
  RECV_OUT="$BATS_TEST_TMPDIR/receiver.out"
  "$recv" -t 10 "$SOCK" "$@" > "$RECV_OUT" 2>&1 3>&- &
  RECV_PID=$!
  wait_for_file "$SOCK"
}

# wait_receiver: the receiver's exit status in RECV_STATUS; it is killed
# (status 124) if it is still there after 15 s, e.g. when nobody connected.
wait_receiver () {
  local i
  for i in $(seq 150); do
    kill -0 "$RECV_PID" 2> /dev/null || break
    sleep 0.1
  done
  kill "$RECV_PID" 2> /dev/null && echo "console-receiver still waiting; killed" >&2
  RECV_STATUS=0
  wait "$RECV_PID" || RECV_STATUS=$?
  cat "$RECV_OUT" >&2
}

@test "terminal: --console-socket receives the pty master; consoleSize applies" {
  start_receiver
  update_config '.process.terminal = true | .process.consoleSize = {"height": 25, "width": 100}'
  set_args sh -c 'tty; stty size; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-ttys; ls -l /dev/console'
  run_create --console-socket "$SOCK"
  assert_success
  run rt start "$ID"
  assert_success
  wait_receiver
  assert_equal "$RECV_STATUS" 0 "console-receiver status"
  grep -q '^/dev/pts/0' "$RECV_OUT"
  grep -q '^25 100' "$RECV_OUT"
  grep -q all-ttys "$RECV_OUT"
  # /dev/console is the pty (devpts major 136).
  grep -Eq '^c.* 136, +0 .*/dev/console' "$RECV_OUT"
}

@test "terminal: the pty belongs to process.user (uid), group tty stays" {
  start_receiver
  update_config '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
  set_args sh -c 'stat -c "owner=%u:%g mode=%a" "$(tty)"; echo >> "$(tty)" && echo reopened'
  run_create --console-socket "$SOCK"
  assert_success
  run rt start "$ID"
  assert_success
  wait_receiver
  assert_equal "$RECV_STATUS" 0 "console-receiver status"
  # devpts is mounted with gid=5 (tty) by hako spec's default mounts.
  grep -q '^owner=1000:5 mode=620' "$RECV_OUT"
  grep -q '^reopened' "$RECV_OUT"
}

@test "terminal: input written to the master reaches the process" {
  start_receiver $'hello\n'
  update_config '.process.terminal = true'
  set_args sh -c 'read line; echo "got-$line"'
  run_create --console-socket "$SOCK"
  assert_success
  run rt start "$ID"
  assert_success
  wait_receiver
  assert_equal "$RECV_STATUS" 0 "console-receiver status"
  grep -q '^got-hello' "$RECV_OUT"
}

@test "terminal: exec -t -d sends the exec'd process's pty to --console-socket" {
  launch
  start_receiver
  run --separate-stderr rt exec -t -d --console-socket "$SOCK" "$ID" sh -c 'tty; [ -t 0 ] && echo stdin-tty'
  assert_success
  wait_receiver
  assert_equal "$RECV_STATUS" 0 "console-receiver status"
  grep -q '^/dev/pts/[0-9]' "$RECV_OUT"
  grep -q '^stdin-tty' "$RECV_OUT"
}

@test "terminal: run and exec -t without --console-socket use the caller's terminal" {
  requires_cmd script
  update_config '.process.terminal = true'
  set_args sh -c 'tty; stty size; exit 3'
  # script(1) gives the runtime a terminal of its own, 30x90.
  run script -q -e -c "stty rows 30 cols 90; $RUNTIME --root $HAKO_ROOT run -b $BUNDLE $ID" /dev/null < /dev/null
  [ "$status" -eq 3 ]
  [[ $output =~ /dev/pts/[0-9]+ ]]
  [[ $output == *"30 90"* ]]
  new_id life-exec-t
  update_config '.process.terminal = false'
  launch
  run script -q -e -c "$RUNTIME --root $HAKO_ROOT exec -t $ID sh -c 'tty; exit 4'" /dev/null < /dev/null
  [ "$status" -eq 4 ]
  [[ $output =~ /dev/pts/[0-9]+ ]]
}

@test "terminal: process.terminal without --console-socket is refused by create" {
  update_config '.process.terminal = true'
  run_create
  assert_failure
  assert_no_container
}

@test "pidfd-socket: create sends a pidfd of the container process" {
  runc_lacks "--pidfd-socket"
  start_receiver
  set_args sleep 1000
  run_create --pidfd-socket "$SOCK"
  assert_success
  run rt start "$ID"
  assert_success
  # The pidfd polls readable once the process exits, and the receiver ends.
  sleep 0.3
  kill -0 "$RECV_PID" # still waiting: the process runs
  run rt kill "$ID" KILL
  assert_success
  wait_receiver
  assert_equal "$RECV_STATUS" 0 "receiver status (2: the pidfd never signalled an exit)"
}

@test "start: an exec that fails after start is reported by start, not as an exit" {
  is_runc && skip "runc 1.1's start does not wait for the exec"
  # Executable, but no binary and no #! line: execve says ENOEXEC.
  printf 'not a program\n' > "$BUNDLE/rootfs/bin/garbage"
  chmod 755 "$BUNDLE/rootfs/bin/garbage"
  set_args /bin/garbage
  run_create
  assert_success
  run --separate-stderr rt start "$ID"
  assert_failure
  [[ $stderr == *'exec "/bin/garbage": Exec format error'* ]] || { echo "stderr: $stderr" >&2; false; }
  wait_for_status stopped
  # A process that exits at once is a successful start.
  new_id life-quick
  set_args true
  run_create
  assert_success
  run --separate-stderr rt start "$ID"
  assert_success
  assert_equal "$stderr" "" "start's stderr"
  # run reports the failed exec too, and exits non-zero.
  new_id life-run-garbage
  set_args /bin/garbage
  run_container
  assert_failure
  [[ $stderr == *'exec "/bin/garbage": Exec format error'* ]] || { echo "stderr: $stderr" >&2; false; }
}

# ---- hooks

# hook_config: every hook kind writes its name to $HOOKLOG/order and its
# stdin (the state) to $HOOKLOG/NAME.json.  startContainer runs in the
# container, so its script and log are bind-mounted in.
hook_config () {
  HOOKLOG="$BATS_TEST_TMPDIR/hooklog"
  mkdir -p "$HOOKLOG"
  local hook="$BATS_TEST_TMPDIR/hook.sh"
  printf '#!/bin/sh\ncat > "$2/$1.json"\necho "$1" >> "$2/order"\n[ -z "$3" ] || exit "$3"\n' > "$hook"
  chmod 755 "$hook"
  cp "$hook" "$BUNDLE/rootfs/bin/hook.sh"
  update_config '
    def h(n): {path: $hook, args: ["hook", n, $log], env: ["PATH=/usr/bin:/bin"]};
    .mounts += [{destination: "/hooklog", type: "bind", source: $log, options: ["bind"]}]
    | .hooks = {prestart: [h("prestart")], createRuntime: [h("createRuntime")],
                createContainer: [h("createContainer")],
                startContainer: [{path: "/bin/hook.sh", args: ["hook", "startContainer", "/hooklog"],
                                  env: ["PATH=/bin"]}],
                poststart: [h("poststart")], poststop: [h("poststop")]}' \
    --arg hook "$hook" --arg log "$HOOKLOG"
}

@test "hooks: every kind runs, in order, with the state on stdin" {
  hook_config
  launch
  local pid
  pid=$(state_field pid)
  assert_equal "$(head -3 "$HOOKLOG/order" | tr '\n' ' ')" "prestart createRuntime createContainer " "create hooks"
  wait_for_file "$HOOKLOG/order" startContainer
  wait_for_file "$HOOKLOG/order" poststart
  if ! is_runc; then
    # poststart runs after the process is started (runc races the two).
    assert_equal "$(sed -n 4,5p "$HOOKLOG/order" | tr '\n' ' ')" "startContainer poststart " "start hooks"
  fi
  run rt delete -f "$ID"
  assert_success
  assert_equal "$(tail -1 "$HOOKLOG/order")" poststop "last hook"
  assert_equal "$(wc -l < "$HOOKLOG/order")" 6 "hook runs"
  local h
  for h in prestart createRuntime createContainer startContainer poststart poststop; do
    assert_equal "$(jq -r .id "$HOOKLOG/$h.json")" "$ID" "$h id"
    assert_equal "$(jq -r .bundle "$HOOKLOG/$h.json")" "$BUNDLE" "$h bundle"
  done
  # Spec 1.3: these hooks run after step 2 (creating), so they see
  # "created"; runc 1.1 says "creating".
  local created=created
  is_runc && created=creating
  for h in prestart createRuntime createContainer; do
    assert_equal "$(jq -r .status "$HOOKLOG/$h.json")" "$created" "$h status"
  done
  assert_equal "$(jq -r .status "$HOOKLOG/startContainer.json")" created "startContainer status"
  assert_equal "$(jq -r .status "$HOOKLOG/poststop.json")" stopped "poststop status"
  assert_equal "$(jq -r .pid "$HOOKLOG/prestart.json")" "$pid" "prestart pid"
  assert_equal "$(jq -r .pid "$HOOKLOG/createRuntime.json")" "$pid" "createRuntime pid"
  if ! is_runc; then
    # runc reports status "created" to poststart and its pid-namespace pid 1 to
    # the in-container hooks; the spec says running, and the host's pid.
    assert_equal "$(jq -r .status "$HOOKLOG/poststart.json")" running "poststart status"
    for h in createContainer startContainer poststart; do
      assert_equal "$(jq -r .pid "$HOOKLOG/$h.json")" "$pid" "$h pid"
    done
  fi
}

@test "hooks: createContainer runs in the container's namespaces, createRuntime in the runtime's" {
  hook_config
  local hook="$BATS_TEST_TMPDIR/ns-hook.sh"
  printf '#!/bin/sh\nreadlink /proc/self/ns/mnt > "%s/$1.ns"\n' "$HOOKLOG" > "$hook"
  chmod 755 "$hook"
  update_config '.hooks.createRuntime += [{path: $h, args: ["h", "createRuntime"]}]
    | .hooks.createContainer += [{path: $h, args: ["h", "createContainer"]}]' --arg h "$hook"
  launch
  local init
  init=$(state_field pid)
  assert_equal "$(cat "$HOOKLOG/createRuntime.ns")" "$(host_ns mnt)" "createRuntime mount ns"
  assert_equal "$(cat "$HOOKLOG/createContainer.ns")" "$(readlink "/proc/$init/ns/mnt")" "createContainer mount ns"
}

@test "hooks: a failing prestart hook fails create and leaves nothing behind" {
  hook_config
  update_config '.hooks.prestart[0].args += ["3"]'
  set_args sleep 1000
  run_create
  assert_failure
  assert_no_container
}

@test "hooks: a hook that outlives its timeout fails create" {
  update_config '.hooks.createRuntime = [{path: "/bin/sleep", args: ["sleep", "30"], timeout: 1}]'
  set_args sleep 1000
  SECONDS=0
  run_create
  assert_failure
  [ "$SECONDS" -lt 10 ]
  assert_no_container
}

@test "hooks: a failing startContainer hook fails start with its message" {
  is_runc && skip "runc 1.1 reports startContainer failures only in the container's stderr"
  hook_config
  update_config '.hooks.startContainer[0].args += ["4"]'
  set_args sleep 1000
  run_create
  assert_success
  run --separate-stderr rt start "$ID"
  assert_failure
  [[ $stderr == *"startContainer hook"*"exit status 4"* ]] || { echo "stderr: $stderr" >&2; false; }
  wait_for_status stopped
  run rt start "$ID"
  assert_failure
}

@test "hooks: a failing poststart fails start and stops the container" {
  runc_lacks "poststart hooks at start (runc 1.1 runs them during create)"
  hook_config
  update_config '.hooks.poststart[0].args += ["1"]'
  set_args sleep 1000
  run_create
  assert_success
  run --separate-stderr rt start "$ID"
  assert_failure
  run rt state "$ID"
  if [ "$status" -eq 0 ]; then
    wait_for_status stopped
  fi
}

@test "hooks: a failing poststop only warns; delete succeeds" {
  hook_config
  update_config '.hooks.poststop[0].args += ["1"]'
  launch
  run --separate-stderr rt delete -f "$ID"
  assert_success
  grep -q poststop "$HOOKLOG/order"
  run rt state "$ID"
  assert_failure
  [ ! -e "$HAKO_ROOT/$ID" ]
}

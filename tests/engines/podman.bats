#!/usr/bin/env bats
# podman (4.x, with conmon) driving hako: what podman really asks of a
# runtime, checked in what the container and the kernel show.  podman runs
# with private storage (vfs), run and tmp directories, cgroupfs under a
# cgroup parent of this run's own, events to a file and a containers.conf of
# its own (lower default ulimits: a sandbox without CAP_SYS_RESOURCE cannot
# raise RLIMIT_NOFILE to podman's 1048576).  Containers use --network none,
# so netavark never runs.  conmon treats a runtime whose name is "runc"
# specially (--log-format=json --log FILE on create and exec): the runtime
# goes by a neutral name ("hako") except in the tests that check that path.
#
#   RUNTIME=/usr/sbin/runc bats tests/engines/podman.bats   # the reference

load lib

IMAGE=localhost/hako-engines-bb:latest

setup_file () {
  engine_check podman conmon || return 1
  [ -z "$ENGINE_SKIP" ] || return 0
  PM_DIR=$(mktemp -d /tmp/hako-podman.XXXXXX)
  PM_CG=/hako-engines-podman-$$
  export PM_DIR PM_CG
  # Importing an image writes containers/image's blob cache in
  # /var/lib/containers/cache whatever the storage root: remove it if we
  # made it.
  [ -e /var/lib/containers ] || touch "$PM_DIR/made-var-lib-containers"
  mkdir -p "$PM_DIR"/{tmp,net,volumes}
  cat > "$PM_DIR/containers.conf" << 'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
EOF
  # The podman command line every test uses (a script: `script` runs it too).
  cat > "$PM_DIR/pm" << EOF
#!/bin/sh
export CONTAINERS_CONF=$PM_DIR/containers.conf
exec podman --root $PM_DIR/root --runroot $PM_DIR/run --storage-driver vfs \\
  --cgroup-manager cgroupfs --events-backend file --tmpdir $PM_DIR/tmp \\
  --network-config-dir $PM_DIR/net --volumepath $PM_DIR/volumes \\
  --runtime "\${PM_RUNTIME:-$PM_DIR/bin/hako}" "\$@"
EOF
  chmod 0755 "$PM_DIR/pm"
  WRAPPER_LOG=$PM_DIR/runc-argv.log engine_wrapper "$PM_DIR/bin-runc/runc" --root "$PM_DIR/runtime-root"
  engine_wrapper "$PM_DIR/bin/hako" --root "$PM_DIR/runtime-root"
  make_image_rootfs "$PM_DIR/rootfs"
  tar -C "$PM_DIR/rootfs" -c . | pm import -q - "$IMAGE" > /dev/null
}

teardown_file () {
  [ -n "${PM_DIR:-}" ] || return 0
  pm rm -a -f -t 0 > /dev/null 2>&1 || true
  pm rmi -a -f > /dev/null 2>&1 || true
  pm system reset -f > /dev/null 2>&1 || true
  umount_below "$PM_DIR"
  cg_remove "$PM_CG"
  [ ! -e "$PM_DIR/made-var-lib-containers" ] || rm -rf /var/lib/containers
  rm -rf "$PM_DIR"
}

setup () {
  skip_unless_engine
}

teardown () {
  [ -z "${PM_DIR:-}" ] || pm rm -a -f -t 0 > /dev/null 2>&1 || true
}

# pm ARGS...: podman with this file's private setup; fd 3 (bats' output)
# closed, so that conmon cannot hold it.
pm () {
  "$PM_DIR/pm" "$@" 3>&-
}

# prun ARGS...: podman run without networking, in our cgroup parent.
prun () {
  pm run --network none --cgroup-parent "$PM_CG" "$@"
}

# start_sleeper NAME [RUN_OPTS...]: a detached container NAME that says
# "ready" once its USR1/TERM traps are set (exit 3 / exit 0), then waits.
start_sleeper () {
  local name=$1
  shift
  run prun -d --name "$name" "$@" "$IMAGE" \
    sh -c 'trap "exit 3" USR1; trap "exit 0" TERM; echo ready; while :; do sleep 0.2; done'
  assert_success
  wait_until 30 logs_say "$name" ready
}

logs_say () {
  pm logs "$1" 2>&1 | grep -q -- "$2"
}

ctr_pid () {
  pm inspect -f '{{.State.Pid}}' "$1"
}

ctr_state () {
  pm inspect -f '{{.State.Status}}' "$1"
}

@test "podman run --rm: output and exit codes" {
  run prun --rm "$IMAGE" echo hello from hako
  assert_success
  assert_equal "$output" "hello from hako"
  run prun --rm "$IMAGE" sh -c 'exit 7'
  assert_status 7
  # A missing command: podman maps the runtime's error to 127.
  run -127 prun --rm "$IMAGE" /no/such/command
  assert_output_contains /no/such/command
}

@test "podman run -d, ps, logs, exec (exit code, -u), stop, rm" {
  start_sleeper c1
  run pm ps --format '{{.Names}} {{.Status}}'
  assert_success
  assert_match '^c1 Up'
  run pm logs c1
  assert_equal "$output" ready
  run pm exec c1 sh -c 'echo exec-out; id -u'
  assert_success
  assert_equal "$output" "exec-out"$'\n'"0"
  run pm exec c1 sh -c 'exit 5'
  assert_status 5
  run pm exec -u 1000:1000 c1 id
  assert_success
  assert_match '^uid=1000.* gid=1000'
  run pm exec -e FOO=bar -w /tmp c1 sh -c 'echo $FOO $(pwd)'
  assert_equal "$output" "bar /tmp"
  # stop: SIGTERM, which the container traps to exit 0.
  run pm stop -t 20 c1
  assert_success
  assert_equal "$(ctr_state c1)" exited
  assert_equal "$(pm inspect -f '{{.State.ExitCode}}' c1)" 0
  run pm rm c1
  assert_success
  run pm ps -a --format '{{.Names}}'
  assert_equal "$output" ""
}

@test "podman exec -t and run -t get a terminal" {
  requires_cmd script
  start_sleeper c1
  run script -qec "$PM_DIR/pm exec -t c1 sh -c 'tty; stty size >/dev/null && echo stty-ok'" /dev/null
  assert_success
  assert_match '^/dev/pts/[0-9]+'
  assert_output_contains stty-ok
  run script -qec "$PM_DIR/pm run --rm -t --network none --cgroup-parent $PM_CG $IMAGE tty" /dev/null
  assert_success
  assert_match '^/dev/pts/[0-9]+'
}

@test "podman pause and unpause freeze the container's cgroup" {
  start_sleeper c1
  local pid
  pid=$(ctr_pid c1)
  run pm pause c1
  assert_success
  assert_equal "$(ctr_state c1)" paused
  run cg_read "$pid" freezer freezer.state cgroup.freeze
  assert_match '^(FROZEN|1)$' "freezer state while paused"
  run pm exec c1 true
  assert_failure
  run pm unpause c1
  assert_success
  assert_equal "$(ctr_state c1)" running
  run cg_read "$pid" freezer freezer.state cgroup.freeze
  assert_match '^(THAWED|0)$' "freezer state after unpause"
  run pm exec c1 echo alive
  assert_equal "$output" alive
}

@test "podman kill -s and wait report the container's exit" {
  start_sleeper c1
  run pm kill -s USR1 c1
  assert_success
  run pm wait c1
  assert_equal "$output" 3
  start_sleeper c2
  run pm kill -s KILL c2
  assert_success
  run pm wait c2
  assert_equal "$output" 137
  run prun -d --name c3 "$IMAGE" sh -c 'exit 9'
  assert_success
  run pm wait c3
  assert_equal "$output" 9
}

@test "podman --memory, --pids-limit, --cpus and update --memory in the cgroup files" {
  start_sleeper c1 --memory 64m --pids-limit 50 --cpus 0.5
  local pid
  pid=$(ctr_pid c1)
  run cg_read "$pid" memory memory.limit_in_bytes memory.max
  assert_equal "$output" 67108864 memory
  run cg_read "$pid" pids pids.max pids.max
  assert_equal "$output" 50 pids
  run cg_read "$pid" cpu cpu.cfs_quota_us cpu.max
  assert_match '^50000( 100000)?$' "cpu quota"
  run pm update --memory 128m c1
  assert_success
  run cg_read "$pid" memory memory.limit_in_bytes memory.max
  assert_equal "$output" 134217728 "memory after update"
  # The container sees the same files (its own cgroup namespace or view).
  run pm exec c1 sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max'
  assert_equal "$output" 134217728 "memory seen inside"
}

@test "podman --memory: the kernel OOM-kills past the limit" {
  # A child is the victim, so the container and its cgroup stay for a look.
  # (podman's OOMKilled stays false on this hybrid host with runc too:
  # conmon does not see the v1 event, so it is not asserted.)
  run prun -d --name oom --memory 16m --memory-swap 16m "$IMAGE" \
    sh -c 'tail /dev/zero; echo tail-status=$?; exec sleep 1000'
  assert_success
  wait_until 60 logs_say oom tail-status=
  run pm logs oom
  assert_match "^tail-status=137$" "status of the process past the limit"
  run cg_read "$(ctr_pid oom)" memory memory.oom_control memory.events
  assert_match '^oom_kill [1-9]' "the cgroup's OOM kill count"
}

@test "podman --read-only: read-only root, tmpfs /tmp /run /var/tmp with the image's content" {
  run prun --rm --read-only "$IMAGE" sh -c '
    touch /rootfile 2>/dev/null && echo root-writable
    for d in /tmp /run /var/tmp; do touch $d/f && echo $d writable; done
    cat /var/tmp/from-image
    awk "\$2 == \"/tmp\" || \$2 == \"/run\" || \$2 == \"/var/tmp\" || \$2 == \"/\" { print \$2, \$3, substr(\$4, 1, 2) }" /proc/mounts'
  assert_success
  [[ $output != *root-writable* ]] || { echo "root is writable: $output" >&2; false; }
  assert_output_contains "/tmp writable"
  assert_output_contains "/run writable"
  assert_output_contains "/var/tmp writable"
  assert_output_contains image
  assert_output_contains "/tmp tmpfs rw"
  assert_output_contains "/var/tmp tmpfs rw"
  assert_match '^/ [a-z0-9]+ ro$' "root mount"
}

@test "podman --tmpfs: a sized tmpfs holding the image's files" {
  run prun --rm --tmpfs /data:size=1m "$IMAGE" sh -c \
    'cat /data/seed; echo new > /data/new && echo written; awk "\$2 == \"/data\" { print \$3, \$4 }" /proc/mounts'
  assert_success
  assert_output_contains seed
  assert_output_contains written
  assert_match '^tmpfs .*size=1024k'
}

@test "podman --device and --privileged" {
  run prun --rm --device /dev/null:/dev/mynull "$IMAGE" sh -c \
    'stat -c "%F %t:%T %a" /dev/mynull; echo x > /dev/mynull && echo write-ok'
  assert_success
  assert_output_contains "character special file 1:3 666"
  assert_output_contains write-ok
  local bnd
  bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
  run prun --rm --privileged "$IMAGE" sh -c \
    'grep -E "^(CapEff|Seccomp):" /proc/self/status; test -c /dev/null && echo null-ok; ls /dev | wc -l'
  assert_success
  assert_output_contains "CapEff:	$bnd"
  assert_match '^Seccomp:	0$' "seccomp when privileged"
  assert_output_contains null-ok
}

@test "podman --cap-drop all" {
  run prun --rm --cap-drop all "$IMAGE" grep -E '^Cap(Eff|Prm|Bnd):' /proc/self/status
  assert_success
  assert_equal "$(grep -c ':	0000000000000000$' <<< "$output")" 3 "capability sets"
}

@test "podman's default seccomp profile: sethostname refused without CAP_SYS_ADMIN" {
  # In a user namespace of its own the shell may set the hostname of a new
  # UTS namespace; only the profile (sethostname needs CAP_SYS_ADMIN, which
  # the container lacks) refuses it.
  local try='grep ^Seccomp: /proc/self/status; unshare -r -u sh -c "hostname from-userns && hostname"'
  run prun --rm "$IMAGE" sh -c "$try"
  assert_match '^Seccomp:	2$' "seccomp mode"
  assert_output_contains "sethostname: Operation not permitted"
  [[ $output != *$'\n'from-userns* ]] || { echo "sethostname was allowed: $output" >&2; false; }
  run prun --rm --security-opt seccomp=unconfined "$IMAGE" sh -c "$try"
  assert_success
  assert_match '^Seccomp:	0$' "seccomp mode (unconfined)"
  assert_match '^from-userns$' "hostname set without the profile"
}

@test "podman --uidmap/--gidmap: the container runs as the mapped ids" {
  start_sleeper c1 --uidmap 0:100000:65536 --gidmap 0:100000:65536
  run pm exec c1 sh -c 'cat /proc/self/uid_map /proc/self/gid_map; stat -c "%u:%g" /bin/busybox'
  assert_success
  assert_equal "$(grep -cE '^ *0 +100000 +65536$' <<< "$output")" 2 "id maps"
  assert_match '^0:0$' "owner of the image's files"
  run awk '/^Uid:/ { print $2 } /^Gid:/ { print $2 }' "/proc/$(ctr_pid c1)/status"
  assert_equal "$output" "100000"$'\n'"100000" "host ids of the container's init"
}

@test "podman --init: podman's init is PID 1" {
  run prun --rm --init "$IMAGE" sh -c 'tr "\0" " " < /proc/1/cmdline; echo; echo sh=$$'
  assert_success
  assert_match '^/run/podman-init '
  assert_match '^sh=[0-9]+$'
  [[ $output != *"sh=1"* ]] || { echo "the command is PID 1: $output" >&2; false; }
}

@test "podman -v: a bind-mounted host directory, read and written" {
  local dir=$BATS_TEST_TMPDIR/vol
  mkdir -p "$dir"
  echo from-host > "$dir/in"
  run prun --rm -v "$dir:/vol" "$IMAGE" sh -c 'cat /vol/in; echo from-container > /vol/out'
  assert_success
  assert_equal "$output" from-host
  assert_equal "$(cat "$dir/out")" from-container
  run prun --rm -v "$dir:/vol:ro" "$IMAGE" sh -c 'echo x > /vol/out'
  assert_failure
}

@test "podman --ipc and --pid container: join another container's namespaces" {
  start_sleeper c1
  local pid
  pid=$(ctr_pid c1)
  run prun --rm --ipc container:c1 --pid container:c1 "$IMAGE" sh -c \
    'readlink /proc/self/ns/ipc; readlink /proc/self/ns/pid; ps -o args'
  assert_success
  assert_output_contains "$(readlink "/proc/$pid/ns/ipc")"
  assert_output_contains "$(readlink "/proc/$pid/ns/pid")"
  assert_output_contains 'trap "exit 3" USR1'
}

@test "podman with a runtime named runc: conmon's JSON log path" {
  : > "$PM_DIR/runc-argv.log"
  export PM_RUNTIME=$PM_DIR/bin-runc/runc
  run prun --rm "$IMAGE" echo via-runc-name
  assert_success
  assert_equal "$output" via-runc-name
  start_sleeper c1
  run pm exec c1 sh -c 'echo exec-ok; exit 4'
  assert_status 4
  assert_equal "$output" exec-ok
  run pm exec -u 1000 c1 id -u
  assert_equal "$output" 1000
  # conmon passed --log-format=json --log FILE to create and exec.
  run grep -cE -- '--log-format=json --log [^ ]+ (create|exec) ' "$PM_DIR/runc-argv.log"
  [ "$output" -ge 2 ] || { cat "$PM_DIR/runc-argv.log" >&2; false; }
  # An error reaches podman through the JSON log file.
  run -127 prun --rm "$IMAGE" /no/such/command
  assert_output_contains /no/such/command
}

#!/usr/bin/env bats
# containerd (1.6, the io.containerd.runc.v2 shim) driving hako through
# `ctr run --runc-binary`: the shim's command lines (--root, --log FILE
# --log-format json, create/start/exec/ps/pause/resume/kill/delete), checked
# in what the container, the task list and the kernel show.  The file starts
# a containerd of its own (socket, root and state in a temporary directory,
# the CRI plugin off), imports a busybox image built here as an OCI archive
# (no registry, no network) and uses a namespace of its own, which also names
# the containers' cgroup parent.
#
#   RUNTIME=/usr/sbin/runc bats tests/engines/containerd.bats   # the reference

load lib

IMAGE=localhost/hako-engines-bb:latest

setup_file () {
  engine_check containerd ctr containerd-shim-runc-v2 || return 1
  [ -z "$ENGINE_SKIP" ] || return 0
  CD_DIR=$(mktemp -d /tmp/hako-ctrd.XXXXXX)
  CD_NS=hako-engines-$$
  export CD_DIR CD_NS
  # containerd keeps the shims' sockets in /run/containerd/s: remove what
  # we add to a /run/containerd that was not there before.
  [ -e /run/containerd ] || touch "$CD_DIR/made-run-containerd"
  cat > "$CD_DIR/config.toml" << EOF
version = 2
root = "$CD_DIR/root"
state = "$CD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CD_DIR/containerd.sock"
[ttrpc]
  address = "$CD_DIR/containerd.sock.ttrpc"
[debug]
  address = "$CD_DIR/debug.sock"
EOF
  containerd --config "$CD_DIR/config.toml" > "$CD_DIR/containerd.log" 2>&1 3>&- &
  echo $! > "$CD_DIR/containerd.pid"
  wait_until 60 ctr -a "$CD_DIR/containerd.sock" version || {
    cat "$CD_DIR/containerd.log" >&2
    return 1
  }
  engine_wrapper "$CD_DIR/bin/hako"
  make_image_rootfs "$CD_DIR/rootfs"
  make_oci_archive "$CD_DIR/rootfs" "$CD_DIR/image.tar"
  c images import --all-platforms "$CD_DIR/image.tar" > /dev/null
}

teardown_file () {
  [ -n "${CD_DIR:-}" ] || return 0
  local id pid
  if [ -e "$CD_DIR/containerd.sock" ]; then
    remove_all
    c images rm "$IMAGE" > /dev/null 2>&1 || true
    c namespaces rm "$CD_NS" > /dev/null 2>&1 || true
  fi
  pid=$(cat "$CD_DIR/containerd.pid" 2> /dev/null) || pid=
  if [ -n "$pid" ] && kill "$pid" 2> /dev/null; then
    wait_until 30 eval "! kill -0 $pid" || kill -KILL "$pid" 2> /dev/null || true
  fi
  # Shims of ours that outlived their containerd.
  for pid in $(pgrep -f "containerd-shim-runc-v2 -namespace $CD_NS " || true); do
    kill -KILL "$pid" 2> /dev/null || true
  done
  umount_below "$CD_DIR"
  cg_remove "$CD_NS"
  if [ -e "$CD_DIR/made-run-containerd" ]; then
    rm -rf /run/containerd
  fi
  rm -rf "$CD_DIR"
}

setup () {
  skip_unless_engine
}

teardown () {
  [ -z "${CD_DIR:-}" ] || remove_all
}

# c ARGS...: ctr on our containerd, in our namespace; fd 3 (bats' output)
# closed, so that a shim cannot hold it.
c () {
  ctr -a "$CD_DIR/containerd.sock" -n "$CD_NS" "$@" 3>&-
}

# crun_ ARGS...: ctr run with the runtime under test.
crun_ () {
  c run --snapshotter native --runc-binary "$CD_DIR/bin/hako" --runc-root "$CD_DIR/runtime-root" "$@"
}

# remove_all: kill and delete every task and container of our namespace.
remove_all () {
  local id
  for id in $(c containers ls -q 2> /dev/null); do
    c tasks kill -a -s SIGKILL "$id" > /dev/null 2>&1 || true
    wait_until 10 task_gone_or_stopped "$id" || true
    c tasks delete -f "$id" > /dev/null 2>&1 || true
    c containers rm "$id" > /dev/null 2>&1 || true
  done
}

# task_status ID: RUNNING, PAUSED, STOPPED... from `ctr task ls`.
task_status () {
  c tasks ls | awk -v id="$1" '$1 == id { print $3 }'
}

task_pid () {
  c tasks ls | awk -v id="$1" '$1 == id { print $2 }'
}

task_gone_or_stopped () {
  case $(task_status "$1") in "" | STOPPED) return 0 ;; esac
  return 1
}

task_is () {
  [ "$(task_status "$1")" = "$2" ]
}

# start_task ID [RUN_OPTS...]: a detached container ID whose init exits 3
# on SIGUSR1; returns once the trap is set (/tmp/ready exists).
start_task () {
  local id=$1
  shift
  run crun_ -d "$@" "$IMAGE" "$id" \
    sh -c 'trap "exit 3" USR1; touch /tmp/ready; while :; do sleep 0.2; done'
  assert_success
  wait_until 30 c tasks exec --exec-id ready-$RANDOM "$id" test -e /tmp/ready
}

# make_oci_archive ROOTFS TAR: a one-layer OCI image of ROOTFS, named
# $IMAGE, as a tar archive of an OCI image layout.
make_oci_archive () {
  local dir=$BATS_FILE_TMPDIR/oci arch layer config manifest
  case $(uname -m) in
    x86_64) arch=amd64 ;;
    aarch64) arch=arm64 ;;
    *) arch=$(uname -m) ;;
  esac
  rm -rf "$dir"
  mkdir -p "$dir/blobs/sha256"
  tar -C "$1" -cf "$dir/layer.tar" . || return 1
  layer=$(sha256sum < "$dir/layer.tar" | cut -d' ' -f1)
  mv "$dir/layer.tar" "$dir/blobs/sha256/$layer"
  jq -n -c --arg a "$arch" --arg l "sha256:$layer" \
    '{architecture: $a, os: "linux", config: {}, rootfs: {type: "layers", diff_ids: [$l]}}' \
    > "$dir/config.json"
  config=$(sha256sum < "$dir/config.json" | cut -d' ' -f1)
  jq -n -c --arg c "sha256:$config" --argjson cs "$(stat -c %s "$dir/config.json")" \
    --arg l "sha256:$layer" --argjson ls "$(stat -c %s "$dir/blobs/sha256/$layer")" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
    > "$dir/manifest.json"
  manifest=$(sha256sum < "$dir/manifest.json" | cut -d' ' -f1)
  mv "$dir/config.json" "$dir/blobs/sha256/$config"
  jq -n -c --arg m "sha256:$manifest" --argjson ms "$(stat -c %s "$dir/manifest.json")" \
    --arg name "$IMAGE" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: $m, size: $ms, annotations: {"io.containerd.image.name": $name,
      "org.opencontainers.image.ref.name": "latest"}}]}' > "$dir/index.json"
  mv "$dir/manifest.json" "$dir/blobs/sha256/$manifest"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  tar -C "$dir" -cf "$2" oci-layout index.json blobs
}

@test "ctr run --rm: output, exit code, terminal" {
  run crun_ --rm "$IMAGE" r1 echo hello from hako
  assert_success
  assert_equal "$output" "hello from hako"
  run crun_ --rm "$IMAGE" r2 sh -c 'exit 7'
  assert_status 7
  requires_cmd script
  run script -qec "ctr -a $CD_DIR/containerd.sock -n $CD_NS run --rm -t --snapshotter native \
    --runc-binary $CD_DIR/bin/hako --runc-root $CD_DIR/runtime-root $IMAGE r3 tty" /dev/null
  assert_success
  assert_match '(^|[^a-z])/dev/pts/[0-9]+'
  run c containers ls -q
  assert_equal "$output" ""
}

@test "ctr run -d, task exec, ps, pause, resume, metrics, kill, delete" {
  start_task d1
  local pid
  pid=$(task_pid d1)
  assert_equal "$(task_status d1)" RUNNING
  run c tasks exec --exec-id e1 d1 sh -c 'echo exec-out; exit 5'
  assert_status 5
  assert_equal "$output" exec-out
  run c tasks exec --exec-id e2 --user 1000 d1 id -u
  assert_equal "$output" 1000
  # ps: the init and a detached exec, as host pids.
  run c tasks exec -d --exec-id e3 d1 sleep 1000
  assert_success
  run c tasks ps d1
  assert_success
  assert_match "^$pid( |$)" "the init in task ps"
  [ "$(grep -cE '^[0-9]+' <<< "$output")" -ge 2 ] || { echo "task ps: $output" >&2; false; }
  # pause and resume: the task's status and the freezer.
  run c tasks pause d1
  assert_success
  assert_equal "$(task_status d1)" PAUSED
  run cg_read "$pid" freezer freezer.state cgroup.freeze
  assert_match '^(FROZEN|1)$' "freezer state while paused"
  run c tasks resume d1
  assert_success
  assert_equal "$(task_status d1)" RUNNING
  run cg_read "$pid" freezer freezer.state cgroup.freeze
  assert_match '^(THAWED|0)$' "freezer state after resume"
  # metrics: from the task's cgroup (the shim reads it; the runtime is
  # asked for nothing, but the cgroup must be where the shim looks).
  run c tasks metrics --format json d1
  assert_success
  run jq -r '(.pids.current // .data.pids.current // 0) as $p |
    (.memory.usage.usage // .memory.usage // 0) as $m | "\($p) \($m)"' <<< "$output"
  assert_match '^[2-9][0-9]* [1-9][0-9]*$' "pids.current and memory usage"
  # kill: the init's trap makes the exit status 3, which delete reports.
  run c tasks kill -s SIGUSR1 d1
  assert_success
  wait_until 30 task_is d1 STOPPED
  run c tasks delete d1
  assert_success
  assert_output_contains "exit code 3"
  run c containers rm d1
  assert_success
  run c tasks ls -q
  assert_equal "$output" ""
  [ ! -e "$CD_DIR/runtime-root/$CD_NS/d1" ] || { echo "runtime state left behind" >&2; false; }
}

@test "ctr run --memory-limit --cpus: the container's cgroup; kill --all" {
  start_task m1 --memory-limit 67108864 --cpus 0.5
  local pid
  pid=$(task_pid m1)
  run cg_read "$pid" memory memory.limit_in_bytes memory.max
  assert_equal "$output" 67108864 memory
  run cg_read "$pid" cpu cpu.cfs_quota_us cpu.max
  assert_match '^50000( 100000)?$' "cpu quota"
  run cg_dir "$pid" memory
  assert_match "/$CD_NS/m1\$" "cgroup path"
  # The kernel enforces it: a child past the limit is OOM-killed.
  run c tasks exec --exec-id oom m1 sh -c 'tail /dev/zero; echo tail-status=$?'
  assert_match '^tail-status=137$' "status of the process past the limit"
  # kill --all: every process of the container, a detached exec too.
  run c tasks exec -d --exec-id sleeper m1 sleep 1000
  assert_success
  run c tasks kill -a -s SIGKILL m1
  assert_success
  wait_until 30 task_is m1 STOPPED
  run c tasks delete m1
  assert_success
  assert_output_contains "exit code 137"
}

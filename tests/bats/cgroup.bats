#!/usr/bin/env bats
# Control groups as containers get them, on whatever layout this host has:
# cgroup v1, pure v2, or hybrid (v1 controllers plus a cgroup2 hierarchy at
# /sys/fs/cgroup/unified holding some).  Each linux.resources field is read
# back from the file of the hierarchy that holds its controller, in that
# hierarchy's names and units (memory.limit_in_bytes or memory.max, cpu.shares
# or the converted cpu.weight, blkio.throttle.* or io.max, ...), and the
# cheap limits are enforced for real: fork fails past pids.max, the kernel
# OOM-kills a process that allocates past the memory limit, a device outside
# the allowed list cannot be opened (v1 devices or the v2 eBPF filter).
# The commands that work on the cgroup (pause, resume, update, ps, kill
# --all, delete --force, exec) are checked against the kernel's files too.
#
# make check runs this file on the build host, and tests/vm/cgroup-v2.sh
# runs it again inside a VM booted with pure cgroup v2 and every controller.

load helpers

bats_require_minimum_version 1.5.0

setup () {
  requires_root
  requires_cmd jq
  [ -d /sys/fs/cgroup ] || skip "no /sys/fs/cgroup"
  # make_bundle without its jq run: each test writes its config in one jq
  # run (config below), since jq takes most of a second in the test VM.
  BUNDLE=$BATS_TEST_TMPDIR/bundle
  make_rootfs "$BUNDLE/rootfs"
  "$RUNTIME" spec -b "$BUNDLE"
  new_id cg
  # A parent of our own for the tests that set linux.cgroupsPath.
  CG_PARENT=/hako-bats-$$-${BATS_TEST_NUMBER:-0}
}

teardown () {
  cleanup_containers
  local d
  for d in $(cg_mountpoints); do
    [ ! -d "$d$CG_PARENT" ] || find "$d$CG_PARENT" -depth -type d -exec rmdir {} + 2> /dev/null || true
  done
}

# config FILTER [ARG...]: apply FILTER to the bundle's config.json and make
# ARGs (default: sleep 1000) the container's command line, in one jq run.
config () {
  local filter=$1 tmp=$BUNDLE/config.json.tmp
  shift
  [ $# -gt 0 ] || set -- sleep 1000
  jq --args ".process.terminal = false | $filter | .process.args = \$ARGS.positional" -- "$@" \
    < "$BUNDLE/config.json" > "$tmp" && mv "$tmp" "$BUNDLE/config.json"
}

# create [CREATE_OPTS...]: run_create, with a pid file for init_pid.
create () {
  run_create --pid-file "$BATS_TEST_TMPDIR/$ID.pid" "$@"
}

# create_ok: create, which must succeed (the init waits in its cgroups).
create_ok () {
  create
  assert_success
}

# launch_ok: create and start.
launch_ok () {
  create_ok
  run rt start "$ID"
  assert_success
}

# init_pid: the container's init, from the pid file create wrote.
init_pid () {
  cat "$BATS_TEST_TMPDIR/$ID.pid"
}

# ---- finding the container's cgroups

# cg_layout: v1, v2 or hybrid, as hako_cgroup_layout_detect decides.
cg_layout () {
  case $(v2_mountpoint) in
    /sys/fs/cgroup) echo v2 ;;
    "") echo v1 ;;
    *) echo hybrid ;;
  esac
}

# mountinfo_cgroup: "TYPE MOUNTPOINT SUPEROPTS" for each cgroup and cgroup2
# mount below /sys/fs/cgroup.
mountinfo_cgroup () {
  awk '{ for (i = 7; $i != "-"; i++);
         if (($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") && $5 ~ "^/sys/fs/cgroup")
           print $(i + 1), $5, $(i + 3) }' /proc/self/mountinfo
}

# cg_mountpoints: every hierarchy's mount point.
cg_mountpoints () {
  mountinfo_cgroup | awk '{ print $2 }' | sort -u
}

# v1_mountpoint CONTROLLER: the v1 hierarchy holding CONTROLLER (or a named
# one: name=systemd); fails when there is none.
v1_mountpoint () {
  mountinfo_cgroup | awk -v c="$1" '$1 == "cgroup" && index("," $3 ",", "," c ",") { print $2; f = 1; exit }
    END { exit !f }'
}

v2_mountpoint () {
  mountinfo_cgroup | awk '$1 == "cgroup2" { print $2; f = 1; exit } END { exit !f }'
}

# cg_dir CONTROLLER [PID]: PID's cgroup directory (default: the container's
# init) in the hierarchy holding CONTROLLER: a v1 hierarchy first, else the
# cgroup2 one if CONTROLLER is among its controllers.  V1NAME/V2NAME where
# the names differ (blkio/io); "cgroup2" names the cgroup2 directory
# whatever it holds.  Fails when there is none.
cg_dir () {
  local v1=${1%/*} v2=${1#*/} pid=${2:-$(init_pid)} ids path mp
  if [ "$v2" != cgroup2 ]; then
    while IFS=: read -r _ ids path; do
      case ",$ids," in
        ",,") continue ;;
        *",$v1,"*) mp=$(v1_mountpoint "$v1") && { echo "$mp$path"; return 0; } ;;
      esac
    done < "/proc/$pid/cgroup"
  fi
  path=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  mp=$(v2_mountpoint) || return 1
  [ -n "$path" ] || return 1
  [ "$v2" = cgroup2 ] || grep -qw -- "$v2" "$mp$path/cgroup.controllers" || return 1
  echo "$mp$path"
}

# cg_all_dirs [PID]: PID's directory in every hierarchy.
cg_all_dirs () {
  local pid=${1:-$(init_pid)} ids path
  while IFS=: read -r _ ids path; do
    if [ -z "$ids" ]; then
      echo "$(v2_mountpoint)$path"
    else
      echo "$(v1_mountpoint "${ids%%,*}")$path"
    fi
  done < "/proc/$pid/cgroup"
}

is_v2_dir () {
  [ -e "$1/cgroup.controllers" ]
}

# cg_file CONTROLLER V1FILE V2FILE: the path of the file that holds a
# setting for the container, in the hierarchy holding CONTROLLER.
cg_file () {
  local dir
  dir=$(cg_dir "$1") || { echo "no $1 controller for the container" >&2; return 1; }
  if is_v2_dir "$dir"; then echo "$dir/$3"; else echo "$dir/$2"; fi
}

# assert_cg CONTROLLER V1FILE V1VALUE V2FILE V2VALUE: the file the layout
# uses holds the value expected for that layout.
assert_cg () {
  local dir f want
  dir=$(cg_dir "$1") || { echo "no $1 controller for the container" >&2; return 1; }
  if is_v2_dir "$dir"; then f=$dir/$4 want=$5; else f=$dir/$2 want=$3; fi
  assert_equal "$(cat "$f" 2>&1)" "$want" "$f"
}

# A block device of this machine, as MAJ:MIN, for the throttle settings.
block_device () {
  local d
  for d in /sys/block/vd* /sys/block/sd* /sys/block/nvme* /sys/block/loop0; do
    [ -r "$d/dev" ] && { cat "$d/dev"; return 0; }
  done
  return 1
}

# The binary names libasan among its libraries (no ldd in the test VM).
is_asan_build () {
  grep -q 'libasan\.so' "$HAKO"
}

# ---- memory

# assert_removed DIR...: none of the directories exists any more.
assert_removed () {
  local d
  for d in "$@"; do
    [ ! -e "$d" ] || { echo "$d left behind" >&2; return 1; }
  done
}

@test "memory: limit and reservation (memory.limit_in_bytes or memory.max, soft limit or memory.low)" {
  config '.linux.resources.memory = {limit: 67108864, reservation: 33554432}'
  create_ok
  assert_cg memory memory.limit_in_bytes 67108864 memory.max 67108864
  assert_cg memory memory.soft_limit_in_bytes 33554432 memory.low 33554432
}

@test "memory: swap is memory+swap on v1, the swap alone on v2" {
  config '.linux.resources.memory = {limit: 67108864, swap: 100663296}'
  create
  if [ "$status" -ne 0 ] && [[ $output == *"swap accounting off"* ]]; then
    skip "swap accounting is off in this kernel: $output"
  fi
  assert_success
  assert_cg memory memory.memsw.limit_in_bytes 100663296 memory.swap.max 33554432
}

@test "memory: a container starts with a 256 KiB limit" {
  # ASan's shadow memory is touched by the init after it joins the cgroup.
  ! is_asan_build || skip "an ASan build's init needs more than 256 KiB (shadow memory)"
  # On one CPU: the kernel charges a cgroup's memory in batches of 64 pages
  # (256 KiB) kept per CPU, so the first charge may park the whole limit on
  # one CPU; a charge from another then fails until a worker drains that
  # stock, which can come too late (seen under qemu TCG: OOM at 88 KiB).
  # One exec: the setup's kernel memory (mounts: ~90 KiB) and the new
  # process fit; a shell that execs again needs a second image at once.
  config '.linux.resources.memory = {limit: 262144} | .linux.resources.cpu = {cpus: "0"}' \
    sleep 1000
  launch_ok
  assert_cg memory memory.limit_in_bytes 262144 memory.max 262144
  # Still alive a moment later (not OOM-killed), and it is the exec'd sleep.
  sleep 0.5
  assert_equal "$(cat "/proc/$(init_pid)/comm" 2>&1)" sleep "the container's process"
  assert_equal "$(state_field status)" running status
  # In the foreground too, with the output through a pipe.
  new_id cg-256k-run
  config . sh -c 'echo started'
  run_container
  assert_success
  assert_equal "$output" started "the container's output"
}

@test "memory: a process allocating past the limit is OOM-killed" {
  # No swap either (swap == limit), so the pages cannot go anywhere.
  config '.linux.resources.memory = {limit: 16777216, swap: 16777216}' \
    sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2> /dev/null; echo "dd: $?"; exec sleep 1000'
  create
  if [ "$status" -ne 0 ] && [[ $output == *"swap accounting off"* ]]; then
    config 'del(.linux.resources.memory.swap)' \
      sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2> /dev/null; echo "dd: $?"; exec sleep 1000'
    create
  fi
  assert_success
  run rt start "$ID"
  assert_success
  wait_for_file "$CTR_OUT" "dd: "
  # 137: killed by SIGKILL.
  assert_equal "$(cat "$CTR_OUT")" "dd: 137" "dd's exit status"
  local f
  f=$(cg_file memory memory.oom_control memory.events)
  grep -E '^oom_kill [1-9]' "$f" || { cat "$f" >&2; false; }
}

# ---- cpu

@test "cpu: shares (cpu.weight on v2: 1024 -> 100), quota and period (cpu.max on v2)" {
  config '.linux.resources.cpu = {shares: 1024, quota: 50000, period: 100000}'
  create_ok
  assert_cg cpu cpu.shares 1024 cpu.weight 100
  assert_cg cpu cpu.cfs_quota_us 50000 cpu.max "50000 100000"
  assert_cg cpu cpu.cfs_period_us 100000 cpu.max "50000 100000"
  # The ends of the range map onto the ends of cpu.weight's.
  run rt update --cpu-share 2 "$ID"
  assert_success
  assert_cg cpu cpu.shares 2 cpu.weight 1
  run rt update --cpu-share 262144 --cpu-quota -1 "$ID"
  assert_success
  assert_cg cpu cpu.shares 262144 cpu.weight 10000
  assert_cg cpu cpu.cfs_quota_us -1 cpu.max "max 100000"
}

@test "cpu: real-time bandwidth is refused on cgroup v2, naming the field" {
  config '.linux.resources.cpu = {realtimeRuntime: 1000, realtimePeriod: 100000}'
  local mp
  if mp=$(v1_mountpoint cpu); then
    skip "the cpu controller is v1 here ($mp; test-cgroup checks cpu.rt_* there)"
  fi
  create
  assert_failure
  assert_output_contains "linux.resources.cpu.realtimeRuntime"
  assert_output_contains "no real-time"
  assert_no_container
}

@test "cpuset: cpus and mems are set and the process runs on those cpus only" {
  config '.linux.resources.cpu = {cpus: "0", mems: "0"}' \
    sh -c 'grep Cpus_allowed_list /proc/self/status; exec sleep 1000'
  create_ok
  assert_cg cpuset cpuset.cpus 0 cpuset.cpus 0
  assert_cg cpuset cpuset.mems 0 cpuset.mems 0
  run rt start "$ID"
  assert_success
  wait_for_file "$CTR_OUT" Cpus_allowed_list
  [[ $(cat "$CTR_OUT") =~ ^Cpus_allowed_list:[[:space:]]+0$ ]] || { cat "$CTR_OUT" >&2; false; }
}

# ---- pids

@test "pids: pids.max is set and fork fails past it" {
  config '.linux.resources.pids = {limit: 3}'
  create_ok
  assert_cg pids pids.max 3 pids.max 3
  # The shell (the init) and two sleeps make three: the third fork fails.
  new_id cg-fork
  config . sh -c 'sleep 100 & sleep 100 & sleep 100 & echo all-forked'
  run_container
  assert_failure
  [[ $output != *all-forked* ]]
  [[ $stderr == *"fork"* ]] || { echo "stderr: $stderr" >&2; false; }
}

# ---- block IO

@test "blockIO: throttles (blkio.throttle.* on v1, io.max on v2)" {
  local dev
  dev=$(block_device) || skip "no block device on this machine"
  config ".linux.resources.blockIO = {
      throttleReadBpsDevice: [{major: ${dev%:*}, minor: ${dev#*:}, rate: 1048576}],
      throttleWriteIOPSDevice: [{major: ${dev%:*}, minor: ${dev#*:}, rate: 100}]}"
  create_ok
  assert_cg blkio/io blkio.throttle.read_bps_device "$dev 1048576" \
    io.max "$dev rbps=1048576 wbps=max riops=max wiops=100"
  assert_cg blkio/io blkio.throttle.write_iops_device "$dev 100" \
    io.max "$dev rbps=1048576 wbps=max riops=max wiops=100"
}

# ---- hugetlb

@test "hugepageLimits: hugetlb.2MB.limit_in_bytes on v1, hugetlb.2MB.max on v2" {
  [ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2 MB huge pages on this machine"
  config '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 4194304}]'
  create_ok
  # cg_dir finds hugetlb in v1 or in the cgroup2 hierarchy (hybrid hosts
  # often have it only there).
  assert_cg hugetlb hugetlb.2MB.limit_in_bytes 4194304 hugetlb.2MB.max 4194304
}

# ---- devices

@test "devices: a device outside the allowed list cannot be opened; an allow rule opens it" {
  # /dev/kmsg (c 1:11) is not among the devices every container gets, and
  # opening it write-only needs no capability.
  [ -c /dev/kmsg ] || skip "no /dev/kmsg"
  config '.mounts += [{destination: "/dev/kmsg", type: "bind", source: "/dev/kmsg", options: ["bind"]}]' \
    sh -c 'echo "<6>hako cgroup.bats device test" > /dev/kmsg && echo written'
  run_container
  assert_failure
  [[ $stderr == *"Operation not permitted"* ]] || { echo "stderr: $stderr" >&2; false; }
  new_id cg-dev-allowed
  config '.linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "w"}]' \
    sh -c 'echo "<6>hako cgroup.bats device test" > /dev/kmsg && echo written'
  run_container
  assert_success
  assert_equal "$output" written
  # v1 lists the rules; v2 has only the eBPF program (checked above).
  local mp
  if mp=$(v1_mountpoint devices); then
    new_id cg-dev-list
    config .
    create_ok
    local dir
    dir=$(cg_dir devices)
    grep -qx 'c 1:11 w' "$dir/devices.list" || { cat "$dir/devices.list" >&2; false; }
    ! grep -q '^a ' "$dir/devices.list"
  fi
}

# ---- unified

@test "unified: keys are written to the cgroup2 directory and override conversions; refused on v1" {
  local layout dir
  layout=$(cg_layout)
  case $layout in
    v1)
      config '.linux.resources.unified = {"cgroup.max.descendants": "5"}'
      create
      assert_failure
      assert_output_contains "linux.resources.unified: needs cgroup v2"
      assert_no_container
      return
      ;;
    v2)
      config '.linux.resources.pids = {limit: 3} | .linux.resources.unified = {
        "cgroup.max.descendants": "5", "pids.max": "9", "memory.high": "33554432"}'
      ;;
    hybrid)
      # The unified hierarchy may hold no controller: a core file.
      config '.linux.resources.unified = {"cgroup.max.descendants": "5"}'
      ;;
  esac
  create_ok
  dir=$(cg_dir cgroup2)
  assert_equal "$(cat "$dir/cgroup.max.descendants")" 5 cgroup.max.descendants
  if [ "$layout" = v2 ]; then
    assert_equal "$(cat "$dir/pids.max")" 9 "pids.max (unified overrides pids.limit)"
    assert_equal "$(cat "$dir/memory.high")" 33554432 memory.high
  fi
  # A key with no file (no such controller, or a typo) fails create.
  rt delete -f "$ID"
  new_id cg-unified-bad
  config '.linux.resources.unified = {"nosuch.max": "1"}'
  create
  assert_failure
  assert_output_contains "linux.resources.unified.nosuch.max: no such file"
  assert_no_container
}

# ---- the commands that work on the cgroup

@test "pause and resume: freezer.state or cgroup.freeze, the state says paused, nothing runs" {
  # The init counts in a file of its /dev/shm (a tmpfs) ten times a second.
  config . sh -c 'i=0; while sleep 0.1; do i=$((i + 1)); echo $i > /dev/shm/n; done'
  launch_ok
  local dir file frozen thawed n i counter
  counter=/proc/$(init_pid)/root/dev/shm/n
  wait_for_file "$counter"
  if dir=$(cg_dir freezer); then
    file=freezer.state frozen=FROZEN thawed=THAWED
  else
    dir=$(cg_dir cgroup2)
    file=cgroup.freeze frozen=1 thawed=0
  fi
  run rt pause "$ID"
  assert_success
  assert_equal "$(state_field status)" paused status
  assert_equal "$(cat "$dir/$file")" "$frozen" "$dir/$file"
  if [ "$file" = cgroup.freeze ]; then
    grep -qx 'frozen 1' "$dir/cgroup.events"
  fi
  # Frozen: the count stands still.
  n=$(cat "$counter")
  sleep 1
  assert_equal "$(cat "$counter")" "$n" "the count while paused"
  run rt resume "$ID"
  assert_success
  assert_equal "$(state_field status)" running status
  assert_equal "$(cat "$dir/$file")" "$thawed" "$dir/$file"
  for i in $(seq 50); do
    [ "$(cat "$counter")" = "$n" ] || break
    sleep 0.1
  done
  [ "$(cat "$counter")" != "$n" ] || { echo "the count did not move after resume" >&2; false; }
}

@test "update: memory, cpu, pids and cpuset change in the kernel's files" {
  config '.linux.resources.memory = {limit: 67108864}'
  create_ok
  run rt update --memory 33554432 --memory-reservation 16777216 --cpu-share 512 \
    --cpu-quota 20000 --cpu-period 100000 --pids-limit 20 --cpuset-cpus 0 "$ID"
  assert_success
  assert_cg memory memory.limit_in_bytes 33554432 memory.max 33554432
  assert_cg memory memory.soft_limit_in_bytes 16777216 memory.low 16777216
  assert_cg cpu cpu.shares 512 cpu.weight 59
  assert_cg cpu cpu.cfs_quota_us 20000 cpu.max "20000 100000"
  assert_cg pids pids.max 20 pids.max 20
  assert_cg cpuset cpuset.cpus 0 cpuset.cpus 0
  # -r: the resources as JSON (here on stdin).
  run rt update -r - "$ID" <<< '{"pids": {"limit": 30}, "memory": {"limit": 50331648}}'
  assert_success
  assert_cg pids pids.max 30 pids.max 30
  assert_cg memory memory.limit_in_bytes 50331648 memory.max 50331648
}

@test "ps and kill --all: every process in the cgroup is listed, then killed" {
  config . sh -c 'sleep 1000 & sleep 1000 & wait'
  launch_ok
  local dir procs i
  dir=$(cg_dir pids)
  for i in $(seq 50); do
    [ "$(wc -l < "$dir/cgroup.procs")" -eq 3 ] && break
    sleep 0.1
  done
  procs=$(sort -n "$dir/cgroup.procs" | tr '\n' ' ')
  assert_equal "$(rt ps --format json "$ID" | jq -r 'sort | map(tostring) | join(" ")') " "$procs" \
    "ps against cgroup.procs"
  run rt kill --all "$ID" KILL
  assert_success
  for i in $(seq 50); do
    [ -s "$dir/cgroup.procs" ] || break
    sleep 0.1
  done
  assert_equal "$(cat "$dir/cgroup.procs")" "" "$dir/cgroup.procs after kill --all"
}

@test "exec: the new process joins every cgroup of the container" {
  config .
  launch_ok
  # The detached process keeps its stdio: a file, not bats' pipe.
  rt exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 1000 \
    < /dev/null > "$BATS_TEST_TMPDIR/exec.out" 2>&1
  local pid
  pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  assert_equal "$(cat "/proc/$pid/cgroup")" "$(cat "/proc/$(init_pid)/cgroup")" \
    "the exec'd process's cgroups"
}

@test "delete --force: the cgroup is removed from every hierarchy" {
  config . sh -c 'sleep 1000 & wait'
  launch_ok
  local dirs d
  dirs=$(cg_all_dirs)
  [ -n "$dirs" ]
  for d in $dirs; do
    [ -d "$d" ] || { echo "no directory $d" >&2; false; }
  done
  run rt delete --force "$ID"
  assert_success
  assert_removed $dirs
}

@test "delete --force: a paused container is killed and its cgroup removed" {
  config .
  launch_ok
  local dirs pid i
  pid=$(init_pid)
  dirs=$(cg_all_dirs)
  run rt pause "$ID"
  assert_success
  # v1's freezer holds a SIGKILL until the cgroup is thawed.
  run rt delete --force "$ID"
  assert_success
  for i in $(seq 50); do
    [ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2> /dev/null)" != Z ] || break
    sleep 0.1
  done
  [ ! -d "/proc/$pid" ] || [ "$(awk '{ print $3 }' "/proc/$pid/stat")" = Z ] \
    || { echo "the paused init $pid is still there" >&2; false; }
  assert_removed $dirs
}

@test "cgroupsPath: an absolute path is used in every hierarchy and removed by delete" {
  config ".linux.cgroupsPath = \"$CG_PARENT/$ID\""
  create_ok
  local dirs d
  dirs=$(cg_all_dirs)
  [ -n "$dirs" ]
  for d in $dirs; do
    [[ $d == /sys/fs/cgroup*"$CG_PARENT/$ID" ]] || { echo "$d is not below $CG_PARENT/$ID" >&2; false; }
  done
  run rt delete --force "$ID"
  assert_success
  assert_removed $dirs
}

@test "create: a resource the kernel refuses fails create, names the field, leaves no cgroup" {
  config ".linux.cgroupsPath = \"$CG_PARENT/$ID\" | .linux.resources.cpu = {cpus: \"4095\"}"
  create
  assert_failure
  assert_output_contains "linux.resources.cpu.cpus"
  assert_no_container
  local d
  for d in $(cg_mountpoints); do
    [ ! -e "$d$CG_PARENT/$ID" ] || { echo "$d$CG_PARENT/$ID left behind" >&2; false; }
  done
}

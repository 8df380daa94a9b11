#!/usr/bin/env bats
# hako --systemd-cgroup under systemd 252 with cgroup v1 controllers (a
# hybrid layout): the unit, what systemd records, where the processes are,
# limits enforced by the kernel, update, pause/resume, kill --all, ps,
# exec, and the unit gone after delete or a failed create.

load helpers

setup_file () {
  testbed_up hybrid
}

setup () {
  testbed_check
}

teardown_file () {
  testbed_down
}

teardown () {
  sd_delete_all
}

@test "hybrid: run starts hako-ID.scope in system.slice, delegated, holding the init" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" c1
  [ "$(show hako-c1.scope ActiveState)" = active ]
  [ "$(show hako-c1.scope Slice)" = system.slice ]
  [ "$(show hako-c1.scope Delegate)" = yes ]
  [ "$(show hako-c1.scope DefaultDependencies)" = no ]
  [ "$(show hako-c1.scope Description)" = "hako container c1" ]
  run sd_hako state c1
  [ "$(jq -r .status <<<"$output")" = running ]
  sd_exec cat "$SD_ROOT/c1/state.json" >"$BATS_TEST_TMPDIR/state.json"
  [ "$(jq -r .systemdUnit "$BATS_TEST_TMPDIR/state.json")" = hako-c1.scope ]
  [ "$(jq -r .cgroupPath "$BATS_TEST_TMPDIR/state.json")" = /system.slice/hako-c1.scope ]
}

@test "hybrid: the init is in the scope in every hierarchy, systemd's and hako's" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" c2
  pid=$(init_pid c2)
  run sd_exec cat "/proc/$pid/cgroup"
  echo "$output"
  [ "${#lines[@]}" -ge 3 ]
  for l in "${lines[@]}"; do
    [ "${l##*:}" = /system.slice/hako-c2.scope ]
  done
  # systemd lists it as the unit's process
  sd_exec cat /sys/fs/cgroup/systemd/system.slice/hako-c2.scope/cgroup.procs | grep -qx "$pid"
}

@test "hybrid: cgroupsPath slice:prefix:name, nested slices" {
  sd_bundle '.linux.cgroupsPath = "hakotest-sub.slice:pfx:n3"'
  sd_hako run -d -b "$BUNDLE" c3
  [ "$(show pfx-n3.scope ActiveState)" = active ]
  [ "$(show pfx-n3.scope Slice)" = hakotest-sub.slice ]
  [ "$(cgroup_of "$(init_pid c3)")" = /hakotest.slice/hakotest-sub.slice/pfx-n3.scope ]
}

@test "hybrid: a name ending in .slice makes a slice" {
  sd_bundle '.linux.cgroupsPath = "system.slice:hako:hakotest-c4.slice"'
  sd_hako run -d -b "$BUNDLE" c4
  [ "$(show hakotest-c4.slice ActiveState)" = active ]
  [ "$(cgroup_of "$(init_pid c4)" memory)" = /hakotest.slice/hakotest-c4.slice ]
  sd_hako delete -f c4
  wait_inactive hakotest-c4.slice
}

@test "hybrid: systemd records the limits and applies them through v1; hako writes the rest" {
  sd_bundle '.linux.resources = {"memory": {"limit": 67108864, "swappiness": 10},
    "pids": {"limit": 32}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}}'
  sd_hako run -d -b "$BUNDLE" c5
  [ "$(show hako-c5.scope MemoryMax)" = 67108864 ]
  [ "$(show hako-c5.scope TasksMax)" = 32 ]
  [ "$(show hako-c5.scope CPUShares)" = 512 ]
  [ "$(show hako-c5.scope CPUQuotaPerSecUSec)" = 500ms ]
  [ "$(show hako-c5.scope CPUQuotaPeriodUSec)" = 100ms ]
  d=system.slice/hako-c5.scope
  [ "$(sd_exec cat /sys/fs/cgroup/memory/$d/memory.limit_in_bytes)" = 67108864 ]
  [ "$(sd_exec cat /sys/fs/cgroup/pids/$d/pids.max)" = 32 ]
  [ "$(sd_exec cat /sys/fs/cgroup/cpu/$d/cpu.shares)" = 512 ]
  [ "$(sd_exec cat /sys/fs/cgroup/cpu/$d/cpu.cfs_quota_us)" = 50000 ]
  # not a systemd property: written by hako into the delegated cgroup
  [ "$(sd_exec cat /sys/fs/cgroup/memory/$d/memory.swappiness)" = 10 ]
}

@test "hybrid: the memory limit is enforced (OOM kill)" {
  sd_bundle '.linux.resources = {"memory": {"limit": 33554432}}'
  sd_hako run -d -b "$BUNDLE" c6
  run sd_hako exec c6 dd if=/dev/zero of=/dev/null bs=128M count=1
  echo "$output"
  [ "$status" -eq 137 ]
  run sd_hako exec c6 dd if=/dev/zero of=/dev/null bs=1M count=1
  [ "$status" -eq 0 ]
}

@test "hybrid: the pids limit is enforced (fork fails)" {
  sd_bundle '.linux.resources = {"pids": {"limit": 12}}'
  sd_hako run -d -b "$BUNDLE" c7
  run sd_hako exec c7 sh -c 'for i in $(seq 20); do sleep 5 & done; wait'
  echo "$output"
  [[ "$output" == *"can't fork"* ]]
}

@test "hybrid: update sets the unit's properties and the files" {
  sd_bundle '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 32}}'
  sd_hako run -d -b "$BUNDLE" c8
  sd_hako update --memory 104857600 --pids-limit 50 --cpu-quota 20000 --cpu-share 256 c8
  [ "$(show hako-c8.scope MemoryMax)" = 104857600 ]
  [ "$(show hako-c8.scope TasksMax)" = 50 ]
  [ "$(show hako-c8.scope CPUQuotaPerSecUSec)" = 200ms ]
  [ "$(show hako-c8.scope CPUShares)" = 256 ]
  d=system.slice/hako-c8.scope
  [ "$(sd_exec cat /sys/fs/cgroup/memory/$d/memory.limit_in_bytes)" = 104857600 ]
  [ "$(sd_exec cat /sys/fs/cgroup/pids/$d/pids.max)" = 50 ]
  [ "$(sd_exec cat /sys/fs/cgroup/cpu/$d/cpu.cfs_quota_us)" = 20000 ]
  # a field systemd does not manage: hako writes it
  sd_hako update -r - c8 <<<'{"memory": {"swappiness": 20}}'
  [ "$(sd_exec cat /sys/fs/cgroup/memory/$d/memory.swappiness)" = 20 ]
  [ "$(show hako-c8.scope MemoryMax)" = 104857600 ]
}

@test "hybrid: pause and resume freeze the unit's cgroup" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" c9
  sd_hako pause c9
  [ "$(sd_hako state c9 | jq -r .status)" = paused ]
  [ "$(sd_exec cat /sys/fs/cgroup/freezer/system.slice/hako-c9.scope/freezer.state)" = FROZEN ]
  sd_hako resume c9
  [ "$(sd_hako state c9 | jq -r .status)" = running ]
  [ "$(sd_exec cat /sys/fs/cgroup/freezer/system.slice/hako-c9.scope/freezer.state)" = THAWED ]
}

@test "hybrid: exec joins the scope; ps lists it; kill --all ends every process" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" c10
  run sd_hako exec c10 cat /proc/self/cgroup
  [ "$status" -eq 0 ]
  sd_hako exec -d c10 sleep 300
  run sd_hako ps --format json c10
  echo "$output"
  [ "$(jq length <<<"$output")" -eq 2 ] # the init and the exec'd sleep
  jq -e --argjson p "$(init_pid c10)" 'index($p) != null' <<<"$output"
  [ "$(sd_exec cat /sys/fs/cgroup/systemd/system.slice/hako-c10.scope/cgroup.procs | wc -l)" -ge 2 ]
  sd_hako kill --all c10 KILL
  for _ in $(seq 50); do
    [ -z "$(sd_exec cat /sys/fs/cgroup/systemd/system.slice/hako-c10.scope/cgroup.procs 2>/dev/null)" ] && break
    sleep 0.1
  done
  [ -z "$(sd_exec cat /sys/fs/cgroup/systemd/system.slice/hako-c10.scope/cgroup.procs 2>/dev/null)" ]
}

@test "hybrid: delete stops the unit and removes the cgroups hako made" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" c11
  sd_exec test -d /sys/fs/cgroup/freezer/system.slice/hako-c11.scope
  sd_hako delete -f c11
  wait_inactive hako-c11.scope
  run sd_exec systemctl status hako-c11.scope
  [[ "$output" == *"could not be found"* ]]
  for h in freezer memory systemd unified cpuset; do
    ! sd_exec test -e "/sys/fs/cgroup/$h/system.slice/hako-c11.scope"
  done
  # the name is free again
  sd_hako run -d -b "$BUNDLE" c11
  [ "$(show hako-c11.scope ActiveState)" = active ]
}

@test "hybrid: a create that fails after the unit started leaves no unit behind" {
  sd_bundle '.hooks = {"createRuntime": [{"path": "/bin/false"}]}'
  run sd_hako run -d -b "$BUNDLE" c12
  echo "$output"
  [ "$status" -ne 0 ]
  wait_inactive hako-c12.scope
  run sd_exec systemctl list-units --all --no-legend 'hako-c12*'
  [ -z "$output" ]
  [ -z "$(sd_hako list -q)" ]
  ! sd_exec test -e /sys/fs/cgroup/freezer/system.slice/hako-c12.scope
}

#!/usr/bin/env bats
# hako --systemd-cgroup under systemd 252 on a plain cgroup2 mount.  On a
# host whose controllers are all bound to cgroup v1 (this one), the testbed
# has no memory/pids/cpu controllers: systemd records the limits without
# applying them, so these tests check units, the properties systemd
# records, process placement, the freezer (core cgroup2), update and
# delete; the kernel's enforcement is hybrid.bats's business.

load helpers

setup_file () {
  testbed_up unified
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

@test "unified: run starts a delegated scope holding the init" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" u1
  [ "$(show hako-u1.scope ActiveState)" = active ]
  [ "$(show hako-u1.scope Delegate)" = yes ]
  [ "$(show hako-u1.scope ControlGroup)" = /system.slice/hako-u1.scope ]
  [ "$(cgroup_of "$(init_pid u1)")" = /system.slice/hako-u1.scope ]
  sd_exec cat /sys/fs/cgroup/system.slice/hako-u1.scope/cgroup.procs | grep -qx "$(init_pid u1)"
}

@test "unified: the resources go to systemd as cgroup2 properties" {
  sd_bundle '.linux.resources = {
    "memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728},
    "pids": {"limit": 32}, "blockIO": {"weight": 500},
    "cpu": {"shares": 512, "quota": 25000, "period": 50000, "cpus": "0", "mems": "0"}}'
  sd_hako run -d -b "$BUNDLE" u2
  [ "$(show hako-u2.scope MemoryMax)" = 67108864 ]
  [ "$(show hako-u2.scope MemoryLow)" = 33554432 ]
  [ "$(show hako-u2.scope MemorySwapMax)" = 67108864 ] # swap is memory+swap in OCI
  [ "$(show hako-u2.scope TasksMax)" = 32 ]
  [ "$(show hako-u2.scope CPUWeight)" = 59 ] # 512 shares, as runc and crun map them
  [ "$(show hako-u2.scope CPUQuotaPerSecUSec)" = 500ms ]
  [ "$(show hako-u2.scope CPUQuotaPeriodUSec)" = 50ms ]
  [ "$(show hako-u2.scope AllowedCPUs)" = 0 ]
  [ "$(show hako-u2.scope AllowedMemoryNodes)" = 0 ]
  [ "$(show hako-u2.scope IOWeight)" = 4950 ] # blkio 10..1000 onto io 1..10000
  [ "$(show hako-u2.scope ActiveState)" = active ]
}

@test "unified: device rules become DevicePolicy=strict and DeviceAllow" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" u3
  [ "$(show hako-u3.scope DevicePolicy)" = strict ]
  run show hako-u3.scope DeviceAllow
  echo "$output"
  [[ "$output" == *"/dev/char/1:3 rwm"* ]]
  [[ "$output" == *"char-pts rwm"* ]]
  run sd_hako exec u3 head -c 4 /dev/urandom
  [ "$status" -eq 0 ]
}

@test "unified: update changes the unit's properties" {
  sd_bundle '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 32}}'
  sd_hako run -d -b "$BUNDLE" u4
  sd_hako update --memory 134217728 --pids-limit 64 --cpu-quota 30000 --cpuset-cpus 0 u4
  [ "$(show hako-u4.scope MemoryMax)" = 134217728 ]
  [ "$(show hako-u4.scope TasksMax)" = 64 ]
  [ "$(show hako-u4.scope CPUQuotaPerSecUSec)" = 300ms ]
  [ "$(show hako-u4.scope AllowedCPUs)" = 0 ]
}

@test "unified: pause and resume through cgroup.freeze" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" u5
  sd_hako pause u5
  [ "$(sd_hako state u5 | jq -r .status)" = paused ]
  sd_exec grep -qx "frozen 1" /sys/fs/cgroup/system.slice/hako-u5.scope/cgroup.events
  sd_hako resume u5
  [ "$(sd_hako state u5 | jq -r .status)" = running ]
}

@test "unified: exec joins the scope, kill --all empties it" {
  sd_bundle
  sd_hako run -d -b "$BUNDLE" u6
  sd_hako exec -d u6 sleep 300
  [ "$(sd_exec cat /sys/fs/cgroup/system.slice/hako-u6.scope/cgroup.procs | wc -l)" -eq 2 ]
  [ "$(sd_hako ps --format json u6 | jq length)" -eq 2 ]
  sd_hako kill --all u6 KILL
  for _ in $(seq 50); do
    [ -z "$(sd_exec cat /sys/fs/cgroup/system.slice/hako-u6.scope/cgroup.procs 2>/dev/null)" ] && break
    sleep 0.1
  done
  [ -z "$(sd_exec cat /sys/fs/cgroup/system.slice/hako-u6.scope/cgroup.procs 2>/dev/null)" ]
}

@test "unified: delete stops the unit; its cgroup is gone" {
  sd_bundle '.linux.cgroupsPath = "hakotest.slice:x:u7"'
  sd_hako run -d -b "$BUNDLE" u7
  [ "$(show x-u7.scope ControlGroup)" = /hakotest.slice/x-u7.scope ]
  sd_hako delete -f u7
  wait_inactive x-u7.scope
  ! sd_exec test -e /sys/fs/cgroup/hakotest.slice/x-u7.scope
  run sd_exec systemctl status x-u7.scope
  [[ "$output" == *"could not be found"* ]]
}

@test "unified: run in the foreground; the unit goes with the container" {
  sd_bundle '.process.args = ["sh", "-c", "exit 3"]'
  run sd_hako run -b "$BUNDLE" u8
  echo "$output"
  [ "$status" -eq 3 ]
  [ -z "$(sd_hako list -q)" ]
  wait_inactive hako-u8.scope
  run sd_exec systemctl list-units --all --no-legend 'hako-u8*'
  [ -z "$output" ]
}

@test "unified: through the D-Bus daemon rather than systemd's private socket" {
  sd_bundle
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket
  sd_exec test -S /run/dbus/system_bus_socket
  sd_hako run -d -b "$BUNDLE" u9
  [ "$(show hako-u9.scope ActiveState)" = active ]
  [ "$(cgroup_of "$(init_pid u9)")" = /system.slice/hako-u9.scope ]
  sd_hako update --pids-limit 7 u9
  [ "$(show hako-u9.scope TasksMax)" = 7 ]
  sd_hako delete -f u9
  wait_inactive hako-u9.scope
}

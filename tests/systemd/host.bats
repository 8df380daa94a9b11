#!/usr/bin/env bats
# The systemd cgroup driver where systemd cannot help: a host without
# systemd, a bus that accepts and never answers, cgroupsPath values the
# driver refuses.  Each fails with a clear message, in bounded time, and
# leaves nothing behind (no state, no cgroup).

load helpers

setup () {
  requires_root
  make_bundle "$BATS_TEST_TMPDIR/bundle" '.process.args = ["sleep", "60"]'
}

teardown () {
  hako list -q 2>/dev/null | while read -r id; do hako delete -f "$id" >/dev/null 2>&1; done
  [ -z "${FAKEBUS:-}" ] || kill "$FAKEBUS" 2>/dev/null || true
}

# Nothing left of container ID: no state, no cgroup in any hierarchy.
nothing_left () {
  [ -z "$(hako list -q)" ]
  run bash -c "ls -d /sys/fs/cgroup/system.slice/*$1* /sys/fs/cgroup/*/system.slice/*$1* 2>/dev/null"
  [ -z "$output" ]
}

@test "features: systemd is true when the driver is built in" {
  run "$HAKO" features
  want=$([ "${HAKO_WITH_SYSTEMD:-yes}" = yes ] && echo true || echo false)
  [ "$(jq -r .linux.cgroup.systemd <<<"$output")" = "$want" ]
  [ "$(jq -r .linux.cgroup.systemdUser <<<"$output")" = false ]
}

@test "built without systemd support: --systemd-cgroup says so" {
  [ "${HAKO_WITH_SYSTEMD:-yes}" = no ] || skip "hako is built with the systemd driver"
  run hako --systemd-cgroup run -d -b "$BUNDLE" nobuilt
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"built without systemd support"* ]]
  nothing_left nobuilt
}

@test "no systemd on this host: a clear error, nothing left" {
  requires_systemd_driver
  [ ! -e /run/systemd/system ] || skip "this host runs systemd (the testbed tests cover it)"
  run hako --systemd-cgroup run -d -b "$BUNDLE" nosd1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"systemd is not running on this host"* ]]
  [[ "$output" == *"--cgroup-manager=cgroupfs"* ]]
  nothing_left nosd1
  run hako --cgroup-manager systemd run -d -b "$BUNDLE" nosd2
  [[ "$output" == *"systemd is not running on this host"* ]]
  nothing_left nosd2
}

@test "a bus that never answers: an error after a bounded wait, nothing left" {
  requires_systemd_driver
  sock=$BATS_TEST_TMPDIR/bus.sock
  # Accepts every connection and never says a word (not even to AUTH).
  "$PYTHON3" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8); s.settimeout(0.5)
held, end = [], time.time() + 60
while time.time() < end:
    try: held.append(s.accept()[0])
    except socket.timeout: pass
' "$sock" 3>&- &
  FAKEBUS=$!
  for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
  start=$(date +%s)
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=$sock run timeout 60 "$HAKO" --root "$HAKO_ROOT" \
    --systemd-cgroup run -d -b "$BUNDLE" hang1
  echo "$output (after $(($(date +%s) - start)) s)"
  [ "$status" -ne 0 ] && [ "$status" -ne 124 ] # failed, and not by timeout(1)
  [[ "$output" == *"systemd did not answer within 10 s"* ]]
  [[ "$output" == *"$sock"* ]]
  nothing_left hang1
}

@test "cgroupsPath must be slice:prefix:name under the systemd driver" {
  requires_systemd_driver
  update_config '.linux.cgroupsPath = "/hako/abs"'
  run hako --systemd-cgroup run -d -b "$BUNDLE" bad1
  echo "$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *'linux.cgroupsPath "/hako/abs": the systemd cgroup driver expects "slice:prefix:name"'* ]]
  nothing_left bad1
  update_config '.linux.cgroupsPath = "a--b.slice:x:y"'
  run hako --systemd-cgroup run -d -b "$BUNDLE" bad2
  [[ "$output" == *"valid slice name"* ]]
  nothing_left bad2
}

@test "libsystemd is not loaded unless the systemd driver is used" {
  make_bundle "$BATS_TEST_TMPDIR/true" '.process.args = ["true"]'
  run env LD_DEBUG=libs "$HAKO" --version
  [ "$status" -eq 0 ]
  [[ "$output" == *"calling init: "* ]] # LD_DEBUG works: the check below can fail
  [[ "$output" != *libsystemd* ]]
  run env LD_DEBUG=libs "$HAKO" --root "$HAKO_ROOT" run -b "$BATS_TEST_TMPDIR/true" nosd
  grep libsystemd <<<"$output" || true # what loaded it, should this fail
  [ "$status" -eq 0 ]
  [[ "$output" != *libsystemd* ]]
}

# Shared by the systemd driver's bats files: a testbed (testbed.sh) per
# .bats file, hako and systemctl run inside it, bundles it can see.
#   load helpers       (from tests/systemd/*.bats)

load ../bats/helpers

TESTBED="$HAKO_SRCDIR/tests/systemd/testbed.sh"
testbed () { bash "$TESTBED" "$@"; }
# State of the testbed of this .bats file (set by testbed_up).
TB_STATE=${BATS_FILE_TMPDIR:-/tmp}/testbed.env
# hako's state root inside the testbed (its /run, gone with it).
SD_ROOT=/run/hako-test

# Skip when hako is built without the driver (make check says so in
# HAKO_WITH_SYSTEMD; host.bats checks what that build does instead).
requires_systemd_driver () {
  [ "${HAKO_WITH_SYSTEMD:-yes}" = yes ] || skip "hako is built with --disable-systemd"
}

# testbed_up MODE: boot systemd (setup_file).  The build directory (hako)
# and this file's temporary directory (bundles) are shared with it.  What
# keeps it from booting is recorded for testbed_check (bats 1.8 cannot
# skip from setup_file).
testbed_up () {
  local dir why=
  if [ "$(id -u)" != 0 ]; then
    why="needs root"
  elif [ "${HAKO_WITH_SYSTEMD:-yes}" != yes ]; then
    why="hako is built with --disable-systemd"
  elif [ "$1" = hybrid ] && ! grep -q ' - cgroup ' /proc/self/mountinfo; then
    why="the host has no cgroup v1 hierarchy for the hybrid layout"
  fi
  if [ -n "$why" ]; then
    echo "SKIP_WHY='$why'" >"$TB_STATE"
    return 0
  fi
  dir=$(mktemp -d /var/tmp/hako-testbed.XXXXXX)
  echo "TB=$dir" >"$TB_STATE"
  # Should bats die before teardown_file, the testbed follows it.
  TESTBED_OWNER=$$ testbed up "$dir" "$1" "$(dirname "$HAKO")" "$BATS_FILE_TMPDIR"
}

# testbed_check (setup): skip with the reason testbed_up found.
testbed_check () {
  local SKIP_WHY=
  . "$TB_STATE"
  [ -z "$SKIP_WHY" ] || skip "$SKIP_WHY"
}

# testbed_down (teardown_file): delete the containers, power off, remove
# the testbed's cgroups and overlay, whatever the tests did.
testbed_down () {
  local TB=
  [ -f "$TB_STATE" ] || return 0
  . "$TB_STATE"
  if [ -n "$TB" ]; then
    sd_hako list -q 2>/dev/null | while read -r id; do sd_hako delete -f "$id" || true; done
    testbed down "$TB"
  fi
}

# sd_exec CMD...: run CMD in the testbed (sanitizer settings passed on).
sd_exec () {
  . "$TB_STATE"
  TESTBED_ENV="ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS DBUS_SYSTEM_BUS_ADDRESS" testbed exec "$TB" "$@"
}

# sd_hako ARGS...: hako --systemd-cgroup inside the testbed.
sd_hako () {
  sd_exec "$HAKO" --root "$SD_ROOT" --systemd-cgroup "$@"
}

# show UNIT PROPERTY: what systemd records.
show () {
  sd_exec systemctl show "$1" -p "$2" --value
}

# sd_bundle [JQ_FILTER]: a bundle whose init sleeps, below this file's
# temporary directory (shared with the testbed).  Sets BUNDLE.
sd_bundle () {
  make_bundle "$BATS_FILE_TMPDIR/bundle-$BATS_TEST_NUMBER" \
    ".process.args = [\"sleep\", \"600\"] | ${1:-.}"
}

# init_pid ID: the container's init as the testbed sees it.
init_pid () {
  sd_hako state "$1" | jq -r .pid
}

# cgroup_of PID [CONTROLLERS]: PID's cgroup ("" : cgroup2's line).
cgroup_of () {
  sd_exec cat "/proc/$1/cgroup" | awk -F: -v c="${2:-}" '$2 == c { print $3 }'
}

# wait_inactive UNIT: until systemd no longer has UNIT active (5 s).
wait_inactive () {
  local i
  for ((i = 0; i < 50; i++)); do
    [ "$(sd_exec systemctl is-active "$1")" != active ] && return 0
    sleep 0.1
  done
  return 1
}

# sd_delete_all: delete --force every container hako knows in the testbed.
sd_delete_all () {
  sd_hako list -q 2>/dev/null | while read -r id; do sd_hako delete -f "$id" >/dev/null 2>&1; done
}

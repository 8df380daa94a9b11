#!/bin/bash
# Inside the test VM (tests/vm/cgroup-v2.sh): run the cgroup suites and
# print their TAP between markers the host turns into one TAP stream:
#   @@CHECK ok|not ok DESCRIPTION   one result of this script's own
#   @@SUITE NAME ... @@END NAME RC  a suite's output and exit status
#   @@DONE                          everything ran
# /env (written by the host) names the build: HAKO, HAKO_SRCDIR, ...
set -u
. /env
export HAKO HAKO_BUILDDIR HAKO_SRCDIR TMPDIR=/tmp BATS_TEST_TIMEOUT=120

# The guest is what the suites assume: pure cgroup v2, the controllers the
# issue names enabled at the root.
controllers=$(cat /sys/fs/cgroup/cgroup.subtree_control 2> /dev/null)
missing=
for c in cpuset cpu io memory hugetlb pids; do
  case " $controllers " in *" $c "*) ;; *) missing="$missing $c" ;; esac
done
fstype=$(awk '$5 == "/sys/fs/cgroup" { for (i = 7; $i != "-"; i++); print $(i + 1) }' /proc/self/mountinfo)
if [ "$fstype" = cgroup2 ] && [ -z "$missing" ]; then
  echo "@@CHECK ok pure cgroup v2 on $(uname -r), controllers: $controllers"
else
  echo "@@CHECK not ok pure cgroup v2 with every controller (missing:$missing)"
  cat /proc/self/mountinfo
fi

suite () {
  local name=$1 rc start
  shift
  echo "@@SUITE $name"
  start=$(date +%s)
  "$@" < /dev/null 2>&1
  rc=$?
  echo "$name took $(($(date +%s) - start)) s"
  echo "@@END $name $rc"
}

suite test-cgroup "$HAKO_BUILDDIR/tests/unit/test-cgroup"
suite cgroup.bats bats --tap "$HAKO_SRCDIR/tests/bats/cgroup.bats"
# Rootless with and without a delegated cgroup (setup_file adds the user).
suite rootless.bats bats --tap "$HAKO_SRCDIR/tests/bats/rootless.bats"
# Nothing may be left: every test removes its cgroups.
# (hako keeps its default parent, /hako.)
left=$(find /sys/fs/cgroup -mindepth 1 -type d | grep -v -x /sys/fs/cgroup/hako | head -n 5)
if [ -z "$left" ]; then
  echo "@@CHECK ok no cgroup left behind"
else
  echo "@@CHECK not ok cgroups left behind: $left"
fi
echo "@@DONE"

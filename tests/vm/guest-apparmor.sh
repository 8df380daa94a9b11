#!/bin/bash
# Inside the test VM (tests/vm/apparmor.sh): check that AppArmor is the
# enforcing LSM, then run apparmor.bats, marked up as guest-cgroup.sh
# describes (tap-merge.awk turns it into TAP).
set -u
. /env
export HAKO HAKO_BUILDDIR HAKO_SRCDIR TMPDIR=/tmp BATS_TEST_TIMEOUT=120

# apparmor_parser and the tests read the policy interface in securityfs.
grep -q ' /sys/kernel/security ' /proc/mounts || mount -t securityfs securityfs /sys/kernel/security
enabled=$(cat /sys/module/apparmor/parameters/enabled 2> /dev/null)
if [ "$enabled" = Y ] && [ -r /sys/kernel/security/apparmor/profiles ]; then
  echo "@@CHECK ok AppArmor enabled on $(uname -r) ($(cat /sys/kernel/security/lsm))"
else
  echo "@@CHECK not ok AppArmor enabled (parameters/enabled: '$enabled', lsm: $(cat /sys/kernel/security/lsm 2>&1))"
fi

echo "@@SUITE apparmor.bats"
start=$(date +%s)
bats --tap "$HAKO_SRCDIR/tests/bats/apparmor.bats" < /dev/null 2>&1
rc=$?
echo "apparmor.bats took $(($(date +%s) - start)) s"
echo "@@END apparmor.bats $rc"
# The file removes the profile it loaded.
if grep -q '^hako-bats-test ' /sys/kernel/security/apparmor/profiles; then
  echo "@@CHECK not ok the test profile is still loaded"
else
  echo "@@CHECK ok the test profile was removed"
fi
echo "@@DONE"

#!/bin/bash
# The cgroup tests on a pure cgroup v2 host with every controller (issue 4).
#
# Builds an initramfs from the build tree (busybox, bash, bats, jq, hako and
# tests/unit/test-cgroup with their shared libraries, tests/bats/cgroup.bats
# and its helpers, tests/vm/init as /init), boots Debian's cloud kernel on
# it under qemu with TCG (no KVM needed), runs test-cgroup, cgroup.bats and
# rootless.bats (delegated cgroups on pure v2; setpriv comes along, the
# guest has no newuidmap) there (tests/vm/guest-cgroup.sh) and prints the
# guest's TAP as this test's own: one result per guest test, named
# "vm-v2 SUITE: ...".
#
#   tests/vm/cgroup-v2.sh       (make check sets HAKO, HAKO_BUILDDIR, ...)
#
# tests/vm/lib.sh has the rest: what the host needs, the VM_* variables.
set -uo pipefail

. "$(dirname "$0")/lib.sh" || exit 1
vm_init vm-v2 guest-cgroup.sh ../bats/cgroup.bats ../bats/rootless.bats
test_cgroup=$builddir/tests/unit/test-cgroup
[ -x "$test_cgroup" ] || vm_fail "$test_cgroup is not built"

vm_stage && vm_copy "$test_cgroup" /hako/build/tests/unit/test-cgroup \
  && cp "$here/../bats/cgroup.bats" "$here/../bats/rootless.bats" "$stage/hako/src/tests/bats/" \
  && vm_copy "$(command -v setpriv)" /usr/bin/setpriv \
  || vm_fail "could not build the initramfs in $work"
vm_run

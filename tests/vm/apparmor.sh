#!/bin/bash
# The AppArmor tests where the kernel enforces AppArmor (issue 5).
#
# Boots Debian's cloud kernel (AppArmor built in) under qemu with
# "apparmor=1 security=apparmor" on an initramfs like cgroup-v2.sh's, with
# apparmor_parser added, and runs tests/bats/apparmor.bats there
# (tests/vm/guest-apparmor.sh): the file loads its own profile, so the
# container, exec --apparmor and the refusal of a profile that is not
# loaded are checked against the kernel.  One result per guest test, named
# "vm-apparmor SUITE: ...".
#
#   tests/vm/apparmor.sh        (make check sets HAKO, HAKO_BUILDDIR, ...)
#
# Needs the apparmor package besides what tests/vm/lib.sh lists.
set -uo pipefail

. "$(dirname "$0")/lib.sh" || exit 1
vm_init vm-apparmor guest-apparmor.sh ../bats/apparmor.bats
parser=$(command -v apparmor_parser || ls /sbin/apparmor_parser /usr/sbin/apparmor_parser 2> /dev/null | head -n 1)
[ -n "$parser" ] || unavailable "no apparmor_parser (apparmor)"

vm_stage && vm_copy "$parser" /sbin/apparmor_parser \
  && cp "$here/../bats/apparmor.bats" "$stage/hako/src/tests/bats/" \
  || vm_fail "could not build the initramfs in $work"
vm_run "apparmor=1 security=apparmor"

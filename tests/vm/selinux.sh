#!/bin/bash
# The SELinux tests where the kernel enforces SELinux.
#
# Compiles the tiny test policy tests/vm/selinux/hako-test.cil with secilc
# (into the VM's work directory), boots Debian's cloud kernel (SELinux built
# in) under qemu with "security=selinux enforcing=0" on an initramfs like
# cgroup-v2.sh's, with the policy and the attr tools added, and runs
# tests/vm/guest-selinux.sh there: it loads the policy, checks the kernel
# labels processes, mounts and files as the policy says without hako, then
# switches to enforcing mode and runs tests/bats/selinux.bats (process
# labels, mount labels, a denied read, exec --process-label, invalid
# contexts).  One result per guest test, named "vm-selinux SUITE: ...".
#
#   tests/vm/selinux.sh        (make check sets HAKO, HAKO_BUILDDIR, ...)
#
# Needs secilc, attr and keyutils besides what tests/vm/lib.sh lists.
set -uo pipefail

. "$(dirname "$0")/lib.sh" || exit 1
vm_init vm-selinux guest-selinux.sh ../bats/selinux.bats selinux/hako-test.cil
command -v secilc > /dev/null || unavailable "no secilc"
for c in setfattr getfattr setpriv keyctl; do
  command -v "$c" > /dev/null || unavailable "no $c (attr, util-linux, keyutils)"
done

# hako loads libselinux with dlopen() when labels apply: ldd does not name it.
libselinux=$("$(command -v ldconfig || echo /sbin/ldconfig)" -p 2> /dev/null | awk '$1 == "libselinux.so.1" && /x86-64/ { print $NF; exit }')
[ -n "$libselinux" ] || unavailable "no libselinux.so.1 (libselinux1)"

mkdir -p "$work/policy" \
  && secilc -o "$work/policy/hako-test.policy" -f /dev/null "$here/selinux/hako-test.cil" \
    > "$work/policy/secilc.log" 2>&1 \
  || vm_fail "secilc could not compile tests/vm/selinux/hako-test.cil: $(tr '\n' ' ' < "$work/policy/secilc.log")"

vm_stage && mkdir -p "$stage/etc/selinux" \
  && cp "$work/policy/hako-test.policy" "$stage/etc/selinux/hako-test.policy" \
  && vm_copy "$(command -v setfattr)" /usr/bin/setfattr \
  && vm_copy "$(command -v getfattr)" /usr/bin/getfattr \
  && vm_copy "$(command -v setpriv)" /usr/bin/setpriv \
  && vm_copy "$(command -v keyctl)" /usr/bin/keyctl \
  && vm_copy "$libselinux" \
  && cp "$here/../bats/selinux.bats" "$stage/hako/src/tests/bats/" \
  || vm_fail "could not build the initramfs in $work"
vm_run "security=selinux enforcing=0"

# Shared by the tests that boot Debian's cloud kernel under qemu (TCG, no
# KVM needed) on an initramfs built from the build tree (cgroup-v2.sh,
# apparmor.sh).  Source it, then:
#
#   vm_init PREFIX GUEST FILES...  check the host, the sources the guest
#                                  needs (tests/vm/GUEST, FILES relative to
#                                  tests/vm) and the build; skip or fail
#   vm_stage                       the common initramfs tree in $stage:
#                                  busybox, bash, jq, bats, hako, helpers,
#                                  make-rootfs.sh, init, GUEST as /guest.sh
#   vm_copy FILE [DEST]            add FILE (and its shared libraries)
#   vm_fail MESSAGE                one failing result, exit
#   vm_run [KERNEL_ARGS]           pack, boot, print the guest's TAP, exit
#
# An ASan build runs as it is: ldd brings libasan and libubsan along and
# ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS reach the guest.  Under make
# distcheck (a build in _build/sub) the VM is not booted again.
#
# Needs qemu-system-x86, linux-image-cloud-amd64, busybox-static, cpio, bats
# and jq (contrib/setup.sh installs them).  Without one of them the test is
# skipped, saying which, except under CI (CI set): there it fails.
# VM_TIMEOUT bounds the VM's run in seconds (default 400: it is killed and
# the test fails); VM_SMP (default 1: TCG runs these sequential tests
# faster on one vCPU, and make -j2 keeps the other host core) and VM_MEM
# (MiB, default 1024) size it; VM_KEEP=1 keeps the work directory
# (initramfs, console log, qemu's messages) for a look.

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${HAKO_SRCDIR:-$(cd "$here/../.." && pwd)}
builddir=${HAKO_BUILDDIR:-$srcdir}
hako=${HAKO:-$builddir/hako}
timeout_s=${VM_TIMEOUT:-400}
prefix=vm
guest=
work=
stage=
qemu_pid=
kver=
busybox=

vm_fail () {
  echo "1..1"
  echo "not ok 1 - $prefix: $*"
  exit 1
}

# unavailable REASON: skip, or fail under CI, where setup.sh installed all.
unavailable () {
  [ -z "${CI:-}" ] || vm_fail "$* (CI is set: contrib/setup.sh should have installed it)"
  echo "1..0 # SKIP $* (contrib/setup.sh installs what this test needs)"
  exit 0
}

vm_cleanup () {
  [ -z "$qemu_pid" ] || kill "$qemu_pid" 2> /dev/null
  [ -n "$work" ] || return 0
  if [ -n "${VM_KEEP:-}" ]; then
    echo "# kept $work"
  else
    rm -rf "$work"
  fi
}

vm_init () {
  local f c b kernel
  prefix=$1 guest=$2
  shift 2
  # The guest's files come from the source tree (the dist tarball too).
  for f in init "$guest" tap-merge.awk lib.sh ../bats/helpers.bash ../lib/make-rootfs.sh "$@"; do
    [ -r "$here/$f" ] || vm_fail "tests/vm/$f is missing (EXTRA_DIST?)"
  done
  # make distcheck builds and checks the same sources again in _build/sub:
  # one boot per CI run is enough (VM_IN_DISTCHECK=yes boots anyway).
  case $builddir in
    */_build/sub)
      [ "${VM_IN_DISTCHECK:-}" = yes ] \
        || { echo "1..0 # SKIP make distcheck: the main build's make check ran this VM"; exit 0; } ;;
  esac
  kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2> /dev/null | sort -V | tail -n 1)
  [ -n "$kernel" ] || unavailable "no Debian cloud kernel (/boot/vmlinuz-*-cloud-amd64)"
  [ -r "$kernel" ] || unavailable "cannot read $kernel (not root)"
  kver=${kernel#/boot/vmlinuz-}
  for c in qemu-system-x86_64 cpio bats jq ldd; do
    command -v "$c" > /dev/null || unavailable "no $c"
  done
  for b in /bin/busybox /usr/bin/busybox; do
    if [ -x "$b" ] && [[ $(ldd "$b" 2>&1) == *"not a dynamic"* ]]; then
      busybox=$b
      break
    fi
  done
  [ -n "$busybox" ] || unavailable "no static busybox (busybox-static)"
  [ -x "$hako" ] || vm_fail "$hako is not built"
  work=$(mktemp -d "${TMPDIR:-/tmp}/hako-vm.XXXXXX") || exit 1
  stage=$work/root
  trap vm_cleanup EXIT
  trap 'exit 130' INT TERM
}

# vm_copy FILE [DEST]: FILE at DEST (default: the same path) in the stage
# and, for a dynamic executable, the shared libraries ldd names, at their
# paths.
vm_copy () {
  local f=$1 dest=${2:-$1} lib
  mkdir -p "$stage$(dirname "$dest")" && cp -L "$f" "$stage$dest" || return 1
  { ldd "$f" 2> /dev/null || true; } | { grep -o '/[^ ]*' || true; } | while read -r lib; do
    [ -e "$stage$lib" ] || { mkdir -p "$stage$(dirname "$lib")" && cp -L "$lib" "$stage$lib"; }
  done
}

vm_stage () {
  local bats_prefix v
  mkdir -p "$stage"/{bin,etc,proc,sys,dev,tmp,run,root,lib/modules} || return 1
  cp "$busybox" "$stage/bin/busybox" || return 1
  vm_copy "$(command -v bash)" /bin/bash || return 1
  vm_copy "$(command -v jq)" /usr/bin/jq || return 1
  # bats: the launcher and its lib/ and libexec/ trees.
  bats_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v bats)")")")
  vm_copy "$bats_prefix/bin/bats" /usr/bin/bats || return 1
  mkdir -p "$stage/usr/lib" "$stage/usr/libexec"
  cp -a "$bats_prefix/lib/bats-core" "$stage/usr/lib/" || return 1
  cp -a "$bats_prefix/libexec/bats-core" "$stage/usr/libexec/" || return 1
  # The build and the tests, at fixed paths the guest's /env names.
  vm_copy "$hako" /hako/build/hako || return 1
  mkdir -p "$stage/hako/src/tests/bats" "$stage/hako/src/tests/lib"
  cp "$here/../bats/helpers.bash" "$stage/hako/src/tests/bats/" || return 1
  cp "$here/../lib/make-rootfs.sh" "$stage/hako/src/tests/lib/" || return 1
  cp "$here/init" "$stage/init" && cp "$here/$guest" "$stage/guest.sh" || return 1
  chmod 755 "$stage/init" "$stage/guest.sh"
  # loop is a module in this kernel: the guest loads it for a block device.
  cp "/lib/modules/$kver/kernel/drivers/block/loop.ko" "$stage/lib/modules/" 2> /dev/null
  {
    echo "HAKO=/hako/build/hako HAKO_BUILDDIR=/hako/build HAKO_SRCDIR=/hako/src"
    # A sanitizer build's hako runs in the guest with the same options.
    for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
      [ -z "${!v:-}" ] || printf 'export %s=%q\n' "$v" "${!v}"
    done
  } > "$stage/env"
}

# vm_run [KERNEL_ARGS]: boot the stage and print the guest's results as
# this test's TAP; exits with the test's status.
vm_run () {
  local start qemu_rc rc kernel=/boot/vmlinuz-$kver
  (cd "$stage" && find . | cpio -o -H newc --quiet) > "$work/initramfs.cpio" \
    || vm_fail "could not pack the initramfs in $work"
  echo "# booting $kernel under qemu (TCG), initramfs $(du -h "$work/initramfs.cpio" | cut -f1)"
  start=$(date +%s)
  : > "$work/results"
  timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel tcg -m "${VM_MEM:-1024}" \
    -smp "${VM_SMP:-1}" -nodefaults -display none -no-reboot \
    -kernel "$kernel" -initrd "$work/initramfs.cpio" \
    -append "console=ttyS0 quiet loglevel=1 panic=-1 oops=panic${1:+ $1}" \
    -serial "file:$work/console" -serial "file:$work/results" \
    < /dev/null > "$work/qemu.log" 2>&1 &
  qemu_pid=$!
  wait "$qemu_pid"
  qemu_rc=$?
  qemu_pid=
  echo "# the VM ran for $(($(date +%s) - start)) s (qemu exit status $qemu_rc)"

  tr -d '\r' < "$work/results" | awk -v prefix="$prefix" -f "$here/tap-merge.awk"
  rc=$?
  if [ "$rc" -ne 0 ]; then
    [ "$qemu_rc" -ne 124 ] || echo "# qemu was killed after VM_TIMEOUT=$timeout_s s"
    echo "# the console's last lines (ttyS0), and qemu's:"
    tr -d '\r' < "$work/console" | tail -n 30 | sed 's/^/#   /'
    sed 's/^/#   /' "$work/qemu.log"
  fi
  exit "$rc"
}

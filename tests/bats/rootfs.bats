#!/usr/bin/env bats
# The test rootfs and bundle helpers that the integration tests build on.

load helpers

setup () {
  ROOTFS="$BATS_TEST_TMPDIR/rootfs"
}

@test "rootfs: busybox inside is static and runs" {
  make_rootfs "$ROOTFS"
  [ -x "$ROOTFS/bin/busybox" ]
  run ldd "$ROOTFS/bin/busybox"
  assert_output_contains "not a dynamic executable"
  run "$ROOTFS/bin/busybox" echo hello
  assert_success
  [ "$output" = hello ]
}

@test "rootfs: every applet link points at busybox and is an applet" {
  make_rootfs "$ROOTFS"
  local n=0 l
  for l in "$ROOTFS"/bin/*; do
    [ "$l" = "$ROOTFS/bin/busybox" ] && continue
    [ "$(readlink "$l")" = busybox ] || { echo "$l -> $(readlink "$l")"; return 1; }
    "$ROOTFS/bin/busybox" --list | grep -Fqx -- "$(basename "$l")" \
      || { echo "$(basename "$l") is not an applet"; return 1; }
    n=$((n + 1))
  done
  [ "$n" -ge 20 ]
  for a in sh ls cat echo id hostname sleep true false mount ps grep readlink stat env; do
    [ -L "$ROOTFS/bin/$a" ] || { echo "missing applet $a"; return 1; }
  done
}

@test "rootfs: layout has mount points, users and groups" {
  make_rootfs "$ROOTFS"
  for d in dev proc sys tmp etc root; do
    [ -d "$ROOTFS/$d" ] || { echo "missing /$d"; return 1; }
  done
  [ "$(stat -c %a "$ROOTFS/tmp")" = 1777 ]
  grep -q '^root:x:0:0:' "$ROOTFS/etc/passwd"
  grep -q '^user:x:1000:1000:' "$ROOTFS/etc/passwd"
  grep -q '^nogroup:x:65534:' "$ROOTFS/etc/group"
}

@test "rootfs: a shell chrooted into it runs applets and resolves users" {
  requires_root
  requires_cmd chroot
  make_rootfs "$ROOTFS"
  run chroot "$ROOTFS" /bin/sh -c 'echo "$(id -u):$(id -un)"; id -u user; ls /bin/sh'
  assert_success
  [ "${lines[0]}" = "0:root" ]
  [ "${lines[1]}" = 1000 ]
  [ "${lines[2]}" = /bin/sh ]
}

@test "rootfs: copies are independent of each other" {
  make_rootfs "$ROOTFS"
  make_rootfs "$BATS_TEST_TMPDIR/other"
  rm "$ROOTFS/bin/ls"
  [ -L "$BATS_TEST_TMPDIR/other/bin/ls" ]
}

@test "bundle: make_bundle writes rootfs and an adjustable config.json" {
  requires_cmd jq
  make_bundle "$BATS_TEST_TMPDIR/b"
  [ "$BUNDLE" = "$BATS_TEST_TMPDIR/b" ]
  [ -x "$BUNDLE/rootfs/bin/busybox" ]
  [ "$(jq -r .root.path "$BUNDLE/config.json")" = rootfs ]
  [ "$(jq -c .process.args "$BUNDLE/config.json")" = '["true"]' ]
  [ "$(jq .process.terminal "$BUNDLE/config.json")" = false ]
  set_args sh -c 'echo "a b"'
  [ "$(jq -c .process.args "$BUNDLE/config.json")" = '["sh","-c","echo \"a b\""]' ]
}

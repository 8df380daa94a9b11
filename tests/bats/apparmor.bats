#!/usr/bin/env bats
# AppArmor (process.apparmorProfile, exec --apparmor, features).  Where
# the kernel enforces AppArmor, the file loads a small profile of its own
# (everything allowed but reading /etc/secret) with apparmor_parser and
# checks it for real: the container process runs under it, the denied
# read is denied, a profile that is not loaded fails create cleanly, and
# exec --apparmor confines the exec'd process.  Elsewhere those tests skip
# and the ones for a host without AppArmor run.
#
# make check runs this file on the build host (AppArmor is usually off in a
# build container), and tests/vm/apparmor.sh runs it again inside a VM
# booted with apparmor=1 security=apparmor.

load helpers

bats_require_minimum_version 1.5.0

PROFILE=hako-bats-test

apparmor_on () {
  [ "$(cat /sys/module/apparmor/parameters/enabled 2> /dev/null)" = Y ]
}

setup_file () {
  apparmor_on || return 0
  [ "$(id -u)" -eq 0 ] && command -v apparmor_parser > /dev/null || return 0
  # file, and every other class the kernel mediates, allowed; one read denied.
  apparmor_parser --replace --quiet << EOF
profile $PROFILE flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  mount,
  umount,
  pivot_root,
  deny /etc/secret r,
}
EOF
}

teardown_file () {
  if apparmor_on && grep -q "^$PROFILE " /sys/kernel/security/apparmor/profiles 2> /dev/null; then
    echo "profile $PROFILE {}" | apparmor_parser --remove --quiet || true
  fi
}

setup () {
  requires_root
  requires_cmd jq
  make_bundle
  echo top-secret > "$BUNDLE/rootfs/etc/secret"
  new_id aa
}

teardown () {
  cleanup_containers
}

# requires_apparmor: skip unless the kernel enforces AppArmor and our
# profile is loaded.
requires_apparmor () {
  apparmor_on || skip "AppArmor is not enabled in this kernel (tests/vm/apparmor.sh boots one where it is)"
  requires_cmd apparmor_parser
  grep -q "^$PROFILE " /sys/kernel/security/apparmor/profiles 2> /dev/null \
    || skip "profile $PROFILE could not be loaded (securityfs not mounted?)"
}

@test "features: linux.apparmor.enabled is true: support is built in, whatever the kernel does" {
  # features-linux.md: "whether AppArmor support is compiled in.  Unrelated
  # to whether the host supports AppArmor or not"; a profile is checked
  # against the host at create instead (tests below).
  run rt features
  assert_success
  assert_equal "$(jq -r .linux.apparmor.enabled <<< "$output")" true
}

@test "apparmorProfile \"unconfined\" runs whether or not AppArmor is on" {
  # runc 1.1 writes the attribute anyway and fails where AppArmor is off.
  is_runc && ! apparmor_on && skip "runc fails to apply \"unconfined\" without AppArmor"
  update_config '.process.apparmorProfile = "unconfined"'
  set_args cat /etc/secret
  run_container
  assert_success
  assert_equal "$output" top-secret
}

@test "without AppArmor a profile is refused before anything exists" {
  ! apparmor_on || skip "AppArmor is enabled here"
  update_config '.process.apparmorProfile = "hako-test"'
  run_create
  assert_failure
  is_runc || assert_output_contains 'config.json: process.apparmorProfile: AppArmor profile "hako-test" specified but AppArmor is not enabled'
  assert_no_container
}

@test "the profile confines the container process" {
  requires_apparmor
  update_config '.process.apparmorProfile = $p' --arg p "$PROFILE"
  set_args cat /proc/self/attr/current
  run_container
  assert_success
  assert_equal "$output" "$PROFILE (enforce)"
  # Also set after the switch to a user without capabilities.
  update_config '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = true'
  new_id aa-user
  run_container
  assert_success
  assert_equal "$output" "$PROFILE (enforce)"
}

@test "the profile is set before a seccomp filter that denies openat2, loaded early or late" {
  requires_apparmor
  update_config '.process.apparmorProfile = $p
    | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
                        syscalls: [{names: ["openat2"], action: "SCMP_ACT_ERRNO"}]}' --arg p "$PROFILE"
  set_args cat /proc/self/attr/current
  local nnp
  for nnp in true false; do
    update_config '.process.noNewPrivileges = $n' --argjson n "$nnp"
    new_id "aa-nnp-$nnp"
    run_container
    assert_success
    assert_equal "$output" "$PROFILE (enforce)" "noNewPrivileges $nnp"
  done
}

@test "a read the profile denies fails in the container, and succeeds without the profile" {
  requires_apparmor
  set_args cat /etc/secret
  update_config '.process.apparmorProfile = $p' --arg p "$PROFILE"
  run_container
  assert_failure
  [[ $stderr == *"Permission denied"* ]] || { echo "stderr: $stderr" >&2; return 1; }
  assert_equal "$output" ""
  update_config 'del(.process.apparmorProfile)'
  new_id aa-none
  run_container
  assert_success
  assert_equal "$output" top-secret
}

@test "a profile that is not loaded fails create with its name and leaves nothing behind" {
  requires_apparmor
  update_config '.process.apparmorProfile = "hako-no-such-profile"'
  run_create
  assert_failure
  is_runc || assert_output_contains 'config.json: process.apparmorProfile: profile "hako-no-such-profile" is not loaded'
  assert_no_container
}

@test "exec --apparmor confines the exec'd process only" {
  requires_apparmor
  launch sleep 1000
  run rt exec --apparmor "$PROFILE" "$ID" cat /proc/self/attr/current
  assert_success
  assert_equal "$output" "$PROFILE (enforce)"
  run rt exec --apparmor "$PROFILE" "$ID" cat /etc/secret
  assert_failure
  assert_output_contains "Permission denied"
  run rt exec "$ID" cat /etc/secret
  assert_success
  assert_equal "$output" top-secret
  run rt exec "$ID" cat /proc/1/attr/current
  assert_success
  assert_equal "$output" unconfined
  run rt exec --apparmor hako-no-such-profile "$ID" true
  assert_failure
  is_runc || assert_output_contains 'exec: process.apparmorProfile: profile "hako-no-such-profile" is not loaded'
}

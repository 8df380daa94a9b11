#!/usr/bin/env bats
# SELinux (process.selinuxLabel, linux.mountLabel, exec --process-label,
# features).  Where the kernel runs SELinux with the test policy
# tests/vm/selinux/hako-test.cil loaded, the labels are checked for real:
# the container process runs in container_t, mounts of the config carry
# the mount label, a read the policy denies container_t is denied, exec
# --process-label runs another domain, and an invalid context fails create
# cleanly.  Elsewhere those tests skip and the ones for a host without
# SELinux run.
#
# make check runs this file on the build host (SELinux is usually off
# there), and tests/vm/selinux.sh runs it again inside a VM booted with
# security=selinux, the test policy loaded, in enforcing mode.

load helpers

bats_require_minimum_version 1.5.0

# The labels of tests/vm/selinux/hako-test.cil.
CONTAINER=system_u:system_r:container_t:s0
OTHER=system_u:system_r:other_t:s0
FILE=system_u:object_r:container_file_t:s0
SECRET=system_u:object_r:secret_t:s0
UNKNOWN=system_u:system_r:no_such_t:s0

# selinux_on: SELinux is enabled here (selinuxfs mounted, a policy loaded).
selinux_on () {
  [ -e /sys/fs/selinux/enforce ]
}

# valid_context LABEL: the loaded policy knows LABEL (selinuxfs checks a
# context written to its context file).
valid_context () {
  printf %s "$1" 2> /dev/null > /sys/fs/selinux/context
}

setup () {
  requires_root
  requires_cmd jq
  make_bundle
  echo top-secret > "$BUNDLE/rootfs/etc/secret"
  new_id se
  ENFORCE_WAS=
}

teardown () {
  cleanup_containers
  # Back to the mode the test found.
  [ -z "$ENFORCE_WAS" ] || echo "$ENFORCE_WAS" > /sys/fs/selinux/enforce
}

# requires_selinux: skip unless SELinux is enabled and the test policy is
# the one loaded.
requires_selinux () {
  selinux_on || skip "SELinux is not enabled in this kernel (tests/vm/selinux.sh boots one where it is)"
  valid_context "$CONTAINER" && valid_context "$FILE" \
    || skip "the test policy (tests/vm/selinux/hako-test.cil) is not loaded"
  is_runc || rt --version | grep -q -- '+SELINUX' \
    || skip "$RUNTIME_NAME was built without SELinux support (-SELINUX: no libselinux1-dev)"
}

# enforcing: switch SELinux to enforcing mode until the test ends.
enforcing () {
  ENFORCE_WAS=$(cat /sys/fs/selinux/enforce)
  echo 1 > /sys/fs/selinux/enforce
  assert_equal "$(cat /sys/fs/selinux/enforce)" 1 "enforce"
}

# label_of FILE: FILE's security.selinux as the host sees it.
label_of () {
  getfattr --absolute-names --only-values -n security.selinux "$1" | tr -d '\0'
}

# mount_context MOUNTINFO_LINE: the value of its context= super option
# (quoted by the kernel when it holds a comma), or nothing.
mount_context () {
  local opts
  opts=,$(awk '{ for (i = 7; $i != "-"; i++); print $(i + 3) }' <<< "$1")
  case $opts in
    *,context=*) opts=${opts#*,context=} ;;
    *) return 0 ;;
  esac
  if [[ $opts == \"* ]]; then
    opts=${opts#\"}
    echo "${opts%%\"*}"
  else
    echo "${opts%%,*}"
  fi
}

# The container prints its own label (the kernel ends it with a NUL).
print_label () {
  set_args sh -c 'tr -d "\000" < /proc/self/attr/current'
}

@test "features: linux.selinux.enabled says whether SELinux support is built in" {
  run rt features
  assert_success
  local enabled
  enabled=$(jq -r .linux.selinux.enabled <<< "$output")
  if rt --version | grep -q -- '+SELINUX'; then
    assert_equal "$enabled" true "linux.selinux.enabled"
  else
    is_runc || assert_equal "$enabled" false "linux.selinux.enabled"
  fi
}

@test "without SELinux, selinuxLabel and mountLabel are ignored (debug log says so)" {
  ! selinux_on || skip "SELinux is enabled here"
  update_config '.process.selinuxLabel = $p | .linux.mountLabel = $m' \
    --arg p "$CONTAINER" --arg m "$FILE"
  set_args cat /etc/secret
  run --separate-stderr rt --debug --log "$BATS_TEST_TMPDIR/log" run -b "$BUNDLE" "$ID" < /dev/null
  assert_success
  assert_equal "$output" top-secret
  is_runc && return 0
  grep -q "SELinux is off on this host: labels ignored" "$BATS_TEST_TMPDIR/log" \
    || { echo "no such debug record in:" >&2; cat "$BATS_TEST_TMPDIR/log" >&2; return 1; }
}

@test "the container process runs with process.selinuxLabel" {
  requires_selinux
  update_config '.process.selinuxLabel = $p' --arg p "$CONTAINER"
  print_label
  run_container
  assert_success
  assert_equal "$output" "$CONTAINER"
  # Also after the switch to a user without capabilities, with and without
  # no_new_privs (the kernel checks process2 nnp_transition for that).
  local nnp
  for nnp in true false; do
    update_config '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = $n' \
      --argjson n "$nnp"
    new_id "se-user-$nnp"
    run_container
    assert_success
    assert_equal "$output" "$CONTAINER" "label with noNewPrivileges $nnp"
  done
}

# session_keyring_label: the label of the container's session keyring
# ("_ses.ID"), as the host sees it.
session_keyring_label () {
  local id
  id=$(awk -v name="_ses.$ID:" '$9 == name { print $1; exit }' /proc/keys)
  [ -n "$id" ] || { echo "no keyring _ses.$ID in /proc/keys" >&2; return 1; }
  keyctl security "$((16#$id))"
}

@test "the session keyring is made with process.selinuxLabel" {
  requires_selinux
  requires_cmd keyctl
  update_config '.process.selinuxLabel = $p' --arg p "$CONTAINER"
  set_args sleep 1000
  run_create
  assert_success
  assert_equal "$(session_keyring_label)" "$CONTAINER" "keyring label"
  # Without the label, the keyring has the runtime's.
  new_id se-nolabel
  update_config 'del(.process.selinuxLabel)'
  run_create
  assert_success
  assert_equal "$(session_keyring_label)" "$(tr -d '\0' < /proc/self/attr/current)" "keyring label without selinuxLabel"
}

@test "without selinuxLabel the container keeps the runtime's label" {
  requires_selinux
  print_label
  run_container
  assert_success
  assert_equal "$output" "$(tr -d '\0' < /proc/self/attr/current)"
}

@test "mountLabel labels the config's tmpfs and devpts mounts and the files made there" {
  requires_selinux
  requires_cmd getfattr
  # Without the mqueue mount: the next test is about that one.
  update_config '.linux.mountLabel = $m
    | .mounts |= map(select(.type != "mqueue"))
    | .mounts += [{destination: "/tmp2", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev"]}]' \
    --arg m "$FILE"
  launch sh -c 'echo hi > /tmp2/made-here && exec sleep 1000'
  local pid dir line
  pid=$(state_field pid)
  wait_for_file "/proc/$pid/root/tmp2/made-here"
  output=$(cat "/proc/$pid/mountinfo")
  for dir in /dev /dev/shm /tmp2 /dev/pts; do
    line=$(mount_line "$dir")
    [ -n "$line" ] || { echo "no mount at $dir: $output" >&2; return 1; }
    assert_equal "$(mount_context "$line")" "$FILE" "context= of $dir ($line)"
  done
  assert_equal "$(label_of "/proc/$pid/root/tmp2/made-here")" "$FILE" "label of /tmp2/made-here"
  assert_equal "$(label_of "/proc/$pid/root/dev/pts/ptmx")" "$FILE" "label of /dev/pts/ptmx"
  # Not the mounts that take no mount context.
  line=$(mount_line /proc)
  assert_equal "$(mount_context "$line")" "" "context= of /proc ($line)"
}

@test "MCS levels with categories (a comma inside the context) for the process and the mounts" {
  requires_selinux
  requires_cmd getfattr
  local proc=$CONTAINER:c1,c2 file=$FILE:c1,c2
  valid_context "$proc" || skip "the loaded policy has no categories c1,c2"
  update_config '.process.selinuxLabel = $p | .linux.mountLabel = $m
    | .mounts |= map(select(.type != "mqueue"))
    | .mounts += [{destination: "/tmp2", type: "tmpfs", source: "tmpfs", options: ["nosuid", "size=1m"]}]' \
    --arg p "$proc" --arg m "$file"
  launch sh -c 'tr -d "\000" < /proc/self/attr/current > /tmp2/label && exec sleep 1000'
  local pid line
  pid=$(state_field pid)
  wait_for_file "/proc/$pid/root/tmp2/label"
  assert_equal "$(cat "/proc/$pid/root/tmp2/label")" "$proc" "process label"
  output=$(cat "/proc/$pid/mountinfo")
  line=$(mount_line /tmp2)
  assert_equal "$(mount_context "$line")" "$file" "context= of /tmp2 ($line)"
  assert_equal "$(label_of "/proc/$pid/root/tmp2/label")" "$file" "label of a file in /tmp2"
}

@test "mountLabel with a new IPC namespace: the container starts, /dev/mqueue labelled if at all with the label" {
  requires_selinux
  runc_lacks "leaving /dev/mqueue unlabelled (it setxattrs it: EINVAL)"
  # The default config: an ipc namespace and an mqueue at /dev/mqueue.
  jq -e '(.linux.namespaces | map(.type) | index("ipc")) and (.mounts | map(.type) | index("mqueue"))' \
    "$BUNDLE/config.json" > /dev/null
  update_config '.linux.mountLabel = $m' --arg m "$FILE"
  launch
  local pid line context
  pid=$(state_field pid)
  output=$(cat "/proc/$pid/mountinfo")
  line=$(mount_line /dev/mqueue)
  [ -n "$line" ] || { echo "no mount at /dev/mqueue: $output" >&2; return 1; }
  # Linux creates an IPC namespace's mqueue superblock with the namespace
  # and refuses context= on it later ("SELinux: mount invalid.  Same
  # superblock, different security settings"), setxattr on its root too
  # (EINVAL, 6.1): a runtime must not fail the container for that.
  context=$(mount_context "$line")
  [ -z "$context" ] || assert_equal "$context" "$FILE" "context= of /dev/mqueue ($line)"
}

@test "mountLabel leaves out an mqueue of the runtime's IPC namespace" {
  requires_selinux
  runc_lacks "leaving /dev/mqueue unlabelled (it setxattrs it: EINVAL)"
  # Its superblock is the host's, whose settings a context= would change:
  # the kernel would refuse the mount.
  update_config '.linux.mountLabel = $m | .linux.namespaces |= map(select(.type != "ipc"))' \
    --arg m "$FILE"
  jq -e '.mounts | map(.type) | index("mqueue")' "$BUNDLE/config.json" > /dev/null
  launch
  local pid line
  pid=$(state_field pid)
  output=$(cat "/proc/$pid/mountinfo")
  line=$(mount_line /dev/mqueue)
  [ -n "$line" ] || { echo "no mount at /dev/mqueue: $output" >&2; return 1; }
  assert_equal "$(mount_context "$line")" "" "context= of /dev/mqueue ($line)"
  # The other mounts still get the label.
  assert_equal "$(mount_context "$(mount_line /dev/shm)")" "$FILE" "context= of /dev/shm"
}

@test "enforcing: a read the policy denies container_t fails in the container, and succeeds without the label" {
  requires_selinux
  requires_cmd setfattr getfattr
  enforcing
  setfattr -n security.selinux -v "$SECRET" "$BUNDLE/rootfs/etc/secret"
  assert_equal "$(label_of "$BUNDLE/rootfs/etc/secret")" "$SECRET" "label of etc/secret"
  set_args cat /etc/secret
  update_config '.process.selinuxLabel = $p' --arg p "$CONTAINER"
  run_container
  assert_failure
  [[ $stderr == *"Permission denied"* ]] || { echo "stderr: $stderr" >&2; return 1; }
  assert_equal "$output" ""
  # Another domain may read it.
  update_config '.process.selinuxLabel = $p' --arg p "$OTHER"
  new_id se-other
  run_container
  assert_success
  assert_equal "$output" top-secret
  update_config 'del(.process.selinuxLabel)'
  new_id se-none
  run_container
  assert_success
  assert_equal "$output" top-secret
}

@test "exec --process-label runs the exec'd process in that domain, plain exec in the config's" {
  requires_selinux
  requires_cmd setfattr
  enforcing
  setfattr -n security.selinux -v "$SECRET" "$BUNDLE/rootfs/etc/secret"
  update_config '.process.selinuxLabel = $p' --arg p "$CONTAINER"
  launch sleep 1000
  run rt exec --process-label "$OTHER" "$ID" sh -c 'tr -d "\000" < /proc/self/attr/current'
  assert_success
  assert_equal "$output" "$OTHER" "exec --process-label"
  run rt exec --process-label "$OTHER" "$ID" cat /etc/secret
  assert_success
  assert_equal "$output" top-secret
  run rt exec "$ID" sh -c 'tr -d "\000" < /proc/self/attr/current'
  assert_success
  assert_equal "$output" "$CONTAINER" "plain exec"
  run rt exec "$ID" cat /etc/secret
  assert_failure
  assert_output_contains "Permission denied"
  # The container's own process is left as it was.
  run rt exec "$ID" sh -c 'tr -d "\000" < /proc/1/attr/current'
  assert_success
  assert_equal "$output" "$CONTAINER" "pid 1"
}

@test "exec -p process.json takes its selinuxLabel" {
  requires_selinux
  update_config '.process.selinuxLabel = $p' --arg p "$CONTAINER"
  launch sleep 1000
  jq -n --arg l "$OTHER" '{cwd: "/", args: ["sh", "-c", "tr -d \"\\000\" < /proc/self/attr/current"],
    env: ["PATH=/bin"], user: {uid: 0, gid: 0}, selinuxLabel: $l}' > "$BATS_TEST_TMPDIR/process.json"
  run rt exec -p "$BATS_TEST_TMPDIR/process.json" "$ID"
  assert_success
  assert_equal "$output" "$OTHER" "exec -p"
}

@test "an invalid process.selinuxLabel fails create with its path and leaves nothing behind" {
  requires_selinux
  ! valid_context "$UNKNOWN" || skip "the loaded policy knows $UNKNOWN"
  update_config '.process.selinuxLabel = $p' --arg p "$UNKNOWN"
  run_create
  assert_failure
  is_runc || assert_output_contains "config.json: process.selinuxLabel: invalid SELinux context \"$UNKNOWN\""
  assert_no_container
  run rt list -q
  assert_success
  assert_equal "$output" "" "rt list -q"
}

@test "an invalid linux.mountLabel fails create with its path and leaves nothing behind" {
  requires_selinux
  local bad=system_u:object_r:no_such_file_t:s0
  ! valid_context "$bad" || skip "the loaded policy knows $bad"
  update_config '.linux.mountLabel = $m' --arg m "$bad"
  run_create
  assert_failure
  is_runc || assert_output_contains "config.json: linux.mountLabel: invalid SELinux context \"$bad\""
  assert_no_container
  run rt list -q
  assert_success
  assert_equal "$output" "" "rt list -q"
}

@test "exec --process-label with an invalid context fails and leaves the container running" {
  requires_selinux
  update_config '.process.selinuxLabel = $p' --arg p "$CONTAINER"
  launch sleep 1000
  run rt exec --process-label "$UNKNOWN" "$ID" true
  assert_failure
  is_runc || assert_output_contains "$UNKNOWN"
  assert_equal "$(state_field status)" running
}

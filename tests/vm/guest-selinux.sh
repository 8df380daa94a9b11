#!/bin/bash
# Inside the test VM (tests/vm/selinux.sh): load the test policy, check
# without hako that the kernel labels processes, mounts and files as the
# policy says and enforces its one denial, then run selinux.bats in
# enforcing mode, marked up as guest-cgroup.sh describes (tap-merge.awk
# turns it into TAP).
set -u
. /env
export HAKO HAKO_BUILDDIR HAKO_SRCDIR TMPDIR=/tmp BATS_TEST_TIMEOUT=120

# The labels of tests/vm/selinux/hako-test.cil.
RUNNER=system_u:system_r:kernel_t:s0
CONTAINER=system_u:system_r:container_t:s0
OTHER=system_u:system_r:other_t:s0
FILE=system_u:object_r:container_file_t:s0
SECRET=system_u:object_r:secret_t:s0

# check DESCRIPTION COMMAND...: one result, with the command's output on
# failure.
check () {
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then
    echo "@@CHECK ok $what"
  else
    echo "@@CHECK not ok $what"
    printf '%s\n' "$out" | sed 's/^/  /'
  fi
}

# expect WANT COMMAND...: COMMAND succeeds and prints WANT.
expect () {
  local want=$1 out
  shift
  out=$("$@" 2>&1) || { echo "failed ($?): $out"; return 1; }
  [ "$out" = "$want" ] || { echo "expected '$want', got '$out'"; return 1; }
}

# as LABEL COMMAND...: COMMAND run in LABEL's domain (and no_new_privs with
# NNP=1), through /proc/self/attr/exec as a runtime does it.
as () {
  local label=$1
  shift
  ${NNP:+setpriv --no-new-privs} bash -c 'printf %s "$0" > /proc/self/attr/exec && exec "$@"' "$label" "$@"
}

as_nnp () {
  NNP=1 as "$@"
}

# label_of FILE: FILE's security.selinux, without the final NUL.
label_of () {
  getfattr --absolute-names --only-values -n security.selinux "$1" | tr -d '\0'
}

# mountinfo_label DIR: the context= super option of the mount at DIR.
mountinfo_label () {
  awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 3) }' /proc/self/mountinfo \
    | tr ',' '\n' | sed -n 's/^context=//p' | tr -d '"'
}

mount_checks () {
  mkdir -p /mnt/tmpfs /mnt/pts
  mount -t tmpfs -o "context=$FILE" tmpfs /mnt/tmpfs \
    && expect "$FILE" mountinfo_label /mnt/tmpfs \
    && touch /mnt/tmpfs/f \
    && expect "$FILE" label_of /mnt/tmpfs/f \
    && umount /mnt/tmpfs || return 1
  mount -t devpts -o "newinstance,ptmxmode=666,context=$FILE" devpts /mnt/pts \
    && expect "$FILE" mountinfo_label /mnt/pts \
    && umount /mnt/pts || return 1
}

# mqueue_note: whether this kernel takes context= for the mqueue of a new
# IPC namespace (6.1 does not: the namespace's superblock exists, unlabelled
# by mount options, from its creation on, and setxattr on its root fails
# too), as a comment for whoever reads the log.
mqueue_note () {
  mkdir -p /mnt/mq
  if unshare -i -m mount -t mqueue -o "context=$FILE" mqueue /mnt/mq 2> /dev/null; then
    echo "# mqueue: this kernel labels a new IPC namespace's mqueue with context="
  else
    echo "# mqueue: this kernel refuses context= on a new IPC namespace's mqueue:" \
      "$(dmesg | grep 'SELinux: mount invalid' | tail -n 1 | sed 's/^\[[^]]*\] //')"
  fi
}

secret_checks () {
  echo top-secret > /tmp/secret-check \
    && setfattr -n security.selinux -v "$SECRET" /tmp/secret-check \
    && expect "$SECRET" label_of /tmp/secret-check \
    && expect top-secret cat /tmp/secret-check \
    && expect top-secret as "$OTHER" cat /tmp/secret-check || return 1
  if as "$CONTAINER" cat /tmp/secret-check; then
    echo "container_t read a secret_t file"
    return 1
  fi
  rm -f /tmp/secret-check
}

grep -q ' /sys/kernel/security ' /proc/mounts || mount -t securityfs securityfs /sys/kernel/security
mount -t selinuxfs selinuxfs /sys/fs/selinux 2> /dev/null
if cat /etc/selinux/hako-test.policy > /sys/fs/selinux/load; then
  echo "@@CHECK ok SELinux policy hako-test loaded on $(uname -r) ($(cat /sys/kernel/security/lsm))"
else
  echo "@@CHECK not ok loading the policy (lsm: $(cat /sys/kernel/security/lsm 2>&1))"
fi
check "the guest runs as $RUNNER" expect "$RUNNER" cat /proc/self/attr/current
echo 1 > /sys/fs/selinux/enforce
check "enforcing mode" expect 1 cat /sys/fs/selinux/enforce
check "attr/exec runs a command as $CONTAINER" expect "$CONTAINER" as "$CONTAINER" cat /proc/self/attr/current
check "... also under no_new_privs" expect "$CONTAINER 1" as_nnp "$CONTAINER" \
  sh -c 'echo "$(cat /proc/self/attr/current) $(sed -n "s/^NoNewPrivs:[[:space:]]*//p" /proc/self/status)"'
check "an unknown type is refused by attr/exec" \
  bash -c '! printf %s system_u:system_r:no_such_t:s0 > /proc/self/attr/exec'
check "context=$FILE labels tmpfs and devpts mounts" mount_checks
mqueue_note
check "container_t cannot read a secret_t file, other domains can" secret_checks

echo "@@SUITE selinux.bats"
start=$(date +%s)
bats --tap "$HAKO_SRCDIR/tests/bats/selinux.bats" < /dev/null 2>&1
rc=$?
echo "selinux.bats took $(($(date +%s) - start)) s"
echo "@@END selinux.bats $rc"
check "still enforcing after selinux.bats" expect 1 cat /sys/fs/selinux/enforce
echo "@@DONE"

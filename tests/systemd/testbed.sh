#!/bin/bash
# A throw-away machine run by systemd, for testing hako's systemd cgroup
# driver on a host whose init is not systemd (or must not be disturbed).
# systemd (Debian bookworm's, 252) boots as PID 1 of new PID, mount, UTS,
# IPC, network and cgroup namespaces, on an overlay of a debootstrap'ed
# rootfs; nothing it writes survives `down`.  Root only.
#
#   testbed.sh up DIR MODE [BIND...]   boot; DIR (new or empty) holds this
#                                      instance; MODE is the cgroup layout
#                                      systemd gets (below); each BIND, a
#                                      host directory, is visible inside at
#                                      the same path
#   testbed.sh exec DIR CMD [ARG...]   run CMD inside, as root, in the root
#                                      cgroup of the testbed (outside any
#                                      unit); env: PATH, HOME and the
#                                      variables named in TESTBED_ENV
#   testbed.sh down DIR                power off (SIGKILL after 20 s), remove
#                                      the testbed's cgroups and DIR
#
# TESTBED_OWNER=PID (up): a watcher takes the testbed down when PID exits,
# so that a test run killed before its cleanup leaves nothing running.
#
# MODE  unified: one cgroup2 mount.  Controllers are the ones the host can
#                delegate at that level (none on a host whose controllers
#                are all bound to v1: units, properties and placement are
#                visible, limits are not enforced).
#       hybrid:  the host's v1 hierarchies, name=systemd and cgroup2 at
#                /sys/fs/cgroup/unified (needs v1 on the host); systemd
#                applies and the kernel enforces limits through v1.
#
# The rootfs is built once (debootstrap, a few minutes) in
# HAKO_TESTBED_CACHE (default /var/tmp/hako-systemd-testbed) and reused by
# every later boot (about a second); it is rebuilt when ROOTFS_VERSION or
# the package list below changes.  HAKO_TESTBED_MIRROR picks the Debian
# mirror.
set -euo pipefail

ROOTFS_VERSION=1
SUITE=bookworm
# systemd and its bus; busybox for bundles; the libraries a hako built on
# a bookworm host links against (libasan/libubsan: the ASan build).
PACKAGES=systemd,dbus,busybox-static,libyajl2,libcap2,libseccomp2,libsystemd0,libselinux1,libasan8,libubsan1
CACHE=${HAKO_TESTBED_CACHE:-/var/tmp/hako-systemd-testbed}
MIRROR=${HAKO_TESTBED_MIRROR:-http://deb.debian.org/debian}
SELF=$(realpath "$0")

log () { printf 'testbed: %s\n' "$*" >&2; }
die () { log "error: $*"; exit 1; }

# ------------------------------------------------------------ cgroups

# "fstype mountpoint superopts" of every cgroup hierarchy the host mounts
# below /sys/fs/cgroup.
host_hierarchies () {
  awk '{ for (i = 7; $i != "-"; i++); if (($(i+1) == "cgroup" || $(i+1) == "cgroup2") &&
         $5 ~ "^/sys/fs/cgroup") print $(i+1), $5, $(i+3) }' /proc/self/mountinfo
}

# The testbed's cgroup in every hierarchy; its cgroup namespace is rooted
# one level down (inner), so that the outer level decides what cgroup2
# controllers it gets.
cgroup_dirs () {
  host_hierarchies | while read -r _ mp _; do echo "$mp/$1"; done
}

make_cgroups () {
  local name=$1 mode=$2 d c cg2
  for d in $(cgroup_dirs "$name"); do
    mkdir -p "$d/inner"
    if [ -e "$d/cpuset.cpus" ] && [ ! -e "$d/cgroup.controllers" ]; then
      cat "${d%/*}/cpuset.cpus" >"$d/cpuset.cpus"; cat "${d%/*}/cpuset.mems" >"$d/cpuset.mems"
      cat "$d/cpuset.cpus" >"$d/inner/cpuset.cpus"; cat "$d/cpuset.mems" >"$d/inner/cpuset.mems"
    fi
  done
  cg2=$(host_hierarchies | awk '$1 == "cgroup2" { print $2; exit }')/$name
  # hybrid: an empty cgroup2 part, as systemd expects there.
  if [ "$mode" = unified ]; then
    for c in $(cat "$cg2/cgroup.controllers"); do
      echo "+$c" >"$cg2/cgroup.subtree_control" 2>/dev/null || true
    done
  fi
}

remove_cgroups () {
  local name=$1 d i
  for d in $(cgroup_dirs "$name"); do
    for ((i = 0; i < 50; i++)); do
      [ -d "$d" ] || break
      find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || sleep 0.1
    done
    [ ! -d "$d" ] || { log "cannot remove cgroup $d"; return 1; }
  done
}

# ------------------------------------------------------------ rootfs

customize () {
  local r=$1 u
  echo hako-testbed >"$r/etc/hostname"
  # Units that wait for hardware, consoles or the network, or that would
  # touch the host's kernel (modules, binfmt, clock).
  for u in getty.target console-getty.service getty@tty1.service systemd-timesyncd.service \
    apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer \
    systemd-modules-load.service kmod-static-nodes.service systemd-binfmt.service \
    proc-sys-fs-binfmt_misc.automount systemd-journald-audit.socket systemd-pstore.service \
    systemd-random-seed.service systemd-remount-fs.service systemd-firstboot.service \
    systemd-hwdb-update.service sys-kernel-debug.mount sys-kernel-tracing.mount \
    sys-kernel-config.mount sys-fs-fuse-connections.mount; do
    ln -sf /dev/null "$r/etc/systemd/system/$u"
  done
  mkdir -p "$r/etc/systemd/journald.conf.d" "$r/etc/systemd/system.conf.d"
  printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=8M\n' >"$r/etc/systemd/journald.conf.d/testbed.conf"
  # A container that ignores SIGTERM must not hold up the power-off.
  printf '[Manager]\nDefaultTimeoutStopSec=5s\n' >"$r/etc/systemd/system.conf.d/testbed.conf"
  tr -d - </proc/sys/kernel/random/uuid >"$r/etc/machine-id"
}

# The cached rootfs for this version; built under the cache's lock.
ensure_rootfs () {
  local key tmp
  key=$(printf '%s %s %s' "$ROOTFS_VERSION" "$SUITE" "$PACKAGES" | sha1sum | cut -c1-12)
  ROOTFS=$CACHE/rootfs-$key
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.lock"
  flock -w 900 8 || die "cannot lock $CACHE/.lock"
  if [ ! -e "$ROOTFS/.complete" ]; then
    command -v debootstrap >/dev/null || die "debootstrap missing (contrib/setup.sh installs it)"
    tmp=$CACHE/tmp-$key
    rm -rf --one-file-system "$tmp"
    log "building the rootfs with debootstrap ($SUITE, $PACKAGES); once per cache"
    if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$tmp" "$MIRROR" \
      >"$CACHE/debootstrap.log" 2>&1; then
      tail -n 20 "$CACHE/debootstrap.log" >&2
      die "debootstrap failed (log: $CACHE/debootstrap.log)"
    fi
    customize "$tmp"
    touch "$tmp/.complete"
    rm -rf --one-file-system "$ROOTFS"
    mv "$tmp" "$ROOTFS"
  fi
  exec 8>&-
}

# ------------------------------------------------------------ boot

# PID 1 of the new PID namespace, still seeing the host's root: join the
# testbed's cgroups, then a new cgroup namespace rooted there.
init_stage1 () {
  local dir=$1 hostpid d
  read -r hostpid _ </proc/self/stat
  start_time "$hostpid" >"$dir/pid.start"
  echo "$hostpid" >"$dir/pid"
  while read -r d; do echo 0 >"$d/inner/cgroup.procs"; done <"$dir/cgdirs"
  exec unshare --cgroup bash "$SELF" __init2 "$dir"
}

mount_cgroups () {
  local m=$1 mode=$2 fstype mp super opts
  if [ "$mode" = unified ]; then
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$m/sys/fs/cgroup"
    return
  fi
  mount -t tmpfs -o nosuid,nodev,noexec,mode=755,size=1m tmpfs "$m/sys/fs/cgroup"
  while read -r fstype mp super; do
    mkdir -p "$m/sys/fs/cgroup/${mp##*/}"
    opts=$(tr ',' '\n' <<<"$super" | { grep -vxE 'rw|ro' || true; } | paste -sd,)
    if [ "$fstype" = cgroup2 ]; then
      mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$m/sys/fs/cgroup/${mp##*/}"
    else
      mount -t cgroup -o "nosuid,nodev,noexec,$opts" cgroup "$m/sys/fs/cgroup/${mp##*/}"
    fi
  done < <(host_hierarchies)
}

mount_dev () {
  local m=$1 n name maj min
  mount -t tmpfs -o nosuid,mode=755,size=4m tmpfs "$m/dev"
  for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
    IFS=: read -r name maj min <<<"$n"
    mknod -m 666 "$m/dev/$name" c "$maj" "$min"
  done
  mkdir -p "$m/dev/pts" "$m/dev/shm"
  mount -t devpts -o newinstance,nosuid,noexec,ptmxmode=0666,mode=620 devpts "$m/dev/pts"
  ln -s pts/ptmx "$m/dev/ptmx"
  ln -s /proc/self/fd "$m/dev/fd"
  mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$m/dev/shm"
  touch "$m/dev/console"
  mount --bind "$2" "$m/dev/console"
}

# In the new cgroup namespace: assemble the root, pivot into it, exec
# systemd.  Nothing mounted here propagates to the host.
init_stage2 () {
  local dir=$1 m=$1/merged mode b args=()
  mode=$(cat "$dir/mode")
  mount --make-rprivate /
  mount -t overlay overlay -o "lowerdir=$(cat "$dir/rootfs"),upperdir=$dir/upper,workdir=$dir/work" "$m"
  mount -t proc -o nosuid,nodev,noexec proc "$m/proc"
  # Most sysctls are not namespaced: systemd must not rewrite the host's.
  mount --bind "$m/proc/sys" "$m/proc/sys"
  mount -o remount,bind,ro "$m/proc/sys"
  mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$m/sys"
  mount_cgroups "$m" "$mode"
  mount_dev "$m" "$dir/console.log"
  for b in $(cat "$dir/binds"); do
    mkdir -p "$m$b"
    mount --rbind "$b" "$m$b"
  done
  cd "$m"
  pivot_root . .
  umount -l .
  cd /
  [ "$mode" = hybrid ] && args+=(systemd.unified_cgroup_hierarchy=0)
  exec setpriv --bounding-set -sys_module,-sys_time -- /usr/bin/env -i container=hako-testbed \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin /lib/systemd/systemd "${args[@]}"
}

# Start time of process $1 (field 22 of /proc/PID/stat), without forking.
start_time () {
  local stat f
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
  read -ra f <<<"${stat##*) }"
  echo "${f[19]}"
}

running_pid () {
  local dir=$1 pid start
  read -r pid 2>/dev/null <"$dir/pid" && read -r start 2>/dev/null <"$dir/pid.start" || return 1
  [ -n "$pid" ] && [ "$(start_time "$pid")" = "$start" ] || return 1
  echo "$pid"
}

in_testbed () {
  local pid=$1
  shift
  nsenter --target "$pid" --mount --uts --ipc --net --pid --cgroup --root --wd \
    /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 SYSTEMD_PAGER= \
    SYSTEMD_COLORS=0 "$@"
}

cmd_up () {
  local dir=$1 mode=$2 pid state="" b i
  shift 2
  [ "$(id -u)" = 0 ] || die "must run as root"
  case $mode in
    unified) ;;
    hybrid) host_hierarchies | grep -q '^cgroup ' || die "hybrid mode needs cgroup v1 on the host" ;;
    *) die "MODE must be unified or hybrid" ;;
  esac
  host_hierarchies | grep -q '^cgroup2 ' || die "the host mounts no cgroup2 hierarchy"
  for b in "$@"; do
    case $(realpath -m "$b") in
      / | /tmp | /var/tmp | /run | /var | /etc | /usr | /dev | /proc | /sys | /root)
        die "refusing to share $b: systemd manages it inside" ;;
    esac
  done
  ensure_rootfs
  mkdir -p "$dir"/{upper,work,merged}
  dir=$(realpath "$dir")
  # systemd-tmpfiles empties /tmp at boot and ages /var/tmp: never let it
  # near the host's directories shared below them.
  mkdir -p "$dir/upper/etc/tmpfiles.d" "$dir/upper/etc/systemd/system"
  ln -s /dev/null "$dir/upper/etc/tmpfiles.d/tmp.conf"
  ln -s /dev/null "$dir/upper/etc/systemd/system/systemd-tmpfiles-clean.timer"
  echo "hako-testbed-$(basename "$dir")" >"$dir/cgname"
  echo "$mode" >"$dir/mode"
  echo "$ROOTFS" >"$dir/rootfs"
  printf '%s\n' "$@" >"$dir/binds"
  cgroup_dirs "$(cat "$dir/cgname")" >"$dir/cgdirs"
  make_cgroups "$(cat "$dir/cgname")" "$mode"
  # setsid: no terminal, own session; --kill-child: the testbed dies with
  # the unshare process.
  setsid unshare --mount --uts --ipc --pid --net --fork --kill-child --propagation private \
    bash "$SELF" __init1 "$dir" </dev/null >"$dir/console.log" 2>&1 3>&- &
  if [ -n "${TESTBED_OWNER:-}" ]; then
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" down "$3"' \
      watcher "$TESTBED_OWNER" "$SELF" "$dir" </dev/null >/dev/null 2>&1 3>&- &
    echo $! >"$dir/watcher"
  fi
  for ((i = 0; i < 300; i++)); do
    if pid=$(running_pid "$dir"); then
      state=$(in_testbed "$pid" systemctl is-system-running 2>/dev/null) || true
      case $state in running | degraded | maintenance | stopping) break ;; esac
    fi
    sleep 0.1
  done
  case $state in
    running | degraded) log "systemd is $state (init: host pid $pid, cgroup layout $mode)" ;;
    *)
      tail -n 20 "$dir/console.log" >&2 || true
      log "systemd did not boot (state: ${state:-none}); taking the testbed down"
      cmd_down "$dir" || true
      exit 1 ;;
  esac
}

cmd_exec () {
  local dir=$1 pid d v envs=()
  shift
  pid=$(running_pid "$dir") || die "no testbed running in $dir"
  while read -r d; do echo $$ >"$d/inner/cgroup.procs"; done <"$dir/cgdirs"
  for v in ${TESTBED_ENV:-}; do
    [ -n "${!v+x}" ] && envs+=("$v=${!v}")
  done
  exec setpriv --bounding-set -sys_module,-sys_time -- nsenter --target "$pid" --mount --uts \
    --ipc --net --pid --cgroup --root --wd /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 "${envs[@]}" "$@"
}

wait_gone () {
  local dir=$1 tenths=$2 i
  for ((i = 0; i < tenths; i++)); do
    running_pid "$dir" >/dev/null || return 0
    sleep 0.1
  done
  return 1
}

cmd_down () {
  local dir=$1 pid rc=0 w
  [ -d "$dir" ] || return 0
  # The owner's watcher is not needed any more (unless it is the caller).
  if read -r w 2>/dev/null <"$dir/watcher" && [ "$w" != "$PPID" ] && [ "$w" != $$ ]; then
    kill "$w" 2>/dev/null || true
  fi
  if pid=$(running_pid "$dir"); then
    kill -s SIGRTMIN+4 "$pid" 2>/dev/null || true # systemd: poweroff
    if ! wait_gone "$dir" 200; then
      log "systemd still running after 20 s: SIGKILL"
      kill -s KILL "$pid" 2>/dev/null || true
      wait_gone "$dir" 100 || { log "pid $pid does not die"; rc=1; }
    fi
  fi
  [ -e "$dir/cgname" ] && { remove_cgroups "$(cat "$dir/cgname")" || rc=1; }
  if [ $rc = 0 ] && ! grep -q " $dir/" /proc/self/mountinfo; then
    rm -rf --one-file-system "$dir"
  fi
  return $rc
}

case ${1:-} in
  up) shift; [ $# -ge 2 ] || die "usage: testbed.sh up DIR MODE [BIND...]"; cmd_up "$@" ;;
  exec) shift; [ $# -ge 2 ] || die "usage: testbed.sh exec DIR CMD..."; cmd_exec "$@" ;;
  down) shift; [ $# -eq 1 ] || die "usage: testbed.sh down DIR"; cmd_down "$1" ;;
  __init1) init_stage1 "$2" ;;
  __init2) init_stage2 "$2" ;;
  *) sed -n '2,33s/^# \{0,1\}//p' "$0"; exit 2 ;;
esac

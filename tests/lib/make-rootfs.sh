#!/bin/bash
# Build a tiny container root filesystem from the static busybox, offline.
#
#   make-rootfs.sh DIR
#
# DIR gets bin/busybox with symlinks for the applets tests use, /etc/passwd
# and /etc/group (root, nobody, and a plain user 1000), and empty mount
# points (dev, proc, sys, tmp, ...).  BUSYBOX overrides which binary is
# copied; it must be statically linked, as nothing else is in the rootfs.
set -euo pipefail

dir=${1:?usage: make-rootfs.sh DIR}
busybox=${BUSYBOX:-}
if [ -z "$busybox" ]; then
  for b in /bin/busybox /usr/bin/busybox; do
    [ -x "$b" ] && { busybox=$b; break; }
  done
fi
if [ -z "$busybox" ] || [ ! -x "$busybox" ]; then
  echo "make-rootfs: no busybox found (apt-get install busybox-static)" >&2
  exit 1
fi
# A dynamically linked busybox would need the host's libc inside the rootfs.
if ldd "$busybox" >/dev/null 2>&1 && ! ldd "$busybox" 2>&1 | grep -q 'not a dynamic'; then
  echo "make-rootfs: $busybox is dynamically linked (apt-get install busybox-static)" >&2
  exit 1
fi

APPLETS="sh ash ls cat echo id hostname sleep true false mount umount ps grep readlink
  stat env touch mkdir rmdir rm ln cp mv pwd head tail wc kill cut tr sed printf test [
  uname whoami chmod chown date dd find mknod nproc seq sync tee timeout xargs basename
  dirname realpath setsid nsenter unshare ip hexdump od sort uniq awk which top free
  df du mountpoint chroot pivot_root ulimit yes watch ping nc wget vi less more
  ionice stty linux32 uptime taskset mkfifo tty nice"

mkdir -p "$dir"/{bin,etc,dev,proc,sys,tmp,root,run,var/tmp,home/user,usr}
chmod 1777 "$dir/tmp" "$dir/var/tmp"
chmod 0700 "$dir/root"
cp "$busybox" "$dir/bin/busybox"
chmod 0755 "$dir/bin/busybox"
# Link only what this busybox was built with, so every link works.
available=" $("$busybox" --list | tr '\n' ' ') "
for a in $APPLETS; do
  case $available in *" $a "*) ln -sfn busybox "$dir/bin/$a" ;; esac
done
# The default PATH of `hako spec` also searches these.
ln -sfn ../bin "$dir/usr/bin"
ln -sfn ../bin "$dir/usr/sbin"
ln -sfn bin "$dir/sbin"

cat > "$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$dir/etc/group" <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
chown 1000:1000 "$dir/home/user" 2>/dev/null || true
echo hako > "$dir/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$dir/etc/hosts"
: > "$dir/etc/resolv.conf"

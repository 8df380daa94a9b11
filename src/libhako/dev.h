/* The container's /dev: device nodes, the /dev symlinks, /dev/console, and
 * a checked /dev/null for masking.  Every path is resolved beneath the
 * rootfs without following symlinks (RESOLVE_NO_SYMLINKS), so a /dev or a
 * node replaced by a symlink cannot send a mknod, chown or mount to
 * another place. */
#ifndef HAKO_DEV_H
#define HAKO_DEV_H

#include "error.h"
#include "init.h"

/* Before pivot_root, unless /dev is a bind mount: the default devices
 * (null, zero, full, random, urandom, tty; an entry of linux.devices with
 * the same path replaces one) and linux.devices, made with mknod, or bound
 * from the host's node where mknod is not allowed (user namespace);
 * /dev/ptmx -> pts/ptmx; /dev/fd, stdin, stdout, stderr (and core when the
 * kernel has /proc/kcore) -> /proc/self/....  A device path outside /dev
 * is refused. */
int hako_dev_setup (const struct hako_init_ctx *ctx, int rootfd, struct hako_error *err);

/* After pivot_root: bind ctx->console_slave_path (a pty slave, checked)
 * over /dev/console, created as an empty file when missing. */
int hako_dev_console (const struct hako_init_ctx *ctx, int rootfd, struct hako_error *err);

/* Open /dev/null beneath ROOTFD (O_PATH), refusing anything that is not
 * the character device 1:3 itself, such as a symlink planted there. */
int hako_dev_open_null (int rootfd, struct hako_error *err);

#endif

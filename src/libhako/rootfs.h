/* The stage-0 side of the rootfs code (stage 2's is in init.h). */
#ifndef HAKO_ROOTFS_H
#define HAKO_ROOTFS_H

#include "error.h"
#include "init.h"

/* Stage 0, before cloning stage 1: make ready what stage 2 cannot do from
 * inside a user namespace, namely the idmapped trees of idmap/ridmap bind
 * mounts (the kernel lets only the owner of a filesystem idmap it).  They
 * stay in this module's memory and fds, which stage 2 inherits through
 * the clone; hako_rootfs_prepare attaches them.  Harmless without a user
 * namespace (stage 2 would do the same work). */
int hako_rootfs_prepare_host (const struct hako_init_ctx *ctx, struct hako_error *err);

/* Stage 0, once stage 2 runs or the create failed: close them. */
void hako_rootfs_release_host (void);

#endif

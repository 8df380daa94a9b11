/* The stage-0 side of the rootfs code (stage 2's is in init.h). */
#ifndef HAKO_ROOTFS_H
#define HAKO_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>

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

/* A config without a mount namespace: the spec has the container inherit
 * the runtime's, so stage 2 binds the rootfs onto itself there, mounts
 * below that bind and chroots instead of pivot_root.  Everything it made
 * hangs off that one bind, which delete (or a failed create) detaches. */
bool hako_rootfs_shares_host_mounts (const struct hako_init_ctx *ctx);

/* The id of the mount on top of ROOTFS in our mount namespace (statx
 * STATX_MNT_ID), or 0 when it cannot be read. */
uint64_t hako_rootfs_top_mount (const char *rootfs);

/* Detach the bind made by stage 2 on ROOTFS (and every mount below it)
 * when the mount on top of ROOTFS is MOUNT_ID.  0: nothing to do. */
int hako_rootfs_detach_host_bind (const char *rootfs, uint64_t mount_id, struct hako_error *err);

#endif

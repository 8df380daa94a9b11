/* Mounting inside the container's mount namespace with the new mount API:
 * filesystems are created detached (fsopen/fsconfig/fsmount) or cloned
 * (open_tree), given their attributes while detached (mount_setattr, also
 * idmapping), then attached with move_mount onto an fd of the target that
 * was resolved beneath the rootfs.  No path the container controls is ever
 * walked from the host side. */
#ifndef HAKO_MOUNT_H
#define HAKO_MOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>

#include "error.h"
#include "init.h"
#include "mount-options.h"

/* A mount whose read-only flag waits for finalize (tmpfs, /dev): mount
 * points and device nodes are created in it after it is mounted. */
struct hako_mount_deferred
{
  int fd;               /* the mount (an fd of its root) */
  bool ro;              /* MOUNT_ATTR_RDONLY on the mount itself */
  bool rec_ro;          /* ... and on every mount below it (rro) */
  char destination[64]; /* for messages, possibly truncated */
};

/* State of the mount code between hako_rootfs_prepare and _finalize. */
struct hako_mounts
{
  struct hako_init_ctx *ctx;
  int rootfd; /* the rootfs mount (O_PATH), after it was bound onto itself */
  struct hako_mount_deferred *deferred;
  size_t n_deferred;
  const int *prepared; /* per config mount: a tree stage 0 made ready, or -1 */
};

/* Mount config->mounts[I]: `mount "SRC" on "DEST": ...` on failure. */
int hako_mount_entry (struct hako_mounts *ms, const struct oci_mount *m, struct hako_error *err);

/* ---- primitives shared by mount.c, mount-cgroup.c, dev.c and rootfs.c ----
 * Those without an err argument return -1 with errno set. */

/* A new filesystem of TYPE from SOURCE with O's superblock flags and DATA
 * (comma-separated options): a detached mount fd.  The message includes
 * what the filesystem logged about a refused option. */
int hako_fs_new (const char *type, const char *source, const struct hako_mount_opts *o,
                 const char *data, struct hako_error *err);
/* Clone the mount at DIRFD/PATH ("" for DIRFD itself), recursively or not. */
int hako_tree_clone (int dirfd, const char *path, bool recursive);
/* Attach the detached mount MFD onto TARGETFD. */
int hako_tree_attach (int mfd, int targetfd);
/* mount_setattr on the mount MFD (its whole tree when RECURSIVE). */
int hako_tree_setattr (int mfd, struct mount_attr *attr, bool recursive);
/* Set one propagation type (MS_SHARED..., MS_REC for the whole tree). */
int hako_tree_propagation (int mfd, unsigned long propagation);
/* O's per-mount and recursive attributes, leaving MOUNT_ATTR_RDONLY out
 * when SKIP_RO (deferred to finalize). */
int hako_tree_apply_opts (int mfd, const struct hako_mount_opts *o, bool skip_ro);
/* "/proc/self/fd/N" for mount(2) where the new API cannot express a request. */
void hako_fd_path (int fd, char *buf, size_t size);
/* Give the detached mount MFD the attributes and idmapping of O, attach
 * it onto TARGETFD and set O's propagation; DEFER keeps it writable until
 * finalize.  Errors are plain (the caller names the mount). */
int hako_mount_finish (struct hako_mounts *ms, const struct oci_mount *m,
                       const struct hako_mount_opts *o, int mfd, int targetfd, bool defer,
                       struct hako_error *err);
/* Record MFD for a read-only remount in finalize (dups it). */
int hako_mounts_defer_ro (struct hako_mounts *ms, int mfd, const char *dest, bool ro, bool rec_ro,
                          struct hako_error *err);

/* ---- mount-cgroup.c ---- */

/* A "cgroup" entry: cgroup2 on a unified host, else a tmpfs with one
 * directory per v1 hierarchy (see the file for the details). */
int hako_mount_cgroup (struct hako_mounts *ms, const struct oci_mount *m,
                       const struct hako_mount_opts *o, int targetfd, struct hako_error *err);
/* A "cgroup2" entry; falls back to a bind of the host's hierarchy when
 * mounting is not permitted (a user namespace without cgroupns). */
int hako_mount_cgroup2 (struct hako_mounts *ms, const struct oci_mount *m,
                        const struct hako_mount_opts *o, int targetfd, struct hako_error *err);

/* Is M a bind mount (type bind/rbind, or a bind/rbind option), and a
 * recursive one?  O is M's parsed options. */
bool hako_mount_is_bind (const struct oci_mount *m, const struct hako_mount_opts *o,
                         bool *recursive);
/* M's bind source as a host path: relative ones are relative to the bundle. */
char *hako_mount_bind_source (const struct hako_init_ctx *ctx, const struct oci_mount *m);

/* ---- mount-idmap.c ---- */

/* Stage 0, before the container's user namespace exists: for every bind
 * mount with idmap/ridmap, a detached clone of its source, idmapped with
 * the host's privileges (from inside a user namespace the kernel refuses
 * to idmap a filesystem the namespace does not own).  FDS gets
 * config->mounts_len entries, -1 for the other mounts. */
int hako_mounts_prepare_idmapped (const struct hako_init_ctx *ctx, int *fds,
                                  struct hako_error *err);

/* A user namespace fd holding the id mappings of an idmap/ridmap mount:
 * M's own uidMappings/gidMappings, else the container's (IN_CONTAINER:
 * called from stage 2, inside the container's user namespace). */
int hako_idmap_userns_fd (const struct hako_init_ctx *ctx, const struct oci_mount *m,
                          bool in_container, struct hako_error *err);

/* ---- masked.c (after pivot_root; ROOTFD is "/") ---- */

/* linux.maskedPaths: /dev/null (checked to be 1:3) bound over files, a
 * read-only empty tmpfs over directories; missing paths are skipped, a
 * path that is or goes through a symlink is refused. */
int hako_mask_paths (int rootfd, char *const *paths, size_t n, struct hako_error *err);
/* linux.readonlyPaths: each bound onto itself, read-only recursively
 * (its nosuid/nodev/noexec kept); missing paths are skipped, symlinks
 * refused. */
int hako_readonly_paths (int rootfd, char *const *paths, size_t n, struct hako_error *err);

#endif

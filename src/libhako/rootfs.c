/* The container's root filesystem, in stage 2 (its new mount namespace):
 * propagation, the rootfs bound onto itself, every config mount, /dev,
 * pivot_root, then console, masked and read-only paths and the final
 * read-only and propagation settings of "/". */
#define _GNU_SOURCE
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dev.h"
#include "inroot.h"
#include "mount.h"
#include "mountinfo.h"
#include "util.h"

/* Between prepare and finalize: the mounts whose read-only flag waits. */
static struct hako_mounts mounts = { .rootfd = -1 };
/* Made by stage 0 (hako_rootfs_prepare_host), per config mount or -1. */
static int *host_prepared;
static size_t n_host_prepared;

int
hako_rootfs_prepare_host (const struct hako_init_ctx *ctx, struct hako_error *err)
{
  size_t n = ctx->config->mounts_len;

  hako_rootfs_release_host ();
  if (n == 0)
    return 0;
  host_prepared = hako_xmalloc0 (n * sizeof *host_prepared);
  n_host_prepared = n;
  if (hako_mounts_prepare_idmapped (ctx, host_prepared, err) < 0)
    {
      hako_rootfs_release_host ();
      return -1;
    }
  return 0;
}

void
hako_rootfs_release_host (void)
{
  for (size_t i = 0; i < n_host_prepared; i++)
    if (host_prepared[i] >= 0)
      close (host_prepared[i]);
  free (host_prepared);
  host_prepared = NULL;
  n_host_prepared = 0;
}

/* linux.rootfsPropagation as MS_* (0 when unset), as runc maps it. */
static unsigned long
root_propagation (const struct oci_config *c)
{
  const char *p = c->linux ? c->linux->rootfs_propagation : NULL;

  if (p == NULL)
    return 0;
  if (strcmp (p, "shared") == 0)
    return MS_SHARED;
  if (strcmp (p, "slave") == 0)
    return MS_SLAVE;
  if (strcmp (p, "unbindable") == 0)
    return MS_UNBINDABLE;
  return MS_PRIVATE;
}

/* The mount holding the rootfs must not be shared: pivot_root refuses a
 * shared parent, and the rootfs bind would propagate to the host.  Walk up
 * from the rootfs to the first mount root and make it private (slave when
 * rootfsPropagation asks for slave). */
static int
make_parent_unshared (int rootfsfd, unsigned long root_prop, struct hako_error *err)
{
  struct mount_attr attr = { .propagation = (root_prop & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE };
  cleanup_fd int fd = fcntl (rootfsfd, F_DUPFD_CLOEXEC, 3);

  for (;;)
    {
      struct stat here, up;
      int parent;

      if (fd < 0)
        return hako_error_sys (err, errno, "open the rootfs parent");
      if (mount_setattr (fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == 0)
        return 0;
      if (errno != EINVAL)
        return hako_error_sys (err, errno, "make the rootfs parent mount private");
      parent = openat (fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (parent < 0 || fstat (fd, &here) < 0 || fstat (parent, &up) < 0
          || (here.st_dev == up.st_dev && here.st_ino == up.st_ino))
        {
          if (parent >= 0)
            close (parent);
          return hako_error_set (err, EINVAL, "no mount found above the rootfs");
        }
      close (fd);
      fd = parent;
    }
}

/* Stage 0 opened the rootfs in the host's mount namespace, and an fd keeps
 * the mount it was opened on: the new API refuses mounts of another
 * namespace.  Open it again here, and check it is the same directory. */
static int
reopen_rootfs (struct hako_init_ctx *ctx, struct hako_error *err)
{
  struct stat before, now;
  int fd = open (ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return hako_error_sys (err, errno, "open the rootfs %s", ctx->rootfs);
  if (fstat (ctx->rootfs_fd, &before) < 0 || fstat (fd, &now) < 0 || before.st_dev != now.st_dev
      || before.st_ino != now.st_ino)
    {
      close (fd);
      return hako_error_set (err, EXDEV, "the rootfs %s was replaced during create", ctx->rootfs);
    }
  close (ctx->rootfs_fd);
  ctx->rootfs_fd = fd;
  return 0;
}

/* Bind the rootfs onto itself so it is a mount (pivot_root wants one), and
 * work from then on through an fd of that new mount. */
static int
bind_rootfs (struct hako_init_ctx *ctx, struct hako_error *err)
{
  int mfd = hako_tree_clone (ctx->rootfs_fd, "", true);

  if (mfd < 0 || hako_tree_attach (mfd, ctx->rootfs_fd) < 0)
    {
      int saved = errno;
      if (mfd >= 0)
        close (mfd);
      return hako_error_sys (err, saved, "bind the rootfs %s onto itself", ctx->rootfs);
    }
  close (ctx->rootfs_fd);
  ctx->rootfs_fd = mfd;
  return 0;
}

/* runc leaves /dev alone when the config binds a directory over it. */
static bool
dev_is_bound (const struct oci_config *c)
{
  char clean[PATH_MAX];

  for (size_t i = 0; i < c->mounts_len; i++)
    {
      const struct oci_mount *m = &c->mounts[i];
      bool bind = m->type && (strcmp (m->type, "bind") == 0 || strcmp (m->type, "rbind") == 0);

      for (size_t j = 0; !bind && j < m->options_len; j++)
        bind = strcmp (m->options[j], "bind") == 0 || strcmp (m->options[j], "rbind") == 0;
      hako_path_clean (m->destination, clean, sizeof clean);
      if (bind && strcmp (clean, "/dev") == 0)
        return true;
    }
  return false;
}

bool
hako_rootfs_shares_host_mounts (const struct hako_init_ctx *ctx)
{
  return !((ctx->ns.create | ctx->ns.join) & CLONE_NEWNS);
}

uint64_t
hako_rootfs_top_mount (const char *rootfs)
{
  struct statx stx;

  if (statx (AT_FDCWD, rootfs, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0
      || !(stx.stx_mask & STATX_MNT_ID))
    return 0;
  return stx.stx_mnt_id;
}

int
hako_rootfs_detach_host_bind (const char *rootfs, uint64_t mount_id, struct hako_error *err)
{
  if (mount_id == 0 || hako_rootfs_top_mount (rootfs) != mount_id)
    return 0;
  if (umount2 (rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL)
    return hako_error_sys (err, errno, "detach the container's mounts on %s", rootfs);
  return 0;
}

/* Without a mount namespace of its own the container's mounts are the
 * host's: leave the host's propagation alone, and put them all below a
 * bind of the rootfs that one detach removes. */
static int
prepare_mount_ns (struct hako_init_ctx *ctx, struct hako_error *err)
{
  unsigned long prop = root_propagation (ctx->config);

  if (hako_rootfs_shares_host_mounts (ctx))
    return reopen_rootfs (ctx, err) < 0 || bind_rootfs (ctx, err) < 0 ? -1 : 0;
  /* Nothing done from here on may reach the host's mount namespace. */
  if (mount (NULL, "/", NULL, prop ? prop : MS_SLAVE | MS_REC, NULL) < 0)
    return hako_error_sys (err, errno, "set the propagation of /");
  if (reopen_rootfs (ctx, err) < 0 || make_parent_unshared (ctx->rootfs_fd, prop, err) < 0
      || bind_rootfs (ctx, err) < 0)
    return -1;
  return 0;
}

int
hako_rootfs_prepare (struct hako_init_ctx *ctx, struct hako_error *err)
{
  const struct oci_config *c = ctx->config;

  if (prepare_mount_ns (ctx, err) < 0)
    return -1;
  mounts = (struct hako_mounts){ .ctx = ctx, .rootfd = ctx->rootfs_fd, .prepared = host_prepared };
  for (size_t i = 0; i < c->mounts_len; i++)
    if (hako_mount_entry (&mounts, &c->mounts[i], err) < 0)
      return -1;
  /* The trees stage 0 made are attached now; the container gets no fd of them. */
  hako_rootfs_release_host ();
  if (!dev_is_bound (c) && hako_dev_setup (ctx, ctx->rootfs_fd, err) < 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------------------ pivot */

static int
pivot (struct hako_init_ctx *ctx, struct hako_error *err)
{
  cleanup_fd int oldroot = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (oldroot < 0)
    return hako_error_sys (err, errno, "open /");
  if (fchdir (ctx->rootfs_fd) < 0)
    return hako_error_sys (err, errno, "chdir %s", ctx->rootfs);
  /* pivot_root(".", ".") stacks the old root on the new one; no directory
   * for it is needed in the rootfs. */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return hako_error_sys (err, errno, "pivot_root %s", ctx->rootfs);
  if (fchdir (oldroot) < 0)
    return hako_error_sys (err, errno, "chdir to the old root");
  /* Slave, so that detaching it does not propagate to the host. */
  if (mount (NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
    return hako_error_sys (err, errno, "make the old root a slave");
  if (umount2 (".", MNT_DETACH) < 0)
    return hako_error_sys (err, errno, "detach the old root");
  if (chdir ("/") < 0)
    return hako_error_sys (err, errno, "chdir /");
  return 0;
}

/* With --no-pivot the host's mounts stay in the namespace, under the
 * chroot.  The kernel lets a new procfs or sysfs be mounted only where a
 * full one is already visible, so detach (or cover) the host's full procfs
 * and sysfs mounts, as runc does. */
static int
hide_host_procfs (const char *rootfs, struct hako_error *err)
{
  struct hako_mountinfo mi;
  int r = 0;

  if (hako_mountinfo_read (&mi, err) < 0)
    return -1;
  for (size_t i = mi.n; i-- > 0 && r == 0;)
    {
      const struct hako_mountinfo_entry *e = &mi.entries[i];

      if (strcmp (e->root, "/") != 0
          || (strcmp (e->fstype, "proc") != 0 && strcmp (e->fstype, "sysfs") != 0)
          || hako_path_is_under (e->mountpoint, rootfs))
        continue;
      if (mount (NULL, e->mountpoint, NULL, MS_SLAVE | MS_REC, NULL) < 0)
        {
          if (errno != ENOENT)
            r = hako_error_sys (err, errno, "make %s a slave", e->mountpoint);
          continue;
        }
      if (umount2 (e->mountpoint, MNT_DETACH) < 0
          && mount ("tmpfs", e->mountpoint, "tmpfs", MS_RDONLY, NULL) < 0)
        r = hako_error_sys (err, errno, "hide the host's %s", e->mountpoint);
    }
  hako_mountinfo_free (&mi);
  return r;
}

static int
move_root (struct hako_init_ctx *ctx, struct hako_error *err)
{
  if (root_propagation (ctx->config) & MS_PRIVATE)
    return hako_error_set (err, EINVAL, "rootfsPropagation private is not safe without pivot_root");
  if (hide_host_procfs (ctx->rootfs, err) < 0)
    return -1;
  /* The root mount may be shared (rootfsPropagation): the move must not
   * propagate to its peers. */
  if (mount (NULL, "/", NULL, MS_SLAVE, NULL) < 0)
    return hako_error_sys (err, errno, "make / a slave");
  if (fchdir (ctx->rootfs_fd) < 0)
    return hako_error_sys (err, errno, "chdir %s", ctx->rootfs);
  if (move_mount (ctx->rootfs_fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return hako_error_sys (err, errno, "move %s to /", ctx->rootfs);
  if (chroot (".") < 0)
    return hako_error_sys (err, errno, "chroot %s", ctx->rootfs);
  if (chdir ("/") < 0)
    return hako_error_sys (err, errno, "chdir /");
  return 0;
}

/* The host's mount namespace: pivot_root would move the host's root. */
static int
chroot_shared (struct hako_init_ctx *ctx, struct hako_error *err)
{
  if (fchdir (ctx->rootfs_fd) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return hako_error_sys (err, errno, "chroot %s", ctx->rootfs);
  return 0;
}

int
hako_rootfs_pivot (struct hako_init_ctx *ctx, struct hako_error *err)
{
  if (hako_rootfs_shares_host_mounts (ctx))
    return chroot_shared (ctx, err);
  return ctx->no_pivot ? move_root (ctx, err) : pivot (ctx, err);
}

/* --------------------------------------------------------------- finalize */

static int
apply_deferred_ro (struct hako_error *err)
{
  for (size_t i = 0; i < mounts.n_deferred; i++)
    {
      struct hako_mount_deferred *d = &mounts.deferred[i];
      struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

      if ((d->ro && hako_tree_setattr (d->fd, &ro, false) < 0)
          || (d->rec_ro && hako_tree_setattr (d->fd, &ro, true) < 0))
        return hako_error_sys (err, errno, "make \"%s\" read-only", d->destination);
    }
  return 0;
}

static void
forget_mounts (void)
{
  for (size_t i = 0; i < mounts.n_deferred; i++)
    close (mounts.deferred[i].fd);
  free (mounts.deferred);
  mounts = (struct hako_mounts){ .rootfd = -1 };
}

static int
finalize (struct hako_init_ctx *ctx, int rootfd, struct hako_error *err)
{
  const struct oci_config *c = ctx->config;
  const struct oci_linux *lx = c->linux;
  unsigned long prop = root_propagation (c);
  struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };

  if (hako_dev_console (ctx, rootfd, err) < 0)
    return -1;
  if (lx && hako_mask_paths (rootfd, lx->masked_paths, lx->masked_paths_len, err) < 0)
    return -1;
  if (lx && hako_readonly_paths (rootfd, lx->readonly_paths, lx->readonly_paths_len, err) < 0)
    return -1;
  if (apply_deferred_ro (err) < 0)
    return -1;
  if (c->root && c->root->readonly && hako_tree_setattr (rootfd, &ro, false) < 0)
    return hako_error_sys (err, errno, "make the rootfs read-only");
  /* private and slave were set before the rootfs was bound, except on the
   * host's mounts, where only the container's own bind gets them. */
  if (hako_rootfs_shares_host_mounts (ctx) ? prop != 0 : (prop & (MS_SHARED | MS_UNBINDABLE)) != 0)
    if (hako_tree_propagation (rootfd, prop) < 0)
      return hako_error_sys (err, errno, "set rootfsPropagation");
  return 0;
}

int
hako_rootfs_finalize (struct hako_init_ctx *ctx, struct hako_error *err)
{
  cleanup_fd int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int r;

  if (rootfd < 0)
    return hako_error_sys (err, errno, "open /");
  r = finalize (ctx, rootfd, err);
  forget_mounts ();
  return r;
}

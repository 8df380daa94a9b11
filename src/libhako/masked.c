/* maskedPaths and readonlyPaths, after pivot_root.  Each path is opened
 * with RESOLVE_NO_SYMLINKS and O_NOFOLLOW, and the mount is attached onto
 * that fd: a symlink planted in the rootfs (or swapped in by a process
 * sharing a volume) cannot redirect the mount to another file, and the
 * /dev/null bound over masked files is checked to be the real device. */
#define _GNU_SOURCE
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev.h"
#include "inroot.h"
#include "util.h"

/* Open PATH for masking; 0 with *FD = -1 when it does not exist. */
static int
open_path (int rootfd, const char *path, int *fd, struct stat *st, struct hako_error *err)
{
  *fd = hako_inroot_open (rootfd, path, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  if (*fd < 0 && errno == ENOENT)
    return 0;
  if (*fd < 0 && errno == ELOOP)
    return hako_error_set (err, ELOOP, "%s is or goes through a symlink: refusing to follow it",
                           path);
  if (*fd < 0 || fstat (*fd, st) < 0)
    return hako_error_sys (err, errno, "open %s", path);
  if (S_ISLNK (st->st_mode))
    return hako_error_set (err, ELOOP, "%s is a symlink: refusing to follow it", path);
  return 0;
}

/* An empty read-only tmpfs, attached over TARGET. */
static int
mask_dir_tmpfs (int target, struct hako_error *err)
{
  struct hako_mount_opts none = { 0 };
  struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
  int mfd = hako_fs_new ("tmpfs", "tmpfs", &none, "nr_blocks=1,nr_inodes=1", err);

  /* Some kernels refuse nr_inodes=1. */
  if (mfd < 0 && err->errnum == EINVAL)
    {
      hako_error_clear (err);
      mfd = hako_fs_new ("tmpfs", "tmpfs", &none, "nr_blocks=1,nr_inodes=2", err);
    }
  if (mfd < 0)
    return -1;
  if (hako_tree_setattr (mfd, &ro, false) < 0 || hako_tree_attach (mfd, target) < 0)
    {
      int saved = errno;
      close (mfd);
      return hako_error_set (err, saved, "%s", strerror (saved));
    }
  return mfd;
}

/* Mask one path: DIRMASK is the first directory mask, cloned for the next. */
static int
mask_one (int rootfd, const char *path, int nullfd, int *dirmask, struct hako_error *err)
{
  cleanup_fd int fd = -1;
  cleanup_fd int mfd = -1;
  struct stat st;

  if (open_path (rootfd, path, &fd, &st, err) < 0)
    return -1;
  if (fd < 0)
    return 0;
  if (S_ISDIR (st.st_mode) && *dirmask < 0)
    {
      *dirmask = mask_dir_tmpfs (fd, err);
      return *dirmask < 0 ? -1 : 0;
    }
  mfd = hako_tree_clone (S_ISDIR (st.st_mode) ? *dirmask : nullfd, "", false);
  if (mfd < 0 || hako_tree_attach (mfd, fd) < 0)
    return hako_error_set (err, errno, "%s", strerror (errno));
  return 0;
}

int
hako_mask_paths (int rootfd, char *const *paths, size_t n, struct hako_error *err)
{
  cleanup_fd int nullfd = -1;
  cleanup_fd int dirmask = -1;

  if (n == 0)
    return 0;
  nullfd = hako_dev_open_null (rootfd, err);
  if (nullfd < 0)
    return hako_error_wrap (err, "mask paths");
  for (size_t i = 0; i < n; i++)
    if (mask_one (rootfd, paths[i], nullfd, &dirmask, err) < 0)
      return hako_error_wrap (err, "mask \"%s\"", paths[i]);
  return 0;
}

int
hako_readonly_paths (int rootfd, char *const *paths, size_t n, struct hako_error *err)
{
  for (size_t i = 0; i < n; i++)
    {
      struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
      cleanup_fd int fd = -1;
      cleanup_fd int mfd = -1;
      struct stat st;

      if (open_path (rootfd, paths[i], &fd, &st, err) < 0)
        return hako_error_wrap (err, "make \"%s\" read-only", paths[i]);
      if (fd < 0)
        continue;
      mfd = hako_tree_clone (fd, "", true);
      if (mfd < 0 || hako_tree_setattr (mfd, &ro, true) < 0 || hako_tree_attach (mfd, fd) < 0)
        return hako_error_sys (err, errno, "make \"%s\" read-only", paths[i]);
    }
  return 0;
}

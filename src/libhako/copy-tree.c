/* Copying a directory tree: see copy-tree.h.  Every step is relative to a
 * directory fd opened without following symlinks, so a tree the container
 * image controls cannot lead the copy outside it. */
#define _GNU_SOURCE
#include "copy-tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

#define COPY_MAX_DEPTH 256

static int copy_dir (int src, int dst, int depth, struct hako_error *err);

static int
copy_bytes (int in, int out)
{
  char buf[65536];

  for (;;)
    {
      ssize_t n = copy_file_range (in, NULL, out, NULL, SSIZE_MAX, 0);
      if (n == 0)
        return 0;
      if (n > 0)
        continue;
      if (errno == EINTR)
        continue;
      if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        return -1;
      break;
    }
  /* copy_file_range cannot go across these filesystems: plain reads. */
  for (;;)
    {
      ssize_t n = read (in, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return (int)n;
      if (hako_write_all (out, buf, (size_t)n) < 0)
        return -1;
    }
}

static int
copy_file (int src, int dst, const char *name)
{
  cleanup_fd int in = openat (src, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
  cleanup_fd int out = -1;

  if (in < 0)
    return -1;
  out = openat (dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (out < 0)
    return -1;
  return copy_bytes (in, out);
}

static int
copy_symlink (int src, int dst, const char *name)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (src, name, target, sizeof target - 1);

  if (n < 0)
    return -1;
  target[n] = '\0';
  return symlinkat (target, dst, name);
}

/* A subdirectory: made private first, its content, then its own mode. */
static int
copy_subdir (int src, int dst, const char *name, int depth, struct hako_error *err)
{
  cleanup_fd int from = -1, to = -1;

  if (mkdirat (dst, name, 0700) < 0)
    return hako_error_sys (err, errno, "mkdir %s", name);
  from = openat (src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  to = openat (dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (from < 0 || to < 0)
    return hako_error_sys (err, errno, "open %s", name);
  if (copy_dir (from, to, depth + 1, err) < 0)
    return hako_error_wrap (err, "%s", name);
  return 0;
}

/* Owner, then mode (a chown clears the set-id bits), then times. */
static int
copy_attrs (int dst, const char *name, const struct stat *st)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };

  if (fchownat (dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
    return -1;
  if (!S_ISLNK (st->st_mode) && fchmodat (dst, name, st->st_mode & 07777, 0) < 0)
    return -1;
  return utimensat (dst, name, times, AT_SYMLINK_NOFOLLOW);
}

static int
copy_entry (int src, int dst, const char *name, int depth, struct hako_error *err)
{
  struct stat st;
  int r;

  if (fstatat (src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hako_error_sys (err, errno, "stat %s", name);
  switch (st.st_mode & S_IFMT)
    {
    case S_IFDIR: r = copy_subdir (src, dst, name, depth, err); break;
    case S_IFREG: r = copy_file (src, dst, name); break;
    case S_IFLNK: r = copy_symlink (src, dst, name); break;
    default: r = mknodat (dst, name, st.st_mode, st.st_rdev); break;
    }
  if (r < 0)
    return err->msg ? -1 : hako_error_sys (err, errno, "copy %s", name);
  if (copy_attrs (dst, name, &st) < 0)
    return hako_error_sys (err, errno, "set the owner, mode and times of %s", name);
  return 0;
}

static int
copy_dir (int src, int dst, int depth, struct hako_error *err)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd;

  if (depth > COPY_MAX_DEPTH)
    return hako_error_set (err, ELOOP, "more than %d directory levels", COPY_MAX_DEPTH);
  fd = openat (src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      return hako_error_sys (err, saved, "open the directory");
    }
  while ((errno = 0, de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (copy_entry (dirfd (d), dst, de->d_name, depth, err) < 0)
        return -1;
    }
  if (errno != 0)
    return hako_error_sys (err, errno, "read the directory");
  return 0;
}

int
hako_copy_tree (int src, int dst, struct hako_error *err)
{
  cleanup_fd int to = openat (dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (to < 0)
    return hako_error_sys (err, errno, "open the copy's directory");
  return copy_dir (src, to, 0, err);
}

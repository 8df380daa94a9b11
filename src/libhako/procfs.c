#define _GNU_SOURCE
#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <stdio.h>
#include <unistd.h>

#include "util.h"

/* The inode number of the root directory of every procfs instance. */
#define HAKO_PROC_ROOT_INO 1

int
hako_procfs_open (struct hako_error *err)
{
  cleanup_fd int fd = open ("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct statfs sfs;
  struct stat st;

  if (fd < 0)
    return hako_error_sys (err, errno, "open /proc");
  if (fstatfs (fd, &sfs) < 0)
    return hako_error_sys (err, errno, "fstatfs /proc");
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return hako_error_set (err, EINVAL, "/proc is not a procfs mount (f_type 0x%lx)",
                           (unsigned long)sfs.f_type);
  /* A procfs subdirectory bind-mounted on /proc passes the f_type check. */
  if (fstat (fd, &st) < 0)
    return hako_error_sys (err, errno, "fstat /proc");
  if (st.st_ino != HAKO_PROC_ROOT_INO)
    return hako_error_set (err, EINVAL, "/proc is not the root of a procfs mount");
  return hako_steal_fd (&fd);
}

int
hako_procfs_openat (int procfd, const char *rel, int flags, struct hako_error *err)
{
  struct open_how how = {
    .flags = (unsigned long long)(flags | O_CLOEXEC | O_NOCTTY),
    /* NO_XDEV: a file bind-mounted over the one named (another procfs
     * file, say) would take the write (CVE-2025-52881). */
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd;

  do
    fd = syscall (SYS_openat2, procfd, rel, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  if (fd < 0)
    return hako_error_sys (err, errno, "open /proc/%s", rel);
  return fd;
}

int
hako_procfs_self (int procfd, const char *rel, char *buf, size_t size, struct hako_error *err)
{
  char pid[32];
  ssize_t n = readlinkat (procfd, "self", pid, sizeof pid - 1);
  int r;

  if (n < 0)
    return hako_error_sys (err, errno, "readlink /proc/self");
  pid[n] = '\0';
  r = snprintf (buf, size, "%s/%s", pid, rel);
  if (r < 0 || (size_t)r >= size)
    return hako_error_set (err, ENAMETOOLONG, "/proc/self/%s: name too long", rel);
  return 0;
}

int
hako_procfs_write (int procfd, const char *rel, const char *data, size_t len,
                   struct hako_error *err)
{
  cleanup_fd int fd = hako_procfs_openat (procfd, rel, O_WRONLY, err);
  ssize_t r;

  if (fd < 0)
    return -1;
  do
    r = write (fd, data, len);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hako_error_sys (err, errno, "write /proc/%s", rel);
  if ((size_t)r != len)
    return hako_error_set (err, EIO, "write /proc/%s: short write", rel);
  return 0;
}

ssize_t
hako_procfs_read (int procfd, const char *rel, char *buf, size_t size, struct hako_error *err)
{
  cleanup_fd int fd = hako_procfs_openat (procfd, rel, O_RDONLY, err);
  size_t have = 0;

  if (fd < 0)
    return -1;
  while (have + 1 < size)
    {
      ssize_t r = read (fd, buf + have, size - 1 - have);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return hako_error_sys (err, errno, "read /proc/%s", rel);
      if (r == 0)
        break;
      have += r;
    }
  buf[have] = '\0';
  return have;
}

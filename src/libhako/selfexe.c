/* See selfexe.h.  The read-only bind mount costs one exec and no copy: the
 * clone made by open_tree is never attached anywhere, so no process (in the
 * container or on the host) can remount it writable; once the exec has
 * dropped the last fd of it, the mount is dissolved and lives on only as
 * the path of the running binary.  The memfd copy is the fallback for a
 * caller without CAP_SYS_ADMIN over its mount namespace. */
#define _GNU_SOURCE
#include "selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* Every seal a copy needs to stay what was copied. */
#define SEALS_NEEDED (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

/* What protects the file behind FD (see enum hako_selfexe_kind). */
static int
kind_of_fd (int fd)
{
  struct statvfs sv;
  int seals;

  if (fstatvfs (fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
    return HAKO_SELFEXE_READONLY;
  seals = fcntl (fd, F_GET_SEALS);
  if (seals >= 0 && (seals & SEALS_NEEDED) == SEALS_NEEDED)
    return HAKO_SELFEXE_SEALED;
  return HAKO_SELFEXE_EXPOSED;
}

int
hako_selfexe_kind (struct hako_error *err)
{
  /* O_PATH when the binary is execute-only: fstatvfs works on it, and
   * such a file cannot be a memfd we sealed. */
  cleanup_fd int fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    fd = open ("/proc/self/exe", O_PATH | O_CLOEXEC);
  if (fd < 0)
    return hako_error_sys (err, errno, "open /proc/self/exe");
  return kind_of_fd (fd);
}

static int
exec_fd (int fd, char *const *argv, struct hako_error *err)
{
  syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  return hako_error_sys (err, errno, "re-exec hako from its protected copy");
}

/* A private read-only bind mount of the binary; -1 with errno when this
 * process may not make one. */
static int
readonly_clone (void)
{
  struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
  cleanup_fd int fd = open_tree (AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

  if (fd < 0 || mount_setattr (fd, "", AT_EMPTY_PATH, &ro, sizeof ro) < 0)
    return -1;
  return hako_steal_fd (&fd);
}

static int
memfd_exec_capable (void)
{
  int fd = memfd_create ("hako", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

  /* Kernels before 6.3 know no MFD_EXEC: their memfds are executable. */
  if (fd < 0 && errno == EINVAL)
    fd = memfd_create ("hako", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  return fd;
}

/* A sealed memfd holding a copy of the binary. */
static int
sealed_copy (struct hako_error *err)
{
  cleanup_fd int src = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_fd int fd = -1;
  struct stat st;
  off_t done = 0;

  if (src < 0 || fstat (src, &st) < 0)
    return hako_error_sys (err, errno, "read /proc/self/exe");
  fd = memfd_exec_capable ();
  if (fd < 0)
    return hako_error_sys (err, errno, "memfd_create");
  while (done < st.st_size)
    {
      ssize_t n = sendfile (fd, src, &done, st.st_size - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return hako_error_sys (err, n < 0 ? errno : EIO, "copy /proc/self/exe");
    }
  if (fcntl (fd, F_ADD_SEALS, SEALS_NEEDED) < 0)
    return hako_error_sys (err, errno, "seal the copy of /proc/self/exe");
  return hako_steal_fd (&fd);
}

/* An exec through an fd names the process after the fd ("3") or the memfd
 * ("memfd:hako"), depending on the kernel: give it back its own name, which
 * ps, pgrep and killall look for. */
static void
restore_comm (const char *argv0)
{
  char comm[17] = "";
  const char *base = argv0 ? strrchr (argv0, '/') : NULL;

  if (argv0 == NULL || prctl (PR_GET_NAME, comm) < 0)
    return;
  if (comm[strspn (comm, "0123456789")] == '\0' || strncmp (comm, "memfd:", 6) == 0)
    prctl (PR_SET_NAME, base ? base + 1 : argv0);
}

int
hako_selfexe_protect (char *const *argv, struct hako_error *err)
{
  cleanup_fd int fd = -1;
  int kind = hako_selfexe_kind (err);

  if (kind < 0)
    return hako_error_wrap (err, "protect the hako binary (CVE-2019-5736)");
  if (kind != HAKO_SELFEXE_EXPOSED)
    {
      restore_comm (argv[0]);
      return 0;
    }
  fd = readonly_clone ();
  if (fd < 0)
    {
      hako_log_debug ("no read-only bind mount of the hako binary (%s): using a sealed copy",
                      strerror (errno));
      fd = sealed_copy (err);
      if (fd < 0)
        return hako_error_wrap (err, "protect the hako binary (CVE-2019-5736)");
    }
  /* The exec'd copy must find itself protected, or it would exec again. */
  if (kind_of_fd (fd) == HAKO_SELFEXE_EXPOSED)
    return hako_error_set (err, EIO,
                           "protect the hako binary (CVE-2019-5736): the copy is "
                           "writable");
  return exec_fd (fd, argv, err);
}

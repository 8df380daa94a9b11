/* The user namespace an idmapped mount (idmap/ridmap) is mapped through.
 *
 * The kernel takes the mapping as an fd of a user namespace that holds it.
 * A short-lived child unshares CLONE_NEWUSER and tells its pid as the
 * mounted /proc sees it (stage 2 is PID 1 of its own PID namespace, so
 * fork()'s answer would not name it in /proc); the parent writes the maps,
 * opens /proc/PID/ns/user and lets the child exit: the fd keeps the
 * namespace alive. */
#define _GNU_SOURCE
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "util.h"

static void __attribute__ ((noreturn)) child_main (int tell_fd, int wait_fd)
{
  char pid[32];
  ssize_t n;
  char c;

  if (unshare (CLONE_NEWUSER) < 0)
    _exit (1);
  n = readlink ("/proc/self", pid, sizeof pid - 1);
  if (n <= 0)
    n = snprintf (pid, sizeof pid, "%d", (int)getpid ());
  if (write (tell_fd, pid, n) != n)
    _exit (1);
  close (tell_fd);
  /* Stay alive until the parent has opened our namespace (EOF). */
  while (read (wait_fd, &c, 1) < 0 && errno == EINTR)
    ;
  _exit (0);
}

static int
write_map (const char *pid, const char *file, const struct oci_id_mapping *m, size_t n,
           struct hako_error *err)
{
  cleanup_free char *text = hako_idmap_format (m, n);
  cleanup_free char *path = hako_strdup_printf ("/proc/%s/%s", pid, file);
  cleanup_fd int fd = open (path, O_WRONLY | O_CLOEXEC);

  if (text == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  if (fd < 0)
    return hako_error_sys (err, errno, "open %s", path);
  if (n > 0 && write (fd, text, strlen (text)) != (ssize_t)strlen (text))
    return hako_error_sys (err, errno, "write %s", path);
  return 0;
}

/* Read the child's pid, write its maps, open its namespace. */
static int
map_child (int tell_fd, const struct oci_id_mapping *uids, size_t nu,
           const struct oci_id_mapping *gids, size_t ng, struct hako_error *err)
{
  char pid[32];
  ssize_t n;
  int fd;

  do
    n = read (tell_fd, pid, sizeof pid - 1);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return hako_error_set (err, n < 0 ? errno : ECHILD, "the user namespace helper failed");
  pid[n] = '\0';
  if (write_map (pid, "uid_map", uids, nu, err) < 0
      || write_map (pid, "gid_map", gids, ng, err) < 0)
    return -1;
  {
    cleanup_free char *path = hako_strdup_printf ("/proc/%s/ns/user", pid);
    fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return hako_error_sys (err, errno, "open %s", path);
  }
  return fd;
}

static int
userns_with_maps (const struct oci_id_mapping *uids, size_t nu, const struct oci_id_mapping *gids,
                  size_t ng, struct hako_error *err)
{
  int tell[2], wait_pipe[2], fd;
  pid_t child;

  if (pipe2 (tell, O_CLOEXEC) < 0)
    return hako_error_sys (err, errno, "pipe");
  if (pipe2 (wait_pipe, O_CLOEXEC) < 0)
    {
      close (tell[0]);
      close (tell[1]);
      return hako_error_sys (err, errno, "pipe");
    }
  child = fork ();
  if (child == 0)
    {
      close (tell[0]);
      close (wait_pipe[1]);
      child_main (tell[1], wait_pipe[0]);
    }
  close (tell[1]);
  close (wait_pipe[0]);
  fd = child < 0 ? hako_error_sys (err, errno, "fork")
                 : map_child (tell[0], uids, nu, gids, ng, err);
  close (tell[0]);
  close (wait_pipe[1]);
  if (child > 0)
    while (waitpid (child, NULL, 0) < 0 && errno == EINTR)
      ;
  return fd;
}

int
hako_idmap_userns_fd (const struct hako_init_ctx *ctx, const struct oci_mount *m,
                      struct hako_error *err)
{
  const struct oci_linux *lx = ctx->config->linux;
  int fd;

  if (m->uid_mappings_len || m->gid_mappings_len)
    return userns_with_maps (m->uid_mappings, m->uid_mappings_len, m->gid_mappings,
                             m->gid_mappings_len, err);
  /* Without mappings of its own the mount uses the container's. */
  if (ctx->userns)
    {
      fd = open ("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return hako_error_sys (err, errno, "open /proc/self/ns/user");
      return fd;
    }
  if (lx && (lx->uid_mappings_len || lx->gid_mappings_len))
    return userns_with_maps (lx->uid_mappings, lx->uid_mappings_len, lx->gid_mappings,
                             lx->gid_mappings_len, err);
  return hako_error_set (err, EINVAL,
                         "an idmap mount needs uidMappings and gidMappings or a user namespace");
}

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

/* Without mappings of its own a mount uses the container's user
 * namespace: from inside it (stage 2) that is our own; from stage 0 it is
 * the one joined by path, or one made with the config's mappings. */
static int
container_userns (const struct hako_init_ctx *ctx, bool in_container, struct hako_error *err)
{
  const struct oci_linux *lx = ctx->config->linux;
  int fd = -1;

  if (in_container && ctx->userns)
    fd = open ("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
  else if (!in_container && ctx->ns.join_fds[0] >= 0)
    fd = fcntl (ctx->ns.join_fds[0], F_DUPFD_CLOEXEC, 3);
  else if (lx && (lx->uid_mappings_len || lx->gid_mappings_len))
    return userns_with_maps (lx->uid_mappings, lx->uid_mappings_len, lx->gid_mappings,
                             lx->gid_mappings_len, err);
  else
    return hako_error_set (err, EINVAL,
                           "an idmap mount needs uidMappings and gidMappings or a user namespace");
  if (fd < 0)
    return hako_error_sys (err, errno, "open the container's user namespace");
  return fd;
}

int
hako_idmap_userns_fd (const struct hako_init_ctx *ctx, const struct oci_mount *m, bool in_container,
                      struct hako_error *err)
{
  if (m->uid_mappings_len || m->gid_mappings_len)
    return userns_with_maps (m->uid_mappings, m->uid_mappings_len, m->gid_mappings,
                             m->gid_mappings_len, err);
  return container_userns (ctx, in_container, err);
}

/* One idmapped tree: M's source cloned, mapped, still detached. */
static int
prepare_one (const struct hako_init_ctx *ctx, const struct oci_mount *m,
             const struct hako_mount_opts *o, bool recursive, struct hako_error *err)
{
  cleanup_free char *src = hako_mount_bind_source (ctx, m);
  cleanup_fd int tree = hako_tree_clone (AT_FDCWD, src, recursive);
  cleanup_fd int userns = -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

  if (tree < 0)
    return hako_error_sys (err, errno, "source");
  userns = hako_idmap_userns_fd (ctx, m, false, err);
  if (userns < 0)
    return hako_error_wrap (err, "idmap");
  attr.userns_fd = userns;
  if (hako_tree_setattr (tree, &attr, o->idmap_recursive) < 0)
    return hako_error_sys (err, errno, "idmap");
  return hako_steal_fd (&tree);
}

int
hako_mounts_prepare_idmapped (const struct hako_init_ctx *ctx, int *fds, struct hako_error *err)
{
  const struct oci_config *c = ctx->config;

  for (size_t i = 0; i < c->mounts_len; i++)
    fds[i] = -1;
  for (size_t i = 0; i < c->mounts_len; i++)
    {
      const struct oci_mount *m = &c->mounts[i];
      struct hako_mount_opts o;
      bool recursive, wanted;

      hako_mount_opts_parse (m->options, m->options_len, &o);
      wanted = hako_mount_is_bind (m, &o, &recursive) && o.idmap && m->source
               && !(o.flags & MS_REMOUNT);
      if (wanted)
        fds[i] = prepare_one (ctx, m, &o, recursive, err);
      hako_mount_opts_free (&o);
      if (wanted && fds[i] < 0)
        return hako_error_wrap (err, "mount \"%s\" on \"%s\"", m->source, m->destination);
    }
  return 0;
}

#define _GNU_SOURCE
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

#define HOST_SOCKET_FILE "host-socket"

static int
add_bind_mount (struct oci_config *config, const char *source, struct hako_error *err)
{
  struct oci_mount *m = reallocarray (config->mounts, config->mounts_len + 1, sizeof *m);
  static const char *const options[] = { "bind", "nosuid", "nodev", "noexec" };

  if (m == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  config->mounts = m;
  m = &config->mounts[config->mounts_len++];
  memset (m, 0, sizeof *m);
  m->destination = hako_xstrdup (HAKO_NOTIFY_CONTAINER_DIR);
  m->type = hako_xstrdup ("bind");
  m->source = hako_xstrdup (source);
  m->options = hako_xmalloc0 (HAKO_ARRAY_SIZE (options) * sizeof (char *));
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (options); i++)
    m->options[m->options_len++] = hako_xstrdup (options[i]);
  return 0;
}

static int
set_env (struct oci_process *p, const char *kv, struct hako_error *err)
{
  size_t klen = strcspn (kv, "=") + 1;
  char **env;

  for (size_t i = 0; i < p->env_len; i++)
    if (strncmp (p->env[i], kv, klen) == 0)
      {
        free (p->env[i]);
        p->env[i] = hako_xstrdup (kv);
        return 0;
      }
  env = reallocarray (p->env, p->env_len + 1, sizeof (char *));
  if (env == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  p->env = env;
  p->env[p->env_len++] = hako_xstrdup (kv);
  return 0;
}

int
hako_notify_prepare (struct oci_config *config, int state_dirfd, const char *state_path,
                     struct hako_error *err)
{
  const char *host = getenv ("NOTIFY_SOCKET");
  cleanup_free char *source = NULL;
  cleanup_fd int dirfd = -1, fd = -1;

  if (host == NULL || *host == '\0' || config->process == NULL)
    return 0;
  if (mkdirat (state_dirfd, HAKO_NOTIFY_DIR, 0755) < 0)
    return hako_error_sys (err, errno, "notify socket: mkdir");
  dirfd = openat (state_dirfd, HAKO_NOTIFY_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
  fd = openat (state_dirfd, HAKO_NOTIFY_DIR "/" HOST_SOCKET_FILE,
               O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (dirfd < 0 || fd < 0 || hako_write_all (fd, host, strlen (host)) < 0)
    return hako_error_sys (err, errno, "notify socket: remember $NOTIFY_SOCKET");
  source = hako_strdup_printf ("%s/" HAKO_NOTIFY_DIR, state_path);
  if (add_bind_mount (config, source, err) < 0
      || set_env (config->process, "NOTIFY_SOCKET=" HAKO_NOTIFY_CONTAINER_SOCKET, err) < 0)
    return -1;
  return 0;
}

/* sun_path is short: name the socket through /proc/self/fd of its dir. */
static int
socket_address (int dirfd, const char *name, struct sockaddr_un *addr)
{
  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  return snprintf (addr->sun_path, sizeof addr->sun_path, "/proc/self/fd/%d/%s", dirfd, name)
                 < (int)sizeof addr->sun_path
             ? 0
             : -1;
}

int
hako_notify_listen (int state_dirfd, struct hako_error *err)
{
  cleanup_fd int dirfd = openat (state_dirfd, HAKO_NOTIFY_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_fd int sock = -1;
  struct sockaddr_un addr;
  char path[64];

  if (dirfd < 0)
    return errno == ENOENT ? -1 : hako_error_sys (err, errno, "notify socket: open dir");
  sock = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || socket_address (dirfd, "notify.sock", &addr) < 0)
    return hako_error_sys (err, errno, "notify socket");
  unlinkat (dirfd, "notify.sock", 0);
  if (bind (sock, (struct sockaddr *)&addr, sizeof addr) < 0)
    return hako_error_sys (err, errno, "notify socket: bind");
  /* Any container user may notify. */
  snprintf (path, sizeof path, "/proc/self/fd/%d/notify.sock", dirfd);
  chmod (path, 0777);
  return hako_steal_fd (&sock);
}

static int
send_to_host (const char *host, pid_t pid, struct hako_error *err)
{
  cleanup_fd int sock = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char msg[64];
  int n = snprintf (msg, sizeof msg, "READY=1\nMAINPID=%d\n", pid);
  socklen_t len;

  if (strlen (host) >= sizeof addr.sun_path)
    return hako_error_set (err, ENAMETOOLONG, "$NOTIFY_SOCKET is too long");
  memcpy (addr.sun_path, host, strlen (host));
  len = offsetof (struct sockaddr_un, sun_path) + strlen (host);
  if (host[0] == '@') /* abstract namespace */
    addr.sun_path[0] = '\0';
  if (sock < 0 || sendto (sock, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&addr, len) < 0)
    return hako_error_sys (err, errno, "notify `%s`", host);
  return 0;
}

int
hako_notify_forward (int sock, int state_dirfd, int pidfd, pid_t pid, struct hako_error *err)
{
  cleanup_free char *host = NULL;
  struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };

  if (hako_read_file_at (state_dirfd, HAKO_NOTIFY_DIR "/" HOST_SOCKET_FILE, &host, NULL, err) < 0)
    return -1;
  for (;;)
    {
      char buf[4096];
      ssize_t n;

      if (poll (p, pidfd >= 0 ? 2 : 1, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return hako_error_sys (err, errno, "notify socket: poll");
        }
      if (p[1].revents)
        return hako_error_set (err, ESRCH, "the container exited before it sent READY=1");
      n = recv (sock, buf, sizeof buf - 1, 0);
      if (n < 0 && errno != EINTR && errno != EAGAIN)
        return hako_error_sys (err, errno, "notify socket: receive");
      if (n <= 0)
        continue;
      buf[n] = '\0';
      if (strncmp (buf, "READY=1", 7) == 0 || strstr (buf, "\nREADY=1") != NULL)
        return send_to_host (host, pid, err);
    }
}

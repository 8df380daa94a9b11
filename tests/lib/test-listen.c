/* A unix stream socket for the far ends of hako's sockets in tests
 * (--console-socket, linux.seccomp.listenerPath). */
#define _GNU_SOURCE
#include "test-listen.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
fail (const char *what)
{
  fprintf (stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror (errno));
  return -1;
}

int
test_listen_unix (const char *path)
{
  const char *slash = strrchr (path, '/');
  cleanup_free char *parent = slash ? strndup (path, slash == path ? 1 : slash - path) : NULL;
  const char *base = slash ? slash + 1 : path;
  cleanup_fd int dirfd = open (parent ? parent : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_free char *tmp = hako_strdup_printf (".%s.%d", base, (int)getpid ());
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (dirfd < 0 || sock < 0)
    return fail ("socket");
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dirfd, tmp);
  if (bind (sock, (struct sockaddr *)&addr, sizeof addr) < 0 || listen (sock, 1) < 0)
    return fail ("bind");
  if (renameat (dirfd, tmp, dirfd, base) < 0)
    return fail ("rename");
  return sock;
}

/* Passing an fd over a unix socket, runc's way: one sendmsg whose payload
 * is the file's name and whose SCM_RIGHTS carries the fd.  Used for
 * --console-socket and by the tests; stream and seqpacket alike. */
#define _GNU_SOURCE
#include "terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* runc's limit for the name; receivers size their buffer after it. */
#define FD_NAME_MAX 4096
/* Room for fds a peer attaches beyond the one we want (closed at once). */
#define FD_RECV_MAX 8

/* sun_path holds 108 bytes: a longer path is reached through an O_PATH
 * fd of its directory, which leaves our working directory alone. */
static int
short_socket_name (const char *path, int *dirfd, char **out, struct hako_error *err)
{
  const char *slash = strrchr (path, '/');
  cleanup_free char *dir = NULL;

  if (slash == NULL)
    return hako_error_set (err, ENAMETOOLONG, "socket name too long");
  dir = slash == path ? hako_xstrdup ("/") : strndup (path, slash - path);
  if (dir == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  *dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*dirfd < 0)
    return hako_error_sys (err, errno, "open `%s`", dir);
  *out = hako_strdup_printf ("/proc/self/fd/%d/%s", *dirfd, slash + 1);
  return 0;
}

int
hako_console_socket_connect (const char *path, struct hako_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_fd int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  cleanup_fd int dirfd = -1;
  cleanup_free char *via_dir = NULL;
  const char *name = path;

  if (sock < 0)
    return hako_error_sys (err, errno, "console socket: socket");
  if (strlen (path) >= sizeof addr.sun_path)
    {
      if (short_socket_name (path, &dirfd, &via_dir, err) < 0)
        return hako_error_wrap (err, "console socket `%s`", path);
      name = via_dir;
    }
  if (strlen (name) >= sizeof addr.sun_path)
    return hako_error_set (err, ENAMETOOLONG, "console socket `%s`: name too long", path);
  memcpy (addr.sun_path, name, strlen (name));
  while (connect (sock, (struct sockaddr *)&addr, sizeof addr) < 0)
    if (errno != EINTR)
      return hako_error_sys (err, errno, "connect to the console socket `%s`", path);
  return hako_steal_fd (&sock);
}

int
hako_send_fd (int sock, int fd, const char *name, struct hako_error *err)
{
  if (name && strlen (name) >= FD_NAME_MAX)
    return hako_error_set (err, ENAMETOOLONG, "send fd: name too long");
  return hako_send_fd_payload (sock, fd, name, err);
}

int
hako_send_fd_payload (int sock, int fd, const char *data, struct hako_error *err)
{
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control = { 0 };
  /* A stream socket carries ancillary data only along with a byte. */
  const char *payload = data && *data ? data : "";
  size_t len = *payload ? strlen (payload) : 1;
  struct iovec iov = { .iov_base = (void *)payload, .iov_len = len };
  struct msghdr mh = { .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  ssize_t r;

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  do
    r = sendmsg (sock, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hako_error_sys (err, errno, "send fd");
  /* A stream socket may take part of it: the fd went with the first byte. */
  for (size_t done = r; done < len; done += r)
    {
      r = send (sock, payload + done, len - done, MSG_NOSIGNAL);
      if (r < 0 && errno == EINTR)
        r = 0;
      else if (r < 0)
        return hako_error_sys (err, errno, "send fd name");
    }
  return 0;
}

/* The first fd attached to MH; any others are closed. */
static int
take_fd (struct msghdr *mh)
{
  int fd = -1;

  for (struct cmsghdr *c = CMSG_FIRSTHDR (mh); c; c = CMSG_NXTHDR (mh, c))
    {
      size_t n;
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
        continue;
      n = (c->cmsg_len - CMSG_LEN (0)) / sizeof (int);
      for (size_t i = 0; i < n; i++)
        {
          int got;
          memcpy (&got, CMSG_DATA (c) + i * sizeof (int), sizeof got);
          if (fd < 0)
            fd = got;
          else
            close (got);
        }
    }
  return fd;
}

int
hako_recv_fd (int sock, char **name, struct hako_error *err)
{
  union
  {
    char buf[CMSG_SPACE (FD_RECV_MAX * sizeof (int))];
    struct cmsghdr align;
  } control;
  char buf[FD_NAME_MAX];
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
  struct msghdr mh = { .msg_iov = &iov,
                       .msg_iovlen = 1,
                       .msg_control = control.buf,
                       .msg_controllen = sizeof control.buf };
  cleanup_fd int fd = -1;
  ssize_t r;

  do
    r = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hako_error_sys (err, errno, "receive fd");
  fd = take_fd (&mh);
  if (r == 0 && fd < 0)
    return hako_error_set (err, ECONNRESET, "receive fd: connection closed");
  if (fd < 0 || (mh.msg_flags & MSG_CTRUNC))
    return hako_error_set (err, EBADMSG, "receive fd: the message carries no fd");
  while (r > 0 && buf[r - 1] == '\0')
    r--;
  if (name)
    *name = strndup (buf, r);
  if (name && *name == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  return hako_steal_fd (&fd);
}

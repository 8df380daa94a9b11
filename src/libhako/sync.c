#define _GNU_SOURCE
#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
hako_sync_send (int sock, uint32_t type, int errnum, const char *text, int fd,
                struct hako_error *err)
{
  struct hako_sync_msg msg = { .type = type, .errnum = errnum };
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
  size_t tlen = text ? strnlen (text, HAKO_SYNC_TEXT_MAX - 1) : 0;

  if (tlen)
    memcpy (msg.text, text, tlen);
  iov.iov_base = &msg;
  iov.iov_len = offsetof (struct hako_sync_msg, text) + tlen + 1;
  if (fd >= 0)
    {
      struct cmsghdr *c;
      mh.msg_control = control;
      mh.msg_controllen = sizeof control;
      c = CMSG_FIRSTHDR (&mh);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof (int));
    }
  while (sendmsg (sock, &mh, MSG_NOSIGNAL) < 0)
    if (errno != EINTR)
      return hako_error_sys (err, errno, "sync: send message %u", type);
  return 0;
}

int
hako_sync_send_error (int sock, const struct hako_error *e)
{
  return hako_sync_send (sock, SYNC_ERROR, e->errnum, e->msg ? e->msg : "unknown error", -1, NULL);
}

static int
attached_fd (struct msghdr *mh)
{
  for (struct cmsghdr *c = CMSG_FIRSTHDR (mh); c; c = CMSG_NXTHDR (mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
        && c->cmsg_len == CMSG_LEN (sizeof (int)))
      {
        int fd;
        memcpy (&fd, CMSG_DATA (c), sizeof fd);
        return fd;
      }
  return -1;
}

int
hako_sync_recv (int sock, struct hako_sync_msg *msg, int *fd, struct hako_error *err)
{
  char control[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { .iov_base = msg, .iov_len = sizeof *msg };
  struct msghdr mh = {
    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control
  };
  ssize_t r;

  memset (msg, 0, sizeof *msg);
  if (fd)
    *fd = -1;
  do
    r = recvmsg (sock, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hako_error_sys (err, errno, "sync: receive");
  if (r == 0)
    return 0;
  msg->text[HAKO_SYNC_TEXT_MAX - 1] = '\0';
  if (fd)
    *fd = attached_fd (&mh);
  else if (attached_fd (&mh) >= 0)
    close (attached_fd (&mh));
  return 1;
}

int
hako_sync_expect (int sock, uint32_t type, int *fd, struct hako_error *err)
{
  struct hako_sync_msg msg;
  int r = hako_sync_recv (sock, &msg, fd, err);

  if (r < 0)
    return -1;
  if (r == 0)
    return hako_error_set (err, EPIPE, "sync: the other side exited");
  if (msg.type == SYNC_ERROR)
    return hako_error_set (err, msg.errnum, "%s", msg.text);
  if (msg.type != type)
    return hako_error_set (err, EPROTO, "sync: expected message %u, got %u", type, msg.type);
  return 0;
}

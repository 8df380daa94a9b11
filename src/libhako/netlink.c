/* A small rtnetlink client: see netlink.h. */
#define _GNU_SOURCE
#include "netlink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Large enough for any message of a link or address dump (the kernel fills
 * dump skbs up to 32 KiB). */
#define RBUF_SIZE (64 * 1024)

int
hako_nl_open (struct hako_nl *nl)
{
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  int one = 1;

  nl->fd = -1;
  nl->seq = 0;
  nl->ext[0] = '\0';
  nl->rbuf = malloc (RBUF_SIZE);
  if (nl->rbuf == NULL)
    return -1;
  nl->fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl->fd < 0 || bind (nl->fd, (struct sockaddr *)&local, sizeof local) < 0)
    {
      int saved = errno;
      hako_nl_close (nl);
      errno = saved;
      return -1;
    }
  /* The kernel's own words on a failure, and no echo of our request in
   * the ACK; both are optional (older kernels), so failures are ignored. */
  setsockopt (nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt (nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  return 0;
}

void
hako_nl_close (struct hako_nl *nl)
{
  if (nl->fd >= 0)
    close (nl->fd);
  nl->fd = -1;
  free (nl->rbuf);
  nl->rbuf = NULL;
}

void *
hako_nl_req_init (struct hako_nl_req *r, uint16_t type, uint16_t flags, size_t hdrlen)
{
  memset (r, 0, sizeof *r);
  r->u.hdr.nlmsg_len = NLMSG_LENGTH (hdrlen);
  r->u.hdr.nlmsg_type = type;
  r->u.hdr.nlmsg_flags = NLM_F_REQUEST | flags;
  return NLMSG_DATA (&r->u.hdr);
}

int
hako_nl_put (struct hako_nl_req *r, uint16_t type, const void *data, size_t len)
{
  size_t at = NLMSG_ALIGN (r->u.hdr.nlmsg_len);
  struct rtattr *a;

  if (len > UINT16_MAX - RTA_LENGTH (0) || at + RTA_SPACE (len) > sizeof r->u.buf)
    {
      errno = EMSGSIZE;
      return -1;
    }
  /* From the start of the whole buffer: GCC would otherwise take the
   * header member as the object written to. */
  a = (struct rtattr *)((char *)r + at);
  a->rta_type = type;
  a->rta_len = RTA_LENGTH (len);
  if (len)
    memcpy (RTA_DATA (a), data, len);
  r->u.hdr.nlmsg_len = at + RTA_SPACE (len);
  return 0;
}

int
hako_nl_put_u32 (struct hako_nl_req *r, uint16_t type, uint32_t value)
{
  return hako_nl_put (r, type, &value, sizeof value);
}

int
hako_nl_put_str (struct hako_nl_req *r, uint16_t type, const char *s)
{
  return hako_nl_put (r, type, s, strlen (s) + 1);
}

void
hako_nl_parse (const struct nlmsghdr *msg, size_t hdrlen, const struct rtattr **tb, size_t max)
{
  const struct rtattr *a;
  int len;

  memset (tb, 0, (max + 1) * sizeof *tb);
  if (msg->nlmsg_len < NLMSG_LENGTH (hdrlen))
    return;
  a = (const struct rtattr *)((const char *)NLMSG_DATA (msg) + NLMSG_ALIGN (hdrlen));
  len = (int)(msg->nlmsg_len - NLMSG_LENGTH (NLMSG_ALIGN (hdrlen)));
  for (; RTA_OK (a, len); a = RTA_NEXT (a, len))
    if (a->rta_type <= max)
      tb[a->rta_type] = a;
}

const void *
hako_nl_data (const struct rtattr *a, size_t len)
{
  return a && RTA_PAYLOAD (a) >= len ? RTA_DATA (a) : NULL;
}

const char *
hako_nl_str (const struct rtattr *a)
{
  size_t n = a ? RTA_PAYLOAD (a) : 0;

  if (n == 0 || memchr (RTA_DATA (a), '\0', n) == NULL)
    return NULL;
  return RTA_DATA (a);
}

/* Copy NLMSGERR_ATTR_MSG, if the kernel sent one, into nl->ext. */
static void
read_ext_ack (struct hako_nl *nl, const struct nlmsghdr *h, const struct nlmsgerr *e)
{
  const char *end = (const char *)h + h->nlmsg_len;
  const char *p = (const char *)(e + 1);
  const struct rtattr *a;
  int len;

  if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
    return;
  if (!(h->nlmsg_flags & NLM_F_CAPPED))
    p = (const char *)&e->msg + NLMSG_ALIGN (e->msg.nlmsg_len);
  if (p >= end)
    return;
  len = (int)(end - p);
  for (a = (const struct rtattr *)p; RTA_OK (a, len); a = RTA_NEXT (a, len))
    if (a->rta_type == NLMSGERR_ATTR_MSG && hako_nl_str (a))
      {
        snprintf (nl->ext, sizeof nl->ext, "%s", hako_nl_str (a));
        return;
      }
}

/* The errno an NLMSG_ERROR carries (0 for an ACK). */
static int
ack_errno (struct hako_nl *nl, const struct nlmsghdr *h)
{
  const struct nlmsgerr *e = NLMSG_DATA (h);

  if (h->nlmsg_len < NLMSG_LENGTH (sizeof e->error))
    return EPROTO;
  if (e->error == 0)
    return 0;
  if (h->nlmsg_len >= NLMSG_LENGTH (sizeof *e))
    read_ext_ack (nl, h, e);
  return -e->error;
}

/* One datagram from the kernel into nl->rbuf; its length, or -1. */
static ssize_t
receive (struct hako_nl *nl)
{
  struct sockaddr_nl from;
  struct iovec iov = { .iov_base = nl->rbuf, .iov_len = RBUF_SIZE };
  struct msghdr mh
      = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };

  for (;;)
    {
      ssize_t n = recvmsg (nl->fd, &mh, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (mh.msg_flags & MSG_TRUNC)
        {
          errno = EMSGSIZE;
          return -1;
        }
      /* Only the kernel may answer (port 0). */
      if (mh.msg_namelen == sizeof from && from.nl_pid == 0)
        return n;
    }
}

static int
send_request (struct hako_nl *nl, struct hako_nl_req *r)
{
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  ssize_t n;

  if ((r->u.hdr.nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
    r->u.hdr.nlmsg_flags |= NLM_F_ACK;
  r->u.hdr.nlmsg_seq = ++nl->seq;
  nl->ext[0] = '\0';
  do
    n = sendto (nl->fd, r->u.buf, r->u.hdr.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  return 0;
}

/* Feed the messages of one datagram to CB.  Returns 1 once the reply is
 * complete, with *STATUS the errno that ended it (0 for success). */
static int
consume (struct hako_nl *nl, ssize_t n, hako_nl_cb cb, void *data, int *status)
{
  const struct nlmsghdr *h = (const struct nlmsghdr *)nl->rbuf;
  int left = (int)n;

  for (; NLMSG_OK (h, left); h = NLMSG_NEXT (h, left))
    {
      if (h->nlmsg_seq != nl->seq)
        continue; /* a late answer to an abandoned request */
      if (h->nlmsg_type == NLMSG_ERROR)
        {
          int e = ack_errno (nl, h);
          *status = *status ? *status : e;
          return 1;
        }
      if (h->nlmsg_type == NLMSG_DONE)
        {
          const int *e = NLMSG_DATA (h);
          if (h->nlmsg_len >= NLMSG_LENGTH (sizeof *e) && *e < 0 && *status == 0)
            *status = -*e;
          return 1;
        }
      if (*status == 0 && cb && cb (h, data) < 0)
        *status = errno ? errno : EIO;
    }
  return 0;
}

int
hako_nl_talk (struct hako_nl *nl, struct hako_nl_req *r, hako_nl_cb cb, void *data)
{
  int status = 0;

  if (send_request (nl, r) < 0)
    return -1;
  for (;;)
    {
      ssize_t n = receive (nl);
      if (n < 0)
        return -1;
      if (consume (nl, n, cb, data, &status))
        break;
    }
  if (status)
    {
      errno = status;
      return -1;
    }
  return 0;
}

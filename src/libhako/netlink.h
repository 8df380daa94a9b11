/* A small rtnetlink client (no libnl): requests are built in a fixed buffer
 * and sent one at a time; every reply is read to its end (the ACK, or DONE
 * for a dump) so the socket never falls out of step.  Like hako_write_all,
 * these return -1 with errno set: their callers (netdev.c) know which step
 * failed and turn errno into a struct hako_error with that context. */
#ifndef HAKO_NETLINK_H
#define HAKO_NETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for any request hako sends (a link move, an address). */
#define HAKO_NL_REQ_SIZE 1024

struct hako_nl_req
{
  union
  {
    struct nlmsghdr hdr;
    char buf[HAKO_NL_REQ_SIZE];
  } u;
};

struct hako_nl
{
  int fd;        /* NETLINK_ROUTE socket; talks to the netns it was created in */
  uint32_t seq;  /* sequence number of the last request */
  char *rbuf;    /* receive buffer */
  char ext[160]; /* the kernel's extended ACK text for the last failure, or "" */
};

/* Open a socket in the calling thread's network namespace. */
int hako_nl_open (struct hako_nl *nl);
void hako_nl_close (struct hako_nl *nl);

/* Start a request of TYPE with FLAGS (NLM_F_REQUEST is added) and a zeroed
 * family header of HDRLEN bytes, which is returned. */
void *hako_nl_req_init (struct hako_nl_req *r, uint16_t type, uint16_t flags, size_t hdrlen);
/* Append an attribute; -1 (EMSGSIZE) when it does not fit. */
int hako_nl_put (struct hako_nl_req *r, uint16_t type, const void *data, size_t len);
int hako_nl_put_u32 (struct hako_nl_req *r, uint16_t type, uint32_t value);
int hako_nl_put_str (struct hako_nl_req *r, uint16_t type, const char *s);

/* Called for each reply message other than the ACK/DONE; return < 0 (errno
 * set) to fail the exchange (the rest of the reply is still drained). */
typedef int (*hako_nl_cb) (const struct nlmsghdr *msg, void *data);

/* Send R and read its whole reply.  A request that is not a dump asks for
 * an ACK, whose error, if any, is returned (errno) with nl->ext filled. */
int hako_nl_talk (struct hako_nl *nl, struct hako_nl_req *r, hako_nl_cb cb, void *data);

/* Index the attributes that follow a family header of HDRLEN bytes in MSG:
 * tb[type] for type <= MAX (NULL when absent; the last one wins). */
void hako_nl_parse (const struct nlmsghdr *msg, size_t hdrlen, const struct rtattr **tb,
                    size_t max);
/* The attribute as a NUL-terminated string, or NULL. */
const char *hako_nl_str (const struct rtattr *a);
/* The attribute's payload when it holds at least LEN bytes, or NULL. */
const void *hako_nl_data (const struct rtattr *a, size_t len);

static inline void
hako_nl_closep (struct hako_nl *nl)
{
  hako_nl_close (nl);
}
#define cleanup_nl __attribute__ ((cleanup (hako_nl_closep)))

#endif

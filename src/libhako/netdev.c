/* linux.netDevices: move host network interfaces into the container's
 * network namespace (see netdev.h for the rules).
 *
 * Two netlink sockets do the work: one in our namespace, one opened inside
 * the container's (a netlink socket stays bound to the namespace it was
 * created in, so the thread enters that namespace only for socket()).
 * A move is one RTM_NEWLINK {IFLA_NET_NS_FD, IFLA_IFNAME}.  The kernel may
 * move the device and then fail the rename, and may give it another
 * ifindex in the new namespace, so after every move attempt the device is
 * looked for in the container: a link that was not there before. */
#define _GNU_SOURCE
#include "netdev.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "netlink.h"
#include "util.h"

#ifndef IFA_RT_PRIORITY
#define IFA_RT_PRIORITY 9
#endif
#ifndef IFA_PROTO
#define IFA_PROTO 11
#endif
#ifndef IFLA_NETNS_IMMUTABLE
#define IFLA_NETNS_IMMUTABLE 67 /* u8, Linux 6.15 */
#endif
#define LINK_ATTR_MAX IFLA_NETNS_IMMUTABLE
#define ADDR_ATTR_MAX IFA_PROTO

/* The address flags a new address may carry (the others are state the
 * kernel computes: permanent, secondary, tentative, ...). */
#define ADDR_FLAGS_KEPT                                                                            \
  (IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE \
   | IFA_F_MCAUTOJOIN)

struct netdev
{
  const char *key;    /* the name on the host (the map key) */
  const char *target; /* the name in the container; may be a "%d" template */
  bool template;
  int host_index;
  unsigned host_flags;     /* ifi_flags on the host, restored by a rollback */
  struct nlmsghdr **addrs; /* its permanent global addresses, as dumped */
  size_t n_addrs;
  int index;              /* its ifindex in the container once moved, else 0 */
  char name[IF_NAMESIZE]; /* the name it got there */
};

struct netdevs
{
  int self_ns;         /* our network namespace */
  int ctr_ns;          /* the container's */
  struct hako_nl host; /* a socket in ours */
  struct hako_nl ctr;  /* a socket in the container's */
  struct netdev *devs;
  size_t n;
};

struct link_info
{
  int index;
  unsigned flags;
  bool immutable; /* cannot change namespace (IFLA_NETNS_IMMUTABLE) */
  char name[IF_NAMESIZE];
};

struct link_list
{
  struct link_info *v;
  size_t n;
};

/* ------------------------------------------------------------ errors */

/* "linux.netDevices["KEY"]: WHAT", then ": strerror" when SYS, then the
 * kernel's own words when it gave some. */
static int __attribute__ ((format (printf, 6, 0)))
dev_verror (struct hako_error *err, const struct netdev *d, int errnum, bool sys, const char *ext,
            const char *fmt, va_list ap)
{
  cleanup_free char *what = NULL;
  bool has_ext = ext && *ext;

  if (vasprintf (&what, fmt, ap) < 0)
    what = NULL;
  return hako_error_set (err, errnum, "linux.netDevices[\"%s\"]: %s%s%s%s%s%s", d->key,
                         what ? what : fmt, sys ? ": " : "", sys ? strerror (errnum) : "",
                         has_ext ? " (" : "", has_ext ? ext : "", has_ext ? ")" : "");
}

static int __attribute__ ((format (printf, 4, 5)))
dev_error (struct hako_error *err, const struct netdev *d, int errnum, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = dev_verror (err, d, errnum, false, NULL, fmt, ap);
  va_end (ap);
  return r;
}

/* For a failed step: its errno and EXT, the kernel's extended ACK. */
static int __attribute__ ((format (printf, 5, 6)))
dev_sys (struct hako_error *err, const struct netdev *d, const char *ext, int errnum,
         const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = dev_verror (err, d, errnum, true, ext, fmt, ap);
  va_end (ap);
  return r;
}

/* Append "; NOTE" to the error already set (what a rollback left undone). */
static void __attribute__ ((format (printf, 2, 3)))
error_note (struct hako_error *err, const char *fmt, ...)
{
  cleanup_free char *old = err->msg;
  cleanup_free char *note = NULL;
  va_list ap;

  err->msg = NULL;
  va_start (ap, fmt);
  if (vasprintf (&note, fmt, ap) < 0)
    note = NULL;
  va_end (ap);
  hako_error_set (err, err->errnum, "%s; %s", old ? old : "", note ? note : fmt);
}

/* ------------------------------------------------------------ links */

static void
link_info_from (const struct nlmsghdr *h, struct link_info *li)
{
  const struct ifinfomsg *ifi = NLMSG_DATA (h);
  const struct rtattr *tb[LINK_ATTR_MAX + 1];
  const uint8_t *immutable;
  const char *name;

  hako_nl_parse (h, sizeof *ifi, tb, LINK_ATTR_MAX);
  name = hako_nl_str (tb[IFLA_IFNAME]);
  immutable = hako_nl_data (tb[IFLA_NETNS_IMMUTABLE], 1);
  memset (li, 0, sizeof *li);
  li->index = ifi->ifi_index;
  li->flags = ifi->ifi_flags;
  li->immutable = immutable && *immutable;
  snprintf (li->name, sizeof li->name, "%s", name ? name : "");
}

static bool
is_link_msg (const struct nlmsghdr *h)
{
  return h->nlmsg_type == RTM_NEWLINK && h->nlmsg_len >= NLMSG_LENGTH (sizeof (struct ifinfomsg));
}

static int
link_one_cb (const struct nlmsghdr *h, void *data)
{
  if (is_link_msg (h))
    link_info_from (h, data);
  return 0;
}

/* Look a link up by NAME, or by INDEX when NAME is NULL; -1 with errno
 * (ENODEV: no such link). */
static int
link_get (struct hako_nl *nl, const char *name, int index, struct link_info *li)
{
  struct hako_nl_req r;
  struct ifinfomsg *ifi = hako_nl_req_init (&r, RTM_GETLINK, 0, sizeof *ifi);

  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  if (name && hako_nl_put_str (&r, IFLA_IFNAME, name) < 0)
    return -1;
  if (hako_nl_put_u32 (&r, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
    return -1;
  memset (li, 0, sizeof *li);
  if (hako_nl_talk (nl, &r, link_one_cb, li) < 0)
    return -1;
  if (li->index == 0)
    {
      errno = ENODEV;
      return -1;
    }
  return 0;
}

static int
link_list_cb (const struct nlmsghdr *h, void *data)
{
  struct link_list *l = data;
  struct link_info *v;

  if (!is_link_msg (h))
    return 0;
  v = realloc (l->v, (l->n + 1) * sizeof *v);
  if (v == NULL)
    return -1;
  l->v = v;
  link_info_from (h, &l->v[l->n++]);
  return 0;
}

static void
link_list_free (struct link_list *l)
{
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

/* Every link in NL's namespace. */
static int
link_list (struct hako_nl *nl, struct link_list *l)
{
  struct hako_nl_req r;
  struct ifinfomsg *ifi = hako_nl_req_init (&r, RTM_GETLINK, NLM_F_DUMP, sizeof *ifi);

  ifi->ifi_family = AF_UNSPEC;
  link_list_free (l);
  if (hako_nl_put_u32 (&r, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0)
    return -1;
  return hako_nl_talk (nl, &r, link_list_cb, l);
}

/* Move link INDEX into the namespace NS_FD, renamed to NAME unless NULL. */
static int
link_move (struct hako_nl *nl, int index, int ns_fd, const char *name)
{
  struct hako_nl_req r;
  struct ifinfomsg *ifi = hako_nl_req_init (&r, RTM_NEWLINK, 0, sizeof *ifi);

  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  if (hako_nl_put_u32 (&r, IFLA_NET_NS_FD, (uint32_t)ns_fd) < 0)
    return -1;
  if (name && hako_nl_put_str (&r, IFLA_IFNAME, name) < 0)
    return -1;
  return hako_nl_talk (nl, &r, NULL, NULL);
}

static int
link_set_up (struct hako_nl *nl, int index)
{
  struct hako_nl_req r;
  struct ifinfomsg *ifi = hako_nl_req_init (&r, RTM_NEWLINK, 0, sizeof *ifi);

  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  return hako_nl_talk (nl, &r, NULL, NULL);
}

/* ------------------------------------------------------------ addresses */

static uint32_t
addr_flags (const struct nlmsghdr *h, const struct rtattr *const *tb)
{
  const struct ifaddrmsg *ifa = NLMSG_DATA (h);
  const uint32_t *flags = hako_nl_data (tb[IFA_FLAGS], sizeof *flags);

  /* IFA_FLAGS holds all 32 bits; ifa_flags only the first 8. */
  return flags ? *flags : ifa->ifa_flags;
}

/* Keep a copy of each permanent address of global scope of D. */
static int
addr_save_cb (const struct nlmsghdr *h, void *data)
{
  struct netdev *d = data;
  const struct ifaddrmsg *ifa = NLMSG_DATA (h);
  const struct rtattr *tb[ADDR_ATTR_MAX + 1];
  struct nlmsghdr **v, *copy;

  if (h->nlmsg_type != RTM_NEWADDR || h->nlmsg_len < NLMSG_LENGTH (sizeof *ifa))
    return 0;
  if ((int)ifa->ifa_index != d->host_index || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
    return 0;
  hako_nl_parse (h, sizeof *ifa, tb, ADDR_ATTR_MAX);
  if (!(addr_flags (h, tb) & IFA_F_PERMANENT) || (!tb[IFA_ADDRESS] && !tb[IFA_LOCAL]))
    return 0;
  v = realloc (d->addrs, (d->n_addrs + 1) * sizeof *v);
  if (v == NULL)
    return -1;
  d->addrs = v;
  copy = malloc (h->nlmsg_len);
  if (copy == NULL)
    return -1;
  memcpy (copy, h, h->nlmsg_len);
  d->addrs[d->n_addrs++] = copy;
  return 0;
}

static int
addr_save (struct hako_nl *nl, struct netdev *d)
{
  struct hako_nl_req r;
  struct ifaddrmsg *ifa = hako_nl_req_init (&r, RTM_GETADDR, NLM_F_DUMP, sizeof *ifa);

  ifa->ifa_family = AF_UNSPEC;
  return hako_nl_talk (nl, &r, addr_save_cb, d);
}

/* "10.0.0.1/24" or "2001:db8::1/64", for messages. */
static void
addr_describe (const struct nlmsghdr *h, char *buf, size_t size)
{
  const struct ifaddrmsg *ifa = NLMSG_DATA (h);
  const struct rtattr *tb[ADDR_ATTR_MAX + 1];
  char text[INET6_ADDRSTRLEN] = "?";
  const struct rtattr *a;

  hako_nl_parse (h, sizeof *ifa, tb, ADDR_ATTR_MAX);
  a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (hako_nl_data (a, ifa->ifa_family == AF_INET6 ? 16 : 4))
    inet_ntop (ifa->ifa_family, RTA_DATA (a), text, sizeof text);
  snprintf (buf, size, "%s/%u", text, ifa->ifa_prefixlen);
}

/* An IPv4 label follows the device's name: "eth0:1" of eth0 becomes
 * "c0:1" when eth0 is now c0.  A label equal to the old name is left out
 * (the kernel labels an address with the device's name), and so is one
 * that would no longer fit. */
static int
put_label (struct hako_nl_req *r, const char *label, const char *old, const char *name)
{
  size_t n = strlen (old);
  char buf[IF_NAMESIZE];

  if (label == NULL || strcmp (label, old) == 0)
    return 0;
  if (strncmp (label, old, n) == 0 && label[n] == ':')
    {
      if (snprintf (buf, sizeof buf, "%s%s", name, label + n) >= (int)sizeof buf)
        return 0;
      label = buf;
    }
  return hako_nl_put_str (r, IFA_LABEL, label);
}

/* Add the saved address SAVED to link INDEX, now called NAME (OLD on the
 * host), with its prefix, peer, broadcast, lifetimes, metric and flags. */
static int
addr_add (struct hako_nl *nl, const struct nlmsghdr *saved, int index, const char *old,
          const char *name)
{
  static const uint16_t copied[]
      = { IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST, IFA_CACHEINFO, IFA_RT_PRIORITY, IFA_PROTO };
  const struct rtattr *tb[ADDR_ATTR_MAX + 1];
  struct hako_nl_req r;
  struct ifaddrmsg *ifa
      = hako_nl_req_init (&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa);
  uint32_t flags;

  hako_nl_parse (saved, sizeof *ifa, tb, ADDR_ATTR_MAX);
  flags = addr_flags (saved, tb) & ADDR_FLAGS_KEPT;
  *ifa = *(const struct ifaddrmsg *)NLMSG_DATA (saved);
  ifa->ifa_index = (uint32_t)index;
  ifa->ifa_flags = (uint8_t)flags;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (copied); i++)
    if (tb[copied[i]]
        && hako_nl_put (&r, copied[i], RTA_DATA (tb[copied[i]]), RTA_PAYLOAD (tb[copied[i]])) < 0)
      return -1;
  if (put_label (&r, hako_nl_str (tb[IFA_LABEL]), old, name) < 0)
    return -1;
  if (hako_nl_put_u32 (&r, IFA_FLAGS, flags) < 0)
    return -1;
  return hako_nl_talk (nl, &r, NULL, NULL);
}

/* ------------------------------------------------------------ namespaces */

static int
open_netns (const char *path, int *out, struct hako_error *err)
{
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  int type;

  if (fd < 0)
    return hako_error_sys (err, errno, "linux.netDevices: open %s", path);
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return hako_error_sys (err, errno, "linux.netDevices: %s: NS_GET_NSTYPE", path);
  if (type != CLONE_NEWNET)
    return hako_error_set (err, EINVAL, "linux.netDevices: %s is not a network namespace", path);
  *out = hako_steal_fd (&fd);
  return 0;
}

static bool
same_ns (int a, int b)
{
  struct stat sa, sb;

  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_dev == sb.st_dev
         && sa.st_ino == sb.st_ino;
}

/* Back to our own namespace, and make sure of it: a thread stranded in
 * the container's namespace would create the rest of it wrongly. */
static int
return_home (struct netdevs *c, struct hako_error *err)
{
  cleanup_fd int now = -1;

  if (setns (c->self_ns, CLONE_NEWNET) < 0)
    return hako_error_sys (err, errno, "linux.netDevices: return to our own network namespace");
  now = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (now < 0 || !same_ns (now, c->self_ns))
    return hako_error_set (err, EIO, "linux.netDevices: not back in our own network namespace");
  return 0;
}

/* The namespaces, and a netlink socket in each. */
static int
netdevs_open (struct netdevs *c, pid_t init_pid, struct hako_error *err)
{
  char path[64];
  int saved;

  snprintf (path, sizeof path, "/proc/%d/ns/net", (int)init_pid);
  if (open_netns ("/proc/thread-self/ns/net", &c->self_ns, err) < 0
      || open_netns (path, &c->ctr_ns, err) < 0)
    return -1;
  if (same_ns (c->self_ns, c->ctr_ns))
    return hako_error_set (err, EINVAL,
                           "linux.netDevices: the container shares our network namespace");
  if (hako_nl_open (&c->host) < 0)
    return hako_error_sys (err, errno, "linux.netDevices: open a netlink socket");
  if (setns (c->ctr_ns, CLONE_NEWNET) < 0)
    return hako_error_sys (err, errno, "linux.netDevices: enter the container network namespace");
  saved = hako_nl_open (&c->ctr) < 0 ? errno : 0;
  if (return_home (c, err) < 0)
    return -1;
  if (saved)
    return hako_error_sys (err, saved,
                           "linux.netDevices: open a netlink socket in the container network "
                           "namespace");
  return 0;
}

/* ------------------------------------------------------------ checks */

static int
check_host_link (struct netdevs *c, size_t i, struct hako_error *err)
{
  struct netdev *d = &c->devs[i];
  struct link_info li;

  if (link_get (&c->host, d->key, 0, &li) < 0)
    return errno == ENODEV ? dev_error (err, d, ENODEV, "no such network interface on the host")
                           : dev_sys (err, d, c->host.ext, errno, "look up the host interface");
  if (li.flags & IFF_LOOPBACK)
    return dev_error (err, d, EINVAL, "the loopback interface cannot be moved");
  if (li.immutable)
    return dev_error (err, d, EINVAL,
                      "the interface cannot leave its network namespace (netns-immutable)");
  d->host_index = li.index;
  d->host_flags = li.flags;
  for (size_t j = 0; j < i; j++)
    if (c->devs[j].host_index == d->host_index)
      return dev_error (err, d, EINVAL, "the same interface as linux.netDevices[\"%s\"]",
                        c->devs[j].key);
  return 0;
}

/* "If a network device with the specified name already exists in the
 * container namespace, the runtime MUST generate an error, unless" the
 * name is a "%d" template. */
static int
check_target (struct netdevs *c, size_t i, struct hako_error *err)
{
  struct netdev *d = &c->devs[i];
  struct link_info li;

  if (d->template)
    return 0;
  for (size_t j = 0; j < i; j++)
    if (!c->devs[j].template && strcmp (c->devs[j].target, d->target) == 0)
      return dev_error (err, d, EEXIST, "the name \"%s\" is also given to linux.netDevices[\"%s\"]",
                        d->target, c->devs[j].key);
  if (link_get (&c->ctr, d->target, 0, &li) == 0)
    return dev_error (err, d, EEXIST,
                      "a network interface named \"%s\" already exists in the container network "
                      "namespace",
                      d->target);
  if (errno != ENODEV)
    return dev_sys (err, d, c->ctr.ext, errno, "look up \"%s\" in the container network namespace",
                    d->target);
  return 0;
}

/* Fill c->devs from the config and check every entry, moving nothing. */
static int
netdevs_prepare (struct netdevs *c, const struct oci_linux *lx, struct hako_error *err)
{
  c->n = lx->net_devices.len;
  c->devs = hako_xmalloc0 (c->n * sizeof *c->devs);
  for (size_t i = 0; i < c->n; i++)
    {
      struct netdev *d = &c->devs[i];
      const char *name = lx->net_devices.values[i].name;

      d->key = lx->net_devices.keys[i];
      d->target = name ? name : d->key;
      d->template = strstr (d->target, "%d") != NULL;
      if (check_host_link (c, i, err) < 0 || check_target (c, i, err) < 0)
        return -1;
      if (addr_save (&c->host, d) < 0)
        return dev_sys (err, d, c->host.ext, errno, "list the addresses of the host interface");
    }
  return 0;
}

/* ------------------------------------------------------------ moving */

static bool
listed (const struct link_list *l, int index)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].index == index)
      return true;
  return false;
}

/* Find D in the container: a link that was not in BEFORE; the one with
 * the host's ifindex (kept unless taken), else the one with the fixed name
 * asked for, else the only new one.  Sets d->index (0: not there). */
static int
locate (struct netdevs *c, struct netdev *d, const struct link_list *before)
{
  struct link_list after = { NULL, 0 };
  const struct link_info *found = NULL;
  size_t fresh = 0;

  if (link_list (&c->ctr, &after) < 0)
    {
      link_list_free (&after);
      return -1;
    }
  for (size_t i = 0; i < after.n; i++)
    {
      const struct link_info *a = &after.v[i];
      if (listed (before, a->index))
        continue;
      fresh++;
      if (a->index == d->host_index || (!d->template && strcmp (a->name, d->target) == 0))
        {
          found = a;
          break;
        }
      if (fresh == 1)
        found = a;
      else
        found = NULL;
    }
  if (found)
    {
      d->index = found->index;
      snprintf (d->name, sizeof d->name, "%s", found->name);
    }
  link_list_free (&after);
  return 0;
}

static int
move_one (struct netdevs *c, struct netdev *d, struct hako_error *err)
{
  struct link_list before = { NULL, 0 };
  char ext[sizeof c->host.ext];
  int r, saved;

  if (link_list (&c->ctr, &before) < 0)
    {
      link_list_free (&before);
      return dev_sys (err, d, c->ctr.ext, errno, "list the container's network interfaces");
    }
  r = link_move (&c->host, d->host_index, c->ctr_ns,
                 strcmp (d->target, d->key) != 0 ? d->target : NULL);
  saved = errno;
  memcpy (ext, c->host.ext, sizeof ext);
  /* Even a failed move may have moved the device (the rename comes last):
   * look for it either way, so that a rollback can bring it back. */
  if (locate (c, d, &before) < 0 && r == 0)
    saved = errno, r = -2;
  link_list_free (&before);
  if (r == -1)
    return dev_sys (err, d, ext, saved, "move into the container network namespace");
  if (r == -2)
    return dev_sys (err, d, c->ctr.ext, saved, "list the container's network interfaces");
  if (d->index == 0)
    return dev_error (err, d, ENODEV, "moved, but not found in the container network namespace");
  return 0;
}

/* Re-add D's addresses, then set it up ("The runtime MUST set the network
 * device state to "up" after moving it"). */
static int
configure_one (struct netdevs *c, struct netdev *d, struct hako_error *err)
{
  char what[INET6_ADDRSTRLEN + 8];

  for (size_t i = 0; i < d->n_addrs; i++)
    if (addr_add (&c->ctr, d->addrs[i], d->index, d->key, d->name) < 0)
      {
        int saved = errno;
        addr_describe (d->addrs[i], what, sizeof what);
        return dev_sys (err, d, c->ctr.ext, saved, "add address %s in the container", what);
      }
  if (link_set_up (&c->ctr, d->index) < 0)
    return dev_sys (err, d, c->ctr.ext, errno, "set the interface up in the container");
  return 0;
}

/* Undo the move of D: back to our namespace under its old name, with its
 * addresses and its up state.  Best effort: failures become notes. */
static void
move_back (struct netdevs *c, struct netdev *d, struct hako_error *err)
{
  struct link_info li;

  if (link_move (&c->ctr, d->index, c->self_ns, strcmp (d->name, d->key) != 0 ? d->key : NULL) < 0)
    {
      error_note (err, "linux.netDevices[\"%s\"] stays in the container as \"%s\": %s", d->key,
                  d->name, strerror (errno));
      return;
    }
  d->index = 0;
  if (link_get (&c->host, d->key, 0, &li) < 0)
    {
      error_note (err, "linux.netDevices[\"%s\"] moved back, but not found: %s", d->key,
                  strerror (errno));
      return;
    }
  for (size_t i = 0; i < d->n_addrs; i++)
    if (addr_add (&c->host, d->addrs[i], li.index, d->key, d->key) < 0 && errno != EEXIST)
      error_note (err, "linux.netDevices[\"%s\"] moved back without an address: %s", d->key,
                  strerror (errno));
  if ((d->host_flags & IFF_UP) && link_set_up (&c->host, li.index) < 0)
    error_note (err, "linux.netDevices[\"%s\"] moved back, but down: %s", d->key, strerror (errno));
}

/* Move the fixed names first, then the templates; on a failure, move back
 * what was moved, latest first. */
static int
netdevs_run (struct netdevs *c, struct hako_error *err)
{
  cleanup_free struct netdev **moved = hako_xmalloc0 (c->n * sizeof *moved);
  size_t n_moved = 0;

  for (int templates = 0; templates <= 1; templates++)
    for (size_t i = 0; i < c->n; i++)
      {
        struct netdev *d = &c->devs[i];
        int r;

        if (d->template != (templates == 1))
          continue;
        r = move_one (c, d, err);
        if (d->index)
          moved[n_moved++] = d;
        if (r == 0)
          r = configure_one (c, d, err);
        if (r < 0)
          {
            while (n_moved > 0)
              move_back (c, moved[--n_moved], err);
            return -1;
          }
      }
  return 0;
}

static void
netdevs_free (struct netdevs *c)
{
  for (size_t i = 0; i < c->n; i++)
    {
      for (size_t j = 0; j < c->devs[i].n_addrs; j++)
        free (c->devs[i].addrs[j]);
      free (c->devs[i].addrs);
    }
  free (c->devs);
  hako_nl_close (&c->host);
  hako_nl_close (&c->ctr);
  hako_closep (&c->self_ns);
  hako_closep (&c->ctr_ns);
}

int
hako_netdevs_move (const struct oci_config *config, pid_t init_pid, struct hako_error *err)
{
  const struct oci_linux *lx = config->linux;
  struct netdevs c = { .self_ns = -1, .ctr_ns = -1, .host = { .fd = -1 }, .ctr = { .fd = -1 } };
  int r;

  if (lx == NULL || lx->net_devices.len == 0)
    return 0;
  r = netdevs_open (&c, init_pid, err);
  if (r == 0)
    r = netdevs_prepare (&c, lx, err);
  if (r == 0)
    r = netdevs_run (&c, err);
  netdevs_free (&c);
  return r;
}

/* Unit tests of linux.netDevices (netdev.c, netlink.c).  Needs root.
 *
 * Each scenario runs in a forked child that unshares its network namespace
 * and plays the host: it makes veth interfaces there with `ip` (iproute2),
 * starts a grandchild in a network namespace of its own (the container; its
 * pid is the init pid), and calls hako_netdevs_move.  Then the grandchild
 * reports what it sees (names, flags, MTU, MAC, addresses through
 * getifaddrs) and the host child what is left on its side.  The real host's
 * interfaces are never touched.  Results travel as "1 text" / "0 text"
 * lines over a pipe to the parent, which prints TAP. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netdev.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

static int result_fd = -1; /* where scenario processes write their checks */

/* ------------------------------------------------------------ harness */

static void __attribute__ ((format (printf, 2, 3))) check (bool cond, const char *fmt, ...)
{
  char line[512];
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (line + 2, sizeof line - 3, fmt, ap);
  va_end (ap);
  if (n < 0)
    n = 0;
  if (n > (int)sizeof line - 4)
    n = (int)sizeof line - 4;
  line[0] = cond ? '1' : '0';
  line[1] = ' ';
  /* One line per write (< PIPE_BUF): atomic even with two writers. */
  for (char *p = line + 2; p < line + 2 + n; p++)
    if (*p == '\n')
      *p = ' ';
  line[2 + n] = '\n';
  if (write (result_fd, line, 3 + n) < 0)
    _exit (99);
}

/* Run FN in a child with a network namespace of its own; turn its checks
 * into TAP results. */
static void
scenario (const char *name, void (*fn) (void))
{
  char buf[65536], *line, *save = NULL;
  size_t have = 0;
  int fds[2], status;
  pid_t pid;

  fflush (stdout);
  if (pipe2 (fds, O_CLOEXEC) < 0)
    abort ();
  pid = fork ();
  if (pid == 0)
    {
      close (fds[0]);
      result_fd = fds[1];
      if (unshare (CLONE_NEWNET) < 0)
        check (false, "%s: unshare(CLONE_NEWNET): %s", name, strerror (errno));
      else
        fn ();
      _exit (0);
    }
  close (fds[1]);
  for (ssize_t n;
       have < sizeof buf - 1 && (n = read (fds[0], buf + have, sizeof buf - 1 - have)) > 0;)
    have += n;
  buf[have] = '\0';
  close (fds[0]);
  waitpid (pid, &status, 0);
  for (line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    ok (line[0] == '1', "%s: %s", name, line + 2);
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s: finished cleanly (status %d)", name,
      status);
}

/* Run a shell command quietly; true when it succeeded. */
static bool __attribute__ ((format (printf, 1, 2))) sh (const char *fmt, ...)
{
  cleanup_free char *cmd = NULL;
  cleanup_free char *quiet = NULL;
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&cmd, fmt, ap);
  va_end (ap);
  if (r < 0)
    return false;
  quiet = hako_strdup_printf ("( %s ) >/dev/null 2>&1", cmd);
  r = system (quiet);
  if (r != 0)
    check (false, "command failed: %s", cmd);
  return r == 0;
}

/* A veth interface NAME (its peer NAMEp stays beside it). */
static bool
make_link (const char *name)
{
  return sh ("ip link add %s type veth peer name %sp", name, name);
}

/* ------------------------------------------------------------ the container */

struct container
{
  pid_t pid;
  int go; /* write end: a byte (or EOF) runs the checks and ends it */
};

/* Start the container: a new network namespace, SETUP run there (a shell
 * command or NULL), then wait; on the signal, run CHECKS there and exit. */
static bool
container_start (struct container *ct, const char *setup, void (*checks) (void))
{
  int ready[2], go[2];
  char byte = 0;

  if (pipe2 (ready, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0)
    abort ();
  ct->pid = fork ();
  if (ct->pid == 0)
    {
      close (ready[0]);
      close (go[1]);
      if (unshare (CLONE_NEWNET) < 0 || (setup && !sh ("%s", setup)))
        _exit (1);
      if (write (ready[1], &byte, 1) != 1 || read (go[0], &byte, 1) < 0)
        _exit (1);
      if (checks)
        checks ();
      _exit (0);
    }
  close (ready[1]);
  close (go[0]);
  ct->go = go[1];
  if (read (ready[0], &byte, 1) != 1)
    {
      check (false, "the container did not start");
      close (ready[0]);
      return false;
    }
  close (ready[0]);
  return true;
}

static void
container_finish (struct container *ct)
{
  char byte = 0;
  int status;

  if (write (ct->go, &byte, 1) != 1)
    check (false, "signal the container: %s", strerror (errno));
  close (ct->go);
  waitpid (ct->pid, &status, 0);
  check (WIFEXITED (status) && WEXITSTATUS (status) == 0, "the container's checks ran (status %d)",
         status);
}

/* ------------------------------------------------------------ what a namespace holds */

static bool
link_ifreq (const char *name, unsigned long req, struct ifreq *ifr)
{
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool ok_ = false;

  memset (ifr, 0, sizeof *ifr);
  snprintf (ifr->ifr_name, sizeof ifr->ifr_name, "%s", name);
  if (fd >= 0)
    ok_ = ioctl (fd, req, ifr) == 0;
  if (fd >= 0)
    close (fd);
  return ok_;
}

static bool
link_exists (const char *name)
{
  return if_nametoindex (name) != 0;
}

static bool
link_is_up (const char *name)
{
  struct ifreq ifr;

  return link_ifreq (name, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_UP);
}

static int
link_mtu (const char *name)
{
  struct ifreq ifr;

  return link_ifreq (name, SIOCGIFMTU, &ifr) ? ifr.ifr_mtu : -1;
}

/* NAME's MAC address as text ("" when unknown). */
static void
link_mac (const char *name, char *buf, size_t size)
{
  struct ifreq ifr;
  const unsigned char *m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;

  buf[0] = '\0';
  if (link_ifreq (name, SIOCGIFHWADDR, &ifr))
    snprintf (buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int
prefix_len (const struct sockaddr *mask)
{
  const unsigned char *p;
  size_t n;
  int bits = 0;

  if (mask == NULL)
    return -1;
  if (mask->sa_family == AF_INET6)
    p = (const unsigned char *)&((const struct sockaddr_in6 *)mask)->sin6_addr, n = 16;
  else
    p = (const unsigned char *)&((const struct sockaddr_in *)mask)->sin_addr, n = 4;
  for (size_t i = 0; i < n; i++)
    bits += __builtin_popcount (p[i]);
  return bits;
}

/* Whether ADDR/PREFIX is on NAME (for IPv4, NAME is the address's label,
 * as getifaddrs reports it). */
static bool
has_addr (const char *name, const char *addr, int prefix)
{
  struct ifaddrs *all, *a;
  bool found = false;

  if (getifaddrs (&all) < 0)
    return false;
  for (a = all; a && !found; a = a->ifa_next)
    {
      char text[INET6_ADDRSTRLEN] = "";
      const void *raw;
      if (a->ifa_addr == NULL || strcmp (a->ifa_name, name) != 0)
        continue;
      if (a->ifa_addr->sa_family == AF_INET)
        raw = &((struct sockaddr_in *)a->ifa_addr)->sin_addr;
      else if (a->ifa_addr->sa_family == AF_INET6)
        raw = &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
      else
        continue;
      inet_ntop (a->ifa_addr->sa_family, raw, text, sizeof text);
      found = strcmp (text, addr) == 0 && prefix_len (a->ifa_netmask) == prefix;
    }
  freeifaddrs (all);
  return found;
}

static ino_t
netns_inode (void)
{
  struct stat st;

  return stat ("/proc/thread-self/ns/net", &st) == 0 ? st.st_ino : 0;
}

/* ------------------------------------------------------------ calling hako */

/* hako_netdevs_move with a config whose linux.netDevices is NETDEVS (JSON);
 * the message of a failure is left in MSG (empty on success). */
static int
move (const char *netdevs, pid_t pid, char *msg, size_t size)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *json = hako_strdup_printf (
      "{\"ociVersion\": \"1.3.0\", \"linux\": {\"namespaces\": [{\"type\": \"network\"}], "
      "\"netDevices\": %s}}",
      netdevs);
  struct oci_config *config = oci_config_parse (json, strlen (json), &err);
  ino_t before = netns_inode ();
  int r;

  msg[0] = '\0';
  if (config == NULL)
    {
      check (false, "parse %s: %s", json, err.msg);
      hako_error_clear (&err);
      return -2;
    }
  r = hako_netdevs_move (config, pid, &err);
  check (netns_inode () == before, "back in our own network namespace afterwards");
  check (r == 0 || (r < 0 && err.msg != NULL), "returns 0, or < 0 with a message (%d)", r);
  snprintf (msg, size, "%s", err.msg ? err.msg : "");
  hako_error_clear (&err);
  oci_config_free (config);
  return r;
}

/* ------------------------------------------------------------ scenarios */

static char d0_mac[32], d1_mac[32];

/* d0: MTU 1400, down, with one address of each kind that must or must not
 * travel. */
static bool
make_d0 (void)
{
  return make_link ("d0") && sh ("ip link set d0 mtu 1400")
         && sh ("ip addr add 10.123.0.1/24 dev d0")
         && sh ("ip addr add 10.123.1.1/24 dev d0 label d0:x")
         && sh ("ip -6 addr add 2001:db8::1/64 dev d0 nodad")
         && sh ("ip -6 addr add fe80::1234/64 dev d0 nodad")
         && sh ("ip addr add 10.124.0.1/24 dev d0 valid_lft 3600 preferred_lft 3600")
         && sh ("ip addr add 10.125.0.1/24 dev d0 scope host");
}

static void
basic_checks (void)
{
  char mac[32];

  link_mac ("c0", mac, sizeof mac);
  check (link_exists ("c0") && !link_exists ("d0"), "the container has c0 (and no d0)");
  check (link_is_up ("c0"), "c0 is up");
  check (link_mtu ("c0") == 1400, "c0 kept its MTU (%d)", link_mtu ("c0"));
  check (strcmp (mac, d0_mac) == 0, "c0 kept its MAC (%s, was %s)", mac, d0_mac);
  check (has_addr ("c0", "10.123.0.1", 24), "10.123.0.1/24 is on c0");
  check (has_addr ("c0:x", "10.123.1.1", 24), "10.123.1.1/24 is on c0, labelled c0:x");
  check (has_addr ("c0", "2001:db8::1", 64), "2001:db8::1/64 is on c0");
  check (!has_addr ("c0", "fe80::1234", 64), "the link-local fe80::1234 was not copied");
  check (!has_addr ("c0", "10.124.0.1", 24), "the address with a lifetime was not copied");
  check (!has_addr ("c0", "10.125.0.1", 24), "the host-scope address was not copied");
}

static void
test_basic (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_d0 ())
    return;
  link_mac ("d0", d0_mac, sizeof d0_mac);
  if (!container_start (&ct, NULL, basic_checks))
    return;
  r = move ("{\"d0\": {\"name\": \"c0\"}}", ct.pid, msg, sizeof msg);
  check (r == 0, "d0 -> c0 moves (%s)", msg);
  check (!link_exists ("d0") && !link_exists ("c0"), "d0 left the host");
  check (link_exists ("d0p"), "its veth peer stays on the host");
  container_finish (&ct);
}

/* Two interfaces exchange names: the kernel names the second after its
 * target because its own name is taken there by then. */
static void
swap_checks (void)
{
  char mac0[32], mac1[32];

  link_mac ("d0", mac0, sizeof mac0);
  link_mac ("d1", mac1, sizeof mac1);
  check (strcmp (mac1, d0_mac) == 0 && strcmp (mac0, d1_mac) == 0,
         "d0 is now d1 and d1 is now d0 (by MAC)");
  check (has_addr ("d1", "10.123.0.1", 24) && has_addr ("d0", "10.77.0.1", 16),
         "the addresses followed their interfaces");
  check (link_is_up ("d0") && link_is_up ("d1"), "both are up");
}

static void
test_swap (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !make_link ("d1") || !sh ("ip addr add 10.123.0.1/24 dev d0")
      || !sh ("ip addr add 10.77.0.1/16 dev d1") || !sh ("ip link set d1 up"))
    return;
  link_mac ("d0", d0_mac, sizeof d0_mac);
  link_mac ("d1", d1_mac, sizeof d1_mac);
  if (!container_start (&ct, NULL, swap_checks))
    return;
  r = move ("{\"d0\": {\"name\": \"d1\"}, \"d1\": {\"name\": \"d0\"}}", ct.pid, msg, sizeof msg);
  check (r == 0, "d0 <-> d1 move (%s)", msg);
  check (!link_exists ("d0") && !link_exists ("d1"), "both left the host");
  container_finish (&ct);
}

static void
nothing_moved_checks (void)
{
  check (!link_exists ("d0") && !link_exists ("c0") && !link_exists ("c1"),
         "nothing arrived in the container");
}

static void
expect_failure (int r, const char *msg, const char *want)
{
  check (r < 0, "fails");
  check (strstr (msg, want) != NULL, "says '%s' (%s)", want, msg);
}

static void
expect_d0_home (void)
{
  check (link_exists ("d0") && has_addr ("d0", "10.123.0.1", 24),
         "d0 is still on the host, with its address");
}

static void
test_missing_host (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !sh ("ip addr add 10.123.0.1/24 dev d0")
      || !container_start (&ct, NULL, nothing_moved_checks))
    return;
  r = move ("{\"d0\": {}, \"eth9\": {}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg, "linux.netDevices[\"eth9\"]: no such network interface on the host");
  expect_d0_home ();
  container_finish (&ct);
}

static void
test_collision (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !sh ("ip addr add 10.123.0.1/24 dev d0")
      || !container_start (&ct, "ip link add c0 type veth peer name c0p", NULL))
    return;
  r = move ("{\"d0\": {\"name\": \"c0\"}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg,
                  "linux.netDevices[\"d0\"]: a network interface named \"c0\" already exists in "
                  "the container network namespace");
  expect_d0_home ();
  container_finish (&ct);
}

static void
test_collision_same_name (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !sh ("ip addr add 10.123.0.1/24 dev d0")
      || !container_start (&ct, "ip link add d0 type veth peer name d0p", NULL))
    return;
  r = move ("{\"d0\": {}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg, "a network interface named \"d0\" already exists");
  expect_d0_home ();
  container_finish (&ct);
}

/* c0 exists; d1 asks for c1, d0 for the template c%d: the fixed name is
 * served first, so d0 becomes c2. */
static void
template_checks (void)
{
  char mac[32];

  link_mac ("c2", mac, sizeof mac);
  check (strcmp (mac, d0_mac) == 0, "d0 became c2 (MAC %s, want %s)", mac, d0_mac);
  check (link_is_up ("c2") && has_addr ("c2", "10.123.0.1", 24), "c2 is up with d0's address");
  link_mac ("c1", mac, sizeof mac);
  check (strcmp (mac, d1_mac) == 0 && link_is_up ("c1"), "d1 became c1, up");
}

static void
test_template (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !make_link ("d1") || !sh ("ip addr add 10.123.0.1/24 dev d0"))
    return;
  link_mac ("d0", d0_mac, sizeof d0_mac);
  link_mac ("d1", d1_mac, sizeof d1_mac);
  if (!container_start (&ct, "ip link add c0 type veth peer name x0", template_checks))
    return;
  r = move ("{\"d0\": {\"name\": \"c%d\"}, \"d1\": {\"name\": \"c1\"}}", ct.pid, msg, sizeof msg);
  check (r == 0, "a %%d template moves despite c0 existing (%s)", msg);
  container_finish (&ct);
}

/* IPv6 is disabled in the container, so d1's IPv6 address cannot be
 * re-added after d0 and d1 moved: both go back, as they were. */
static void
rollback_checks (void)
{
  check (!link_exists ("c0") && !link_exists ("c1") && !link_exists ("d0") && !link_exists ("d1"),
         "nothing stayed in the container");
}

static void
test_rollback (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !make_link ("d1") || !sh ("ip addr add 10.123.0.1/24 dev d0")
      || !sh ("ip addr add 10.123.1.1/24 dev d0 label d0:x") || !sh ("ip link set d0 up")
      || !sh ("ip -6 addr add 2001:db8::1/64 dev d1 nodad"))
    return;
  if (!container_start (&ct,
                        "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 && "
                        "echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6",
                        rollback_checks))
    return;
  r = move ("{\"d0\": {\"name\": \"c0\"}, \"d1\": {\"name\": \"c1\"}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg,
                  "linux.netDevices[\"d1\"]: add address 2001:db8::1/64 in the container: ");
  check (strstr (msg, "; ") == NULL, "the rollback left nothing undone (%s)", msg);
  expect_d0_home ();
  check (has_addr ("d0:x", "10.123.1.1", 24), "d0 got its labelled address back");
  check (link_is_up ("d0"), "d0 is up again, as before");
  check (link_exists ("d1") && !link_is_up ("d1") && has_addr ("d1", "2001:db8::1", 64),
         "d1 is back, down as before, with its address");
  container_finish (&ct);
}

/* A name the kernel refuses only once it has moved the device (the
 * validator would have caught it; the move must still clean up): the
 * device is found in the container and brought back. */
static void
test_partial_move (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !sh ("ip addr add 10.123.0.1/24 dev d0") || !sh ("ip link set d0 up")
      || !container_start (&ct, NULL, nothing_moved_checks))
    return;
  r = move ("{\"d0\": {\"name\": \"bad:name\"}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg, "linux.netDevices[\"d0\"]: move into the container network namespace: ");
  check (strstr (msg, "; ") == NULL, "the rollback left nothing undone (%s)", msg);
  expect_d0_home ();
  check (link_is_up ("d0"), "d0 is up again, as before");
  container_finish (&ct);
}

/* Entries that can never move fail before anything moves. */
static void
test_unmovable (void)
{
  struct container ct;
  char msg[1024];
  int r;

  if (!make_link ("d0") || !make_link ("d1") || !sh ("ip addr add 10.123.0.1/24 dev d0")
      || !sh ("ip link add br0 type bridge") || !sh ("ip link property add dev d0 altname dzero")
      || !container_start (&ct, NULL, nothing_moved_checks))
    return;
  r = move ("{\"d0\": {}, \"lo\": {\"name\": \"c0\"}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg, "linux.netDevices[\"lo\"]: the loopback interface cannot be moved");
  /* A bridge is netns-local: refused up front where the kernel says so
   * (IFLA_NETNS_IMMUTABLE, Linux 6.15), else by the move, and rolled back. */
  r = move ("{\"d0\": {}, \"br0\": {\"name\": \"c0\"}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg, "linux.netDevices[\"br0\"]: ");
  check (link_exists ("br0"), "br0 stays on the host");
  r = move ("{\"d0\": {\"name\": \"c0\"}, \"dzero\": {\"name\": \"c1\"}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg,
                  "linux.netDevices[\"dzero\"]: the same interface as linux.netDevices[\"d0\"]");
  r = move ("{\"d0\": {\"name\": \"c0\"}, \"d1\": {\"name\": \"c0\"}}", ct.pid, msg, sizeof msg);
  expect_failure (r, msg,
                  "linux.netDevices[\"d1\"]: the name \"c0\" is also given to "
                  "linux.netDevices[\"d0\"]");
  expect_d0_home ();
  container_finish (&ct);
}

static void
test_bad_namespace (void)
{
  char msg[1024];
  int r;

  if (!make_link ("d0"))
    return;
  r = move ("{\"d0\": {}}", getpid (), msg, sizeof msg);
  expect_failure (r, msg, "linux.netDevices: the container shares our network namespace");
  r = move ("{\"d0\": {}}", 0x3fffffff, msg, sizeof msg);
  expect_failure (r, msg, "linux.netDevices: open /proc/1073741823/ns/net: No such file");
  check (link_exists ("d0"), "d0 stays");
}

/* Without netDevices nothing is opened, whatever the pid. */
static void
test_none (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  const char *json = "{\"ociVersion\": \"1.3.0\", \"linux\": {}}";
  struct oci_config *config = oci_config_parse (json, strlen (json), &err);
  const char *empty = "{\"ociVersion\": \"1.3.0\", \"linux\": {\"netDevices\": {}}}";
  struct oci_config *config2 = oci_config_parse (empty, strlen (empty), &err);

  ok (config && hako_netdevs_move (config, -1, &err) == 0, "no linux.netDevices: nothing to do");
  ok (config2 && hako_netdevs_move (config2, -1, &err) == 0,
      "empty linux.netDevices: nothing to do");
  oci_config_free (config);
  oci_config_free (config2);
  hako_error_clear (&err);
}

int
main (void)
{
  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP needs root (network namespaces, moving interfaces)\n");
      return 0;
    }
  if (system ("unshare -n ip link add t0 type veth peer name t1 >/dev/null 2>&1") != 0)
    {
      printf ("1..0 # SKIP cannot make veth interfaces with ip(8) in a new network namespace\n");
      return 0;
    }
  test_none ();
  scenario ("move, rename, keep attributes", test_basic);
  scenario ("swap names", test_swap);
  scenario ("missing host interface", test_missing_host);
  scenario ("name taken in the container", test_collision);
  scenario ("host name taken in the container", test_collision_same_name);
  scenario ("%d template", test_template);
  scenario ("rollback", test_rollback);
  scenario ("rename refused after the move", test_partial_move);
  scenario ("unmovable entries", test_unmovable);
  scenario ("namespace checks", test_bad_namespace);
  return tap_done ();
}

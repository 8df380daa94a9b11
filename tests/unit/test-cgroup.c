/* The cgroupfs driver on this host's real hierarchies (root; hybrid, and
 * pure cgroup v2 where the expected files are the converted ones).  Every case
 * uses cgroups below /hako-test-<pid>... and removes them, whatever
 * happens.  It checks the kernel's files after create and update, places a
 * forked child and watches it in cgroup.procs, freezes, thaws and kills
 * it, attaches the cgroup2 device filter to a directory of the unified
 * hierarchy (hybrid hosts have one) and checks which device opens it lets
 * through, and checks that a failing create leaves nothing behind. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

#define skip(...)                                                                                  \
  do                                                                                               \
    {                                                                                              \
      printf ("ok %d - # SKIP ", ++tap_n);                                                         \
      printf (__VA_ARGS__);                                                                        \
      printf ("\n");                                                                               \
    }                                                                                              \
  while (0)

static char top[64]; /* /hako-test-<pid> */
static char id[32];  /* hako-test-<pid>: the container id, for the default path */
static enum hako_cgroup_layout layout;
static const char *V2; /* the cgroup2 hierarchy below /sys/fs/cgroup: "unified" or "" */

/* ------------------------------------------------------------ helpers */

static struct oci_config *
config (const char *cgroups_path, const char *resources)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *path = cgroups_path
                                ? hako_strdup_printf ("\"cgroupsPath\":\"%s\",", cgroups_path)
                                : hako_xstrdup ("");
  cleanup_free char *text = hako_strdup_printf (
      "{\"ociVersion\":\"1.3.0\",\"linux\":{%s\"resources\":%s}}", path, resources);
  struct oci_config *c = oci_config_parse (text, strlen (text), &err);

  if (c == NULL)
    diag ("config: %s", err.msg);
  hako_error_clear (&err);
  return c;
}

/* /sys/fs/cgroup/HIER/PATH/FILE, trailing newline removed; "<missing>". */
static char *
cgfile (const char *hier, const char *path, const char *file)
{
  cleanup_free char *p = hako_strdup_printf ("/sys/fs/cgroup/%s%s/%s", hier, path, file);
  struct hako_error err = HAKO_ERROR_INIT;
  char *s = NULL;
  size_t len = 0;

  if (hako_read_file_at (AT_FDCWD, p, &s, &len, &err) < 0)
    {
      hako_error_clear (&err);
      return hako_xstrdup ("<missing>");
    }
  while (len > 0 && s[len - 1] == '\n')
    s[--len] = '\0';
  return s;
}

static bool
cgdir_exists (const char *hier, const char *path)
{
  cleanup_free char *p = hako_strdup_printf ("/sys/fs/cgroup/%s%s", hier, path);
  struct stat st;
  return stat (p, &st) == 0;
}

#define CHECK_FILE(hier, path, file, want)                                                         \
  do                                                                                               \
    {                                                                                              \
      cleanup_free char *got_ = cgfile (hier, path, file);                                         \
      ok (strcmp (got_, want) == 0, "%s %s = %s (got %s)", hier, file, want, got_);                \
    }                                                                                              \
  while (0)

static bool
has_hier (const char *name)
{
  return cgdir_exists (name, "");
}

/* Where controller NAME lives: its v1 hierarchy, else cgroup2. */
static const char *
hier (const char *name)
{
  return layout != HAKO_CGROUP_V2 && has_hier (name) ? name : V2;
}

/* Every v1 hierarchy directory plus unified, for cleanup and checks. */
static const char *const hiers[]
    = { "cpu",     "cpuacct", "cpuset",  "memory",   "devices", "freezer", "blkio", "pids",
        "systemd", "unified", "net_cls", "net_prio", "hugetlb", "rdma",    "",      NULL };

static void
remove_everywhere (const char *path)
{
  for (const char *const *h = hiers; *h; h++)
    {
      cleanup_free char *p = hako_strdup_printf ("/sys/fs/cgroup/%s%s", *h, path);
      rmdir (p);
    }
}

static bool
gone_everywhere (const char *path)
{
  for (const char *const *h = hiers; *h; h++)
    if (has_hier (*h) && cgdir_exists (*h, path))
      {
        diag ("still there: /sys/fs/cgroup/%s%s", *h, path);
        return false;
      }
  return true;
}

/* A child that waits until killed; its pid. */
static pid_t
sleeper (void)
{
  pid_t pid = fork ();

  if (pid == 0)
    {
      for (;;)
        pause ();
    }
  return pid;
}

static bool
pid_in_procs (const char *hier, const char *path, pid_t pid)
{
  cleanup_free char *procs = cgfile (hier, path, "cgroup.procs");
  char want[24];

  for (char *p = procs; p && *p;)
    {
      snprintf (want, sizeof want, "%d", (int)pid);
      if (strncmp (p, want, strlen (want)) == 0
          && (p[strlen (want)] == '\n' || p[strlen (want)] == '\0'))
        return true;
      p = strchr (p, '\n');
      p = p ? p + 1 : NULL;
    }
  return false;
}

static int
wait_signal (pid_t pid)
{
  int status;

  if (waitpid (pid, &status, 0) != pid)
    return -1;
  return WIFSIGNALED (status) ? WTERMSIG (status) : 0;
}

static struct hako_cgroup *
create_ok (const char *path, const char *resources, const char *what)
{
  cleanup_config struct oci_config *c = config (path, resources);
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_cgroup *cg = NULL;
  int r = c ? hako_cgroup_create (c, id, false, &cg, &err) : -1;

  ok (r == 0 && cg, "create %s%s%s", what, err.msg ? ": " : "", err.msg ? err.msg : "");
  hako_error_clear (&err);
  return cg;
}

static void
destroy_ok (struct hako_cgroup *cg, const char *path)
{
  struct hako_error err = HAKO_ERROR_INIT;

  ok (hako_cgroup_destroy (cg, &err) == 0, "destroy %s%s", path, err.msg ? err.msg : "");
  ok (gone_everywhere (path), "%s gone from every hierarchy", path);
  hako_error_clear (&err);
  hako_cgroup_free (cg);
}

/* ------------------------------------------------------------ cases */

static const char full_resources[]
    = "{\"memory\":{\"limit\":67108864,\"reservation\":33554432,\"swap\":134217728,"
      "\"swappiness\":10,\"kernelTCP\":16777216,\"disableOOMKiller\":true},"
      "\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000,\"burst\":1000,"
      "\"cpus\":\"0\",\"mems\":\"0\",\"idle\":0},"
      "\"pids\":{\"limit\":42},"
      "\"blockIO\":{\"weight\":300,\"throttleReadBpsDevice\":[{\"major\":%d,\"minor\":%d,"
      "\"rate\":1048576}]},"
      "\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],"
      "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
      "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":229,\"access\":\"rw\"}]}";

/* A block device of this machine for the throttle files. */
static void
block_device (int *maj, int *min)
{
  static const char *const candidates[] = { "/dev/vda", "/dev/sda", "/dev/loop0" };
  struct stat st;

  *maj = 7;
  *min = 0;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (candidates); i++)
    if (stat (candidates[i], &st) == 0 && S_ISBLK (st.st_mode))
      {
        *maj = (int)major (st.st_rdev);
        *min = (int)minor (st.st_rdev);
        return;
      }
}

static void
check_full_v1 (const char *p, int maj, int min)
{
  char bps[64];

  CHECK_FILE ("memory", p, "memory.limit_in_bytes", "67108864");
  CHECK_FILE ("memory", p, "memory.soft_limit_in_bytes", "33554432");
  CHECK_FILE ("memory", p, "memory.memsw.limit_in_bytes", "134217728");
  CHECK_FILE ("memory", p, "memory.swappiness", "10");
  CHECK_FILE ("memory", p, "memory.kmem.tcp.limit_in_bytes", "16777216");
  {
    cleanup_free char *oom = cgfile ("memory", p, "memory.oom_control");
    ok (strstr (oom, "oom_kill_disable 1") != NULL, "memory.oom_control: oom_kill_disable 1");
  }
  CHECK_FILE ("cpu", p, "cpu.shares", "512");
  CHECK_FILE ("cpu", p, "cpu.cfs_quota_us", "20000");
  CHECK_FILE ("cpu", p, "cpu.cfs_period_us", "100000");
  CHECK_FILE ("cpu", p, "cpu.cfs_burst_us", "1000");
  {
    cleanup_free char *w = cgfile ("blkio", p, "blkio.bfq.weight");
    ok (strstr (w, "300") != NULL, "blkio weight 300 (blkio.bfq.weight: %s)", w);
  }
  snprintf (bps, sizeof bps, "%d:%d 1048576", maj, min);
  CHECK_FILE ("blkio", p, "blkio.throttle.read_bps_device", bps);
  {
    cleanup_free char *list = cgfile ("devices", p, "devices.list");
    for (char *c = list; *c; c++)
      *c = *c == '\n' ? ',' : *c;
    ok (strstr (list, "a *:* rwm") == NULL && strstr (list, "c 1:3 rwm")
            && strstr (list, "c 136:* rwm") && strstr (list, "c 10:229 rw"),
        "devices.list: no blanket allow; defaults and the config's rule: %s", list);
  }
}

/* The same config on cgroup v2, converted. */
static void
check_full_v2 (const char *p, int maj, int min)
{
  char max[128];
  cleanup_free char *io = NULL;

  CHECK_FILE (V2, p, "memory.max", "67108864");
  CHECK_FILE (V2, p, "memory.low", "33554432");
  CHECK_FILE (V2, p, "memory.swap.max", "67108864");
  CHECK_FILE (V2, p, "cpu.weight", "59");
  CHECK_FILE (V2, p, "cpu.max", "20000 100000");
  CHECK_FILE (V2, p, "cpu.max.burst", "1000");
  io = cgfile (V2, p, "io.bfq.weight");
  if (strcmp (io, "<missing>") == 0)
    {
      free (io);
      io = cgfile (V2, p, "io.weight");
      ok (strstr (io, "default 2930") != NULL, "io.weight default 2930 (%s)", io);
    }
  else
    ok (strstr (io, "300") != NULL, "io.bfq.weight 300 (%s)", io);
  snprintf (max, sizeof max, "%d:%d rbps=1048576 wbps=max riops=max wiops=max", maj, min);
  CHECK_FILE (V2, p, "io.max", max);
}

static void
check_full_files (const char *p, int maj, int min)
{
  if (layout == HAKO_CGROUP_V2)
    check_full_v2 (p, maj, min);
  else
    check_full_v1 (p, maj, min);
  CHECK_FILE (hier ("cpuset"), p, "cpuset.cpus", "0");
  CHECK_FILE (hier ("cpuset"), p, "cpuset.mems", "0");
  CHECK_FILE (hier ("pids"), p, "pids.max", "42");
  CHECK_FILE (hier ("hugetlb"), p, "hugetlb.2MB.max", "4194304");
  CHECK_FILE (hier ("hugetlb"), p, "hugetlb.2MB.rsvd.max", "4194304");
}

/* In a child entered into CG: 0 if DEV opens, 1 for EPERM, 2 otherwise. */
static int
open_in (const struct hako_cgroup *cg, const char *dev, int flags)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      struct hako_error err = HAKO_ERROR_INIT;
      if (hako_cgroup_enter (cg, getpid (), &err) < 0)
        _exit (100);
      int fd = open (dev, flags | O_CLOEXEC);
      _exit (fd >= 0 ? 0 : errno == EPERM ? 1 : 2);
    }
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

static void
test_create_full (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/full", top);
  cleanup_free char *res = NULL;
  struct hako_cgroup *cg;
  int maj, min;

  block_device (&maj, &min);
  res = hako_strdup_printf (full_resources, maj, min);
  cg = create_ok (p, res, "with every resource this host has");
  if (cg == NULL)
    return;
  check_full_files (p, maj, min);
  ok (open_in (cg, "/dev/null", O_RDWR) == 0 && open_in (cg, "/dev/full", O_RDONLY) == 0,
      "devices: the defaults open inside");
  ok (open_in (cg, "/dev/kmsg", O_RDONLY) == 1, "devices: /dev/kmsg (1:11) does not (EPERM)");
  {
    cleanup_free char *s = hako_cgroup_serialize (cg);
    ok (s && strcmp (s, p) == 0, "serialized as one path: %s", s);
  }
  ok (hako_cgroup_v2_fd (cg) >= 0 && hako_cgroup_enter_needed (cg) == (layout != HAKO_CGROUP_V2),
      "a cgroup2 fd for CLONE_INTO_CGROUP; v1 hierarchies need entering: %s",
      layout != HAKO_CGROUP_V2 ? "yes" : "no");
  destroy_ok (cg, p);
}

static void
test_processes (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/procs", top);
  struct hako_cgroup *cg = create_ok (p, "{\"pids\":{\"limit\":10}}", "for processes");
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free pid_t *pids = NULL;
  bool frozen = true;
  size_t n = 0;
  pid_t child;

  if (cg == NULL)
    return;
  child = sleeper ();
  ok (hako_cgroup_enter (cg, child, &err) == 0, "enter the child %s", err.msg ? err.msg : "");
  ok (pid_in_procs (hier ("memory"), p, child) && pid_in_procs (hier ("systemd"), p, child)
          && pid_in_procs (V2, p, child) && pid_in_procs (hier ("pids"), p, child),
      "the child is in cgroup.procs of memory, name=systemd, pids and cgroup2");
  ok (hako_cgroup_pids (cg, &pids, &n, &err) == 0 && n == 1 && pids[0] == child,
      "pids lists it (%zu)", n);
  ok (hako_cgroup_freeze (cg, true, &err) == 0, "freeze %s", err.msg ? err.msg : "");
  if (layout == HAKO_CGROUP_V2)
    CHECK_FILE (V2, p, "cgroup.freeze", "1");
  else
    CHECK_FILE ("freezer", p, "freezer.state", "FROZEN");
  ok (hako_cgroup_is_frozen (cg, &frozen) == 0 && frozen, "is_frozen: yes");
  ok (hako_cgroup_freeze (cg, false, &err) == 0, "thaw %s", err.msg ? err.msg : "");
  if (layout == HAKO_CGROUP_V2)
    CHECK_FILE (V2, p, "cgroup.freeze", "0");
  else
    CHECK_FILE ("freezer", p, "freezer.state", "THAWED");
  ok (hako_cgroup_is_frozen (cg, &frozen) == 0 && !frozen, "is_frozen: no");
  ok (hako_cgroup_kill_all (cg, SIGTERM, &err) == 0 && wait_signal (child) == SIGTERM,
      "kill_all SIGTERM (freeze, kill, thaw) killed the child");
  child = sleeper ();
  hako_cgroup_enter (cg, child, &err);
  ok (hako_cgroup_freeze (cg, true, &err) == 0, "freeze a second child");
  hako_error_clear (&err);
  destroy_ok (cg, p);
  ok (wait_signal (child) == SIGKILL, "destroy killed the frozen child (delete --force of a "
                                      "paused container)");
}

/* clone3 (CLONE_INTO_CGROUP) on hako_cgroup_v2_fd: the child starts in
 * the container's cgroup2 directory, as the init will. */
static void
test_clone_into_cgroup (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/clone", top);
  struct hako_cgroup *cg = create_ok (p, "{}", "for clone3");
  struct clone_args args;
  int status;
  pid_t pid;

  if (cg == NULL)
    return;
  memset (&args, 0, sizeof args);
  args.flags = CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.cgroup = (uint64_t)hako_cgroup_v2_fd (cg);
  pid = (pid_t)syscall (SYS_clone3, &args, sizeof args);
  if (pid == 0)
    {
      char buf[4096] = "", want[128];
      int fd = open ("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
      snprintf (want, sizeof want, "0::%s\n", p);
      _exit (n > 0 && strstr (buf, want) ? 0 : 1);
    }
  ok (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status)
          && WEXITSTATUS (status) == 0,
      "a clone3 child with CLONE_INTO_CGROUP starts in 0::%s", p);
  destroy_ok (cg, p);
}

/* A process the container moved into a cgroup of its own below the
 * container's: still listed, and killed and removed with it. */
static void
test_subcgroups (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/sub", top);
  cleanup_free char *inner = hako_strdup_printf ("%s/sub/inner", top);
  struct hako_cgroup *cg = create_ok (p, "{}", "for sub-cgroups");
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free pid_t *pids = NULL;
  const char *moved[] = { V2, hier ("memory") };
  size_t n = 0;
  pid_t child;

  if (cg == NULL)
    return;
  child = sleeper ();
  hako_cgroup_enter (cg, child, &err);
  for (size_t i = 0; i < (strcmp (moved[0], moved[1]) ? 2u : 1u); i++)
    {
      cleanup_free char *d = hako_strdup_printf ("/sys/fs/cgroup/%s%s", moved[i], inner);
      cleanup_fd int fd = -1;
      char self[24];
      snprintf (self, sizeof self, "%d", (int)child);
      if (mkdir (d, 0755) < 0 || (fd = open (d, O_RDONLY | O_DIRECTORY)) < 0
          || hako_cgroup_try_write (fd, "cgroup.procs", self) < 0)
        diag ("%s: %s", d, strerror (errno));
    }
  ok (pid_in_procs (V2, inner, child) && !pid_in_procs (V2, p, child), "the child moved to %s",
      inner);
  ok (hako_cgroup_pids (cg, &pids, &n, &err) == 0 && n == 1 && pids[0] == child,
      "pids finds it below the container's cgroup (%zu)", n);
  destroy_ok (cg, p);
  ok (wait_signal (child) == SIGKILL, "destroy killed it");
  hako_error_clear (&err);
}

/* A later command sees the same cgroup through the state.json string; a
 * view of cgroup2 alone exercises cgroup.freeze and cgroup.kill. */
static void
test_load_and_v2_ops (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/load", top);
  cleanup_free char *v2only = hako_strdup_printf (":%s", p);
  struct hako_cgroup *cg = create_ok (p, "{}", "for load");
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_cgroup *again, *v2;
  cleanup_free char *s = NULL;
  cleanup_free pid_t *pids = NULL;
  bool frozen = false;
  size_t n = 0;
  pid_t child;

  if (cg == NULL)
    return;
  child = sleeper ();
  hako_cgroup_enter (cg, child, &err);
  s = hako_cgroup_serialize (cg);
  again = hako_cgroup_load (s, &err);
  ok (again && hako_cgroup_pids (again, &pids, &n, &err) == 0 && n == 1 && pids[0] == child,
      "loaded from \"%s\": same process", s);
  v2 = hako_cgroup_load (v2only, &err);
  ok (v2 && v2->n == 1 && v2->h[0].v2, "a cgroup2-only view loads");
  ok (v2 && hako_cgroup_freeze (v2, true, &err) == 0 && hako_cgroup_is_frozen (v2, &frozen) == 0
          && frozen,
      "v2 cgroup.freeze %s", err.msg ? err.msg : "");
  {
    cleanup_free char *ev = cgfile (V2, p, "cgroup.events");
    ok (strstr (ev, "frozen 1") != NULL, "cgroup.events says frozen 1");
  }
  ok (v2 && hako_cgroup_freeze (v2, false, &err) == 0, "v2 thaw");
  ok (v2 && hako_cgroup_kill_all (v2, SIGKILL, &err) == 0 && wait_signal (child) == SIGKILL,
      "v2 cgroup.kill killed the child %s", err.msg ? err.msg : "");
  hako_error_clear (&err);
  hako_cgroup_free (v2);
  destroy_ok (again, p);
  hako_cgroup_free (cg);
}

static void
test_update (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/update", top);
  struct hako_cgroup *cg
      = create_ok (p, "{\"memory\":{\"limit\":67108864,\"swap\":67108864}}", "for update");
  cleanup_config struct oci_config *u
      = config (NULL, "{\"memory\":{\"limit\":134217728,\"swap\":268435456},"
                      "\"pids\":{\"limit\":7},\"cpu\":{\"shares\":100}}");
  struct hako_error err = HAKO_ERROR_INIT;

  if (cg == NULL || u == NULL)
    return;
  ok (hako_cgroup_update (cg, u->linux->resources, &err) == 0,
      "update raising memory and memsw together %s", err.msg ? err.msg : "");
  if (layout == HAKO_CGROUP_V2)
    {
      CHECK_FILE (V2, p, "memory.max", "134217728");
      CHECK_FILE (V2, p, "memory.swap.max", "134217728");
      CHECK_FILE (V2, p, "cpu.weight", "17");
    }
  else
    {
      CHECK_FILE ("memory", p, "memory.limit_in_bytes", "134217728");
      CHECK_FILE ("memory", p, "memory.memsw.limit_in_bytes", "268435456");
      CHECK_FILE ("cpu", p, "cpu.shares", "100");
    }
  CHECK_FILE (hier ("pids"), p, "pids.max", "7");
  hako_error_clear (&err);
  destroy_ok (cg, p);
}

static void
check_create_fails (const char *path, const char *resources, const char *want)
{
  cleanup_config struct oci_config *c = config (path, resources);
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_cgroup *cg = NULL;
  int r = c ? hako_cgroup_create (c, id, false, &cg, &err) : 0;

  ok (r < 0 && cg == NULL && err.msg && strstr (err.msg, want), "refused with \"%s\": %s", want,
      err.msg ? err.msg : "(created)");
  hako_error_clear (&err);
  hako_cgroup_free (cg);
}

/* Real-time budget: the parent hako creates gets what the leaf asks for. */
static void
test_realtime (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/rt/leaf", top);
  cleanup_free char *parent = hako_strdup_printf ("%s/rt", top);
  struct hako_cgroup *cg;

  if (layout == HAKO_CGROUP_V2)
    {
      check_create_fails (p, "{\"cpu\":{\"realtimeRuntime\":10000}}",
                          "linux.resources.cpu.realtimeRuntime: cgroup v2 has no real-time");
      return;
    }
  if (access ("/sys/fs/cgroup/cpu/cpu.rt_runtime_us", F_OK) < 0)
    {
      skip ("no cpu.rt_runtime_us (CONFIG_RT_GROUP_SCHED off)");
      return;
    }
  cg = create_ok (p, "{\"cpu\":{\"realtimeRuntime\":10000,\"realtimePeriod\":1000000}}",
                  "with a real-time budget two levels down");
  if (cg == NULL)
    return;
  CHECK_FILE ("cpu", p, "cpu.rt_runtime_us", "10000");
  CHECK_FILE ("cpu", parent, "cpu.rt_runtime_us", "10000");
  destroy_ok (cg, p);
  remove_everywhere (parent);
}

/* Failures name the field and the file, and leave nothing behind (not even
 * the parents the call made). */
static void
test_failures (void)
{
  cleanup_free char *fresh = hako_strdup_printf ("%s-fail", top);
  cleanup_free char *p = hako_strdup_printf ("%s/a/b", fresh);

  check_create_fails (p, "{\"cpu\":{\"cpus\":\"99\"}}",
                      "linux.resources.cpu.cpus: cpuset.cpus: write \"99\"");
  ok (gone_everywhere (fresh), "nothing left of %s", fresh);
  check_create_fails (p, "{\"network\":{\"classID\":1}}",
                      "linux.resources.network.classID: no net_cls controller");
  if (layout == HAKO_CGROUP_HYBRID)
    check_create_fails (p, "{\"unified\":{\"memory.max\":\"1000\"}}",
                        "linux.resources.unified.memory.max: no such file in the container's "
                        "cgroup (is the memory controller enabled?)");
  else
    check_create_fails (p, "{\"unified\":{\"nosuch.max\":\"1000\"}}",
                        "linux.resources.unified.nosuch.max: no such file");
  check_create_fails (p, "{\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":1}]}",
                      "hugetlb.1GB.max: huge page size 1GB not supported");
  check_create_fails ("/", "{}", "resolves to the root cgroup");
  ok (gone_everywhere (fresh), "still nothing left of %s", fresh);
}

static void
test_unified_on_hybrid (void)
{
  cleanup_free char *p = hako_strdup_printf ("%s/unified", top);
  const char *key = layout == HAKO_CGROUP_V2 ? "memory.high" : "hugetlb.2MB.max";
  cleanup_free char *res = hako_strdup_printf ("{\"unified\":{\"%s\":\"2097152\"}}", key);
  struct hako_cgroup *cg = create_ok (p, res, "with a unified key");

  if (cg == NULL)
    return;
  CHECK_FILE (V2, p, key, "2097152");
  destroy_ok (cg, p);
}

/* Relative: below the caller's own cgroup in each hierarchy (runc's rule). */
static void
test_relative_and_default (void)
{
  cleanup_free char *rel = hako_strdup_printf ("hako-test-rel-%d", (int)getpid ());
  cleanup_free char *own = NULL;
  cleanup_free char *want = NULL;
  struct hako_cgroup *cg;
  bool had_default = cgdir_exists (hier ("memory"), HAKO_CGROUP_DEFAULT_PARENT);

  cg = create_ok (rel, "{}", "with a relative cgroupsPath");
  if (cg)
    {
      cleanup_free char *s = hako_cgroup_serialize (cg);
      const struct hako_cgroup_hier *h = hako_cgroup_find (cg, "memory", "memory");
      own = hako_strdup_printf ("%s", h ? h->path : "?");
      ok (h && strstr (h->path, rel) && cgdir_exists (hier ("memory"), h->path),
          "memory: %s (below the test's own memory cgroup)", h ? h->path : "?");
      for (char *c = s; c && *c; c++)
        *c = *c == '\n' ? ' ' : *c;
      diag ("serialized: %s", s);
      destroy_ok (cg, h ? h->path : "/nonexistent");
    }
  want = hako_strdup_printf ("%s/%s", HAKO_CGROUP_DEFAULT_PARENT, id);
  cg = create_ok (NULL, "{}", "without cgroupsPath");
  if (cg)
    {
      ok (cgdir_exists (hier ("memory"), want) && cgdir_exists (V2, want), "default: %s", want);
      destroy_ok (cg, want);
    }
  if (!had_default)
    remove_everywhere (HAKO_CGROUP_DEFAULT_PARENT);
}

/* Not root any more: no cgroup, and no failure when nothing is asked. */
static void
test_rootless (void)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      cleanup_config struct oci_config *none = config ("/hako-test-rootless", "{}");
      cleanup_config struct oci_config *mem
          = config ("/hako-test-rootless", "{\"pids\":{\"limit\":5}}");
      struct hako_error err = HAKO_ERROR_INIT;
      struct hako_cgroup *cg = NULL;
      if (setresgid (65534, 65534, 65534) < 0 || setresuid (65534, 65534, 65534) < 0)
        _exit (10);
      if (hako_cgroup_create (none, "t1", true, &cg, &err) < 0 || cg != NULL)
        _exit (11);
      if (hako_cgroup_create (mem, "t1", true, &cg, &err) == 0 || strstr (err.msg, "mkdir") == NULL)
        _exit (12);
      _exit (0);
    }
  ok (waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "rootless without permission: no cgroup without resources, an error with them (%d)",
      WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}

/* ------------------------------------------------------------ device filter */

/* In a child placed in cgroup2 directory DIRFD: which opens work. */
static int
try_open (int dirfd, const char *dev, int flags)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      char self[24];
      snprintf (self, sizeof self, "%d", (int)getpid ());
      if (hako_cgroup_try_write (dirfd, "cgroup.procs", self) < 0)
        _exit (100);
      int fd = open (dev, flags | O_CLOEXEC);
      _exit (fd >= 0 ? 0 : errno == EPERM ? 1 : 2);
    }
  if (waitpid (pid, &status, 0) != pid || !WIFEXITED (status))
    return -1;
  return WEXITSTATUS (status);
}

static void
test_bpf_devices (void)
{
  cleanup_free char *dir = hako_strdup_printf ("/sys/fs/cgroup/%s%s-bpf", V2, top);
  cleanup_fd int fd = -1;
  struct hako_error err = HAKO_ERROR_INIT;
  const struct hako_dev_rule strict[] = {
    { false, 'a', -1, -1, HAKO_DEV_ACC_ALL },
    { true, 'c', 1, 3, HAKO_DEV_ACC_ALL },                        /* null: all */
    { true, 'c', 1, -1, HAKO_DEV_ACC_READ },                      /* 1:*: read only */
    { false, 'c', 1, 9, HAKO_DEV_ACC_READ | HAKO_DEV_ACC_WRITE }, /* but not urandom */
  };
  const struct hako_dev_rule open_all[] = {
    { true, 'a', -1, -1, HAKO_DEV_ACC_ALL },
    { false, 'c', 1, 5, HAKO_DEV_ACC_WRITE }, /* zero: no writing */
  };

  if (mkdir (dir, 0755) < 0 || (fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    {
      skip ("cannot make %s: %s", dir, strerror (errno));
      return;
    }
  ok (hako_cgroup_bpf_devices (fd, strict, HAKO_ARRAY_SIZE (strict), &err) == 0,
      "device filter attached %s", err.msg ? err.msg : "");
  ok (try_open (fd, "/dev/null", O_RDWR) == 0, "null rw allowed");
  ok (try_open (fd, "/dev/zero", O_RDONLY) == 0, "zero r allowed (c 1:* r)");
  ok (try_open (fd, "/dev/zero", O_WRONLY) == 1, "zero w denied (EPERM)");
  ok (try_open (fd, "/dev/urandom", O_RDONLY) == 1, "urandom r denied by the later deny rule");
  ok (try_open (fd, "/dev/tty", O_RDONLY) != 0, "tty (5:0) denied by default");
  ok (hako_cgroup_bpf_devices (fd, open_all, HAKO_ARRAY_SIZE (open_all), &err) == 0,
      "second filter replaces the first %s", err.msg ? err.msg : "");
  ok (try_open (fd, "/dev/urandom", O_RDONLY) == 0, "urandom allowed now");
  ok (try_open (fd, "/dev/zero", O_RDONLY) == 0 && try_open (fd, "/dev/zero", O_WRONLY) == 1,
      "allow all but zero w");
  hako_error_clear (&err);
  close (fd);
  fd = -1;
  ok (rmdir (dir) == 0, "filter cgroup removed");
}

int
main (void)
{
  struct hako_error err = HAKO_ERROR_INIT;

  snprintf (top, sizeof top, "/hako-test-%d", (int)getpid ());
  snprintf (id, sizeof id, "hako-test-%d", (int)getpid ());
  if (geteuid () != 0)
    {
      skip ("needs root (creates cgroups)");
      return tap_done ();
    }
  if (hako_cgroup_layout_detect (&layout, &err) < 0)
    {
      skip ("no cgroup layout: %s", err.msg);
      return tap_done ();
    }
  diag ("layout: %s", hako_cgroup_layout_name (layout));
  if (layout == HAKO_CGROUP_V1)
    {
      skip ("v1 without cgroup2: these cases expect hugetlb and the device filter on cgroup2");
      return tap_done ();
    }
  V2 = layout == HAKO_CGROUP_V2 ? "" : "unified";
  test_create_full ();
  test_processes ();
  test_subcgroups ();
  test_clone_into_cgroup ();
  test_load_and_v2_ops ();
  test_update ();
  test_realtime ();
  test_failures ();
  test_unified_on_hybrid ();
  test_relative_and_default ();
  test_rootless ();
  test_bpf_devices ();
  remove_everywhere (top);
  ok (gone_everywhere (top), "%s removed", top);
  return tap_done ();
}

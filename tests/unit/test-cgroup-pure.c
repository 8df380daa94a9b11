/* The cgroup driver without touching the host's cgroups: path cleaning and
 * resolution, hierarchy discovery from given /proc/self/cgroup and
 * mountinfo, the state.json string, the v1 -> v2 conversions, the device
 * rule list, and the v1 and v2 resource writers run against a fake cgroup
 * directory (plain files in a tmpdir) so that every file name, value and
 * write order is checked, including cgroup v2 on a host that has none. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "mountinfo.h"
#include "oci.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/hako-test-cgroup-pure-XXXXXX";
static int fake = -1; /* the fake cgroup directory */
static char transcript[8192];

static void
observe (const char *file, const char *value)
{
  size_t n = strlen (transcript);
  snprintf (transcript + n, sizeof transcript - n, "%s=%s;", file, value);
}

/* ------------------------------------------------------------ paths */

static void
check_clean (const char *in, bool abs, const char *want)
{
  cleanup_free char *got = hako_cgroup_clean_path (in, abs);
  ok (strcmp (got, want) == 0, "clean \"%s\" (%s) -> \"%s\" (got \"%s\")", in,
      abs ? "absolute" : "relative", want, got);
}

static void
check_resolve (const char *path, const char *own, const char *want)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *got = NULL;
  int r = hako_cgroup_resolve_path (path, "c1", own, &got, &err);

  if (want[0] == '!')
    ok (r < 0 && err.msg && strstr (err.msg, want + 1), "resolve %.*s (own %s) fails with \"%s\"",
        path ? (int)strcspn (path, "\n") : 4, path ? path : "NULL", own ? own : "NULL", want + 1);
  else
    ok (r == 0 && strcmp (got, want) == 0, "resolve %s (own %s) -> %s (got %s)",
        path ? path : "NULL", own ? own : "NULL", want, got ? got : err.msg);
  hako_error_clear (&err);
}

static void
test_paths (void)
{
  check_clean ("/a//b/./c/", true, "/a/b/c");
  check_clean ("/../a/..", true, "/");
  check_clean ("a/../../b", false, "b");
  check_clean ("../../..", false, "");
  check_clean ("", true, "/");

  check_resolve ("/foo/bar", "/x", "/foo/bar");
  check_resolve ("/foo/../../bar", "/", "/bar");
  check_resolve ("foo", "/process_api/abc", "/process_api/abc/foo");
  check_resolve ("../../etc", "/a", "/a/etc");
  check_resolve (NULL, "/", HAKO_CGROUP_DEFAULT_PARENT "/c1");
  check_resolve ("", "/x", HAKO_CGROUP_DEFAULT_PARENT "/c1");
  check_resolve ("/", "/", "!resolves to the root cgroup");
  check_resolve ("..", "/", "!resolves to the root cgroup");
  check_resolve (".", "/a/b", "!contains hako's own cgroup");
  check_resolve ("/a", "/a/b", "!contains hako's own cgroup");
  check_resolve ("x", NULL, "!relative");
  check_resolve ("/a\nb", "/", "!newline");
}

/* ------------------------------------------------------------ hierarchies */

static struct hako_mountinfo_entry mounts[] = {
  { "/", "/sys/fs/cgroup/cpu,cpuacct", "cgroup", "cgroup", "rw,cpu,cpuacct" },
  { "/", "/sys/fs/cgroup/systemd", "cgroup", "cgroup", "rw,xattr,name=systemd" },
  { "/", "/sys/fs/cgroup/unified", "cgroup2", "cgroup2", "rw,nsdelegate" },
  { "/", "/mnt/other", "cgroup", "cgroup", "rw,memory" }, /* not below /sys/fs/cgroup */
  { "/docker/abc", "/sys/fs/cgroup/pids", "cgroup", "cgroup", "rw,pids" },
  { "/docker/abc", "/sys/fs/cgroup/blkio", "cgroup", "cgroup", "rw,blkio" },
};

static const char proc_cgroup[] = "5:blkio:/elsewhere\n"
                                  "4:pids:/docker/abc/sub\n"
                                  "3:memory:/m\n"
                                  "2:cpu,cpuacct:/\n"
                                  "1:name=systemd:/user:with:colons\n"
                                  "0::/unified/own\n";

static const struct hako_cgroup_mount *
mount_for (const struct hako_cgroup_mount *m, size_t n, const char *controllers)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (m[i].controllers, controllers) == 0)
      return &m[i];
  return NULL;
}

static void
test_mounts (void)
{
  struct hako_mountinfo mi = { mounts, HAKO_ARRAY_SIZE (mounts), NULL };
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_cgroup_mount *m = NULL;
  const struct hako_cgroup_mount *x;
  size_t n = 0;

  ok (hako_cgroup_mounts_parse (HAKO_CGROUP_HYBRID, proc_cgroup, &mi, &m, &n, &err) == 0 && n == 5,
      "hybrid: 5 hierarchies (memory is mounted elsewhere only), got %zu", n);
  x = mount_for (m, n, "cpu,cpuacct");
  ok (x && !x->v2 && strcmp (x->mountpoint, "/sys/fs/cgroup/cpu,cpuacct") == 0
          && strcmp (x->own, "/") == 0,
      "co-mounted cpu,cpuacct found with own /");
  x = mount_for (m, n, "name=systemd");
  ok (x && strcmp (x->own, "/user:with:colons") == 0, "named hierarchy, path with colons");
  x = mount_for (m, n, "");
  ok (x && x->v2 && strcmp (x->mountpoint, "/sys/fs/cgroup/unified") == 0
          && strcmp (x->own, "/unified/own") == 0,
      "cgroup2 at /sys/fs/cgroup/unified");
  x = mount_for (m, n, "pids");
  ok (x && strcmp (x->own, "/sub") == 0, "own path relative to the mount's root (got %s)",
      x && x->own ? x->own : "NULL");
  x = mount_for (m, n, "blkio");
  ok (x && x->own == NULL, "own cgroup outside the mount's root: unknown");
  hako_cgroup_mounts_free (m, n);

  ok (hako_cgroup_mounts_parse (HAKO_CGROUP_V1, proc_cgroup, &mi, &m, &n, &err) == 0 && n == 4
          && mount_for (m, n, "") == NULL,
      "v1: the cgroup2 line is ignored");
  hako_cgroup_mounts_free (m, n);
  ok (hako_cgroup_mounts_parse (HAKO_CGROUP_V2, "0::/\n", &mi, &m, &n, &err) < 0
          && strstr (err.msg, "no cgroup hierarchy"),
      "v2 without a cgroup2 mount at /sys/fs/cgroup: %s", err.msg);
  hako_error_clear (&err);
}

/* ------------------------------------------------------------ state.json */

static void
test_serialize (void)
{
  struct hako_cgroup_entry same[] = { { "memory", "/hako/a" }, { "", "/hako/a" } };
  struct hako_cgroup_entry diff[]
      = { { "memory", "/m/a" }, { "name=systemd", "/a" }, { "", "/a" } };
  cleanup_free char *s1 = hako_cgroup_serialize_entries (same, 2);
  cleanup_free char *s2 = hako_cgroup_serialize_entries (diff, 3);
  struct hako_cgroup_entry *e = NULL;
  struct hako_error err = HAKO_ERROR_INIT;
  size_t n = 0;

  ok (strcmp (s1, "/hako/a") == 0, "one path for all: \"%s\"", s1);
  ok (strcmp (s2, "memory:/m/a\nname=systemd:/a\n:/a") == 0, "per hierarchy lines");
  ok (hako_cgroup_parse_entries (s2, &e, &n, &err) == 0 && n == 3
          && strcmp (e[1].controllers, "name=systemd") == 0 && strcmp (e[2].controllers, "") == 0
          && strcmp (e[2].path, "/a") == 0,
      "lines parse back");
  hako_cgroup_entries_free (e, n);
  ok (hako_cgroup_parse_entries (s1, &e, &n, &err) == 0 && n == 1 && e[0].controllers == NULL,
      "one path parses back");
  hako_cgroup_entries_free (e, n);
  ok (hako_cgroup_parse_entries ("memory=/x", &e, &n, &err) < 0, "garbage refused: %s", err.msg);
  hako_error_clear (&err);
}

/* ------------------------------------------------------------ conversions */

static void
check_cpu_max (bool hq, int64_t q, bool hp, uint64_t p, const char *cur, const char *want)
{
  struct oci_cpu c = { 0 };
  char buf[64] = "";
  bool r;

  c.has_quota = hq;
  c.quota = q;
  c.has_period = hp;
  c.period = p;
  r = hako_cgroup_cpu_max (&c, cur, buf, sizeof buf);
  ok (want ? r && strcmp (buf, want) == 0 : !r, "cpu.max -> %s (got %s)", want ? want : "none",
      buf);
}

static void
check_swap (int64_t swap, int64_t limit, const char *want)
{
  char buf[32] = "";
  const char *why = NULL;
  int r = hako_cgroup_v2_swap (swap, limit, buf, sizeof buf, &why);

  if (want)
    ok (r == 0 && strcmp (buf, want) == 0, "swap %lld limit %lld -> %s (got %s)", (long long)swap,
        (long long)limit, want, buf);
  else
    ok (r < 0 && why, "swap %lld limit %lld refused: %s", (long long)swap, (long long)limit, why);
}

static void
test_conversions (void)
{
  char buf[32];

  ok (hako_cgroup_shares_to_weight (0) == 0, "shares 0: unset");
  ok (hako_cgroup_shares_to_weight (2) == 1, "shares 2 -> weight 1");
  ok (hako_cgroup_shares_to_weight (1024) == 100, "shares 1024 -> weight 100 (the defaults)");
  ok (hako_cgroup_shares_to_weight (262144) == 10000, "shares 262144 -> weight 10000");
  ok (hako_cgroup_shares_to_weight (1) == 1 && hako_cgroup_shares_to_weight (1000000) == 10000,
      "shares outside [2, 262144] are clamped");
  ok (hako_cgroup_shares_to_weight (512) == 59 && hako_cgroup_shares_to_weight (2048) == 174,
      "shares 512 -> 59, 2048 -> 174");
  ok (hako_cgroup_blkio_to_io_weight (10) == 1 && hako_cgroup_blkio_to_io_weight (1000) == 10000
          && hako_cgroup_blkio_to_io_weight (500) == 4950,
      "blkio weight 10/500/1000 -> io.weight 1/4950/10000");
  check_cpu_max (true, 50000, true, 100000, NULL, "50000 100000");
  check_cpu_max (true, -1, true, 100000, NULL, "max 100000");
  check_cpu_max (true, 50000, false, 0, NULL, "50000");
  check_cpu_max (false, 0, true, 50000, "20000", "20000 50000");
  check_cpu_max (false, 0, false, 0, NULL, NULL);
  check_swap (-1, 100, "max");
  check_swap (300, 100, "200");
  check_swap (100, 100, "0");
  check_swap (100, -1, NULL);
  check_swap (50, 100, NULL);
  hako_cgroup_pids_max (0, buf, sizeof buf);
  ok (strcmp (buf, "max") == 0, "pids limit 0 -> max");
  hako_cgroup_pids_max (-1, buf, sizeof buf);
  ok (strcmp (buf, "max") == 0, "pids limit -1 -> max");
  hako_cgroup_pids_max (42, buf, sizeof buf);
  ok (strcmp (buf, "42") == 0, "pids limit 42");
  hako_cgroup_v2_bytes (-1, buf, sizeof buf);
  ok (strcmp (buf, "max") == 0, "memory -1 -> max on v2");
}

/* ------------------------------------------------------------ devices */

static struct oci_config *
parse_config (const char *linux_json)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *text
      = hako_strdup_printf ("{\"ociVersion\":\"1.3.0\",\"linux\":%s}", linux_json);
  struct oci_config *c = oci_config_parse (text, strlen (text), &err);

  if (c == NULL)
    diag ("config: %s", err.msg);
  hako_error_clear (&err);
  return c;
}

static void
test_device_rules (void)
{
  cleanup_config struct oci_config *c = parse_config (
      "{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
      "{\"allow\":true,\"type\":\"c\",\"major\":10,\"access\":\"r\"},"
      "{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"w\"}]},"
      "\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"major\":10,\"minor\":229},"
      "{\"type\":\"p\",\"path\":\"/dev/fifo\"},"
      "{\"type\":\"b\",\"path\":\"/dev/sda\",\"major\":8,\"minor\":0}]}");
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_dev_rule *r = NULL;
  char s[64] = "";
  size_t n = 0;

  ok (c && hako_cgroup_device_rules (c, &r, &n, &err) == 0, "device rules built");
  ok (n == 1 + 3 + 9 + 2, "deny all + 3 rules + 9 defaults + 2 devices (fifo skipped): %zu", n);
  if (n < 15)
    return;
  hako_cgroup_dev_rule_string (&r[0], s, sizeof s);
  ok (!r[0].allow && strcmp (s, "a") == 0, "first: deny all (\"%s\")", s);
  hako_cgroup_dev_rule_string (&r[2], s, sizeof s);
  ok (r[2].allow && strcmp (s, "c 10:* r") == 0, "config rule in order: \"%s\"", s);
  hako_cgroup_dev_rule_string (&r[3], s, sizeof s);
  ok (!r[3].allow && strcmp (s, "b 8:0 w") == 0, "deny rule kept: \"%s\"", s);
  hako_cgroup_dev_rule_string (&r[4], s, sizeof s);
  ok (r[4].allow && strcmp (s, "c 1:3 rwm") == 0, "defaults follow (/dev/null): \"%s\"", s);
  hako_cgroup_dev_rule_string (&r[12], s, sizeof s);
  ok (strcmp (s, "c 136:* rwm") == 0, "ptys: \"%s\"", s);
  hako_cgroup_dev_rule_string (&r[13], s, sizeof s);
  ok (strcmp (s, "c 10:229 rwm") == 0, "linux.devices allowed: \"%s\"", s);
  hako_cgroup_dev_rule_string (&r[14], s, sizeof s);
  ok (strcmp (s, "b 8:0 rwm") == 0, "block device allowed: \"%s\"", s);
  free (r);
}

/* ------------------------------------------------------------ fake cgroup dirs */

static void
fake_reset (const char *const *files)
{
  if (fake >= 0)
    close (fake);
  cleanup_free char *cmd = hako_strdup_printf ("rm -rf %s/d && mkdir %s/d", tmpdir, tmpdir);
  if (system (cmd) != 0)
    abort ();
  cleanup_free char *d = hako_strdup_printf ("%s/d", tmpdir);
  fake = open (d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (; files && *files; files += 2)
    {
      int fd = openat (fake, files[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || hako_write_all (fd, files[1], strlen (files[1])) < 0)
        abort ();
      close (fd);
    }
  transcript[0] = '\0';
}

/* Run WRITER on the fake dir; "" when it succeeds, else its message. */
static struct hako_error last_err;

static int
run (int (*fn) (const struct hako_cgroup_apply *, const void *), const void *what, bool update)
{
  struct hako_cgroup_apply a = { fake, update, &last_err };
  hako_error_clear (&last_err);
  return fn (&a, what);
}

#define RUN(fn, what, update)                                                                      \
  run ((int (*) (const struct hako_cgroup_apply *, const void *))fn, what, update)

static const char *const v2_memory_files[]
    = { "memory.max", "max", "memory.swap.max", "max", "memory.low", "0", "memory.current",
        "5000",       NULL };

static void
test_v2_memory (void)
{
  struct oci_memory m = { 0 };

  fake_reset (v2_memory_files);
  m.has_limit = m.has_swap = m.has_reservation = m.has_swappiness = true;
  m.limit = 100 << 20;
  m.swap = 300 << 20;
  m.reservation = 50 << 20;
  m.swappiness = 10;
  ok (RUN (hako_cgroup_v2_memory, &m, false) == 0
          && strcmp (transcript, "memory.max=104857600;memory.swap.max=209715200;"
                                 "memory.low=52428800;")
                 == 0,
      "v2 memory: max, swap.max = swap - limit, low; swappiness only warned (%s)", transcript);

  fake_reset (v2_memory_files);
  m = (struct oci_memory){ 0 };
  m.has_swap = true;
  m.swap = 1000;
  ok (RUN (hako_cgroup_v2_memory, &m, true) < 0 && strstr (last_err.msg, "needs a memory limit"),
      "swap without any memory limit: %s", last_err.msg);

  const char *const limited[] = { "memory.max", "400\n", "memory.swap.max", "max", NULL };
  fake_reset (limited);
  ok (RUN (hako_cgroup_v2_memory, &m, true) == 0
          && strcmp (transcript, "memory.swap.max=600;") == 0,
      "swap on update: against the current memory.max (%s)", transcript);

  const char *const no_swap[] = { "memory.max", "max", NULL };
  fake_reset (no_swap);
  ok (RUN (hako_cgroup_v2_memory, &m, true) < 0
          && strstr (last_err.msg, "linux.resources.memory.swap: memory.swap.max: not supported")
          && strstr (last_err.msg, "swap accounting off"),
      "no memory.swap.max: %s", last_err.msg);

  fake_reset (v2_memory_files);
  m = (struct oci_memory){ 0 };
  m.has_limit = m.check_before_update = m.has_check_before_update = true;
  m.limit = 1000;
  ok (RUN (hako_cgroup_v2_memory, &m, true) < 0
          && strstr (last_err.msg, "below the current usage 5000"),
      "checkBeforeUpdate refuses a limit below memory.current: %s", last_err.msg);
  ok (RUN (hako_cgroup_v2_memory, &m, false) == 0, "... but only on update");

  fake_reset (v2_memory_files);
  m = (struct oci_memory){ 0 };
  m.has_limit = true;
  m.limit = -1;
  ok (RUN (hako_cgroup_v2_memory, &m, false) == 0
          && strcmp (transcript, "memory.max=max;memory.swap.max=max;") == 0,
      "limit -1: memory and swap unlimited (%s)", transcript);
}

static void
test_v2_cpu (void)
{
  const char *const files[]
      = { "cpu.weight", "100", "cpu.max", "20000 100000\n", "cpu.max.burst", "0",
          "cpu.idle",   "0",   NULL };
  struct oci_cpu c = { 0 };

  fake_reset (files);
  c.has_shares = c.has_quota = c.has_period = c.has_burst = c.has_idle = true;
  c.shares = 1024;
  c.quota = 50000;
  c.period = 100000;
  c.burst = 1000;
  c.idle = 1;
  ok (RUN (hako_cgroup_v2_cpu, &c, false) == 0
          && strcmp (transcript, "cpu.weight=100;cpu.max=50000 100000;cpu.max.burst=1000;"
                                 "cpu.idle=1;")
                 == 0,
      "v2 cpu: weight, max, burst, idle (%s)", transcript);

  fake_reset (files);
  c = (struct oci_cpu){ 0 };
  c.has_period = true;
  c.period = 50000;
  ok (RUN (hako_cgroup_v2_cpu, &c, true) == 0 && strcmp (transcript, "cpu.max=20000 50000;") == 0,
      "period alone keeps the quota (%s)", transcript);

  c = (struct oci_cpu){ 0 };
  c.has_realtime_runtime = true;
  c.realtime_runtime = 1000;
  ok (RUN (hako_cgroup_v2_cpu, &c, false) < 0
          && strstr (last_err.msg, "linux.resources.cpu.realtimeRuntime"),
      "real-time on v2 refused: %s", last_err.msg);
}

static void
test_v2_io (void)
{
  const char *const plain[] = { "io.weight", "default 100", "io.max", "", NULL };
  const char *const bfq[] = { "io.bfq.weight", "default 100", "io.max", "", NULL };
  struct oci_weight_device wd = { .major = 8, .minor = 0, .weight = 10, .has_weight = true };
  struct oci_throttle_device td[2] = { { .major = 8, .minor = 16, .rate = 1000, .has_rate = true },
                                       { .major = 8, .minor = 0, .rate = 0, .has_rate = true } };
  struct oci_block_io b = { 0 };

  b.has_weight = true;
  b.weight = 500;
  b.weight_device = &wd;
  b.weight_device_len = 1;
  b.throttle_read_bps_device = td;
  b.throttle_read_bps_device_len = 2;
  b.throttle_write_iops_device = td;
  b.throttle_write_iops_device_len = 1;
  fake_reset (plain);
  ok (RUN (hako_cgroup_v2_io, &b, false) == 0
          && strcmp (transcript, "io.weight=default 4950;io.weight=8:0 1;io.max=8:16 rbps=1000;"
                                 "io.max=8:0 rbps=max;io.max=8:16 wiops=1000;")
                 == 0,
      "v2 io: converted weights, io.max per device and key (%s)", transcript);
  fake_reset (bfq);
  b.throttle_read_bps_device_len = b.throttle_write_iops_device_len = 0;
  ok (RUN (hako_cgroup_v2_io, &b, false) == 0
          && strcmp (transcript, "io.bfq.weight=500;io.bfq.weight=8:0 10;") == 0,
      "v2 io with BFQ: blkio's own range (%s)", transcript);
  b.has_leaf_weight = true;
  b.leaf_weight = 100;
  ok (RUN (hako_cgroup_v2_io, &b, false) < 0
          && strstr (last_err.msg, "linux.resources.blockIO.leafWeight"),
      "leaf weight on v2 refused: %s", last_err.msg);
}

static void
test_v2_hugetlb_unified (void)
{
  const char *const files[]
      = { "hugetlb.2MB.max", "max", "hugetlb.2MB.rsvd.max", "max", "memory.high", "max", NULL };
  struct oci_hugepage_limit l[2] = { { .page_size = "2MB", .limit = 4194304, .has_limit = true },
                                     { .page_size = "1GB", .limit = 1, .has_limit = true } };
  char *keys[] = { "memory.high", "../escape", "a/b", "pids.max" };
  char *values[] = { "1000", "1", "1", "5" };
  struct oci_strmap u = { keys, values, 1 };

  fake_reset (files);
  ok (hako_cgroup_v2_hugetlb (&(struct hako_cgroup_apply){ fake, false, &last_err }, l, 1) == 0
          && strcmp (transcript, "hugetlb.2MB.max=4194304;hugetlb.2MB.rsvd.max=4194304;") == 0,
      "hugetlb max and rsvd.max (%s)", transcript);
  ok (hako_cgroup_v2_hugetlb (&(struct hako_cgroup_apply){ fake, false, &last_err }, l + 1, 1) < 0
          && strstr (last_err.msg, "hugepageLimits[0].limit: hugetlb.1GB.max: huge page size "
                                   "1GB not supported"),
      "unknown page size: %s", last_err.msg);
  hako_error_clear (&last_err);
  transcript[0] = '\0';
  ok (RUN (hako_cgroup_v2_unified, &u, false) == 0 && strcmp (transcript, "memory.high=1000;") == 0,
      "unified key written (%s)", transcript);
  for (size_t i = 1; i < 4; i++)
    {
      struct oci_strmap one = { keys + i, values + i, 1 };
      ok (RUN (hako_cgroup_v2_unified, &one, false) < 0
              && strstr (last_err.msg, "linux.resources.unified."),
          "unified key \"%s\" refused: %s", keys[i], last_err.msg);
    }
}

static void
test_v1_writers (void)
{
  const char *const files[] = { "memory.limit_in_bytes",
                                "9223372036854771712",
                                "memory.memsw.limit_in_bytes",
                                "9223372036854771712",
                                "memory.usage_in_bytes",
                                "5000",
                                "cpu.cfs_period_us",
                                "100000",
                                "cpu.cfs_quota_us",
                                "-1",
                                "cpu.cfs_burst_us",
                                "0",
                                NULL };
  struct oci_memory m = { 0 };
  struct oci_cpu c = { 0 };

  fake_reset (files);
  m.has_limit = m.has_swap = true;
  m.limit = 1000000;
  m.swap = 2000000;
  ok (RUN (hako_cgroup_v1_memory, &m, false) == 0
          && strcmp (transcript,
                     "memory.limit_in_bytes=1000000;memory.memsw.limit_in_bytes=2000000;")
                 == 0,
      "v1 memory: limit then memsw (%s)", transcript);
  m.has_check_before_update = m.check_before_update = true;
  m.limit = 4000;
  ok (RUN (hako_cgroup_v1_memory, &m, true) < 0 && strstr (last_err.msg, "checkBeforeUpdate"),
      "v1 checkBeforeUpdate: %s", last_err.msg);
  const char *const no_memsw[] = { "memory.limit_in_bytes", "1", NULL };
  fake_reset (no_memsw);
  m = (struct oci_memory){ .has_swap = true, .swap = 1000 };
  ok (RUN (hako_cgroup_v1_memory, &m, false) < 0
          && strcmp (last_err.msg, "linux.resources.memory.swap: memory.memsw.limit_in_bytes: "
                                   "not supported by this kernel (swap accounting off)")
                 == 0,
      "v1 swap without swap accounting: %s", last_err.msg);

  fake_reset (files);
  c.has_quota = c.has_period = c.has_burst = true;
  c.quota = 50000;
  c.period = 200000;
  c.burst = 100;
  ok (RUN (hako_cgroup_v1_cpu, &c, false) == 0
          && strcmp (transcript, "cpu.cfs_period_us=200000;cpu.cfs_quota_us=50000;"
                                 "cpu.cfs_burst_us=100;")
                 == 0,
      "v1 cpu: period, quota, burst (%s)", transcript);
}

static void
test_v1_other (void)
{
  const char *const files[] = { "net_cls.classid",
                                "0",
                                "net_prio.ifpriomap",
                                "",
                                "rdma.max",
                                "",
                                "blkio.bfq.weight",
                                "100",
                                "blkio.bfq.weight_device",
                                "",
                                "blkio.throttle.write_iops_device",
                                "",
                                "hugetlb.2MB.limit_in_bytes",
                                "0",
                                "devices.allow",
                                "",
                                "devices.deny",
                                "",
                                NULL };
  struct oci_interface_priority prio[2] = { { .name = "eth0", .priority = 5, .has_priority = true },
                                            { .name = "lo", .priority = 1, .has_priority = true } };
  struct oci_network net
      = { .class_id = 0x100001, .has_class_id = true, .priorities = prio, .priorities_len = 2 };
  struct oci_rdma rd = { .hca_handles = 2, .has_hca_handles = true };
  char *rkeys[] = { "mlx4_0" };
  struct oci_resources res = { 0 };
  struct oci_weight_device wd = { .major = 8, .minor = 0, .weight = 200, .has_weight = true };
  struct oci_throttle_device td = { .major = 8, .minor = 0, .rate = 50, .has_rate = true };
  struct oci_block_io b = { .weight = 300,
                            .has_weight = true,
                            .weight_device = &wd,
                            .weight_device_len = 1,
                            .throttle_write_iops_device = &td,
                            .throttle_write_iops_device_len = 1 };
  struct oci_hugepage_limit hl = { .page_size = "2MB", .limit = 2097152, .has_limit = true };
  struct hako_dev_rule rules[3] = { { false, 'a', -1, -1, HAKO_DEV_ACC_ALL },
                                    { true, 'c', 1, 3, HAKO_DEV_ACC_ALL },
                                    { false, 'b', 8, -1, HAKO_DEV_ACC_WRITE } };
  struct hako_cgroup_apply a = { -1, false, &last_err };

  fake_reset (files);
  a.dirfd = fake;
  res.rdma.keys = rkeys;
  res.rdma.values = &rd;
  res.rdma.len = 1;
  ok (hako_cgroup_v1_net_cls (&a, &net) == 0 && hako_cgroup_v1_net_prio (&a, &net) == 0
          && hako_cgroup_rdma (&a, &res) == 0
          && strcmp (transcript, "net_cls.classid=1048577;net_prio.ifpriomap=eth0 5;"
                                 "net_prio.ifpriomap=lo 1;rdma.max=mlx4_0 hca_handle=2 "
                                 "hca_object=max;")
                 == 0,
      "net_cls, net_prio, rdma (%s)", transcript);
  transcript[0] = '\0';
  ok (hako_cgroup_v1_blkio (&a, &b) == 0
          && strcmp (transcript, "blkio.bfq.weight=300;blkio.bfq.weight_device=8:0 200;"
                                 "blkio.throttle.write_iops_device=8:0 50;")
                 == 0,
      "v1 blkio through BFQ's files (%s)", transcript);
  transcript[0] = '\0';
  ok (hako_cgroup_v1_hugetlb (&a, &hl, 1) == 0
          && strcmp (transcript, "hugetlb.2MB.limit_in_bytes=2097152;") == 0,
      "v1 hugetlb without rsvd files (%s)", transcript);
  transcript[0] = '\0';
  ok (hako_cgroup_v1_devices (&a, rules, 3) == 0
          && strcmp (transcript, "devices.deny=a;devices.allow=c 1:3 rwm;devices.deny=b 8:* w;")
                 == 0,
      "v1 devices: deny all first, then the rules in order (%s)", transcript);
  b.has_leaf_weight = true;
  b.leaf_weight = 10;
  ok (hako_cgroup_v1_blkio (&a, &b) < 0
          && strstr (last_err.msg, "linux.resources.blockIO.leafWeight: blkio.leaf_weight: write "
                                   "\"10\": not supported by this host"),
      "v1 leaf weight without CFQ: %s", last_err.msg);
  hako_error_clear (&last_err);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    return 1;
  hako_cgroup_write_observer = observe;
  test_paths ();
  test_mounts ();
  test_serialize ();
  test_conversions ();
  test_device_rules ();
  test_v2_memory ();
  test_v2_cpu ();
  test_v2_io ();
  test_v2_hugetlb_unified ();
  test_v1_writers ();
  test_v1_other ();
  hako_error_clear (&last_err);
  {
    cleanup_free char *cmd = hako_strdup_printf ("rm -rf %s", tmpdir);
    if (system (cmd) != 0)
      diag ("could not remove %s", tmpdir);
  }
  return tap_done ();
}

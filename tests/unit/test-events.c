/* hako events without a container: Go durations (--interval), the cgroup
 * statistics parsers on sample file contents of each kernel format, the
 * collection from fake v1 and cgroup2 directories (plain files in a
 * tmpdir, so cgroup v2 is covered on a host without it), the JSON runc
 * prints, and the --cgroup argument checks of exec. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup-stats.h"
#include "options.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/hako-test-events-XXXXXX";

/* TMPDIR/REL in a static buffer. */
static const char *
in_tmp (const char *rel)
{
  static char buf[256];

  snprintf (buf, sizeof buf, "%s/%s", tmpdir, rel);
  return buf;
}

/* ------------------------------------------------------------ durations */

static void
check_duration (const char *s, int64_t want)
{
  int64_t got = 12345;
  int r = hako_duration_parse (s, &got);

  ok (r == 0 && got == want, "duration \"%s\" = %" PRId64 " ns (got %d, %" PRId64 ")", s, want, r,
      got);
}

static void
check_bad_duration (const char *s)
{
  int64_t got = 0;

  ok (hako_duration_parse (s, &got) < 0, "duration \"%s\" is refused", s);
}

static void
test_durations (void)
{
  check_duration ("5s", 5000000000);
  check_duration ("100ms", 100000000);
  check_duration ("1m", 60000000000);
  check_duration ("1h30m", 5400000000000);
  check_duration ("1m0.5s", 60500000000);
  check_duration ("1.5s", 1500000000);
  check_duration (".5s", 500000000);
  check_duration ("5.s", 5000000000);
  check_duration ("250us", 250000);
  check_duration ("3\xc2\xb5s", 3000);
  check_duration ("3\xce\xbcs", 3000);
  check_duration ("42ns", 42);
  check_duration ("0", 0);
  check_duration ("-0", 0);
  check_duration ("0s", 0);
  check_duration ("-1s", -1000000000);
  check_duration ("+2ms", 2000000);
  check_duration ("0.0000000001s", 0);
  check_duration ("1.00000000000000000000000001s", 1000000000);
  check_duration ("2562047h47m16.854775807s", INT64_MAX);
  check_duration ("-2562047h47m16.854775808s", INT64_MIN);
  check_bad_duration ("");
  check_bad_duration ("5");
  check_bad_duration ("-");
  check_bad_duration ("s");
  check_bad_duration (".");
  check_bad_duration (".s");
  check_bad_duration ("1x");
  check_bad_duration ("1S");
  check_bad_duration ("abc");
  check_bad_duration (" 1s");
  check_bad_duration ("1s ");
  check_bad_duration ("1.2.3s");
  check_bad_duration ("--1s");
  check_bad_duration ("2562047h47m16.854775808s");
  check_bad_duration ("9223372036854775808ns");
  check_bad_duration ("99999999999999999999h");
}

/* ------------------------------------------------------------ parsers */

static void
test_parse_numbers (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  uint64_t v = 1;

  ok (hako_stats_parse_u64 ("42\n", &v, &err) == 0 && v == 42, "u64: 42");
  ok (hako_stats_parse_u64 ("max", &v, &err) == 0 && v == UINT64_MAX, "u64: max");
  ok (hako_stats_parse_u64 ("-4096", &v, &err) == 0 && v == 0, "u64: a negative count reads 0");
  ok (hako_stats_parse_u64 ("9223372036854771712", &v, &err) == 0 && v == 9223372036854771712ULL,
      "u64: v1's unlimited");
  ok (hako_stats_parse_u64 ("18446744073709551616", &v, &err) < 0, "u64: overflow refused");
  hako_error_clear (&err);
  ok (hako_stats_parse_u64 ("12a", &v, &err) < 0 && strstr (err.msg, "12a"),
      "u64: junk refused, named");
  hako_error_clear (&err);
  ok (hako_stats_parse_u64 ("", &v, &err) < 0, "u64: empty refused");
  hako_error_clear (&err);
}

static void
test_parse_kv (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_stats_kv *kv = NULL;
  size_t n = 0;

  ok (hako_stats_parse_kv ("cache 8192\nrss 4096\ntotal_rss -1\n", &kv, &n, &err) == 0 && n == 3,
      "kv: three lines");
  ok (n == 3 && strcmp (kv[1].key, "rss") == 0 && kv[1].value == 4096, "kv: rss 4096");
  ok (hako_stats_kv_get (kv, n, "total_rss") == 0, "kv: negative value is 0");
  ok (hako_stats_kv_get (kv, n, "absent") == 0, "kv: absent key is 0");
  hako_stats_kv_free (kv, n);
  ok (hako_stats_parse_kv ("usage_usec 10\nbroken\n", &kv, &n, &err) < 0 && kv == NULL
          && strstr (err.msg, "\"broken\""),
      "kv: a line without a value is refused, named (%s)", err.msg);
  hako_error_clear (&err);
  ok (hako_stats_parse_kv ("", &kv, &n, &err) == 0 && n == 0, "kv: empty file");
}

static void
test_parse_cpu (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_stats_u64s k = { 0 }, u = { 0 }, per = { 0 };
  uint64_t user = 0, sys = 0;

  ok (hako_stats_parse_usage_all ("cpu user system\n0 100 200\n1 300 400\n", &k, &u, &err) == 0
          && k.n == 2 && u.n == 2 && u.v[0] == 100 && k.v[0] == 200 && u.v[1] == 300
          && k.v[1] == 400,
      "usage_all: user and system per cpu");
  free (k.v), free (u.v);
  k = (struct hako_stats_u64s){ 0 }, u = (struct hako_stats_u64s){ 0 };
  ok (hako_stats_parse_usage_all ("cpu sys\n0 1\n", &k, &u, &err) < 0, "usage_all: bad header");
  hako_error_clear (&err);
  ok (hako_stats_parse_u64s ("39597967 24737254 \n", &per, &err) == 0 && per.n == 2
          && per.v[1] == 24737254,
      "usage_percpu");
  free (per.v);
  ok (hako_stats_parse_cpuacct_stat ("user 3\nsystem 2\n", 100, &user, &sys, &err) == 0
          && user == 30000000 && sys == 20000000,
      "cpuacct.stat: ticks to ns");
  ok (hako_stats_parse_cpuacct_stat ("system 2\nuser 3\n", 100, &user, &sys, &err) < 0,
      "cpuacct.stat: order checked");
  hako_error_clear (&err);
}

static void
test_parse_lists (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_stats_u64s l = { 0 };

  ok (hako_stats_parse_id_list ("0-2,5,7-8\n", &l, &err) == 0 && l.n == 6 && l.v[0] == 0
          && l.v[2] == 2 && l.v[3] == 5 && l.v[5] == 8,
      "id list 0-2,5,7-8");
  free (l.v);
  l = (struct hako_stats_u64s){ 0 };
  ok (hako_stats_parse_id_list ("3-1", &l, &err) < 0, "id list: reversed range refused");
  hako_error_clear (&err);
  ok (hako_stats_parse_id_list ("", &l, &err) < 0, "id list: empty refused");
  hako_error_clear (&err);
  free (l.v);
}

static void
test_parse_blkio (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_stats_blkio_list l = { 0 }, b = { 0 }, s = { 0 };

  ok (hako_stats_parse_blkio ("8:0 Read 4096\n8:0 Write 0\n8:16 Total 4096\nTotal 4096\n", &l, &err)
              == 0
          && l.n == 3 && l.v[0].major == 8 && l.v[0].minor == 0 && strcmp (l.v[0].op, "Read") == 0
          && l.v[0].value == 4096 && l.v[2].minor == 16,
      "blkio: entries, Total line skipped");
  hako_stats_blkio_list_free (&l);
  ok (hako_stats_parse_blkio ("8:0 12\n", &l, &err) == 0 && l.n == 1 && l.v[0].op[0] == '\0'
          && l.v[0].value == 12,
      "blkio: a file without operations");
  hako_stats_blkio_list_free (&l);
  ok (hako_stats_parse_blkio ("8:0\n", &l, &err) < 0, "blkio: short line refused");
  hako_error_clear (&err);
  ok (hako_stats_parse_io_stat ("8:0 rbytes=1024 wbytes=2048 rios=3 wios=4 dbytes=0 dios=0\n"
                                "253:1 rbytes=5 wbytes=0 rios=1 wios=0\n",
                                &b, &s, &err)
              == 0
          && b.n == 4 && s.n == 4 && strcmp (b.v[1].op, "Write") == 0 && b.v[1].value == 2048
          && s.v[0].value == 3 && b.v[2].major == 253 && b.v[2].minor == 1,
      "io.stat: bytes and ios, v1 op names");
  hako_stats_blkio_list_free (&b);
  hako_stats_blkio_list_free (&s);
  ok (hako_stats_parse_io_stat ("8-0 rbytes=1\n", &b, &s, &err) < 0, "io.stat: bad device");
  hako_error_clear (&err);
  hako_stats_blkio_list_free (&b);
}

static void
test_parse_psi (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_stats_psi p = { 0 };

  ok (hako_stats_parse_psi ("some avg10=1.50 avg60=0.25 avg300=0.00 total=11469\n"
                            "full avg10=0.00 avg60=0.00 avg300=0.00 total=10567\n",
                            &p, &err)
              == 0
          && p.present && p.some.avg10 == 1.5 && p.some.avg60 == 0.25 && p.some.total == 11469
          && p.full.total == 10567,
      "psi: some and full");
  ok (hako_stats_parse_psi ("some avg10=x total=1\n", &p, &err) < 0, "psi: junk refused");
  hako_error_clear (&err);
}

/* ------------------------------------------------------------ fake cgroups */

static void
put (const char *dir, const char *file, const char *text)
{
  cleanup_free char *path = hako_strdup_printf ("%s/%s/%s", tmpdir, dir, file);
  FILE *f = fopen (path, "w");

  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
    {
      perror (path);
      exit (2);
    }
}

static struct hako_cgroup_hier
fake_hier (const char *dir, bool v2, const char *controllers)
{
  cleanup_free char *path = hako_strdup_printf ("%s/%s", tmpdir, dir);
  struct hako_cgroup_hier h = { 0 };

  mkdir (path, 0755);
  h.v2 = v2;
  h.controllers = hako_xstrdup (v2 ? "" : controllers);
  h.v2_controllers = v2 ? hako_xstrdup (controllers) : NULL;
  h.mountpoint = hako_xstrdup (tmpdir);
  h.path = hako_strdup_printf ("/%s", dir);
  h.dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return h;
}

static struct hako_cgroup *
fake_cgroup (enum hako_cgroup_layout layout, struct hako_cgroup_hier *h, size_t n)
{
  struct hako_cgroup *cg = hako_xmalloc0 (sizeof *cg);

  cg->layout = layout;
  cg->h = hako_xmalloc0 (n * sizeof *h);
  memcpy (cg->h, h, n * sizeof *h);
  cg->n = n;
  return cg;
}

static void
fill_v2 (void)
{
  put ("v2", "cpu.stat",
       "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\n"
       "throttled_usec 30\nnr_bursts 0\nburst_usec 0\n");
  put ("v2", "cpu.pressure",
       "some avg10=1.50 avg60=0.00 avg300=0.00 total=99\n"
       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  put ("v2", "memory.stat", "anon 4096\nfile 8192\nkernel 100\n");
  put ("v2", "memory.current", "12288\n");
  put ("v2", "memory.max", "67108864\n");
  put ("v2", "memory.peak", "20000\n");
  put ("v2", "memory.swap.current", "100\n");
  put ("v2", "memory.swap.max", "max\n");
  put ("v2", "pids.current", "3\n");
  put ("v2", "pids.max", "max\n");
  put ("v2", "io.stat", "8:0 rbytes=1024 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
  put ("v2", "hugetlb.2MB.max", "max\n");
  put ("v2", "hugetlb.2MB.current", "0\n");
  put ("v2", "hugetlb.2MB.rsvd.current", "2097152\n");
  put ("v2", "hugetlb.2MB.rsvd.max", "max\n");
  put ("v2", "hugetlb.2MB.events", "max 3\n");
  put ("v2", "hugetlb.1GB.max", "max\n");
  put ("v2", "hugetlb.1GB.current", "0\n");
  put ("v2", "hugetlb.1GB.events", "max 0\n");
}

static const char v2_json[]
    = "{\"type\":\"stats\",\"id\":\"c2\",\"data\":{"
      "\"cpu\":{\"usage\":{\"total\":1500000,\"kernel\":500000,\"user\":1000000},"
      "\"throttling\":{\"periods\":7,\"throttledPeriods\":2,\"throttledTime\":30000},"
      "\"psi\":{\"some\":{\"avg10\":1.5,\"avg60\":0,\"avg300\":0,\"total\":99}}},"
      "\"cpuset\":{\"cpu_exclusive\":0,\"mem_hardwall\":0,\"mem_exclusive\":0,"
      "\"memory_migrate\":0,\"memory_spread_page\":0,\"memory_spread_slab\":0,"
      "\"memory_pressure\":0,\"sched_load_balance\":0,\"sched_relax_domain_level\":0},"
      "\"memory\":{\"cache\":8192,"
      "\"usage\":{\"limit\":67108864,\"usage\":12288,\"max\":20000,\"failcnt\":0},"
      "\"swap\":{\"limit\":18446744073709551615,\"usage\":12388,\"failcnt\":0},"
      "\"kernel\":{\"limit\":0,\"failcnt\":0},\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
      "\"raw\":{\"anon\":4096,\"file\":8192,\"kernel\":100}},"
      "\"pids\":{\"current\":3},"
      "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":1024},"
      "{\"major\":8,\"op\":\"Write\"}],"
      "\"ioServicedRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":1},"
      "{\"major\":8,\"op\":\"Write\"}]},"
      "\"hugetlb\":{\"1GB\":{\"failcnt\":0},\"2MB\":{\"usage\":2097152,\"failcnt\":3}},"
      "\"intel_rdt\":{},\"network_interfaces\":null}}";

static void
test_collect_v2 (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_cgroup_hier h = fake_hier ("v2", true, "cpu io memory pids hugetlb");
  struct hako_cgroup *cg = fake_cgroup (HAKO_CGROUP_V2, &h, 1);
  struct hako_cgroup_stats s;
  cleanup_free char *json = NULL;
  int r;

  fill_v2 ();
  r = hako_cgroup_stats (cg, &s, &err);
  ok (r == 0, "v2: collected (%s)", err.msg ? err.msg : "ok");
  json = hako_stats_event_json ("stats", "c2", &s, NULL);
  ok (json && strcmp (json, v2_json) == 0, "v2: runc's JSON");
  if (json && strcmp (json, v2_json) != 0)
    diag ("got  %s\n# want %s", json, v2_json);
  hako_cgroup_stats_free (&s);
  put ("v2", "memory.current", "lots\n");
  ok (hako_cgroup_stats (cg, &s, &err) < 0 && strstr (err.msg, "/v2: memory.current: not a number"),
      "v2: a bad file is named (%s)", err.msg);
  hako_error_clear (&err);
  hako_cgroup_stats_free (&s);
  /* Without the pids controller, the processes are counted. */
  free (cg->h[0].v2_controllers);
  cg->h[0].v2_controllers = hako_xstrdup ("cpu");
  put ("v2", "cgroup.procs", "10\n11\n");
  ok (hako_cgroup_stats (cg, &s, &err) == 0 && s.pids.current == 2 && s.pids.limit == 0
          && s.memory.usage.usage == 0,
      "v2: pids from cgroup.procs; no memory controller, no memory stats");
  hako_cgroup_stats_free (&s);
  hako_cgroup_free (cg);
}

static void
fill_v1 (void)
{
  put ("cpuacct", "cpuacct.usage", "64335221\n");
  put ("cpuacct", "cpuacct.usage_percpu", "39597967 24737254 \n");
  put ("cpuacct", "cpuacct.usage_all",
       "cpu user system\n0 24000000 12000000\n1 12000000 16000000\n");
  put ("cpuacct", "cpuacct.stat", "user 3\nsystem 2\n");
  put ("cpu", "cpu.stat", "nr_periods 2\nnr_throttled 0\nthrottled_time 0\n");
  put ("cpuset", "cpuset.cpus", "0-1\n");
  put ("cpuset", "cpuset.mems", "0\n");
  put ("cpuset", "cpuset.sched_load_balance", "1\n");
  put ("cpuset", "cpuset.sched_relax_domain_level", "-1\n");
  put ("memory", "memory.stat", "rss 49152\ncache 0\nactive_anon 4096\n");
  put ("memory", "memory.usage_in_bytes", "552960\n");
  put ("memory", "memory.max_usage_in_bytes", "2736128\n");
  put ("memory", "memory.failcnt", "0\n");
  put ("memory", "memory.limit_in_bytes", "67108864\n");
  put ("memory", "memory.kmem.usage_in_bytes", "249856\n");
  put ("memory", "memory.kmem.max_usage_in_bytes", "528384\n");
  put ("memory", "memory.kmem.failcnt", "0\n");
  put ("pids", "pids.current", "1\n");
  put ("pids", "pids.max", "50\n");
  put ("blkio", "blkio.bfq.io_serviced_recursive", "Total 0\n");
  put ("blkio", "blkio.throttle.io_serviced_recursive", "8:0 Read 2\n8:0 Write 0\nTotal 2\n");
  put ("blkio", "blkio.throttle.io_service_bytes_recursive", "8:0 Read 8192\nTotal 8192\n");
}

static const char v1_json[]
    = "{\"type\":\"stats\",\"id\":\"c1\",\"data\":{"
      "\"cpu\":{\"usage\":{\"total\":64335221,\"percpu\":[39597967,24737254],"
      "\"percpu_kernel\":[12000000,16000000],\"percpu_user\":[24000000,12000000],"
      "\"kernel\":20000000,\"user\":30000000},\"throttling\":{\"periods\":2}},"
      "\"cpuset\":{\"cpus\":[0,1],\"cpu_exclusive\":0,\"mems\":[0],\"mem_hardwall\":0,"
      "\"mem_exclusive\":0,\"memory_migrate\":0,\"memory_spread_page\":0,"
      "\"memory_spread_slab\":0,\"memory_pressure\":0,\"sched_load_balance\":1,"
      "\"sched_relax_domain_level\":-1},"
      "\"memory\":{\"usage\":{\"limit\":67108864,\"usage\":552960,\"max\":2736128,\"failcnt\":0},"
      "\"swap\":{\"limit\":0,\"failcnt\":0},"
      "\"kernel\":{\"limit\":0,\"usage\":249856,\"max\":528384,\"failcnt\":0},"
      "\"kernelTCP\":{\"limit\":0,\"failcnt\":0},"
      "\"raw\":{\"active_anon\":4096,\"cache\":0,\"rss\":49152}},"
      "\"pids\":{\"current\":1,\"limit\":50},"
      "\"blkio\":{\"ioServiceBytesRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":8192}],"
      "\"ioServicedRecursive\":[{\"major\":8,\"op\":\"Read\",\"value\":2},"
      "{\"major\":8,\"op\":\"Write\"}]},"
      "\"hugetlb\":{},\"intel_rdt\":{},\"network_interfaces\":null}}";

static void
test_collect_v1 (void)
{
  static const char *const dirs[] = { "cpu", "cpuacct", "cpuset", "memory", "pids", "blkio" };
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_cgroup_hier h[HAKO_ARRAY_SIZE (dirs)];
  struct hako_cgroup *cg;
  struct hako_cgroup_stats s;
  cleanup_free char *json = NULL;

  for (size_t i = 0; i < HAKO_ARRAY_SIZE (dirs); i++)
    h[i] = fake_hier (dirs[i], false, dirs[i]);
  cg = fake_cgroup (HAKO_CGROUP_V1, h, HAKO_ARRAY_SIZE (dirs));
  fill_v1 ();
  ok (hako_cgroup_stats (cg, &s, &err) == 0, "v1: collected (%s)", err.msg ? err.msg : "ok");
  json = hako_stats_event_json ("stats", "c1", &s, NULL);
  ok (json && strcmp (json, v1_json) == 0, "v1: runc's JSON");
  if (json && strcmp (json, v1_json) != 0)
    diag ("got  %s\n# want %s", json, v1_json);
  hako_cgroup_stats_free (&s);
  unlink (in_tmp ("memory/memory.usage_in_bytes"));
  ok (hako_cgroup_stats (cg, &s, &err) < 0 && strstr (err.msg, "no file memory.usage_in_bytes"),
      "v1: a missing required file is named (%s)", err.msg);
  hako_error_clear (&err);
  hako_cgroup_stats_free (&s);
  hako_cgroup_free (cg);
}

static void
test_oom_json (void)
{
  cleanup_free char *json = hako_stats_event_json ("oom", "x-1", NULL, NULL);

  ok (json && strcmp (json, "{\"type\":\"oom\",\"id\":\"x-1\"}") == 0, "oom event: %s", json);
}

/* ------------------------------------------------------------ exec --cgroup */

static void
check_sub (struct hako_cgroup *cg, const char *a, const char *b, const char *want)
{
  struct hako_error err = HAKO_ERROR_INIT;
  char *args[] = { (char *)a, (char *)b, NULL };
  struct hako_cgroup *sub = NULL;
  int r = hako_cgroup_sub (cg, args, b ? 2 : 1, &sub, &err);

  if (want[0] == '!')
    ok (r < 0 && strstr (err.msg, want + 1), "--cgroup %s %s: refused with \"%s\" (%s)", a,
        b ? b : "", want + 1, err.msg ? err.msg : "accepted");
  else
    {
      /* WANT: the paths of the hierarchies, space-separated. */
      char got[256] = "";
      for (size_t i = 0; sub && i < sub->n; i++)
        snprintf (got + strlen (got), sizeof got - strlen (got), "%s%s", i ? " " : "",
                  sub->h[i].path);
      ok (r == 0 && strcmp (got, want) == 0, "--cgroup %s %s: %s (got %s)", a, b ? b : "", want,
          r == 0 ? got : err.msg);
    }
  hako_error_clear (&err);
  hako_cgroup_free (sub);
}

static void
test_sub (void)
{
  struct hako_cgroup_hier h[2]
      = { fake_hier ("sub-mem", false, "memory"), fake_hier ("sub-v2", true, "hugetlb") };
  struct hako_cgroup *cg = fake_cgroup (HAKO_CGROUP_HYBRID, h, 2);
  struct hako_cgroup_hier v2only = fake_hier ("sub-v2", true, "memory");
  struct hako_cgroup *cg2 = fake_cgroup (HAKO_CGROUP_V2, &v2only, 1);

  mkdir (in_tmp ("sub-mem/a"), 0755);
  mkdir (in_tmp ("sub-mem/a/b"), 0755);
  mkdir (in_tmp ("sub-v2/a"), 0755);
  check_sub (cg, "a", NULL, "/sub-mem/a /sub-v2/a");
  check_sub (cg, "/a/./b/../", NULL, "/sub-mem/a /sub-v2/a");
  check_sub (cg, "memory:a/b", NULL, "/sub-mem/a/b /sub-v2");
  check_sub (cg, "", NULL, "/sub-mem /sub-v2");
  check_sub (cg, "..", NULL, "!leaves the container's cgroup");
  check_sub (cg, "a/../../x", NULL, "!leaves the container's cgroup");
  check_sub (cg, "memory:../x", NULL, "!leaves the container's cgroup");
  check_sub (cg, "nope", NULL, "!no sub-cgroup");
  check_sub (cg, "memory:a/b/c", NULL, "!no sub-cgroup");
  check_sub (cg, "a", "memory:a", "!missing <controller>: prefix");
  check_sub (cg, ":a", NULL, "!empty <controller> prefix");
  check_sub (cg, "memory:a", "memory:a/b", "!specified multiple times");
  check_sub (cg, "cpu:a", NULL, "!no cgroup v1 hierarchy with the controller cpu");
  check_sub (cg2, "a", NULL, "/sub-v2/a");
  check_sub (cg2, "memory:a", NULL, "!on cgroup v2 give the path alone");
  hako_cgroup_free (cg);
  hako_cgroup_free (cg2);
}

int
main (void)
{
  if (mkdtemp (tmpdir) == NULL)
    {
      perror ("mkdtemp");
      return 2;
    }
  test_durations ();
  test_parse_numbers ();
  test_parse_kv ();
  test_parse_cpu ();
  test_parse_lists ();
  test_parse_blkio ();
  test_parse_psi ();
  test_collect_v2 ();
  test_collect_v1 ();
  test_oom_json ();
  test_sub ();
  {
    char cmd[300];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      diag ("could not remove %s", tmpdir);
  }
  return tap_done ();
}

/* Collecting a container's statistics: for each controller, the hierarchy
 * that holds it (a v1 one first, then cgroup2, as cgroup-apply.c writes
 * resources) and that version's files.  Which files and how they map to
 * runc's fields is described in cgroup-stats.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup-stats.h"
#include "util.h"

/* FILE's text under H: 1 when read, 0 when H has no such file, -1 on
 * error (message naming the directory and the file). */
static int
read_text (const struct hako_cgroup_hier *h, const char *file, char **out, struct hako_error *err)
{
  *out = NULL;
  if (hako_cgroup_read (h->dirfd, file, out, err) == 0)
    return 1;
  if (err->errnum == ENOENT)
    {
      hako_error_clear (err);
      return 0;
    }
  return hako_error_wrap (err, "cgroup %s%s", h->mountpoint, h->path);
}

static int
parse_failed (const struct hako_cgroup_hier *h, const char *file, struct hako_error *err)
{
  return hako_error_wrap (err, "cgroup %s%s: %s", h->mountpoint, h->path, file);
}

/* One number: 1 read, 0 absent, -1 error. */
static int
read_u64 (const struct hako_cgroup_hier *h, const char *file, uint64_t *out, struct hako_error *err)
{
  cleanup_free char *text = NULL;
  int r = read_text (h, file, &text, err);

  if (r <= 0)
    return r;
  if (hako_stats_parse_u64 (text, out, err) < 0)
    return parse_failed (h, file, err);
  return 1;
}

/* A number that must be there. */
static int
need_u64 (const struct hako_cgroup_hier *h, const char *file, uint64_t *out, struct hako_error *err)
{
  int r = read_u64 (h, file, out, err);

  if (r == 0)
    return hako_error_set (err, ENOENT, "cgroup %s%s: no file %s", h->mountpoint, h->path, file);
  return r < 0 ? -1 : 0;
}

static int
read_kv (const struct hako_cgroup_hier *h, const char *file, struct hako_stats_kv **kv, size_t *n,
         struct hako_error *err)
{
  cleanup_free char *text = NULL;
  int r = read_text (h, file, &text, err);

  *kv = NULL;
  *n = 0;
  if (r <= 0)
    return r;
  if (hako_stats_parse_kv (text, kv, n, err) < 0)
    return parse_failed (h, file, err);
  return 1;
}

static int
read_psi (const struct hako_cgroup_hier *h, const char *file, struct hako_stats_psi *psi,
          struct hako_error *err)
{
  cleanup_free char *text = NULL;
  int r = read_text (h, file, &text, err);

  if (r < 0 && (err->errnum == ENOTSUP || err->errnum == EOPNOTSUPP))
    {
      hako_error_clear (err); /* PSI turned off (psi=0, cgroup.pressure 0) */
      return 0;
    }
  if (r <= 0)
    return r;
  if (hako_stats_parse_psi (text, psi, err) < 0)
    return parse_failed (h, file, err);
  return 0;
}

/* ------------------------------------------------------------ cpu */

/* cpuacct: usage in total, per cpu and per mode (cpuacct.stat counts
 * clock ticks). */
static int
cpuacct_v1 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  cleanup_free char *stat = NULL, *percpu = NULL, *all = NULL;

  if (need_u64 (h, "cpuacct.usage", &s->cpu.total, err) < 0
      || read_text (h, "cpuacct.stat", &stat, err) < 0
      || read_text (h, "cpuacct.usage_percpu", &percpu, err) < 0
      || read_text (h, "cpuacct.usage_all", &all, err) < 0)
    return -1;
  if (stat
      && hako_stats_parse_cpuacct_stat (stat, sysconf (_SC_CLK_TCK), &s->cpu.user, &s->cpu.kernel,
                                        err)
             < 0)
    return parse_failed (h, "cpuacct.stat", err);
  if (percpu && hako_stats_parse_u64s (percpu, &s->cpu.percpu, err) < 0)
    return parse_failed (h, "cpuacct.usage_percpu", err);
  if (all && hako_stats_parse_usage_all (all, &s->cpu.percpu_kernel, &s->cpu.percpu_user, err) < 0)
    return parse_failed (h, "cpuacct.usage_all", err);
  return 0;
}

/* cpu: the CFS throttling counters. */
static int
cpu_v1 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  struct hako_stats_kv *kv = NULL;
  size_t n = 0;

  if (read_kv (h, "cpu.stat", &kv, &n, err) < 0)
    return -1;
  s->cpu.periods = hako_stats_kv_get (kv, n, "nr_periods");
  s->cpu.throttled_periods = hako_stats_kv_get (kv, n, "nr_throttled");
  s->cpu.throttled_time = hako_stats_kv_get (kv, n, "throttled_time");
  hako_stats_kv_free (kv, n);
  return 0;
}

/* cpu.stat exists in every cgroup2 directory, controller enabled or not. */
static int
cpu_v2 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  struct hako_stats_kv *kv = NULL;
  size_t n = 0;

  if (read_kv (h, "cpu.stat", &kv, &n, err) < 0)
    return -1;
  s->cpu.total = hako_stats_kv_get (kv, n, "usage_usec") * 1000;
  s->cpu.user = hako_stats_kv_get (kv, n, "user_usec") * 1000;
  s->cpu.kernel = hako_stats_kv_get (kv, n, "system_usec") * 1000;
  s->cpu.periods = hako_stats_kv_get (kv, n, "nr_periods");
  s->cpu.throttled_periods = hako_stats_kv_get (kv, n, "nr_throttled");
  s->cpu.throttled_time = hako_stats_kv_get (kv, n, "throttled_usec") * 1000;
  hako_stats_kv_free (kv, n);
  return read_psi (h, "cpu.pressure", &s->cpu.psi, err);
}

/* ------------------------------------------------------------ cpuset */

static int
read_id_list (const struct hako_cgroup_hier *h, const char *file, struct hako_stats_u64s *out,
              struct hako_error *err)
{
  cleanup_free char *text = NULL;
  int r = read_text (h, file, &text, err);

  if (r <= 0)
    return r;
  if (hako_stats_parse_id_list (text, out, err) < 0)
    return parse_failed (h, file, err);
  return 0;
}

static int
cpuset_v1 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  const struct
  {
    const char *file;
    uint64_t *value;
  } flags[] = {
    { "cpuset.cpu_exclusive", &s->cpuset.cpu_exclusive },
    { "cpuset.mem_hardwall", &s->cpuset.mem_hardwall },
    { "cpuset.mem_exclusive", &s->cpuset.mem_exclusive },
    { "cpuset.memory_migrate", &s->cpuset.memory_migrate },
    { "cpuset.memory_spread_page", &s->cpuset.memory_spread_page },
    { "cpuset.memory_spread_slab", &s->cpuset.memory_spread_slab },
    { "cpuset.memory_pressure", &s->cpuset.memory_pressure },
    { "cpuset.sched_load_balance", &s->cpuset.sched_load_balance },
  };
  cleanup_free char *level = NULL;

  if (read_id_list (h, "cpuset.cpus", &s->cpuset.cpus, err) < 0
      || read_id_list (h, "cpuset.mems", &s->cpuset.mems, err) < 0)
    return -1;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (flags); i++)
    if (read_u64 (h, flags[i].file, flags[i].value, err) < 0)
      return -1;
  if (read_text (h, "cpuset.sched_relax_domain_level", &level, err) < 0)
    return -1;
  if (level)
    s->cpuset.sched_relax_domain_level = strtoll (level, NULL, 10);
  return 0;
}

/* ------------------------------------------------------------ memory */

static int
cmp_kv (const void *a, const void *b)
{
  return strcmp (((const struct hako_stats_kv *)a)->key, ((const struct hako_stats_kv *)b)->key);
}

/* memory.stat as runc's "raw" map (Go writes map keys sorted). */
static int
memory_raw (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  if (read_kv (h, "memory.stat", &s->memory.raw, &s->memory.n_raw, err) < 0)
    return -1;
  if (s->memory.n_raw)
    qsort (s->memory.raw, s->memory.n_raw, sizeof *s->memory.raw, cmp_kv);
  return 0;
}

/* memory[.NAME].{usage_in_bytes,max_usage_in_bytes,failcnt,limit_in_bytes};
 * for NAME (memsw, kmem, kmem.tcp) the whole group may be missing. */
static int
mem_entry_v1 (const struct hako_cgroup_hier *h, const char *name, struct hako_stats_mem *e,
              struct hako_error *err)
{
  char file[64];
  const char *prefix = name ? name : "";
  int r;

  snprintf (file, sizeof file, "memory.%s%susage_in_bytes", prefix, name ? "." : "");
  if ((r = read_u64 (h, file, &e->usage, err)) <= 0)
    return r < 0 || name ? r
                         : hako_error_set (err, ENOENT, "cgroup %s%s: no file %s", h->mountpoint,
                                           h->path, file);
  snprintf (file, sizeof file, "memory.%s%smax_usage_in_bytes", prefix, name ? "." : "");
  if (need_u64 (h, file, &e->max, err) < 0)
    return -1;
  snprintf (file, sizeof file, "memory.%s%sfailcnt", prefix, name ? "." : "");
  if (need_u64 (h, file, &e->failcnt, err) < 0)
    return -1;
  /* kmem.limit_in_bytes is gone from newer kernels. */
  snprintf (file, sizeof file, "memory.%s%slimit_in_bytes", prefix, name ? "." : "");
  r = read_u64 (h, file, &e->limit, err);
  if (r == 0 && !(name && strcmp (name, "kmem") == 0))
    return hako_error_set (err, ENOENT, "cgroup %s%s: no file %s", h->mountpoint, h->path, file);
  return r < 0 ? -1 : 0;
}

static int
memory_v1 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  if (memory_raw (h, s, err) < 0)
    return -1;
  s->memory.cache = hako_stats_kv_get (s->memory.raw, s->memory.n_raw, "cache");
  if (mem_entry_v1 (h, NULL, &s->memory.usage, err) < 0
      || mem_entry_v1 (h, "memsw", &s->memory.swap, err) < 0
      || mem_entry_v1 (h, "kmem", &s->memory.kernel, err) < 0
      || mem_entry_v1 (h, "kmem.tcp", &s->memory.kernel_tcp, err) < 0)
    return -1;
  return 0;
}

/* memory[.swap].{current,max,peak}. */
static int
mem_entry_v2 (const struct hako_cgroup_hier *h, const char *name, struct hako_stats_mem *e,
              struct hako_error *err)
{
  char file[64];
  int r;

  snprintf (file, sizeof file, "memory.%s%scurrent", name ? name : "", name ? "." : "");
  if ((r = read_u64 (h, file, &e->usage, err)) <= 0)
    return r < 0 || name ? r
                         : hako_error_set (err, ENOENT, "cgroup %s%s: no file %s", h->mountpoint,
                                           h->path, file);
  snprintf (file, sizeof file, "memory.%s%smax", name ? name : "", name ? "." : "");
  if (need_u64 (h, file, &e->limit, err) < 0)
    return -1;
  /* memory.peak: 5.19; memory.swap.peak: 6.5. */
  snprintf (file, sizeof file, "memory.%s%speak", name ? name : "", name ? "." : "");
  return read_u64 (h, file, &e->max, err) < 0 ? -1 : 0;
}

static int
memory_v2 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  struct hako_stats_mem swap = { 0 };

  if (memory_raw (h, s, err) < 0 || mem_entry_v2 (h, NULL, &s->memory.usage, err) < 0
      || mem_entry_v2 (h, "swap", &swap, err) < 0)
    return -1;
  s->memory.cache = hako_stats_kv_get (s->memory.raw, s->memory.n_raw, "file");
  /* v1 reports memory+swap; its peak cannot be derived: 0, as runc. */
  s->memory.swap.usage = swap.usage + s->memory.usage.usage;
  s->memory.swap.limit = swap.limit;
  if (swap.limit != UINT64_MAX)
    s->memory.swap.limit += s->memory.usage.limit;
  return read_psi (h, "memory.pressure", &s->memory.psi, err);
}

/* ------------------------------------------------------------ pids */

static int
pids_files (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  if (need_u64 (h, "pids.current", &s->pids.current, err) < 0
      || need_u64 (h, "pids.max", &s->pids.limit, err) < 0)
    return -1;
  if (s->pids.limit == UINT64_MAX)
    s->pids.limit = 0; /* runc's "no limit" */
  return 0;
}

/* Without the pids controller: the processes in cgroup.procs. */
static int
pids_count (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  cleanup_free char *procs = NULL;

  if (read_text (h, "cgroup.procs", &procs, err) < 0)
    return -1;
  for (const char *p = procs; p && *p; p++)
    s->pids.current += *p == '\n';
  if (procs && *procs)
    s->pids.current++; /* the last line lost its newline to hako_cgroup_read */
  return 0;
}

/* ------------------------------------------------------------ blkio / io */

/* runc's order of preference: BFQ with debug files, BFQ, CFQ, the
 * throttling counters recursive, then not.  A group is used when its
 * first file has entries. */
static const struct
{
  const char *file;
  enum hako_stats_blkio_table table;
} blkio_groups[][8] = {
  {
      { "blkio.bfq.sectors_recursive", HAKO_BLKIO_SECTORS },
      { "blkio.bfq.io_service_time_recursive", HAKO_BLKIO_SERVICE_TIME },
      { "blkio.bfq.io_wait_time_recursive", HAKO_BLKIO_WAIT_TIME },
      { "blkio.bfq.io_merged_recursive", HAKO_BLKIO_MERGED },
      { "blkio.bfq.io_queued_recursive", HAKO_BLKIO_QUEUED },
      { "blkio.bfq.time_recursive", HAKO_BLKIO_TIME },
      { "blkio.bfq.io_serviced_recursive", HAKO_BLKIO_SERVICED },
      { "blkio.bfq.io_service_bytes_recursive", HAKO_BLKIO_SERVICE_BYTES },
  },
  {
      { "blkio.bfq.io_serviced_recursive", HAKO_BLKIO_SERVICED },
      { "blkio.bfq.io_service_bytes_recursive", HAKO_BLKIO_SERVICE_BYTES },
  },
  {
      { "blkio.sectors_recursive", HAKO_BLKIO_SECTORS },
      { "blkio.io_service_time_recursive", HAKO_BLKIO_SERVICE_TIME },
      { "blkio.io_wait_time_recursive", HAKO_BLKIO_WAIT_TIME },
      { "blkio.io_merged_recursive", HAKO_BLKIO_MERGED },
      { "blkio.io_queued_recursive", HAKO_BLKIO_QUEUED },
      { "blkio.time_recursive", HAKO_BLKIO_TIME },
      { "blkio.io_serviced_recursive", HAKO_BLKIO_SERVICED },
      { "blkio.io_service_bytes_recursive", HAKO_BLKIO_SERVICE_BYTES },
  },
  {
      { "blkio.throttle.io_serviced_recursive", HAKO_BLKIO_SERVICED },
      { "blkio.throttle.io_service_bytes_recursive", HAKO_BLKIO_SERVICE_BYTES },
  },
  {
      { "blkio.throttle.io_serviced", HAKO_BLKIO_SERVICED },
      { "blkio.throttle.io_service_bytes", HAKO_BLKIO_SERVICE_BYTES },
  },
};

/* One blkio file into its table: 1 with entries, 0 empty or absent. */
static int
blkio_file (const struct hako_cgroup_hier *h, const char *file, struct hako_stats_blkio_list *list,
            struct hako_error *err)
{
  cleanup_free char *text = NULL;
  int r = read_text (h, file, &text, err);

  if (r <= 0)
    return r;
  hako_stats_blkio_list_free (list);
  if (hako_stats_parse_blkio (text, list, err) < 0)
    return parse_failed (h, file, err);
  return list->n > 0;
}

static int
blkio_v1 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  for (size_t g = 0; g < HAKO_ARRAY_SIZE (blkio_groups); g++)
    for (size_t i = 0; i < 8 && blkio_groups[g][i].file; i++)
      {
        int r = blkio_file (h, blkio_groups[g][i].file, &s->blkio.t[blkio_groups[g][i].table], err);
        if (r < 0)
          return -1;
        if (r == 0 && i == 0)
          break; /* try the next group */
        if (r == 0 || i == 7 || blkio_groups[g][i + 1].file == NULL)
          return 0;
      }
  return 0;
}

static int
io_v2 (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  cleanup_free char *text = NULL;

  if (read_text (h, "io.stat", &text, err) < 0)
    return -1;
  if (text
      && hako_stats_parse_io_stat (text, &s->blkio.t[HAKO_BLKIO_SERVICE_BYTES],
                                   &s->blkio.t[HAKO_BLKIO_SERVICED], err)
             < 0)
    return parse_failed (h, "io.stat", err);
  return read_psi (h, "io.pressure", &s->blkio.psi, err);
}

/* ------------------------------------------------------------ hugetlb */

static int
cmp_hugetlb (const void *a, const void *b)
{
  return strcmp (((const struct hako_stats_hugetlb *)a)->size,
                 ((const struct hako_stats_hugetlb *)b)->size);
}

/* "2MB" from "hugetlb.2MB<SUFFIX>"; false for other names (such as
 * hugetlb.2MB.rsvd<SUFFIX>). */
static bool
hugetlb_size_of (const char *name, const char *suffix, char *out, size_t size)
{
  size_t len = strlen (name), slen = strlen (suffix), n;

  if (strncmp (name, "hugetlb.", 8) != 0 || len <= 8 + slen
      || strcmp (name + len - slen, suffix) != 0)
    return false;
  n = len - 8 - slen;
  if (n >= size || memchr (name + 8, '.', n) != NULL)
    return false;
  memcpy (out, name + 8, n);
  out[n] = '\0';
  return true;
}

/* The page sizes, from the names of the limit files (hugetlb.2MB.max on
 * v2, hugetlb.2MB.limit_in_bytes on v1), sorted as Go writes map keys. */
static void
hugetlb_sizes (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s)
{
  int fd = openat (h->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_dir DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *e;
  char size[sizeof s->hugetlb->size];

  if (d == NULL && fd >= 0)
    close (fd);
  while (d && (e = readdir (d)))
    {
      if (!hugetlb_size_of (e->d_name, h->v2 ? ".max" : ".limit_in_bytes", size, sizeof size))
        continue;
      s->hugetlb = realloc (s->hugetlb, (s->n_hugetlb + 1) * sizeof *s->hugetlb);
      if (s->hugetlb == NULL)
        abort ();
      memset (&s->hugetlb[s->n_hugetlb], 0, sizeof *s->hugetlb);
      memcpy (s->hugetlb[s->n_hugetlb++].size, size, sizeof size);
    }
  if (s->n_hugetlb)
    qsort (s->hugetlb, s->n_hugetlb, sizeof *s->hugetlb, cmp_hugetlb);
}

/* Usage of the reservations where the kernel has them (5.7+), as runc. */
static int
hugetlb_one (const struct hako_cgroup_hier *h, struct hako_stats_hugetlb *t, struct hako_error *err)
{
  char file[64];
  struct hako_stats_kv *kv = NULL;
  size_t n = 0;
  int r;

  snprintf (file, sizeof file, "hugetlb.%s.rsvd.%s", t->size, h->v2 ? "current" : "usage_in_bytes");
  if ((r = read_u64 (h, file, &t->usage, err)) < 0)
    return -1;
  snprintf (file, sizeof file, "hugetlb.%s.%s", t->size, h->v2 ? "current" : "usage_in_bytes");
  if (r == 0 && need_u64 (h, file, &t->usage, err) < 0)
    return -1;
  if (!h->v2)
    {
      snprintf (file, sizeof file, "hugetlb.%s.max_usage_in_bytes", t->size);
      if (need_u64 (h, file, &t->max, err) < 0)
        return -1;
      snprintf (file, sizeof file, "hugetlb.%s.failcnt", t->size);
      return need_u64 (h, file, &t->failcnt, err);
    }
  snprintf (file, sizeof file, "hugetlb.%s.events", t->size);
  if (read_kv (h, file, &kv, &n, err) < 0)
    return -1;
  t->failcnt = hako_stats_kv_get (kv, n, "max");
  hako_stats_kv_free (kv, n);
  return 0;
}

static int
hugetlb (const struct hako_cgroup_hier *h, struct hako_cgroup_stats *s, struct hako_error *err)
{
  hugetlb_sizes (h, s);
  for (size_t i = 0; i < s->n_hugetlb; i++)
    if (hugetlb_one (h, &s->hugetlb[i], err) < 0)
      return -1;
  return 0;
}

/* ------------------------------------------------------------ all */

static int
collect_cpu (const struct hako_cgroup *cg, struct hako_cgroup_stats *s, struct hako_error *err)
{
  const struct hako_cgroup_hier *acct = hako_cgroup_find (cg, "cpuacct", NULL);
  const struct hako_cgroup_hier *cpu = hako_cgroup_find (cg, "cpu", NULL);
  const struct hako_cgroup_hier *v2 = hako_cgroup_v2_part (cg);

  if (acct || cpu)
    return (acct && cpuacct_v1 (acct, s, err) < 0) || (cpu && cpu_v1 (cpu, s, err) < 0) ? -1 : 0;
  return v2 ? cpu_v2 (v2, s, err) : 0;
}

static int
collect_pids (const struct hako_cgroup *cg, struct hako_cgroup_stats *s, struct hako_error *err)
{
  const struct hako_cgroup_hier *h = hako_cgroup_find (cg, "pids", "pids");
  const struct hako_cgroup_hier *v2 = hako_cgroup_v2_part (cg);

  if (h)
    return pids_files (h, s, err);
  return v2 ? pids_count (v2, s, err) : 0;
}

int
hako_cgroup_stats (const struct hako_cgroup *cg, struct hako_cgroup_stats *out,
                   struct hako_error *err)
{
  const struct hako_cgroup_hier *h;

  memset (out, 0, sizeof *out);
  if (cg == NULL)
    return 0;
  if (collect_cpu (cg, out, err) < 0 || collect_pids (cg, out, err) < 0)
    return -1;
  if ((h = hako_cgroup_find (cg, "cpuset", NULL)) && cpuset_v1 (h, out, err) < 0)
    return -1;
  if ((h = hako_cgroup_find (cg, "memory", "memory"))
      && (h->v2 ? memory_v2 (h, out, err) : memory_v1 (h, out, err)) < 0)
    return -1;
  if ((h = hako_cgroup_find (cg, "blkio", "io"))
      && (h->v2 ? io_v2 (h, out, err) : blkio_v1 (h, out, err)) < 0)
    return -1;
  if ((h = hako_cgroup_find (cg, "hugetlb", "hugetlb")) && hugetlb (h, out, err) < 0)
    return -1;
  return 0;
}

void
hako_cgroup_stats_free (struct hako_cgroup_stats *s)
{
  free (s->cpu.percpu.v);
  free (s->cpu.percpu_kernel.v);
  free (s->cpu.percpu_user.v);
  free (s->cpuset.cpus.v);
  free (s->cpuset.mems.v);
  hako_stats_kv_free (s->memory.raw, s->memory.n_raw);
  for (size_t i = 0; i < HAKO_BLKIO_TABLES; i++)
    hako_stats_blkio_list_free (&s->blkio.t[i]);
  free (s->hugetlb);
  memset (s, 0, sizeof *s);
}

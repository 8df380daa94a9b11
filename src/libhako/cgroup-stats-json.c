/* A container's statistics as runc's `events` JSON (types/events.go in
 * runc): the same member names and order, and the same omissions (Go's
 * omitempty drops zero numbers and empty lists; structs are always
 * written, as runc 1.1 does).  Written with libocispec's JSON writer. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-stats.h"
#include "json.h"

static void
key (struct json_writer *w, const char *k)
{
  json_writer_key (w, k, strlen (k));
}

static void
open_obj (struct json_writer *w, const char *k)
{
  key (w, k);
  json_writer_open (w, '{');
}

static void
close_obj (struct json_writer *w)
{
  json_writer_close (w, '}');
}

static void
num (struct json_writer *w, const char *k, uint64_t v)
{
  char buf[24];
  int n = snprintf (buf, sizeof buf, "%" PRIu64, v);

  key (w, k);
  json_writer_raw (w, buf, (size_t)n);
}

/* A member tagged omitempty: left out when zero. */
static void
num_opt (struct json_writer *w, const char *k, uint64_t v)
{
  if (v)
    num (w, k, v);
}

static void
num_list (struct json_writer *w, const char *k, const struct hako_stats_u64s *l)
{
  char buf[24];

  if (l->n == 0)
    return;
  key (w, k);
  json_writer_open (w, '[');
  for (size_t i = 0; i < l->n; i++)
    json_writer_raw (w, buf, (size_t)snprintf (buf, sizeof buf, "%" PRIu64, l->v[i]));
  json_writer_close (w, ']');
}

/* A PSI average as Go writes a float64 (shortest form): the kernel gives
 * two decimals, so "1.50" is 1.5 and "0.00" is 0. */
static void
avg (struct json_writer *w, const char *k, double v)
{
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%.2f", v);

  while (n > 1 && buf[n - 1] == '0')
    n--;
  if (buf[n - 1] == '.')
    n--;
  key (w, k);
  json_writer_raw (w, buf, (size_t)n);
}

static void
psi_data (struct json_writer *w, const char *k, const struct hako_stats_psi_data *d)
{
  if (d->avg10 == 0 && d->avg60 == 0 && d->avg300 == 0 && d->total == 0)
    return; /* omitzero */
  open_obj (w, k);
  avg (w, "avg10", d->avg10);
  avg (w, "avg60", d->avg60);
  avg (w, "avg300", d->avg300);
  num (w, "total", d->total);
  close_obj (w);
}

static void
psi (struct json_writer *w, const struct hako_stats_psi *p)
{
  if (!p->present)
    return;
  open_obj (w, "psi");
  psi_data (w, "some", &p->some);
  psi_data (w, "full", &p->full);
  close_obj (w);
}

static void
cpu (struct json_writer *w, const struct hako_cgroup_stats *s)
{
  open_obj (w, "cpu");
  open_obj (w, "usage");
  num_opt (w, "total", s->cpu.total);
  num_list (w, "percpu", &s->cpu.percpu);
  num_list (w, "percpu_kernel", &s->cpu.percpu_kernel);
  num_list (w, "percpu_user", &s->cpu.percpu_user);
  num (w, "kernel", s->cpu.kernel);
  num (w, "user", s->cpu.user);
  close_obj (w);
  open_obj (w, "throttling");
  num_opt (w, "periods", s->cpu.periods);
  num_opt (w, "throttledPeriods", s->cpu.throttled_periods);
  num_opt (w, "throttledTime", s->cpu.throttled_time);
  close_obj (w);
  psi (w, &s->cpu.psi);
  close_obj (w);
}

static void
cpuset (struct json_writer *w, const struct hako_cgroup_stats *s)
{
  char buf[24];

  open_obj (w, "cpuset");
  num_list (w, "cpus", &s->cpuset.cpus);
  num (w, "cpu_exclusive", s->cpuset.cpu_exclusive);
  num_list (w, "mems", &s->cpuset.mems);
  num (w, "mem_hardwall", s->cpuset.mem_hardwall);
  num (w, "mem_exclusive", s->cpuset.mem_exclusive);
  num (w, "memory_migrate", s->cpuset.memory_migrate);
  num (w, "memory_spread_page", s->cpuset.memory_spread_page);
  num (w, "memory_spread_slab", s->cpuset.memory_spread_slab);
  num (w, "memory_pressure", s->cpuset.memory_pressure);
  num (w, "sched_load_balance", s->cpuset.sched_load_balance);
  key (w, "sched_relax_domain_level");
  json_writer_raw (
      w, buf, (size_t)snprintf (buf, sizeof buf, "%" PRId64, s->cpuset.sched_relax_domain_level));
  close_obj (w);
}

static void
mem_entry (struct json_writer *w, const char *k, const struct hako_stats_mem *e)
{
  open_obj (w, k);
  num (w, "limit", e->limit);
  num_opt (w, "usage", e->usage);
  num_opt (w, "max", e->max);
  num (w, "failcnt", e->failcnt);
  close_obj (w);
}

static void
memory (struct json_writer *w, const struct hako_cgroup_stats *s)
{
  open_obj (w, "memory");
  num_opt (w, "cache", s->memory.cache);
  mem_entry (w, "usage", &s->memory.usage);
  mem_entry (w, "swap", &s->memory.swap);
  mem_entry (w, "kernel", &s->memory.kernel);
  mem_entry (w, "kernelTCP", &s->memory.kernel_tcp);
  if (s->memory.n_raw)
    {
      open_obj (w, "raw");
      for (size_t i = 0; i < s->memory.n_raw; i++)
        num (w, s->memory.raw[i].key, s->memory.raw[i].value);
      close_obj (w);
    }
  psi (w, &s->memory.psi);
  close_obj (w);
}

static void
blkio_table (struct json_writer *w, const char *k, const struct hako_stats_blkio_list *l)
{
  if (l->n == 0)
    return;
  key (w, k);
  json_writer_open (w, '[');
  for (size_t i = 0; i < l->n; i++)
    {
      json_writer_open (w, '{');
      num_opt (w, "major", l->v[i].major);
      num_opt (w, "minor", l->v[i].minor);
      if (l->v[i].op[0])
        {
          key (w, "op");
          json_writer_string (w, l->v[i].op, strlen (l->v[i].op));
        }
      num_opt (w, "value", l->v[i].value);
      close_obj (w);
    }
  json_writer_close (w, ']');
}

static void
blkio (struct json_writer *w, const struct hako_cgroup_stats *s)
{
  static const char *const names[HAKO_BLKIO_TABLES] = {
    [HAKO_BLKIO_SERVICE_BYTES] = "ioServiceBytesRecursive",
    [HAKO_BLKIO_SERVICED] = "ioServicedRecursive",
    [HAKO_BLKIO_QUEUED] = "ioQueueRecursive",
    [HAKO_BLKIO_SERVICE_TIME] = "ioServiceTimeRecursive",
    [HAKO_BLKIO_WAIT_TIME] = "ioWaitTimeRecursive",
    [HAKO_BLKIO_MERGED] = "ioMergedRecursive",
    [HAKO_BLKIO_TIME] = "ioTimeRecursive",
    [HAKO_BLKIO_SECTORS] = "sectorsRecursive",
  };

  open_obj (w, "blkio");
  for (size_t i = 0; i < HAKO_BLKIO_TABLES; i++)
    blkio_table (w, names[i], &s->blkio.t[i]);
  psi (w, &s->blkio.psi);
  close_obj (w);
}

static void
hugetlb (struct json_writer *w, const struct hako_cgroup_stats *s)
{
  open_obj (w, "hugetlb");
  for (size_t i = 0; i < s->n_hugetlb; i++)
    {
      open_obj (w, s->hugetlb[i].size);
      num_opt (w, "usage", s->hugetlb[i].usage);
      num_opt (w, "max", s->hugetlb[i].max);
      num (w, "failcnt", s->hugetlb[i].failcnt);
      close_obj (w);
    }
  close_obj (w);
}

static void
data (struct json_writer *w, const struct hako_cgroup_stats *s)
{
  open_obj (w, "data");
  cpu (w, s);
  cpuset (w, s);
  memory (w, s);
  open_obj (w, "pids");
  num_opt (w, "current", s->pids.current);
  num_opt (w, "limit", s->pids.limit);
  close_obj (w);
  blkio (w, s);
  hugetlb (w, s);
  open_obj (w, "intel_rdt");
  close_obj (w);
  key (w, "network_interfaces");
  json_writer_raw (w, "null", 4);
  close_obj (w);
}

char *
hako_stats_event_json (const char *type, const char *id, const struct hako_cgroup_stats *stats,
                       size_t *len)
{
  struct json_writer *w = json_writer_new (false);

  if (w == NULL)
    return NULL;
  json_writer_open (w, '{');
  key (w, "type");
  json_writer_string (w, type, strlen (type));
  key (w, "id");
  json_writer_string (w, id, strlen (id));
  if (stats)
    data (w, stats);
  json_writer_close (w, '}');
  return json_writer_finish (w, len);
}

/* Resource statistics of a container's cgroup (hako events), read from
 * whichever hierarchy holds each controller (v1 controllers first, then
 * the cgroup2 one, as the resources are written), and written as runc's
 * `events` JSON (runc's types/events.go).
 *
 * What a v2 host lacks is reported the way runc's cgroup v2 manager does:
 * cpu usage from cpu.stat in microseconds times 1000, memory.peak as the
 * max usage, swap as memory + swap, io.stat as the v1 tables
 * ioServiceBytesRecursive and ioServicedRecursive, pressure (PSI) from
 * <controller>.pressure.  Values the kernel reports as negative (memcg
 * accounting quirks) read as 0, "max" as UINT64_MAX, an unlimited pids.max
 * as 0. */
#ifndef HAKO_CGROUP_STATS_H
#define HAKO_CGROUP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "error.h"

struct hako_stats_u64s
{
  uint64_t *v;
  size_t n;
};

/* One usage counter of the memory controller (usage, swap, kmem, kmem.tcp). */
struct hako_stats_mem
{
  uint64_t limit, usage, max, failcnt;
};

/* One line of a v1 blkio file ("8:0 Read 4096") or one value of io.stat. */
struct hako_stats_blkio_entry
{
  uint64_t major, minor;
  char op[16]; /* "" when the file has no operation column */
  uint64_t value;
};

struct hako_stats_blkio_list
{
  struct hako_stats_blkio_entry *v;
  size_t n;
};

/* The tables runc reports, in its JSON order. */
enum hako_stats_blkio_table
{
  HAKO_BLKIO_SERVICE_BYTES,
  HAKO_BLKIO_SERVICED,
  HAKO_BLKIO_QUEUED,
  HAKO_BLKIO_SERVICE_TIME,
  HAKO_BLKIO_WAIT_TIME,
  HAKO_BLKIO_MERGED,
  HAKO_BLKIO_TIME,
  HAKO_BLKIO_SECTORS,
  HAKO_BLKIO_TABLES
};

/* Pressure stall information: the "some" and "full" lines. */
struct hako_stats_psi_data
{
  double avg10, avg60, avg300;
  uint64_t total;
};
struct hako_stats_psi
{
  bool present; /* read from a cgroup2 <controller>.pressure file */
  bool has_some, has_full;
  struct hako_stats_psi_data some, full;
};

struct hako_stats_kv
{
  char *key;
  uint64_t value;
};

struct hako_stats_hugetlb
{
  char size[16]; /* "2MB", as in the file names */
  uint64_t usage, max, failcnt;
};

struct hako_cgroup_stats
{
  struct
  {
    uint64_t total, kernel, user; /* nanoseconds */
    struct hako_stats_u64s percpu, percpu_kernel, percpu_user;
    uint64_t periods, throttled_periods, throttled_time;
    struct hako_stats_psi psi;
  } cpu;
  struct
  {
    struct hako_stats_u64s cpus, mems;
    uint64_t cpu_exclusive, mem_hardwall, mem_exclusive, memory_migrate, memory_spread_page,
        memory_spread_slab, memory_pressure, sched_load_balance;
    int64_t sched_relax_domain_level;
  } cpuset;
  struct
  {
    uint64_t cache;
    struct hako_stats_mem usage, swap, kernel, kernel_tcp;
    struct hako_stats_kv *raw; /* memory.stat, sorted by key */
    size_t n_raw;
    struct hako_stats_psi psi;
  } memory;
  struct
  {
    uint64_t current, limit; /* limit 0: unlimited */
  } pids;
  struct
  {
    struct hako_stats_blkio_list t[HAKO_BLKIO_TABLES];
    struct hako_stats_psi psi;
  } blkio;
  struct hako_stats_hugetlb *hugetlb; /* sorted by size name */
  size_t n_hugetlb;
};

/* Read every controller CG has.  A controller the container has no
 * hierarchy for is left zero; a file that cannot be read or parsed is an
 * error naming it.  Free *OUT with hako_cgroup_stats_free even on error. */
int hako_cgroup_stats (const struct hako_cgroup *cg, struct hako_cgroup_stats *out,
                       struct hako_error *err);
void hako_cgroup_stats_free (struct hako_cgroup_stats *s);

/* One event as runc prints it (without the final newline):
 *   {"type":"stats","id":"ID","data":{"cpu":...}}   (STATS given)
 *   {"type":"oom","id":"ID"}                         (STATS NULL)
 * malloc'ed; NULL only when out of memory. */
char *hako_stats_event_json (const char *type, const char *id,
                             const struct hako_cgroup_stats *stats, size_t *len);

/* ---- cgroup-stats-parse.c: file contents to numbers (pure) ----
 * Each returns 0, or -1 with a message saying what is wrong (the caller
 * adds the file). */

/* One number; "max" is UINT64_MAX, a negative number 0. */
int hako_stats_parse_u64 (const char *text, uint64_t *out, struct hako_error *err);
/* "key value" lines (memory.stat, cpu.stat, memory.events), in file order. */
int hako_stats_parse_kv (const char *text, struct hako_stats_kv **out, size_t *n,
                         struct hako_error *err);
void hako_stats_kv_free (struct hako_stats_kv *kv, size_t n);
/* The value of KEY in KV, or 0 when absent. */
uint64_t hako_stats_kv_get (const struct hako_stats_kv *kv, size_t n, const char *key);
/* Whitespace-separated numbers (cpuacct.usage_percpu). */
int hako_stats_parse_u64s (const char *text, struct hako_stats_u64s *out, struct hako_error *err);
/* cpuacct.usage_all: a "cpu user system" header, then one line per cpu. */
int hako_stats_parse_usage_all (const char *text, struct hako_stats_u64s *kernel,
                                struct hako_stats_u64s *user, struct hako_error *err);
/* cpuacct.stat ("user N\nsystem N", clock ticks) to nanoseconds. */
int hako_stats_parse_cpuacct_stat (const char *text, long ticks_per_sec, uint64_t *user,
                                   uint64_t *kernel, struct hako_error *err);
/* A cpu or memory node list "0-3,8" (cpuset.cpus) expanded. */
int hako_stats_parse_id_list (const char *text, struct hako_stats_u64s *out,
                              struct hako_error *err);
/* A v1 blkio file: "MAJ:MIN [OP] VALUE" lines; "Total N" is skipped. */
int hako_stats_parse_blkio (const char *text, struct hako_stats_blkio_list *out,
                            struct hako_error *err);
/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." into the
 * service bytes (Read, Write) and serviced (Read, Write) tables. */
int hako_stats_parse_io_stat (const char *text, struct hako_stats_blkio_list *bytes,
                              struct hako_stats_blkio_list *serviced, struct hako_error *err);
void hako_stats_blkio_list_free (struct hako_stats_blkio_list *l);
/* A <controller>.pressure file. */
int hako_stats_parse_psi (const char *text, struct hako_stats_psi *out, struct hako_error *err);

/* ---- cgroup-oom.c: OOM kills as they happen ----
 * v1: an eventfd registered on memory.oom_control through
 * cgroup.event_control (signalled on every OOM, and once when the cgroup
 * is removed); cgroup2: inotify on memory.events, whose oom_kill counter
 * says whether a change was a kill. */
struct hako_oom_watch
{
  int fd;      /* poll it for POLLIN; -1: nothing to watch */
  int dirfd;   /* the memory controller's directory (a dup) */
  int file_fd; /* v1: memory.oom_control, kept open while registered */
  bool v2;
  uint64_t kills; /* v2: the oom_kill count last seen */
};

/* Watch CG's memory controller.  No memory controller: W->fd is -1 and the
 * call succeeds. */
int hako_oom_watch_open (const struct hako_cgroup *cg, struct hako_oom_watch *w,
                         struct hako_error *err);
/* After POLLIN (or at the end, to catch a kill whose notice is still on
 * its way): true when an OOM happened since the last call.  *GONE is set
 * once the cgroup has been removed; W->fd is closed then. */
bool hako_oom_watch_check (struct hako_oom_watch *w, bool *gone);
void hako_oom_watch_close (struct hako_oom_watch *w);

#endif

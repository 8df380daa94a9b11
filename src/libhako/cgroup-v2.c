/* linux.resources on cgroup v2: the spec's fields were modelled on v1, so
 * most values are converted (cgroup-resources.c) before they are written
 * to the unified hierarchy's files.  Settings v2 has no counterpart for are
 * refused when they would change behaviour (real-time CPU, leaf weights)
 * and only warned about when they are advisory (swappiness, kernel memory,
 * disableOOMKiller). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "log.h"
#include "util.h"

/* ------------------------------------------------------------ memory */

/* The memory limit swap is computed against: the one given, else the
 * current memory.max (-1 for "max"). */
static int
swap_base_limit (const struct hako_cgroup_apply *a, const struct oci_memory *m, int64_t *limit)
{
  uint64_t cur;

  if (m->has_limit)
    {
      *limit = m->limit;
      return 0;
    }
  if (hako_cgroup_read_u64 (a->dirfd, "memory.max", &cur, a->err) < 0)
    return hako_error_wrap (a->err, "linux.resources.memory.swap");
  *limit = cur >= (uint64_t)INT64_MAX ? -1 : (int64_t)cur;
  return 0;
}

static int
memory_swap (const struct hako_cgroup_apply *a, const struct oci_memory *m)
{
  char value[32];
  const char *why = NULL;
  int64_t limit = -1, swap = m->has_swap ? m->swap : 0;

  /* No memory limit and no word on swap: no swap limit either (as v1's
   * memsw follows the limit; runc does the same). */
  if (swap == 0 && m->has_limit && m->limit < 0)
    swap = -1;
  if (swap == 0) /* 0: unset, as in runc */
    return 0;
  if (!hako_cgroup_has_file (a->dirfd, "memory.swap.max"))
    return hako_error_set (a->err, ENOTSUP,
                           "linux.resources.memory.swap: memory.swap.max: not supported by "
                           "this kernel (swap accounting off)");
  if (swap_base_limit (a, m, &limit) < 0)
    return -1;
  if (hako_cgroup_v2_swap (swap, limit, value, sizeof value, &why) < 0)
    return hako_error_set (a->err, EINVAL, "linux.resources.memory.swap: %" PRId64 " %s", swap,
                           why);
  return hako_cgroup_write (a->dirfd, "memory.swap", "memory.swap.max", value, a->err);
}

static void
memory_v1_only (const struct oci_memory *m)
{
  if (m->has_swappiness)
    hako_log_warn ("linux.resources.memory.swappiness: cgroup v2 has no per-cgroup "
                   "swappiness: ignored");
  if (m->has_kernel || m->has_kernel_tcp)
    hako_log_warn ("linux.resources.memory.kernel/kernelTCP: cgroup v2 counts kernel memory "
                   "in memory.max: ignored");
  if (m->has_disable_oom_killer && m->disable_oom_killer)
    hako_log_warn ("linux.resources.memory.disableOOMKiller: cgroup v2 cannot disable the OOM "
                   "killer: ignored");
  if (m->has_use_hierarchy && !m->use_hierarchy)
    hako_log_warn ("linux.resources.memory.useHierarchy: cgroup v2 is always hierarchical");
}

int
hako_cgroup_v2_memory (const struct hako_cgroup_apply *a, const struct oci_memory *m)
{
  char value[32];

  if (hako_cgroup_memory_check_usage (a, m, "memory.current") < 0)
    return -1;
  if (m->has_limit)
    {
      hako_cgroup_v2_bytes (m->limit, value, sizeof value);
      if (hako_cgroup_write (a->dirfd, "memory.limit", "memory.max", value, a->err) < 0)
        return -1;
    }
  if (memory_swap (a, m) < 0)
    return -1;
  if (m->has_reservation)
    {
      hako_cgroup_v2_bytes (m->reservation, value, sizeof value);
      if (hako_cgroup_write (a->dirfd, "memory.reservation", "memory.low", value, a->err) < 0)
        return -1;
    }
  memory_v1_only (m);
  return 0;
}

/* ------------------------------------------------------------ cpu */

static int
cpu_max (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu)
{
  cleanup_free char *cur = NULL;
  char value[64];
  struct hako_error ignored = HAKO_ERROR_INIT;

  if (!cpu->has_quota && cpu->has_period
      && hako_cgroup_read (a->dirfd, "cpu.max", &cur, &ignored) == 0)
    cur[strcspn (cur, " ")] = '\0';
  hako_error_clear (&ignored);
  if (!hako_cgroup_cpu_max (cpu, cur, value, sizeof value))
    return 0;
  return hako_cgroup_write (a->dirfd, cpu->has_quota ? "cpu.quota" : "cpu.period", "cpu.max", value,
                            a->err);
}

int
hako_cgroup_v2_cpu (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu)
{
  if ((cpu->has_realtime_runtime && cpu->realtime_runtime != 0)
      || (cpu->has_realtime_period && cpu->realtime_period != 0))
    return hako_error_set (a->err, ENOTSUP,
                           "linux.resources.cpu.%s: cgroup v2 has no real-time CPU bandwidth "
                           "control",
                           cpu->has_realtime_runtime ? "realtimeRuntime" : "realtimePeriod");
  if (cpu->has_shares && cpu->shares != 0
      && hako_cgroup_writef (a->dirfd, "cpu.shares", "cpu.weight", a->err, "%" PRIu64,
                             hako_cgroup_shares_to_weight (cpu->shares))
             < 0)
    return -1;
  if (cpu_max (a, cpu) < 0)
    return -1;
  if (cpu->has_burst
      && hako_cgroup_writef (a->dirfd, "cpu.burst", "cpu.max.burst", a->err, "%" PRIu64, cpu->burst)
             < 0)
    return -1;
  if (cpu->has_idle
      && hako_cgroup_writef (a->dirfd, "cpu.idle", "cpu.idle", a->err, "%" PRId64, cpu->idle) < 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------------ io */

/* BFQ's io.bfq.weight takes blkio's own range; io.weight needs converting. */
static int
io_weight (const struct hako_cgroup_apply *a, const char *field, const char *dev, unsigned w)
{
  bool bfq = hako_cgroup_has_file (a->dirfd, "io.bfq.weight");

  if (bfq)
    return hako_cgroup_writef (a->dirfd, field, "io.bfq.weight", a->err, "%s%s%u", dev,
                               *dev ? " " : "", w);
  return hako_cgroup_writef (a->dirfd, field, "io.weight", a->err, "%s %" PRIu64,
                             *dev ? dev : "default", hako_cgroup_blkio_to_io_weight (w));
}

static int
io_weight_devices (const struct hako_cgroup_apply *a, const struct oci_block_io *b)
{
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct oci_weight_device *d = &b->weight_device[i];
      char field[64], dev[48];
      snprintf (dev, sizeof dev, "%" PRId64 ":%" PRId64, d->major, d->minor);
      if (d->has_leaf_weight)
        return hako_error_set (a->err, ENOTSUP,
                               "linux.resources.blockIO.weightDevice[%zu].leafWeight: cgroup v2 "
                               "has no leaf weights",
                               i);
      snprintf (field, sizeof field, "blockIO.weightDevice[%zu].weight", i);
      if (d->has_weight && io_weight (a, field, dev, d->weight) < 0)
        return -1;
    }
  return 0;
}

/* io.max takes one device and any subset of its four keys per write. */
static int
io_max (const struct hako_cgroup_apply *a, const char *name, const char *key,
        const struct oci_throttle_device *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      char field[64], rate[32];
      snprintf (field, sizeof field, "blockIO.%s[%zu]", name, i);
      if (d[i].rate == 0) /* v1 removes the limit for 0; v2 spells it max */
        snprintf (rate, sizeof rate, "max");
      else
        snprintf (rate, sizeof rate, "%" PRIu64, d[i].rate);
      if (hako_cgroup_writef (a->dirfd, field, "io.max", a->err, "%" PRId64 ":%" PRId64 " %s=%s",
                              d[i].major, d[i].minor, key, rate)
          < 0)
        return -1;
    }
  return 0;
}

int
hako_cgroup_v2_io (const struct hako_cgroup_apply *a, const struct oci_block_io *b)
{
  if (b->has_leaf_weight)
    return hako_error_set (a->err, ENOTSUP,
                           "linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights");
  if (b->has_weight && io_weight (a, "blockIO.weight", "", b->weight) < 0)
    return -1;
  if (io_weight_devices (a, b) < 0)
    return -1;
  if (io_max (a, "throttleReadBpsDevice", "rbps", b->throttle_read_bps_device,
              b->throttle_read_bps_device_len)
          < 0
      || io_max (a, "throttleWriteBpsDevice", "wbps", b->throttle_write_bps_device,
                 b->throttle_write_bps_device_len)
             < 0
      || io_max (a, "throttleReadIOPSDevice", "riops", b->throttle_read_iops_device,
                 b->throttle_read_iops_device_len)
             < 0
      || io_max (a, "throttleWriteIOPSDevice", "wiops", b->throttle_write_iops_device,
                 b->throttle_write_iops_device_len)
             < 0)
    return -1;
  return 0;
}

int
hako_cgroup_v2_hugetlb (const struct hako_cgroup_apply *a, const struct oci_hugepage_limit *l,
                        size_t n)
{
  return hako_cgroup_hugetlb_limits (a, l, n, "max", "rsvd.max");
}

/* ------------------------------------------------------------ unified */

/* A key names one file of the container's own directory: no '/', no "."
 * or "..", nothing hidden. */
static bool
unified_key_ok (const char *key)
{
  return key[0] != '\0' && key[0] != '.' && strchr (key, '/') == NULL;
}

int
hako_cgroup_v2_unified (const struct hako_cgroup_apply *a, const struct oci_strmap *u)
{
  for (size_t i = 0; i < u->len; i++)
    {
      const char *key = u->keys[i];
      char field[300];
      snprintf (field, sizeof field, "unified.%s", key);
      if (!unified_key_ok (key))
        return hako_error_set (
            a->err, EINVAL, "linux.resources.%s: not a file name of the cgroup directory", field);
      if (!hako_cgroup_has_file (a->dirfd, key))
        return hako_error_set (a->err, ENOENT,
                               "linux.resources.%s: no such file in the container's cgroup "
                               "(is the %.*s controller enabled?)",
                               field, (int)strcspn (key, "."), key);
      if (hako_cgroup_write (a->dirfd, field, key, u->values[i], a->err) < 0)
        return -1;
    }
  return 0;
}

/* ------------------------------------------------------------ controllers */

void
hako_cgroup_v2_enable_controllers (int dirfd, const char *where)
{
  cleanup_free char *avail = NULL;
  cleanup_free char *enabled = NULL;
  struct hako_error err = HAKO_ERROR_INIT;
  char *save = NULL;

  if (hako_cgroup_read (dirfd, "cgroup.controllers", &avail, &err) < 0
      || hako_cgroup_read (dirfd, "cgroup.subtree_control", &enabled, &err) < 0)
    {
      hako_log_debug ("cgroup %s: %s", where, err.msg);
      hako_error_clear (&err);
      return;
    }
  for (char *c = strtok_r (avail, " ", &save); c; c = strtok_r (NULL, " ", &save))
    {
      char plus[64];
      int r;
      if (hako_cgroup_list_has (enabled, c))
        continue;
      snprintf (plus, sizeof plus, "+%s", c);
      r = hako_cgroup_try_write (dirfd, "cgroup.subtree_control", plus);
      if (r < 0)
        hako_log_debug ("cgroup %s: cgroup.subtree_control: enable %s: %s", where, c,
                        strerror (-r));
    }
}

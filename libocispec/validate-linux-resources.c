/* Level 2 checks of linux.resources (config-linux.md "Control groups"):
 * the values the spec describes in prose, within the ranges the cgroup
 * interface files accept. */
#define _GNU_SOURCE
#include <string.h>

#include "validate-util.h"

/* A device number the kernel can name: 12-bit major, 20-bit minor. */
static int
check_dev_numbers (struct vctx *c, int64_t major, int64_t minor)
{
  if (major < 0 || major > 4095)
    return v_error (c, "major", "must be between 0 and 4095, got %lld", (long long)major);
  if (minor < 0 || minor > 1048575)
    return v_error (c, "minor", "must be between 0 and 1048575, got %lld", (long long)minor);
  return 0;
}

static int
check_device_rule (struct vctx *c, const struct oci_device_cgroup *d)
{
  /* type: "a (all), c (char), or b (block)". */
  if (d->type && (strlen (d->type) != 1 || strchr ("acb", d->type[0]) == NULL))
    return v_error (c, "type", "must be \"a\", \"c\" or \"b\", got %s", v_quote (c, d->type));
  /* major, minor: "Unset values mean all"; -1 is accepted for all too,
   * as other runtimes write it. */
  if (d->has_major && (d->major < -1 || d->major > UINT32_MAX))
    return v_error (c, "major", "must be a device number or -1 (all), got %lld",
                    (long long)d->major);
  if (d->has_minor && (d->minor < -1 || d->minor > UINT32_MAX))
    return v_error (c, "minor", "must be a device number or -1 (all), got %lld",
                    (long long)d->minor);
  /* access: "A composition of r (read), w (write), and m (mknod)." */
  if (d->access && d->access[strspn (d->access, "rwm")] != '\0')
    return v_error (c, "access", "must be made of the letters r, w and m, got %s",
                    v_quote (c, d->access));
  return 0;
}

static int
check_device_rules (struct vctx *c, const struct oci_device_cgroup *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t mark = v_enter_index (c, i);
      if (check_device_rule (c, &d[i]) < 0)
        return -1;
      v_leave (c, mark);
    }
  return 0;
}

/* "Values for memory specify the limit in bytes, or -1 for unlimited". */
static int
check_bytes (struct vctx *c, const char *field, bool has, int64_t v)
{
  if (has && v < -1)
    return v_error (c, field, "must be a number of bytes or -1 (unlimited), got %lld",
                    (long long)v);
  return 0;
}

static int
check_memory (struct vctx *c, const struct oci_memory *m)
{
  if (check_bytes (c, "limit", m->has_limit, m->limit) < 0
      || check_bytes (c, "reservation", m->has_reservation, m->reservation) < 0
      || check_bytes (c, "swap", m->has_swap, m->swap) < 0
      || check_bytes (c, "kernel", m->has_kernel, m->kernel) < 0
      || check_bytes (c, "kernelTCP", m->has_kernel_tcp, m->kernel_tcp) < 0)
    return -1;
  /* swap "sets limit of memory+Swap usage", which cannot be below the
   * memory limit (cgroup v1 refuses it; v2 has no way to express it). */
  if (m->has_limit && m->has_swap && m->limit > 0 && m->swap > 0 && m->swap < m->limit)
    return v_error (c, "swap", "%lld is below limit %lld (swap limits memory plus swap)",
                    (long long)m->swap, (long long)m->limit);
  /* swappiness: "The values are from 0 to 100." */
  if (m->has_swappiness && m->swappiness > 100)
    return v_error (c, "swappiness", "must be between 0 and 100, got %llu",
                    (unsigned long long)m->swappiness);
  return 0;
}

static int
check_id_list (struct vctx *c, const char *field, const char *what, const char *list)
{
  const char *why = NULL;

  if (list && !v_parse_id_list (list, NULL, &why))
    return v_error (c, field, "invalid %s list %s: %s", what, v_quote (c, list), why);
  return 0;
}

static int
check_cpu (struct vctx *c, const struct oci_cpu *cpu)
{
  /* burst: "If specified, this value MUST be no larger than any positive
   * quota (runtimes MAY generate an error)." */
  if (cpu->has_burst && cpu->has_quota && cpu->quota > 0 && cpu->burst > (uint64_t)cpu->quota)
    return v_error (c, "burst", "%llu is above quota %lld", (unsigned long long)cpu->burst,
                    (long long)cpu->quota);
  /* The real-time runtime is -1 (no limit) or at most the period. */
  if (cpu->has_realtime_runtime && cpu->realtime_runtime < -1)
    return v_error (c, "realtimeRuntime", "must be -1 (no limit) or a duration, got %lld",
                    (long long)cpu->realtime_runtime);
  if (cpu->has_realtime_runtime && cpu->has_realtime_period && cpu->realtime_runtime > 0
      && (uint64_t)cpu->realtime_runtime > cpu->realtime_period)
    return v_error (c, "realtimeRuntime", "%lld is above realtimePeriod %llu",
                    (long long)cpu->realtime_runtime, (unsigned long long)cpu->realtime_period);
  /* cpus, mems: "a comma-separated list, with dashes to represent ranges". */
  if (check_id_list (c, "cpus", "CPU", cpu->cpus) < 0
      || check_id_list (c, "mems", "memory node", cpu->mems) < 0)
    return -1;
  /* idle: "0: default behavior, 1: SCHED_IDLE" (cpu.idle takes nothing else). */
  if (cpu->has_idle && cpu->idle != 0 && cpu->idle != 1)
    return v_error (c, "idle", "must be 0 or 1, got %lld", (long long)cpu->idle);
  return 0;
}

/* blkio weights: "Currently allowed range of weights is from 10 to 1000"
 * (the kernel's blkio controller documentation). */
static int
check_weight (struct vctx *c, const char *field, bool has, unsigned w)
{
  if (has && (w < 10 || w > 1000))
    return v_error (c, field, "must be between 10 and 1000, got %u", w);
  return 0;
}

static int
check_weight_device (struct vctx *c, const struct oci_weight_device *d)
{
  if (check_dev_numbers (c, d->major, d->minor) < 0)
    return -1;
  /* "You MUST specify at least one of weight or leafWeight in a given
   * entry, and MAY specify both." */
  if (!d->has_weight && !d->has_leaf_weight)
    return v_error (c, NULL, "needs weight or leafWeight");
  if (check_weight (c, "weight", d->has_weight, d->weight) < 0)
    return -1;
  return check_weight (c, "leafWeight", d->has_leaf_weight, d->leaf_weight);
}

static int
check_throttle_list (struct vctx *c, const char *field, const struct oci_throttle_device *d,
                     size_t n)
{
  size_t mark = v_enter (c, field);

  for (size_t i = 0; i < n; i++)
    {
      size_t im = v_enter_index (c, i);
      if (check_dev_numbers (c, d[i].major, d[i].minor) < 0)
        return -1;
      v_leave (c, im);
    }
  v_leave (c, mark);
  return 0;
}

static int
check_block_io (struct vctx *c, const struct oci_block_io *b)
{
  if (check_weight (c, "weight", b->has_weight, b->weight) < 0
      || check_weight (c, "leafWeight", b->has_leaf_weight, b->leaf_weight) < 0)
    return -1;
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      size_t mark = v_enter (c, "weightDevice");
      v_enter_index (c, i);
      if (check_weight_device (c, &b->weight_device[i]) < 0)
        return -1;
      v_leave (c, mark);
    }
  if (check_throttle_list (c, "throttleReadBpsDevice", b->throttle_read_bps_device,
                           b->throttle_read_bps_device_len)
          < 0
      || check_throttle_list (c, "throttleWriteBpsDevice", b->throttle_write_bps_device,
                              b->throttle_write_bps_device_len)
             < 0
      || check_throttle_list (c, "throttleReadIOPSDevice", b->throttle_read_iops_device,
                              b->throttle_read_iops_device_len)
             < 0
      || check_throttle_list (c, "throttleWriteIOPSDevice", b->throttle_write_iops_device,
                              b->throttle_write_iops_device_len)
             < 0)
    return -1;
  return 0;
}

/* pageSize "<size><unit-prefix>B", the prefix in base 1024: huge page
 * sizes are powers of two.  Returns what is wrong, or NULL. */
static const char *
page_size_problem (const char *s)
{
  unsigned long long v = 0;
  int shift;

  for (; *s >= '0' && *s <= '9'; s++)
    if ((v = v * 10 + (unsigned long long)(*s - '0')) >> 40)
      return "is too large";
  shift = *s == 'K' ? 10 : *s == 'M' ? 20 : 30;
  /* The schema's pattern lets a final newline through. */
  if (s[0] == '\0' || s[1] != 'B' || s[2] != '\0')
    return "must have the form <size>KB, <size>MB or <size>GB";
  if (v == 0 || (v & (v - 1)) != 0 || (v << shift) >> shift != v)
    return "is not a power of two";
  return NULL;
}

static int
check_hugepages (struct vctx *c, const struct oci_hugepage_limit *h, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t mark = v_enter_index (c, i);
      const char *why = page_size_problem (h[i].page_size);
      if (why)
        return v_error (c, "pageSize", "%s %s", v_quote (c, h[i].page_size), why);
      for (size_t j = 0; j < i; j++)
        if (strcmp (h[j].page_size, h[i].page_size) == 0)
          return v_error (c, "pageSize", "%s is already limited by hugepageLimits[%zu]",
                          v_quote (c, h[i].page_size), j);
      v_leave (c, mark);
    }
  return 0;
}

static int
check_network (struct vctx *c, const struct oci_network *net)
{
  const char *why = NULL;

  /* priorities[].name: "interface name in runtime network namespace". */
  for (size_t i = 0; i < net->priorities_len; i++)
    if (!v_valid_ifname (net->priorities[i].name, &why))
      {
        v_enter (c, "priorities");
        v_enter_index (c, i);
        return v_error (c, "name", "invalid interface name %s: %s",
                        v_quote (c, net->priorities[i].name), why);
      }
  return 0;
}

static int
check_rdma (struct vctx *c, const struct oci_resources *r)
{
  for (size_t i = 0; i < r->rdma.len; i++)
    {
      const char *dev = r->rdma.keys[i];
      size_t mark = v_enter_mapkey (c, dev);

      /* The name is written into rdma.max as "DEV hca_handle=N". */
      if (dev[0] == '\0' || dev[strcspn (dev, " \t\n\r\v\f")] != '\0')
        return v_error (c, NULL, "invalid device name");
      /* "You MUST specify at least one of the hcaHandles or hcaObjects in a
       * given entry, and MAY specify both." */
      if (!r->rdma.values[i].has_hca_handles && !r->rdma.values[i].has_hca_objects)
        return v_error (c, NULL, "needs hcaHandles or hcaObjects");
      v_leave (c, mark);
    }
  return 0;
}

static int
check_unified (struct vctx *c, const struct oci_strmap *u)
{
  /* "Each key in the map refers to a file in the cgroup unified hierarchy":
   * a file of the container's cgroup directory, never a path out of it. */
  for (size_t i = 0; i < u->len; i++)
    if (!v_valid_filename (u->keys[i]))
      {
        v_enter_mapkey (c, u->keys[i]);
        return v_error (c, NULL, "not a cgroup file name");
      }
  return 0;
}

int
v_check_resources (struct vctx *c, const struct oci_resources *r)
{
  V_SUB (c, "devices", r->devices, check_device_rules (c, r->devices, r->devices_len));
  V_SUB (c, "memory", r->memory, check_memory (c, r->memory));
  V_SUB (c, "cpu", r->cpu, check_cpu (c, r->cpu));
  /* pids.limit: "-1 indicating no limit"; 0 is a valid limit. */
  if (r->pids && r->pids->limit < -1)
    return v_error (c, "pids.limit", "must be -1 (no limit) or a number of tasks, got %lld",
                    (long long)r->pids->limit);
  V_SUB (c, "blockIO", r->block_io, check_block_io (c, r->block_io));
  V_SUB (c, "hugepageLimits", r->hugepage_limits,
         check_hugepages (c, r->hugepage_limits, r->hugepage_limits_len));
  V_SUB (c, "network", r->network, check_network (c, r->network));
  V_SUB (c, "rdma", r->rdma.keys, check_rdma (c, r));
  V_SUB (c, "unified", r->unified.keys, check_unified (c, &r->unified));
  return 0;
}

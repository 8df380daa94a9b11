/* linux.resources on cgroup v1: each resource group written to the
 * directory of the hierarchy that holds its controller, with v1's file
 * names and units (the values the spec's fields were modelled on). */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "log.h"
#include "util.h"

#define MEMSW "memory.memsw.limit_in_bytes"

static void
add_write (struct hako_cgroup_write *w, size_t *n, const char *field, const char *file, int64_t v)
{
  w[*n].field = field;
  w[*n].file = file;
  snprintf (w[*n].value, sizeof w[*n].value, "%" PRId64, v);
  (*n)++;
}

/* ------------------------------------------------------------ memory */

int
hako_cgroup_memory_check_usage (const struct hako_cgroup_apply *a, const struct oci_memory *m,
                                const char *file)
{
  uint64_t usage;

  if (!a->update || !m->check_before_update || !m->has_limit || m->limit <= 0)
    return 0;
  if (hako_cgroup_read_u64 (a->dirfd, file, &usage, a->err) < 0)
    return hako_error_wrap (a->err, "linux.resources.memory.checkBeforeUpdate");
  if (usage > (uint64_t)m->limit)
    return hako_error_set (a->err, EBUSY,
                           "linux.resources.memory.limit: %" PRId64
                           " is below the current usage %" PRIu64 " (checkBeforeUpdate)",
                           m->limit, usage);
  return 0;
}

/* memory.limit_in_bytes can never exceed memory.memsw.limit_in_bytes, so
 * the order of the two writes depends on the old values: write_group tries
 * both orders. */
static int
memory_limits (const struct hako_cgroup_apply *a, const struct oci_memory *m)
{
  struct hako_cgroup_write w[2];
  size_t n = 0;
  bool swap = m->has_swap && m->swap != 0; /* 0: unset, as in runc */
  bool memsw = hako_cgroup_has_file (a->dirfd, MEMSW);

  if (swap && !memsw)
    return hako_error_set (a->err, ENOTSUP,
                           "linux.resources.memory.swap: " MEMSW
                           ": not supported by this kernel (swap accounting off)");
  if (m->has_limit)
    add_write (w, &n, "memory.limit", "memory.limit_in_bytes", m->limit < 0 ? -1 : m->limit);
  if (swap)
    add_write (w, &n, "memory.swap", MEMSW, m->swap < 0 ? -1 : m->swap);
  /* No limit means no limit on memory+swap either (runc does the same). */
  else if (m->has_limit && m->limit < 0 && memsw)
    add_write (w, &n, "memory.limit", MEMSW, -1);
  return hako_cgroup_write_group (a->dirfd, w, n, a->err);
}

/* Deprecated settings the kernel may refuse: a warning, not a failure. */
static void
try_deprecated (const struct hako_cgroup_apply *a, const char *field, const char *file, int64_t v)
{
  char value[32];
  int r;

  snprintf (value, sizeof value, "%" PRId64, v < 0 ? -1 : v);
  r = hako_cgroup_try_write (a->dirfd, file, value);
  if (r < 0)
    hako_log_warn ("linux.resources.%s: %s: %s (deprecated; ignored)", field, file, strerror (-r));
}

static int
memory_use_hierarchy (const struct hako_cgroup_apply *a, bool on)
{
  int r = hako_cgroup_try_write (a->dirfd, "memory.use_hierarchy", on ? "1" : "0");

  if (r == 0)
    return 0;
  if (!on)
    {
      /* Since Linux 5.x the hierarchy is always on and 0 is refused. */
      hako_log_warn ("linux.resources.memory.useHierarchy: memory.use_hierarchy: the kernel "
                     "keeps hierarchical accounting on (%s)",
                     strerror (-r));
      return 0;
    }
  return hako_cgroup_write (a->dirfd, "memory.useHierarchy", "memory.use_hierarchy", "1", a->err);
}

int
hako_cgroup_v1_memory (const struct hako_cgroup_apply *a, const struct oci_memory *m)
{
  int fd = a->dirfd;

  if (hako_cgroup_memory_check_usage (a, m, "memory.usage_in_bytes") < 0
      || memory_limits (a, m) < 0)
    return -1;
  if (m->has_reservation
      && hako_cgroup_writef (fd, "memory.reservation", "memory.soft_limit_in_bytes", a->err,
                             "%" PRId64, m->reservation < 0 ? -1 : m->reservation)
             < 0)
    return -1;
  if (m->has_swappiness
      && hako_cgroup_writef (fd, "memory.swappiness", "memory.swappiness", a->err, "%" PRIu64,
                             m->swappiness)
             < 0)
    return -1;
  if (m->has_kernel)
    try_deprecated (a, "memory.kernel", "memory.kmem.limit_in_bytes", m->kernel);
  if (m->has_kernel_tcp)
    try_deprecated (a, "memory.kernelTCP", "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp);
  if (m->has_disable_oom_killer
      && hako_cgroup_write (fd, "memory.disableOOMKiller", "memory.oom_control",
                            m->disable_oom_killer ? "1" : "0", a->err)
             < 0)
    return -1;
  if (m->has_use_hierarchy && memory_use_hierarchy (a, m->use_hierarchy) < 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------------ cpu */

static int
cpu_bandwidth (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu)
{
  struct hako_cgroup_write w[3];
  size_t n = 0;

  if (cpu->has_period && cpu->period > 0)
    add_write (w, &n, "cpu.period", "cpu.cfs_period_us", (int64_t)cpu->period);
  if (cpu->has_quota)
    add_write (w, &n, "cpu.quota", "cpu.cfs_quota_us", cpu->quota > 0 ? cpu->quota : -1);
  /* The burst may not exceed the quota: after it when growing, before it
   * when shrinking (write_group tries both orders). */
  if (cpu->has_burst)
    add_write (w, &n, "cpu.burst", "cpu.cfs_burst_us", (int64_t)cpu->burst);
  return hako_cgroup_write_group (a->dirfd, w, n, a->err);
}

static int
cpu_realtime (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu)
{
  struct hako_cgroup_write w[2];
  size_t n = 0;

  if (cpu->has_realtime_period && cpu->realtime_period > 0)
    add_write (w, &n, "cpu.realtimePeriod", "cpu.rt_period_us", (int64_t)cpu->realtime_period);
  if (cpu->has_realtime_runtime)
    add_write (w, &n, "cpu.realtimeRuntime", "cpu.rt_runtime_us",
               cpu->realtime_runtime < 0 ? -1 : cpu->realtime_runtime);
  return hako_cgroup_write_group (a->dirfd, w, n, a->err);
}

int
hako_cgroup_v1_cpu (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu)
{
  if (cpu->has_shares
      && hako_cgroup_writef (a->dirfd, "cpu.shares", "cpu.shares", a->err, "%" PRIu64, cpu->shares)
             < 0)
    return -1;
  if (cpu_bandwidth (a, cpu) < 0 || cpu_realtime (a, cpu) < 0)
    return -1;
  if (cpu->has_idle
      && hako_cgroup_writef (a->dirfd, "cpu.idle", "cpu.idle", a->err, "%" PRId64, cpu->idle) < 0)
    return -1;
  return 0;
}

int
hako_cgroup_cpuset (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu)
{
  if (cpu->cpus && *cpu->cpus
      && hako_cgroup_write (a->dirfd, "cpu.cpus", "cpuset.cpus", cpu->cpus, a->err) < 0)
    return -1;
  if (cpu->mems && *cpu->mems
      && hako_cgroup_write (a->dirfd, "cpu.mems", "cpuset.mems", cpu->mems, a->err) < 0)
    return -1;
  return 0;
}

int
hako_cgroup_v1_cpuset_inherit (int parentfd, int childfd, struct hako_error *err)
{
  static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };

  for (size_t i = 0; i < HAKO_ARRAY_SIZE (files); i++)
    {
      cleanup_free char *mine = NULL;
      cleanup_free char *parent = NULL;
      if (hako_cgroup_read (childfd, files[i], &mine, err) < 0)
        return -1;
      if (*mine != '\0')
        continue;
      if (hako_cgroup_read (parentfd, files[i], &parent, err) < 0)
        return -1;
      if (hako_cgroup_try_write (childfd, files[i], parent) < 0)
        return hako_error_sys (err, errno, "%s: copy \"%s\" from the parent", files[i], parent);
    }
  return 0;
}

/* ------------------------------------------------------------ pids */

int
hako_cgroup_pids_limit (const struct hako_cgroup_apply *a, const struct oci_pids *p)
{
  char value[32];

  if (!p->has_limit)
    return 0;
  hako_cgroup_pids_max (p->limit, value, sizeof value);
  return hako_cgroup_write (a->dirfd, "pids.limit", "pids.max", value, a->err);
}

/* ------------------------------------------------------------ blkio */

static int
blkio_weight_devices (const struct hako_cgroup_apply *a, const struct oci_block_io *b,
                      const char *weight_device)
{
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct oci_weight_device *d = &b->weight_device[i];
      char field[64];
      if (d->has_weight)
        {
          snprintf (field, sizeof field, "blockIO.weightDevice[%zu].weight", i);
          if (hako_cgroup_writef (a->dirfd, field, weight_device, a->err,
                                  "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight)
              < 0)
            return -1;
        }
      if (d->has_leaf_weight)
        {
          snprintf (field, sizeof field, "blockIO.weightDevice[%zu].leafWeight", i);
          if (hako_cgroup_writef (a->dirfd, field, "blkio.leaf_weight_device", a->err,
                                  "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight)
              < 0)
            return -1;
        }
    }
  return 0;
}

static int
blkio_throttle (const struct hako_cgroup_apply *a, const char *name,
                const struct oci_throttle_device *d, size_t n, const char *file)
{
  for (size_t i = 0; i < n; i++)
    {
      char field[64];
      snprintf (field, sizeof field, "blockIO.%s[%zu]", name, i);
      if (hako_cgroup_writef (a->dirfd, field, file, a->err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                              d[i].major, d[i].minor, d[i].rate)
          < 0)
        return -1;
    }
  return 0;
}

int
hako_cgroup_v1_blkio (const struct hako_cgroup_apply *a, const struct oci_block_io *b)
{
  /* CFQ's blkio.weight is gone since Linux 5.0; BFQ offers blkio.bfq.*. */
  bool bfq = hako_cgroup_has_file (a->dirfd, "blkio.bfq.weight");
  const char *weight = bfq ? "blkio.bfq.weight" : "blkio.weight";

  if (b->has_weight
      && hako_cgroup_writef (a->dirfd, "blockIO.weight", weight, a->err, "%u", b->weight) < 0)
    return -1;
  if (b->has_leaf_weight
      && hako_cgroup_writef (a->dirfd, "blockIO.leafWeight", "blkio.leaf_weight", a->err, "%u",
                             b->leaf_weight)
             < 0)
    return -1;
  if (blkio_weight_devices (a, b, bfq ? "blkio.bfq.weight_device" : "blkio.weight_device") < 0)
    return -1;
  if (blkio_throttle (a, "throttleReadBpsDevice", b->throttle_read_bps_device,
                      b->throttle_read_bps_device_len, "blkio.throttle.read_bps_device")
          < 0
      || blkio_throttle (a, "throttleWriteBpsDevice", b->throttle_write_bps_device,
                         b->throttle_write_bps_device_len, "blkio.throttle.write_bps_device")
             < 0
      || blkio_throttle (a, "throttleReadIOPSDevice", b->throttle_read_iops_device,
                         b->throttle_read_iops_device_len, "blkio.throttle.read_iops_device")
             < 0
      || blkio_throttle (a, "throttleWriteIOPSDevice", b->throttle_write_iops_device,
                         b->throttle_write_iops_device_len, "blkio.throttle.write_iops_device")
             < 0)
    return -1;
  return 0;
}

/* ------------------------------------------------------------ hugetlb */

/* Shared by v1 and v2: hugetlb.<size>.<LIMIT>, and hugetlb.<size>.<RSVD>
 * when the kernel has it (5.7+), so reserved-but-unfaulted pages count. */
int
hako_cgroup_hugetlb_limits (const struct hako_cgroup_apply *a, const struct oci_hugepage_limit *l,
                            size_t n, const char *limit, const char *rsvd)
{
  for (size_t i = 0; i < n; i++)
    {
      char field[48], file[96], rfile[96];
      snprintf (field, sizeof field, "hugepageLimits[%zu].limit", i);
      snprintf (file, sizeof file, "hugetlb.%s.%s", l[i].page_size, limit);
      snprintf (rfile, sizeof rfile, "hugetlb.%s.%s", l[i].page_size, rsvd);
      if (!hako_cgroup_has_file (a->dirfd, file))
        return hako_error_set (a->err, ENOTSUP,
                               "linux.resources.%s: %s: huge page size %s not supported by "
                               "this host",
                               field, file, l[i].page_size);
      if (hako_cgroup_writef (a->dirfd, field, file, a->err, "%" PRIu64, l[i].limit) < 0)
        return -1;
      if (hako_cgroup_has_file (a->dirfd, rfile)
          && hako_cgroup_writef (a->dirfd, field, rfile, a->err, "%" PRIu64, l[i].limit) < 0)
        return -1;
    }
  return 0;
}

int
hako_cgroup_v1_hugetlb (const struct hako_cgroup_apply *a, const struct oci_hugepage_limit *l,
                        size_t n)
{
  return hako_cgroup_hugetlb_limits (a, l, n, "limit_in_bytes", "rsvd.limit_in_bytes");
}

/* ------------------------------------------------------------ network */

int
hako_cgroup_v1_net_cls (const struct hako_cgroup_apply *a, const struct oci_network *net)
{
  if (!net->has_class_id)
    return 0;
  return hako_cgroup_writef (a->dirfd, "network.classID", "net_cls.classid", a->err, "%" PRIu32,
                             net->class_id);
}

int
hako_cgroup_v1_net_prio (const struct hako_cgroup_apply *a, const struct oci_network *net)
{
  for (size_t i = 0; i < net->priorities_len; i++)
    {
      char field[48];
      snprintf (field, sizeof field, "network.priorities[%zu]", i);
      if (hako_cgroup_writef (a->dirfd, field, "net_prio.ifpriomap", a->err, "%s %" PRIu32,
                              net->priorities[i].name, net->priorities[i].priority)
          < 0)
        return -1;
    }
  return 0;
}

/* ------------------------------------------------------------ rdma */

/* rdma.max: "DEVICE hca_handle=N hca_object=M", the same on v1 and v2. */
int
hako_cgroup_rdma (const struct hako_cgroup_apply *a, const struct oci_resources *r)
{
  for (size_t i = 0; i < r->rdma.len; i++)
    {
      const struct oci_rdma *d = &r->rdma.values[i];
      char field[300], handles[24] = "max", objects[24] = "max";
      snprintf (field, sizeof field, "rdma.%s", r->rdma.keys[i]);
      if (d->has_hca_handles)
        snprintf (handles, sizeof handles, "%" PRIu32, d->hca_handles);
      if (d->has_hca_objects)
        snprintf (objects, sizeof objects, "%" PRIu32, d->hca_objects);
      if (hako_cgroup_writef (a->dirfd, field, "rdma.max", a->err, "%s hca_handle=%s hca_object=%s",
                              r->rdma.keys[i], handles, objects)
          < 0)
        return -1;
    }
  return 0;
}

/* ------------------------------------------------------------ devices */

/* In order: the first rule (deny all) resets the list, every later one
 * adds an exception or takes one away, exactly as the kernel applies them. */
int
hako_cgroup_v1_devices (const struct hako_cgroup_apply *a, const struct hako_dev_rule *rules,
                        size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      char rule[64];
      hako_cgroup_dev_rule_string (&rules[i], rule, sizeof rule);
      if (hako_cgroup_write (a->dirfd, "devices", rules[i].allow ? "devices.allow" : "devices.deny",
                             rule, a->err)
          < 0)
        return -1;
    }
  return 0;
}

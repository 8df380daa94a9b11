/* linux.resources, field group by field group, each sent to the hierarchy
 * that holds its controller and written with that hierarchy's version of
 * the files (cgroup-v1.c or cgroup-v2.c).  On a hybrid host this is what
 * lets memory go to v1 and hugetlb to the unified hierarchy. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "log.h"
#include "util.h"

struct apply
{
  const struct hako_cgroup *cg;
  bool update;
  bool rootless;
  struct hako_error *err;
};

/* Rootless, a missing controller is usually one the user was not given:
 * a hierarchy not delegated, or (cgroup v2) a controller the delegated
 * cgroup's parent does not pass down. */
static int
no_controller (const struct apply *x, const char *field, const char *v1name, const char *v2name)
{
  const struct hako_cgroup_hier *d = hako_cgroup_find_denied (x->cg, v1name, v2name);
  const char *controller = v1name ? v1name : v2name;

  if (d)
    return hako_error_set (x->err, EACCES,
                           "linux.resources.%s: rootless, and the %s controller's hierarchy is "
                           "not delegated to this user: %s",
                           field, controller, d->denied);
  return hako_error_set (x->err, ENOTSUP,
                         "linux.resources.%s: no %s controller for the container's cgroup on "
                         "this host (%s layout)%s",
                         field, controller, hako_cgroup_layout_name (x->cg->layout),
                         x->rootless && v2name && hako_cgroup_v2_part (x->cg)
                             ? "; rootless: is it enabled in cgroup.subtree_control of "
                               "the delegated cgroup's parent?"
                             : "");
}

/* The directory for a controller, as an application context; NULL with
 * the error set when the host has no such controller. */
static bool
target (const struct apply *x, const char *field, const char *v1name, const char *v2name,
        struct hako_cgroup_apply *a, bool *v2)
{
  struct hako_cgroup_hier *h = hako_cgroup_find (x->cg, v1name, v2name);

  if (h == NULL)
    {
      no_controller (x, field, v1name, v2name);
      return false;
    }
  a->dirfd = h->dirfd;
  a->update = x->update;
  a->err = x->err;
  *v2 = h->v2;
  return true;
}

static int
apply_memory (const struct apply *x, const struct oci_memory *m)
{
  struct hako_cgroup_apply a;
  bool v2;

  if (m == NULL)
    return 0;
  if (!target (x, "memory", "memory", "memory", &a, &v2))
    return -1;
  return v2 ? hako_cgroup_v2_memory (&a, m) : hako_cgroup_v1_memory (&a, m);
}

static bool
cpu_bandwidth_given (const struct oci_cpu *c)
{
  return c->has_shares || c->has_quota || c->has_period || c->has_burst || c->has_realtime_runtime
         || c->has_realtime_period || c->has_idle;
}

/* v1 real-time bandwidth is handed down the tree: a cgroup may give its
 * children only what it has, and a new cgroup has none.  Ancestors that
 * have none (never used for real-time) get what the container asks for;
 * the others are left alone and the kernel says whether there is room. */
static int
rt_ancestors (const struct apply *x, const struct oci_cpu *cpu)
{
  struct hako_cgroup_hier *h = hako_cgroup_find (x->cg, "cpu", NULL);
  cleanup_free char *p = NULL;
  size_t base;

  if (x->update || h == NULL || !cpu->has_realtime_runtime || cpu->realtime_runtime <= 0)
    return 0;
  p = hako_strdup_printf ("%s%s", h->mountpoint, h->path);
  base = strlen (h->mountpoint);
  for (char *s = strchr (p + base + 1, '/'); s; s = strchr (s + 1, '/'))
    {
      cleanup_fd int fd = -1;
      struct oci_cpu rt = { 0 };
      struct hako_cgroup_apply a = { -1, false, x->err };
      uint64_t cur;
      *s = '\0';
      fd = open (p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      *s = '/';
      if (fd < 0 || hako_cgroup_read_u64 (fd, "cpu.rt_runtime_us", &cur, x->err) < 0 || cur != 0)
        continue;
      rt.has_realtime_runtime = true;
      rt.realtime_runtime = cpu->realtime_runtime;
      rt.has_realtime_period = cpu->has_realtime_period;
      rt.realtime_period = cpu->realtime_period;
      a.dirfd = fd;
      if (hako_cgroup_v1_cpu (&a, &rt) < 0)
        return hako_error_wrap (x->err, "real-time budget of %.*s", (int)(s - p), p);
    }
  hako_error_clear (x->err);
  return 0;
}

static int
apply_cpu (const struct apply *x, const struct oci_cpu *cpu)
{
  struct hako_cgroup_apply a;
  bool v2;

  if (cpu == NULL)
    return 0;
  if (cpu_bandwidth_given (cpu))
    {
      if (!target (x, "cpu", "cpu", "cpu", &a, &v2))
        return -1;
      if (!v2 && rt_ancestors (x, cpu) < 0)
        return -1;
      if ((v2 ? hako_cgroup_v2_cpu (&a, cpu) : hako_cgroup_v1_cpu (&a, cpu)) < 0)
        return -1;
    }
  if ((cpu->cpus && *cpu->cpus) || (cpu->mems && *cpu->mems))
    {
      if (!target (x, "cpu.cpus", "cpuset", "cpuset", &a, &v2))
        return -1;
      return hako_cgroup_cpuset (&a, cpu);
    }
  return 0;
}

static int
apply_pids (const struct apply *x, const struct oci_pids *p)
{
  struct hako_cgroup_apply a;
  bool v2;

  if (p == NULL)
    return 0;
  if (!target (x, "pids", "pids", "pids", &a, &v2))
    return -1;
  return hako_cgroup_pids_limit (&a, p);
}

static bool
block_io_given (const struct oci_block_io *b)
{
  return b->has_weight || b->has_leaf_weight || b->weight_device_len
         || b->throttle_read_bps_device_len || b->throttle_write_bps_device_len
         || b->throttle_read_iops_device_len || b->throttle_write_iops_device_len;
}

static int
apply_block_io (const struct apply *x, const struct oci_block_io *b)
{
  struct hako_cgroup_apply a;
  bool v2;

  if (b == NULL || !block_io_given (b))
    return 0;
  if (!target (x, "blockIO", "blkio", "io", &a, &v2))
    return -1;
  return v2 ? hako_cgroup_v2_io (&a, b) : hako_cgroup_v1_blkio (&a, b);
}

static int
apply_hugetlb (const struct apply *x, const struct oci_resources *r)
{
  struct hako_cgroup_apply a;
  bool v2;

  if (r->hugepage_limits_len == 0)
    return 0;
  if (!target (x, "hugepageLimits", "hugetlb", "hugetlb", &a, &v2))
    return -1;
  return v2 ? hako_cgroup_v2_hugetlb (&a, r->hugepage_limits, r->hugepage_limits_len)
            : hako_cgroup_v1_hugetlb (&a, r->hugepage_limits, r->hugepage_limits_len);
}

/* net_cls and net_prio exist on v1 only (v2 leaves packet tagging to
 * eBPF and nftables' cgroup matching). */
static int
apply_network (const struct apply *x, const struct oci_network *net)
{
  struct hako_cgroup_apply a;
  bool v2;

  if (net == NULL)
    return 0;
  if (net->has_class_id
      && (!target (x, "network.classID", "net_cls", NULL, &a, &v2)
          || hako_cgroup_v1_net_cls (&a, net) < 0))
    return -1;
  if (net->priorities_len
      && (!target (x, "network.priorities", "net_prio", NULL, &a, &v2)
          || hako_cgroup_v1_net_prio (&a, net) < 0))
    return -1;
  return 0;
}

static int
apply_rdma (const struct apply *x, const struct oci_resources *r)
{
  struct hako_cgroup_apply a;
  bool v2;

  if (r->rdma.len == 0)
    return 0;
  if (!target (x, "rdma", "rdma", "rdma", &a, &v2))
    return -1;
  return hako_cgroup_rdma (&a, r);
}

/* v1's devices controller where it is mounted, else the cgroup2 device
 * filter.  Rootless containers cannot set either (and cannot mknod). */
static int
apply_devices (const struct apply *x, const struct oci_config *config, bool rootless)
{
  cleanup_free struct hako_dev_rule *rules = NULL;
  struct hako_cgroup_hier *v1 = hako_cgroup_find (x->cg, "devices", NULL);
  struct hako_cgroup_hier *v2 = hako_cgroup_v2_part (x->cg);
  struct hako_cgroup_apply a = { -1, false, x->err };
  size_t n;

  if (x->update || rootless)
    return 0;
  if (v1 == NULL && v2 == NULL)
    {
      hako_log_debug ("cgroup: no device controller: device rules not applied");
      return 0;
    }
  if (hako_cgroup_device_rules (config, &rules, &n, x->err) < 0)
    return -1;
  if (v1)
    {
      a.dirfd = v1->dirfd;
      return hako_cgroup_v1_devices (&a, rules, n);
    }
  if (hako_cgroup_bpf_devices (v2->dirfd, rules, n, x->err) < 0)
    return hako_error_wrap (x->err, "linux.resources.devices");
  return 0;
}

static int
apply_unified (const struct apply *x, const struct oci_strmap *u)
{
  struct hako_cgroup_hier *v2 = hako_cgroup_v2_part (x->cg);
  struct hako_cgroup_apply a = { -1, x->update, x->err };

  if (u->len == 0)
    return 0;
  if (v2 == NULL && hako_cgroup_find_denied (x->cg, NULL, ""))
    return no_controller (x, "unified", NULL, "");
  if (v2 == NULL)
    return hako_error_set (x->err, ENOTSUP,
                           "linux.resources.unified: needs cgroup v2, and this host has cgroup "
                           "v1 only");
  a.dirfd = v2->dirfd;
  return hako_cgroup_v2_unified (&a, u);
}

int
hako_cgroup_apply (const struct hako_cgroup *cg, const struct oci_config *config,
                   const struct oci_resources *r, bool update, bool rootless,
                   struct hako_error *err)
{
  struct apply x = { cg, update, rootless, err };
  static const struct oci_resources none;

  if (r == NULL)
    r = &none;
  if (apply_devices (&x, config, rootless) < 0 || apply_memory (&x, r->memory) < 0
      || apply_cpu (&x, r->cpu) < 0 || apply_pids (&x, r->pids) < 0
      || apply_block_io (&x, r->block_io) < 0 || apply_hugetlb (&x, r) < 0
      || apply_network (&x, r->network) < 0 || apply_rdma (&x, r) < 0)
    return -1;
  /* Last: a unified key overrides what the conversions wrote. */
  return apply_unified (&x, &r->unified);
}

/* Pure conversions between linux.resources values and cgroup file values:
 * the v1 -> v2 mappings (shares -> weight, quota/period -> cpu.max, blkio
 * weight -> io.weight, memory+swap -> swap), and the device rules every
 * container gets.  No I/O here, so the unit tests check them directly. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "util.h"

/* cpu.shares spans [2, 2^18] with 1024 the default; cpu.weight spans
 * [1, 10^4] with 100 the default.  With L = log2(shares), the exponent
 * (L^2 + 125 L) / 612 - 7/34 is a parabola through (1, 0), (10, 2) and
 * (18, 4): both ends and the defaults map onto each other, which the old
 * linear formula (1024 -> 39) did not.  This is the mapping runc 1.3.2+
 * and crun 1.23+ use, so a container gets the same weight with either. */
uint64_t
hako_cgroup_shares_to_weight (uint64_t shares)
{
  double l, e;

  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  l = log2 ((double)shares);
  e = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return (uint64_t)ceil (pow (10, e));
}

/* blkio.weight [10, 1000] onto io.weight [1, 10000], linearly (the kernel
 * documents no mapping; this is the one runc and crun use). */
uint64_t
hako_cgroup_blkio_to_io_weight (uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

bool
hako_cgroup_cpu_max (const struct oci_cpu *cpu, const char *cur_quota, char *buf, size_t size)
{
  char quota[32];

  if (!cpu->has_quota && !cpu->has_period)
    return false;
  /* cpu.max cannot take a period alone: keep the quota that is there. */
  if (!cpu->has_quota)
    snprintf (quota, sizeof quota, "%s", cur_quota ? cur_quota : "max");
  else if (cpu->quota > 0)
    snprintf (quota, sizeof quota, "%" PRId64, cpu->quota);
  else
    snprintf (quota, sizeof quota, "max");
  if (cpu->has_period && cpu->period > 0)
    snprintf (buf, size, "%s %" PRIu64, quota, cpu->period);
  else
    snprintf (buf, size, "%s", quota);
  return true;
}

void
hako_cgroup_v2_bytes (int64_t v, char *buf, size_t size)
{
  if (v < 0)
    snprintf (buf, size, "max");
  else
    snprintf (buf, size, "%" PRId64, v);
}

/* OCI's swap is a limit on memory plus swap (v1 memory.memsw); v2 limits
 * swap alone, so memory.swap.max = swap - limit. */
int
hako_cgroup_v2_swap (int64_t swap, int64_t limit, char *buf, size_t size, const char **why)
{
  if (swap < 0)
    {
      snprintf (buf, size, "max");
      return 0;
    }
  if (limit < 0)
    {
      *why = "needs a memory limit (swap limits memory plus swap)";
      return -1;
    }
  if (swap < limit)
    {
      *why = "is below the memory limit (swap limits memory plus swap)";
      return -1;
    }
  snprintf (buf, size, "%" PRId64, swap - limit);
  return 0;
}

void
hako_cgroup_pids_max (int64_t limit, char *buf, size_t size)
{
  if (limit > 0)
    snprintf (buf, size, "%" PRId64, limit);
  else
    snprintf (buf, size, "max");
}

void
hako_cgroup_dev_number (bool has, int64_t v, char *buf, size_t size)
{
  if (!has || v < 0)
    snprintf (buf, size, "*");
  else
    snprintf (buf, size, "%" PRId64, v);
}

/* ------------------------------------------------------------ devices */

static unsigned
access_bits (const char *access)
{
  unsigned bits = 0;

  if (access == NULL || *access == '\0')
    return HAKO_DEV_ACC_ALL;
  for (const char *c = access; *c; c++)
    bits |= *c == 'r'   ? HAKO_DEV_ACC_READ
            : *c == 'w' ? HAKO_DEV_ACC_WRITE
            : *c == 'm' ? HAKO_DEV_ACC_MKNOD
                        : 0;
  return bits;
}

void
hako_cgroup_dev_rule_string (const struct hako_dev_rule *r, char *buf, size_t size)
{
  char major[24], minor[24], access[4];
  size_t n = 0;

  if (r->type == 'a')
    {
      snprintf (buf, size, "a");
      return;
    }
  hako_cgroup_dev_number (true, r->major, major, sizeof major);
  hako_cgroup_dev_number (true, r->minor, minor, sizeof minor);
  if (r->access & HAKO_DEV_ACC_READ)
    access[n++] = 'r';
  if (r->access & HAKO_DEV_ACC_WRITE)
    access[n++] = 'w';
  if (r->access & HAKO_DEV_ACC_MKNOD)
    access[n++] = 'm';
  access[n] = '\0';
  snprintf (buf, size, "%c %s:%s %s", r->type, major, minor, access);
}

/* The devices every container may use, whatever its rules say (the spec's
 * default devices, /dev/console and the devpts ptys). */
static const struct hako_dev_rule default_allowed[] = {
  { true, 'c', 1, 3, HAKO_DEV_ACC_ALL },    /* /dev/null */
  { true, 'c', 1, 5, HAKO_DEV_ACC_ALL },    /* /dev/zero */
  { true, 'c', 1, 7, HAKO_DEV_ACC_ALL },    /* /dev/full */
  { true, 'c', 1, 8, HAKO_DEV_ACC_ALL },    /* /dev/random */
  { true, 'c', 1, 9, HAKO_DEV_ACC_ALL },    /* /dev/urandom */
  { true, 'c', 5, 0, HAKO_DEV_ACC_ALL },    /* /dev/tty */
  { true, 'c', 5, 1, HAKO_DEV_ACC_ALL },    /* /dev/console */
  { true, 'c', 5, 2, HAKO_DEV_ACC_ALL },    /* /dev/ptmx */
  { true, 'c', 136, -1, HAKO_DEV_ACC_ALL }, /* /dev/pts/N */
};

static void
rule_from_config (const struct oci_device_cgroup *d, struct hako_dev_rule *r)
{
  r->allow = d->allow;
  r->type = d->type && d->type[0] ? d->type[0] : 'a';
  r->major = d->has_major ? d->major : -1;
  r->minor = d->has_minor ? d->minor : -1;
  r->access = access_bits (d->access);
}

/* linux.devices entries are created in the container, so they are allowed. */
static bool
rule_from_device (const struct oci_device *d, struct hako_dev_rule *r)
{
  char t = d->type ? d->type[0] : 0;

  if (t != 'c' && t != 'u' && t != 'b')
    return false; /* a fifo is no device to the device cgroup */
  r->allow = true;
  r->type = t == 'b' ? 'b' : 'c';
  r->major = d->has_major ? d->major : -1;
  r->minor = d->has_minor ? d->minor : -1;
  r->access = HAKO_DEV_ACC_ALL;
  return true;
}

int
hako_cgroup_device_rules (const struct oci_config *config, struct hako_dev_rule **out, size_t *n,
                          struct hako_error *err)
{
  const struct oci_linux *l = config ? config->linux : NULL;
  const struct oci_resources *res = l ? l->resources : NULL;
  size_t nres = res ? res->devices_len : 0, ndev = l ? l->devices_len : 0;
  struct hako_dev_rule *r
      = hako_xmalloc0 ((1 + nres + HAKO_ARRAY_SIZE (default_allowed) + ndev) * sizeof *r);
  size_t k = 0;

  (void)err;
  r[k++] = (struct hako_dev_rule){ false, 'a', -1, -1, HAKO_DEV_ACC_ALL };
  for (size_t i = 0; i < nres; i++)
    rule_from_config (&res->devices[i], &r[k++]);
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (default_allowed); i++)
    r[k++] = default_allowed[i];
  for (size_t i = 0; i < ndev; i++)
    k += rule_from_device (&l->devices[i], &r[k]);
  *out = r;
  *n = k;
  return 0;
}

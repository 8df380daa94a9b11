/* The systemd driver's pure half: linux.cgroupsPath into a unit name, and
 * linux.resources into the unit properties systemd understands plus what
 * hako still writes itself.  No I/O, no sd-bus: built with or without
 * systemd support, and checked directly by the unit tests. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-systemd.h"
#include "util.h"

/* ------------------------------------------------------------ names */

#define UNIT_NAME_MAX 255 /* systemd's limit, without the NUL */

void
hako_sd_name_clear (struct hako_sd_name *n)
{
  free (n->slice);
  free (n->unit);
  n->slice = n->unit = NULL;
}

/* The characters systemd allows in a unit name before its suffix. */
static bool
valid_unit_chars (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char)s[i]) && strchr (":-_.\\", s[i]) == NULL)
      return false;
  return n > 0;
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t n = strlen (s), k = strlen (suffix);
  return n >= k && strcmp (s + n - k, suffix) == 0;
}

int
hako_sd_expand_slice (const char *slice, char **out)
{
  size_t n = strlen (slice), base;
  char *path, *p;

  if (strcmp (slice, "-.slice") == 0)
    {
      *out = hako_xstrdup ("/");
      return 0;
    }
  if (!ends_with (slice, ".slice") || n > UNIT_NAME_MAX)
    return -1;
  base = n - strlen (".slice");
  /* Every '-' starts a parent: "a-b" lives in "a"; none may be empty. */
  if (!valid_unit_chars (slice, base) || slice[0] == '-' || slice[base - 1] == '-'
      || memmem (slice, base, "--", 2) != NULL)
    return -1;
  path = p = hako_xmalloc0 (n * (n + 8) + 2);
  for (size_t i = 0; i <= base; i++)
    if (i == base || slice[i] == '-')
      p += sprintf (p, "/%.*s.slice", (int)i, slice);
  *out = path;
  return 0;
}

static int
name_error (const char *cgroups_path, struct hako_error *err, const char *why)
{
  return hako_error_set (err, EINVAL, "linux.cgroupsPath \"%s\": %s", cgroups_path, why);
}

/* Split "slice:prefix:name" into three malloc'ed parts. */
static int
split3 (const char *s, char *parts[3])
{
  const char *c1 = strchr (s, ':'), *c2 = c1 ? strchr (c1 + 1, ':') : NULL;

  if (c2 == NULL || strchr (c2 + 1, ':'))
    return -1;
  parts[0] = strndup (s, c1 - s);
  parts[1] = strndup (c1 + 1, c2 - c1 - 1);
  parts[2] = hako_xstrdup (c2 + 1);
  if (parts[0] == NULL || parts[1] == NULL)
    abort ();
  return 0;
}

static int
make_unit (const char *path, char *parts[3], struct hako_sd_name *out, struct hako_error *err)
{
  cleanup_free char *expanded = NULL;

  if (*parts[2] == '\0')
    return name_error (path, err, "the name (after the second ':') is empty");
  out->is_slice = ends_with (parts[2], ".slice");
  if (out->is_slice)
    {
      if (hako_sd_expand_slice (parts[2], &expanded) < 0 || strcmp (expanded, "/") == 0)
        return name_error (path, err, "the name is not a valid slice name");
      out->unit = hako_xstrdup (parts[2]);
      return 0;
    }
  if (*parts[1])
    out->unit = hako_strdup_printf ("%s-%s.scope", parts[1], parts[2]);
  else
    out->unit = hako_strdup_printf ("%s.scope", parts[2]);
  if (strlen (out->unit) > UNIT_NAME_MAX
      || !valid_unit_chars (out->unit, strlen (out->unit) - strlen (".scope")))
    return name_error (path, err,
                       "prefix and name may only hold letters, digits and \":-_.\\\" "
                       "(255 characters at most)");
  return 0;
}

int
hako_sd_parse_cgroups_path (const char *cgroups_path, const char *id, bool rootless,
                            struct hako_sd_name *out, struct hako_error *err)
{
  const char *dflt = rootless ? "user.slice" : "system.slice";
  cleanup_free char *given = NULL;
  char *parts[3] = { NULL, NULL, NULL };
  int r = -1;

  memset (out, 0, sizeof *out);
  if (cgroups_path == NULL || *cgroups_path == '\0')
    cgroups_path = given = hako_strdup_printf (":hako:%s", id);
  if (split3 (cgroups_path, parts) < 0)
    name_error (cgroups_path, err,
                "the systemd cgroup driver expects \"slice:prefix:name\" (e.g. "
                "\"system.slice:hako:NAME\")");
  else
    {
      cleanup_free char *ignored = NULL;
      out->slice = hako_xstrdup (*parts[0] ? parts[0] : dflt);
      if (hako_sd_expand_slice (out->slice, &ignored) < 0)
        name_error (cgroups_path, err, "the slice must be a valid slice name (\"a-b.slice\")");
      else
        r = make_unit (cgroups_path, parts, out, err);
    }
  for (size_t i = 0; i < 3; i++)
    free (parts[i]);
  if (r < 0)
    hako_sd_name_clear (out);
  return r;
}

/* ------------------------------------------------------------ property lists */

void
hako_sd_props_free (struct hako_sd_props *p)
{
  for (size_t i = 0; i < p->n; i++)
    {
      struct hako_sd_prop *x = &p->v[i];
      free (x->str);
      free (x->bytes);
      for (size_t k = 0; k < x->ndev; k++)
        free (x->dev[k].path);
      free (x->dev);
    }
  free (p->v);
  p->v = NULL;
  p->n = 0;
}

static struct hako_sd_prop *
props_add (struct hako_sd_props *p, const char *name, enum hako_sd_kind kind)
{
  struct hako_sd_prop *x;

  p->v = realloc (p->v, (p->n + 1) * sizeof *p->v);
  if (p->v == NULL)
    abort ();
  x = &p->v[p->n++];
  memset (x, 0, sizeof *x);
  x->name = name;
  x->kind = kind;
  return x;
}

void
hako_sd_props_add_u64 (struct hako_sd_props *p, const char *name, uint64_t v)
{
  props_add (p, name, HAKO_SD_U64)->u64 = v;
}

void
hako_sd_props_add_bool (struct hako_sd_props *p, const char *name, bool v)
{
  props_add (p, name, HAKO_SD_BOOL)->u64 = v;
}

void
hako_sd_props_add_str (struct hako_sd_props *p, const char *name, enum hako_sd_kind kind,
                       const char *v)
{
  props_add (p, name, kind)->str = hako_xstrdup (v);
}

const struct hako_sd_prop *
hako_sd_props_find (const struct hako_sd_props *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp (p->v[i].name, name) == 0)
      return &p->v[i];
  return NULL;
}

/* ------------------------------------------------------------ resources */

#define INFINITY_U64 UINT64_MAX /* systemd's "infinity" for limits */
#define DEFAULT_CFS_PERIOD 100000

static uint64_t
limit_or_infinity (int64_t v)
{
  return v < 0 ? INFINITY_U64 : (uint64_t)v;
}

static bool
memory_left (const struct oci_memory *m)
{
  return m->has_limit || m->has_reservation || m->has_swap || m->has_kernel || m->has_kernel_tcp
         || m->has_swappiness || m->has_disable_oom_killer || m->has_use_hierarchy;
}

static int
memory_props (const struct oci_memory *m, bool v2, struct hako_sd_props *p,
              struct hako_sd_rest *rest, struct hako_error *err)
{
  struct oci_memory *left = &rest->memory;

  *left = *m;
  if (m->has_limit)
    {
      hako_sd_props_add_u64 (p, "MemoryMax", limit_or_infinity (m->limit));
      /* v1 orders memory and memory+swap limits against each other:
       * hako keeps writing both when swap is given (0: unset, as in
       * runc). */
      left->has_limit = !v2 && m->has_swap && m->swap != 0;
    }
  if (v2 && m->has_reservation)
    {
      hako_sd_props_add_u64 (p, "MemoryLow", limit_or_infinity (m->reservation));
      left->has_reservation = false;
    }
  /* A swap limit on its own needs the memory limit in force: hako reads
   * it and writes memory.swap.max itself. */
  if (v2 && m->has_swap && m->swap != 0 && m->has_limit)
    {
      char buf[32];
      const char *why = NULL;
      if (hako_cgroup_v2_swap (m->swap, m->limit, buf, sizeof buf, &why) < 0)
        return hako_error_set (err, EINVAL, "linux.resources.memory.swap: %" PRId64 " %s", m->swap,
                               why);
      hako_sd_props_add_u64 (p, "MemorySwapMax",
                             strcmp (buf, "max") == 0 ? INFINITY_U64 : strtoull (buf, NULL, 10));
      left->has_swap = false;
    }
  rest->r.memory = memory_left (left) ? left : NULL;
  return 0;
}

/* CFS bandwidth as systemd wants it: quota per second of CPU time, which
 * systemd turns back into quota * period / 1s.  Rounded up, so that the
 * kernel gets exactly QUOTA for any period up to one second. */
static void
cpu_quota_props (const struct oci_cpu *c, uint64_t cur_period, struct hako_sd_props *p,
                 struct oci_cpu *left)
{
  uint64_t period = c->has_period && c->period > 0 ? c->period
                    : cur_period > 0               ? cur_period
                                                   : DEFAULT_CFS_PERIOD;

  if (c->has_quota)
    {
      uint64_t per_sec = INFINITY_U64;
      if (c->quota > 0)
        per_sec = ((uint64_t)c->quota * 1000000 + period - 1) / period;
      hako_sd_props_add_u64 (p, "CPUQuotaPerSecUSec", per_sec);
      left->has_quota = false;
    }
  if (c->has_period && c->period > 0)
    {
      hako_sd_props_add_u64 (p, "CPUQuotaPeriodUSec", c->period);
      left->has_period = false;
    }
}

static int
cpuset_prop (const char *list, const char *field, const char *name, struct hako_sd_props *p,
             struct hako_error *err)
{
  uint8_t *mask;
  size_t n;
  struct hako_sd_prop *x;

  if (hako_sd_cpuset_mask (list, &mask, &n) < 0)
    return hako_error_set (err, EINVAL, "linux.resources.cpu.%s: invalid list \"%s\"", field, list);
  x = props_add (p, name, HAKO_SD_BYTES);
  x->bytes = mask;
  x->nbytes = n;
  return 0;
}

static int
cpu_props (const struct oci_cpu *c, bool v2, uint64_t cur_period, struct hako_sd_props *p,
           struct hako_sd_rest *rest, struct hako_error *err)
{
  struct oci_cpu *left = &rest->cpu;

  *left = *c;
  rest->r.cpu = left;
  if (c->has_shares && c->shares > 0)
    {
      if (v2)
        hako_sd_props_add_u64 (p, "CPUWeight", hako_cgroup_shares_to_weight (c->shares));
      else
        hako_sd_props_add_u64 (p, "CPUShares", c->shares);
      left->has_shares = false;
    }
  cpu_quota_props (c, cur_period, p, left);
  /* systemd manages cpuset on cgroup2 only. */
  if (v2 && c->cpus && *c->cpus)
    {
      if (cpuset_prop (c->cpus, "cpus", "AllowedCPUs", p, err) < 0)
        return -1;
      left->cpus = NULL;
    }
  if (v2 && c->mems && *c->mems)
    {
      if (cpuset_prop (c->mems, "mems", "AllowedMemoryNodes", p, err) < 0)
        return -1;
      left->mems = NULL;
    }
  return 0;
}

static void
block_io_props (const struct oci_block_io *b, bool v2, struct hako_sd_props *p,
                struct hako_sd_rest *rest)
{
  rest->block_io = *b;
  rest->r.block_io = &rest->block_io;
  if (!b->has_weight || b->weight == 0)
    return;
  if (v2)
    hako_sd_props_add_u64 (p, "IOWeight", hako_cgroup_blkio_to_io_weight (b->weight));
  else
    hako_sd_props_add_u64 (p, "BlockIOWeight", b->weight);
  rest->block_io.has_weight = false;
}

int
hako_sd_resource_props (const struct oci_resources *r, enum hako_cgroup_layout layout,
                        uint64_t cur_period, struct hako_sd_props *props, struct hako_sd_rest *rest,
                        struct hako_error *err)
{
  bool v2 = layout == HAKO_CGROUP_V2;

  memset (rest, 0, sizeof *rest);
  if (r == NULL)
    return 0;
  rest->r = *r;
  if (r->memory && memory_props (r->memory, v2, props, rest, err) < 0)
    return -1;
  if (r->cpu && cpu_props (r->cpu, v2, cur_period, props, rest, err) < 0)
    return -1;
  if (r->pids)
    {
      hako_sd_props_add_u64 (props, "TasksMax",
                             r->pids->limit > 0 ? (uint64_t)r->pids->limit : INFINITY_U64);
      rest->r.pids = NULL;
    }
  if (r->block_io)
    block_io_props (r->block_io, v2, props, rest);
  return 0;
}

/* ------------------------------------------------------------ devices */

static void
access_string (unsigned bits, char out[4])
{
  size_t n = 0;

  if (bits & HAKO_DEV_ACC_READ)
    out[n++] = 'r';
  if (bits & HAKO_DEV_ACC_WRITE)
    out[n++] = 'w';
  if (bits & HAKO_DEV_ACC_MKNOD)
    out[n++] = 'm';
  out[n] = '\0';
}

/* The names /proc/devices gives MAJOR in the section of TYPE, as
 * "char-NAME" entries appended to OUT (names holding '/' are skipped:
 * systemd matches them as patterns). */
static void
names_for_major (const char *proc_devices, char type, int64_t major, char ***out, size_t *n)
{
  const char *section = type == 'b' ? "Block devices:" : "Character devices:";
  const char *p = proc_devices ? strstr (proc_devices, section) : NULL;

  if (p == NULL)
    return;
  p = strchr (p, '\n');
  while (p && p[1] && p[1] != '\n')
    {
      char name[64];
      long long m;
      p++;
      if (sscanf (p, " %lld %63s", &m, name) == 2 && m == major && strchr (name, '/') == NULL)
        {
          *out = realloc (*out, (*n + 1) * sizeof **out);
          if (*out == NULL)
            abort ();
          (*out)[(*n)++] = hako_strdup_printf ("%s-%s", type == 'b' ? "block" : "char", name);
        }
      p = strchr (p, '\n');
    }
}

/* Merge ACCESS into the entry for PATH, or add one. */
static void
allow_path (struct hako_sd_prop *x, const char *path, unsigned bits, bool allow)
{
  unsigned cur = 0;
  size_t i;

  for (i = 0; i < x->ndev && strcmp (x->dev[i].path, path) != 0; i++)
    ;
  if (i == x->ndev)
    {
      if (!allow)
        return;
      x->dev = realloc (x->dev, (x->ndev + 1) * sizeof *x->dev);
      if (x->dev == NULL)
        abort ();
      x->dev[x->ndev].path = hako_xstrdup (path);
      x->dev[x->ndev++].access[0] = '\0';
    }
  for (const char *c = x->dev[i].access; *c; c++)
    cur |= *c == 'r' ? HAKO_DEV_ACC_READ : *c == 'w' ? HAKO_DEV_ACC_WRITE : HAKO_DEV_ACC_MKNOD;
  access_string (allow ? cur | bits : cur & ~bits, x->dev[i].access);
}

static void
rule_paths (const struct hako_dev_rule *r, const char *proc_devices, char ***paths, size_t *n)
{
  const char *kind = r->type == 'b' ? "block" : "char";

  *paths = NULL;
  *n = 0;
  if (r->major < 0)
    {
      *paths = hako_xmalloc0 (sizeof **paths);
      (*paths)[(*n)++] = hako_strdup_printf ("%s-*", kind);
    }
  else if (r->minor < 0)
    names_for_major (proc_devices, r->type, r->major, paths, n);
  else
    {
      *paths = hako_xmalloc0 (sizeof **paths);
      (*paths)[(*n)++]
          = hako_strdup_printf ("/dev/%s/%" PRId64 ":%" PRId64, kind, r->major, r->minor);
    }
}

void
hako_sd_device_props (const struct hako_dev_rule *rules, size_t n, const char *proc_devices,
                      struct hako_sd_props *props)
{
  struct hako_sd_prop list = { .name = "DeviceAllow", .kind = HAKO_SD_DEVICES };

  for (size_t i = 0; i < n; i++)
    if (rules[i].allow && rules[i].type == 'a')
      {
        hako_sd_props_add_str (props, "DevicePolicy", HAKO_SD_STRING, "auto");
        return;
      }
  for (size_t i = 0; i < n; i++)
    {
      char **paths;
      size_t np;
      if (rules[i].type == 'a') /* deny all: what strict starts from */
        continue;
      rule_paths (&rules[i], proc_devices, &paths, &np);
      for (size_t k = 0; k < np; k++)
        {
          allow_path (&list, paths[k], rules[i].access, rules[i].allow);
          free (paths[k]);
        }
      free (paths);
    }
  hako_sd_props_add_str (props, "DevicePolicy", HAKO_SD_STRING, "strict");
  *props_add (props, "DeviceAllow", HAKO_SD_DEVICES) = list;
}

/* ------------------------------------------------------------ cpusets */

#define CPUSET_MAX 8192

static bool
parse_cpu (const char *s, char **end, unsigned long *v)
{
  if (!isdigit ((unsigned char)*s))
    return false;
  errno = 0;
  *v = strtoul (s, end, 10);
  return errno == 0 && *v < CPUSET_MAX;
}

int
hako_sd_cpuset_mask (const char *list, uint8_t **mask, size_t *n)
{
  uint8_t bits[CPUSET_MAX / 8] = { 0 };
  unsigned long hi_all = 0;
  bool any = false;

  for (const char *p = list; *p;)
    {
      unsigned long lo, hi;
      char *end;
      p += strspn (p, " \t\n");
      if (!parse_cpu (p, &end, &lo))
        return -1;
      hi = lo;
      if (*end == '-' && !parse_cpu (end + 1, &end, &hi))
        return -1;
      if (hi < lo)
        return -1;
      for (unsigned long c = lo; c <= hi; c++)
        bits[c / 8] |= 1u << (c % 8);
      hi_all = hi > hi_all ? hi : hi_all;
      any = true;
      p = end + strspn (end, " \t\n");
      if (*p == ',')
        p++;
      else if (*p)
        return -1;
    }
  if (!any)
    return -1;
  *n = hi_all / 8 + 1;
  *mask = hako_xmalloc0 (*n);
  memcpy (*mask, bits, *n);
  return 0;
}

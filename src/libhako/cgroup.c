/* The container's cgroup: layout detection, creating the directories in
 * every hierarchy (and undoing that on failure), loading it back from
 * state.json, and placing processes in it.  What is written into the
 * directories is cgroup-apply.c's business; kill, freeze and removal are
 * cgroup-ops.c's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "cgroup-internal.h"
#include "cgroup-systemd.h"
#include "log.h"
#include "util.h"

const char *
hako_cgroup_layout_name (enum hako_cgroup_layout layout)
{
  switch (layout)
    {
    case HAKO_CGROUP_V1: return "v1";
    case HAKO_CGROUP_V2: return "v2";
    case HAKO_CGROUP_HYBRID: return "hybrid";
    }
  return "unknown";
}

int
hako_cgroup_layout_detect (enum hako_cgroup_layout *out, struct hako_error *err)
{
  struct statfs st;

  if (statfs (HAKO_CGROUP_ROOT, &st) < 0)
    return hako_error_sys (err, errno, "statfs %s", HAKO_CGROUP_ROOT);
  if (st.f_type == CGROUP2_SUPER_MAGIC)
    {
      *out = HAKO_CGROUP_V2;
      return 0;
    }
  if (st.f_type != TMPFS_MAGIC)
    return hako_error_set (err, ENOTSUP, "%s is neither cgroup2 nor a tmpfs of v1 hierarchies",
                           HAKO_CGROUP_ROOT);
  if (statfs (HAKO_CGROUP_ROOT "/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    *out = HAKO_CGROUP_HYBRID;
  else
    *out = HAKO_CGROUP_V1;
  return 0;
}

/* ------------------------------------------------------------ lookup */

bool
hako_cgroup_list_has (const char *list, const char *name)
{
  size_t n = strlen (name);

  for (const char *p = list; p && *p;)
    {
      size_t len = strcspn (p, ", ");
      if (len == n && strncmp (p, name, n) == 0)
        return true;
      p += len;
      p += strspn (p, ", ");
    }
  return false;
}

struct hako_cgroup_hier *
hako_cgroup_v2_part (const struct hako_cgroup *cg)
{
  for (size_t i = 0; cg && i < cg->n; i++)
    if (cg->h[i].v2 && cg->h[i].dirfd >= 0)
      return &cg->h[i];
  return NULL;
}

struct hako_cgroup_hier *
hako_cgroup_find (const struct hako_cgroup *cg, const char *v1name, const char *v2name)
{
  struct hako_cgroup_hier *v2 = hako_cgroup_v2_part (cg);

  for (size_t i = 0; v1name && i < cg->n; i++)
    if (!cg->h[i].v2 && cg->h[i].dirfd >= 0 && hako_cgroup_list_has (cg->h[i].controllers, v1name))
      return &cg->h[i];
  if (v2 && v2name && hako_cgroup_list_has (v2->v2_controllers, v2name))
    return v2;
  return NULL;
}

/* A v1 hierarchy listing V1NAME, else (no v1 hierarchy has it: it would
 * be cgroup2's) the cgroup2 one when it was denied. */
const struct hako_cgroup_hier *
hako_cgroup_find_denied (const struct hako_cgroup *cg, const char *v1name, const char *v2name)
{
  const struct hako_cgroup_hier *v2 = NULL;

  for (size_t i = 0; cg && i < cg->n; i++)
    {
      const struct hako_cgroup_hier *h = &cg->h[i];
      if (h->v2)
        v2 = h;
      else if (v1name && hako_cgroup_list_has (h->controllers, v1name))
        return h->denied ? h : NULL;
    }
  return v2 && v2->denied && v2name ? v2 : NULL;
}

int
hako_cgroup_v2_fd (const struct hako_cgroup *cg)
{
  struct hako_cgroup_hier *v2 = hako_cgroup_v2_part (cg);
  return v2 ? v2->dirfd : -1;
}

bool
hako_cgroup_enter_needed (const struct hako_cgroup *cg)
{
  for (size_t i = 0; cg && i < cg->n; i++)
    if (!cg->h[i].v2 && cg->h[i].dirfd >= 0)
      return true;
  return false;
}

/* ------------------------------------------------------------ lifetime */

static void
hier_clear (struct hako_cgroup_hier *h)
{
  if (h->dirfd >= 0)
    close (h->dirfd);
  h->dirfd = -1;
  free (h->controllers);
  free (h->mountpoint);
  free (h->path);
  free (h->v2_controllers);
  free (h->denied);
}

void
hako_cgroup_free (struct hako_cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->n; i++)
    hier_clear (&cg->h[i]);
  free (cg->h);
  hako_cgroup_systemd_free (cg->sd);
  free (cg);
}

static void
hier_init (struct hako_cgroup_hier *h, const struct hako_cgroup_mount *m, const char *path)
{
  h->v2 = m->v2;
  h->controllers = hako_xstrdup (m->controllers);
  h->mountpoint = hako_xstrdup (m->mountpoint);
  h->path = hako_xstrdup (path);
  h->dirfd = -1;
}

static void
read_v2_controllers (struct hako_cgroup_hier *h)
{
  struct hako_error ignored = HAKO_ERROR_INIT;

  free (h->v2_controllers);
  h->v2_controllers = NULL;
  if (hako_cgroup_read (h->dirfd, "cgroup.controllers", &h->v2_controllers, &ignored) < 0)
    h->v2_controllers = hako_xstrdup ("");
  hako_error_clear (&ignored);
}

/* ------------------------------------------------------------ mkdir */

static size_t
count_components (const char *path)
{
  size_t n = 0;

  for (const char *p = path; *p; p++)
    n += p[0] == '/' && p[1] != '/' && p[1] != '\0';
  return n;
}

/* Into directory FD, one component down, creating it if needed. */
static int
step_down (struct hako_cgroup_hier *h, int fd, const char *name, bool *made, struct hako_error *err)
{
  int child;

  *made = mkdirat (fd, name, 0755) == 0;
  if (!*made && errno != EEXIST)
    return hako_error_sys (err, errno, "cgroup %s%s: mkdir `%s`", h->mountpoint, h->path, name);
  child = openat (fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (child < 0)
    return hako_error_sys (err, errno, "cgroup %s%s: open `%s`", h->mountpoint, h->path, name);
  return child;
}

/* What a directory on the way needs before anything can live below it: v1
 * leaves a new cpuset empty (and refuses tasks) unless filled from its
 * parent; an existing one left empty by another tool is filled the same. */
static int
prepare_dir (struct hako_cgroup_hier *h, int parent, int child, struct hako_error *err)
{
  if (!h->v2 && hako_cgroup_list_has (h->controllers, "cpuset")
      && hako_cgroup_v1_cpuset_inherit (parent, child, err) < 0)
    return hako_error_wrap (err, "cgroup %s%s", h->mountpoint, h->path);
  return 0;
}

/* mkdir -p of H's path below its mount point, through directory fds; on v2
 * every ancestor passes its controllers down on the way. */
static int
hier_mkdir (struct hako_cgroup_hier *h, struct hako_error *err)
{
  cleanup_free char *copy = hako_xstrdup (h->path);
  size_t total = count_components (h->path), i = 0;
  cleanup_fd int fd = open (h->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *save = NULL;

  if (fd < 0)
    return hako_error_sys (err, errno, "cgroup %s: open", h->mountpoint);
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save), i++)
    {
      bool made;
      int child;
      if (h->v2)
        hako_cgroup_v2_enable_controllers (fd, h->mountpoint);
      child = step_down (h, fd, c, &made, err);
      if (child < 0)
        return -1;
      if (made && h->created == 0)
        h->created = total - i;
      if (prepare_dir (h, fd, child, err) < 0)
        {
          close (child);
          return -1;
        }
      close (fd);
      fd = child;
    }
  h->dirfd = hako_steal_fd (&fd);
  if (h->v2)
    read_v2_controllers (h);
  return 0;
}

/* A parent that another hako removed while this one walked through it
 * (the undo of a failed create) shows up as ENOENT: walk again. */
static int
hier_mkdir_retry (struct hako_cgroup_hier *h, struct hako_error *err)
{
  int r = -1;

  for (int attempt = 0; attempt < 3; attempt++)
    {
      r = hier_mkdir (h, err);
      if (r == 0 || err->errnum != ENOENT)
        break;
    }
  return r;
}

/* Remove the directories H's creation made, deepest first. */
static void
hier_undo (struct hako_cgroup_hier *h)
{
  cleanup_free char *p = hako_strdup_printf ("%s%s", h->mountpoint, h->path);

  if (h->dirfd >= 0)
    close (h->dirfd);
  h->dirfd = -1;
  for (size_t k = 0; k < h->created; k++)
    {
      char *slash;
      if (rmdir (p) < 0 && errno != ENOENT)
        hako_log_debug ("cgroup: rmdir %s: %s", p, strerror (errno));
      slash = strrchr (p, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  h->created = 0;
}

/* ------------------------------------------------------------ create */

static struct hako_cgroup *
plan (const struct oci_config *config, const char *id, enum hako_cgroup_layout layout,
      struct hako_error *err)
{
  const char *cgroups_path = config->linux ? config->linux->cgroups_path : NULL;
  struct hako_cgroup_mount *m = NULL;
  struct hako_cgroup *cg;
  size_t n = 0;

  if (hako_cgroup_mounts_read (layout, &m, &n, err) < 0)
    return NULL;
  cg = hako_xmalloc0 (sizeof *cg);
  cg->layout = layout;
  cg->h = hako_xmalloc0 (n * sizeof *cg->h);
  for (; cg->n < n; cg->n++)
    {
      cleanup_free char *path = NULL;
      if (hako_cgroup_resolve_path (cgroups_path, id, m[cg->n].own, &path, err) < 0)
        {
          hako_error_wrap (err, "cgroup %s", m[cg->n].mountpoint);
          hako_cgroup_free (cg);
          cg = NULL;
          break;
        }
      hier_init (&cg->h[cg->n], &m[cg->n], path);
    }
  hako_cgroup_mounts_free (m, n);
  return cg;
}

static bool
is_permission_error (int errnum)
{
  return errnum == EACCES || errnum == EPERM || errnum == EROFS;
}

static void
undo_all (struct hako_cgroup *cg)
{
  for (size_t i = cg->n; i-- > 0;)
    hier_undo (&cg->h[i]);
}

/* Rootless: a hierarchy the user may not write to is not delegated to it.
 * As runc does, it is left out unless a resource needs it (then
 * hako_cgroup_apply says which and why). */
static bool
deny_if_rootless (struct hako_cgroup_hier *h, bool rootless, struct hako_error *err)
{
  if (!rootless || !is_permission_error (err->errnum))
    return false;
  hier_undo (h);
  h->denied = hako_xstrdup (err->msg);
  hako_error_clear (err);
  return true;
}

/* After the resources are applied: forget the denied hierarchies, so that
 * state.json names only directories the container owns. */
static void
drop_denied (struct hako_cgroup *cg)
{
  size_t kept = 0;

  for (size_t i = 0; i < cg->n; i++)
    {
      if (cg->h[i].denied == NULL)
        {
          cg->h[kept++] = cg->h[i];
          continue;
        }
      hako_log_debug ("rootless: no cgroup in %s (%s)", cg->h[i].mountpoint, cg->h[i].denied);
      hier_clear (&cg->h[i]);
      cg->partial = true;
    }
  cg->n = kept;
}

/* Make every hierarchy's directory; rootless, the ones the user may not
 * create are denied instead. */
static int
mkdir_all (struct hako_cgroup *cg, bool rootless, struct hako_error *err)
{
  for (size_t i = 0; i < cg->n; i++)
    if (hier_mkdir_retry (&cg->h[i], err) < 0 && !deny_if_rootless (&cg->h[i], rootless, err))
      return -1;
  return 0;
}

int
hako_cgroup_create (const struct oci_config *config, const char *id, bool rootless,
                    struct hako_cgroup **out, struct hako_error *err)
{
  enum hako_cgroup_layout layout;
  struct hako_cgroup *cg;
  const struct oci_resources *r = config->linux ? config->linux->resources : NULL;

  *out = NULL;
  if (hako_cgroup_layout_detect (&layout, err) < 0)
    return hako_error_wrap (err, "cgroup");
  if ((cg = plan (config, id, layout, err)) == NULL)
    return -1;
  if (mkdir_all (cg, rootless, err) < 0
      || hako_cgroup_apply (cg, config, r, false, rootless, err) < 0)
    {
      undo_all (cg);
      hako_cgroup_free (cg);
      return -1;
    }
  drop_denied (cg);
  if (rootless && cg->n == 0)
    {
      hako_log_debug ("rootless: running without a cgroup (no hierarchy is delegated)");
      hako_cgroup_free (cg);
      return 0;
    }
  for (size_t i = 0; i < cg->n; i++)
    cg->h[i].created = 0; /* from now on the container owns them */
  *out = cg;
  return 0;
}

/* ------------------------------------------------------------ processes */

/* Why an unprivileged move into a cgroup it owns can still be refused. */
static const char v2_move_rule[]
    = " (cgroup v2 also needs write access to cgroup.procs of the closest common ancestor of "
      "the caller's cgroup and this one: run hako from a cgroup inside the delegated subtree)";

int
hako_cgroup_enter (const struct hako_cgroup *cg, pid_t pid, struct hako_error *err)
{
  char value[24];

  /* The one change of a cgroup after create: its hierarchies, known once
   * systemd placed PID (every cgroup is heap-allocated by this file). */
  if (hako_cgroup_systemd_pending (cg))
    return hako_cgroup_systemd_start ((struct hako_cgroup *)cg, pid, err);
  snprintf (value, sizeof value, "%d", (int)pid);
  for (size_t i = 0; cg && i < cg->n; i++)
    {
      const struct hako_cgroup_hier *h = &cg->h[i];
      int r;
      if (h->dirfd < 0)
        continue;
      r = hako_cgroup_try_write (h->dirfd, "cgroup.procs", value);
      if (r < 0)
        return hako_error_set (err, -r, "cgroup %s%s: add pid %d to cgroup.procs: %s%s",
                               h->mountpoint, h->path, (int)pid, strerror (-r),
                               h->v2 && r == -EACCES ? v2_move_rule : "");
    }
  return 0;
}

int
hako_cgroup_update (const struct hako_cgroup *cg, const struct oci_resources *r,
                    struct hako_error *err)
{
  if (cg == NULL || r == NULL)
    return 0;
  if (cg->sd)
    return hako_cgroup_systemd_update (cg, r, err);
  return hako_cgroup_apply (cg, NULL, r, true, false, err);
}

/* ------------------------------------------------------------ state.json */

char *
hako_cgroup_serialize (const struct hako_cgroup *cg)
{
  cleanup_free struct hako_cgroup_entry *e = NULL;

  if (cg == NULL || cg->n == 0)
    return NULL;
  e = hako_xmalloc0 (cg->n * sizeof *e);
  for (size_t i = 0; i < cg->n; i++)
    {
      e[i].controllers = cg->h[i].controllers;
      e[i].path = cg->h[i].path;
    }
  return cg->partial ? hako_cgroup_serialize_each (e, cg->n)
                     : hako_cgroup_serialize_entries (e, cg->n);
}

static const struct hako_cgroup_entry *
entry_for (const struct hako_cgroup_entry *e, size_t n, const struct hako_cgroup_mount *m)
{
  for (size_t i = 0; i < n; i++)
    if (e[i].controllers == NULL || strcmp (e[i].controllers, m->controllers) == 0)
      return &e[i];
  return NULL;
}

static void
hier_open (struct hako_cgroup_hier *h)
{
  cleanup_free char *p = hako_strdup_printf ("%s%s", h->mountpoint, h->path);

  h->dirfd = open (p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (h->dirfd < 0)
    hako_log_debug ("cgroup %s: %s", p, strerror (errno));
  else if (h->v2)
    read_v2_controllers (h);
}

struct hako_cgroup *
hako_cgroup_load (const char *serialized, struct hako_error *err)
{
  struct hako_cgroup_entry *e = NULL;
  struct hako_cgroup_mount *m = NULL;
  size_t ne = 0, nm = 0;
  enum hako_cgroup_layout layout;
  struct hako_cgroup *cg = NULL;

  if (hako_cgroup_parse_entries (serialized, &e, &ne, err) < 0
      || hako_cgroup_layout_detect (&layout, err) < 0
      || hako_cgroup_mounts_read (layout, &m, &nm, err) < 0)
    goto out;
  cg = hako_xmalloc0 (sizeof *cg);
  cg->layout = layout;
  cg->h = hako_xmalloc0 (nm * sizeof *cg->h);
  for (size_t i = 0; i < nm; i++)
    {
      const struct hako_cgroup_entry *x = entry_for (e, ne, &m[i]);
      if (x == NULL)
        continue;
      hier_init (&cg->h[cg->n], &m[i], x->path);
      hier_open (&cg->h[cg->n++]);
    }
out:
  hako_cgroup_entries_free (e, ne);
  hako_cgroup_mounts_free (m, nm);
  if (cg == NULL)
    hako_error_wrap (err, "cgroup \"%s\"", serialized);
  return cg;
}

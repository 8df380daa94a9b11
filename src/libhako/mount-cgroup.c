/* Mount entries of type "cgroup" and "cgroup2".
 *
 * cgroup2, and cgroup on a unified (cgroup v2 only) host: a new cgroup2
 * filesystem; in a new cgroup namespace its root is the container's cgroup.
 * When mounting is refused (EPERM or EBUSY: a user namespace without its
 * own cgroup namespace) the host's /sys/fs/cgroup is bound instead.
 *
 * cgroup on a v1 or hybrid host, the way runc lays it out: a tmpfs at the
 * destination (mode 755), holding one directory per hierarchy the
 * container's process belongs to, named like the host's mount point (cpu,
 * memory, systemd, or "cpu,cpuacct" with symlinks "cpu" and "cpuacct"
 * where controllers are co-mounted), each holding
 *   - in a new cgroup namespace: a fresh mount of that hierarchy, whose
 *     root is the container's cgroup;
 *   - otherwise: a bind of the container's own cgroup directory.
 * On a hybrid host the unified hierarchy is added the same way under the
 * name of its host mount point ("unified"), which runc leaves out but
 * systemd in the container looks for.  Every hierarchy and, last, the
 * tmpfs get the entry's options (ro, nosuid, propagation...). */
#define _GNU_SOURCE
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "mountinfo.h"
#include "selinux.h"
#include "util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

static bool
in_cgroupns (const struct hako_init_ctx *ctx)
{
  return ((ctx->ns.create | ctx->ns.join) & CLONE_NEWCGROUP) != 0;
}

int
hako_mount_cgroup2 (struct hako_mounts *ms, const struct oci_mount *m,
                    const struct hako_mount_opts *o, int targetfd, struct hako_error *err)
{
  struct hako_error first = HAKO_ERROR_INIT;
  cleanup_fd int mfd
      = hako_fs_new ("cgroup2", m->source ? m->source : "cgroup2", o, o->data, &first);

  if (mfd >= 0)
    {
      hako_error_clear (&first);
      return hako_mount_finish (ms, m, o, mfd, targetfd, false, err);
    }
  if ((first.errnum != EPERM && first.errnum != EBUSY) || in_cgroupns (ms->ctx))
    {
      hako_error_move (err, &first);
      return -1;
    }
  hako_error_clear (&first);
  mfd = hako_tree_clone (AT_FDCWD, CGROUP_ROOT, true);
  if (mfd < 0)
    return hako_error_sys (err, errno, "bind %s", CGROUP_ROOT);
  return hako_mount_finish (ms, m, o, mfd, targetfd, false, err);
}

/* Is every comma-separated item of WANT among those of HAVE? */
static bool
options_include (const char *have, const char *want)
{
  char w[256], *save = NULL;

  snprintf (w, sizeof w, "%s", want);
  for (char *tok = strtok_r (w, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      size_t n = strlen (tok);
      const char *p = have;
      bool found = false;

      while (!found && (p = strstr (p, tok)) != NULL)
        {
          found = (p == have || p[-1] == ',') && (p[n] == '\0' || p[n] == ',');
          p += n;
        }
      if (!found)
        return false;
    }
  return true;
}

/* The host mount of the hierarchy with CONTROLLERS ("" for cgroup2). */
static const struct hako_mountinfo_entry *
find_hierarchy (const struct hako_mountinfo *mi, const char *controllers)
{
  for (size_t i = 0; i < mi->n; i++)
    {
      const struct hako_mountinfo_entry *e = &mi->entries[i];

      if (controllers[0] == '\0' && strcmp (e->fstype, "cgroup2") == 0)
        return e;
      if (controllers[0] && strcmp (e->fstype, "cgroup") == 0
          && options_include (e->super_opts, controllers))
        return e;
    }
  return NULL;
}

/* Mount one hierarchy on DIRFD (a directory in the tmpfs). */
static int
mount_hierarchy (struct hako_mounts *ms, const struct oci_mount *m, const struct hako_mount_opts *o,
                 const struct hako_mountinfo_entry *host, const char *controllers, const char *path,
                 int dirfd, struct hako_error *err)
{
  cleanup_fd int mfd = -1;
  size_t rootlen = strlen (host->root);

  if (in_cgroupns (ms->ctx))
    {
      mfd = hako_fs_new (host->fstype, host->fstype, o, controllers[0] ? controllers : NULL, err);
      if (mfd < 0)
        return hako_error_wrap (err, "%s", host->mountpoint);
    }
  else
    {
      char src[PATH_MAX];

      /* PATH is within the hierarchy; the host mount shows it from ROOT. */
      if (strcmp (host->root, "/") != 0
          && (strncmp (path, host->root, rootlen) != 0
              || (path[rootlen] != '/' && path[rootlen] != '\0')))
        return 0;
      snprintf (src, sizeof src, "%s/%s", host->mountpoint,
                strcmp (host->root, "/") == 0 ? path : path + rootlen);
      mfd = hako_tree_clone (AT_FDCWD, src, true);
      if (mfd < 0)
        return hako_error_sys (err, errno, "bind %s", src);
    }
  return hako_mount_finish (ms, m, o, mfd, dirfd, false, err);
}

/* "cpu,cpuacct" gets the symlinks cpu -> cpu,cpuacct and cpuacct -> cpu,cpuacct. */
static void
link_comounted (int tmpfsfd, const char *name)
{
  char copy[256], *save = NULL;

  if (strchr (name, ',') == NULL)
    return;
  snprintf (copy, sizeof copy, "%s", name);
  for (char *tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    if (strncmp (tok, "name=", 5) != 0)
      symlinkat (name, tmpfsfd, tok);
}

/* One line of /proc/self/cgroup ("4:cpu,cpuacct:/user.slice"). */
static int
mount_cgroup_line (struct hako_mounts *ms, const struct oci_mount *m,
                   const struct hako_mount_opts *o, const struct hako_mountinfo *mi, char *line,
                   int tmpfsfd, struct hako_error *err)
{
  char *controllers = strchr (line, ':'), *path, name[NAME_MAX + 1];
  const struct hako_mountinfo_entry *host;
  cleanup_fd int dirfd = -1;

  if (controllers == NULL || (path = strchr (controllers + 1, ':')) == NULL)
    return 0;
  *controllers++ = '\0';
  *path++ = '\0';
  host = find_hierarchy (mi, controllers);
  if (host == NULL)
    return 0;
  snprintf (name, sizeof name, "%s", strrchr (host->mountpoint, '/') + 1);
  if (mkdirat (tmpfsfd, name, 0755) < 0 && errno != EEXIST)
    return hako_error_sys (err, errno, "mkdir %s", name);
  dirfd = openat (tmpfsfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dirfd < 0)
    return hako_error_sys (err, errno, "open %s", name);
  if (mount_hierarchy (ms, m, o, host, controllers, path, dirfd, err) < 0)
    return -1;
  link_comounted (tmpfsfd, name);
  return 0;
}

static int
mount_cgroup_v1 (struct hako_mounts *ms, const struct oci_mount *m, const struct hako_mount_opts *o,
                 int tmpfsfd, struct hako_error *err)
{
  cleanup_free char *cgroups = NULL;
  struct hako_mountinfo mi;
  char *save = NULL;
  int r = 0;

  if (hako_read_file_at (AT_FDCWD, "/proc/self/cgroup", &cgroups, NULL, err) < 0)
    return -1;
  if (hako_mountinfo_read (&mi, err) < 0)
    return -1;
  for (char *l = strtok_r (cgroups, "\n", &save); l && r == 0; l = strtok_r (NULL, "\n", &save))
    r = mount_cgroup_line (ms, m, o, &mi, l, tmpfsfd, err);
  hako_mountinfo_free (&mi);
  return r;
}

int
hako_mount_cgroup (struct hako_mounts *ms, const struct oci_mount *m,
                   const struct hako_mount_opts *o, int targetfd, struct hako_error *err)
{
  struct hako_mount_opts tmpfs = { .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC };
  cleanup_free char *data = NULL;
  cleanup_fd int mfd = -1;
  struct statfs sfs;

  if (statfs (CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
    return hako_mount_cgroup2 (ms, m, o, targetfd, err);
  data = hako_selinux_mount_data (ms->ctx->selinux_mount_label, "tmpfs", "mode=755");
  mfd = hako_fs_new ("tmpfs", "tmpfs", &tmpfs, data, err);
  if (mfd < 0)
    return -1;
  if (hako_tree_apply_opts (mfd, &tmpfs, false) < 0 || hako_tree_attach (mfd, targetfd) < 0)
    return hako_error_sys (err, errno, "tmpfs");
  if (mount_cgroup_v1 (ms, m, o, mfd, err) < 0)
    return -1;
  /* The entry's own flags (ro...) last, once the directories exist. */
  if (hako_tree_apply_opts (mfd, o, false) < 0)
    return hako_error_sys (err, errno, "set the mount attributes");
  for (size_t i = 0; i < o->n_propagation; i++)
    if (hako_tree_propagation (mfd, o->propagation[i]) < 0)
      return hako_error_sys (err, errno, "set the propagation");
  return 0;
}

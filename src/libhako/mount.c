#define _GNU_SOURCE
#include "mount.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "copy-tree.h"
#include "inroot.h"
#include "selinux.h"
#include "util.h"

/* The inode number of the root directory of every procfs instance. */
#define PROC_ROOT_INO 1

/* ------------------------------------------------------------ primitives */

/* The errors a filesystem logged on its fs_context ("e tmpfs: Bad value
 * for 'size'"), joined; empty when it logged none. */
static void
read_fs_log (int fsfd, char *buf, size_t size)
{
  char line[512];
  size_t len = 0;
  ssize_t r;

  buf[0] = '\0';
  while ((r = read (fsfd, line, sizeof line - 1)) > 0 && len < size)
    {
      while (r > 0 && (line[r - 1] == '\n' || line[r - 1] == ' '))
        r--;
      line[r] = '\0';
      if (line[0] == 'e' && line[1] == ' ')
        len += snprintf (buf + len, size - len, "%s%s", len ? "; " : "", line + 2);
    }
}

static int
fs_fail (struct hako_error *err, int fsfd, int errnum, const char *what)
{
  char log[512];

  read_fs_log (fsfd, log, sizeof log);
  if (log[0])
    return hako_error_set (err, errnum, "%s%s%s (%s)", what ? what : "", what ? ": " : "",
                           strerror (errnum), log);
  if (what)
    return hako_error_sys (err, errnum, "%s", what);
  return hako_error_set (err, errnum, "%s", strerror (errnum));
}

/* Split one data item list at commas, except inside double quotes (an
 * SELinux context="a,b" is one option). */
static char *
next_data_item (char **cursor)
{
  char *start = *cursor, *p;
  bool quoted = false;

  if (start == NULL)
    return NULL;
  for (p = start; *p && (quoted || *p != ','); p++)
    if (*p == '"')
      quoted = !quoted;
  *cursor = *p ? p + 1 : NULL;
  *p = '\0';
  return start;
}

static int
fs_config_data (int fsfd, const char *data, struct hako_error *err)
{
  cleanup_free char *copy = hako_xstrdup (data);
  char *cursor = copy, *item;

  while ((item = next_data_item (&cursor)) != NULL)
    {
      char *eq = strchr (item, '=');
      int r;

      if (item[0] == '\0')
        continue;
      if (eq)
        {
          char *value = eq + 1;
          size_t len = strlen (value);

          /* Quotes only protect commas in the list (mount(2) strips them
           * too); fsconfig takes the bare value. */
          *eq = '\0';
          if (len >= 2 && value[0] == '"' && value[len - 1] == '"')
            {
              cleanup_free char *bare = hako_xstrdup (value + 1);
              bare[len - 2] = '\0';
              r = fsconfig (fsfd, FSCONFIG_SET_STRING, item, bare, 0);
            }
          else
            r = fsconfig (fsfd, FSCONFIG_SET_STRING, item, value, 0);
          *eq = '=';
        }
      else
        r = fsconfig (fsfd, FSCONFIG_SET_FLAG, item, NULL, 0);
      if (r < 0)
        {
          cleanup_free char *what = hako_strdup_printf ("option \"%s\"", item);
          return fs_fail (err, fsfd, errno, what);
        }
    }
  return 0;
}

int
hako_fs_new (const char *type, const char *source, const struct hako_mount_opts *o,
             const char *data, struct hako_error *err)
{
  cleanup_fd int fsfd = fsopen (type, FSOPEN_CLOEXEC);
  const char *sb_flags[5];
  int mfd;

  if (fsfd < 0)
    return hako_error_set (err, errno, "%s", strerror (errno));
  if (source && source[0] && fsconfig (fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return fs_fail (err, fsfd, errno, "source");
  hako_mount_opts_sb_flags (o, sb_flags);
  for (size_t i = 0; sb_flags[i]; i++)
    if (fsconfig (fsfd, FSCONFIG_SET_FLAG, sb_flags[i], NULL, 0) < 0)
      return fs_fail (err, fsfd, errno, sb_flags[i]);
  if (data && fs_config_data (fsfd, data, err) < 0)
    return -1;
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fs_fail (err, fsfd, errno, NULL);
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, 0);
  if (mfd < 0)
    return fs_fail (err, fsfd, errno, NULL);
  return mfd;
}

int
hako_tree_clone (int dirfd, const char *path, bool recursive)
{
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;

  if (path[0] == '\0')
    flags |= AT_EMPTY_PATH;
  if (recursive)
    flags |= AT_RECURSIVE;
  return open_tree (dirfd, path, flags);
}

int
hako_tree_attach (int mfd, int targetfd)
{
  return move_mount (mfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

int
hako_tree_setattr (int mfd, struct mount_attr *attr, bool recursive)
{
  return mount_setattr (mfd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attr,
                        sizeof *attr);
}

int
hako_tree_propagation (int mfd, unsigned long propagation)
{
  struct mount_attr attr = { .propagation = propagation & ~(unsigned long)MS_REC };

  return hako_tree_setattr (mfd, &attr, (propagation & MS_REC) != 0);
}

int
hako_tree_apply_opts (int mfd, const struct hako_mount_opts *o, bool skip_ro)
{
  struct mount_attr attr;

  if (hako_mount_opts_attr (o, &attr))
    {
      if (skip_ro)
        attr.attr_set &= ~(uint64_t)MOUNT_ATTR_RDONLY;
      if ((attr.attr_set || attr.attr_clr) && hako_tree_setattr (mfd, &attr, false) < 0)
        return -1;
    }
  if (o->rec_set || o->rec_clr)
    {
      attr = (struct mount_attr){ .attr_set = o->rec_set, .attr_clr = o->rec_clr };
      if (skip_ro)
        attr.attr_set &= ~(uint64_t)MOUNT_ATTR_RDONLY;
      if (hako_tree_setattr (mfd, &attr, true) < 0)
        return -1;
    }
  return 0;
}

void
hako_fd_path (int fd, char *buf, size_t size)
{
  snprintf (buf, size, "/proc/self/fd/%d", fd);
}

int
hako_mounts_defer_ro (struct hako_mounts *ms, int mfd, const char *dest, bool ro, bool rec_ro,
                      struct hako_error *err)
{
  struct hako_mount_deferred *d;
  struct hako_mount_deferred *grown
      = realloc (ms->deferred, (ms->n_deferred + 1) * sizeof *ms->deferred);

  if (grown == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  ms->deferred = grown;
  d = &ms->deferred[ms->n_deferred];
  d->fd = fcntl (mfd, F_DUPFD_CLOEXEC, 3);
  if (d->fd < 0)
    return hako_error_sys (err, errno, "dup");
  d->ro = ro;
  d->rec_ro = rec_ro;
  snprintf (d->destination, sizeof d->destination, "%s", dest);
  ms->n_deferred++;
  return 0;
}

static int
plain_error (struct hako_error *err, int errnum)
{
  return hako_error_set (err, errnum, "%s", strerror (errnum));
}

int
hako_mount_finish (struct hako_mounts *ms, const struct oci_mount *m,
                   const struct hako_mount_opts *o, int mfd, int targetfd, bool defer,
                   struct hako_error *err)
{
  if (hako_tree_apply_opts (mfd, o, defer) < 0)
    return hako_error_sys (err, errno, "set the mount attributes");
  if (o->idmap)
    {
      cleanup_fd int userns = hako_idmap_userns_fd (ms->ctx, m, true, err);
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

      if (userns < 0)
        return hako_error_wrap (err, "idmap");
      attr.userns_fd = userns;
      if (hako_tree_setattr (mfd, &attr, o->idmap_recursive) < 0)
        return hako_error_sys (err, errno, "idmap");
    }
  if (hako_tree_attach (mfd, targetfd) < 0)
    return plain_error (err, errno);
  for (size_t i = 0; i < o->n_propagation; i++)
    if (hako_tree_propagation (mfd, o->propagation[i]) < 0)
      return hako_error_sys (err, errno, "set the propagation");
  if (defer && ((o->flags & MS_RDONLY) || (o->rec_set & MOUNT_ATTR_RDONLY)))
    return hako_mounts_defer_ro (ms, mfd, m->destination, (o->flags & MS_RDONLY) != 0,
                                 (o->rec_set & MOUNT_ATTR_RDONLY) != 0, err);
  return 0;
}

/* ------------------------------------------------------ one config mount */

/* What hako_mount_entry works with. */
struct entry
{
  struct hako_mounts *ms;
  const struct oci_mount *m;
  struct hako_mount_opts o;
  const char *type;
  char clean[PATH_MAX]; /* the destination cleaned lexically, to compare names only */
  bool bind, recursive;
  int srcfd; /* bind: O_PATH of the source, to check what it is */
};

/* The files under /proc that may be mounted over (what lxcfs emulates). */
static const char *const proc_overridable[] = {
  "/proc/cpuinfo",
  "/proc/diskstats",
  "/proc/meminfo",
  "/proc/stat",
  "/proc/swaps",
  "/proc/uptime",
  "/proc/loadavg",
  "/proc/slabinfo",
  "/proc/sys/kernel/ns_last_pid",
  "/proc/sys/crypto/fips_enabled",
};

static bool
fd_is_procfs (int fd)
{
  struct statfs sfs;
  return fd >= 0 && fstatfs (fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

/* Only a procfs may cover /proc, and only a few files below it may be
 * covered at all: anything else would let the container see or write
 * what procfs protects.  Checked on the target fd (a symlink to /proc is
 * caught) and on the lexical destination. */
static int
check_proc (const struct entry *e, int targetfd, struct hako_error *err)
{
  struct stat st;
  bool on_proc = fd_is_procfs (targetfd);
  bool proc_root = on_proc && fstat (targetfd, &st) == 0 && st.st_ino == PROC_ROOT_INO;

  if (proc_root || strcmp (e->clean, "/proc") == 0)
    {
      if ((!e->bind && strcmp (e->type, "proc") == 0) || (e->bind && fd_is_procfs (e->srcfd)))
        return 0;
      return hako_error_set (err, EPERM, "\"%s\" cannot be mounted because it is not of type proc",
                             e->m->destination);
    }
  if (!on_proc && !hako_path_is_under (e->clean, "/proc"))
    return 0;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (proc_overridable); i++)
    if (strcmp (e->clean, proc_overridable[i]) == 0)
      return 0;
  return hako_error_set (err, EPERM, "\"%s\" cannot be mounted because it is inside /proc",
                         e->m->destination);
}

static int
check_target (const struct entry *e, int targetfd, struct hako_error *err)
{
  struct stat root, target;

  if (fstat (e->ms->rootfd, &root) < 0 || fstat (targetfd, &target) < 0)
    return hako_error_sys (err, errno, "fstat the mount point");
  if (root.st_dev == target.st_dev && root.st_ino == target.st_ino)
    return hako_error_set (err, EINVAL, "the mount point is the root of the rootfs");
  return check_proc (e, targetfd, err);
}

/* Open the mount point, creating it inside the rootfs when missing.  With
 * NOFOLLOW an existing symlink is refused rather than followed (procfs and
 * sysfs go on plain directories only). */
static int
open_target (const struct entry *e, enum hako_inroot_kind kind, bool nofollow, bool *created,
             struct hako_error *err)
{
  int fd;

  *created = false;
  if (nofollow)
    {
      struct stat st;

      fd = hako_inroot_open (e->ms->rootfd, e->m->destination, O_PATH | O_NOFOLLOW, 0);
      if (fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode))
        {
          close (fd);
          return hako_error_set (err, ELOOP, "%s must be mounted on a directory, not a symlink",
                                 e->type);
        }
      if (fd >= 0 || errno != ENOENT)
        return fd >= 0 ? fd : hako_error_sys (err, errno, "open the mount point");
    }
  fd = hako_inroot_create (e->ms->rootfd, e->m->destination, kind,
                           kind == HAKO_INROOT_FILE ? 0644 : 0755, 0, created);
  if (fd < 0)
    return hako_error_sys (err, errno, "create the mount point");
  return fd;
}

/* The data of a tmpfs on an existing directory starts with that
 * directory's mode, as runc does, so the mount does not change it. */
static char *
fs_data (const struct entry *e, int targetfd, bool created)
{
  cleanup_free char *data = NULL;
  struct stat st;

  if (strcmp (e->type, "tmpfs") == 0 && !created && fstat (targetfd, &st) == 0)
    {
      if (e->o.data)
        data = hako_strdup_printf ("mode=%04o,%s", st.st_mode & 07777, e->o.data);
      else
        data = hako_strdup_printf ("mode=%04o", st.st_mode & 07777);
    }
  /* linux.mountLabel as the context of the filesystems that take one. */
  return hako_selinux_mount_data (e->ms->ctx->selinux_mount_label, e->type,
                                  data ? data : e->o.data);
}

/* Only what the new API cannot say (iversion) goes through mount(2), on
 * the /proc/self/fd path of the target. */
static int
mount_legacy (struct entry *e, int targetfd, const char *data, bool defer, struct hako_error *err)
{
  unsigned long flags = e->o.flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
  struct hako_mount_opts rest = e->o;
  cleanup_fd int mfd = -1;
  char path[64];

  if (e->o.idmap || e->o.tmpcopyup)
    return hako_error_set (err, EINVAL, "%s cannot be combined with iversion/noiversion",
                           e->o.idmap ? "idmap" : "tmpcopyup");
  if (defer)
    flags &= ~(unsigned long)MS_RDONLY;
  if (e->o.clear & MS_RELATIME)
    flags |= MS_STRICTATIME;
  hako_fd_path (targetfd, path, sizeof path);
  if (mount (e->m->source, path, e->type, flags, data) < 0)
    return plain_error (err, errno);
  mfd = hako_inroot_open (e->ms->rootfd, e->m->destination, O_PATH, 0);
  if (mfd < 0)
    return hako_error_sys (err, errno, "reopen the mount");
  /* The per-mount flags are set already; the rest still applies. */
  rest.flags &= MS_RDONLY;
  rest.clear = 0;
  if (hako_tree_apply_opts (mfd, &rest, defer) < 0)
    return hako_error_sys (err, errno, "set the mount attributes");
  for (size_t i = 0; i < e->o.n_propagation; i++)
    if (hako_tree_propagation (mfd, e->o.propagation[i]) < 0)
      return hako_error_sys (err, errno, "set the propagation");
  if (defer && ((e->o.flags & MS_RDONLY) || (e->o.rec_set & MOUNT_ATTR_RDONLY)))
    return hako_mounts_defer_ro (e->ms, mfd, e->m->destination, (e->o.flags & MS_RDONLY) != 0,
                                 (e->o.rec_set & MOUNT_ATTR_RDONLY) != 0, err);
  return 0;
}

/* A user namespace without its own network namespace may not mount sysfs:
 * bind the host's /sys instead (with the entry's options), as crun does. */
static bool
sysfs_fallback (const struct entry *e, struct hako_error *err)
{
  if (strcmp (e->type, "sysfs") != 0 || err->errnum != EPERM || !e->ms->ctx->userns)
    return false;
  hako_error_clear (err);
  return true;
}

static int
mount_new_fs (struct entry *e, struct hako_error *err)
{
  bool nofollow = strcmp (e->type, "proc") == 0 || strcmp (e->type, "sysfs") == 0;
  bool defer = strcmp (e->type, "tmpfs") == 0 || strcmp (e->clean, "/dev") == 0;
  cleanup_fd int targetfd = -1;
  cleanup_fd int mfd = -1;
  cleanup_free char *data = NULL;
  bool created;

  targetfd = open_target (e, HAKO_INROOT_DIR, nofollow, &created, err);
  if (targetfd < 0 || check_target (e, targetfd, err) < 0)
    return -1;
  if (strcmp (e->type, "cgroup") == 0)
    return hako_mount_cgroup (e->ms, e->m, &e->o, targetfd, err);
  if (strcmp (e->type, "cgroup2") == 0)
    return hako_mount_cgroup2 (e->ms, e->m, &e->o, targetfd, err);
  data = fs_data (e, targetfd, created);
  if (e->o.legacy_only)
    return mount_legacy (e, targetfd, data, defer, err);
  mfd = hako_fs_new (e->type, e->m->source, &e->o, data, err);
  if (mfd < 0 && sysfs_fallback (e, err))
    mfd = hako_tree_clone (AT_FDCWD, "/sys", true);
  if (mfd < 0)
    return err->msg ? -1 : hako_error_sys (err, errno, "bind /sys");
  /* tmpcopyup: the new tmpfs starts with what the image has there. */
  if (e->o.tmpcopyup && strcmp (e->type, "tmpfs") == 0 && !created
      && hako_copy_tree (targetfd, mfd, err) < 0)
    return hako_error_wrap (err, "tmpcopyup");
  return hako_mount_finish (e->ms, e->m, &e->o, mfd, targetfd, defer, err);
}

/* A relative bind source is relative to the bundle, as in runc. */
char *
hako_mount_bind_source (const struct hako_init_ctx *ctx, const struct oci_mount *m)
{
  if (m->source[0] == '/')
    return hako_xstrdup (m->source);
  return hako_strdup_printf ("%s/%s", ctx->bundle, m->source);
}

bool
hako_mount_is_bind (const struct oci_mount *m, const struct hako_mount_opts *o, bool *recursive)
{
  const char *type = m->type ? m->type : "";

  *recursive = strcmp (type, "rbind") == 0 || (o->flags & MS_REC) != 0;
  return strcmp (type, "bind") == 0 || strcmp (type, "rbind") == 0 || (o->flags & MS_BIND) != 0;
}

/* The source of a bind: the tree stage 0 made ready (idmapped), or the
 * host path of the config, opened here. */
static int
open_bind_source (const struct entry *e, bool *prepared, struct hako_error *err)
{
  size_t i = (size_t)(e->m - e->ms->ctx->config->mounts);
  cleanup_free char *src = NULL;
  int fd;

  *prepared = e->ms->prepared && i < e->ms->ctx->config->mounts_len && e->ms->prepared[i] >= 0;
  if (*prepared)
    fd = fcntl (e->ms->prepared[i], F_DUPFD_CLOEXEC, 3);
  else
    {
      src = hako_mount_bind_source (e->ms->ctx, e->m);
      /* The source is a host path from the config: stage 0's view, trusted. */
      fd = open (src, O_PATH | O_CLOEXEC);
    }
  if (fd < 0)
    return hako_error_sys (err, errno, "source");
  return fd;
}

static int
mount_bind (struct entry *e, struct hako_error *err)
{
  cleanup_fd int srcfd = -1;
  cleanup_fd int targetfd = -1;
  cleanup_fd int mfd = -1;
  struct hako_mount_opts o = e->o;
  struct stat st;
  bool created, prepared;

  if (e->m->source == NULL)
    return hako_error_set (err, EINVAL, "a bind mount needs a source");
  if (e->o.legacy_only)
    return hako_error_set (err, EINVAL, "iversion/noiversion do not apply to a bind mount");
  srcfd = open_bind_source (e, &prepared, err);
  if (srcfd < 0)
    return -1;
  if (fstat (srcfd, &st) < 0)
    return hako_error_sys (err, errno, "source");
  e->srcfd = srcfd;
  targetfd = open_target (e, S_ISDIR (st.st_mode) ? HAKO_INROOT_DIR : HAKO_INROOT_FILE, false,
                          &created, err);
  if (targetfd < 0 || check_target (e, targetfd, err) < 0)
    return -1;
  /* A prepared tree is already the (idmapped) clone to attach. */
  mfd = prepared ? hako_steal_fd (&srcfd) : hako_tree_clone (srcfd, "", e->recursive);
  if (mfd < 0)
    return hako_error_sys (err, errno, "clone the source");
  o.idmap = o.idmap && !prepared;
  return hako_mount_finish (e->ms, e->m, &o, mfd, targetfd, strcmp (e->clean, "/dev") == 0, err);
}

/* "remount": change an existing mount at the destination. */
static int
mount_remount (struct entry *e, struct hako_error *err)
{
  cleanup_fd int fd = hako_inroot_open (e->ms->rootfd, e->m->destination, O_PATH, 0);
  char path[64];

  if (fd < 0)
    return hako_error_sys (err, errno, "open the mount point");
  if (e->bind)
    {
      if (hako_tree_apply_opts (fd, &e->o, false) < 0)
        return plain_error (err, errno);
    }
  else
    {
      unsigned long flags = e->o.flags & ~(unsigned long)MS_REC;

      hako_fd_path (fd, path, sizeof path);
      if (mount (NULL, path, NULL, flags, e->o.data) < 0)
        return plain_error (err, errno);
    }
  for (size_t i = 0; i < e->o.n_propagation; i++)
    if (hako_tree_propagation (fd, e->o.propagation[i]) < 0)
      return hako_error_sys (err, errno, "set the propagation");
  return 0;
}

int
hako_mount_entry (struct hako_mounts *ms, const struct oci_mount *m, struct hako_error *err)
{
  struct entry e = { .ms = ms, .m = m, .srcfd = -1 };
  const char *label;
  int r;

  hako_mount_opts_parse (m->options, m->options_len, &e.o);
  e.type = m->type ? m->type : "none";
  e.bind = hako_mount_is_bind (m, &e.o, &e.recursive);
  hako_path_clean (m->destination, e.clean, sizeof e.clean);
  if (e.o.flags & MS_REMOUNT)
    r = mount_remount (&e, err);
  else if (e.bind)
    r = mount_bind (&e, err);
  else
    r = mount_new_fs (&e, err);
  hako_mount_opts_free (&e.o);
  if (r >= 0)
    return 0;
  label = m->source ? m->source : e.type;
  return hako_error_wrap (err, "mount \"%s\" on \"%s\"", label, m->destination);
}

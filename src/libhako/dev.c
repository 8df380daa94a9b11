#define _GNU_SOURCE
#include "dev.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inroot.h"
#include "mount.h"
#include "util.h"

/* Majors of the UNIX98 pty slaves (devpts). */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143

struct dev_node
{
  const char *path;
  char type; /* c, u, b or p */
  unsigned major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static const struct dev_node default_devices[] = {
  { "/dev/null", 'c', 1, 3, 0666, 0, 0 },    { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
  { "/dev/full", 'c', 1, 7, 0666, 0, 0 },    { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
  { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

static mode_t
node_format (char type)
{
  switch (type)
    {
    case 'b': return S_IFBLK;
    case 'p': return S_IFIFO;
    default: return S_IFCHR;
    }
}

static bool
node_matches (const struct stat *st, const struct dev_node *d)
{
  if ((st->st_mode & S_IFMT) != node_format (d->type))
    return false;
  return d->type == 'p' || st->st_rdev == makedev (d->major, d->minor);
}

/* Bind the host's node at the same path (stage 2 still sees the host's
 * /dev before pivot_root) onto an empty file NAME in PARENT. */
static int
bind_host_node (int parent, const char *name, const struct dev_node *d, struct hako_error *err)
{
  cleanup_fd int host = open (d->path, O_PATH | O_CLOEXEC);
  cleanup_fd int target = -1;
  cleanup_fd int mfd = -1;
  struct stat st;

  if (host < 0 || fstat (host, &st) < 0)
    return hako_error_sys (err, errno, "bind from the host");
  if (!node_matches (&st, d))
    return hako_error_set (err, EINVAL, "the host's %s is not the device %u:%u", d->path, d->major,
                           d->minor);
  target = openat (parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0);
  if (target < 0 && errno != EEXIST)
    return hako_error_sys (err, errno, "create the mount point");
  hako_closep (&target);
  target = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0 || fstat (target, &st) < 0)
    return hako_error_sys (err, errno, "open the mount point");
  if (!S_ISREG (st.st_mode))
    return hako_error_set (err, EEXIST, "a file of another type exists");
  mfd = hako_tree_clone (host, "", false);
  if (mfd < 0 || hako_tree_attach (mfd, target) < 0)
    return hako_error_sys (err, errno, "bind from the host");
  return 0;
}

/* mknod NAME in PARENT exactly as D says (mode without the umask, owner),
 * checking what was made before changing its owner.  *DENIED tells that
 * mknod itself was not permitted. */
static int
make_node (int parent, const char *name, const struct dev_node *d, bool *denied,
           struct hako_error *err)
{
  cleanup_fd int fd = -1;
  mode_t old_umask = umask (0);
  struct stat st;
  int r = mknodat (parent, name, node_format (d->type) | (d->mode & 07777),
                   makedev (d->major, d->minor));

  umask (old_umask);
  *denied = r < 0 && errno == EPERM;
  if (r < 0)
    return hako_error_sys (err, errno, "mknod");
  fd = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return hako_error_sys (err, errno, "open the new node");
  if (!node_matches (&st, d))
    return hako_error_set (err, EEXIST, "the new node was replaced");
  if ((st.st_uid != d->uid || st.st_gid != d->gid)
      && fchownat (fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
    return hako_error_sys (err, errno, "chown");
  return 0;
}

static int
create_node (const struct hako_init_ctx *ctx, int rootfd, const struct dev_node *d,
             struct hako_error *err)
{
  char name[NAME_MAX + 1];
  cleanup_fd int parent = -1;
  struct stat st;

  if (!hako_path_is_under (d->path, "/dev") || hako_path_is_under ("/dev", d->path))
    return hako_error_set (err, EPERM, "device nodes are only made under /dev");
  parent = hako_inroot_open_parent (rootfd, d->path, RESOLVE_NO_SYMLINKS, name, sizeof name);
  if (parent < 0)
    return hako_error_sys (err, errno, "open the parent directory");
  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (node_matches (&st, d))
        return 0;
      return hako_error_set (err, EEXIST, "a different file exists there");
    }
  /* A user namespace may not mknod devices (FIFOs it may). */
  if (!ctx->userns || d->type == 'p')
    {
      bool denied = false;

      if (make_node (parent, name, d, &denied, err) == 0)
        return 0;
      if (!denied || d->type == 'p')
        return -1;
      hako_error_clear (err);
    }
  return bind_host_node (parent, name, d, err);
}

static void
from_config (const struct oci_device *c, struct dev_node *d)
{
  d->path = c->path;
  d->type = c->type[0];
  d->major = c->has_major ? (unsigned)c->major : 0;
  d->minor = c->has_minor ? (unsigned)c->minor : 0;
  d->mode = c->has_file_mode ? c->file_mode : 0666;
  d->uid = c->has_uid ? c->uid : 0;
  d->gid = c->has_gid ? c->gid : 0;
}

static bool
configured (const struct oci_linux *lx, const char *path)
{
  char a[PATH_MAX], b[PATH_MAX];

  hako_path_clean (path, a, sizeof a);
  for (size_t i = 0; lx && i < lx->devices_len; i++)
    {
      hako_path_clean (lx->devices[i].path, b, sizeof b);
      if (strcmp (a, b) == 0)
        return true;
    }
  return false;
}

static int
create_devices (const struct hako_init_ctx *ctx, int rootfd, struct hako_error *err)
{
  const struct oci_linux *lx = ctx->config->linux;
  char clean[PATH_MAX];
  struct dev_node d;

  for (size_t i = 0; i < HAKO_ARRAY_SIZE (default_devices); i++)
    if (!configured (lx, default_devices[i].path)
        && create_node (ctx, rootfd, &default_devices[i], err) < 0)
      return hako_error_wrap (err, "device %s", default_devices[i].path);
  for (size_t i = 0; lx && i < lx->devices_len; i++)
    {
      from_config (&lx->devices[i], &d);
      /* /dev/ptmx is the symlink to the devpts instance made below. */
      hako_path_clean (d.path, clean, sizeof clean);
      if (strcmp (clean, "/dev/ptmx") == 0)
        continue;
      if (create_node (ctx, rootfd, &d, err) < 0)
        return hako_error_wrap (err, "device %s", d.path);
    }
  return 0;
}

static int
make_link (int rootfd, const char *target, const char *link, struct hako_error *err)
{
  char name[NAME_MAX + 1];
  cleanup_fd int parent
      = hako_inroot_open_parent (rootfd, link, RESOLVE_NO_SYMLINKS, name, sizeof name);

  if (parent < 0)
    return hako_error_sys (err, errno, "symlink %s", link);
  if (symlinkat (target, parent, name) < 0 && errno != EEXIST)
    return hako_error_sys (err, errno, "symlink %s", link);
  return 0;
}

static int
create_links (int rootfd, struct hako_error *err)
{
  static const char *const links[][2] = {
    { "/proc/self/fd", "/dev/fd" },
    { "/proc/self/fd/0", "/dev/stdin" },
    { "/proc/self/fd/1", "/dev/stdout" },
    { "/proc/self/fd/2", "/dev/stderr" },
  };
  char name[NAME_MAX + 1];
  cleanup_fd int dev = -1;

  for (size_t i = 0; i < HAKO_ARRAY_SIZE (links); i++)
    if (make_link (rootfd, links[i][0], links[i][1], err) < 0)
      return -1;
  /* Only where the kernel has it (CONFIG_PROC_KCORE). */
  if (access ("/proc/kcore", F_OK) == 0 && make_link (rootfd, "/proc/kcore", "/dev/core", err) < 0)
    return -1;
  /* /dev/ptmx must be the devpts instance's own ptmx. */
  dev = hako_inroot_open_parent (rootfd, "/dev/ptmx", RESOLVE_NO_SYMLINKS, name, sizeof name);
  if (dev < 0)
    return hako_error_sys (err, errno, "/dev/ptmx");
  if (unlinkat (dev, name, 0) < 0 && errno != ENOENT)
    return hako_error_sys (err, errno, "remove /dev/ptmx");
  if (symlinkat ("pts/ptmx", dev, name) < 0)
    return hako_error_sys (err, errno, "symlink /dev/ptmx");
  return 0;
}

int
hako_dev_setup (const struct hako_init_ctx *ctx, int rootfd, struct hako_error *err)
{
  if (create_devices (ctx, rootfd, err) < 0 || create_links (rootfd, err) < 0)
    return hako_error_wrap (err, "set up /dev");
  return 0;
}

int
hako_dev_open_null (int rootfd, struct hako_error *err)
{
  cleanup_fd int fd
      = hako_inroot_open (rootfd, "/dev/null", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  struct stat st;

  if (fd < 0 && errno == ELOOP)
    return hako_error_set (err, EPERM, "/dev/null is not the null device 1:3 (a symlink)");
  if (fd < 0 || fstat (fd, &st) < 0)
    return hako_error_sys (err, errno, "open /dev/null");
  if (!S_ISCHR (st.st_mode) || st.st_rdev != makedev (1, 3))
    return hako_error_set (err, EPERM, "/dev/null is not the null device 1:3 (mode 0%o)",
                           (unsigned)st.st_mode);
  return hako_steal_fd (&fd);
}

/* /dev/console: an existing regular file or device node, or a new empty file. */
static int
open_console_target (int rootfd, struct hako_error *err)
{
  char name[NAME_MAX + 1];
  cleanup_fd int parent
      = hako_inroot_open_parent (rootfd, "/dev/console", RESOLVE_NO_SYMLINKS, name, sizeof name);
  cleanup_fd int fd = -1;
  struct stat st;

  if (parent < 0)
    return hako_error_sys (err, errno, "open /dev");
  fd = openat (parent, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno != EEXIST)
    return hako_error_sys (err, errno, "create /dev/console");
  hako_closep (&fd);
  fd = openat (parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return hako_error_sys (err, errno, "open /dev/console");
  if (!S_ISREG (st.st_mode) && !S_ISCHR (st.st_mode))
    return hako_error_set (err, EPERM, "/dev/console is neither a file nor a device (mode 0%o)",
                           (unsigned)st.st_mode);
  return hako_steal_fd (&fd);
}

int
hako_dev_console (const struct hako_init_ctx *ctx, int rootfd, struct hako_error *err)
{
  const char *slave_path = ctx->console_slave_path;
  cleanup_fd int slave = -1;
  cleanup_fd int target = -1;
  cleanup_fd int mfd = -1;
  struct stat st;

  if (slave_path[0] == '\0')
    return 0;
  slave = hako_inroot_open (rootfd, slave_path, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  if (slave < 0 || fstat (slave, &st) < 0)
    return hako_error_sys (err, errno, "console: open %s", slave_path);
  if (!S_ISCHR (st.st_mode) || major (st.st_rdev) < PTY_SLAVE_MAJOR_FIRST
      || major (st.st_rdev) > PTY_SLAVE_MAJOR_LAST)
    return hako_error_set (err, EPERM, "console: %s is not a pty slave", slave_path);
  target = open_console_target (rootfd, err);
  if (target < 0)
    return hako_error_wrap (err, "console");
  mfd = hako_tree_clone (slave, "", false);
  if (mfd < 0 || hako_tree_attach (mfd, target) < 0)
    return hako_error_sys (err, errno, "mount \"%s\" on \"/dev/console\"", slave_path);
  return 0;
}

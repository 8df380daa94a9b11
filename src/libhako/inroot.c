#define _GNU_SOURCE
#include "inroot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* A path split into its components, in a private copy. */
struct components
{
  char buf[PATH_MAX];
  char *part[PATH_MAX / 2];
  size_t n;
};

static int
split_path (const char *path, struct components *c)
{
  char *save = NULL;

  if (strlen (path) >= sizeof c->buf)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  strcpy (c->buf, path);
  c->n = 0;
  for (char *p = strtok_r (c->buf, "/", &save); p; p = strtok_r (NULL, "/", &save))
    c->part[c->n++] = p;
  return 0;
}

/* The first N components joined with "/" ("." when N is 0). */
static void
join_prefix (const struct components *c, size_t n, char *out, size_t outsz)
{
  size_t len = 0;

  out[0] = '\0';
  if (n == 0)
    {
      snprintf (out, outsz, ".");
      return;
    }
  for (size_t i = 0; i < n && len < outsz; i++)
    len += snprintf (out + len, outsz - len, "%s%s", i ? "/" : "", c->part[i]);
}

int
hako_inroot_open (int rootfd, const char *path, int flags, uint64_t extra_resolve)
{
  struct open_how how = {
    .flags = (uint64_t)(flags | O_CLOEXEC),
    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve,
  };
  int fd;

  /* An empty path means the root itself. */
  if (path[0] == '\0')
    path = ".";
  do
    fd = syscall (SYS_openat2, rootfd, path, &how, sizeof how);
  while (fd < 0 && errno == EAGAIN);
  return fd;
}

/* Make component NAME in PARENTFD: a directory, or for the last component
 * of a FILE request an empty file; then open it O_PATH without following a
 * symlink that might have been planted under that name meanwhile. */
static int
make_component (int parentfd, const char *name, bool file, mode_t mode)
{
  if (file)
    {
      int fd = openat (parentfd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, mode);
      if (fd < 0)
        return -1;
      close (fd);
      return openat (parentfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    }
  if (mkdirat (parentfd, name, mode) < 0)
    return -1;
  return openat (parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
hako_inroot_create (int rootfd, const char *path, enum hako_inroot_kind kind, mode_t mode,
                    uint64_t extra_resolve, bool *created)
{
  static struct components c; /* stage 2 is single-threaded; keep it off the stack */
  char prefix[PATH_MAX];
  int fd = hako_inroot_open (rootfd, path, O_PATH, extra_resolve);

  *created = false;
  if (fd >= 0 || errno != ENOENT)
    return fd;
  if (split_path (path, &c) < 0)
    return -1;
  /* Resolve each prefix from the root again, so that "..", and symlinks
   * met on the way, resolve exactly as the kernel resolves the full path. */
  for (size_t i = 0; i < c.n; i++)
    {
      cleanup_fd int parent = -1;
      bool last = i + 1 == c.n;

      join_prefix (&c, i + 1, prefix, sizeof prefix);
      fd = hako_inroot_open (rootfd, prefix, O_PATH, extra_resolve);
      if (fd >= 0 && !last)
        {
          close (fd);
          continue;
        }
      if (fd >= 0 || errno != ENOENT)
        return fd;
      join_prefix (&c, i, prefix, sizeof prefix);
      parent = hako_inroot_open (rootfd, prefix, O_PATH | O_DIRECTORY, extra_resolve);
      if (parent < 0)
        return -1;
      /* "." and ".." always exist, so the missing component is a name. */
      fd = make_component (parent, c.part[i], last && kind == HAKO_INROOT_FILE, last ? mode : 0755);
      if (fd < 0)
        return -1;
      if (!last)
        close (fd);
    }
  *created = true;
  return fd;
}

int
hako_inroot_open_parent (int rootfd, const char *path, uint64_t extra_resolve, char *name,
                         size_t namesz)
{
  static struct components c;
  char parent[PATH_MAX];
  bool created;
  const char *last;
  struct stat st;
  int fd;

  if (split_path (path, &c) < 0)
    return -1;
  last = c.n ? c.part[c.n - 1] : "";
  if (c.n == 0 || strcmp (last, ".") == 0 || strcmp (last, "..") == 0 || strlen (last) >= namesz)
    {
      errno = EINVAL;
      return -1;
    }
  strcpy (name, last);
  join_prefix (&c, c.n - 1, parent, sizeof parent);
  fd = hako_inroot_create (rootfd, parent, HAKO_INROOT_DIR, 0755, extra_resolve, &created);
  if (fd < 0)
    return -1;
  if (fstat (fd, &st) < 0)
    st.st_mode = 0;
  if (!S_ISDIR (st.st_mode))
    {
      close (fd);
      errno = ENOTDIR;
      return -1;
    }
  return fd;
}

void
hako_path_clean (const char *path, char *out, size_t outsz)
{
  static struct components c;
  size_t keep = 0, len = 0;

  if (outsz == 0)
    return;
  if (split_path (path, &c) < 0)
    c.n = 0;
  for (size_t i = 0; i < c.n; i++)
    {
      if (strcmp (c.part[i], ".") == 0)
        continue;
      if (strcmp (c.part[i], "..") == 0)
        {
          if (keep > 0)
            keep--;
          continue;
        }
      c.part[keep++] = c.part[i];
    }
  out[0] = '\0';
  for (size_t i = 0; i < keep && len < outsz; i++)
    len += snprintf (out + len, outsz - len, "/%s", c.part[i]);
  if (keep == 0)
    snprintf (out, outsz, "/");
}

bool
hako_path_is_under (const char *path, const char *dir)
{
  char p[PATH_MAX], d[PATH_MAX];
  size_t n;

  hako_path_clean (path, p, sizeof p);
  hako_path_clean (dir, d, sizeof d);
  if (strcmp (d, "/") == 0)
    return true;
  n = strlen (d);
  return strncmp (p, d, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

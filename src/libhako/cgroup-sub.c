/* exec --cgroup: the sub-cgroups of the container's cgroup an exec'd
 * process goes to, from runc's "[CONTROLLER[,CONTROLLER]:]PATH" arguments.
 * The result is an ordinary struct hako_cgroup whose directories are the
 * sub-cgroups, so exec places its process the way it always does
 * (CLONE_INTO_CGROUP on the cgroup2 part, then cgroup.procs of the rest). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"

/* One argument taken apart: CONTROLLER (NULL: every hierarchy) -> PATH. */
struct sub_spec
{
  char *controller;
  const char *arg; /* the whole argument, for messages */
  const char *path;
};

/* True when PATH climbs above where it starts ("..", "a/../.."). */
static bool
escapes (const char *path)
{
  long depth = 0;

  for (const char *p = path; *p;)
    {
      size_t n = strcspn (p, "/");
      if (n == 2 && p[0] == '.' && p[1] == '.')
        {
          if (--depth < 0)
            return true;
        }
      else if (n > 0 && !(n == 1 && p[0] == '.'))
        depth++;
      p += n;
      p += *p == '/';
    }
  return false;
}

static void
specs_free (struct sub_spec *s, size_t n)
{
  for (size_t i = 0; s && i < n; i++)
    free (s[i].controller);
  free (s);
}

static bool
spec_has (const struct sub_spec *s, size_t n, const char *controller)
{
  for (size_t i = 0; i < n; i++)
    if (s[i].controller && strcmp (s[i].controller, controller) == 0)
      return true;
  return false;
}

/* Split ARG ("cpu,memory:/a" or "/a") into specs appended to *S. */
static int
parse_arg (const char *arg, size_t nargs, struct sub_spec **s, size_t *n, struct hako_error *err)
{
  const char *colon = strchr (arg, ':');
  const char *path = colon ? colon + 1 : arg;

  if (escapes (path))
    return hako_error_set (err, EINVAL, "--cgroup %s: the path leaves the container's cgroup", arg);
  if (colon == NULL && nargs != 1)
    return hako_error_set (err, EINVAL,
                           "invalid --cgroup argument: %s (missing <controller>: prefix)", arg);
  for (const char *p = arg; colon == NULL || p <= colon;)
    {
      size_t len = colon ? strcspn (p, ",:") : 0;
      char *ctrl = colon ? strndup (p, len) : NULL;
      if (colon && len == 0)
        return free (ctrl),
               hako_error_set (err, EINVAL,
                               "invalid --cgroup argument: %s (empty <controller> prefix)", arg);
      if (ctrl && spec_has (*s, *n, ctrl))
        {
          hako_error_set (err, EINVAL,
                          "invalid --cgroup argument(s): controller %s specified multiple times",
                          ctrl);
          return free (ctrl), -1;
        }
      *s = realloc (*s, (*n + 1) * sizeof **s);
      if (*s == NULL)
        abort ();
      (*s)[(*n)++] = (struct sub_spec){ .controller = ctrl, .arg = arg, .path = path };
      if (colon == NULL)
        break;
      p += len + 1;
    }
  return 0;
}

/* The spec that applies to H: the path-only one, or the first whose
 * controller H holds (v1 only); NULL: H stays in the container's cgroup. */
static const struct sub_spec *
spec_for (const struct hako_cgroup_hier *h, const struct sub_spec *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i].controller == NULL
        || (!h->v2 && hako_cgroup_list_has (h->controllers, s[i].controller)))
      return &s[i];
  return NULL;
}

/* Every controller named must be in some v1 hierarchy of CG, and the
 * controllers sharing one hierarchy must agree on the path. */
static int
check_specs (const struct hako_cgroup *cg, const struct sub_spec *s, size_t n,
             struct hako_error *err)
{
  for (size_t i = 0; i < n; i++)
    {
      const struct hako_cgroup_hier *h = NULL;
      if (s[i].controller == NULL)
        continue;
      for (size_t k = 0; k < cg->n && h == NULL; k++)
        if (!cg->h[k].v2 && hako_cgroup_list_has (cg->h[k].controllers, s[i].controller))
          h = &cg->h[k];
      if (h == NULL && cg->layout == HAKO_CGROUP_V2)
        return hako_error_set (err, EINVAL,
                               "--cgroup %s: a <controller>: prefix needs cgroup v1 hierarchies; "
                               "on cgroup v2 give the path alone",
                               s[i].arg);
      if (h == NULL)
        return hako_error_set (err, EINVAL,
                               "--cgroup %s: the container has no cgroup v1 hierarchy with the "
                               "controller %s",
                               s[i].arg, s[i].controller);
      if (spec_for (h, s, n) != &s[i] && strcmp (spec_for (h, s, n)->path, s[i].path) != 0)
        return hako_error_set (err, EINVAL,
                               "--cgroup %s: controller %s shares its hierarchy (%s) with %s, "
                               "given another path",
                               s[i].arg, s[i].controller, h->controllers,
                               spec_for (h, s, n)->controller);
    }
  return 0;
}

/* Open the sub-cgroup REL below H's directory, never leaving it. */
static int
open_below (const struct hako_cgroup_hier *h, const char *rel, const char *arg,
            struct hako_error *err)
{
  struct open_how how
      = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  int fd = (int)syscall (SYS_openat2, h->dirfd, rel, &how, sizeof how);

  if (fd >= 0)
    return fd;
  if (errno == ENOENT || errno == ENOTDIR)
    return hako_error_set (err, ENOENT, "--cgroup %s: no sub-cgroup %s%s/%s", arg, h->mountpoint,
                           h->path, rel);
  return hako_error_sys (err, errno, "--cgroup %s: open %s%s/%s", arg, h->mountpoint, h->path, rel);
}

/* Fill OUT (a zeroed hierarchy) as H moved down to SPEC's path. */
static int
sub_hier (const struct hako_cgroup_hier *h, const struct sub_spec *spec,
          struct hako_cgroup_hier *out, struct hako_error *err)
{
  cleanup_free char *rel = spec ? hako_cgroup_clean_path (spec->path, false) : NULL;
  struct hako_error ignored = HAKO_ERROR_INIT;

  out->v2 = h->v2;
  out->controllers = hako_xstrdup (h->controllers);
  out->mountpoint = hako_xstrdup (h->mountpoint);
  out->dirfd = -1;
  if (h->dirfd < 0 || rel == NULL || *rel == '\0')
    {
      out->path = hako_xstrdup (h->path);
      out->v2_controllers = h->v2_controllers ? hako_xstrdup (h->v2_controllers) : NULL;
      out->dirfd = h->dirfd < 0 ? -1 : fcntl (h->dirfd, F_DUPFD_CLOEXEC, 3);
      return h->dirfd >= 0 && out->dirfd < 0 ? hako_error_sys (err, errno, "dup") : 0;
    }
  out->path = hako_strdup_printf ("%s/%s", h->path, rel);
  if ((out->dirfd = open_below (h, rel, spec->arg, err)) < 0)
    return -1;
  if (h->v2
      && hako_cgroup_read (out->dirfd, "cgroup.controllers", &out->v2_controllers, &ignored) < 0)
    out->v2_controllers = hako_xstrdup ("");
  hako_error_clear (&ignored);
  return 0;
}

int
hako_cgroup_sub (const struct hako_cgroup *cg, char *const *args, size_t nargs,
                 struct hako_cgroup **out, struct hako_error *err)
{
  struct sub_spec *s = NULL;
  size_t n = 0;
  struct hako_cgroup *sub;

  *out = NULL;
  if (cg == NULL)
    return nargs ? hako_error_set (err, ENOTSUP, "--cgroup: the container has no cgroup") : 0;
  for (size_t i = 0; i < nargs; i++)
    if (parse_arg (args[i], nargs, &s, &n, err) < 0)
      return specs_free (s, n), -1;
  if (check_specs (cg, s, n, err) < 0)
    return specs_free (s, n), -1;
  sub = hako_xmalloc0 (sizeof *sub);
  sub->layout = cg->layout;
  sub->h = hako_xmalloc0 ((cg->n ? cg->n : 1) * sizeof *sub->h);
  for (; sub->n < cg->n; sub->n++)
    if (sub_hier (&cg->h[sub->n], spec_for (&cg->h[sub->n], s, n), &sub->h[sub->n], err) < 0)
      {
        sub->n++;
        hako_cgroup_free (sub);
        return specs_free (s, n), -1;
      }
  specs_free (s, n);
  *out = sub;
  return 0;
}

/* Where a container's cgroup lives: the hierarchies the caller belongs to
 * (from /proc/self/cgroup and /proc/self/mountinfo), linux.cgroupsPath
 * resolved in each, and the string state.json keeps. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "cgroup-internal.h"
#include "mountinfo.h"
#include "util.h"

/* ------------------------------------------------------------ paths */

/* Append component C (length N) to OUT (at *LEN), handling "." and "..". */
static void
push_component (char *out, size_t *len, const char *c, size_t n)
{
  if (n == 0 || (n == 1 && c[0] == '.'))
    return;
  if (n == 2 && c[0] == '.' && c[1] == '.')
    {
      while (*len > 0 && out[*len - 1] != '/')
        (*len)--;
      if (*len > 0)
        (*len)--; /* the '/' before the dropped component */
      return;
    }
  out[(*len)++] = '/';
  memcpy (out + *len, c, n);
  *len += n;
}

char *
hako_cgroup_clean_path (const char *path, bool absolute)
{
  size_t len = 0;
  char *out = hako_xmalloc0 (strlen (path) + 2);

  for (const char *p = path; *p;)
    {
      size_t n = strcspn (p, "/");
      push_component (out, &len, p, n);
      p += n;
      p += *p == '/';
    }
  out[len] = '\0';
  if (absolute && len == 0)
    strcpy (out, "/");
  else if (!absolute && len > 0)
    memmove (out, out + 1, len); /* drop the leading '/' (and keep the NUL) */
  return out;
}

/* True if A is B or an ancestor of B (both clean and absolute). */
static bool
is_self_or_ancestor (const char *a, const char *b)
{
  size_t n = strlen (a);

  if (strcmp (a, "/") == 0)
    return true;
  return strncmp (a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

static char *
join_relative (const char *own, const char *rel)
{
  cleanup_free char *r = hako_cgroup_clean_path (rel, false);
  cleanup_free char *joined = hako_strdup_printf ("%s/%s", own, r);
  return hako_cgroup_clean_path (joined, true);
}

/* WHY is malloc'ed and consumed. */
static int
path_error (const char *cgroups_path, struct hako_error *err, char *why)
{
  cleanup_free char *w = why;

  if (cgroups_path && *cgroups_path)
    return hako_error_set (err, EINVAL, "linux.cgroupsPath \"%.*s\": %s",
                           (int)strcspn (cgroups_path, "\n"), cgroups_path, w);
  return hako_error_set (err, EINVAL, "default cgroup path: %s", w);
}

int
hako_cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own, char **out,
                          struct hako_error *err)
{
  cleanup_free char *p = NULL;

  if (cgroups_path == NULL || *cgroups_path == '\0')
    {
      cleanup_free char *d = hako_strdup_printf ("%s/%s", HAKO_CGROUP_DEFAULT_PARENT, id);
      p = hako_cgroup_clean_path (d, true);
    }
  else if (cgroups_path[0] == '/')
    p = hako_cgroup_clean_path (cgroups_path, true);
  else if (own == NULL)
    return path_error (cgroups_path, err,
                       hako_xstrdup ("relative, but the caller's own cgroup is not visible under "
                                     "the hierarchy's mount"));
  else
    p = join_relative (own, cgroups_path);
  if (strchr (p, '\n'))
    return path_error (cgroups_path, err, hako_xstrdup ("contains a newline"));
  if (strcmp (p, "/") == 0)
    return path_error (cgroups_path, err, hako_xstrdup ("resolves to the root cgroup"));
  if (own && is_self_or_ancestor (p, own))
    return path_error (
        cgroups_path, err,
        hako_strdup_printf ("resolves to %s, which contains hako's own cgroup %s", p, own));
  *out = p;
  p = NULL;
  return 0;
}

/* ------------------------------------------------------------ hierarchies */

void
hako_cgroup_mounts_free (struct hako_cgroup_mount *m, size_t n)
{
  for (size_t i = 0; m && i < n; i++)
    {
      free (m[i].controllers);
      free (m[i].mountpoint);
      free (m[i].own);
    }
  free (m);
}

static bool
below_cgroup_root (const char *mountpoint)
{
  size_t n = strlen (HAKO_CGROUP_ROOT);
  return strncmp (mountpoint, HAKO_CGROUP_ROOT, n) == 0
         && (mountpoint[n] == '\0' || mountpoint[n] == '/');
}

/* True if every comma-separated controller of WANT is an option in OPTS. */
static bool
opts_have_all (const char *opts, const char *want)
{
  cleanup_free char *copy = hako_xstrdup (want);
  char *save = NULL;

  for (char *c = strtok_r (copy, ",", &save); c; c = strtok_r (NULL, ",", &save))
    if (!hako_cgroup_list_has (opts, c))
      return false;
  return true;
}

/* The mount of the hierarchy with CONTROLLERS (NULL: cgroup2), preferring
 * one that shows the hierarchy from its root. */
static const struct hako_mountinfo_entry *
find_mount (const struct hako_mountinfo *mi, const char *controllers,
            enum hako_cgroup_layout layout)
{
  const struct hako_mountinfo_entry *best = NULL;
  const char *v2_at = layout == HAKO_CGROUP_V2 ? HAKO_CGROUP_ROOT : HAKO_CGROUP_ROOT "/unified";

  for (size_t i = 0; i < mi->n; i++)
    {
      const struct hako_mountinfo_entry *e = &mi->entries[i];
      bool match;
      if (controllers == NULL)
        match = strcmp (e->fstype, "cgroup2") == 0 && strcmp (e->mountpoint, v2_at) == 0;
      else
        match = strcmp (e->fstype, "cgroup") == 0 && below_cgroup_root (e->mountpoint)
                && opts_have_all (e->super_opts, controllers);
      if (match && (best == NULL || strcmp (e->root, "/") == 0))
        best = e;
    }
  return best;
}

/* OWN (the line's path) relative to the mount's ROOT; NULL if outside it. */
static char *
own_below_mount (const char *own, const char *root)
{
  size_t n = strlen (root);

  if (strcmp (root, "/") == 0)
    return hako_cgroup_clean_path (own, true);
  if (strncmp (own, root, n) != 0 || (own[n] != '\0' && own[n] != '/'))
    return NULL;
  return hako_cgroup_clean_path (own + n, true);
}

/* One /proc/self/cgroup line: "ID:CONTROLLERS:PATH" (PATH may hold ':'). */
static int
parse_cgroup_line (char *line, char **controllers, char **path)
{
  char *c1 = strchr (line, ':'), *c2;

  if (c1 == NULL || (c2 = strchr (c1 + 1, ':')) == NULL)
    return -1;
  *c2 = '\0';
  *controllers = c1 + 1;
  *path = c2 + 1;
  return 0;
}

static void
add_mount (struct hako_cgroup_mount *out, size_t *n, const char *controllers,
           const struct hako_mountinfo_entry *e, const char *own)
{
  struct hako_cgroup_mount *m = &out[(*n)++];

  m->v2 = *controllers == '\0';
  m->controllers = hako_xstrdup (controllers);
  m->mountpoint = hako_xstrdup (e->mountpoint);
  m->own = own_below_mount (own, e->root);
}

int
hako_cgroup_mounts_parse (enum hako_cgroup_layout layout, const char *proc_cgroup,
                          const struct hako_mountinfo *mi, struct hako_cgroup_mount **out,
                          size_t *n, struct hako_error *err)
{
  cleanup_free char *text = hako_xstrdup (proc_cgroup);
  size_t lines = 1;
  char *save = NULL;

  for (const char *c = text; *c; c++)
    lines += *c == '\n';
  *out = hako_xmalloc0 (lines * sizeof **out);
  *n = 0;
  for (char *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      char *controllers, *own;
      const struct hako_mountinfo_entry *e;
      if (parse_cgroup_line (l, &controllers, &own) < 0)
        continue;
      if (*controllers == '\0' && layout == HAKO_CGROUP_V1)
        continue;
      e = find_mount (mi, *controllers ? controllers : NULL, layout);
      if (e != NULL)
        add_mount (*out, n, controllers, e, own);
    }
  if (*n == 0)
    {
      free (*out);
      *out = NULL;
      return hako_error_set (err, ENOENT, "no cgroup hierarchy of this process is mounted below %s",
                             HAKO_CGROUP_ROOT);
    }
  return 0;
}

int
hako_cgroup_mounts_read (enum hako_cgroup_layout layout, struct hako_cgroup_mount **out, size_t *n,
                         struct hako_error *err)
{
  cleanup_free char *cg = NULL;
  struct hako_mountinfo mi;
  int r;

  if (hako_read_file_at (AT_FDCWD, "/proc/self/cgroup", &cg, NULL, err) < 0
      || hako_mountinfo_read (&mi, err) < 0)
    return -1;
  r = hako_cgroup_mounts_parse (layout, cg, &mi, out, n, err);
  hako_mountinfo_free (&mi);
  return r;
}

/* ------------------------------------------------------------ serialization */

void
hako_cgroup_entries_free (struct hako_cgroup_entry *e, size_t n)
{
  for (size_t i = 0; e && i < n; i++)
    {
      free (e[i].controllers);
      free (e[i].path);
    }
  free (e);
}

char *
hako_cgroup_serialize_entries (const struct hako_cgroup_entry *e, size_t n)
{
  bool same = true;

  for (size_t i = 1; i < n; i++)
    same = same && strcmp (e[i].path, e[0].path) == 0;
  if (n > 0 && same)
    return hako_xstrdup (e[0].path);
  return hako_cgroup_serialize_each (e, n);
}

char *
hako_cgroup_serialize_each (const struct hako_cgroup_entry *e, size_t n)
{
  char *s = hako_xstrdup ("");

  for (size_t i = 0; i < n; i++)
    {
      char *next = hako_strdup_printf ("%s%s%s:%s", s, i ? "\n" : "", e[i].controllers, e[i].path);
      free (s);
      s = next;
    }
  return s;
}

static int
parse_entry_line (char *line, struct hako_cgroup_entry *e, struct hako_error *err)
{
  char *colon = strchr (line, ':');

  if (colon == NULL || colon[1] != '/')
    return hako_error_set (err, EINVAL, "invalid cgroup entry \"%s\"", line);
  *colon = '\0';
  e->controllers = hako_xstrdup (line);
  e->path = hako_cgroup_clean_path (colon + 1, true);
  return 0;
}

int
hako_cgroup_parse_entries (const char *s, struct hako_cgroup_entry **out, size_t *n,
                           struct hako_error *err)
{
  cleanup_free char *text = hako_xstrdup (s);
  size_t lines = 1;
  char *save = NULL;

  *n = 0;
  if (s[0] == '/')
    {
      if (strchr (s, '\n'))
        return hako_error_set (err, EINVAL, "invalid cgroup path \"%s\"", s);
      *out = hako_xmalloc0 (sizeof **out);
      (*out)[0].path = hako_cgroup_clean_path (s, true);
      *n = 1;
      return 0;
    }
  for (const char *c = s; *c; c++)
    lines += *c == '\n';
  *out = hako_xmalloc0 (lines * sizeof **out);
  for (char *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    if (parse_entry_line (l, &(*out)[(*n)++], err) < 0)
      {
        hako_cgroup_entries_free (*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
      }
  if (*n == 0)
    return hako_error_set (err, EINVAL, "empty cgroup path");
  return 0;
}

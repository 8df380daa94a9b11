/* What later commands do with a container's cgroup: list its processes
 * (ps), signal them all (kill --all), freeze and thaw them (pause, resume)
 * and remove it (delete). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup-internal.h"
#include "cgroup-systemd.h"
#include "log.h"
#include "util.h"

/* How long the kernel gets to finish freezing or to let killed tasks go. */
#define SETTLE_MS 5000
#define MAX_DEPTH 32

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
  nanosleep (&ts, NULL);
}

/* The hierarchy that holds every process: cgroup2 where there is one (hako
 * enters it on every layout), else the freezer's, else any. */
static const struct hako_cgroup_hier *
primary (const struct hako_cgroup *cg)
{
  const struct hako_cgroup_hier *h = hako_cgroup_v2_part (cg);

  if (h == NULL)
    h = hako_cgroup_find (cg, "freezer", NULL);
  for (size_t i = 0; h == NULL && i < cg->n; i++)
    if (cg->h[i].dirfd >= 0)
      h = &cg->h[i];
  return h;
}

/* ------------------------------------------------------------ pids */

struct pid_list
{
  pid_t *v;
  size_t n, cap;
};

static void
add_pids (struct pid_list *l, const char *text)
{
  for (const char *p = text; *p;)
    {
      char *end;
      long v = strtol (p, &end, 10);
      if (end == p)
        break;
      if (l->n == l->cap)
        {
          l->cap = l->cap ? 2 * l->cap : 16;
          l->v = realloc (l->v, l->cap * sizeof *l->v);
          if (l->v == NULL)
            abort ();
        }
      l->v[l->n++] = (pid_t)v;
      p = end + strspn (end, "\n");
    }
}

/* cgroup.procs of DIRFD and of every cgroup below it. */
static int
collect (int dirfd, struct pid_list *l, int depth, struct hako_error *err)
{
  cleanup_free char *procs = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *e;
  int dup_fd;

  if (hako_cgroup_read (dirfd, "cgroup.procs", &procs, err) < 0)
    return -1;
  add_pids (l, procs);
  if (depth >= MAX_DEPTH || (dup_fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return 0;
  if ((d = fdopendir (dup_fd)) == NULL)
    {
      close (dup_fd);
      return 0;
    }
  while ((e = readdir (d)))
    {
      cleanup_fd int sub = -1;
      if (e->d_type != DT_DIR || e->d_name[0] == '.')
        continue;
      sub = openat (dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub >= 0 && collect (sub, l, depth + 1, err) < 0)
        return -1;
    }
  return 0;
}

int
hako_cgroup_pids (const struct hako_cgroup *cg, pid_t **pids, size_t *n, struct hako_error *err)
{
  const struct hako_cgroup_hier *h = cg ? primary (cg) : NULL;
  struct pid_list l = { 0 };

  *pids = NULL;
  *n = 0;
  if (h == NULL)
    return 0;
  if (collect (h->dirfd, &l, 0, err) < 0)
    {
      free (l.v);
      return hako_error_wrap (err, "cgroup %s%s", h->mountpoint, h->path);
    }
  if (l.n)
    qsort (l.v, l.n, sizeof *l.v, hako_pid_compare);
  *pids = l.v;
  *n = l.n;
  return 0;
}

/* ------------------------------------------------------------ freezer */

/* The v2 "frozen" key of cgroup.events: 1, 0, or -1 when unreadable. */
static int
v2_events_frozen (int dirfd)
{
  cleanup_free char *s = NULL;
  struct hako_error ignored = HAKO_ERROR_INIT;
  const char *p;
  int r = -1;

  if (hako_cgroup_read (dirfd, "cgroup.events", &s, &ignored) == 0
      && (p = strstr (s, "frozen ")) != NULL)
    r = p[7] == '1';
  hako_error_clear (&ignored);
  return r;
}

static bool
v1_state_is (int dirfd, const char *want)
{
  cleanup_free char *s = NULL;
  struct hako_error ignored = HAKO_ERROR_INIT;
  bool r = hako_cgroup_read (dirfd, "freezer.state", &s, &ignored) == 0 && strcmp (s, want) == 0;

  hako_error_clear (&ignored);
  return r;
}

/* Ask, then wait for the kernel to report the state (v1 may stay FREEZING
 * while a task is busy in the kernel; writing FROZEN again retries). */
static int
freeze_wait (int dirfd, bool v2, bool frozen, struct hako_error *err)
{
  const char *file = v2 ? "cgroup.freeze" : "freezer.state";
  const char *value = v2 ? (frozen ? "1" : "0") : (frozen ? "FROZEN" : "THAWED");
  long waited = 0, step = 1;

  for (;;)
    {
      int r = hako_cgroup_try_write (dirfd, file, value);
      if (r < 0)
        return hako_error_sys (err, -r, "%s: write \"%s\"", file, value);
      if (v2 ? v2_events_frozen (dirfd) == frozen : v1_state_is (dirfd, value))
        return 0;
      if (waited >= SETTLE_MS)
        break;
      sleep_ms (step);
      waited += step;
      step = step < 64 ? step * 2 : 64;
    }
  if (frozen) /* do not leave it half frozen */
    hako_cgroup_try_write (dirfd, file, v2 ? "0" : "THAWED");
  return hako_error_set (err, ETIMEDOUT, "%s: not %s after %d ms", file,
                         frozen ? "frozen" : "thawed", SETTLE_MS);
}

/* v1's freezer controller where mounted, else cgroup2's cgroup.freeze. */
static const struct hako_cgroup_hier *
freezer (const struct hako_cgroup *cg)
{
  const struct hako_cgroup_hier *h = hako_cgroup_find (cg, "freezer", NULL);
  const struct hako_cgroup_hier *v2 = hako_cgroup_v2_part (cg);

  if (h == NULL && v2 && hako_cgroup_has_file (v2->dirfd, "cgroup.freeze"))
    h = v2;
  return h;
}

int
hako_cgroup_freeze (const struct hako_cgroup *cg, bool frozen, struct hako_error *err)
{
  const struct hako_cgroup_hier *h = cg ? freezer (cg) : NULL;

  if (h == NULL)
    return hako_error_set (err, ENOTSUP,
                           "cgroup: no freezer (neither the v1 freezer controller "
                           "nor cgroup2's cgroup.freeze)");
  if (freeze_wait (h->dirfd, h->v2, frozen, err) < 0)
    return hako_error_wrap (err, "cgroup %s%s", h->mountpoint, h->path);
  return 0;
}

int
hako_cgroup_is_frozen (const struct hako_cgroup *cg, bool *frozen)
{
  const struct hako_cgroup_hier *h = cg ? freezer (cg) : NULL;
  cleanup_free char *s = NULL;
  struct hako_error ignored = HAKO_ERROR_INIT;
  int r;

  *frozen = false;
  if (h == NULL)
    return -1;
  r = hako_cgroup_read (h->dirfd, h->v2 ? "cgroup.freeze" : "freezer.state", &s, &ignored);
  hako_error_clear (&ignored);
  if (r < 0)
    return -1;
  *frozen = strcmp (s, h->v2 ? "1" : "FROZEN") == 0;
  return 0;
}

/* ------------------------------------------------------------ kill */

static int
signal_each (const struct hako_cgroup *cg, int sig, struct hako_error *err)
{
  cleanup_free pid_t *pids = NULL;
  size_t n;

  if (hako_cgroup_pids (cg, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (kill (pids[i], sig) < 0 && errno != ESRCH)
      return hako_error_sys (err, errno, "kill %d", (int)pids[i]);
  return 0;
}

int
hako_cgroup_kill_all (const struct hako_cgroup *cg, int sig, struct hako_error *err)
{
  const struct hako_cgroup_hier *v2 = cg ? hako_cgroup_v2_part (cg) : NULL;
  bool was_frozen = false, froze;
  struct hako_error ignored = HAKO_ERROR_INIT;
  int r;

  if (cg == NULL)
    return 0;
  hako_cgroup_is_frozen (cg, &was_frozen);
  /* cgroup.kill (5.14+) kills the whole subtree at once, forks included;
   * a task frozen by the v1 freezer only dies once thawed. */
  if (sig == SIGKILL && v2 && hako_cgroup_try_write (v2->dirfd, "cgroup.kill", "1") == 0)
    {
      if (was_frozen && hako_cgroup_freeze (cg, false, &ignored) < 0)
        hako_log_warn ("cgroup: thaw after cgroup.kill: %s", ignored.msg);
      hako_error_clear (&ignored);
      return 0;
    }
  froze = hako_cgroup_freeze (cg, true, &ignored) == 0;
  if (!froze)
    hako_log_debug ("cgroup: signalling without freezing: %s", ignored.msg);
  hako_error_clear (&ignored);
  r = signal_each (cg, sig, err);
  /* A frozen task dies only once thawed; otherwise keep a paused
   * container paused. */
  if (froze && (!was_frozen || sig == SIGKILL) && hako_cgroup_freeze (cg, false, &ignored) < 0)
    {
      hako_log_warn ("cgroup: thaw after kill: %s", ignored.msg);
      hako_error_clear (&ignored);
    }
  return r;
}

/* ------------------------------------------------------------ destroy */

/* rmdir PATH after the cgroups below it; 0 or -errno. */
static int
remove_tree (const char *path, int depth)
{
  cleanup_dir DIR *d = depth < MAX_DEPTH ? opendir (path) : NULL;
  struct dirent *e;

  while (d && (e = readdir (d)))
    {
      cleanup_free char *sub = NULL;
      int r;
      if (e->d_type != DT_DIR || e->d_name[0] == '.')
        continue;
      sub = hako_strdup_printf ("%s/%s", path, e->d_name);
      r = remove_tree (sub, depth + 1);
      if (r < 0)
        return r;
    }
  if (rmdir (path) < 0 && errno != ENOENT)
    return -errno;
  return 0;
}

/* Killed tasks leave their cgroup asynchronously: rmdir says EBUSY until
 * they are gone.  Kill again now and then in case something raced in. */
static int
remove_with_retry (const struct hako_cgroup *cg, const struct hako_cgroup_hier *h,
                   struct hako_error *err)
{
  cleanup_free char *path = hako_strdup_printf ("%s%s", h->mountpoint, h->path);
  long waited = 0;
  int r;

  while ((r = remove_tree (path, 0)) == -EBUSY && waited < SETTLE_MS)
    {
      struct hako_error ignored = HAKO_ERROR_INIT;
      sleep_ms (10);
      waited += 10;
      if (waited % 1000 == 0 && hako_cgroup_kill_all (cg, SIGKILL, &ignored) < 0)
        hako_error_clear (&ignored);
    }
  if (r < 0)
    return hako_error_sys (err, -r, "cgroup %s: remove", path);
  return 0;
}

int
hako_cgroup_destroy (struct hako_cgroup *cg, struct hako_error *err)
{
  struct hako_error ignored = HAKO_ERROR_INIT;
  int ret = 0;

  if (cg == NULL)
    return 0;
  if (hako_cgroup_kill_all (cg, SIGKILL, &ignored) < 0)
    {
      hako_log_debug ("cgroup: kill before removal: %s", ignored.msg);
      hako_error_clear (&ignored);
    }
  /* A systemd unit goes once its processes are gone; what remains (the
   * hierarchies hako made for it) is removed below.  A systemd that does
   * not answer must not make the container undeletable: warn. */
  if (hako_cgroup_systemd_stop (cg, &ignored) < 0)
    hako_log_warn ("%s", ignored.msg);
  hako_error_clear (&ignored);
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].dirfd >= 0 && remove_with_retry (cg, &cg->h[i], ret ? &ignored : err) < 0)
      ret = -1;
  hako_error_clear (&ignored);
  /* Keep the fds open until every directory is gone: the kill above and
   * the retries need them. */
  for (size_t i = 0; i < cg->n; i++)
    if (cg->h[i].dirfd >= 0)
      {
        close (cg->h[i].dirfd);
        cg->h[i].dirfd = -1;
      }
  return ret;
}

/* Noticing OOM kills in a container's cgroup, for hako events.  Both
 * mechanisms give an fd to poll:
 *   v1: cgroup.event_control takes "<eventfd> <fd of memory.oom_control>";
 *       the kernel signals the eventfd on every OOM in the cgroup (and its
 *       descendants) and once more when the cgroup is removed, which is
 *       told apart by cgroup.event_control being gone.
 *   v2: memory.events is "modified" (inotify IN_MODIFY) on each of its
 *       counters; oom_kill counts the kills, hierarchically. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "cgroup-stats.h"
#include "log.h"
#include "util.h"

static void
watch_init (struct hako_oom_watch *w)
{
  w->fd = w->dirfd = w->file_fd = -1;
  w->v2 = false;
  w->kills = 0;
}

void
hako_oom_watch_close (struct hako_oom_watch *w)
{
  hako_closep (&w->fd);
  hako_closep (&w->dirfd);
  hako_closep (&w->file_fd);
}

/* memory.events' oom_kill; false when it cannot be read (cgroup gone). */
static bool
read_kills (int dirfd, uint64_t *kills)
{
  struct hako_error ignored = HAKO_ERROR_INIT;
  cleanup_free char *text = NULL;
  struct hako_stats_kv *kv = NULL;
  size_t n = 0;
  bool ok = hako_cgroup_read (dirfd, "memory.events", &text, &ignored) == 0
            && hako_stats_parse_kv (text, &kv, &n, &ignored) == 0;

  if (ok)
    *kills = hako_stats_kv_get (kv, n, "oom_kill");
  hako_stats_kv_free (kv, n);
  hako_error_clear (&ignored);
  return ok;
}

static int
open_v2 (const struct hako_cgroup_hier *h, struct hako_oom_watch *w, struct hako_error *err)
{
  char path[64];

  w->v2 = true;
  w->fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (w->fd < 0)
    return hako_error_sys (err, errno, "inotify_init1");
  /* Through the directory fd: the path cannot be swapped meanwhile. */
  snprintf (path, sizeof path, "/proc/self/fd/%d/memory.events", w->dirfd);
  if (inotify_add_watch (w->fd, path, IN_MODIFY) < 0)
    return hako_error_sys (err, errno, "cgroup %s%s: watch memory.events", h->mountpoint, h->path);
  if (!read_kills (w->dirfd, &w->kills))
    return hako_error_set (err, ENOENT, "cgroup %s%s: cannot read memory.events", h->mountpoint,
                           h->path);
  return 0;
}

static int
open_v1 (const struct hako_cgroup_hier *h, struct hako_oom_watch *w, struct hako_error *err)
{
  char line[64];
  int r;

  w->file_fd = openat (w->dirfd, "memory.oom_control", O_RDONLY | O_CLOEXEC);
  if (w->file_fd < 0)
    return hako_error_sys (err, errno, "cgroup %s%s: open memory.oom_control", h->mountpoint,
                           h->path);
  w->fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->fd < 0)
    return hako_error_sys (err, errno, "eventfd");
  snprintf (line, sizeof line, "%d %d", w->fd, w->file_fd);
  r = hako_cgroup_try_write (w->dirfd, "cgroup.event_control", line);
  if (r < 0)
    return hako_error_sys (err, -r, "cgroup %s%s: register an OOM eventfd", h->mountpoint, h->path);
  return 0;
}

int
hako_oom_watch_open (const struct hako_cgroup *cg, struct hako_oom_watch *w, struct hako_error *err)
{
  const struct hako_cgroup_hier *h = cg ? hako_cgroup_find (cg, "memory", "memory") : NULL;
  int r;

  watch_init (w);
  if (h == NULL)
    return 0;
  w->dirfd = fcntl (h->dirfd, F_DUPFD_CLOEXEC, 3);
  if (w->dirfd < 0)
    return hako_error_sys (err, errno, "dup");
  r = h->v2 ? open_v2 (h, w, err) : open_v1 (h, w, err);
  if (r < 0)
    {
      hako_oom_watch_close (w);
      return -1;
    }
  return 0;
}

static bool
check_v1 (struct hako_oom_watch *w, bool *gone)
{
  uint64_t count = 0;

  if (read (w->fd, &count, sizeof count) != sizeof count || count == 0)
    return false;
  /* Removal of the cgroup signals the eventfd too. */
  if (!hako_cgroup_has_file (w->dirfd, "cgroup.event_control"))
    {
      *gone = true;
      return false;
    }
  return true;
}

static bool
check_v2 (struct hako_oom_watch *w, bool *gone)
{
  char buf[4096] __attribute__ ((aligned (__alignof__(struct inotify_event))));
  uint64_t kills = 0;

  while (read (w->fd, buf, sizeof buf) > 0)
    ; /* drain: the counter says what happened */
  if (!read_kills (w->dirfd, &kills))
    {
      *gone = true;
      return false;
    }
  if (kills <= w->kills)
    return false;
  w->kills = kills;
  return true;
}

bool
hako_oom_watch_check (struct hako_oom_watch *w, bool *gone)
{
  bool oom;

  *gone = false;
  if (w->fd < 0)
    return false;
  oom = w->v2 ? check_v2 (w, gone) : check_v1 (w, gone);
  if (*gone)
    {
      hako_log_debug ("events: the memory cgroup is gone");
      hako_oom_watch_close (w);
    }
  return oom;
}

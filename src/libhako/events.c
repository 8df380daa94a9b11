/* hako events: look the container up once (its lock is not held
 * afterwards, so delete and the rest are never kept waiting), then poll
 * three fds: a timerfd for the statistics, the OOM watch, and the init's
 * pidfd, whose readability means the container has stopped. */
#define _GNU_SOURCE
#include "events.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "container-internal.h"
#include "log.h"
#include "util.h"

struct events_job
{
  const struct hako_events_opts *o;
  hako_event_sink sink;
  void *data;
  struct hako_cgroup *cg;
  int pidfd;
};

/* The container, status checked, its cgroup and init pidfd in J. */
static int
lookup (struct events_job *j, struct hako_error *err)
{
  struct hako_store store = { -1, -1, NULL };
  struct hako_entry entry;
  int r;

  if (hako_store_open (&store, j->o->root, false, err) < 0)
    return -1;
  r = hako_entry_open (&store, j->o->id, false, &entry, err);
  if (r == 0)
    {
      if (j->o->interval_ns <= 0)
        r = hako_error_set (err, EINVAL, "duration interval must be greater than 0");
      else if (strcmp (hako_entry_status (&entry), "stopped") == 0
               || (j->pidfd = hako_entry_pidfd (&entry)) < 0)
        r = hako_error_set (err, ESRCH, "container with id %s is not running", j->o->id);
      else if ((j->cg = hako_entry_cgroup (&entry, err)) == NULL)
        r = err->msg
                ? -1
                : hako_error_set (err, ENOTSUP,
                                  "container %s has no cgroup to take statistics from", j->o->id);
      hako_entry_close (&entry);
    }
  hako_store_close (&store);
  return r;
}

static int
emit (struct events_job *j, const char *type, const struct hako_cgroup_stats *s,
      struct hako_error *err)
{
  size_t len = 0;
  cleanup_free char *json = hako_stats_event_json (type, j->o->id, s, &len);

  if (json == NULL)
    return hako_error_set (err, ENOMEM, "events: out of memory");
  return j->sink (json, len, j->data, err);
}

/* Collect and emit; LOG_ONLY: a failure is logged instead (the loop goes on). */
static int
emit_stats (struct events_job *j, bool log_only, struct hako_error *err)
{
  struct hako_error mine = HAKO_ERROR_INIT;
  struct hako_cgroup_stats s;
  int r = hako_cgroup_stats (j->cg, &s, &mine);

  if (r == 0)
    r = emit (j, "stats", &s, err);
  else if (log_only)
    {
      hako_log_error ("events: %s", mine.msg);
      r = 0;
    }
  else
    hako_error_move (err, &mine);
  hako_error_clear (&mine);
  hako_cgroup_stats_free (&s);
  return r;
}

static int
arm_timer (int64_t interval_ns, struct hako_error *err)
{
  struct itimerspec its = { 0 };
  int fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

  if (fd < 0)
    return hako_error_sys (err, errno, "timerfd_create");
  its.it_value.tv_sec = its.it_interval.tv_sec = interval_ns / 1000000000;
  its.it_value.tv_nsec = its.it_interval.tv_nsec = interval_ns % 1000000000;
  if (timerfd_settime (fd, 0, &its, NULL) < 0)
    {
      close (fd);
      return hako_error_sys (err, errno, "timerfd_settime");
    }
  return fd;
}

static int
check_oom (struct events_job *j, struct hako_oom_watch *w, struct hako_error *err)
{
  bool gone;

  if (hako_oom_watch_check (w, &gone))
    return emit (j, "oom", NULL, err);
  return 0;
}

static int
loop (struct events_job *j, struct hako_oom_watch *w, struct hako_error *err)
{
  cleanup_fd int timer = arm_timer (j->o->interval_ns, err);

  if (timer < 0)
    return -1;
  for (;;)
    {
      struct pollfd p[3] = { { .fd = j->pidfd, .events = POLLIN },
                             { .fd = timer, .events = POLLIN },
                             { .fd = w->fd, .events = POLLIN } };
      uint64_t ticks;
      if (poll (p, w->fd >= 0 ? 3 : 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return hako_error_sys (err, errno, "poll");
        }
      /* OOM first: a kill that stopped the container is still reported. */
      if ((p[2].revents || p[0].revents) && check_oom (j, w, err) < 0)
        return -1;
      if (p[0].revents)
        return 0;
      if (p[1].revents && read (timer, &ticks, sizeof ticks) > 0 && emit_stats (j, true, err) < 0)
        return -1;
    }
}

int
hako_container_events (const struct hako_events_opts *o, hako_event_sink sink, void *data,
                       struct hako_error *err)
{
  struct events_job j = { .o = o, .sink = sink, .data = data, .pidfd = -1 };
  struct hako_oom_watch w = { .fd = -1, .dirfd = -1, .file_fd = -1 };
  int r;

  r = lookup (&j, err);
  if (r == 0 && o->stats_only)
    r = emit_stats (&j, false, err);
  else if (r == 0)
    {
      struct hako_error ignored = HAKO_ERROR_INIT;
      if (hako_oom_watch_open (j.cg, &w, &ignored) < 0)
        hako_log_warn ("events: OOM kills will not be reported: %s", ignored.msg);
      hako_error_clear (&ignored);
      r = loop (&j, &w, err);
    }
  hako_oom_watch_close (&w);
  hako_closep (&j.pidfd);
  hako_cgroup_free (j.cg);
  return r;
}

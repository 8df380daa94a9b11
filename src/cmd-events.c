/* hako events: print container events (OOM kills) and resource statistics
 * (libhako/events.c), one JSON object per line as runc does. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <errno.h>
#include <stdio.h>

#include "events.h"
#include "hako.h"
#include "util.h"

/* The options of `hako events`. */
static struct
{
  int64_t interval; /* nanoseconds */
  bool stats;
} opt = { .interval = 5000000000 };

static const struct hako_option options[] = {
  { "interval", HAKO_OPT_DURATION, &opt.interval,
    "time between two statistics reports (a Go duration: 500ms, 5s, 1m)", "5s" },
  { "stats", HAKO_OPT_BOOL, &opt.stats, "print the statistics once and exit", NULL },
};

const struct hako_command hako_cmd_events = {
  .name = "events",
  .summary = "print container events (OOM kills) and resource statistics",
  .args_usage = "<container-id>",
  .description = "   Print the container's resource statistics as a JSON object of type \"stats\"\n"
                 "   every --interval, and one of type \"oom\" whenever the kernel's OOM killer\n"
                 "   acts in the container's cgroup, one object per line, until the container\n"
                 "   stops.  With --stats, print the statistics once and exit.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_events,
};

/* Each event on its own line, flushed at once: a reader follows live. */
static int
print_event (const char *json, size_t len, void *data, struct hako_error *err)
{
  (void)data;
  if (fwrite (json, 1, len, stdout) != len || putchar ('\n') == EOF || fflush (stdout) != 0)
    return hako_error_sys (err, errno, "events: write to stdout");
  return 0;
}

static int
do_events (struct hako_global *g, const char *id, struct hako_error *err)
{
  struct hako_events_opts o = {
    .root = g->root,
    .id = id,
    .interval_ns = opt.interval,
    .stats_only = opt.stats,
  };

  return hako_container_events (&o, print_event, NULL, err);
}

int
cmd_events (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_events, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_events (g, args[0], &err), &err);
  return status;
}

/* hako events: print container events (OOM kills) and resource statistics.  Options as runc takes
 * them; the action (do_events) is not written yet. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "hako.h"
#include "util.h"

/* The options of `hako events`. */
static struct
{
  const char *interval;
  bool stats;
} opt = { .interval = "5s" };

static const struct hako_option options[] = {
  { "interval", HAKO_OPT_STRING, &opt.interval, "time between two statistics reports", "\"5s\"" },
  { "stats", HAKO_OPT_BOOL, &opt.stats, "print the statistics once and exit", NULL },
};

const struct hako_command hako_cmd_events = {
  .name = "events",
  .summary = "print container events (OOM kills) and resource statistics",
  .args_usage = "<container-id>",
  .description = "   Print the container's events and resource statistics as JSON, every\n"
                 "   --interval.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_events,
};

static int
do_events (struct hako_global *g, const char *id, struct hako_error *err)
{
  if (hako_require_container (g, id, err) < 0)
    return -1;
  return hako_not_implemented ("events", err);
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

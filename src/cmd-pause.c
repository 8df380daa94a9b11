/* hako pause: freeze a container through its cgroup freezer. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "container.h"
#include "hako.h"
#include "util.h"

const struct hako_command hako_cmd_pause = {
  .name = "pause",
  .summary = "freeze all processes of a container",
  .args_usage = "<container-id>",
  .description = "   Freeze every process of the container.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_pause,
};

static int
do_pause (struct hako_global *g, const char *id, struct hako_error *err)
{
  struct hako_store store;
  struct hako_entry entry;
  int r;

  if (hako_open_container (g, id, &store, &entry, err) < 0)
    return -1;
  r = hako_entry_set_paused (&entry, true, err);
  hako_entry_close (&entry);
  hako_store_close (&store);
  return r;
}

int
cmd_pause (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_pause, NULL, 0, argc, argv, &args, &nargs, &status))
    status = hako_finish (do_pause (g, args[0], &err), &err);
  return status;
}

/* hako start: let a created container run its process. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "container.h"
#include "hako.h"
#include "util.h"

const struct hako_command hako_cmd_start = {
  .name = "start",
  .summary = "let the process of a created container run",
  .args_usage = "<container-id>",
  .description = "   Let the process of a created container run.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_start,
};

static int
do_start (struct hako_global *g, const char *id, struct hako_error *err)
{
  return hako_container_start (g->root, id, err);
}

int
cmd_start (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_start, NULL, 0, argc, argv, &args, &nargs, &status))
    status = hako_finish (do_start (g, args[0], &err), &err);
  return status;
}

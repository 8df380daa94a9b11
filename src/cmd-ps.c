/* hako ps: list the processes running in a container.  Options as runc takes them; the action
 * (do_ps) is not written yet. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "hako.h"
#include "util.h"

/* The options of `hako ps`. */
static struct
{
  const char *format;
} opt = { .format = "table" };

static const struct hako_option options[] = {
  { "format f", HAKO_OPT_STRING, &opt.format, "output format: table or json", "\"table\"" },
};

const struct hako_command hako_cmd_ps = {
  .name = "ps",
  .summary = "list the processes running in a container",
  .args_usage = "<container-id> [ps options]",
  .description = NULL,
  .min_args = 1,
  .max_args = -1,
  .options_end_at_arg = true,
  .run = cmd_ps,
};

static int
do_ps (struct hako_global *g, const char *id, char **rest, int nrest, struct hako_error *err)
{
  (void)rest;
  (void)nrest;
  if (hako_require_container (g, id, err) < 0)
    return -1;
  return hako_not_implemented ("ps", err);
}

int
cmd_ps (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_ps, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_ps (g, args[0], args + 1, nargs - 1, &err), &err);
  return status;
}

/* hako create: create a container (libhako/container-create.c). */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "container.h"
#include "hako.h"
#include "util.h"

/* The options of `hako create`. */
static struct hako_create_flags opt;

static const struct hako_option options[] = { HAKO_CREATE_OPTIONS (opt) };

const struct hako_command hako_cmd_create = {
  .name = "create",
  .summary = "create a container from a bundle",
  .args_usage = "<container-id>",
  .description = "   Create a container from the bundle (config.json and root filesystem); the\n"
                 "   process named in config.json waits until `hako start`.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_create,
};

static int
do_create (struct hako_global *g, const char *id, struct hako_error *err)
{
  struct hako_create_opts o;

  hako_create_opts_init (&o, g, id, &opt);
  return hako_container_create (&o, err);
}

int
cmd_create (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_create, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_create (g, args[0], &err), &err);
  return status;
}

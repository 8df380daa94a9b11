/* hako run: create and start a container, and wait for it (unless -d). */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "container.h"
#include "hako.h"
#include "util.h"

/* The options of `hako run`. */
static struct
{
  struct hako_create_flags create;
  bool detach;
  bool keep;
  bool no_subreaper;
} opt;

static const struct hako_option options[] = {
  HAKO_CREATE_OPTIONS (opt.create),
  { "detach d", HAKO_OPT_BOOL, &opt.detach, "return at once instead of waiting for the process",
    NULL },
  { "keep", HAKO_OPT_BOOL, &opt.keep, "leave the stopped container in place when it exits", NULL },
  { "no-subreaper", HAKO_OPT_BOOL, &opt.no_subreaper,
    "do not become a child subreaper for the container process", NULL },
};

const struct hako_command hako_cmd_run = {
  .name = "run",
  .summary = "create a container and start it",
  .args_usage = "<container-id>",
  .description = "   Create a container from the bundle and start it (create + start).",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_run,
};

static int
do_run (struct hako_global *g, const char *id, int *exit_code, struct hako_error *err)
{
  struct hako_create_opts o;

  hako_create_opts_init (&o, g, id, &opt.create);
  /* --no-subreaper: hako is the init's parent anyway (CLONE_PARENT). */
  return hako_container_run (&o, opt.detach, opt.keep, exit_code, err);
}

int
cmd_run (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_run, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    {
      int exit_code = 0;
      status = hako_finish (do_run (g, args[0], &exit_code, &err), &err);
      if (status == 0)
        status = exit_code;
    }
  return status;
}

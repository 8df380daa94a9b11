/* hako delete ID: remove a container hako made, killing its init first if
 * it never started (created) or, with --force, if it runs. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "hako.h"
#include "pidref.h"
#include "util.h"

/* How long the init gets to die after SIGKILL (it may be in uninterruptible
 * sleep, e.g. on a hung NFS mount). */
#define KILL_WAIT_MS 10000

static struct
{
  bool force;
} opt;

static const struct hako_option options[] = {
  { "force f", HAKO_OPT_BOOL, &opt.force, "kill the container first if it is created or running", NULL },
};

const struct hako_command hako_cmd_delete = {
  .name = "delete",
  .summary = "remove a container and what it holds",
  .args_usage = "<container-id>",
  .description = "   Remove a stopped container.  One that is created or running is refused\n"
                 "   (runtime-spec) unless --force, which kills it first.  --force on a\n"
                 "   container that does not exist succeeds.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_delete,
};

/* SIGKILL the init and wait for it to be gone; gone already is success. */
static int
do_delete (struct hako_global *g, const char *id, struct hako_error *err)
{
  struct hako_store store;
  struct hako_entry entry;
  int r;

  if (hako_open_store (g, &store, false, err) < 0)
    return -1;
  r = hako_entry_open (&store, id, true, &entry, err);
  if (r < 0)
    {
      hako_store_close (&store);
      /* runc: deleting with --force what is not there is not an error. */
      if (opt.force && err->errnum == ENOENT && hako_id_validate (id, NULL) == 0)
        {
          hako_error_clear (err);
          return 0;
        }
      return -1;
    }
  r = hako_entry_delete (&entry, opt.force, err);
  hako_store_close (&store);
  return r;
}

int
cmd_delete (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_delete, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_delete (g, args[0], &err), &err);
  return status;
}

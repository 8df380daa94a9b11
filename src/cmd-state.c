/* hako state ID: the state of a container as JSON. */
#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "hako.h"
#include "util.h"

const struct hako_command hako_cmd_state = {
  .name = "state",
  .summary = "print the state of a container",
  .args_usage = "<container-id>",
  .description = "   Print the container's state as JSON: the OCI state (ociVersion, id,\n"
                 "   status, pid, bundle, annotations) with rootfs, created and owner.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_state,
};

static int
do_state (struct hako_global *g, const char *id, struct hako_error *err)
{
  struct hako_store store;
  struct oci_hako_status *status;
  struct oci_runtime_state *state;
  cleanup_free char *json = NULL;

  if (hako_open_store (g, &store, false, err) < 0)
    return -1;
  /* Without the lock: a hook run by `create` may ask for the state. */
  status = hako_store_read_status (&store, id, err);
  if (status == NULL)
    {
      hako_store_close (&store);
      return -1;
    }
  state = hako_runtime_state (&store, status);
  json = oci_serialize (&oci_runtime_state_type, state, true, NULL, err);
  hako_runtime_state_free (state);
  hako_status_free (status);
  hako_store_close (&store);
  if (json == NULL)
    return -1;
  printf ("%s\n", json);
  return 0;
}

int
cmd_state (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_state, NULL, 0, argc, argv, &args, &nargs, &status))
    status = hako_finish (do_state (g, args[0], &err), &err);
  return status;
}

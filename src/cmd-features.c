/* hako features: what this hako implements, as the runtime-spec features
 * document (features.md). */
#define _GNU_SOURCE
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "features.h"
#include "hako.h"
#include "util.h"

const struct hako_command hako_cmd_features = {
  .name = "features",
  .summary = "print the features this hako supports",
  .args_usage = "",
  .description = "   Print the features document of the OCI runtime-spec (features.md) as JSON:\n"
                 "   the hooks, mount options, namespaces, capabilities, cgroup managers and\n"
                 "   seccomp support this hako has.",
  .min_args = 0,
  .max_args = 0,
  .run = cmd_features,
};

static int
do_features (struct hako_error *err)
{
  struct oci_features *features = hako_features_build (err);
  cleanup_free char *json = NULL;

  if (features == NULL)
    return -1;
  json = oci_serialize (&oci_features_type, features, true, NULL, err);
  oci_features_free (features);
  if (json == NULL)
    return -1;
  printf ("%s\n", json);
  return 0;
}

int
cmd_features (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  (void)g;
  if (hako_command_parse (&hako_cmd_features, NULL, 0, argc, argv, &args, &nargs, &status))
    status = hako_finish (do_features (&err), &err);
  return status;
}

/* hako spec: write a starter config.json into a bundle. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hako.h"
#include "spec.h"
#include "util.h"

static struct
{
  const char *bundle;
  bool rootless;
} opt;

static const struct hako_option options[] = {
  { "bundle b", HAKO_OPT_STRING, &opt.bundle,
    "directory to write config.json to; default: the current directory", NULL },
  { "rootless", HAKO_OPT_BOOL, &opt.rootless,
    "a configuration an unprivileged user can run (a user namespace mapping them to root)", NULL },
};

const struct hako_command hako_cmd_spec = {
  .name = "spec",
  .summary = "write a starter config.json",
  .args_usage = "",
  .description
  = "   Write a starter config.json for a bundle whose root filesystem is in ./rootfs.\n"
    "   It runs \"sh\" on a terminal, with few capabilities and the usual /proc,\n"
    "   /dev and /sys mounts.  Edit it before use; an existing config.json is\n"
    "   never overwritten.  With --rootless the configuration adds a user namespace\n"
    "   mapping the current user to root, and leaves out what needs real root.",
  .min_args = 0,
  .max_args = 0,
  .run = cmd_spec,
};

/* Create BUNDLE/config.json with DATA; fails if the file exists. */
static int
write_new_config (const char *bundle, const char *data, size_t len, struct hako_error *err)
{
  cleanup_fd int dirfd = open (bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_fd int fd = -1;

  if (dirfd < 0)
    return hako_error_sys (err, errno, "open bundle `%s`", bundle);
  fd = openat (dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0 && errno == EEXIST)
    return hako_error_set (err, EEXIST, "File config.json exists. Remove it first");
  if (fd < 0)
    return hako_error_sys (err, errno, "create `%s/config.json`", bundle);
  if (hako_write_all (fd, data, len) < 0 || close (hako_steal_fd (&fd)) < 0)
    {
      hako_error_sys (err, errno, "write `%s/config.json`", bundle);
      unlinkat (dirfd, "config.json", 0);
      return -1;
    }
  return 0;
}

static int
do_spec (struct hako_error *err)
{
  struct oci_config *config = hako_spec_default (opt.rootless, geteuid (), getegid (), err);
  cleanup_free char *json = NULL;
  cleanup_free char *text = NULL;

  if (config == NULL)
    return -1;
  json = oci_serialize (&oci_config_type, config, true, NULL, err);
  oci_config_free (config);
  if (json == NULL)
    return -1;
  text = hako_strdup_printf ("%s\n", json);
  return write_new_config (opt.bundle ? opt.bundle : ".", text, strlen (text), err);
}

int
cmd_spec (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  (void)g;
  if (hako_command_parse (&hako_cmd_spec, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_spec (&err), &err);
  return status;
}

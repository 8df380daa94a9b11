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
static struct
{
  const char *bundle;
  const char *console_socket;
  const char *pid_file;
  const char *pidfd_socket;
  bool no_pivot;
  bool no_new_keyring;
  int64_t preserve_fds;
} opt;

static const struct hako_option options[] = {
  { "bundle b", HAKO_OPT_STRING, &opt.bundle,
    "bundle directory (config.json and rootfs); default: the current directory", NULL },
  { "console-socket", HAKO_OPT_STRING, &opt.console_socket,
    "unix socket to send the pseudoterminal master fd to (when terminal is true)", NULL },
  { "pid-file", HAKO_OPT_STRING, &opt.pid_file,
    "write the pid of the container process to this file", NULL },
  { "pidfd-socket", HAKO_OPT_STRING, &opt.pidfd_socket,
    "unix socket to send a pidfd of the container process to", NULL },
  { "no-pivot", HAKO_OPT_BOOL, &opt.no_pivot,
    "enter the rootfs with MS_MOVE + chroot instead of pivot_root (for a ramdisk rootfs)", NULL },
  { "no-new-keyring", HAKO_OPT_BOOL, &opt.no_new_keyring,
    "keep the caller's session keyring instead of a new one", NULL },
  { "preserve-fds", HAKO_OPT_INT, &opt.preserve_fds,
    "also pass fds 3 .. 3+N-1 (after any $LISTEN_FDS) to the process", "0" },
};

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
  struct hako_create_opts o = {
    .root = g->root,
    .id = id,
    .bundle = opt.bundle,
    .pid_file = opt.pid_file,
    .console_socket = opt.console_socket,
    .pidfd_socket = opt.pidfd_socket,
    .preserve_fds = (int)opt.preserve_fds,
    .no_pivot = opt.no_pivot,
    .no_new_keyring = opt.no_new_keyring,
    .cgroup_manager = hako_cgroup_manager_name (g),
  };

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

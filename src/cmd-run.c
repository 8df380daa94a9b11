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
  const char *bundle;
  const char *console_socket;
  bool detach;
  bool keep;
  const char *pid_file;
  const char *pidfd_socket;
  bool no_subreaper;
  bool no_pivot;
  bool no_new_keyring;
  int64_t preserve_fds;
} opt;

static const struct hako_option options[] = {
  { "bundle b", HAKO_OPT_STRING, &opt.bundle,
    "bundle directory (config.json and rootfs); default: the current directory", NULL },
  { "console-socket", HAKO_OPT_STRING, &opt.console_socket,
    "unix socket to send the pseudoterminal master fd to (when terminal is true)", NULL },
  { "detach d", HAKO_OPT_BOOL, &opt.detach, "return at once instead of waiting for the process",
    NULL },
  { "keep", HAKO_OPT_BOOL, &opt.keep, "leave the stopped container in place when it exits", NULL },
  { "pid-file", HAKO_OPT_STRING, &opt.pid_file,
    "write the pid of the container process to this file", NULL },
  { "pidfd-socket", HAKO_OPT_STRING, &opt.pidfd_socket,
    "unix socket to send a pidfd of the container process to", NULL },
  { "no-subreaper", HAKO_OPT_BOOL, &opt.no_subreaper,
    "do not become a child subreaper for the container process", NULL },
  { "no-pivot", HAKO_OPT_BOOL, &opt.no_pivot,
    "enter the rootfs with MS_MOVE + chroot instead of pivot_root (for a ramdisk rootfs)", NULL },
  { "no-new-keyring", HAKO_OPT_BOOL, &opt.no_new_keyring,
    "keep the caller's session keyring instead of a new one", NULL },
  { "preserve-fds", HAKO_OPT_INT, &opt.preserve_fds,
    "also pass fds 3 .. 3+N-1 (after any $LISTEN_FDS) to the process", "0" },
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

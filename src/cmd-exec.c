/* hako exec: run a new process in a running container.  Options as runc takes them; the action
 * (do_exec) is not written yet. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "hako.h"
#include "util.h"

/* The options of `hako exec`. */
static struct
{
  const char *console_socket;
  const char *cwd;
  struct hako_strings env;
  bool tty;
  const char *user;
  struct hako_strings additional_gids;
  const char *process;
  bool detach;
  const char *pid_file;
  const char *process_label;
  const char *apparmor;
  bool no_new_privs;
  struct hako_strings cap;
  int64_t preserve_fds;
  struct hako_strings cgroup;
  bool ignore_paused;
} opt;

static const struct hako_option options[] = {
  { "console-socket", HAKO_OPT_STRING, &opt.console_socket,
    "unix socket to send the pseudoterminal master fd to (when terminal is true)", NULL },
  { "cwd", HAKO_OPT_STRING, &opt.cwd, "working directory of the process, in the container", NULL },
  { "env e", HAKO_OPT_STRINGS, &opt.env, "add an environment variable NAME=VALUE (repeatable)",
    NULL },
  { "tty t", HAKO_OPT_BOOL, &opt.tty, "give the process a pseudoterminal", NULL },
  { "user u", HAKO_OPT_STRING, &opt.user, "run as UID[:GID]", NULL },
  { "additional-gids g", HAKO_OPT_STRINGS, &opt.additional_gids,
    "an additional group id (repeatable)", NULL },
  { "process p", HAKO_OPT_STRING, &opt.process, "read the process from this process.json", NULL },
  { "detach d", HAKO_OPT_BOOL, &opt.detach, "return at once instead of waiting for the process",
    NULL },
  { "pid-file", HAKO_OPT_STRING, &opt.pid_file,
    "write the pid of the container process to this file", NULL },
  { "process-label", HAKO_OPT_STRING, &opt.process_label, "SELinux label of the process", NULL },
  { "apparmor", HAKO_OPT_STRING, &opt.apparmor, "AppArmor profile of the process", NULL },
  { "no-new-privs", HAKO_OPT_BOOL, &opt.no_new_privs, "set no_new_privs for the process", NULL },
  { "cap c", HAKO_OPT_STRINGS, &opt.cap, "add a capability to the process (repeatable)", NULL },
  { "preserve-fds", HAKO_OPT_INT, &opt.preserve_fds,
    "also pass fds 3 .. 3+N-1 (after any $LISTEN_FDS) to the process", "0" },
  { "cgroup", HAKO_OPT_STRINGS, &opt.cgroup,
    "put the process in this existing sub-cgroup: [CONTROLLER:]PATH (repeatable)", NULL },
  { "ignore-paused", HAKO_OPT_BOOL, &opt.ignore_paused, "exec even if the container is paused",
    NULL },
};

const struct hako_command hako_cmd_exec = {
  .name = "exec",
  .summary = "run a new process in a running container",
  .args_usage = "<container-id> <command> [command options]  || -p process.json <container-id>",
  .description = "   Run another process in a running container: the command given after the\n"
                 "   id, or the process described by a process.json (-p).",
  .min_args = 1,
  .max_args = -1,
  .options_end_at_arg = true,
  .run = cmd_exec,
};

static int
do_exec (struct hako_global *g, const char *id, char **rest, int nrest, struct hako_error *err)
{
  (void)rest;
  (void)nrest;
  if (hako_require_container (g, id, err) < 0)
    return -1;
  return hako_not_implemented ("exec", err);
}

int
cmd_exec (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_exec, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_exec (g, args[0], args + 1, nargs - 1, &err), &err);
  hako_strings_free (&opt.env);
  hako_strings_free (&opt.additional_gids);
  hako_strings_free (&opt.cap);
  hako_strings_free (&opt.cgroup);
  return status;
}

/* hako exec: run a process in a running container (libhako/exec.c). */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "exec.h"
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
  const char *pidfd_socket;
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
  { "pidfd-socket", HAKO_OPT_STRING, &opt.pidfd_socket,
    "unix socket to send a pidfd of the process to", NULL },
  { "process-label", HAKO_OPT_STRING, &opt.process_label, "SELinux label of the process", NULL },
  { "apparmor", HAKO_OPT_STRING, &opt.apparmor, "AppArmor profile of the process", NULL },
  { "no-new-privs", HAKO_OPT_BOOL, &opt.no_new_privs, "set no_new_privs for the process", NULL },
  { "cap c", HAKO_OPT_STRINGS, &opt.cap, "add a capability to the process (repeatable)", NULL },
  { "preserve-fds", HAKO_OPT_INT, &opt.preserve_fds,
    "also pass fds 3 .. 3+N-1 (after any $LISTEN_FDS) to the process", "0" },
  { "cgroup", HAKO_OPT_STRINGS, &opt.cgroup,
    "run the process in an existing sub-cgroup of the container's: [CONTROLLER[,...]:]PATH "
    "(repeatable, one per v1 controller)",
    NULL },
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

/* A NULL-terminated copy of the pointers (the strings stay in argv). */
static char **
strv_of (const struct hako_strings *s)
{
  char **v = hako_xmalloc0 ((s->len + 1) * sizeof (char *));

  for (size_t i = 0; i < s->len; i++)
    v[i] = (char *)s->items[i];
  return v;
}

static int
do_exec (struct hako_global *g, const char *id, char **rest, int nrest, int *exit_code,
         struct hako_error *err)
{
  cleanup_free char **env = strv_of (&opt.env);
  cleanup_free char **gids = strv_of (&opt.additional_gids);
  cleanup_free char **caps = strv_of (&opt.cap);
  cleanup_free char **cgroups = strv_of (&opt.cgroup);
  cleanup_free char **args = hako_xmalloc0 ((nrest + 1) * sizeof (char *));
  struct hako_exec_opts o = {
    .root = g->root,
    .id = id,
    .process_file = opt.process,
    .args = args,
    .tty = opt.tty,
    .detach = opt.detach,
    .pid_file = opt.pid_file,
    .console_socket = opt.console_socket,
    .pidfd_socket = opt.pidfd_socket,
    .preserve_fds = (int)opt.preserve_fds,
    .cwd = opt.cwd,
    .env = env,
    .user = opt.user,
    .additional_gids = gids,
    .caps = caps,
    .no_new_privs = opt.no_new_privs,
    .process_label = opt.process_label,
    .apparmor = opt.apparmor,
    .cgroups = cgroups,
    .ignore_paused = opt.ignore_paused,
  };

  for (int i = 0; i < nrest; i++)
    args[i] = rest[i];
  return hako_container_exec (&o, exit_code, err);
}

int
cmd_exec (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_exec, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    {
      int exit_code = 0;
      status = hako_finish (do_exec (g, args[0], args + 1, nargs - 1, &exit_code, &err), &err);
      if (status == 0)
        status = exit_code;
    }
  hako_strings_free (&opt.env);
  hako_strings_free (&opt.additional_gids);
  hako_strings_free (&opt.cap);
  hako_strings_free (&opt.cgroup);
  return status;
}

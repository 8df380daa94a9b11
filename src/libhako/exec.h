/* hako exec: run another process in a running container. */
#ifndef HAKO_EXEC_H
#define HAKO_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct hako_exec_opts
{
  const char *root;
  const char *id;
  const char *process_file; /* -p/--process: a process.json; else the fields below */
  char **args;              /* the command, NULL-terminated */
  bool tty;                 /* -t */
  bool detach;              /* -d */
  const char *pid_file;
  const char *console_socket;
  const char *pidfd_socket;
  int preserve_fds;
  const char *cwd;        /* --cwd */
  char **env;             /* -e KEY=VALUE..., NULL-terminated, added to the config's env */
  const char *user;       /* -u uid[:gid] */
  char **additional_gids; /* -g, NULL-terminated */
  char **caps;            /* -c/--cap: added to every set but ambient, NULL-terminated */
  bool no_new_privs;
  const char *process_label;
  const char *apparmor;
  char **cgroups; /* --cgroup [CONTROLLER:]PATH..., NULL-terminated: sub-cgroups to run in */
  bool ignore_paused;
};

/* Without DETACH, *EXIT_CODE receives the process's status (128+N for
 * signal N). */
int hako_container_exec (const struct hako_exec_opts *o, int *exit_code, struct hako_error *err);

#endif

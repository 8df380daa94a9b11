/* The hako command line: global options (hako.c), one file per command
 * (cmd-<name>.c), each exporting
 *
 *   int cmd_<name> (struct hako_global *g, int argc, char **argv);
 *
 * which gets argv[0] = the command's name and returns the exit status. */
#ifndef HAKO_CLI_H
#define HAKO_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "options.h"
#include "status.h"

enum hako_cgroup_manager
{
  HAKO_CGROUP_CGROUPFS,
  HAKO_CGROUP_SYSTEMD,
  HAKO_CGROUP_DISABLED,
};

enum hako_rootless
{
  HAKO_ROOTLESS_AUTO,
  HAKO_ROOTLESS_TRUE,
  HAKO_ROOTLESS_FALSE,
};

/* The global options, parsed and checked. */
struct hako_global
{
  char *root;           /* absolute */
  const char *log_path; /* NULL: stderr */
  const char *log_format;
  bool debug;
  const char *criu;
  enum hako_cgroup_manager cgroup_manager;
  enum hako_rootless rootless;
};

/* The manager's name as libhako takes it. */
static inline const char *
hako_cgroup_manager_name (const struct hako_global *g)
{
  return g->cgroup_manager == HAKO_CGROUP_SYSTEMD    ? "systemd"
         : g->cgroup_manager == HAKO_CGROUP_DISABLED ? "disabled"
                                                     : "cgroupfs";
}

/* The options `create` and `run` share. */
struct hako_create_flags
{
  const char *bundle;
  const char *console_socket;
  const char *pid_file;
  const char *pidfd_socket;
  bool no_pivot;
  bool no_new_keyring;
  int64_t preserve_fds;
};

#define HAKO_CREATE_OPTIONS(f)                                                                   \
  { "bundle b", HAKO_OPT_STRING, &(f).bundle,                                                    \
    "bundle directory (config.json and rootfs); default: the current directory", NULL },         \
      { "console-socket", HAKO_OPT_STRING, &(f).console_socket,                                  \
        "unix socket to send the pseudoterminal master fd to (when terminal is true)", NULL },   \
      { "pid-file", HAKO_OPT_STRING, &(f).pid_file,                                              \
        "write the pid of the container process to this file", NULL },                           \
      { "pidfd-socket", HAKO_OPT_STRING, &(f).pidfd_socket,                                      \
        "unix socket to send a pidfd of the container process to", NULL },                       \
      { "no-pivot", HAKO_OPT_BOOL, &(f).no_pivot,                                                \
        "enter the rootfs with MS_MOVE + chroot instead of pivot_root (for a ramdisk rootfs)",   \
        NULL },                                                                                  \
      { "no-new-keyring", HAKO_OPT_BOOL, &(f).no_new_keyring,                                    \
        "keep the caller's session keyring instead of a new one", NULL },                        \
  {                                                                                              \
    "preserve-fds", HAKO_OPT_INT, &(f).preserve_fds,                                             \
        "also pass fds 3 .. 3+N-1 (after any $LISTEN_FDS) to the process", "0"                   \
  }

struct hako_create_opts;
/* libhako's create options from the parsed flags (pointers into F and G). */
void hako_create_opts_init (struct hako_create_opts *o, const struct hako_global *g,
                            const char *id, const struct hako_create_flags *f);

/* What a command's help and argument checks need. */
struct hako_command
{
  const char *name;
  const char *summary;     /* one line, for `hako --help` */
  const char *args_usage;  /* e.g. "<container-id>" */
  const char *description; /* paragraphs for `hako CMD --help`; may be NULL */
  int min_args;
  int max_args;            /* -1: no limit */
  bool options_end_at_arg; /* exec, ps: what follows the id belongs to the process */
  int (*run) (struct hako_global *g, int argc, char **argv);
};

/* Parse a command's options and check its argument count.  Returns true to
 * go on; false when the command is over (help printed, or a usage error
 * printed and logged), with the exit status in *STATUS. */
bool hako_command_parse (const struct hako_command *cmd, const struct hako_option *opts,
                         size_t n_opts, int argc, char **argv, char ***args, int *nargs,
                         int *status);
void hako_command_help (FILE *out, const struct hako_command *cmd, const struct hako_option *opts,
                        size_t n_opts);

/* Print ERR the one way hako reports errors (see hako.c), clear it, and
 * return the exit status 1. */
int hako_fail (struct hako_error *err);
/* The usual ending of a command: 0, or hako_fail (ERR) when R < 0. */
int hako_finish (int r, struct hako_error *err);

/* Open the state store at --root; CREATE makes the root if missing. */
int hako_open_store (struct hako_global *g, struct hako_store *store, bool create,
                     struct hako_error *err);
/* For commands that act on an existing container (lock held, state read):
 * error `container "<id>" does not exist` if it is not there. */
int hako_open_container (struct hako_global *g, const char *id, struct hako_store *store,
                         struct hako_entry *entry, struct hako_error *err);
/* Only check that the container exists (lock taken and released). */
int hako_require_container (struct hako_global *g, const char *id, struct hako_error *err);
/* The body of a command hako does not implement yet. */
int hako_not_implemented (const char *cmd, struct hako_error *err);

extern const struct hako_command hako_cmd_create, hako_cmd_start, hako_cmd_state, hako_cmd_kill,
    hako_cmd_delete, hako_cmd_run, hako_cmd_exec, hako_cmd_list, hako_cmd_ps, hako_cmd_pause,
    hako_cmd_resume, hako_cmd_update, hako_cmd_events, hako_cmd_spec, hako_cmd_features,
    hako_cmd_checkpoint, hako_cmd_restore;

int cmd_create (struct hako_global *g, int argc, char **argv);
int cmd_start (struct hako_global *g, int argc, char **argv);
int cmd_state (struct hako_global *g, int argc, char **argv);
int cmd_kill (struct hako_global *g, int argc, char **argv);
int cmd_delete (struct hako_global *g, int argc, char **argv);
int cmd_run (struct hako_global *g, int argc, char **argv);
int cmd_exec (struct hako_global *g, int argc, char **argv);
int cmd_list (struct hako_global *g, int argc, char **argv);
int cmd_ps (struct hako_global *g, int argc, char **argv);
int cmd_pause (struct hako_global *g, int argc, char **argv);
int cmd_resume (struct hako_global *g, int argc, char **argv);
int cmd_update (struct hako_global *g, int argc, char **argv);
int cmd_events (struct hako_global *g, int argc, char **argv);
int cmd_spec (struct hako_global *g, int argc, char **argv);
int cmd_features (struct hako_global *g, int argc, char **argv);
int cmd_checkpoint (struct hako_global *g, int argc, char **argv);
int cmd_restore (struct hako_global *g, int argc, char **argv);

#endif

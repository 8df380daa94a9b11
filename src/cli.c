/* What every command shares: option parsing with runc's usage errors, help
 * text, the one error printer, opening the state store. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "hako.h"
#include "log.h"

int
hako_fail (struct hako_error *err)
{
  const char *msg = err->msg ? err->msg : "unknown error";
  bool on_stderr = hako_log_to_stderr ();
  bool json = hako_log_get_format () == HAKO_LOG_FORMAT_JSON;

  /* Like runc: the error is a log record (containerd reads the last JSON
   * record of --log FILE) and is also printed on stderr.  When the log is
   * stderr, it is said once: as the JSON record if JSON was asked for, else
   * as a plain line (runc would print a logfmt record there; a plain
   * "hako: <msg>" reads better and is what the messages show). */
  if (!on_stderr || json)
    hako_log_error ("%s", msg);
  if (!(on_stderr && json))
    fprintf (stderr, "hako: %s\n", msg);
  hako_error_clear (err);
  return 1;
}

int
hako_finish (int r, struct hako_error *err)
{
  return r < 0 ? hako_fail (err) : 0;
}

void
hako_command_help (FILE *out, const struct hako_command *cmd, const struct hako_option *opts,
                   size_t n_opts)
{
  fprintf (out, "NAME:\n   hako %s - %s\n\nUSAGE:\n   hako %s%s%s%s\n", cmd->name, cmd->summary,
           cmd->name, n_opts ? " [command options]" : "", *cmd->args_usage ? " " : "",
           cmd->args_usage);
  if (cmd->description)
    fprintf (out, "\nDESCRIPTION:\n%s\n", cmd->description);
  if (n_opts)
    {
      fputs ("\nOPTIONS:\n", out);
      hako_options_print (out, opts, n_opts);
    }
}

static int
arg_count_error (const struct hako_command *cmd, int nargs, struct hako_error *err)
{
  if (cmd->min_args == cmd->max_args)
    return hako_error_set (err, EINVAL, "\"%s\" requires exactly %d argument(s)", cmd->name,
                           cmd->min_args);
  if (nargs < cmd->min_args)
    return hako_error_set (err, EINVAL, "\"%s\" requires a minimum of %d argument(s)", cmd->name,
                           cmd->min_args);
  return hako_error_set (err, EINVAL, "\"%s\" requires a maximum of %d argument(s)", cmd->name,
                         cmd->max_args);
}

bool
hako_command_parse (const struct hako_command *cmd, const struct hako_option *opts, size_t n_opts,
                    int argc, char **argv, char ***args, int *nargs, int *status)
{
  struct hako_error err = HAKO_ERROR_INIT;
  int r
      = hako_options_parse (opts, n_opts, argc, argv, !cmd->options_end_at_arg, args, nargs, &err);

  if (r == 1)
    {
      hako_command_help (stdout, cmd, opts, n_opts);
      *status = 0;
      return false;
    }
  if (r < 0)
    {
      /* runc's shape: the usage error with the command's help, then the
       * error itself through the error printer. */
      fprintf (stderr, "Incorrect Usage: %s\n\n", err.msg);
      hako_command_help (stderr, cmd, opts, n_opts);
      *status = hako_fail (&err);
      return false;
    }
  if (*nargs < cmd->min_args || (cmd->max_args >= 0 && *nargs > cmd->max_args))
    {
      fputs ("Incorrect Usage.\n\n", stderr);
      hako_command_help (stderr, cmd, opts, n_opts);
      arg_count_error (cmd, *nargs, &err);
      free (*args);
      *args = NULL;
      *status = hako_fail (&err);
      return false;
    }
  return true;
}

int
hako_open_store (struct hako_global *g, struct hako_store *store, bool create,
                 struct hako_error *err)
{
  return hako_store_open (store, g->root, create, err);
}

int
hako_open_container (struct hako_global *g, const char *id, struct hako_store *store,
                     struct hako_entry *entry, struct hako_error *err)
{
  if (hako_open_store (g, store, false, err) < 0)
    return -1;
  if (hako_entry_open (store, id, false, entry, err) < 0)
    {
      hako_store_close (store);
      return -1;
    }
  return 0;
}

int
hako_require_container (struct hako_global *g, const char *id, struct hako_error *err)
{
  struct hako_store store;
  struct hako_entry entry;

  if (hako_open_container (g, id, &store, &entry, err) < 0)
    return -1;
  hako_entry_close (&entry);
  hako_store_close (&store);
  return 0;
}

int
hako_not_implemented (const char *cmd, struct hako_error *err)
{
  return hako_error_set (err, ENOSYS, "%s: not implemented yet", cmd);
}

void
hako_create_opts_init (struct hako_create_opts *o, const struct hako_global *g, const char *id,
                       const struct hako_create_flags *f)
{
  *o = (struct hako_create_opts){
    .root = g->root,
    .id = id,
    .bundle = f->bundle,
    .pid_file = f->pid_file,
    .console_socket = f->console_socket,
    .pidfd_socket = f->pidfd_socket,
    .preserve_fds = (int)f->preserve_fds,
    .no_pivot = f->no_pivot,
    .no_new_keyring = f->no_new_keyring,
    .cgroup_manager = hako_cgroup_manager_name (g),
  };
}

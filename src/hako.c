/* hako's main: the global options (runc's), then one command. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hako.h"
#include "log.h"
#include "selfexe.h"
#include "util.h"
#include "version.h"

/* In the order `hako --help` lists them. */
static const struct hako_command *const commands[] = {
  &hako_cmd_checkpoint, &hako_cmd_create,   &hako_cmd_delete, &hako_cmd_events, &hako_cmd_exec,
  &hako_cmd_kill,       &hako_cmd_list,     &hako_cmd_pause,  &hako_cmd_ps,     &hako_cmd_restore,
  &hako_cmd_resume,     &hako_cmd_run,      &hako_cmd_spec,   &hako_cmd_start,  &hako_cmd_state,
  &hako_cmd_update,     &hako_cmd_features,
};

/* The global options, as parsed (strings checked afterwards). */
static struct
{
  const char *root, *log, *log_format, *criu, *cgroup_manager, *rootless;
  bool debug, systemd_cgroup, version;
} global_args;

static const struct hako_option global_options[] = {
  { "debug", HAKO_OPT_BOOL, &global_args.debug, "also write debug records to the log", NULL },
  { "log", HAKO_OPT_STRING, &global_args.log, "append log records to this file instead of stderr",
    NULL },
  { "log-format", HAKO_OPT_STRING, &global_args.log_format, "log record format: text or json",
    "\"text\"" },
  { "root", HAKO_OPT_STRING, &global_args.root,
    "directory holding the state of the containers (best on a tmpfs)",
    "\"/run/hako\", or $XDG_RUNTIME_DIR/hako for non-root users" },
  { "criu", HAKO_OPT_STRING, &global_args.criu, "the criu program checkpoint and restore run",
    "\"criu\"" },
  { "systemd-cgroup", HAKO_OPT_BOOL, &global_args.systemd_cgroup,
    "manage cgroups through systemd; cgroupsPath is then slice:prefix:name", NULL },
  { "cgroup-manager", HAKO_OPT_STRING, &global_args.cgroup_manager,
    "how to manage cgroups: cgroupfs, systemd or disabled", "\"cgroupfs\"" },
  { "rootless", HAKO_OPT_STRING, &global_args.rootless,
    "treat containers as rootless (cgroup permission errors are not fatal): true, false or auto",
    "\"auto\"" },
  { "help h", HAKO_OPT_BOOL, NULL, "show this help", NULL },
  { "version v", HAKO_OPT_BOOL, &global_args.version, "print the version", NULL },
};

static void
print_version (void)
{
  printf ("hako version %s\ncommit: %s\nspec: %s\n%s\n", hako_version (), hako_commit (),
          HAKO_SPEC_VERSION, hako_build_features ());
}

static void
print_app_help (FILE *out)
{
  fprintf (out,
           "NAME:\n   hako - an OCI container runtime\n\n"
           "hako runs containers from OCI bundles: a directory with a config.json and a\n"
           "root filesystem.  It takes the same commands and options as runc.\n\n"
           "USAGE:\n   hako [global options] command [command options] [arguments...]\n\n"
           "VERSION:\n   %s\n\nCOMMANDS:\n",
           hako_version ());
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (commands); i++)
    fprintf (out, "   %-11s %s\n", commands[i]->name, commands[i]->summary);
  fprintf (out, "   %-11s %s\n\nGLOBAL OPTIONS:\n", "help, h",
           "show the list of commands or the help of one command");
  hako_options_print (out, global_options, HAKO_ARRAY_SIZE (global_options));
}

static const struct hako_command *
find_command (const char *name)
{
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (commands); i++)
    if (strcmp (commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

/* Go's strconv.ParseBool, plus "auto" (runc's --rootless). */
static int
parse_rootless (const char *s, enum hako_rootless *out, struct hako_error *err)
{
  static const char *const yes[] = { "true", "1", "t", "T", "TRUE", "True", NULL };
  static const char *const no[] = { "false", "0", "f", "F", "FALSE", "False", NULL };

  *out = HAKO_ROOTLESS_AUTO;
  if (s == NULL || *s == '\0' || strcmp (s, "auto") == 0)
    return 0;
  for (size_t i = 0; yes[i]; i++)
    if (strcmp (s, yes[i]) == 0)
      return *out = HAKO_ROOTLESS_TRUE, 0;
  for (size_t i = 0; no[i]; i++)
    if (strcmp (s, no[i]) == 0)
      return *out = HAKO_ROOTLESS_FALSE, 0;
  return hako_error_set (err, EINVAL, "invalid --rootless value \"%s\": want true, false or auto",
                         s);
}

static int
parse_cgroup_manager (enum hako_cgroup_manager *out, struct hako_error *err)
{
  static const char *const names[] = { "cgroupfs", "systemd", "disabled" };

  *out = global_args.systemd_cgroup ? HAKO_CGROUP_SYSTEMD : HAKO_CGROUP_CGROUPFS;
  if (global_args.cgroup_manager == NULL)
    return 0;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (names); i++)
    if (strcmp (global_args.cgroup_manager, names[i]) == 0)
      {
        if (global_args.systemd_cgroup && i != HAKO_CGROUP_SYSTEMD)
          return hako_error_set (err, EINVAL, "--systemd-cgroup conflicts with --cgroup-manager=%s",
                                 names[i]);
        *out = i;
        return 0;
      }
  return hako_error_set (err, EINVAL,
                         "invalid --cgroup-manager \"%s\": want cgroupfs, systemd or disabled",
                         global_args.cgroup_manager);
}

/* runc's default root, and every root made absolute: state outlives the
 * working directory of the command that made it. */
static char *
resolve_root (const char *root)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  cleanup_free char *cwd = NULL;

  if (root == NULL)
    return geteuid () != 0 && xdg && *xdg == '/' ? hako_strdup_printf ("%s/hako", xdg)
                                                 : hako_xstrdup ("/run/hako");
  if (root[0] == '/')
    return hako_xstrdup (root);
  cwd = getcwd (NULL, 0);
  if (cwd == NULL)
    return hako_xstrdup (root);
  return hako_strdup_printf ("%s/%s", cwd, root);
}

static int
setup_globals (struct hako_global *g, struct hako_error *err)
{
  enum hako_log_format format;

  g->log_path = global_args.log;
  g->log_format = global_args.log_format ? global_args.log_format : "text";
  g->debug = global_args.debug;
  g->criu = global_args.criu ? global_args.criu : "criu";
  if (hako_log_format_parse (g->log_format, &format, err) < 0
      || hako_log_init (global_args.log, format, global_args.debug, err) < 0)
    return -1;
  if (parse_cgroup_manager (&g->cgroup_manager, err) < 0
      || parse_rootless (global_args.rootless, &g->rootless, err) < 0)
    return -1;
  g->root = resolve_root (global_args.root);
  return 0;
}

/* `hako help [COMMAND]`: a command's help is the command run with --help. */
static int
cmd_help (struct hako_global *g, int argc, char **argv)
{
  const struct hako_command *cmd;
  char *help_argv[] = { NULL, (char *)"--help", NULL };
  struct hako_error err = HAKO_ERROR_INIT;

  if (argc < 2)
    {
      print_app_help (stdout);
      return 0;
    }
  cmd = find_command (argv[1]);
  if (cmd == NULL)
    {
      hako_error_set (&err, ENOENT, "No help topic for '%s'", argv[1]);
      hako_fail (&err);
      return 3;
    }
  help_argv[0] = argv[1];
  return cmd->run (g, 2, help_argv);
}

/* main's argv, for the re-exec of selfexe.h. */
static char **main_argv;

/* The commands that start processes inside a container: they run from a
 * copy of the binary the container cannot write (selfexe.h). */
static bool
enters_container (const struct hako_command *cmd)
{
  return cmd == &hako_cmd_create || cmd == &hako_cmd_run || cmd == &hako_cmd_exec;
}

static int
dispatch (struct hako_global *g, int argc, char **argv)
{
  const struct hako_command *cmd;
  struct hako_error err = HAKO_ERROR_INIT;

  if (argc == 0)
    {
      print_app_help (stdout);
      return 0;
    }
  if (strcmp (argv[0], "help") == 0 || strcmp (argv[0], "h") == 0)
    return cmd_help (g, argc, argv);
  cmd = find_command (argv[0]);
  if (cmd != NULL && enters_container (cmd) && hako_selfexe_protect (main_argv, &err) < 0)
    return hako_fail (&err);
  hako_log_debug ("command %s (root %s)", argv[0], g->root);
  if (cmd != NULL)
    return cmd->run (g, argc, argv);
  /* runc (urfave/cli v1) treats an unknown command as a help topic: exit 3. */
  hako_error_set (&err, ENOENT, "No help topic for '%s'", argv[0]);
  hako_fail (&err);
  return 3;
}

int
main (int argc, char **argv)
{
  struct hako_global g = { 0 };
  struct hako_error err = HAKO_ERROR_INIT;
  char **args = NULL;
  int nargs = 0, r, status;

  main_argv = argv;
  r = hako_options_parse (global_options, HAKO_ARRAY_SIZE (global_options), argc, argv, false,
                          &args, &nargs, &err);
  if (r == 1)
    {
      print_app_help (stdout);
      return 0;
    }
  if (r < 0)
    {
      fprintf (stderr, "Incorrect Usage. %s\n\n", err.msg);
      print_app_help (stderr);
      return hako_fail (&err);
    }
  if (global_args.version)
    {
      print_version ();
      free (args);
      return 0;
    }
  if (setup_globals (&g, &err) < 0)
    {
      free (args);
      return hako_fail (&err);
    }
  status = dispatch (&g, nargs, args);
  free (args);
  free (g.root);
  return status;
}

/* hako ps: list the processes running in a container.  Options as runc takes them; the action
 * (do_ps) is not written yet. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "hako.h"
#include "processes.h"
#include "util.h"

/* The options of `hako ps`. */
static struct
{
  const char *format;
} opt = { .format = "table" };

static const struct hako_option options[] = {
  { "format f", HAKO_OPT_STRING, &opt.format, "output format: table or json", "\"table\"" },
};

const struct hako_command hako_cmd_ps = {
  .name = "ps",
  .summary = "list the processes running in a container",
  .args_usage = "<container-id> [ps options]",
  .description = NULL,
  .min_args = 1,
  .max_args = -1,
  .options_end_at_arg = true,
  .run = cmd_ps,
};

static void
print_json (const pid_t *pids, size_t n)
{
  printf ("[");
  for (size_t i = 0; i < n; i++)
    printf ("%s%d", i ? "," : "", pids[i]);
  printf ("]\n");
}

static bool
listed (const pid_t *pids, size_t n, long pid)
{
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

/* ps(1) on the host with the given options (default -ef), through a pipe
 * (no shell). */
static FILE *
run_ps (char **rest, int nrest, pid_t *child, struct hako_error *err)
{
  cleanup_free char **argv = hako_xmalloc0 ((nrest + 3) * sizeof (char *));
  int fds[2];

  argv[0] = (char *)"ps";
  for (int i = 0; i < nrest; i++)
    argv[i + 1] = rest[i];
  if (nrest == 0)
    argv[1] = (char *)"-ef";
  if (pipe2 (fds, O_CLOEXEC) < 0)
    return hako_error_sys (err, errno, "pipe"), NULL;
  *child = fork ();
  if (*child == 0)
    {
      dup2 (fds[1], 1);
      execvp ("ps", argv);
      _exit (127);
    }
  close (fds[1]);
  if (*child < 0)
    {
      close (fds[0]);
      return hako_error_sys (err, errno, "fork"), NULL;
    }
  return fdopen (fds[0], "r");
}

/* Keep the header and the lines whose PID column is one of the container's. */
static int
print_table (const pid_t *pids, size_t n, char **rest, int nrest, struct hako_error *err)
{
  cleanup_free char *line = NULL;
  size_t cap = 0;
  pid_t child = -1;
  FILE *ps = run_ps (rest, nrest, &child, err);
  int pid_col = -1, status = 0;

  if (ps == NULL)
    return -1;
  while (getline (&line, &cap, ps) > 0)
    {
      char *copy = hako_xstrdup (line), *save = NULL, *tok = strtok_r (copy, " \t\n", &save);
      long value = -1;

      for (int col = 0; tok; tok = strtok_r (NULL, " \t\n", &save), col++)
        if (pid_col < 0 && strcmp (tok, "PID") == 0)
          pid_col = col;
        else if (col == pid_col)
          value = strtol (tok, NULL, 10);
      if (pid_col >= 0 && (value < 0 || listed (pids, n, value)))
        fputs (line, stdout);
      free (copy);
    }
  fclose (ps);
  waitpid (child, &status, 0);
  if (status != 0)
    return hako_error_set (err, EINVAL, "ps failed (status %d)", status);
  if (pid_col < 0)
    return hako_error_set (err, EINVAL, "ps output has no PID column");
  return 0;
}

static int
do_ps (struct hako_global *g, const char *id, char **rest, int nrest, struct hako_error *err)
{
  struct hako_store store;
  struct hako_entry entry;
  cleanup_free pid_t *pids = NULL;
  size_t n = 0;
  int r;

  if (strcmp (opt.format, "table") != 0 && strcmp (opt.format, "json") != 0)
    return hako_error_set (err, EINVAL, "invalid format option");
  if (hako_open_container (g, id, &store, &entry, err) < 0)
    return -1;
  r = hako_container_pids (&entry, &pids, &n, err);
  hako_entry_close (&entry);
  hako_store_close (&store);
  if (r < 0)
    return -1;
  if (strcmp (opt.format, "json") == 0)
    {
      print_json (pids, n);
      return 0;
    }
  return print_table (pids, n, rest, nrest, err);
}

int
cmd_ps (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_ps, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_ps (g, args[0], args + 1, nargs - 1, &err), &err);
  return status;
}

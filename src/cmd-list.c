/* hako list: the containers in the state root, as a table, JSON or ids. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hako.h"
#include "log.h"
#include "util.h"

static struct
{
  const char *format;
  bool quiet;
} opt = { .format = "table" };

static const struct hako_option options[] = {
  { "format f", HAKO_OPT_STRING, &opt.format, "output format: table or json", "\"table\"" },
  { "quiet q", HAKO_OPT_BOOL, &opt.quiet, "print only the container ids", NULL },
};

const struct hako_command hako_cmd_list = {
  .name = "list",
  .summary = "list the containers under --root",
  .args_usage = "",
  .description = "   List the containers whose state is under the global --root.",
  .min_args = 0,
  .max_args = 0,
  .run = cmd_list,
};

#define N_COLUMNS 6

static const char *const headers[N_COLUMNS]
    = { "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER" };

/* Go's text/tabwriter as runc sets it up (minimum width 12, padding 3):
 * every column but the last is padded to its widest cell plus 3. */
static void
print_table (char *(*cells)[N_COLUMNS], size_t rows)
{
  size_t width[N_COLUMNS] = { 0 };

  for (size_t c = 0; c < N_COLUMNS; c++)
    {
      width[c] = strlen (headers[c]) + 3;
      for (size_t r = 0; r < rows; r++)
        if (strlen (cells[r][c]) + 3 > width[c])
          width[c] = strlen (cells[r][c]) + 3;
      if (width[c] < 12)
        width[c] = 12;
    }
  for (size_t r = 0; r <= rows; r++)
    for (size_t c = 0; c < N_COLUMNS; c++)
      {
        const char *cell = r == 0 ? headers[c] : cells[r - 1][c];
        if (c + 1 < N_COLUMNS)
          printf ("%-*s", (int)width[c], cell);
        else
          printf ("%s\n", cell);
      }
}

static void
table_output (struct oci_runtime_state **states, size_t n)
{
  char *(*cells)[N_COLUMNS] = hako_xmalloc0 ((n + 1) * sizeof *cells);

  for (size_t i = 0; i < n; i++)
    {
      cells[i][0] = hako_xstrdup (states[i]->id);
      cells[i][1] = hako_strdup_printf ("%lld", (long long)states[i]->pid);
      cells[i][2] = hako_xstrdup (states[i]->status);
      cells[i][3] = hako_xstrdup (states[i]->bundle);
      cells[i][4] = hako_xstrdup (states[i]->created ? states[i]->created : "");
      cells[i][5] = hako_xstrdup (states[i]->owner ? states[i]->owner : "");
    }
  print_table (cells, n);
  for (size_t i = 0; i < n; i++)
    for (size_t c = 0; c < N_COLUMNS; c++)
      free (cells[i][c]);
  free (cells);
}

/* A JSON array of state documents; [] when there are none (runc prints
 * null there, which no reader of a list wants). */
static int
json_output (struct oci_runtime_state **states, size_t n, struct hako_error *err)
{
  fputc ('[', stdout);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *json
          = oci_serialize (&oci_runtime_state_type, states[i], false, NULL, err);
      if (json == NULL)
        return -1;
      printf ("%s%s", i ? "," : "", json);
    }
  fputs ("]\n", stdout);
  return 0;
}

/* The states of IDS; containers that vanish meanwhile, or whose create has
 * not finished, are left out. */
static size_t
load_states (struct hako_store *store, char **ids, struct oci_runtime_state **states)
{
  size_t n = 0;

  for (size_t i = 0; ids[i]; i++)
    {
      struct hako_error err = HAKO_ERROR_INIT;
      struct oci_hako_status *status = hako_store_read_status (store, ids[i], &err);
      if (status == NULL)
        {
          if (err.errnum != ENOENT)
            hako_log_warn ("list: skipping container \"%s\": %s", ids[i], err.msg);
          hako_error_clear (&err);
          continue;
        }
      states[n++] = hako_runtime_state (store, status);
      hako_status_free (status);
    }
  return n;
}

static int
print_states (struct oci_runtime_state **states, size_t n, struct hako_error *err)
{
  if (opt.quiet)
    {
      for (size_t i = 0; i < n; i++)
        printf ("%s\n", states[i]->id);
      return 0;
    }
  if (strcmp (opt.format, "table") == 0)
    {
      table_output (states, n);
      return 0;
    }
  if (strcmp (opt.format, "json") == 0)
    return json_output (states, n, err);
  return hako_error_set (err, EINVAL, "invalid format option");
}

static int
do_list (struct hako_global *g, struct hako_error *err)
{
  struct hako_store store;
  char **ids = NULL;
  size_t n_ids = 0, n;
  struct oci_runtime_state **states;
  int r;

  if (hako_open_store (g, &store, false, err) < 0)
    return -1;
  if (hako_store_list (&store, &ids, &n_ids, err) < 0)
    {
      hako_store_close (&store);
      return -1;
    }
  states = hako_xmalloc0 ((n_ids + 1) * sizeof *states);
  n = load_states (&store, ids, states);
  r = print_states (states, n, err);
  for (size_t i = 0; i < n; i++)
    hako_runtime_state_free (states[i]);
  free (states);
  hako_strv_free (ids);
  hako_store_close (&store);
  return r;
}

int
cmd_list (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_list, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_list (g, &err), &err);
  return status;
}

/* The option parser (src/options.c) against the behaviour of runc's
 * (urfave/cli v1 + Go's flag package), case by case. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "tap.h"
#include "util.h"

static struct
{
  bool force, all;
  const char *bundle;
  struct hako_strings env;
  int64_t fds;
  uint64_t weight;
} v;

static const struct hako_option opts[] = {
  { "force f", HAKO_OPT_BOOL, &v.force, "force", NULL },
  { "all a", HAKO_OPT_BOOL, &v.all, "all", NULL },
  { "bundle b", HAKO_OPT_STRING, &v.bundle, "bundle", NULL },
  { "env e", HAKO_OPT_STRINGS, &v.env, "env", NULL },
  { "preserve-fds", HAKO_OPT_INT, &v.fds, "fds", "0" },
  { "weight", HAKO_OPT_UINT, &v.weight, "weight", NULL },
};

/* Parse the space-separated words of LINE (after a command name); return
 * the parser's result, the positional arguments joined with '|' in ARGS,
 * the error in MSG. */
static int
parse (const char *line, bool reorder, char *args, size_t size, char *msg)
{
  /* Static: the parsed values point into it after parse returns. */
  static char copy[512];
  char *argv[32] = { (char *)"cmd" };
  char **out = NULL;
  int argc = 1, n = 0, r;
  struct hako_error err = HAKO_ERROR_INIT;

  hako_strings_free (&v.env);
  memset (&v, 0, sizeof v);
  snprintf (copy, sizeof copy, "%s", line);
  for (char *save, *w = strtok_r (copy, " ", &save); w; w = strtok_r (NULL, " ", &save))
    argv[argc++] = w;
  r = hako_options_parse (opts, HAKO_ARRAY_SIZE (opts), argc, argv, reorder, &out, &n, &err);
  args[0] = msg[0] = '\0';
  for (int i = 0; r == 0 && i < n; i++)
    snprintf (args + strlen (args), size - strlen (args), "%s%s", i ? "|" : "", out[i]);
  snprintf (msg, 128, "%s", err.msg ? err.msg : "");
  hako_error_clear (&err);
  free (out);
  return r;
}

#define ARGS_SIZE 256

static void
test_forms (void)
{
  char a[ARGS_SIZE], m[128];

  ok (parse ("--bundle /b id", true, a, sizeof a, m) == 0 && strcmp (v.bundle, "/b") == 0
          && strcmp (a, "id") == 0,
      "--name value");
  ok (parse ("--bundle=/b=c id", true, a, sizeof a, m) == 0 && strcmp (v.bundle, "/b=c") == 0,
      "--name=value (splits at the first =)");
  ok (parse ("-bundle /b -b /c id", true, a, sizeof a, m) == 0 && strcmp (v.bundle, "/c") == 0,
      "-name value, and the last one wins");
  ok (parse ("--bundle -x id", true, a, sizeof a, m) == 0 && strcmp (v.bundle, "-x") == 0,
      "a separate value may start with a dash");
  ok (parse ("--bundle=", true, a, sizeof a, m) == 0 && strcmp (v.bundle, "") == 0,
      "--name= gives an empty value");
  ok (parse ("-f --all id", true, a, sizeof a, m) == 0 && v.force && v.all, "booleans");
  ok (parse ("--force=false -a=t id", true, a, sizeof a, m) == 0 && !v.force && v.all,
      "booleans with =value (strconv.ParseBool)");
  ok (parse ("-e A=1 --env B=2 -e=C=3 id", true, a, sizeof a, m) == 0 && v.env.len == 3
          && strcmp (v.env.items[2], "C=3") == 0,
      "repeated list options keep every value");
  ok (parse ("--preserve-fds 0x10 --weight 7 id", true, a, sizeof a, m) == 0 && v.fds == 16
          && v.weight == 7,
      "integers, with Go's base prefixes");
}

static void
test_errors (void)
{
  char a[ARGS_SIZE], m[128];

  ok (parse ("--nosuch id", true, a, sizeof a, m) < 0
          && strcmp (m, "flag provided but not defined: -nosuch") == 0,
      "%s", m);
  ok (parse ("-qf json", true, a, sizeof a, m) < 0
          && strcmp (m, "flag provided but not defined: -qf") == 0,
      "one-letter aliases do not combine: %s", m);
  ok (parse ("--nosuch=1", true, a, sizeof a, m) < 0
          && strcmp (m, "flag provided but not defined: -nosuch") == 0,
      "the name is reported without its value");
  ok (parse ("id --bundle", true, a, sizeof a, m) < 0
          && strcmp (m, "flag needs an argument: -bundle") == 0,
      "%s", m);
  ok (parse ("--force=yes", true, a, sizeof a, m) < 0
          && strcmp (m, "invalid boolean value \"yes\" for -force: parse error") == 0,
      "%s", m);
  ok (parse ("--preserve-fds 1x", true, a, sizeof a, m) < 0
          && strcmp (m, "invalid value \"1x\" for flag -preserve-fds: parse error") == 0,
      "%s", m);
  ok (parse ("--weight -1", true, a, sizeof a, m) < 0, "an unsigned option refuses -1");
  ok (parse ("---force", true, a, sizeof a, m) < 0 && strcmp (m, "bad flag syntax: ---force") == 0,
      "%s", m);
  ok (parse ("-=x", true, a, sizeof a, m) < 0 && strcmp (m, "bad flag syntax: -=x") == 0, "%s", m);
}

static void
test_positions (void)
{
  char a[ARGS_SIZE], m[128];

  ok (parse ("id --force", true, a, sizeof a, m) == 0 && v.force && strcmp (a, "id") == 0,
      "options may follow the id (urfave reordering)");
  ok (parse ("id KILL --all", true, a, sizeof a, m) == 0 && v.all && strcmp (a, "id|KILL") == 0,
      "a boolean after the arguments does not swallow one");
  ok (parse ("id -ef --nosuch", true, a, sizeof a, m) == 0 && strcmp (a, "id|-ef|--nosuch") == 0,
      "unknown options after the id are arguments (ps ID -ef)");
  ok (parse ("-- --force id", true, a, sizeof a, m) == 0 && !v.force
          && strcmp (a, "--force|id") == 0,
      "-- ends the options");
  ok (parse ("- id", true, a, sizeof a, m) == 0 && strcmp (a, "-|id") == 0, "- is an argument");
  ok (parse ("-f id sh -c --force", false, a, sizeof a, m) == 0 && v.force
          && strcmp (a, "id|sh|-c|--force") == 0,
      "without reordering the options end at the first argument (exec)");
  ok (parse ("id -h", true, a, sizeof a, m) == 1, "-h after the id asks for help");
  ok (parse ("--help=false", true, a, sizeof a, m) == 1, "--help=false still asks for help");
  ok (parse ("id -h", false, a, sizeof a, m) == 0 && strcmp (a, "id|-h") == 0,
      "but belongs to the process when options end at the first argument");
  ok (parse ("", true, a, sizeof a, m) == 0 && a[0] == '\0', "no arguments at all");
}

static void
test_help_text (void)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);

  hako_options_print (out, opts, HAKO_ARRAY_SIZE (opts));
  fclose (out);
  ok (strstr (buf, "   --bundle value, -b value  bundle\n") != NULL, "help lists names and values");
  ok (strstr (buf, "   --force, -f                 force\n") != NULL
          || strstr (buf, "--force, -f ") != NULL,
      "booleans take no value");
  ok (strstr (buf, "fds (default: 0)") != NULL, "defaults are shown");
  free (buf);
}

int
main (void)
{
  test_forms ();
  test_errors ();
  test_positions ();
  test_help_text ();
  hako_strings_free (&v.env);
  return tap_done ();
}

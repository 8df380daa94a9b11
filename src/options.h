/* Command-line options the way runc (urfave/cli v1 on Go's flag package)
 * reads them, so hako is a drop-in for callers written against runc:
 *
 *   -name and --name are the same; a value is given as `--name value` or
 *   `--name=value`; booleans take no separate value (`--name=false` works);
 *   one-letter aliases do not combine (-qf is an unknown flag `qf`);
 *   `--` ends the options; -h/--help asks for help.
 *
 * A command's options may also follow its positional arguments (urfave's
 * argument reordering), except for commands whose trailing arguments
 * belong to something else (exec, ps): there options end at the first
 * positional argument.  After the first positional argument, something
 * that looks like an option but is not one of the command's is kept as an
 * argument, as runc does (`hako ps ID -ef`). */
#ifndef HAKO_OPTIONS_H
#define HAKO_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

enum hako_opt_kind
{
  HAKO_OPT_BOOL,     /* bool * */
  HAKO_OPT_STRING,   /* const char ** (points into argv; the last one given wins) */
  HAKO_OPT_STRINGS,  /* struct hako_strings * (every occurrence, in order) */
  HAKO_OPT_INT,      /* int64_t * */
  HAKO_OPT_UINT,     /* uint64_t * */
  HAKO_OPT_DURATION, /* int64_t * nanoseconds, written as Go durations: "5s", "1m30s" */
};

struct hako_strings
{
  const char **items; /* malloc'ed array of pointers into argv */
  size_t len;
};
void hako_strings_free (struct hako_strings *s);

struct hako_option
{
  const char *names; /* "bundle b": the name, then aliases, space-separated */
  enum hako_opt_kind kind;
  void *value;
  const char *usage;
  const char *default_text; /* shown as (default: ...); NULL for none */
};

/* Parse the options in ARGV[1..ARGC-1] into OPTS; the positional arguments
 * are returned in *ARGS (a malloc'ed, NULL-terminated array of pointers into
 * argv; free it alone) and *NARGS.  REORDER as described above.
 * Returns 0, 1 when help was asked for, or < 0 with a message in Go's
 * words: "flag provided but not defined: -x", "flag needs an argument: -x",
 * "invalid boolean value \"v\" for -x: parse error", "bad flag syntax: ---x". */
int hako_options_parse (const struct hako_option *opts, size_t n_opts, int argc, char **argv,
                        bool reorder, char ***args, int *nargs, struct hako_error *err);

/* Go's time.ParseDuration: an optional sign, then one or more decimal
 * numbers (fractions allowed) each with a unit among ns, us (or µs, μs), ms,
 * s, m, h; "0" alone needs no unit.  -1 when S is not a duration or its
 * value does not fit in int64 nanoseconds. */
int hako_duration_parse (const char *s, int64_t *ns);

/* The OPTIONS section of a help text: "   --bundle value, -b value  usage". */
void hako_options_print (FILE *out, const struct hako_option *opts, size_t n_opts);

#endif

#define _GNU_SOURCE
#include "options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
hako_strings_free (struct hako_strings *s)
{
  free (s->items);
  s->items = NULL;
  s->len = 0;
}

/* Does NAME (not NUL-terminated, LEN bytes) appear in the space-separated
 * list NAMES? */
static bool
names_match (const char *names, const char *name, size_t len)
{
  for (const char *p = names; *p;)
    {
      size_t n = strcspn (p, " ");
      if (n == len && strncmp (p, name, len) == 0)
        return true;
      p += n;
      p += strspn (p, " ");
    }
  return false;
}

static const struct hako_option *
find_option (const struct hako_option *opts, size_t n, const char *name, size_t len)
{
  for (size_t i = 0; i < n; i++)
    if (names_match (opts[i].names, name, len))
      return &opts[i];
  return NULL;
}

/* Go's strconv.ParseBool. */
static int
parse_bool (const char *s, bool *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  for (size_t i = 0; yes[i]; i++)
    if (strcmp (s, yes[i]) == 0)
      return *out = true, 0;
  for (size_t i = 0; no[i]; i++)
    if (strcmp (s, no[i]) == 0)
      return *out = false, 0;
  return -1;
}

/* Integers as Go's strconv.Parse{Int,Uint}(s, 0, 64) read them: decimal,
 * 0x hex, 0 octal; the whole string, within range. */
static int
parse_number (const char *s, bool is_signed, void *out)
{
  char *end;

  if (*s == '\0' || (!is_signed && *s == '-') || *s == ' ' || *s == '+')
    return -1;
  errno = 0;
  if (is_signed)
    *(int64_t *)out = strtoll (s, &end, 0);
  else
    *(uint64_t *)out = strtoull (s, &end, 0);
  return errno != 0 || *end != '\0' ? -1 : 0;
}

/* Go's time.ParseDuration: each term is digits, an optional fraction and a
 * unit; the terms add up.  Sums are kept as uint64 nanoseconds so the most
 * negative duration (2^63 ns) can be written, as Go allows. */
struct duration_unit
{
  const char *name;
  uint64_t ns;
};

static const struct duration_unit duration_units[] = {
  { "ns", 1ULL },           { "us", 1000ULL },
  { "\xc2\xb5s", 1000ULL }, /* U+00B5 MICRO SIGN */
  { "\xce\xbcs", 1000ULL }, /* U+03BC GREEK SMALL LETTER MU */
  { "ms", 1000000ULL },     { "s", 1000000000ULL },
  { "m", 60000000000ULL },  { "h", 3600000000000ULL },
};

static const struct duration_unit *
duration_unit (const char *s, size_t len)
{
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (duration_units); i++)
    if (strlen (duration_units[i].name) == len && memcmp (duration_units[i].name, s, len) == 0)
      return &duration_units[i];
  return NULL;
}

/* One term "12.5ms" at *S: its value in nanoseconds, S moved past it. */
static int
duration_term (const char **s, uint64_t *out)
{
  const char *p = *s, *unit_start;
  uint64_t whole = 0, frac = 0;
  double scale = 1;
  bool digits = false, frac_full = false;
  const struct duration_unit *u;

  for (; *p >= '0' && *p <= '9'; p++, digits = true)
    {
      if (whole > (UINT64_C (1) << 63) / 10)
        return -1;
      whole = whole * 10 + (uint64_t)(*p - '0');
      if (whole > UINT64_C (1) << 63)
        return -1;
    }
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
      {
        /* Digits past what a uint64 holds do not change the value. */
        if (frac_full || frac > (UINT64_MAX - 9) / 10)
          {
            frac_full = true;
            continue;
          }
        frac = frac * 10 + (uint64_t)(*p - '0');
        scale *= 10;
      }
  if (!digits)
    return -1;
  for (unit_start = p; *p && *p != '.' && (*p < '0' || *p > '9'); p++)
    ;
  if ((u = duration_unit (unit_start, (size_t)(p - unit_start))) == NULL)
    return -1;
  if (whole > (UINT64_C (1) << 63) / u->ns)
    return -1;
  whole *= u->ns;
  if (frac > 0)
    whole += (uint64_t)((double)frac * ((double)u->ns / scale));
  if (whole > UINT64_C (1) << 63)
    return -1;
  *out = whole;
  *s = p;
  return 0;
}

int
hako_duration_parse (const char *s, int64_t *ns)
{
  uint64_t total = 0;
  bool neg = false;

  if (*s == '-' || *s == '+')
    neg = *s++ == '-';
  if (strcmp (s, "0") == 0)
    return *ns = 0, 0;
  if (*s == '\0')
    return -1;
  while (*s)
    {
      uint64_t term;
      if (duration_term (&s, &term) < 0)
        return -1;
      total += term;
      if (total > UINT64_C (1) << 63)
        return -1;
    }
  if (!neg && total > (uint64_t)INT64_MAX)
    return -1;
  *ns = neg ? (int64_t)(0 - total) : (int64_t)total;
  return 0;
}

static void
add_string (struct hako_strings *s, const char *value)
{
  const char **items = realloc (s->items, (s->len + 1) * sizeof *items);

  if (items == NULL)
    abort ();
  items[s->len++] = value;
  s->items = items;
}

/* Store VALUE (NULL: a boolean given without one) into OPT named NAME. */
static int
set_value (const struct hako_option *opt, const char *name, const char *value,
           struct hako_error *err)
{
  switch (opt->kind)
    {
    case HAKO_OPT_BOOL:
      if (value == NULL)
        return *(bool *)opt->value = true, 0;
      if (parse_bool (value, opt->value) == 0)
        return 0;
      return hako_error_set (err, EINVAL, "invalid boolean value \"%s\" for -%s: parse error",
                             value, name);
    case HAKO_OPT_STRING: *(const char **)opt->value = value; return 0;
    case HAKO_OPT_STRINGS: add_string (opt->value, value); return 0;
    case HAKO_OPT_INT:
    case HAKO_OPT_UINT:
      if (parse_number (value, opt->kind == HAKO_OPT_INT, opt->value) == 0)
        return 0;
      return hako_error_set (err, EINVAL, "invalid value \"%s\" for flag -%s: parse error", value,
                             name);
    case HAKO_OPT_DURATION:
      if (hako_duration_parse (value, opt->value) == 0)
        return 0;
      return hako_error_set (err, EINVAL, "invalid value \"%s\" for flag -%s: parse error", value,
                             name);
    }
  return hako_error_set (err, EINVAL, "bad option table");
}

enum flag_result
{
  FLAG_DONE,       /* parsed */
  FLAG_HELP,       /* -h / --help */
  FLAG_UNDEFINED,  /* not one of ours */
  FLAG_BAD_SYNTAX, /* ---x, -=x */
};

/* The name of the flag ARG ("-name", "--name", "--name=value"): *LEN bytes. */
static const char *
flag_name (const char *arg, size_t *len)
{
  const char *name = arg + (arg[1] == '-' ? 2 : 1);

  *len = strcspn (name, "=");
  return name;
}

/* Parse the flag at argv[*i], consuming its value if separate. */
static int
parse_flag (const struct hako_option *opts, size_t n_opts, int argc, char **argv, int *i,
            struct hako_error *err)
{
  size_t len;
  const char *name = flag_name (argv[*i], &len);
  const char *value = name[len] == '=' ? name + len + 1 : NULL;
  const struct hako_option *opt;
  cleanup_free char *key = NULL;

  if (len == 0 || name[0] == '-')
    return FLAG_BAD_SYNTAX;
  key = strndup (name, len);
  if (key == NULL)
    abort ();
  opt = find_option (opts, n_opts, name, len);
  /* -h/--help is always help; a table may list it (value NULL) to show it. */
  if ((opt == NULL || opt->value == NULL) && (strcmp (key, "help") == 0 || strcmp (key, "h") == 0))
    return FLAG_HELP;
  if (opt == NULL || opt->value == NULL)
    return FLAG_UNDEFINED;
  if (value == NULL && opt->kind != HAKO_OPT_BOOL)
    {
      if (*i + 1 >= argc)
        return hako_error_set (err, EINVAL, "flag needs an argument: -%s", key);
      value = argv[++*i];
    }
  return set_value (opt, key, value, err) < 0 ? -1 : FLAG_DONE;
}

static bool
looks_like_flag (const char *arg)
{
  return arg[0] == '-' && arg[1] != '\0';
}

static void
push_arg (char **args, int *nargs, char *arg)
{
  args[(*nargs)++] = arg;
  args[*nargs] = NULL;
}

/* What to do with a flag parse_flag did not take: after a positional
 * argument it is one more (runc keeps it for the command); before, an error. */
static int
not_ours (int flag, char *arg, char **args, int *nargs, struct hako_error *err)
{
  size_t len;
  const char *name = flag_name (arg, &len);

  if (*nargs > 0)
    {
      push_arg (args, nargs, arg);
      return 0;
    }
  if (flag == FLAG_BAD_SYNTAX)
    return hako_error_set (err, EINVAL, "bad flag syntax: %s", arg);
  return hako_error_set (err, EINVAL, "flag provided but not defined: -%.*s", (int)len, name);
}

int
hako_options_parse (const struct hako_option *opts, size_t n_opts, int argc, char **argv,
                    bool reorder, char ***args_out, int *nargs, struct hako_error *err)
{
  char **args = hako_xmalloc0 ((argc + 1) * sizeof *args);
  int n = 0, r = 0;

  for (int i = 1; i < argc && r == 0; i++)
    {
      int flag;
      /* The rest are arguments: after "--" (dropped), or from the first
       * argument on when options do not follow arguments. */
      if (strcmp (argv[i], "--") == 0 || (!reorder && !looks_like_flag (argv[i])))
        {
          int first = strcmp (argv[i], "--") == 0 ? i + 1 : i;
          for (int j = first; j < argc; j++)
            push_arg (args, &n, argv[j]);
          break;
        }
      if (!looks_like_flag (argv[i]))
        {
          push_arg (args, &n, argv[i]);
          continue;
        }
      flag = parse_flag (opts, n_opts, argc, argv, &i, err);
      if (flag < 0)
        r = -1;
      else if (flag == FLAG_HELP)
        r = 1;
      else if (flag != FLAG_DONE)
        r = not_ours (flag, argv[i], args, &n, err);
    }
  if (r != 0)
    {
      free (args);
      return r;
    }
  *args_out = args;
  *nargs = n;
  return 0;
}

static const char *
value_label (const struct hako_option *opt)
{
  return opt->kind == HAKO_OPT_BOOL ? "" : " value";
}

/* "--bundle value, -b value": each name with the dashes it is usually
 * written with (two for long names, one for single letters). */
static char *
option_label (const struct hako_option *opt)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);

  if (out == NULL)
    abort ();
  for (const char *p = opt->names; *p;)
    {
      size_t n = strcspn (p, " ");
      fprintf (out, "%s%s%.*s%s", p == opt->names ? "" : ", ", n == 1 ? "-" : "--", (int)n, p,
               value_label (opt));
      p += n;
      p += strspn (p, " ");
    }
  if (fclose (out) != 0)
    abort ();
  return buf;
}

void
hako_options_print (FILE *out, const struct hako_option *opts, size_t n_opts)
{
  size_t width = 0;
  char **labels = hako_xmalloc0 ((n_opts + 1) * sizeof *labels);

  for (size_t i = 0; i < n_opts; i++)
    {
      labels[i] = option_label (&opts[i]);
      if (strlen (labels[i]) > width)
        width = strlen (labels[i]);
    }
  for (size_t i = 0; i < n_opts; i++)
    {
      fprintf (out, "   %-*s  %s", (int)width, labels[i], opts[i].usage);
      if (opts[i].default_text)
        fprintf (out, " (default: %s)", opts[i].default_text);
      fputc ('\n', out);
      free (labels[i]);
    }
  free (labels);
}

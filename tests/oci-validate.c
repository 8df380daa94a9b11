/* oci-validate: check OCI documents with libocispec's parser, the way hako
 * reads them, and print one verdict line per file:
 *
 *   valid FILE
 *   invalid FILE: <hako's error message>
 *   error FILE: <why the file could not be read>
 *
 * Usage: oci-validate [--type config|state|features|process] [--roundtrip]
 *                     [--batch] FILE...
 *
 * --batch reads further file names from stdin, one per line, so that the
 * schema tests check thousands of documents in one process.  --roundtrip
 * also requires parse -> serialize -> parse to give an equal struct, and
 * serialization to be stable (compact and pretty).
 * Exit status: 0 all valid, 1 some invalid, 2 usage or read errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

struct doc_kind
{
  const char *name;
  const struct oci_type *type;
  const char *docname; /* what hako calls the document in messages */
};

static const struct doc_kind kinds[] = {
  { "config", &oci_config_type, "config.json" },
  { "state", &oci_state_type, "state.json" },
  { "features", &oci_features_type, "features.json" },
  { "process", &oci_process_type, "process.json" },
};

struct options
{
  const struct doc_kind *kind;
  bool roundtrip;
  bool batch;
};

enum verdict
{
  VERDICT_VALID,
  VERDICT_INVALID,
  VERDICT_ERROR,
};

/* One serialize -> parse -> serialize cycle of OBJ. */
static int
roundtrip_once (const struct oci_type *type, const void *obj, bool pretty, struct hako_error *err)
{
  size_t len1 = 0, len2 = 0;
  char *text1 = NULL, *text2 = NULL;
  void *again = NULL;
  int r = -1;

  text1 = oci_serialize (type, obj, pretty, &len1, err);
  if (text1 == NULL)
    goto out;
  again = oci_parse (type, text1, len1, "serialized", err);
  if (again == NULL)
    goto out;
  if (!oci_equal (type, obj, again))
    {
      hako_error_set (err, EINVAL, "the reparsed document differs from the parsed one");
      goto out;
    }
  text2 = oci_serialize (type, again, pretty, &len2, err);
  if (text2 == NULL)
    goto out;
  if (len1 != len2 || memcmp (text1, text2, len1) != 0)
    {
      hako_error_set (err, EINVAL, "serializing the reparsed document gives different text");
      goto out;
    }
  r = 0;
out:
  free (text1);
  free (text2);
  oci_free (type, again);
  return r;
}

static int
roundtrip (const struct oci_type *type, const void *obj, struct hako_error *err)
{
  if (roundtrip_once (type, obj, false, err) < 0)
    return hako_error_wrap (err, "roundtrip (compact)");
  if (roundtrip_once (type, obj, true, err) < 0)
    return hako_error_wrap (err, "roundtrip (pretty)");
  return 0;
}

/* Parse errors carry EINVAL (or ENOMEM); anything else means the file
 * itself could not be read. */
static enum verdict
check_file (const struct options *o, const char *path)
{
  struct hako_error err = HAKO_ERROR_INIT;
  const struct oci_type *type = o->kind->type;
  void *obj = oci_parse_file (type, path, o->kind->docname, &err);
  enum verdict v = VERDICT_VALID;

  if (obj == NULL)
    v = err.errnum == EINVAL ? VERDICT_INVALID : VERDICT_ERROR;
  else if (o->roundtrip && roundtrip (type, obj, &err) < 0)
    v = VERDICT_INVALID;
  if (v == VERDICT_VALID)
    printf ("valid %s\n", path);
  else
    printf ("%s %s: %s\n", v == VERDICT_ERROR ? "error" : "invalid", path,
            err.msg ? err.msg : "unknown error");
  oci_free (type, obj);
  hako_error_clear (&err);
  return v;
}

static int
usage (void)
{
  fprintf (stderr, "usage: oci-validate [--type config|state|features|process] [--roundtrip] "
                   "[--batch] FILE...\n");
  return 2;
}

static const struct doc_kind *
find_kind (const char *name)
{
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp (kinds[i].name, name) == 0)
      return &kinds[i];
  return NULL;
}

/* Returns the index of the first file argument, or -1. */
static int
parse_options (int argc, char **argv, struct options *o)
{
  int i;

  o->kind = &kinds[0];
  for (i = 1; i < argc && strncmp (argv[i], "--", 2) == 0; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return i + 1;
      if (strcmp (argv[i], "--roundtrip") == 0)
        o->roundtrip = true;
      else if (strcmp (argv[i], "--batch") == 0)
        o->batch = true;
      else if (strcmp (argv[i], "--type") == 0 && i + 1 < argc)
        {
          o->kind = find_kind (argv[++i]);
          if (o->kind == NULL)
            return -1;
        }
      else
        return -1;
    }
  return i;
}

static int
worst (int status, enum verdict v)
{
  int s = v == VERDICT_VALID ? 0 : v == VERDICT_INVALID ? 1 : 2;

  return s > status ? s : status;
}

static int
check_stdin_list (const struct options *o, int status)
{
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;

  while ((n = getline (&line, &cap, stdin)) > 0)
    {
      if (line[n - 1] == '\n')
        line[--n] = '\0';
      if (n > 0)
        status = worst (status, check_file (o, line));
    }
  free (line);
  return status;
}

int
main (int argc, char **argv)
{
  struct options o = { 0 };
  int first = parse_options (argc, argv, &o), status = 0;

  if (first < 0 || (first >= argc && !o.batch))
    return usage ();
  for (int i = first; i < argc; i++)
    status = worst (status, check_file (&o, argv[i]));
  if (o.batch)
    status = worst (status, check_stdin_list (&o, status));
  return status;
}

/* libFuzzer target for the config.json parser and validator.
 *
 * Any input must either be rejected with an error message or parse into a
 * struct that survives serialize -> parse unchanged: the serializer must
 * only write what the parser accepts, and nothing may be lost on the way.
 * An accepted config then goes through the Linux validation `create` runs
 * (level 2), which must give the same verdict on the round-tripped copy.
 * A violation aborts, so the fuzzer records the input as a crash.
 *
 * The same entry point is linked into tests/fuzz/replay.c, which runs the
 * regression corpus under make check without clang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "validate-linux.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Run the Linux validation; returns its verdict (0 or -1). */
static int
validate (const struct oci_config *config)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_warnings warnings = { NULL, 0 };
  int r;

  r = oci_config_validate_linux (config, &warnings, &err);
  if (r < 0 && (err.msg == NULL || err.msg[0] == '\0'))
    {
      fprintf (stderr, "fuzz-config: validation failed without a message\n");
      abort ();
    }
  if (r == 0 && err.msg != NULL)
    {
      fprintf (stderr, "fuzz-config: validation passed but set an error: %s\n", err.msg);
      abort ();
    }
  for (size_t i = 0; i < warnings.len; i++)
    if (warnings.msgs[i] == NULL)
      {
        fprintf (stderr, "fuzz-config: warning %zu is NULL\n", i);
        abort ();
      }
  oci_warnings_free (&warnings);
  if (config->process != NULL)
    {
      /* The same process checks `exec --process` runs; must not crash. */
      oci_process_validate_linux (config->process, NULL, NULL, &err);
    }
  hako_error_clear (&err);
  return r < 0 ? -1 : 0;
}

/* Serialize, reparse, compare; returns the reparsed copy. */
static struct oci_config *
round_trip (const struct oci_config *config)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_config *again;
  size_t len = 0;
  char *text;

  text = oci_serialize (&oci_config_type, config, false, &len, &err);
  if (text == NULL)
    {
      fprintf (stderr, "fuzz-config: cannot serialize a parsed config: %s\n", err.msg);
      abort ();
    }
  again = oci_parse (&oci_config_type, text, len, "config.json", &err);
  if (again == NULL)
    {
      fprintf (stderr, "fuzz-config: serialized config does not parse: %s\n%s\n", err.msg, text);
      abort ();
    }
  if (!oci_equal (&oci_config_type, config, again))
    {
      fprintf (stderr, "fuzz-config: round trip changed the config:\n%s\n", text);
      abort ();
    }
  free (text);
  return again;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_config *config, *again;

  config = oci_parse (&oci_config_type, (const char *)data, size, "config.json", &err);
  if (config == NULL)
    {
      /* A rejection must always say why. */
      if (err.msg == NULL || err.msg[0] == '\0')
        {
          fprintf (stderr, "fuzz-config: rejected without a message\n");
          abort ();
        }
      hako_error_clear (&err);
      return 0;
    }
  if (err.msg != NULL)
    {
      fprintf (stderr, "fuzz-config: accepted but left an error set: %s\n", err.msg);
      abort ();
    }
  again = round_trip (config);
  if (validate (config) != validate (again))
    {
      fprintf (stderr, "fuzz-config: validation verdict changed by the round trip\n");
      abort ();
    }
  oci_free (&oci_config_type, again);
  oci_free (&oci_config_type, config);
  return 0;
}

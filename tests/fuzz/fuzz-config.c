/* libFuzzer target for the config.json parser.
 *
 * Any input must either be rejected with an error message or parse into a
 * struct that survives serialize -> parse unchanged: the serializer must
 * only write what the parser accepts, and nothing may be lost on the way.
 * A violation aborts, so the fuzzer records the input as a crash.
 *
 * The same entry point is linked into tests/fuzz/replay.c, which runs the
 * regression corpus under make check without clang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_round_trip (const struct oci_config *config)
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
  oci_free (&oci_config_type, again);
  free (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_config *config;

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
  check_round_trip (config);
  oci_free (&oci_config_type, config);
  return 0;
}

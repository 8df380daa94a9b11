/* Typed entry points for the documents hako reads and writes. */
#include <string.h>

#include "oci.h"

struct oci_config *
oci_config_parse_file (const char *path, struct hako_error *err)
{
  return oci_parse_file (&oci_config_type, path, "config.json", err);
}

struct oci_config *
oci_config_parse (const char *data, size_t len, struct hako_error *err)
{
  return oci_parse (&oci_config_type, data, len, "config.json", err);
}

void
oci_config_free (struct oci_config *config)
{
  oci_free (&oci_config_type, config);
}

struct oci_state *
oci_state_parse (const char *data, size_t len, struct hako_error *err)
{
  return oci_parse (&oci_state_type, data, len, "state.json", err);
}

void
oci_state_free (struct oci_state *state)
{
  oci_free (&oci_state_type, state);
}

struct oci_process *
oci_process_parse_file (const char *path, struct hako_error *err)
{
  return oci_parse_file (&oci_process_type, path, "process.json", err);
}

void
oci_process_free (struct oci_process *process)
{
  oci_free (&oci_process_type, process);
}

void
oci_features_free (struct oci_features *features)
{
  oci_free (&oci_features_type, features);
}

const char *
oci_strmap_get (const struct oci_strmap *map, const char *key)
{
  for (size_t i = 0; i < map->len; i++)
    if (strcmp (map->keys[i], key) == 0)
      return map->values[i];
  return NULL;
}

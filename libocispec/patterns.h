/* The schema's "pattern" constraints as small matchers (patterns.c). */
#ifndef OCI_PATTERNS_H
#define OCI_PATTERNS_H

#include "schema.h"

extern const struct oci_pattern oci_pattern_rlimit_type;
extern const struct oci_pattern oci_pattern_cpu_list;
extern const struct oci_pattern oci_pattern_device_type;
extern const struct oci_pattern oci_pattern_page_size;
extern const struct oci_pattern oci_pattern_mem_bw_schema;
extern const struct oci_pattern oci_pattern_capability_name;

/* mapStringString's patternProperties ".{1,}": which keys it constrains. */
bool oci_schema_key_matches (const char *key, size_t len);

#endif

/* The schema's regular expressions, matched by hand.  The reference
 * validator (python-jsonschema) uses re.search, where "$" also matches
 * before one final newline; each matcher therefore ignores a single
 * trailing "\n", so hako's verdict is the schema's verdict.  Stricter
 * checks the spec asks for in prose live in validate-linux.c. */
#include <stdbool.h>
#include <stddef.h>

#include "patterns.h"

static size_t
without_final_newline (const char *s, size_t len)
{
  return len > 0 && s[len - 1] == '\n' ? len - 1 : len;
}

static bool
is_upper (char c)
{
  return c >= 'A' && c <= 'Z';
}

static bool
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static bool
has_prefix (const char *s, size_t len, const char *prefix, size_t plen)
{
  if (len < plen)
    return false;
  for (size_t i = 0; i < plen; i++)
    if (s[i] != prefix[i])
      return false;
  return true;
}

/* ^PREFIX[A-Z<extra>]+$ */
static bool
prefix_then_upper (const char *s, size_t len, const char *prefix, size_t plen, bool underscore)
{
  len = without_final_newline (s, len);
  if (!has_prefix (s, len, prefix, plen) || len == plen)
    return false;
  for (size_t i = plen; i < len; i++)
    if (!is_upper (s[i]) && !(underscore && s[i] == '_'))
      return false;
  return true;
}

static bool
match_rlimit_type (const char *s, size_t len)
{
  return prefix_then_upper (s, len, "RLIMIT_", 7, false);
}

static bool
match_capability_name (const char *s, size_t len)
{
  return prefix_then_upper (s, len, "CAP_", 4, true);
}

static bool
match_cpu_list (const char *s, size_t len)
{
  len = without_final_newline (s, len);
  for (size_t i = 0; i < len; i++)
    if (!is_digit (s[i]) && s[i] != ',' && s[i] != ' ' && s[i] != '-')
      return false;
  return true;
}

static bool
match_device_type (const char *s, size_t len)
{
  len = without_final_newline (s, len);
  return len == 1 && (s[0] == 'c' || s[0] == 'b' || s[0] == 'u' || s[0] == 'p');
}

static bool
match_page_size (const char *s, size_t len)
{
  size_t i = 0;

  len = without_final_newline (s, len);
  if (len < 3 || s[0] < '1' || s[0] > '9')
    return false;
  for (i = 1; i < len && is_digit (s[i]); i++)
    ;
  return len - i == 2 && (s[i] == 'K' || s[i] == 'M' || s[i] == 'G') && s[i + 1] == 'B';
}

static bool
match_mem_bw_schema (const char *s, size_t len)
{
  len = without_final_newline (s, len);
  if (!has_prefix (s, len, "MB:", 3))
    return false;
  for (size_t i = 3; i < len; i++)
    if (s[i] == '\n')
      return false;
  return true;
}

bool
oci_schema_key_matches (const char *key, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (key[i] != '\n')
      return true;
  return false;
}

const struct oci_pattern oci_pattern_rlimit_type = { "^RLIMIT_[A-Z]+$", match_rlimit_type };
const struct oci_pattern oci_pattern_cpu_list = { "^[0-9, -]*$", match_cpu_list };
const struct oci_pattern oci_pattern_device_type = { "^[cbup]$", match_device_type };
const struct oci_pattern oci_pattern_page_size = { "^[1-9][0-9]*[KMG]B$", match_page_size };
const struct oci_pattern oci_pattern_mem_bw_schema = { "^MB:[^\\n]*$", match_mem_bw_schema };
const struct oci_pattern oci_pattern_capability_name = { "^CAP_[A-Z_]+$", match_capability_name };

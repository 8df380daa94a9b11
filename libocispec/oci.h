/* libocispec: the OCI runtime-spec v1.3.0 documents as C structs, with a
 * parser that validates against the spec's JSON schema, a serializer, and
 * the Linux checks the spec states in prose (validate-linux.c).
 * Pure data: no syscalls beyond reading a file. */
#ifndef OCI_H
#define OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "json.h"
#include "schema.h"

/* GNU C predefines `linux` as 1; the spec's field is called linux. */
#undef linux

#define OCI_SPEC_VERSION "1.3.0"

struct oci_strmap
{
  char **keys;
  char **values;
  size_t len;
};

/* Forward declarations of every type. */
#define OCI_TYPE_BEGIN(T) struct oci_##T;
#define OCI_TYPE_END(T)
#include "types-nofields.h"
#include "types.def"
#include "types-undef.h"

/* The structs.  Scalars carry has_<name>, true when the field was given;
 * strings and objects are NULL when absent; an array given as [] has a
 * non-NULL pointer and length 0. */
#define OCI_TYPE_BEGIN(T)                                                                          \
  struct oci_##T                                                                                   \
  {
#define OCI_TYPE_END(T)                                                                            \
  }                                                                                                \
  ;
#define OCI_STRING(T, m, j, fl) char *m;
#define OCI_ENUM(T, m, j, fl, E) char *m;
#define OCI_PATTERN(T, m, j, fl, P) char *m;
#define OCI_BOOL(T, m, j, fl)                                                                      \
  bool m;                                                                                          \
  bool has_##m;
#define OCI_INT(T, m, j, fl, ctype, lo, hi)                                                        \
  ctype m;                                                                                         \
  bool has_##m;
#define OCI_UINT(T, m, j, fl, ctype, hi)                                                           \
  ctype m;                                                                                         \
  bool has_##m;
#define OCI_OBJECT(T, m, j, fl, S) struct oci_##S *m;
#define OCI_RAW(T, m, j, fl) struct json_node *m;
#define OCI_STRINGS(T, m, j, fl)                                                                   \
  char **m;                                                                                        \
  size_t m##_len;
#define OCI_ENUMS(T, m, j, fl, E)                                                                  \
  char **m;                                                                                        \
  size_t m##_len;
#define OCI_PATTERNS(T, m, j, fl, P)                                                               \
  char **m;                                                                                        \
  size_t m##_len;
#define OCI_UINTS(T, m, j, fl, ctype, hi)                                                          \
  ctype *m;                                                                                        \
  size_t m##_len;
#define OCI_OBJECTS(T, m, j, fl, S)                                                                \
  struct oci_##S *m;                                                                               \
  size_t m##_len;
#define OCI_STRMAP(T, m, j, fl) struct oci_strmap m;
#define OCI_OBJMAP(T, m, j, fl, S)                                                                 \
  struct                                                                                           \
  {                                                                                                \
    char **keys;                                                                                   \
    struct oci_##S *values;                                                                        \
    size_t len;                                                                                    \
  } m;
#include "types.def"
#include "types-undef.h"

/* Descriptors, one per type: oci_config_type, oci_state_type, ... */
#define OCI_TYPE_BEGIN(T) extern const struct oci_type oci_##T##_type;
#define OCI_TYPE_END(T)
#include "types-nofields.h"
#include "types.def"
#include "types-undef.h"

/* ---- the generic engine (engine.c), for any descriptor ---- */

/* Parse and schema-validate a document of type TYPE.  DOCNAME prefixes
 * messages: "config.json: linux.resources.memory.limit: expected integer,
 * got string \"1g\"".  Returns a calloc'ed struct or NULL. */
void *oci_parse (const struct oci_type *type, const char *data, size_t len, const char *docname,
                 struct hako_error *err);
void *oci_parse_file (const struct oci_type *type, const char *path, const char *docname,
                      struct hako_error *err);
/* Validate an already parsed JSON tree and fill OUT (zeroed, type->size). */
int oci_from_json (const struct oci_type *type, const struct json_node *node, void *out,
                   const char *docname, struct hako_error *err);
/* Serialize to JSON text (pretty when BEAUTIFY); malloc'ed, NUL-terminated. */
char *oci_serialize (const struct oci_type *type, const void *obj, bool beautify, size_t *len,
                     struct hako_error *err);
bool oci_equal (const struct oci_type *type, const void *a, const void *b);
/* Free the members of OBJ, then OBJ itself. */
void oci_free (const struct oci_type *type, void *obj);

/* Typed shorthands. */
struct oci_config *oci_config_parse_file (const char *path, struct hako_error *err);
struct oci_config *oci_config_parse (const char *data, size_t len, struct hako_error *err);
void oci_config_free (struct oci_config *config);
struct oci_state *oci_state_parse (const char *data, size_t len, struct hako_error *err);
void oci_state_free (struct oci_state *state);
struct oci_process *oci_process_parse_file (const char *path, struct hako_error *err);
void oci_process_free (struct oci_process *process);
void oci_features_free (struct oci_features *features);

/* Map helpers. */
const char *oci_strmap_get (const struct oci_strmap *map, const char *key);

/* Enum value lists, NULL-terminated (types.c). */
extern const char *const oci_enum_namespace_type[];
extern const char *const oci_enum_seccomp_action[];
extern const char *const oci_enum_seccomp_operator[];
extern const char *const oci_enum_seccomp_arch[];
extern const char *const oci_enum_seccomp_flag[];

#define cleanup_config __attribute__ ((cleanup (oci_config_freep)))
static inline void
oci_config_freep (struct oci_config **p)
{
  oci_config_free (*p);
}

#endif

/* The data-driven description of OCI documents.
 *
 * Every OCI type is declared once, in types.def, as a list of fields.  That
 * list is expanded twice: into a C struct (oci.h) and into a table of
 * struct oci_field (types.c).  One generic engine (engine.c) walks the
 * tables to parse, validate, serialize, compare and free any document, so a
 * new field of the spec is one line in types.def. */
#ifndef OCI_SCHEMA_H
#define OCI_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one value (a field, or one item of an array or map) holds. */
enum oci_kind
{
  OCI_KIND_STRING,
  OCI_KIND_BOOL,
  OCI_KIND_INT,    /* signed integer, stored in `width` bytes */
  OCI_KIND_UINT,   /* unsigned integer, stored in `width` bytes */
  OCI_KIND_OBJECT, /* a typed object described by `type` */
  OCI_KIND_RAW,    /* any JSON object, kept as a struct json_node * */
};

/* How the values of a field are arranged. */
enum oci_shape
{
  OCI_SHAPE_ONE,   /* a single value */
  OCI_SHAPE_ARRAY, /* T *name; size_t name_len */
  OCI_SHAPE_MAP,   /* struct { char **keys; T *values; size_t len; } */
};

enum oci_field_flags
{
  OCI_REQUIRED = 1 << 0,
  OCI_NONEMPTY = 1 << 1,        /* minItems: 1 */
  OCI_FIRST_ITEM_ONLY = 1 << 2, /* schema "items": [X] constrains item 0 only */
  OCI_SCHEMA_KEYS = 1 << 3,     /* mapStringString: only keys matching ".{1,}" are typed */
};

/* A string constraint from the schema's "pattern", matched as Python's
 * re.search does (the reference validator), so verdicts agree. */
struct oci_pattern
{
  const char *source; /* the schema's regular expression, for messages */
  bool (*match) (const char *s, size_t len);
};

struct oci_type;

struct oci_field
{
  const char *json;            /* property name */
  uint8_t kind;                /* enum oci_kind of each value */
  uint8_t shape;               /* enum oci_shape */
  uint8_t flags;               /* enum oci_field_flags */
  uint8_t width;               /* bytes of an integer value */
  size_t offset;               /* of the member (or of the map struct) */
  size_t aux;                  /* of has_<name> (ONE) or <name>_len (ARRAY) */
  const struct oci_type *type; /* OBJECT values */
  const char *const *enums;    /* STRING values: allowed values, NULL-terminated */
  const struct oci_pattern *pattern;
  int64_t min;  /* INT bounds */
  uint64_t max; /* INT (as int64) and UINT upper bound */
};

struct oci_type
{
  const char *name;
  size_t size;
  const struct oci_field *fields;
  size_t n_fields;
};

/* Map members share this layout whatever the value type. */
struct oci_map_layout
{
  char **keys;
  void *values;
  size_t len;
};

#endif

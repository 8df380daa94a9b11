/* The other walks over a field table: serialize (yajl_gen), compare, free. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "oci.h"

size_t oci_value_size (const struct oci_field *f);

static uint64_t
load_int (const void *src, int width, bool is_signed)
{
  switch (width)
    {
    case 1: return is_signed ? (uint64_t)(int64_t) * (const int8_t *)src : *(const uint8_t *)src;
    case 2: return is_signed ? (uint64_t)(int64_t) * (const int16_t *)src : *(const uint16_t *)src;
    case 4: return is_signed ? (uint64_t)(int64_t) * (const int32_t *)src : *(const uint32_t *)src;
    default: return *(const uint64_t *)src;
    }
}

static bool field_present (const struct oci_field *f, const char *base);

static int
emit_json (yajl_gen g, const struct json_node *n)
{
  int r = 0;

  switch (n->type)
    {
    case JSON_NULL: return yajl_gen_null (g);
    case JSON_BOOL: return yajl_gen_bool (g, n->u.boolean);
    case JSON_NUMBER: return yajl_gen_number (g, n->u.str.text, n->u.str.len);
    case JSON_STRING:
      return yajl_gen_string (g, (const unsigned char *)n->u.str.text, n->u.str.len);
    case JSON_ARRAY:
      r |= yajl_gen_array_open (g);
      for (size_t i = 0; i < n->u.array.len; i++)
        r |= emit_json (g, n->u.array.items[i]);
      return r | yajl_gen_array_close (g);
    case JSON_OBJECT:
      r |= yajl_gen_map_open (g);
      for (size_t i = 0; i < n->u.object.len; i++)
        {
          r |= yajl_gen_string (g, (const unsigned char *)n->u.object.keys[i],
                                n->u.object.key_lens[i]);
          r |= emit_json (g, n->u.object.values[i]);
        }
      return r | yajl_gen_map_close (g);
    }
  return 1;
}

static int emit_object (yajl_gen g, const struct oci_type *t, const char *base);

static int
emit_value (yajl_gen g, const struct oci_field *f, const void *src)
{
  char num[32];
  uint64_t v;

  switch (f->kind)
    {
    case OCI_KIND_STRING:
      return yajl_gen_string (g, *(const unsigned char *const *)src, strlen (*(char *const *)src));
    case OCI_KIND_BOOL: return yajl_gen_bool (g, *(const bool *)src);
    case OCI_KIND_INT:
      v = load_int (src, f->width, true);
      return yajl_gen_number (g, num, snprintf (num, sizeof num, "%" PRId64, (int64_t)v));
    case OCI_KIND_UINT:
      v = load_int (src, f->width, false);
      return yajl_gen_number (g, num, snprintf (num, sizeof num, "%" PRIu64, v));
    case OCI_KIND_OBJECT: return emit_object (g, f->type, src);
    case OCI_KIND_RAW: return emit_json (g, *(struct json_node *const *)src);
    }
  return 1;
}

static int
emit_field (yajl_gen g, const struct oci_field *f, const char *base)
{
  const char *slot = base + f->offset;
  size_t size = oci_value_size (f);
  int r = yajl_gen_string (g, (const unsigned char *)f->json, strlen (f->json));

  if (f->shape == OCI_SHAPE_ARRAY)
    {
      const char *items = *(char *const *)slot;
      size_t n = *(const size_t *)(base + f->aux);
      r |= yajl_gen_array_open (g);
      for (size_t i = 0; i < n; i++)
        r |= emit_value (g, f, items + i * size);
      return r | yajl_gen_array_close (g);
    }
  if (f->shape == OCI_SHAPE_MAP)
    {
      const struct oci_map_layout *m = (const struct oci_map_layout *)slot;
      r |= yajl_gen_map_open (g);
      for (size_t i = 0; i < m->len; i++)
        {
          r |= yajl_gen_string (g, (const unsigned char *)m->keys[i], strlen (m->keys[i]));
          r |= emit_value (g, f, (const char *)m->values + i * size);
        }
      return r | yajl_gen_map_close (g);
    }
  if (f->kind == OCI_KIND_OBJECT)
    return r | emit_object (g, f->type, *(char *const *)slot);
  return r | emit_value (g, f, slot);
}

static int
emit_object (yajl_gen g, const struct oci_type *t, const char *base)
{
  int r = yajl_gen_map_open (g);

  for (size_t i = 0; i < t->n_fields; i++)
    if (field_present (&t->fields[i], base))
      r |= emit_field (g, &t->fields[i], base);
  return r | yajl_gen_map_close (g);
}

char *
oci_serialize (const struct oci_type *type, const void *obj, bool beautify, size_t *len,
               struct hako_error *err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t blen;
  char *out = NULL;

  if (g == NULL)
    return hako_error_set (err, ENOMEM, "serialize %s: out of memory", type->name), NULL;
  yajl_gen_config (g, yajl_gen_beautify, beautify ? 1 : 0);
  yajl_gen_config (g, yajl_gen_indent_string, "\t");
  if (emit_object (g, type, obj) != yajl_gen_status_ok
      || yajl_gen_get_buf (g, &buf, &blen) != yajl_gen_status_ok)
    hako_error_set (err, EINVAL, "serialize %s: cannot generate JSON", type->name);
  else if ((out = malloc (blen + 1)) == NULL)
    hako_error_set (err, ENOMEM, "serialize %s: out of memory", type->name);
  else
    {
      memcpy (out, buf, blen);
      out[blen] = '\0';
      if (len)
        *len = blen;
    }
  yajl_gen_free (g);
  return out;
}

static bool
field_present (const struct oci_field *f, const char *base)
{
  const char *slot = base + f->offset;

  if (f->shape == OCI_SHAPE_MAP)
    return ((const struct oci_map_layout *)slot)->keys != NULL;
  if (f->shape == OCI_SHAPE_ARRAY)
    return *(void *const *)slot != NULL;
  switch (f->kind)
    {
    case OCI_KIND_BOOL:
    case OCI_KIND_INT:
    case OCI_KIND_UINT: return *(const bool *)(base + f->aux);
    default: return *(void *const *)slot != NULL;
    }
}

static bool
value_equal (const struct oci_field *f, const void *a, const void *b)
{
  switch (f->kind)
    {
    case OCI_KIND_STRING: return strcmp (*(char *const *)a, *(char *const *)b) == 0;
    case OCI_KIND_BOOL: return *(const bool *)a == *(const bool *)b;
    case OCI_KIND_INT:
    case OCI_KIND_UINT: return load_int (a, f->width, false) == load_int (b, f->width, false);
    case OCI_KIND_OBJECT: return oci_equal (f->type, a, b);
    case OCI_KIND_RAW:
      return json_equal (*(struct json_node *const *)a, *(struct json_node *const *)b);
    }
  return false;
}

static bool
field_equal (const struct oci_field *f, const char *a, const char *b)
{
  size_t size = oci_value_size (f);
  bool pa = field_present (f, a), pb = field_present (f, b);

  if (!pa || !pb)
    return pa == pb;
  if (f->shape == OCI_SHAPE_ARRAY)
    {
      size_t n = *(const size_t *)(a + f->aux);
      const char *ia = *(char *const *)(a + f->offset), *ib = *(char *const *)(b + f->offset);
      if (n != *(const size_t *)(b + f->aux))
        return false;
      for (size_t i = 0; i < n; i++)
        if (!value_equal (f, ia + i * size, ib + i * size))
          return false;
      return true;
    }
  if (f->shape == OCI_SHAPE_MAP)
    {
      const struct oci_map_layout *ma = (const void *)(a + f->offset);
      const struct oci_map_layout *mb = (const void *)(b + f->offset);
      if (ma->len != mb->len)
        return false;
      for (size_t i = 0; i < ma->len; i++)
        if (strcmp (ma->keys[i], mb->keys[i]) != 0
            || !value_equal (f, (const char *)ma->values + i * size,
                             (const char *)mb->values + i * size))
          return false;
      return true;
    }
  if (f->kind == OCI_KIND_OBJECT)
    return oci_equal (f->type, *(char *const *)(a + f->offset), *(char *const *)(b + f->offset));
  return value_equal (f, a + f->offset, b + f->offset);
}

bool
oci_equal (const struct oci_type *type, const void *a, const void *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  for (size_t i = 0; i < type->n_fields; i++)
    if (!field_equal (&type->fields[i], a, b))
      return false;
  return true;
}

static void free_members (const struct oci_type *t, char *base);

static void
free_value (const struct oci_field *f, void *v)
{
  if (f->kind == OCI_KIND_STRING)
    free (*(char **)v);
  else if (f->kind == OCI_KIND_OBJECT)
    free_members (f->type, v);
  else if (f->kind == OCI_KIND_RAW)
    json_free (*(struct json_node **)v);
}

static void
free_field (const struct oci_field *f, char *base)
{
  char *slot = base + f->offset;
  size_t size = oci_value_size (f);

  if (f->shape == OCI_SHAPE_ARRAY)
    {
      char *items = *(char **)slot;
      size_t n = *(size_t *)(base + f->aux);
      for (size_t i = 0; items && i < n; i++)
        free_value (f, items + i * size);
      free (items);
    }
  else if (f->shape == OCI_SHAPE_MAP)
    {
      struct oci_map_layout *m = (struct oci_map_layout *)slot;
      for (size_t i = 0; i < m->len; i++)
        {
          free (m->keys[i]);
          free_value (f, (char *)m->values + i * size);
        }
      free (m->keys);
      free (m->values);
    }
  else if (f->kind == OCI_KIND_OBJECT)
    oci_free (f->type, *(void **)slot);
  else
    free_value (f, slot);
}

static void
free_members (const struct oci_type *t, char *base)
{
  for (size_t i = 0; i < t->n_fields; i++)
    free_field (&t->fields[i], base);
}

void
oci_free (const struct oci_type *type, void *obj)
{
  if (obj == NULL)
    return;
  free_members (type, obj);
  free (obj);
}

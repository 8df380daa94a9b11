/* The other walks over a field table: serialize (json-write.c), compare, free. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static void
emit_json (struct json_writer *w, const struct json_node *n)
{
  switch (n->type)
    {
    case JSON_NULL: json_writer_raw (w, "null", 4); break;
    case JSON_BOOL:
      json_writer_raw (w, n->u.boolean ? "true" : "false", n->u.boolean ? 4 : 5);
      break;
    case JSON_NUMBER: json_writer_raw (w, n->u.str.text, n->u.str.len); break;
    case JSON_STRING: json_writer_string (w, n->u.str.text, n->u.str.len); break;
    case JSON_ARRAY:
      json_writer_open (w, '[');
      for (size_t i = 0; i < n->u.array.len; i++)
        emit_json (w, n->u.array.items[i]);
      json_writer_close (w, ']');
      break;
    case JSON_OBJECT:
      json_writer_open (w, '{');
      for (size_t i = 0; i < n->u.object.len; i++)
        {
          json_writer_key (w, n->u.object.keys[i], n->u.object.key_lens[i]);
          emit_json (w, n->u.object.values[i]);
        }
      json_writer_close (w, '}');
      break;
    }
}

static void emit_object (struct json_writer *w, const struct oci_type *t, const char *base);

static void
emit_value (struct json_writer *w, const struct oci_field *f, const void *src)
{
  char num[32];
  uint64_t v;

  switch (f->kind)
    {
    case OCI_KIND_STRING:
      json_writer_string (w, *(char *const *)src, strlen (*(char *const *)src));
      break;
    case OCI_KIND_BOOL:
      json_writer_raw (w, *(const bool *)src ? "true" : "false", *(const bool *)src ? 4 : 5);
      break;
    case OCI_KIND_INT:
      v = load_int (src, f->width, true);
      json_writer_raw (w, num, snprintf (num, sizeof num, "%" PRId64, (int64_t)v));
      break;
    case OCI_KIND_UINT:
      v = load_int (src, f->width, false);
      json_writer_raw (w, num, snprintf (num, sizeof num, "%" PRIu64, v));
      break;
    case OCI_KIND_OBJECT: emit_object (w, f->type, src); break;
    case OCI_KIND_RAW: emit_json (w, *(struct json_node *const *)src); break;
    }
}

static void
emit_field (struct json_writer *w, const struct oci_field *f, const char *base)
{
  const char *slot = base + f->offset;
  size_t size = oci_value_size (f);

  json_writer_key (w, f->json, strlen (f->json));
  if (f->shape == OCI_SHAPE_ARRAY)
    {
      const char *items = *(char *const *)slot;
      size_t n = *(const size_t *)(base + f->aux);
      json_writer_open (w, '[');
      for (size_t i = 0; i < n; i++)
        emit_value (w, f, items + i * size);
      json_writer_close (w, ']');
    }
  else if (f->shape == OCI_SHAPE_MAP)
    {
      const struct oci_map_layout *m = (const struct oci_map_layout *)slot;
      json_writer_open (w, '{');
      for (size_t i = 0; i < m->len; i++)
        {
          json_writer_key (w, m->keys[i], strlen (m->keys[i]));
          emit_value (w, f, (const char *)m->values + i * size);
        }
      json_writer_close (w, '}');
    }
  else if (f->kind == OCI_KIND_OBJECT)
    emit_object (w, f->type, *(char *const *)slot);
  else
    emit_value (w, f, slot);
}

static void
emit_object (struct json_writer *w, const struct oci_type *t, const char *base)
{
  json_writer_open (w, '{');
  for (size_t i = 0; i < t->n_fields; i++)
    if (field_present (&t->fields[i], base))
      emit_field (w, &t->fields[i], base);
  json_writer_close (w, '}');
}

char *
oci_serialize (const struct oci_type *type, const void *obj, bool beautify, size_t *len,
               struct hako_error *err)
{
  struct json_writer *w = json_writer_new (beautify);
  char *out;

  if (w == NULL)
    return hako_error_set (err, ENOMEM, "serialize %s: out of memory", type->name), NULL;
  emit_object (w, type, obj);
  out = json_writer_finish (w, len);
  if (out == NULL)
    hako_error_set (err, ENOMEM, "serialize %s: out of memory", type->name);
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

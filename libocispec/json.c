#define _GNU_SOURCE
#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

struct builder
{
  struct json_node *root;
  struct json_node *stack[JSON_MAX_DEPTH];
  size_t depth;
  char *pending_key; /* object key waiting for its value */
  size_t pending_key_len;
  bool no_memory;
};

static char *
copy_text (const char *s, size_t len)
{
  char *p = malloc (len + 1);

  if (p == NULL)
    return NULL;
  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

static bool
grow (void **items, size_t len, size_t elem)
{
  /* Capacity doubles at powers of two, so the length alone tells when. */
  if (len != 0 && (len & (len - 1)) != 0)
    return true;
  void *p = reallocarray (*items, len ? len * 2 : 4, elem);
  if (p == NULL)
    return false;
  *items = p;
  return true;
}

static bool
object_append (struct json_node *obj, char *key, size_t key_len, struct json_node *value)
{
  size_t n = obj->u.object.len;

  if (!grow ((void **)&obj->u.object.keys, n, sizeof (char *))
      || !grow ((void **)&obj->u.object.key_lens, n, sizeof (size_t))
      || !grow ((void **)&obj->u.object.values, n, sizeof (struct json_node *)))
    return false;
  obj->u.object.keys[n] = key;
  obj->u.object.key_lens[n] = key_len;
  obj->u.object.values[n] = value;
  obj->u.object.len = n + 1;
  return true;
}

static bool
array_append (struct json_node *arr, struct json_node *value)
{
  size_t n = arr->u.array.len;

  if (!grow ((void **)&arr->u.array.items, n, sizeof (struct json_node *)))
    return false;
  arr->u.array.items[n] = value;
  arr->u.array.len = n + 1;
  return true;
}

/* Attach a new node to the open container (or make it the root). */
static struct json_node *
add_node (struct builder *b, enum json_type type)
{
  struct json_node *node = calloc (1, sizeof *node);
  bool ok = true;

  if (node == NULL)
    goto oom;
  node->type = type;
  if (b->depth == 0)
    b->root = node;
  else if (b->stack[b->depth - 1]->type == JSON_OBJECT)
    {
      ok = object_append (b->stack[b->depth - 1], b->pending_key, b->pending_key_len, node);
      if (ok)
        b->pending_key = NULL;
    }
  else
    ok = array_append (b->stack[b->depth - 1], node);
  if (!ok)
    {
      free (node);
      goto oom;
    }
  return node;
oom:
  b->no_memory = true;
  return NULL;
}

static int
on_null (void *ctx)
{
  return add_node (ctx, JSON_NULL) != NULL;
}

static int
on_boolean (void *ctx, int value)
{
  struct json_node *n = add_node (ctx, JSON_BOOL);

  if (n)
    n->u.boolean = value != 0;
  return n != NULL;
}

static int
add_text (struct builder *b, enum json_type type, const unsigned char *s, size_t len)
{
  char *text = copy_text ((const char *)s, len);
  struct json_node *n;

  if (text == NULL)
    {
      b->no_memory = true;
      return 0;
    }
  n = add_node (b, type);
  if (n == NULL)
    {
      free (text);
      return 0;
    }
  n->u.str.text = text;
  n->u.str.len = len;
  return 1;
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  return add_text (ctx, JSON_NUMBER, (const unsigned char *)s, len);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  return add_text (ctx, JSON_STRING, s, len);
}

static int
open_container (struct builder *b, enum json_type type)
{
  struct json_node *n;

  /* Stop here; json_check then reports where and why. */
  if (b->depth >= JSON_MAX_DEPTH)
    return 0;
  n = add_node (b, type);
  if (n == NULL)
    return 0;
  b->stack[b->depth++] = n;
  return 1;
}

static int
on_start_map (void *ctx)
{
  return open_container (ctx, JSON_OBJECT);
}

static int
on_start_array (void *ctx)
{
  return open_container (ctx, JSON_ARRAY);
}

static int
on_end (void *ctx)
{
  struct builder *b = ctx;

  b->depth--;
  return 1;
}

static int
on_map_key (void *ctx, const unsigned char *key, size_t len)
{
  struct builder *b = ctx;

  free (b->pending_key);
  b->pending_key = copy_text ((const char *)key, len);
  b->pending_key_len = len;
  if (b->pending_key == NULL)
    b->no_memory = true;
  return b->pending_key != NULL;
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end,
};

/* Lines count from 1 at each '\n'; columns count characters (not the
 * bytes of a UTF-8 sequence) from 1, a tab being one character. */
static void
offset_to_line_col (const char *data, size_t off, size_t *line, size_t *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++)
    {
      unsigned char c = data[i];
      if (c == '\n')
        {
          (*line)++;
          *col = 1;
        }
      else if (c < 0x80 || c > 0xbf)
        (*col)++;
    }
}

/* yajl's verbose message spans lines; keep its first line, trimmed. */
static char *
yajl_reason (yajl_handle h, const char *data, size_t len)
{
  unsigned char *raw = yajl_get_error (h, 0, (const unsigned char *)data, len);
  char *reason = strdup (raw ? (const char *)raw : "parse error");
  char *nl;

  if (raw)
    yajl_free_error (h, raw);
  if (reason && (nl = strchr (reason, '\n')) != NULL)
    *nl = '\0';
  return reason;
}

/* The place and the reason come from json_check, which finds the first
 * byte that cannot continue a JSON text; yajl's own account (how far it
 * read) is only a fallback, should yajl refuse a text the checker takes. */
static int
report_syntax_error (yajl_handle h, const struct builder *b, const char *data, size_t len,
                     const char *docname, struct hako_error *err)
{
  size_t off, line, col;
  const char *why = NULL;
  char *reason;

  if (b->no_memory)
    return hako_error_set (err, ENOMEM, "%s: out of memory while parsing", docname);
  if (json_check (data, len, &off, &why))
    {
      offset_to_line_col (data, off, &line, &col);
      return hako_error_set (err, EINVAL, "%s:%zu:%zu: invalid JSON: %s", docname, line, col, why);
    }
  off = yajl_get_bytes_consumed (h);
  offset_to_line_col (data, off < len ? off : len, &line, &col);
  reason = yajl_reason (h, data, len);
  hako_error_set (err, EINVAL, "%s:%zu:%zu: invalid JSON: %s", docname, line, col,
                  reason ? reason : "parse error");
  free (reason);
  return -1;
}

struct json_node *
json_parse (const char *data, size_t len, const char *docname, struct hako_error *err)
{
  struct builder *b = calloc (1, sizeof *b);
  yajl_handle h;
  yajl_status st;
  struct json_node *root = NULL;
  size_t off;
  const char *why;

  if (b == NULL)
    {
      hako_error_set (err, ENOMEM, "%s: out of memory", docname);
      return NULL;
    }
  h = yajl_alloc (&callbacks, NULL, b);
  if (h == NULL)
    {
      free (b);
      hako_error_set (err, ENOMEM, "%s: out of memory", docname);
      return NULL;
    }
  st = yajl_parse (h, (const unsigned char *)data, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  /* yajl takes some texts that are not JSON (see json-check.c). */
  if (st == yajl_status_ok && !json_check (data, len, &off, &why))
    root = b->root;
  else
    {
      report_syntax_error (h, b, data, len, docname, err);
      json_free (b->root);
    }
  free (b->pending_key);
  yajl_free (h);
  free (b);
  return root;
}

void
json_free (struct json_node *node)
{
  if (node == NULL)
    return;
  switch (node->type)
    {
    case JSON_STRING:
    case JSON_NUMBER: free (node->u.str.text); break;
    case JSON_OBJECT:
      for (size_t i = 0; i < node->u.object.len; i++)
        {
          free (node->u.object.keys[i]);
          json_free (node->u.object.values[i]);
        }
      free (node->u.object.keys);
      free (node->u.object.key_lens);
      free (node->u.object.values);
      break;
    case JSON_ARRAY:
      for (size_t i = 0; i < node->u.array.len; i++)
        json_free (node->u.array.items[i]);
      free (node->u.array.items);
      break;
    default: break;
    }
  free (node);
}

struct json_node *
json_copy (const struct json_node *node)
{
  struct json_node *c = calloc (1, sizeof *c);
  bool ok = true;

  if (c == NULL)
    return NULL;
  c->type = node->type;
  switch (node->type)
    {
    case JSON_BOOL: c->u.boolean = node->u.boolean; break;
    case JSON_STRING:
    case JSON_NUMBER:
      c->u.str.text = copy_text (node->u.str.text, node->u.str.len);
      c->u.str.len = node->u.str.len;
      ok = c->u.str.text != NULL;
      break;
    case JSON_OBJECT:
      for (size_t i = 0; ok && i < node->u.object.len; i++)
        {
          char *k = copy_text (node->u.object.keys[i], node->u.object.key_lens[i]);
          struct json_node *v = json_copy (node->u.object.values[i]);
          ok = k && v && object_append (c, k, node->u.object.key_lens[i], v);
          if (!ok)
            {
              free (k);
              json_free (v);
            }
        }
      break;
    case JSON_ARRAY:
      for (size_t i = 0; ok && i < node->u.array.len; i++)
        {
          struct json_node *v = json_copy (node->u.array.items[i]);
          ok = v && array_append (c, v);
          if (!ok)
            json_free (v);
        }
      break;
    case JSON_NULL: break;
    }
  if (!ok)
    {
      json_free (c);
      return NULL;
    }
  return c;
}

bool
json_equal (const struct json_node *a, const struct json_node *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->type != b->type)
    return false;
  switch (a->type)
    {
    case JSON_NULL: return true;
    case JSON_BOOL: return a->u.boolean == b->u.boolean;
    case JSON_STRING:
    case JSON_NUMBER:
      return a->u.str.len == b->u.str.len
             && memcmp (a->u.str.text, b->u.str.text, a->u.str.len) == 0;
    case JSON_OBJECT:
      if (a->u.object.len != b->u.object.len)
        return false;
      for (size_t i = 0; i < a->u.object.len; i++)
        if (a->u.object.key_lens[i] != b->u.object.key_lens[i]
            || memcmp (a->u.object.keys[i], b->u.object.keys[i], a->u.object.key_lens[i]) != 0
            || !json_equal (a->u.object.values[i], b->u.object.values[i]))
          return false;
      return true;
    case JSON_ARRAY:
      if (a->u.array.len != b->u.array.len)
        return false;
      for (size_t i = 0; i < a->u.array.len; i++)
        if (!json_equal (a->u.array.items[i], b->u.array.items[i]))
          return false;
      return true;
    }
  return false;
}

const char *
json_type_name (enum json_type type)
{
  static const char *const names[] = { "null", "boolean", "number", "string", "object", "array" };

  return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

const struct json_node *
json_object_get (const struct json_node *obj, const char *key)
{
  size_t klen = strlen (key);

  if (obj == NULL || obj->type != JSON_OBJECT)
    return NULL;
  for (size_t i = obj->u.object.len; i-- > 0;)
    if (obj->u.object.key_lens[i] == klen && memcmp (obj->u.object.keys[i], key, klen) == 0)
      return obj->u.object.values[i];
  return NULL;
}

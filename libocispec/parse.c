/* Parsing and schema validation: walk a JSON tree with a type's field
 * table, check every value against the schema's constraints, and fill the
 * struct.  Errors name the JSON path: "linux.mounts[2].destination". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"
#include "patterns.h"

/* Where a value sits in the document; rendered only when reporting. */
struct path
{
  const struct path *up;
  const char *key; /* field name or map key; NULL for an array index */
  size_t index;
  bool map_key;
};

struct ctx
{
  const char *docname;
  struct hako_error *err;
};

/* Control characters, quotes and backslashes as \xNN, so that a message
 * stays on one line whatever the document holds. */
static bool
needs_escape (unsigned char ch)
{
  return ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\';
}

static void
render_path (FILE *out, const struct path *p)
{
  if (p == NULL)
    return;
  render_path (out, p->up);
  if (p->key == NULL)
    fprintf (out, "[%zu]", p->index);
  else if (p->map_key)
    {
      fputs ("[\"", out);
      for (const char *k = p->key; *k; k++)
        if (needs_escape (*k))
          fprintf (out, "\\x%02x", (unsigned char)*k);
        else
          fputc (*k, out);
      fputs ("\"]", out);
    }
  else
    fprintf (out, "%s%s", p->up ? "." : "", p->key);
}

static int __attribute__ ((format (printf, 3, 4)))
fail (const struct ctx *c, const struct path *p, const char *fmt, ...)
{
  char *where = NULL, *why = NULL;
  size_t wlen = 0;
  FILE *out = open_memstream (&where, &wlen);
  va_list ap;

  if (out)
    {
      render_path (out, p);
      fclose (out);
    }
  va_start (ap, fmt);
  if (vasprintf (&why, fmt, ap) < 0)
    why = NULL;
  va_end (ap);
  if (where && *where)
    hako_error_set (c->err, EINVAL, "%s: %s: %s", c->docname, where, why ? why : "invalid");
  else
    hako_error_set (c->err, EINVAL, "%s: %s", c->docname, why ? why : "invalid");
  free (where);
  free (why);
  return -1;
}

/* A short, printable rendering of a value for "got ..." in messages. */
static void
describe (const struct json_node *n, char *buf, size_t size)
{
  if (n->type == JSON_STRING)
    {
      size_t o = 0;
      o += snprintf (buf, size, "string \"");
      for (size_t i = 0; i < n->u.str.len && i < 40 && o + 8 < size; i++)
        {
          unsigned char ch = n->u.str.text[i];
          if (needs_escape (ch))
            o += snprintf (buf + o, size - o, "\\x%02x", ch);
          else
            buf[o++] = ch;
        }
      snprintf (buf + o, size - o, "%s\"", n->u.str.len > 40 ? "..." : "");
    }
  else if (n->type == JSON_NUMBER)
    snprintf (buf, size, "number %.40s", n->u.str.text);
  else if (n->type == JSON_BOOL)
    snprintf (buf, size, "boolean %s", n->u.boolean ? "true" : "false");
  else
    snprintf (buf, size, "%s", json_type_name (n->type));
}

static int
wrong_type (const struct ctx *c, const struct path *p, const char *want, const struct json_node *n)
{
  char got[128];

  describe (n, got, sizeof got);
  return fail (c, p, "expected %s, got %s", want, got);
}

/* JSON Schema draft 4: an integer is a number written without fraction or
 * exponent (1.0 is a number, not an integer).  Gives the magnitude, or
 * *too_big when it needs more than 64 bits (then it is out of any range). */
static int
read_integer (const struct ctx *c, const struct path *p, const struct json_node *n, bool *neg,
              uint64_t *mag, bool *too_big)
{
  const char *s = n->u.str.text;

  if (n->type != JSON_NUMBER || strpbrk (s, ".eE") != NULL)
    return wrong_type (c, p, "integer", n);
  *neg = *s == '-';
  if (*neg)
    s++;
  *mag = 0;
  *too_big = false;
  for (; *s && !*too_big; s++)
    {
      unsigned d = *s - '0';
      if (*mag > (UINT64_MAX - d) / 10)
        *too_big = true;
      else
        *mag = *mag * 10 + d;
    }
  if (*mag == 0 && !*too_big)
    *neg = false;
  return 0;
}

static int
out_of_range (const struct ctx *c, const struct oci_field *f, const struct path *p,
              const struct json_node *n)
{
  const char *more = n->u.str.len > 40 ? "..." : "";

  if (f->kind == OCI_KIND_UINT)
    return fail (c, p, "%.40s%s is out of range [0, %llu]", n->u.str.text, more,
                 (unsigned long long)f->max);
  return fail (c, p, "%.40s%s is out of range [%lld, %lld]", n->u.str.text, more, (long long)f->min,
               (long long)f->max);
}

static void
store_int (void *dst, int width, uint64_t bits)
{
  switch (width)
    {
    case 1: *(uint8_t *)dst = (uint8_t)bits; break;
    case 2: *(uint16_t *)dst = (uint16_t)bits; break;
    case 4: *(uint32_t *)dst = (uint32_t)bits; break;
    default: *(uint64_t *)dst = bits; break;
    }
}

/* Is the integer -mag (neg) or mag within [min, max]? */
static bool
signed_in_range (bool neg, uint64_t mag, int64_t min, int64_t max)
{
  if (neg)
    return min < 0 && mag - 1 <= (uint64_t)(-(min + 1));
  return max >= 0 && mag <= (uint64_t)max && (min <= 0 || mag >= (uint64_t)min);
}

static int
parse_int (const struct ctx *c, const struct oci_field *f, const struct path *p,
           const struct json_node *n, void *dst)
{
  bool neg = false, too_big = false;
  uint64_t mag = 0;
  int64_t max = (int64_t)f->max;

  if (read_integer (c, p, n, &neg, &mag, &too_big) < 0)
    return -1;
  if (f->kind == OCI_KIND_UINT)
    {
      if (too_big || neg || mag > f->max)
        return out_of_range (c, f, p, n);
      store_int (dst, f->width, mag);
      return 0;
    }
  if (too_big || !signed_in_range (neg, mag, f->min, max))
    return out_of_range (c, f, p, n);
  store_int (dst, f->width, neg ? (uint64_t)0 - mag : mag);
  return 0;
}

static int
enum_error (const struct ctx *c, const struct path *p, const struct oci_field *f,
            const struct json_node *n)
{
  char got[128], *list = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&list, &len);

  describe (n, got, sizeof got);
  for (size_t i = 0; out && f->enums[i]; i++)
    fprintf (out, "%s%s", i ? ", " : "", f->enums[i]);
  if (out)
    fclose (out);
  fail (c, p, "invalid value %s (allowed: %s)", got, list ? list : "?");
  free (list);
  return -1;
}

static int
parse_string (const struct ctx *c, const struct oci_field *f, const struct path *p,
              const struct json_node *n, char **dst)
{
  char got[128];

  if (n->type != JSON_STRING)
    return wrong_type (c, p, "string", n);
  if (strlen (n->u.str.text) != n->u.str.len)
    return fail (c, p, "string contains a NUL character");
  if (f->enums)
    {
      size_t i;
      for (i = 0; f->enums[i] && strcmp (f->enums[i], n->u.str.text) != 0; i++)
        ;
      if (f->enums[i] == NULL)
        return enum_error (c, p, f, n);
    }
  if (f->pattern && !f->pattern->match (n->u.str.text, n->u.str.len))
    {
      describe (n, got, sizeof got);
      return fail (c, p, "%s does not match %s", got, f->pattern->source);
    }
  *dst = strdup (n->u.str.text);
  if (*dst == NULL)
    return hako_error_set (c->err, ENOMEM, "%s: out of memory", c->docname);
  return 0;
}

static int parse_object (const struct ctx *c, const struct oci_type *t, const struct path *p,
                         const struct json_node *n, void *out);

/* One value of a field into DST (for objects, DST is the struct itself). */
static int
parse_value (const struct ctx *c, const struct oci_field *f, const struct path *p,
             const struct json_node *n, void *dst)
{
  switch (f->kind)
    {
    case OCI_KIND_STRING: return parse_string (c, f, p, n, dst);
    case OCI_KIND_BOOL:
      if (n->type != JSON_BOOL)
        return wrong_type (c, p, "boolean", n);
      *(bool *)dst = n->u.boolean;
      return 0;
    case OCI_KIND_INT:
    case OCI_KIND_UINT: return parse_int (c, f, p, n, dst);
    case OCI_KIND_OBJECT: return parse_object (c, f->type, p, n, dst);
    case OCI_KIND_RAW:
      if (n->type != JSON_OBJECT)
        return wrong_type (c, p, "object", n);
      *(struct json_node **)dst = json_copy (n);
      if (*(struct json_node **)dst == NULL)
        return hako_error_set (c->err, ENOMEM, "%s: out of memory", c->docname);
      return 0;
    }
  return fail (c, p, "internal error: unknown kind");
}

size_t
oci_value_size (const struct oci_field *f)
{
  switch (f->kind)
    {
    case OCI_KIND_STRING: return sizeof (char *);
    case OCI_KIND_OBJECT: return f->type->size;
    case OCI_KIND_RAW: return sizeof (struct json_node *);
    default: return f->width;
    }
}

static void *
alloc_values (const struct ctx *c, const struct oci_field *f, size_t n)
{
  /* Never NULL for a present container, so [] stays distinguishable. */
  void *mem = calloc (n ? n : 1, oci_value_size (f));

  if (mem == NULL)
    hako_error_set (c->err, ENOMEM, "%s: out of memory", c->docname);
  return mem;
}

static int
parse_array (const struct ctx *c, const struct oci_field *f, const struct path *p,
             const struct json_node *n, char *base)
{
  size_t size = oci_value_size (f), count;
  char *items;

  if (n->type != JSON_ARRAY)
    return wrong_type (c, p, "array", n);
  count = n->u.array.len;
  if ((f->flags & OCI_NONEMPTY) && count == 0)
    return fail (c, p, "must have at least one item");
  items = alloc_values (c, f, count);
  if (items == NULL)
    return -1;
  *(void **)(base + f->offset) = items;
  for (size_t i = 0; i < count; i++)
    {
      struct path ip = { p, NULL, i, false };
      int r = parse_value (c, f, &ip, n->u.array.items[i], items + i * size);

      *(size_t *)(base + f->aux) = i + 1; /* what is filled so far gets freed */
      /* "items": [X] in the schema constrains only the first item. */
      if (r < 0 && (f->flags & OCI_FIRST_ITEM_ONLY) && i > 0)
        hako_error_clear (c->err);
      else if (r < 0)
        return -1;
    }
  return 0;
}

static int
compare_keys (const void *a, const void *b, void *arg)
{
  const struct json_node *obj = arg;
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  size_t li = obj->u.object.key_lens[i], lj = obj->u.object.key_lens[j];
  int r = memcmp (obj->u.object.keys[i], obj->u.object.keys[j], li < lj ? li : lj);

  if (r == 0 && li != lj)
    r = li < lj ? -1 : 1;
  return r != 0 ? r : (i < j ? -1 : 1);
}

static bool
same_key (const struct json_node *obj, size_t i, size_t j)
{
  return obj->u.object.key_lens[i] == obj->u.object.key_lens[j]
         && memcmp (obj->u.object.keys[i], obj->u.object.keys[j], obj->u.object.key_lens[i]) == 0;
}

/* keep[i] is false for a key that appears again later: the last one wins. */
static bool *
last_occurrences (const struct json_node *obj)
{
  size_t n = obj->u.object.len;
  size_t *order = calloc (n ? n : 1, sizeof *order);
  bool *keep = calloc (n ? n : 1, sizeof *keep);

  if (order == NULL || keep == NULL)
    {
      free (order);
      free (keep);
      return NULL;
    }
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  qsort_r (order, n, sizeof *order, compare_keys, (void *)obj);
  for (size_t k = 0; k < n; k++)
    keep[order[k]] = k + 1 == n || !same_key (obj, order[k], order[k + 1]);
  free (order);
  return keep;
}

static int
parse_map (const struct ctx *c, const struct oci_field *f, const struct path *p,
           const struct json_node *n, char *base)
{
  struct oci_map_layout *map = (struct oci_map_layout *)(base + f->offset);
  size_t size = oci_value_size (f);
  bool *keep;
  int r = 0;

  if (n->type != JSON_OBJECT)
    return wrong_type (c, p, "object", n);
  keep = last_occurrences (n);
  map->keys = calloc (n->u.object.len + 1, sizeof (char *));
  map->values = alloc_values (c, f, n->u.object.len);
  if (keep == NULL || map->keys == NULL || map->values == NULL)
    {
      free (keep);
      return hako_error_set (c->err, ENOMEM, "%s: out of memory", c->docname);
    }
  for (size_t i = 0; r == 0 && i < n->u.object.len; i++)
    {
      const char *key = n->u.object.keys[i];
      size_t klen = n->u.object.key_lens[i];
      struct path kp = { p, key, 0, true };

      if (!keep[i])
        continue;
      if (strlen (key) != klen)
        r = fail (c, &kp, "key contains a NUL character");
      /* mapStringString types only keys matching ".{1,}"; others hold anything. */
      else if ((f->flags & OCI_SCHEMA_KEYS) && !oci_schema_key_matches (key, klen)
               && n->u.object.values[i]->type != JSON_STRING)
        continue;
      else if ((map->keys[map->len] = strdup (key)) == NULL)
        r = hako_error_set (c->err, ENOMEM, "%s: out of memory", c->docname);
      else
        {
          map->len++;
          r = parse_value (c, f, &kp, n->u.object.values[i],
                           (char *)map->values + (map->len - 1) * size);
        }
    }
  free (keep);
  return r;
}

static int
parse_field (const struct ctx *c, const struct oci_field *f, const struct path *p,
             const struct json_node *n, char *base)
{
  void *slot = base + f->offset;

  if (f->shape == OCI_SHAPE_ARRAY)
    return parse_array (c, f, p, n, base);
  if (f->shape == OCI_SHAPE_MAP)
    return parse_map (c, f, p, n, base);
  if (f->kind == OCI_KIND_OBJECT)
    {
      /* Type-check before allocating, so the struct only exists when valid. */
      if (n->type != JSON_OBJECT)
        return wrong_type (c, p, "object", n);
      *(void **)slot = calloc (1, f->type->size);
      if (*(void **)slot == NULL)
        return hako_error_set (c->err, ENOMEM, "%s: out of memory", c->docname);
      return parse_object (c, f->type, p, n, *(void **)slot);
    }
  if (parse_value (c, f, p, n, slot) < 0)
    return -1;
  if (f->kind == OCI_KIND_BOOL || f->kind == OCI_KIND_INT || f->kind == OCI_KIND_UINT)
    *(bool *)(base + f->aux) = true;
  return 0;
}

static int
parse_object (const struct ctx *c, const struct oci_type *t, const struct path *p,
              const struct json_node *n, void *out)
{
  if (n->type != JSON_OBJECT)
    return wrong_type (c, p, "object", n);
  /* Unknown properties are ignored, as the spec requires. */
  for (size_t i = 0; i < t->n_fields; i++)
    {
      const struct oci_field *f = &t->fields[i];
      const struct json_node *v = json_object_get (n, f->json);
      struct path fp = { p, f->json, 0, false };

      if (v == NULL)
        {
          if (f->flags & OCI_REQUIRED)
            return fail (c, &fp, "required field is missing");
          continue;
        }
      if (parse_field (c, f, &fp, v, out) < 0)
        return -1;
    }
  return 0;
}

int
oci_from_json (const struct oci_type *type, const struct json_node *node, void *out,
               const char *docname, struct hako_error *err)
{
  struct ctx c = { docname, err };

  return parse_object (&c, type, NULL, node, out);
}

void *
oci_parse (const struct oci_type *type, const char *data, size_t len, const char *docname,
           struct hako_error *err)
{
  struct json_node *tree = json_parse (data, len, docname, err);
  void *out;

  if (tree == NULL)
    return NULL;
  out = calloc (1, type->size);
  if (out == NULL)
    hako_error_set (err, ENOMEM, "%s: out of memory", docname);
  else if (oci_from_json (type, tree, out, docname, err) < 0)
    {
      oci_free (type, out);
      out = NULL;
    }
  json_free (tree);
  return out;
}

/* Documents are small; refuse anything absurd before reading it all. */
#define OCI_MAX_DOCUMENT (64 << 20)

static char *
read_document (const char *path, size_t *len, struct hako_error *err)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  char *buf = NULL;
  size_t have = 0, cap = 0;

  if (fd < 0)
    return hako_error_sys (err, errno, "open %s", path), NULL;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > OCI_MAX_DOCUMENT)
    {
      close (fd);
      return hako_error_set (err, EFBIG, "%s: larger than %d bytes", path, OCI_MAX_DOCUMENT), NULL;
    }
  for (;;)
    {
      ssize_t r;
      if (have == cap)
        {
          char *nb = cap >= OCI_MAX_DOCUMENT ? NULL : realloc (buf, cap = cap ? cap * 2 : 8192);
          if (nb == NULL)
            {
              hako_error_set (err, cap >= OCI_MAX_DOCUMENT ? EFBIG : ENOMEM, "read %s: %s", path,
                              cap >= OCI_MAX_DOCUMENT ? "document too large" : "out of memory");
              goto fail;
            }
          buf = nb;
        }
      r = read (fd, buf + have, cap - have);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          hako_error_sys (err, errno, "read %s", path);
          goto fail;
        }
      if (r == 0)
        break;
      have += r;
    }
  close (fd);
  *len = have;
  return buf;
fail:
  close (fd);
  free (buf);
  return NULL;
}

void *
oci_parse_file (const struct oci_type *type, const char *path, const char *docname,
                struct hako_error *err)
{
  size_t len = 0;
  char *data = read_document (path, &len, err);
  void *out;

  if (data == NULL)
    return NULL;
  out = oci_parse (type, data, len, docname ? docname : path, err);
  free (data);
  return out;
}

/* The path, error and warning plumbing of level 2 validation, and the
 * small value parsers its checks share. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate-util.h"

static size_t __attribute__ ((format (printf, 2, 3)))
v_append (struct vctx *c, const char *fmt, ...)
{
  size_t mark = c->len;
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vsnprintf (c->path + c->len, sizeof c->path - c->len, fmt, ap);
  va_end (ap);
  /* A path too long to hold is cut; the message stays readable. */
  if (n > 0)
    c->len += (size_t)n < sizeof c->path - c->len ? (size_t)n : sizeof c->path - c->len - 1;
  return mark;
}

size_t
v_enter (struct vctx *c, const char *key)
{
  return v_append (c, "%s%s", c->len ? "." : "", key);
}

size_t
v_enter_index (struct vctx *c, size_t index)
{
  return v_append (c, "[%zu]", index);
}

/* Control characters, quotes and backslashes are shown as \xNN, as the
 * parser does, so that a message stays on one line. */
static bool
needs_escape (unsigned char ch)
{
  return ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\';
}

size_t
v_enter_mapkey (struct vctx *c, const char *key)
{
  /* The parser's format: linux.sysctl["net.ipv4.ip_forward"]. */
  size_t mark = v_append (c, "[\"");

  for (const char *k = key; *k; k++)
    if (needs_escape (*k))
      v_append (c, "\\x%02x", (unsigned char)*k);
    else
      v_append (c, "%c", *k);
  v_append (c, "\"]");
  return mark;
}

void
v_leave (struct vctx *c, size_t mark)
{
  c->len = mark;
  c->path[mark] = '\0';
}

/* "doc: path.field: why", or "doc: why" at the top of the document. */
static char *__attribute__ ((format (printf, 3, 0)))
v_format (struct vctx *c, const char *field, const char *fmt, va_list ap)
{
  char *why = NULL, *msg = NULL;
  const char *dot = c->len && field ? "." : "";
  int r;

  if (vasprintf (&why, fmt, ap) < 0)
    return NULL;
  if (c->len == 0 && field == NULL)
    r = asprintf (&msg, "%s: %s", c->doc, why);
  else
    r = asprintf (&msg, "%s: %s%s%s: %s", c->doc, c->path, dot, field ? field : "", why);
  free (why);
  return r < 0 ? NULL : msg;
}

int
v_error (struct vctx *c, const char *field, const char *fmt, ...)
{
  va_list ap;
  char *msg;

  va_start (ap, fmt);
  msg = v_format (c, field, fmt, ap);
  va_end (ap);
  if (msg == NULL)
    return hako_error_set (c->err, ENOMEM, "%s: out of memory", c->doc);
  hako_error_set (c->err, EINVAL, "%s", msg);
  free (msg);
  return -1;
}

void
v_warn (struct vctx *c, const char *field, const char *fmt, ...)
{
  va_list ap;
  char *msg, **grown;

  if (c->warnings == NULL)
    return;
  va_start (ap, fmt);
  msg = v_format (c, field, fmt, ap);
  va_end (ap);
  if (msg == NULL)
    return; /* a warning lost to lack of memory changes no verdict */
  grown = realloc (c->warnings->msgs, (c->warnings->len + 1) * sizeof *grown);
  if (grown == NULL)
    {
      free (msg);
      return;
    }
  grown[c->warnings->len++] = msg;
  c->warnings->msgs = grown;
}

void
oci_warnings_free (struct oci_warnings *w)
{
  if (w == NULL)
    return;
  for (size_t i = 0; i < w->len; i++)
    free (w->msgs[i]);
  free (w->msgs);
  w->msgs = NULL;
  w->len = 0;
}

const char *
v_quote (struct vctx *c, const char *s)
{
  char *buf = c->quoted[c->next_quote++ % V_QUOTE_SLOTS];
  size_t o = 0, i;

  buf[o++] = '"';
  for (i = 0; s[i] && o + 8 < V_QUOTE_MAX; i++)
    {
      unsigned char ch = s[i];
      if (needs_escape (ch))
        o += snprintf (buf + o, V_QUOTE_MAX - o, "\\x%02x", ch);
      else
        buf[o++] = ch;
    }
  snprintf (buf + o, V_QUOTE_MAX - o, "%s\"", s[i] ? "..." : "");
  return buf;
}

bool
v_is_absolute (const char *path)
{
  return path != NULL && path[0] == '/';
}

bool
v_has_string (char *const *list, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (list[i], s) == 0)
      return true;
  return false;
}

static const char *
skip_blanks (const char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* A decimal number below V_LIST_MAX at *S; advances *S past it. */
static bool
parse_list_number (const char **s, unsigned long *out)
{
  const char *p = *s;
  unsigned long v = 0;

  if (*p < '0' || *p > '9')
    return false;
  for (; *p >= '0' && *p <= '9'; p++)
    {
      v = v * 10 + (unsigned long)(*p - '0');
      if (v >= V_LIST_MAX)
        return false;
    }
  *s = p;
  *out = v;
  return true;
}

/* One item "N" or "N-M" with blanks around it; advances *S to the ','
 * or the end. */
static bool
parse_list_item (const char **s, size_t *count, const char **why)
{
  unsigned long lo, hi;
  const char *p = skip_blanks (*s);

  if (!parse_list_number (&p, &lo))
    return *why = *p == ',' || *p == '\0' ? "empty item" : "expected a number below 65536", false;
  hi = lo;
  if (*p == '-')
    {
      p++;
      if (!parse_list_number (&p, &hi))
        return *why = "expected a number below 65536 after '-'", false;
      if (hi < lo)
        return *why = "range end is below its start", false;
    }
  p = skip_blanks (p);
  if (*p != ',' && *p != '\0')
    return *why = "expected ',' between items", false;
  *count += hi - lo + 1;
  *s = p;
  return true;
}

bool
v_parse_id_list (const char *s, size_t *count, const char **why)
{
  size_t n = 0;

  if (*skip_blanks (s) == '\0')
    {
      if (count)
        *count = 0;
      return true;
    }
  for (;;)
    {
      if (!parse_list_item (&s, &n, why))
        return false;
      if (*s == '\0')
        break;
      s++; /* the ',' */
    }
  if (count)
    *count = n;
  return true;
}

bool
v_valid_ifname (const char *name, const char **why)
{
  size_t len = strlen (name);

  if (len == 0)
    return *why = "must not be empty", false;
  /* IFNAMSIZ is 16 including the terminating NUL. */
  if (len > 15)
    return *why = "is longer than 15 bytes", false;
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return *why = "must not be \".\" or \"..\"", false;
  for (const char *p = name; *p; p++)
    if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' && *p <= '\r'))
      return *why = "must not contain '/', ':' or whitespace", false;
  return true;
}

bool
v_valid_filename (const char *name)
{
  return name[0] != '\0' && strcmp (name, ".") != 0 && strcmp (name, "..") != 0
         && strchr (name, '/') == NULL;
}

const struct oci_namespace *
v_namespace (const struct vctx *c, const char *type)
{
  const struct oci_linux *lx = c->config ? c->config->linux : NULL;

  if (lx == NULL)
    return NULL;
  for (size_t i = 0; i < lx->namespaces_len; i++)
    if (strcmp (lx->namespaces[i].type, type) == 0)
      return &lx->namespaces[i];
  return NULL;
}

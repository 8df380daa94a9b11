/* Writing JSON text.  yajl's generator refuses to nest deeper than 128
 * levels, fewer than the parser accepts (JSON_MAX_DEPTH), so a document
 * hako had read could not always be written back; this writer has no
 * limit of its own.  Output: compact, or pretty with one tab per level,
 * "key": value, empty containers as {} and [], and a final newline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct json_writer
{
  char *buf;
  size_t len, cap;
  bool failed; /* out of memory: everything after is dropped */
  bool pretty;
  size_t depth;
  bool first;     /* nothing written yet in the innermost open container */
  bool after_key; /* the next value belongs to the key just written */
};

struct json_writer *
json_writer_new (bool pretty)
{
  struct json_writer *w = calloc (1, sizeof *w);

  if (w == NULL)
    return NULL;
  w->pretty = pretty;
  w->first = true;
  return w;
}

static void
put (struct json_writer *w, const char *s, size_t n)
{
  if (w->failed)
    return;
  if (w->cap - w->len < n + 1)
    {
      size_t cap = w->cap ? w->cap : 4096;
      char *p;
      while (cap - w->len < n + 1)
        cap *= 2;
      p = realloc (w->buf, cap);
      if (p == NULL)
        {
          w->failed = true;
          return;
        }
      w->buf = p;
      w->cap = cap;
    }
  memcpy (w->buf + w->len, s, n);
  w->len += n;
}

static void
put_char (struct json_writer *w, char c)
{
  put (w, &c, 1);
}

static void
newline_indent (struct json_writer *w, size_t depth)
{
  put_char (w, '\n');
  for (size_t i = 0; i < depth; i++)
    put_char (w, '\t');
}

/* What goes before a value or a key: nothing after a key, else a comma
 * between items and, when pretty, a new line. */
static void
before_item (struct json_writer *w)
{
  if (w->after_key)
    {
      w->after_key = false;
      return;
    }
  if (w->depth == 0)
    return;
  if (!w->first)
    put_char (w, ',');
  if (w->pretty)
    newline_indent (w, w->depth);
}

static void
after_value (struct json_writer *w)
{
  w->first = false;
  if (w->depth == 0 && w->pretty)
    put_char (w, '\n');
}

void
json_writer_open (struct json_writer *w, char bracket)
{
  before_item (w);
  put_char (w, bracket);
  w->depth++;
  w->first = true;
}

void
json_writer_close (struct json_writer *w, char bracket)
{
  w->depth--;
  if (w->pretty && !w->first)
    newline_indent (w, w->depth);
  put_char (w, bracket);
  after_value (w);
}

static const char *
escape_of (unsigned char c)
{
  switch (c)
    {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    case '\b': return "\\b";
    case '\f': return "\\f";
    default: return NULL;
    }
}

static void
write_string (struct json_writer *w, const char *s, size_t len)
{
  size_t plain = 0; /* start of the run of bytes written as they are */

  put_char (w, '"');
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = s[i];
      const char *esc = escape_of (c);
      char hex[8];

      if (esc == NULL && c >= 0x20)
        continue;
      put (w, s + plain, i - plain);
      plain = i + 1;
      if (esc)
        put (w, esc, strlen (esc));
      else
        put (w, hex, snprintf (hex, sizeof hex, "\\u%04X", c));
    }
  put (w, s + plain, len - plain);
  put_char (w, '"');
}

void
json_writer_key (struct json_writer *w, const char *s, size_t len)
{
  before_item (w);
  write_string (w, s, len);
  put (w, ": ", w->pretty ? 2 : 1);
  w->after_key = true;
}

void
json_writer_string (struct json_writer *w, const char *s, size_t len)
{
  before_item (w);
  write_string (w, s, len);
  after_value (w);
}

void
json_writer_raw (struct json_writer *w, const char *text, size_t len)
{
  before_item (w);
  put (w, text, len);
  after_value (w);
}

char *
json_writer_finish (struct json_writer *w, size_t *len)
{
  char *text = NULL;

  put (w, "", 0); /* an empty document still gets a buffer */
  if (!w->failed)
    {
      w->buf[w->len] = '\0';
      text = w->buf;
      if (len)
        *len = w->len;
    }
  else
    free (w->buf);
  free (w);
  return text;
}

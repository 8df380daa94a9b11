/* A strict RFC 8259 checker that finds where a text stops being JSON.
 *
 * yajl builds the tree, but it cannot say exactly where an error is (it
 * reports how far it read, which is sometimes the end of the offending
 * token and sometimes the byte after it), and it accepts two things that
 * are not JSON text: byte sequences that are not UTF-8 (overlong forms,
 * encoded surrogates, code points past U+10FFFF; RFC 8259 section 8.1)
 * and \u escapes that are unpaired UTF-16 surrogates (section 8.2: they
 * name no character, and yajl silently rewrites them).  This checker runs
 * over every document, so hako rejects what the schema's reference
 * validator rejects, and it gives the position of the first byte that
 * cannot continue a JSON text. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "json.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_ (x)

/* What may come next. */
enum want
{
  WANT_VALUE,
  WANT_VALUE_OR_CLOSE, /* just after '[' */
  WANT_KEY,
  WANT_KEY_OR_CLOSE, /* just after '{' */
  WANT_COLON,
  WANT_SEPARATOR, /* after a value inside a container */
  WANT_END,       /* after the top-level value */
};

struct scan
{
  const unsigned char *s;
  size_t len;
  size_t i;
  const char *why;
  size_t depth;
  char open[JSON_MAX_DEPTH]; /* '{' or '[' of each open container */
};

static bool
error_at (struct scan *sc, size_t pos, const char *why)
{
  sc->i = pos;
  sc->why = why;
  return false;
}

static bool
is_hex (unsigned char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The 4 hex digits at s[at]; false (error set) if they are not there. */
static bool
read_hex4 (struct scan *sc, size_t at, unsigned *unit)
{
  *unit = 0;
  for (size_t k = 0; k < 4; k++)
    {
      if (at + k >= sc->len)
        return error_at (sc, sc->len, "unexpected end of input");
      unsigned char c = sc->s[at + k];
      if (!is_hex (c))
        return error_at (sc, at + k, "invalid \\u escape");
      *unit = *unit * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
  return true;
}

/* sc->i is at a backslash inside a string. */
static bool
scan_escape (struct scan *sc)
{
  size_t start = sc->i;
  unsigned unit, low;

  if (start + 1 >= sc->len)
    return error_at (sc, sc->len, "unexpected end of input");
  if (strchr ("\"\\/bfnrt", sc->s[start + 1]) != NULL && sc->s[start + 1] != '\0')
    {
      sc->i += 2;
      return true;
    }
  if (sc->s[start + 1] != 'u')
    return error_at (sc, start + 1, "invalid escape sequence");
  if (!read_hex4 (sc, start + 2, &unit))
    return false;
  sc->i = start + 6;
  if (unit >= 0xdc00 && unit <= 0xdfff)
    return error_at (sc, start, "unpaired UTF-16 surrogate in a \\u escape");
  if (unit < 0xd800 || unit > 0xdbff)
    return true;
  /* A high surrogate must be followed by a low one. */
  if (sc->i + 1 < sc->len && sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u')
    {
      if (!read_hex4 (sc, sc->i + 2, &low))
        return false;
      if (low >= 0xdc00 && low <= 0xdfff)
        {
          sc->i += 6;
          return true;
        }
    }
  return error_at (sc, start, "unpaired UTF-16 surrogate in a \\u escape");
}

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7), or 0. */
static size_t
utf8_length (const unsigned char *s, size_t avail)
{
  unsigned char c = s[0], lo = 0x80, hi = 0xbf;
  size_t n;

  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef)
    {
      n = 3;
      lo = c == 0xe0 ? 0xa0 : 0x80;
      hi = c == 0xed ? 0x9f : 0xbf;
    }
  else if (c >= 0xf0 && c <= 0xf4)
    {
      n = 4;
      lo = c == 0xf0 ? 0x90 : 0x80;
      hi = c == 0xf4 ? 0x8f : 0xbf;
    }
  else
    return 0;
  if (avail < n || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t k = 2; k < n; k++)
    if (s[k] < 0x80 || s[k] > 0xbf)
      return 0;
  return n;
}

/* sc->i is at the opening quote. */
static bool
scan_string (struct scan *sc)
{
  sc->i++;
  while (sc->i < sc->len)
    {
      unsigned char c = sc->s[sc->i];
      size_t n;

      if (c == '"')
        {
          sc->i++;
          return true;
        }
      if (c == '\\')
        {
          if (!scan_escape (sc))
            return false;
          continue;
        }
      if (c < 0x20)
        return error_at (sc, sc->i, "control character in a string");
      if (c < 0x80)
        {
          sc->i++;
          continue;
        }
      n = utf8_length (sc->s + sc->i, sc->len - sc->i);
      if (n == 0)
        return error_at (sc, sc->i, "invalid UTF-8");
      sc->i += n;
    }
  return error_at (sc, sc->len, "unexpected end of input");
}

static bool
is_digit (const struct scan *sc, size_t at)
{
  return at < sc->len && sc->s[at] >= '0' && sc->s[at] <= '9';
}

/* One or more digits at sc->i. */
static bool
scan_digits (struct scan *sc)
{
  if (!is_digit (sc, sc->i))
    return error_at (sc, sc->i, sc->i < sc->len ? "invalid number" : "unexpected end of input");
  while (is_digit (sc, sc->i))
    sc->i++;
  return true;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
scan_number (struct scan *sc)
{
  if (sc->s[sc->i] == '-')
    sc->i++;
  if (sc->i < sc->len && sc->s[sc->i] == '0')
    sc->i++;
  else if (!scan_digits (sc))
    return false;
  if (sc->i < sc->len && sc->s[sc->i] == '.')
    {
      sc->i++;
      if (!scan_digits (sc))
        return false;
    }
  if (sc->i < sc->len && (sc->s[sc->i] == 'e' || sc->s[sc->i] == 'E'))
    {
      sc->i++;
      if (sc->i < sc->len && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-'))
        sc->i++;
      if (!scan_digits (sc))
        return false;
    }
  return true;
}

static bool
scan_literal (struct scan *sc, const char *word)
{
  for (size_t k = 0; word[k]; k++, sc->i++)
    {
      if (sc->i >= sc->len)
        return error_at (sc, sc->len, "unexpected end of input");
      if (sc->s[sc->i] != (unsigned char)word[k])
        return error_at (sc, sc->i, "invalid literal (true, false or null expected)");
    }
  return true;
}

static enum want
after_value (const struct scan *sc)
{
  return sc->depth == 0 ? WANT_END : WANT_SEPARATOR;
}

static bool
open_container (struct scan *sc, char bracket, enum want *want)
{
  if (sc->depth >= JSON_MAX_DEPTH)
    return error_at (sc, sc->i, "nesting deeper than " STRINGIFY (JSON_MAX_DEPTH) " levels");
  sc->open[sc->depth++] = bracket;
  sc->i++;
  *want = bracket == '{' ? WANT_KEY_OR_CLOSE : WANT_VALUE_OR_CLOSE;
  return true;
}

/* A value starts at sc->i. */
static bool
scan_value (struct scan *sc, enum want *want)
{
  unsigned char c = sc->s[sc->i];
  bool ok;

  if (c == '{' || c == '[')
    return open_container (sc, c, want);
  if (c == '"')
    ok = scan_string (sc);
  else if (c == '-' || (c >= '0' && c <= '9'))
    ok = scan_number (sc);
  else if (c == 't' || c == 'f' || c == 'n')
    ok = scan_literal (sc, c == 't' ? "true" : c == 'f' ? "false" : "null");
  else
    return error_at (sc, sc->i, "expected a value");
  *want = after_value (sc);
  return ok;
}

static bool
close_container (struct scan *sc, enum want *want)
{
  sc->depth--;
  sc->i++;
  *want = after_value (sc);
  return true;
}

/* One step from the current state at the non-blank byte sc->i. */
static bool
step (struct scan *sc, enum want *want)
{
  unsigned char c = sc->s[sc->i];
  char top = sc->depth ? sc->open[sc->depth - 1] : 0;

  switch (*want)
    {
    case WANT_VALUE_OR_CLOSE:
      if (c == ']')
        return close_container (sc, want);
      /* fallthrough */
    case WANT_VALUE: return scan_value (sc, want);
    case WANT_KEY_OR_CLOSE:
      if (c == '}')
        return close_container (sc, want);
      /* fallthrough */
    case WANT_KEY:
      if (c != '"')
        return error_at (sc, sc->i, "expected a string key");
      *want = WANT_COLON;
      return scan_string (sc);
    case WANT_COLON:
      if (c != ':')
        return error_at (sc, sc->i, "expected ':' after an object key");
      *want = WANT_VALUE;
      sc->i++;
      return true;
    case WANT_SEPARATOR:
      if (c == ',')
        {
          *want = top == '{' ? WANT_KEY : WANT_VALUE;
          sc->i++;
          return true;
        }
      if (c == (top == '{' ? '}' : ']'))
        return close_container (sc, want);
      return error_at (sc, sc->i, top == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
    case WANT_END: return error_at (sc, sc->i, "unexpected text after the document");
    }
  return error_at (sc, sc->i, "internal error");
}

bool
json_check (const char *data, size_t len, size_t *offset, const char **why)
{
  struct scan sc = { .s = (const unsigned char *)data, .len = len };
  enum want want = WANT_VALUE;

  for (;;)
    {
      while (sc.i < len && strchr (" \t\n\r", sc.s[sc.i]) != NULL && sc.s[sc.i] != '\0')
        sc.i++;
      if (sc.i == len)
        {
          if (want == WANT_END)
            return false;
          error_at (&sc, len, "unexpected end of input");
          break;
        }
      if (!step (&sc, &want))
        break;
    }
  *offset = sc.i;
  *why = sc.why;
  return true;
}

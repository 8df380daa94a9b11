/* A small JSON document tree built on yajl's event parser.  Unlike
 * yajl_tree it keeps string lengths (so an embedded NUL is visible), the
 * exact text of numbers (uint64 and int64 are parsed exactly from it),
 * reports syntax errors with line and column, rejects what is not JSON
 * text although yajl takes it (json-check.c), and bounds nesting depth.
 * Text is written by json-write.c. */
#ifndef OCI_JSON_H
#define OCI_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum json_type
{
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_OBJECT,
  JSON_ARRAY,
};

/* Deeper documents are rejected: nothing in the OCI schemas nests past 10,
 * and the limit keeps every recursive walk over a tree bounded. */
#define JSON_MAX_DEPTH 1000

struct json_node
{
  enum json_type type;
  union
  {
    bool boolean;
    struct
    {
      char *text; /* NUL-terminated; for numbers, the literal as written */
      size_t len;
    } str;
    struct
    {
      char **keys;
      size_t *key_lens;
      struct json_node **values;
      size_t len;
    } object;
    struct
    {
      struct json_node **items;
      size_t len;
    } array;
  } u;
};

/* Parse a whole document.  On a syntax error the message reads
 * "DOCNAME:LINE:COL: invalid JSON: reason". */
struct json_node *json_parse (const char *data, size_t len, const char *docname,
                              struct hako_error *err);
void json_free (struct json_node *node);
/* Find where DATA stops being one JSON text (RFC 8259, with strict UTF-8
 * and no unpaired surrogate escapes, nested at most JSON_MAX_DEPTH deep):
 * true with the byte offset and a reason, or false if it is JSON
 * (json-check.c). */
bool json_check (const char *data, size_t len, size_t *offset, const char **why);
struct json_node *json_copy (const struct json_node *node);
bool json_equal (const struct json_node *a, const struct json_node *b);
const char *json_type_name (enum json_type type);

/* Writing JSON text (json-write.c), with no limit on nesting.  Failures
 * (out of memory) are reported once, by json_writer_finish returning NULL. */
struct json_writer;
struct json_writer *json_writer_new (bool pretty);
void json_writer_open (struct json_writer *w, char bracket); /* '{' or '[' */
void json_writer_close (struct json_writer *w, char bracket);
void json_writer_key (struct json_writer *w, const char *s, size_t len);
void json_writer_string (struct json_writer *w, const char *s, size_t len);
/* A number or literal, written as given. */
void json_writer_raw (struct json_writer *w, const char *text, size_t len);
/* The text (malloc'ed, NUL-terminated) and its length; frees W. */
char *json_writer_finish (struct json_writer *w, size_t *len);
/* The last value stored under KEY (JSON objects may repeat a key; the last
 * one wins, as in most parsers, so every reader of a document agrees). */
const struct json_node *json_object_get (const struct json_node *obj, const char *key);

#endif

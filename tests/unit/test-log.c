/* The log (src/libhako/log.c): record formats, levels, destinations. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "log.h"
#include "tap.h"
#include "util.h"

static void
test_text_records (void)
{
  cleanup_free char *r = hako_log_format_record (HAKO_LOG_FORMAT_TEXT, HAKO_LOG_ERROR, 0,
                                                 "container \"x\" does not exist");
  cleanup_free char *w = hako_log_format_record (HAKO_LOG_FORMAT_TEXT, HAKO_LOG_WARN, 86400,
                                                 "tab\there\nnew\\line \x01");

  ok (r
          && strcmp (r, "time=\"1970-01-01T00:00:00Z\" level=error "
                        "msg=\"container \\\"x\\\" does not exist\"\n")
                 == 0,
      "text record");
  ok (w
          && strcmp (w, "time=\"1970-01-02T00:00:00Z\" level=warning "
                        "msg=\"tab\\there\\nnew\\\\line \\x01\"\n")
                 == 0,
      "text escapes as Go's %%q");
}

/* Parse a JSON record and return its members. */
static bool
json_record (const char *line, const char **level, const char **msg, const char **time,
             struct json_node **tree)
{
  const struct json_node *l, *m, *t;

  *tree = json_parse (line, strlen (line), "record", NULL);
  if (*tree == NULL || (*tree)->type != JSON_OBJECT || (*tree)->u.object.len != 3)
    return false;
  l = json_object_get (*tree, "level");
  m = json_object_get (*tree, "msg");
  t = json_object_get (*tree, "time");
  if (!l || !m || !t || l->type != JSON_STRING || m->type != JSON_STRING || t->type != JSON_STRING)
    return false;
  *level = l->u.str.text;
  *msg = m->u.str.text;
  *time = t->u.str.text;
  return true;
}

static void
test_json_records (void)
{
  static const char msg[] = "q\"b\\s\nn\tt\x01 \xc3\xa9 bad\xff end";
  static const char want[] = "q\"b\\s\nn\tt\x01 \xc3\xa9 bad\xef\xbf\xbd end";
  cleanup_free char *r = hako_log_format_record (HAKO_LOG_FORMAT_JSON, HAKO_LOG_DEBUG, 0, msg);
  struct json_node *tree = NULL;
  const char *level = NULL, *m = NULL, *t = NULL;

  ok (r && r[strlen (r) - 1] == '\n' && strchr (r, '\n') == r + strlen (r) - 1,
      "a JSON record is one line");
  ok (r && strncmp (r, "{\"level\":\"debug\",\"msg\":", 23) == 0, "level comes first");
  ok (json_record (r, &level, &m, &t, &tree), "the record parses as an object of 3 strings");
  ok (level && strcmp (level, "debug") == 0, "level is debug");
  ok (m && strcmp (m, want) == 0, "msg round-trips (invalid UTF-8 becomes U+FFFD)");
  ok (t && strcmp (t, "1970-01-01T00:00:00Z") == 0, "time is RFC 3339: %s", t);
  json_free (tree);
}

static char *
slurp (const char *path)
{
  char *data = NULL;
  size_t len;

  if (hako_read_file_at (AT_FDCWD, path, &data, &len, NULL) < 0)
    return hako_xstrdup ("");
  return data;
}

static size_t
count_lines (const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void
test_file_destination (void)
{
  char path[] = "/tmp/hako-test-log.XXXXXX";
  int fd = mkstemp (path);
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *data = NULL;
  cleanup_free char *data2 = NULL;

  close (fd);
  ok (hako_log_init (path, HAKO_LOG_FORMAT_JSON, false, &err) == 0, "log to a file");
  ok (!hako_log_to_stderr (), "which is not stderr");
  ok (fcntl (hako_log_fd (), F_GETFD) & FD_CLOEXEC, "the log fd is close-on-exec");
  errno = EXDEV;
  hako_log_error ("first %d", 1);
  ok (errno == EXDEV, "logging keeps errno");
  hako_log_info ("second");
  hako_log_debug ("not written without --debug");
  data = slurp (path);
  ok (count_lines (data) == 2 && strstr (data, "first 1") && !strstr (data, "not written"),
      "error and info written, debug not");
  ok (hako_log_init (path, HAKO_LOG_FORMAT_TEXT, true, &err) == 0, "reopen with --debug");
  ok (hako_log_enabled (HAKO_LOG_DEBUG), "debug is enabled");
  hako_log_debug ("third");
  data2 = slurp (path);
  ok (count_lines (data2) == 3 && strncmp (data2, data, strlen (data)) == 0
          && strstr (data2, "level=debug msg=\"third\""),
      "the file is appended to");
  ok (hako_log_init ("/nonexistent/dir/log", HAKO_LOG_FORMAT_TEXT, false, &err) < 0
          && strstr (err.msg, "/nonexistent/dir/log"),
      "an unopenable log file is an error: %s", err.msg);
  hako_error_clear (&err);
  hako_log_init (NULL, HAKO_LOG_FORMAT_TEXT, false, &err);
  ok (hako_log_to_stderr () && hako_log_fd () == STDERR_FILENO, "NULL means stderr");
  ok (hako_log_init ("/dev/stderr", HAKO_LOG_FORMAT_TEXT, false, &err) == 0
          && hako_log_to_stderr (),
      "--log /dev/stderr is stderr too");
  hako_log_init (NULL, HAKO_LOG_FORMAT_TEXT, false, &err);
  unlink (path);
}

static void
test_format_names (void)
{
  enum hako_log_format f;
  struct hako_error err = HAKO_ERROR_INIT;

  ok (hako_log_format_parse ("json", &f, &err) == 0 && f == HAKO_LOG_FORMAT_JSON, "json");
  ok (hako_log_format_parse ("text", &f, &err) == 0 && f == HAKO_LOG_FORMAT_TEXT, "text");
  ok (hako_log_format_parse ("JSON", &f, &err) < 0
          && strcmp (err.msg, "invalid log-format: JSON") == 0,
      "anything else: %s", err.msg);
  hako_error_clear (&err);
}

int
main (void)
{
  test_text_records ();
  test_json_records ();
  test_file_destination ();
  test_format_names ();
  return tap_done ();
}

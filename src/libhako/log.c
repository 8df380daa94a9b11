#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static struct
{
  int fd; /* -1: stderr */
  enum hako_log_format format;
  enum hako_log_level threshold;
} log_dest = { -1, HAKO_LOG_FORMAT_TEXT, HAKO_LOG_INFO };

/* logrus' level names, which containerd and log tooling expect. */
static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
hako_log_format_parse (const char *name, enum hako_log_format *out, struct hako_error *err)
{
  if (strcmp (name, "text") == 0)
    *out = HAKO_LOG_FORMAT_TEXT;
  else if (strcmp (name, "json") == 0)
    *out = HAKO_LOG_FORMAT_JSON;
  else
    return hako_error_set (err, EINVAL, "invalid log-format: %s", name);
  return 0;
}

int
hako_log_init (const char *path, enum hako_log_format format, bool debug, struct hako_error *err)
{
  int fd = -1;

  if (path != NULL)
    {
      fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0)
        return hako_error_sys (err, errno, "open log file `%s`", path);
    }
  if (log_dest.fd >= 0)
    close (log_dest.fd);
  log_dest.fd = fd;
  log_dest.format = format;
  log_dest.threshold = debug ? HAKO_LOG_DEBUG : HAKO_LOG_INFO;
  return 0;
}

bool
hako_log_to_stderr (void)
{
  struct stat a, b;

  if (log_dest.fd < 0)
    return true;
  /* --log /dev/stderr (runc's documented default) is stderr too. */
  if (fstat (log_dest.fd, &a) < 0 || fstat (STDERR_FILENO, &b) < 0)
    return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

enum hako_log_format
hako_log_get_format (void)
{
  return log_dest.format;
}

int
hako_log_fd (void)
{
  return log_dest.fd >= 0 ? log_dest.fd : STDERR_FILENO;
}

bool
hako_log_enabled (enum hako_log_level level)
{
  return level <= log_dest.threshold;
}

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 if invalid. */
static size_t
utf8_sequence (const unsigned char *s, size_t n)
{
  size_t len;
  unsigned cp;

  if (s[0] < 0xc2 || s[0] > 0xf4)
    return 0;
  len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
  if (len > n)
    return 0;
  cp = s[0] & (0x7f >> len);
  for (size_t i = 1; i < len; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i] & 0x3f);
    }
  /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
  if ((len == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff
      || (len == 4 && cp < 0x10000))
    return 0;
  return len;
}

/* Append MSG to OUT as the inside of a quoted string: JSON escapes when
 * JSON (invalid UTF-8 becomes U+FFFD so the line stays valid JSON), else the
 * escapes of Go's %q, which logrus uses for text records. */
static void
put_quoted (FILE *out, const char *msg, bool json)
{
  const unsigned char *s = (const unsigned char *)msg;
  size_t n = strlen (msg);

  for (size_t i = 0; i < n;)
    {
      unsigned char c = s[i];
      size_t seq;

      if (c == '"' || c == '\\')
        fprintf (out, "\\%c", c);
      else if (c == '\n')
        fputs ("\\n", out);
      else if (c == '\t')
        fputs ("\\t", out);
      else if (c == '\r')
        fputs ("\\r", out);
      else if (c < 0x20 || c == 0x7f)
        fprintf (out, json ? "\\u%04x" : "\\x%02x", c);
      else if (c < 0x80)
        fputc (c, out);
      else if ((seq = utf8_sequence (s + i, n - i)) > 0)
        {
          fwrite (s + i, 1, seq, out);
          i += seq;
          continue;
        }
      else
        fprintf (out, json ? "\\ufffd" : "\\x%02x", c);
      i++;
    }
}

char *
hako_log_format_record (enum hako_log_format format, enum hako_log_level level, time_t when,
                        const char *msg)
{
  char stamp[32];
  struct tm tm;
  char *buf = NULL;
  size_t len = 0;
  FILE *out;

  /* RFC 3339 in UTC: unambiguous whatever the host's time zone. */
  if (gmtime_r (&when, &tm) == NULL
      || strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    strcpy (stamp, "1970-01-01T00:00:00Z");
  out = open_memstream (&buf, &len);
  if (out == NULL)
    return NULL;
  if (format == HAKO_LOG_FORMAT_JSON)
    {
      fprintf (out, "{\"level\":\"%s\",\"msg\":\"", level_names[level]);
      put_quoted (out, msg, true);
      fprintf (out, "\",\"time\":\"%s\"}\n", stamp);
    }
  else
    {
      fprintf (out, "time=\"%s\" level=%s msg=\"", stamp, level_names[level]);
      put_quoted (out, msg, false);
      fputs ("\"\n", out);
    }
  if (fclose (out) != 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

void
hako_vlog (enum hako_log_level level, const char *fmt, va_list ap)
{
  cleanup_free char *msg = NULL;
  cleanup_free char *record = NULL;
  int saved_errno = errno;

  if (!hako_log_enabled (level))
    return;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  else
    record = hako_log_format_record (log_dest.format, level, time (NULL), msg);
  /* A log that cannot be written has nowhere to report its own failure. */
  if (record != NULL)
    hako_write_all (hako_log_fd (), record, strlen (record));
  errno = saved_errno;
}

void
hako_log (enum hako_log_level level, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  hako_vlog (level, fmt, ap);
  va_end (ap);
}

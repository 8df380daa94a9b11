#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>

ssize_t
hako_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  size_t done = 0;

  while (done < len)
    {
      ssize_t r = write (fd, p + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      done += r;
    }
  return done;
}

int
hako_read_all_fd (int fd, char **out, size_t *len, struct hako_error *err)
{
  size_t have = 0, cap = 4096;
  char *buf = malloc (cap + 1);

  if (buf == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  for (;;)
    {
      ssize_t r;
      if (have == cap)
        {
          char *nb = realloc (buf, cap * 2 + 1);
          if (nb == NULL)
            {
              free (buf);
              return hako_error_set (err, ENOMEM, "out of memory");
            }
          buf = nb;
          cap *= 2;
        }
      r = read (fd, buf + have, cap - have);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;
          free (buf);
          return hako_error_sys (err, saved, "read");
        }
      if (r == 0)
        break;
      have += r;
    }
  buf[have] = '\0';
  *out = buf;
  if (len)
    *len = have;
  return 0;
}

int
hako_read_file_at (int dirfd, const char *path, char **out, size_t *len, struct hako_error *err)
{
  cleanup_fd int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return hako_error_sys (err, errno, "open `%s`", path);
  if (hako_read_all_fd (fd, out, len, err) < 0)
    return hako_error_wrap (err, "read `%s`", path);
  return 0;
}

int
hako_write_file_at (int dirfd, const char *path, const char *data, size_t len,
                    struct hako_error *err)
{
  cleanup_fd int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    return hako_error_sys (err, errno, "open `%s`", path);
  if (hako_write_all (fd, data, len) < 0)
    return hako_error_sys (err, errno, "write `%s`", path);
  return 0;
}

static void __attribute__ ((noreturn)) out_of_memory (void)
{
  static const char msg[] = "hako: out of memory\n";
  if (write (2, msg, sizeof msg - 1) < 0)
    _exit (127);
  _exit (127);
}

char *
hako_strdup_printf (const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&s, fmt, ap) < 0)
    out_of_memory ();
  va_end (ap);
  return s;
}

void *
hako_xmalloc0 (size_t size)
{
  void *p = calloc (1, size ? size : 1);
  if (p == NULL)
    out_of_memory ();
  return p;
}

char *
hako_xstrdup (const char *s)
{
  char *p = strdup (s);
  if (p == NULL)
    out_of_memory ();
  return p;
}

int
hako_pid_compare (const void *a, const void *b)
{
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
  return (x > y) - (x < y);
}

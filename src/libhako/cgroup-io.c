/* Reading and writing cgroup interface files, always relative to the
 * directory fd of the cgroup (never a path the container could swap), and
 * turning the kernel's terse errnos into messages that name the
 * linux.resources field and the file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "cgroup-internal.h"
#include "util.h"

void (*hako_cgroup_write_observer) (const char *file, const char *value);

int
hako_cgroup_try_write (int dirfd, const char *file, const char *value)
{
  cleanup_fd int fd = openat (dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return -errno;
  /* One write(2): the kernel parses each write as a whole value. */
  if (hako_write_all (fd, value, strlen (value)) < 0)
    return -errno;
  if (hako_cgroup_write_observer)
    hako_cgroup_write_observer (file, value);
  return 0;
}

/* Why a write failed, in the words a user needs. */
static const char *
explain (int errnum)
{
  switch (errnum)
    {
    case ENOENT: return "not supported by this host (no such file)";
    case EACCES:
    case EPERM: return "permission denied";
    case EBUSY: return "the kernel refused it now (Device or resource busy)";
    case EINVAL: return "the kernel refused the value (Invalid argument)";
    default: return strerror (errnum);
    }
}

static int
set_write_error (const char *field, const char *file, const char *value, int errnum,
                 struct hako_error *err)
{
  return hako_error_set (err, errnum, "linux.resources.%s: %s: write \"%s\": %s", field, file,
                         value, explain (errnum));
}

int
hako_cgroup_write (int dirfd, const char *field, const char *file, const char *value,
                   struct hako_error *err)
{
  int r = hako_cgroup_try_write (dirfd, file, value);

  if (r < 0)
    return set_write_error (field, file, value, -r, err);
  return 0;
}

int
hako_cgroup_writef (int dirfd, const char *field, const char *file, struct hako_error *err,
                    const char *fmt, ...)
{
  cleanup_free char *value = NULL;
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&value, fmt, ap);
  va_end (ap);
  if (r < 0)
    return hako_error_set (err, ENOMEM, "out of memory");
  return hako_cgroup_write (dirfd, field, file, value, err);
}

/* Write W in order (STEP 1) or in reverse (STEP -1); the index of the
 * failing write and its -errno, or -1 / 0. */
static int
write_in_order (int dirfd, const struct hako_cgroup_write *w, size_t n, int step, int *failed)
{
  for (size_t k = 0; k < n; k++)
    {
      size_t i = step > 0 ? k : n - 1 - k;
      int r = hako_cgroup_try_write (dirfd, w[i].file, w[i].value);
      if (r < 0)
        {
          *failed = (int)i;
          return r;
        }
    }
  return 0;
}

int
hako_cgroup_write_group (int dirfd, const struct hako_cgroup_write *w, size_t n,
                         struct hako_error *err)
{
  int failed = -1, again;
  int r = write_in_order (dirfd, w, n, 1, &failed);

  if (r == 0)
    return 0;
  if ((r == -EINVAL || r == -EBUSY) && n > 1 && write_in_order (dirfd, w, n, -1, &again) == 0)
    return 0;
  return set_write_error (w[failed].field, w[failed].file, w[failed].value, -r, err);
}

bool
hako_cgroup_has_file (int dirfd, const char *file)
{
  return faccessat (dirfd, file, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int
hako_cgroup_read (int dirfd, const char *file, char **out, struct hako_error *err)
{
  size_t len = 0;

  if (hako_read_file_at (dirfd, file, out, &len, err) < 0)
    return -1;
  while (len > 0 && (*out)[len - 1] == '\n')
    (*out)[--len] = '\0';
  return 0;
}

int
hako_cgroup_read_u64 (int dirfd, const char *file, uint64_t *out, struct hako_error *err)
{
  cleanup_free char *s = NULL;
  char *end;

  if (hako_cgroup_read (dirfd, file, &s, err) < 0)
    return -1;
  if (strcmp (s, "max") == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  errno = 0;
  *out = strtoull (s, &end, 10);
  if (errno || end == s || (*end != '\0' && *end != '\n' && *end != ' '))
    return hako_error_set (err, EINVAL, "%s: not a number: \"%s\"", file, s);
  return 0;
}

/* Small helpers shared by all of libhako: cleanup attributes, full reads
 * and writes, string building.  Nothing here knows about containers. */
#ifndef HAKO_UTIL_H
#define HAKO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>
#include <dirent.h>

#include "error.h"

static inline void
hako_freep (void *p)
{
  free (*(void **)p);
}

static inline void
hako_closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static inline void
hako_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

static inline void
hako_closedirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

#define cleanup_free __attribute__ ((cleanup (hako_freep)))
#define cleanup_fd __attribute__ ((cleanup (hako_closep)))
#define cleanup_file __attribute__ ((cleanup (hako_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (hako_closedirp)))

/* Hand an fd out of a cleanup_fd variable. */
static inline int
hako_steal_fd (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

#define HAKO_ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

/* Write all of BUF, retrying on EINTR and short writes; < 0 with errno. */
ssize_t hako_write_all (int fd, const void *buf, size_t len);
/* Read until EOF into a malloc'ed, NUL-terminated buffer. */
int hako_read_all_fd (int fd, char **out, size_t *len, struct hako_error *err);
/* Read a whole file under DIRFD (AT_FDCWD for a path), NUL-terminated. */
int hako_read_file_at (int dirfd, const char *path, char **out, size_t *len,
                       struct hako_error *err);
/* Write a small file under DIRFD (e.g. a cgroup or /proc file), no O_CREAT. */
int hako_write_file_at (int dirfd, const char *path, const char *data, size_t len,
                        struct hako_error *err);
/* asprintf that aborts on out-of-memory (only for small strings). */
char *hako_strdup_printf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
void *hako_xmalloc0 (size_t size);
char *hako_xstrdup (const char *s);
/* qsort comparison of two pid_t, ascending. */
int hako_pid_compare (const void *a, const void *b);

#endif

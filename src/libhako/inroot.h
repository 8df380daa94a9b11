/* Resolving and creating paths beneath a root directory fd, for paths the
 * container controls (mount destinations, device nodes, masked paths).
 * Every lookup goes through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS):
 * an absolute symlink or a ".." in the rootfs resolves against the rootfs,
 * never against the host.  Creation happens relative to an fd of the parent
 * directory, so no host path is ever walked.
 *
 * These return an fd (or 0) on success and -1 with errno set on failure;
 * callers turn errno into a struct hako_error naming the path. */
#ifndef HAKO_INROOT_H
#define HAKO_INROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | EXTRA_RESOLVE and
 * O_CLOEXEC added to FLAGS; retried on EAGAIN (a concurrent rename). */
int hako_inroot_open (int rootfd, const char *path, int flags, uint64_t extra_resolve);

/* What hako_inroot_create makes when PATH is missing. */
enum hako_inroot_kind
{
  HAKO_INROOT_DIR,  /* a directory (and its missing parents) */
  HAKO_INROOT_FILE, /* an empty regular file (missing parents as directories) */
};

/* Open PATH as O_PATH, creating it (and missing parent directories, mode
 * 0755) when it does not exist.  *CREATED tells whether PATH was made. */
int hako_inroot_create (int rootfd, const char *path, enum hako_inroot_kind kind, mode_t mode,
                        uint64_t extra_resolve, bool *created);

/* Open the parent directory of PATH (O_PATH|O_DIRECTORY), creating missing
 * directories, and copy the last component into NAME (NAMESZ bytes).  A
 * PATH without a last component ("/", "a/..") fails with EINVAL. */
int hako_inroot_open_parent (int rootfd, const char *path, uint64_t extra_resolve, char *name,
                             size_t namesz);

/* Lexically clean PATH into OUT as an absolute path: duplicate slashes and
 * "." dropped, ".." applied (never above "/").  Only for comparing a
 * destination with well-known names such as "/dev"; never for opening. */
void hako_path_clean (const char *path, char *out, size_t outsz);

/* Does the cleaned PATH equal or lie below the cleaned DIR? */
bool hako_path_is_under (const char *path, const char *dir);

#endif

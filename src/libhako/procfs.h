/* Writing and reading /proc from inside the container without trusting
 * the container's filesystem: /proc must be a real procfs root (checked
 * with fstatfs and its inode), and paths below it are resolved with
 * openat2 so that no symlink, magic link, ".." or mount (a file bound over
 * another) can redirect a write. */
#ifndef HAKO_PROCFS_H
#define HAKO_PROCFS_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* Open "/" + "proc" of the current root (O_PATH|O_DIRECTORY, not following a
 * symlink) and check that it is the root of a procfs mount. */
int hako_procfs_open (struct hako_error *err);

/* Open REL (e.g. "sys/net/ipv4/ip_forward") beneath PROCFD with FLAGS,
 * refusing symlinks of any kind, mount points and anything outside PROCFD. */
int hako_procfs_openat (int procfd, const char *rel, int flags, struct hako_error *err);

/* Build "<pid>/REL" in BUF: the calling process's directory as this procfs
 * instance numbers it (read from its "self" link), for use with the calls
 * below, which refuse to follow "self" itself. */
int hako_procfs_self (int procfd, const char *rel, char *buf, size_t size, struct hako_error *err);

/* Write DATA to REL beneath PROCFD (one write(2), as /proc files expect). */
int hako_procfs_write (int procfd, const char *rel, const char *data, size_t len,
                       struct hako_error *err);

/* Read at most SIZE-1 bytes of REL beneath PROCFD into BUF, NUL-terminated;
 * returns the length. */
ssize_t hako_procfs_read (int procfd, const char *rel, char *buf, size_t size,
                          struct hako_error *err);

#endif

/* CVE-2019-5736: the binary a runtime process runs must not be writable
 * through /proc/PID/exe by the container.  A container process can reach
 * that link while a hako process (the init before its exec, the child of
 * `hako exec`) is in its pid namespace, or make one by exec'ing
 * /proc/self/exe from such a process (as its entry point, a symlink or a
 * "#!" line) with a loader of its own in the image; it then keeps an fd of
 * the file and opens it for writing once hako has exited.  hako's answer:
 * before a command that enters a container, it runs from a copy of itself
 * that cannot be written through any path (a detached read-only bind
 * mount of the same file, or a sealed memfd where it may not mount). */
#ifndef HAKO_SELFEXE_H
#define HAKO_SELFEXE_H

#include "error.h"

/* How the running binary is protected. */
enum hako_selfexe_kind
{
  HAKO_SELFEXE_EXPOSED,  /* a writable file: protect it before entering a container */
  HAKO_SELFEXE_READONLY, /* on a read-only mount (ours, or the host's) */
  HAKO_SELFEXE_SEALED,   /* a memfd sealed against writes */
};

/* What protects /proc/self/exe now; < 0 with ERR when it cannot be told. */
int hako_selfexe_kind (struct hako_error *err);

/* Return 0 when the running binary is protected already; otherwise
 * re-execute ARGV (with the current environment) from a protected copy of
 * the binary, which does not return; < 0 with ERR if that failed.  Call it
 * before anything is opened or started: nothing survives the exec but the
 * fds without close-on-exec. */
int hako_selfexe_protect (char *const *argv, struct hako_error *err);

#endif

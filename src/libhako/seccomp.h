/* linux.seccomp: compiled to classic BPF by libseccomp in stage 0 (before
 * any clone, where allocation is cheap and errors are easy to report), then
 * loaded as a ready program in stage 2 or the exec child with one system
 * call and no allocation. */
#ifndef HAKO_SECCOMP_H
#define HAKO_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

/* A compiled filter.  Zero it before use; hako_seccomp_prog_release frees
 * what hako_seccomp_compile filled. */
struct hako_seccomp_prog
{
  struct sock_filter *bpf; /* heap array of len instructions */
  unsigned short len;      /* struct sock_fprog counts in an unsigned short */
  unsigned int flags;      /* SECCOMP_FILTER_FLAG_* to pass to seccomp(2) */
  bool notify;             /* SCMP_ACT_NOTIFY rules: loading gives a listener fd */
};

/* Stage 0: build the filter S describes.  Syscall names libseccomp does not
 * know are skipped with a debug message (as runc does: profiles list calls
 * newer than the library); unknown actions, operators and architectures,
 * SCMP_ACT_NOTIFY (not supported yet) and libseccomp's refusals fail with
 * the JSON path ("linux.seccomp.syscalls[3].args[0].op: ...").
 * SCMP_ACT_NOTIFY rules set P->notify and SECCOMP_FILTER_FLAG_NEW_LISTENER.  Without
 * libseccomp at build time every filter is refused. */
int hako_seccomp_compile (const struct oci_seccomp *s, struct hako_seccomp_prog *out,
                          struct hako_error *err);

/* Stage 2 / the exec child: install P on the calling thread.  Without
 * no_new_privs the kernel requires CAP_SYS_ADMIN.  No allocation on
 * success.  For a notify filter, *LISTENER is the listener fd (else -1). */
int hako_seccomp_load (const struct hako_seccomp_prog *p, int *listener, struct hako_error *err);

/* Stage 0 (seccomp-notify.c): give LISTENER to the agent at CONFIG's
 * linux.seccomp.listenerPath: one message on a unix stream socket, the
 * container process state (JSON: fds ["seccompFd"], PID, listenerMetadata,
 * the container's state with STATUS and INIT_PID) with the fd attached. */
int hako_seccomp_send_listener (const struct oci_config *config, const char *id, const char *bundle,
                                const char *status, pid_t init_pid, pid_t pid, int listener,
                                struct hako_error *err);

void hako_seccomp_prog_release (struct hako_seccomp_prog *p);

#endif

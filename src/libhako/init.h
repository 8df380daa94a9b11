/* The contract between the init spine (nsexec.c, stage 0/1/2) and the
 * feature files that set a container up from inside (rootfs.c, mount.c,
 * dev.c, process.c, terminal.c, hooks.c).  Stage 0 fills a struct
 * hako_init_ctx before cloning; stages 1 and 2 read it from their copy
 * of stage 0's memory (fork semantics), so nothing sizeable is allocated
 * inside the container. */
#ifndef HAKO_INIT_H
#define HAKO_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

struct hako_seccomp_prog;

/* Flags of namespaces (CLONE_NEW*) the container creates or joins. */
struct hako_ns_plan
{
  unsigned long create; /* CLONE_NEW* bits to unshare */
  unsigned long join;   /* CLONE_NEW* bits joined by path */
  int join_fds[8];      /* opened by stage 0, in hako_ns_order[] order; -1 if unused */
};

struct hako_init_ctx
{
  const struct oci_config *config; /* parsed and validated (levels 1 and 2) */
  const char *id;
  const char *bundle; /* absolute */
  const char *rootfs; /* absolute host path of root.path */
  int rootfs_fd;      /* O_PATH|O_DIRECTORY of the rootfs, opened in stage 0 */
  struct hako_ns_plan ns;
  bool userns;           /* the container runs in a user namespace (new or joined) */
  bool no_pivot;         /* --no-pivot: chroot after moving the rootfs to / */
  bool no_new_keyring;   /* --no-new-keyring */
  int preserve_fds;      /* --preserve-fds N: fds 3 .. 3+N-1 go to the process */
  int sync_fd;           /* this stage's end of the SOCK_SEQPACKET sync socket */
  int fifo_fd;           /* <state>/exec.fifo opened O_RDWR by stage 0: stage 2 blocks in
                            read() on it until `start` writes a byte; -1 for exec */
  int console_socket_fd; /* connected --console-socket, or -1 */
  /* Stage 0's own fds that must not survive into stage 1: above all the
   * container's lock (an flock lives as long as any copy of its fd). */
  int parent_only_fds[4];
  bool detach; /* create/run -d: stdio stays as given */
  /* linux.seccomp compiled by stage 0 (seccomp.h), NULL when none; loaded
   * by hako_process_prepare (no_new_privs false) or hako_process_exec. */
  struct hako_seccomp_prog *seccomp;
  /* SELinux labels to apply: raw contexts checked by stage 0 (selinux.h),
   * NULL when unset or when SELinux is off on this host. */
  char *selinux_process_label;
  char *selinux_mount_label;
  /* Set by stage 2 while it works. */
  int console_master_fd;
  char console_slave_path[64];
  bool started; /* stage 2 read the go byte from exec.fifo */
};

/* ---- provided by rootfs.c / mount.c / dev.c (stage 2, new mount ns) ---- */

/* Before pivot_root: propagation of /, the rootfs bind, every entry of
 * config->mounts (fd-based, RESOLVE_IN_ROOT), /dev content (default
 * devices, linux.devices, /dev symlinks), devpts/ptmx. */
int hako_rootfs_prepare (struct hako_init_ctx *ctx, struct hako_error *err);
/* pivot_root into the rootfs (or chroot with --no-pivot); afterwards the
 * working directory is the new "/". */
int hako_rootfs_pivot (struct hako_init_ctx *ctx, struct hako_error *err);
/* After pivot_root: /dev/console (if a terminal was set up), maskedPaths,
 * readonlyPaths, root.readonly, rootfsPropagation of the final tree. */
int hako_rootfs_finalize (struct hako_init_ctx *ctx, struct hako_error *err);

/* ---- provided by hooks.c (stage 0 and stage 2) ---- */

/* Run hooks in order: fork, exec hook->path with args and env, the state
 * JSON on stdin, kill after timeout seconds.  The first failure stops the
 * list and is returned ("createRuntime hook /usr/bin/x: exit status 3"). */
int hako_hooks_run (const char *stage, const struct oci_hook *hooks, size_t n,
                    const char *state_json, size_t state_len, struct hako_error *err);

/* ---- provided by terminal.c ---- */

/* In stage 2 after pivot_root (and in exec after joining the mount
 * namespace): create the pty from the container's /dev/ptmx, apply
 * consoleSize, make the slave the controlling terminal and stdio; fill
 * ctx->console_master_fd (sent to stage 0 by the spine) and
 * console_slave_path (bound over /dev/console by hako_rootfs_finalize). */
int hako_terminal_setup (struct hako_init_ctx *ctx, struct hako_error *err);

/* ---- provided by sysctl.c (stage 2, after pivot_root) ---- */

/* hostname, domainname (new UTS namespace only) and linux.sysctl, written
 * through a procfs fd that is checked to be procfs (no symlink tricks). */
int hako_kernel_settings_apply (struct hako_init_ctx *ctx, struct hako_error *err);

/* ---- provided by process.c (stage 2 of create, and exec) ---- */

/* Everything about the process, done before the exec fifo wait, in this
 * order where it matters: rlimits, oomScoreAdj, scheduler, ioPriority, personality, memoryPolicy,
 * keyring, user/groups, capabilities, no_new_privs, umask, cwd. */
int hako_process_prepare (struct hako_init_ctx *ctx, const struct oci_process *process,
                          struct hako_error *err);
/* Close or mark CLOEXEC every fd above 2 + preserve_fds (LISTEN_FDS
 * handling included) and execve process->args with process->env, looking
 * args[0] up in the PATH of process->env.  Returns only on failure. */
int hako_process_exec (struct hako_init_ctx *ctx, const struct oci_process *process,
                       struct hako_error *err);

#endif

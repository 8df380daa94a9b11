/* The container process beyond the two calls of init.h: the pieces of
 * hako_process_prepare for callers that need to run something between
 * them, the per-attribute helpers (process-attrs.c), and what stage 0
 * must do for LISTEN_FDS and execCPUAffinity.initial. */
#ifndef HAKO_PROCESS_H
#define HAKO_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "init.h"
#include "oci.h"

/* ---- process.c: the two halves of hako_process_prepare ---- */

/* Everything done while still fully privileged: the exec plan (argv, env
 * with HOME and LISTEN_*, resolved later), capability names checked,
 * rlimits, oomScoreAdj, scheduler, ioPriority, execCPUAffinity.final (exec
 * only), personality, memoryPolicy, session keyring, and the cwd when root
 * can already enter it (created if missing, for create only, as runc).
 * Allocates; nothing after it needs to. */
int hako_process_prepare_privileged (struct hako_init_ctx *ctx, const struct oci_process *process,
                                     struct hako_error *err);
/* The identity switch and what follows it: bounding set, groups, gid,
 * uid (keeping capabilities), cwd (verified inside the root), the other
 * capability sets, no_new_privs, umask, and the lookup of args[0] in the
 * container's PATH, so a missing binary fails create, not start.  A
 * seccomp filter that needs CAP_SYS_ADMIN (noNewPrivileges false) must be
 * loaded between the two halves. */
int hako_process_switch_identity (struct hako_init_ctx *ctx, const struct oci_process *process,
                                  struct hako_error *err);

/* True when linux.seccomp is loaded by hako_process_prepare, before the
 * identity switch (no no_new_privs, or a notify listener to hand over),
 * rather than by hako_process_exec right before execve. */
bool hako_seccomp_load_early (const struct hako_init_ctx *ctx, const struct oci_process *process);

/* Create process.cwd beneath the current root when missing (mode 0755,
 * as runc does for the init).  Stage 2 calls it after pivot_root and before
 * hako_rootfs_finalize, while root.readonly has not yet made "/" read-only;
 * hako_process_prepare tries again for create (never for exec). */
int hako_process_cwd_create (const struct oci_process *process, struct hako_error *err);

/* ---- process-exec.c ---- */

/* Stage 0 of create, run and exec, before cloning: when systemd socket
 * activation handed fds to this process (LISTEN_PID is our pid and
 * LISTEN_FDS > 0), remember their number, so that the container process
 * gets fds 3 .. 3+N-1 (before the --preserve-fds ones), LISTEN_FDS=N and
 * LISTEN_PID=its own pid, as runc does.  Returns N (0 when not activated). */
int hako_listen_fds_detect (void);
/* The N remembered by hako_listen_fds_detect (stages 1 and 2 see stage 0's
 * value through their copy of its memory). */
int hako_listen_fds_count (void);

/* Build the argv and environment of PROCESS (env deduplicated, last one
 * wins; HOME from the container's /etc/passwd when unset; LISTEN_*). */
int hako_exec_plan_build (const struct oci_process *process, struct hako_error *err);
/* Find args[0]: as given when it holds a '/', else in the PATH of the
 * container's environment (execvp's rules, "/bin:/usr/bin" when unset).
 * Run as the container user, after the cwd is set.  No allocation. */
int hako_exec_plan_resolve (struct hako_error *err);
/* Mark every fd above 2 + LISTEN_FDS + preserve_fds close-on-exec (after
 * checking none of ours sits below that); hako_process_exec does it if
 * nobody did before. */
int hako_process_fds_prepare (struct hako_init_ctx *ctx, struct hako_error *err);
/* Has hako_exec_plan_resolve found the program already? */
bool hako_exec_plan_resolved (void);
/* Set process.apparmorProfile and CTX's SELinux label for the next execve
 * (once per plan): hako_process_exec does it right before a late seccomp
 * filter and the execve, hako_process_prepare before a filter it loads
 * early. */
int hako_process_lsm_apply (const struct hako_init_ctx *ctx, const struct oci_process *process,
                            struct hako_error *err);

/* ---- process-attrs.c: one field each, applied to the calling process ---- */

int hako_rlimits_apply (const struct oci_process *process, struct hako_error *err);
int hako_oom_score_adj_apply (int64_t adj, struct hako_error *err);
int hako_scheduler_apply (const struct oci_scheduler *sched, struct hako_error *err);
int hako_io_priority_apply (const struct oci_io_priority *io, struct hako_error *err);
int hako_personality_apply (const struct oci_personality *pers, struct hako_error *err);
int hako_memory_policy_apply (const struct oci_memory_policy *mpol, struct hako_error *err);
/* Join (creating it) the session keyring "_ses.ID" so the container does
 * not share the caller's; with SET_PERMS make it searchable by the
 * container's users, as runc does at create. */
int hako_session_keyring_join (const char *id, bool set_perms, bool userns, struct hako_error *err);

/* Parse a list such as "0-3,7" into MASK of NBITS bits (zeroed first);
 * *HIGHEST gets the highest id set, -1 when the list is empty.  WHAT
 * names the field in messages. */
int hako_id_list_parse (const char *what, const char *list, unsigned long *mask, size_t nbits,
                        long *highest, struct hako_error *err);
/* sched_setaffinity of the calling thread to CPULIST ("0-3,7"); an empty
 * list changes nothing.  Stage 0 of exec uses it for
 * execCPUAffinity.initial before joining the container's cgroup. */
int hako_cpu_affinity_apply (const char *cpulist, struct hako_error *err);
/* Allow every CPU again (best effort), so a process exec'd into a
 * container does not keep the caller's affinity when none is configured. */
void hako_cpu_affinity_reset (void);

#endif

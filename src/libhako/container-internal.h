/* Shared between the lifecycle files (container*.c). */
#ifndef HAKO_CONTAINER_INTERNAL_H
#define HAKO_CONTAINER_INTERNAL_H

#include <signal.h>

#include "container.h"
#include "init.h"
#include "oci.h"
#include "status.h"

#define HAKO_EXEC_FIFO "exec.fifo"
#define HAKO_CONFIG_COPY "config.json"

/* The OCI state JSON of a stored container with the given status. */
char *hako_state_json_for (const struct oci_hako_status *st, const char *status, size_t *len,
                           struct hako_error *err);
/* "created" (the exec fifo exists), "running" or "stopped". */
const char *hako_entry_status (const struct hako_entry *entry);
/* The config saved at create, for hooks and exec. */
struct oci_config *hako_entry_config (const struct hako_entry *entry, struct hako_error *err);
/* start, given the opened entry (used by run too). */
int hako_entry_start (struct hako_entry *entry, struct hako_error *err);

/* What create hands to run: the init as our child, and the pty master when
 * there is a terminal but no console socket. */
struct hako_created
{
  pid_t pid;
  int pidfd;
  int console_master;
};
int hako_container_create_full (const struct hako_create_opts *o, bool foreground,
                                struct hako_created *out, struct hako_error *err);

/* Signals run and exec pass on to the container's process. */
void hako_forwarded_signals (sigset_t *set);
/* Forward signals in SET (blocked by the caller) to PIDFD until it exits. */
int hako_forward_until_exit (int pidfd, const sigset_t *set, struct hako_error *err);
/* 128+N for a signal, else the exit status. */
int hako_exit_code_of (const siginfo_t *si);
/* Write PID to PATH atomically (tmp + rename), as --pid-file asks. */
int hako_write_pid_file (const char *path, pid_t pid, struct hako_error *err);
/* Connect to the --pidfd-socket at PATH and send PIDFD. */
int hako_send_pidfd (const char *path, int pidfd, struct hako_error *err);
/* Refuse LSM settings the host cannot enforce, and keep the SELinux labels
 * to apply in CTX (see container-create.c); SOURCE ("config.json", ...)
 * prefixes the message.  hako_lsm_release frees what it kept. */
int hako_lsm_check (const struct oci_process *p, const struct oci_linux *lx, const char *source,
                    struct hako_init_ctx *ctx, struct hako_error *err);
void hako_lsm_release (struct hako_init_ctx *ctx);

#endif

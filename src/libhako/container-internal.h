/* Shared between the lifecycle files (container*.c). */
#ifndef HAKO_CONTAINER_INTERNAL_H
#define HAKO_CONTAINER_INTERNAL_H

#include "container.h"
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
/* A pidfd of the stored init if it still runs, else -1 (errno ESRCH). */
int hako_entry_pidfd (const struct hako_entry *entry);
/* start, given the opened entry (used by run too). */
int hako_entry_start (struct hako_entry *entry, struct hako_error *err);
/* delete, given the opened entry; closes it. */
int hako_entry_delete (struct hako_entry *entry, bool force, struct hako_error *err);

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

#endif

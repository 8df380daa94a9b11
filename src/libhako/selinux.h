/* SELinux: process.selinuxLabel, linux.mountLabel and exec --process-label.
 * Stage 0 decides whether labels apply (SELinux enabled with a policy) and
 * checks them against the loaded policy with libselinux, loaded only then;
 * the container process writes its label through the checked procfs
 * helpers (procfs.h), never through paths the container controls, which is
 * why libselinux's own setexeccon() is not used there. */
#ifndef HAKO_SELINUX_H
#define HAKO_SELINUX_H

#include <stdbool.h>

#include "error.h"

/* Is SELinux enabled on this host (selinuxfs mounted, policy loaded)?
 * Cheap: no library is loaded when selinuxfs is not there. */
bool hako_selinux_enabled (void);

/* Stage 0: LABEL as the kernel takes it (a translated MCS level turned
 * raw), in *RAW, after checking that the loaded policy knows it.  Fails
 * when hako was built without SELinux support or libselinux cannot be
 * loaded. */
int hako_selinux_check_label (const char *label, char **raw, struct hako_error *err);

/* In the container process: run the next execve with LABEL (a raw context
 * checked by stage 0).  NULL does nothing. */
int hako_selinux_set_exec_label (const char *label, struct hako_error *err);

/* In the container process: label the keys it creates from now on, above
 * all the session keyring (the kernel forgets it at execve).  NULL does
 * nothing. */
int hako_selinux_set_keycreate_label (const char *label, struct hako_error *err);

/* Mount data for a new filesystem of TYPE: DATA with context="LABEL"
 * added when LABEL is set, TYPE takes a mount context (tmpfs, devpts) and
 * DATA does not set one itself.  Returns a new string, or NULL for no data
 * at all.  mqueue is left alone: its superblock is made with the IPC
 * namespace, and the kernel refuses a context differing from that one. */
char *hako_selinux_mount_data (const char *label, const char *type, const char *data);

#endif

/* Level 2 validation: the rules runtime-spec v1.3.0 states in prose for
 * Linux (config.md, config-linux.md) beyond what its JSON schema checks,
 * plus the kernel's own limits on values, run on a parsed document before
 * anything is created.  Pure data: no syscalls, no filesystem access.
 *
 * A MUST the config breaks is an error naming the JSON path:
 *   config.json: process.cwd: must be an absolute path, got "tmp"
 * A SHOULD it breaks, or a value the spec says to ignore or log, is a
 * warning in the same format; the caller logs warnings and goes on. */
#ifndef OCI_VALIDATE_LINUX_H
#define OCI_VALIDATE_LINUX_H

#include "oci.h"

/* Warnings collected by a validation, in document order. */
struct oci_warnings
{
  char **msgs;
  size_t len;
};

/* Free the messages and reset W to empty. */
void oci_warnings_free (struct oci_warnings *w);

/* Validate config.json for `create`: the process is required.  WARNINGS
 * may be NULL.  Returns 0, or -1 with ERR set (first error only). */
int oci_config_validate_linux (const struct oci_config *config, struct oci_warnings *warnings,
                               struct hako_error *err);

/* Validate a process given alone (`exec --process FILE`); DOCNAME prefixes
 * messages ("process.json" when NULL) and paths are relative to it
 * ("cwd", "rlimits[1].type"). */
int oci_process_validate_linux (const struct oci_process *process, const char *docname,
                                struct oci_warnings *warnings, struct hako_error *err);

/* Capability name ("CAP_CHOWN") to its number, or -1 when unknown. */
int oci_capability_number (const char *name);
/* Number to name, or NULL.  OCI_CAP_LAST is the highest known number. */
const char *oci_capability_name (int number);
#define OCI_CAP_LAST 40

/* Resource limit name ("RLIMIT_NOFILE") to its RLIMIT_* value on this
 * architecture, or -1 when unknown. */
int oci_rlimit_resource (const char *name);

#endif

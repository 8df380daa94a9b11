/* Writing a user namespace's uid/gid maps from the outside. */
#ifndef HAKO_IDMAP_H
#define HAKO_IDMAP_H

#include <sys/types.h>

#include "error.h"
#include "oci.h"

/* Write /proc/PID/{uid_map,setgroups,gid_map} from linux.uidMappings and
 * gidMappings.  Root writes them directly; an unprivileged caller writes
 * its own single id directly (setgroups "deny") and uses newuidmap and
 * newgidmap for anything else. */
int hako_idmap_write (pid_t pid, const struct oci_linux *lx, struct hako_error *err);

/* Format mappings as the kernel's map file text ("0 1000 1\n..."). */
char *hako_idmap_format (const struct oci_id_mapping *m, size_t n);

#endif

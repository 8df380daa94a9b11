/* `hako spec`: the starter config.json. */
#ifndef HAKO_SPEC_H
#define HAKO_SPEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

/* The default configuration, parsed (and so schema-validated) by libocispec.
 * ROOTLESS: for an unprivileged user UID/GID, mapped to root in a new user
 * namespace; no network namespace, sysfs bind-mounted from the host, no
 * device cgroup rules, no gid= for devpts. */
struct oci_config *hako_spec_default (bool rootless, uid_t uid, gid_t gid, struct hako_error *err);

#endif

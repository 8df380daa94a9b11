/* Linux capabilities of the container process: names, parsing of
 * process.capabilities, and applying the five sets in the order the
 * kernel's rules require (bounding while CAP_SETPCAP is still held, the
 * others after the uid change).  Raw capget/capset, no libcap. */
#ifndef HAKO_CAPS_H
#define HAKO_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "oci.h"

/* The sets as bit masks (bit N = capability N). */
struct hako_caps
{
  uint64_t bounding;
  uint64_t effective;
  uint64_t inheritable;
  uint64_t permitted;
  uint64_t ambient;
};

/* The highest capability the running kernel knows (its cap_last_cap),
 * probed with PR_CAPBSET_READ so that it works without /proc. */
int hako_cap_last_cap (void);

/* Parse CAPS into OUT.  An unknown name is an error; a name the running
 * kernel does not know (newer than it) is skipped with a debug message. */
int hako_caps_parse (const struct oci_capabilities *caps, struct hako_caps *out,
                     struct hako_error *err);

/* Make the bounding set exactly CAPS->bounding: drop every other
 * capability.  Needs CAP_SETPCAP, so call it before changing the uid.  A
 * capability asked for but no longer in the bounding set is an error that
 * names it (a bounding set can only shrink). */
int hako_caps_apply_bounding (const struct hako_caps *caps, struct hako_error *err);

/* Set inheritable, permitted and effective, then ambient.  Call after the
 * uid change done with PR_SET_KEEPCAPS.  Errors name the capability that
 * cannot be set and why. */
int hako_caps_apply_sets (const struct hako_caps *caps, struct hako_error *err);

#endif

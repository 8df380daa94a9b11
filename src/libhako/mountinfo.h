/* /proc/self/mountinfo, parsed: used where the host's layout matters
 * (cgroup v1 hierarchies, --no-pivot hiding the host's procfs). */
#ifndef HAKO_MOUNTINFO_H
#define HAKO_MOUNTINFO_H

#include <stddef.h>

#include "error.h"

struct hako_mountinfo_entry
{
  const char *root;       /* the mount's root within its filesystem */
  const char *mountpoint; /* relative to the reader's root, escapes decoded */
  const char *fstype;
  const char *source;
  const char *super_opts; /* e.g. "rw,cpu" for a cgroup v1 hierarchy */
};

struct hako_mountinfo
{
  struct hako_mountinfo_entry *entries;
  size_t n;
  char *text; /* the file's text; the entries point into it */
};

/* Read and parse /proc/self/mountinfo. */
int hako_mountinfo_read (struct hako_mountinfo *mi, struct hako_error *err);
void hako_mountinfo_free (struct hako_mountinfo *mi);

#endif

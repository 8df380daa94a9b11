/* The mount options hako understands, in one table (mount-options.c):
 * mount(8) flags, propagation, the recursive mount_setattr attributes
 * (rro, rnosuid, ...) and idmap/ridmap.  Any other option is filesystem
 * data ("size=64k", "mode=755"), passed to the filesystem as runc does. */
#ifndef HAKO_MOUNT_OPTIONS_H
#define HAKO_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h>

#include "error.h"

/* One config mount's options, parsed. */
struct hako_mount_opts
{
  unsigned long flags;        /* MS_* the options set */
  unsigned long clear;        /* MS_* the options explicitly clear ("rw", "suid", ...) */
  unsigned long *propagation; /* MS_SHARED ... (| MS_REC), in the order given */
  size_t n_propagation;
  uint64_t rec_set; /* MOUNT_ATTR_* to set recursively (rro, rnosuid, ...) */
  uint64_t rec_clr; /* MOUNT_ATTR_* to clear recursively (rrw, rsuid, ...) */
  bool idmap;       /* idmap or ridmap given */
  bool idmap_recursive;
  bool legacy_only; /* an option only mount(2) expresses (iversion, noiversion) */
  bool tmpcopyup;   /* tmpfs: copy what the mount point holds into it (runc's extension) */
  char *data;       /* the remaining options joined with ',', or NULL */
};

/* Parse OPTIONS (N of them) into *O (zeroed first).  Never fails on an
 * unknown option: it becomes data. */
void hako_mount_opts_parse (char *const *options, size_t n, struct hako_mount_opts *o);
void hako_mount_opts_free (struct hako_mount_opts *o);

/* The non-recursive per-mount attributes of O as a mount_setattr request
 * (attr_set/attr_clr only).  Returns false when O asks for none. */
bool hako_mount_opts_attr (const struct hako_mount_opts *o, struct mount_attr *attr);

/* The superblock flags of O that fsconfig() sets by name ("sync", ...),
 * NULL-terminated in NAMES (room for 5). */
void hako_mount_opts_sb_flags (const struct hako_mount_opts *o, const char **names);

/* Every option name of the table, NULL-terminated, in table order: what
 * `hako features` reports as mountOptions. */
const char *const *hako_mount_option_names (void);

#endif

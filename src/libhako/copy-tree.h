/* Copying a directory tree between two directory fds: what the tmpcopyup
 * mount option needs (the content an image has at a tmpfs mount point
 * shows through in the new tmpfs, as runc and crun do it). */
#ifndef HAKO_COPY_TREE_H
#define HAKO_COPY_TREE_H

#include "error.h"

/* Copy everything below the directory SRC into the directory DST (both
 * may be O_PATH): directories, regular files, symlinks (as links, never
 * followed) and special files, with their owner, mode and times.  Hard
 * links become separate files; extended attributes are not copied.  Trees
 * deeper than 256 levels are refused. */
int hako_copy_tree (int src, int dst, struct hako_error *err);

#endif

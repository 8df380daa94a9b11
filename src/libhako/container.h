/* The container lifecycle as the CLI drives it (stage 0): create, start,
 * run, kill, delete, state.  One command at a time per container: each
 * takes the container's lock in the state store. */
#ifndef HAKO_CONTAINER_H
#define HAKO_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "status.h"

struct hako_create_opts
{
  const char *root; /* state root (--root) */
  const char *id;
  const char *bundle;         /* NULL: the current directory */
  const char *pid_file;       /* --pid-file */
  const char *console_socket; /* --console-socket */
  const char *pidfd_socket;   /* --pidfd-socket */
  int preserve_fds;           /* --preserve-fds */
  bool no_pivot;
  bool no_new_keyring;
  const char *cgroup_manager; /* "cgroupfs" (NULL), "systemd" or "disabled" */
};

int hako_container_create (const struct hako_create_opts *o, struct hako_error *err);
int hako_container_start (const char *root, const char *id, struct hako_error *err);
/* create + start.  DETACH returns once started; otherwise hako stays the
 * init's parent, forwards signals (and proxies a terminal without a console
 * socket), and *EXIT_CODE is the init's status (128+N for signal N); the
 * container is deleted afterwards unless KEEP. */
int hako_container_run (const struct hako_create_opts *o, bool detach, bool keep, int *exit_code,
                        struct hako_error *err);
/* Signal the init (ALL: every process of the container). */
int hako_container_kill (const char *root, const char *id, int sig, bool all,
                         struct hako_error *err);
struct hako_cgroup;
/* The container's cgroup as recorded at create; NULL (no error) if none. */
struct hako_cgroup *hako_entry_cgroup (const struct hako_entry *entry, struct hako_error *err);
/* A pidfd of the stored init if it still runs, else -1 (errno ESRCH). */
int hako_entry_pidfd (const struct hako_entry *entry);
/* delete, given the opened entry (hako_entry_open with allow_partial):
 * kill a created (or, with FORCE, running) init and wait for it, run the
 * poststop hooks, remove the state; ENTRY is closed. */
int hako_entry_delete (struct hako_entry *entry, bool force, struct hako_error *err);
/* pause (freeze the cgroup) or resume a container. */
int hako_entry_set_paused (struct hako_entry *entry, bool paused, struct hako_error *err);
struct oci_resources;
/* Apply new resources to a container's cgroup. */
int hako_entry_update (struct hako_entry *entry, const struct oci_resources *r,
                       struct hako_error *err);
/* Remove a stopped container (FORCE: kill it first). */
int hako_container_delete (const char *root, const char *id, bool force, struct hako_error *err);

#endif

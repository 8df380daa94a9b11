/* The state store: what hako keeps about its containers between commands.
 *
 *   <root>/                 0700, default /run/hako
 *   <root>/<id>/state.json  struct oci_hako_status (libocispec types.def),
 *                           replaced atomically (tmp file + fsync + rename)
 *   <root>/@locks/<id>      flock(2)ed by every command that changes <id>
 *
 * The lock files live apart from the container directories because any name
 * made only of id characters could be another container's id; '@' is not an
 * id character.  Everything is reached with *at() calls relative to the
 * root's fd, so a path component swapped for a symlink is never followed. */
#ifndef HAKO_STATUS_H
#define HAKO_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

/* An id names a directory, so it is one path component: NAME_MAX bytes. */
#define HAKO_ID_MAX 255
#define HAKO_STATE_FILE "state.json"
#define HAKO_LOCK_DIR "@locks"

struct hako_store
{
  int dirfd;  /* the root, O_DIRECTORY; -1 when it does not exist (nothing stored) */
  int lockfd; /* <root>/@locks, opened on first use; -1 until then */
  char *path; /* the root as given, for messages */
};

/* A container opened for a command: its lock held, its directory open. */
struct hako_entry
{
  struct hako_store *store;
  char *id;
  int lockfd;                     /* flock'ed <root>/@locks/<id> */
  int dirfd;                      /* <root>/<id> */
  struct oci_hako_status *status; /* NULL if state.json is absent (a create that died) */
};

/* `[A-Za-z0-9_+.-]+`, not "." or "..", at most HAKO_ID_MAX bytes.
 * Error: invalid container id "<id>". */
int hako_id_validate (const char *id, struct hako_error *err);

/* Open the store at ROOT.  CREATE makes ROOT (and missing parents) 0700;
 * without it a missing ROOT is an empty store. */
int hako_store_open (struct hako_store *store, const char *root, bool create,
                     struct hako_error *err);
void hako_store_close (struct hako_store *store);

/* Block until this process holds <id>'s lock; returns the lock fd (O_CLOEXEC).
 * Whoever holds the lock may remove the lock file: a waiter that wakes up on
 * a removed file notices and locks the new one.
 * A flock belongs to the open file, not the process: a child forked while
 * the lock is held keeps it locked until the child closes its copy of the
 * fd or execs.  A container init that waits for `start` must close it, or
 * `start` waits for the lock forever. */
int hako_store_lock (struct hako_store *store, const char *id, struct hako_error *err);
/* Release a lock, first removing the lock file when REMOVE. */
void hako_store_unlock (struct hako_store *store, const char *id, int lockfd, bool remove);

/* Make <root>/<id> (0700) under a lock the caller holds; returns its fd.
 * Error if it exists: container "<id>" already exists. */
int hako_store_create_dir (struct hako_store *store, const char *id, struct hako_error *err);
/* Remove <root>/<id> and everything in it (never following symlinks). */
int hako_store_remove_dir (struct hako_store *store, const char *id, struct hako_error *err);
/* The ids of the stored containers, sorted (strcmp); *ids is NULL-terminated. */
int hako_store_list (struct hako_store *store, char ***ids, size_t *n, struct hako_error *err);
void hako_strv_free (char **v);

/* Write STATUS to <dirfd>/state.json atomically; the caller holds the lock. */
int hako_status_write (int dirfd, const struct oci_hako_status *status, struct hako_error *err);
/* Read <dirfd>/state.json.  A missing file returns NULL with err->errnum ENOENT. */
struct oci_hako_status *hako_status_read (int dirfd, struct hako_error *err);
/* Read <root>/<id>/state.json without the lock (state.json is replaced
 * atomically), for `state` and `list`, which must not wait for a create
 * whose hooks may be calling `hako state`. */
struct oci_hako_status *hako_store_read_status (struct hako_store *store, const char *id,
                                                struct hako_error *err);
void hako_status_free (struct oci_hako_status *status);

/* Validate ID, lock it, open its directory and read its state.  Error if it
 * is not there: container "<id>" does not exist.  With ALLOW_PARTIAL a
 * directory without state.json (a create that died) is returned with
 * status NULL instead, so that delete can clean it up. */
int hako_entry_open (struct hako_store *store, const char *id, bool allow_partial,
                     struct hako_entry *entry, struct hako_error *err);
/* Release the lock and free ENTRY (the container itself stays). */
void hako_entry_close (struct hako_entry *entry);
/* Remove the container's directory and lock file, then close ENTRY. */
int hako_entry_destroy (struct hako_entry *entry, struct hako_error *err);

/* The start time (clock ticks after boot, /proc/PID/stat field 22) and
 * state letter ('R', 'S', 'Z', ...) of PID. */
int hako_proc_stat (pid_t pid, uint64_t *start_time, char *state, struct hako_error *err);
/* True if the stored init process still runs: same pid, same start time,
 * not a zombie. */
bool hako_status_process_alive (const struct oci_hako_status *status);
/* The OCI status of a stored container: "created" while its init lives
 * and the exec fifo exists, "running" once started, else "stopped".
 * (paused arrives with the freezer.) */
const char *hako_container_status (struct hako_store *store, const struct oci_hako_status *status);
/* The document `hako state` and `hako list --format json` print for a
 * stored container (pid 0 once stopped, as runc prints it). */
struct oci_runtime_state *hako_runtime_state (struct hako_store *store,
                                              const struct oci_hako_status *status);
void hako_runtime_state_free (struct oci_runtime_state *state);
/* The user name owning the container's directory, or "#UID". */
char *hako_entry_owner (struct hako_store *store, const char *id);
/* Now, as RFC 3339 with nanoseconds in UTC (the `created` member). */
char *hako_timestamp_now (void);

#endif

/* sd_notify passthrough: when hako runs with $NOTIFY_SOCKET (systemd,
 * conmon), the container gets its own notify socket at
 * /run/notify/notify.sock, and `start` waits for READY=1 on it and passes
 * READY=1 and MAINPID on to the caller's socket. */
#ifndef HAKO_NOTIFY_H
#define HAKO_NOTIFY_H

#include <sys/types.h>

#include "error.h"
#include "oci.h"

#define HAKO_NOTIFY_DIR "notify"
#define HAKO_NOTIFY_CONTAINER_DIR "/run/notify"
#define HAKO_NOTIFY_CONTAINER_SOCKET "/run/notify/notify.sock"

/* create: with $NOTIFY_SOCKET set, make <state>/notify (remembering the
 * caller's socket there), bind it at /run/notify in CONFIG's mounts and set
 * NOTIFY_SOCKET in its process env.  STATE_PATH is <root>/<id>. */
int hako_notify_prepare (struct oci_config *config, int state_dirfd, const char *state_path,
                         struct hako_error *err);
/* start: if create prepared it, listen on <state>/notify/notify.sock;
 * returns the socket, or -1 with no error when there is nothing to do. */
int hako_notify_listen (int state_dirfd, struct hako_error *err);
/* start, after the fifo: wait for READY=1 (or the init's exit: PIDFD) and
 * send READY=1 and MAINPID=PID to the caller's socket. */
int hako_notify_forward (int sock, int state_dirfd, int pidfd, pid_t pid, struct hako_error *err);

#endif

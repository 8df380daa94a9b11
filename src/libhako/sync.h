/* Messages between stage 0 (hako), stage 1 and stage 2 (the container
 * init) over a SOCK_SEQPACKET socketpair: one message per packet, an
 * optional fd attached with SCM_RIGHTS. */
#ifndef HAKO_SYNC_H
#define HAKO_SYNC_H

#include <stdint.h>

#include "error.h"

enum hako_sync_type
{
  SYNC_USERNS_READY = 1, /* s1 -> s0: unshared CLONE_NEWUSER, write my id maps */
  SYNC_USERNS_MAPPED,    /* s0 -> s1: maps written */
  SYNC_INIT_PIDFD,       /* s1 -> s0: pidfd of stage 2 attached */
  SYNC_INIT_GO,          /* s0 -> s2: stage 0 knows the init: talk now */
  SYNC_PRE_PIVOT,        /* s2 -> s0: mounts done; run prestart/createRuntime hooks */
  SYNC_PRE_PIVOT_DONE,   /* s0 -> s2: hooks done; memfd with the state JSON attached */
  SYNC_CONSOLE,          /* s2 -> s0: pty master attached */
  SYNC_READY,            /* s2 -> s0: set up, waiting for start */
  SYNC_SECCOMP_LISTENER, /* s2 -> s0: the SCMP_ACT_NOTIFY listener fd attached */
  SYNC_SECCOMP_SENT,     /* s0 -> s2: given to linux.seccomp.listenerPath */
  SYNC_ERROR,            /* any -> s0: errnum + message, then the stage exits */
};

#define HAKO_SYNC_TEXT_MAX 4000

struct hako_sync_msg
{
  uint32_t type;
  int32_t errnum;
  char text[HAKO_SYNC_TEXT_MAX];
};

/* Send a message; FD < 0 sends none.  Never raises SIGPIPE. */
int hako_sync_send (int sock, uint32_t type, int errnum, const char *text, int fd,
                    struct hako_error *err);
int hako_sync_send_error (int sock, const struct hako_error *e);
/* Receive one message: 1 with *msg filled (and *fd, or -1), 0 at EOF. */
int hako_sync_recv (int sock, struct hako_sync_msg *msg, int *fd, struct hako_error *err);
/* Receive one message that must be of TYPE (an SYNC_ERROR becomes the error). */
int hako_sync_expect (int sock, uint32_t type, int *fd, struct hako_error *err);

#endif

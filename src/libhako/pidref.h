/* A reference to a container's init process that cannot drift to another
 * process: a pidfd, opened only after the pid's start time matched the one
 * recorded at create (a pid alone may be reused once the init is reaped). */
#ifndef HAKO_PIDREF_H
#define HAKO_PIDREF_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* A pidfd (O_CLOEXEC) for PID if it is still the process that started at
 * START_TIME (any process when !HAS_START_TIME).  Gone or reused: -1 with
 * err->errnum ESRCH. */
int hako_pidref_open (pid_t pid, bool has_start_time, uint64_t start_time, struct hako_error *err);
/* Send SIG through the pidfd. */
int hako_pidref_signal (int pidfd, int sig, struct hako_error *err);
/* Wait up to TIMEOUT_MS for the process to exit: 0 when it has, -1 with
 * err->errnum ETIMEDOUT when it has not. */
int hako_pidref_wait (int pidfd, int timeout_ms, struct hako_error *err);

#endif

/* The processes of a container: those in its pid namespace (until cgroups
 * say it better), for ps and kill --all. */
#ifndef HAKO_PROCESSES_H
#define HAKO_PROCESSES_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "status.h"

/* The pids (in our pid namespace), sorted, of every process sharing the
 * init's pid namespace; just the init when the container has none of its
 * own (it shares ours).  A stopped container has none. */
int hako_container_pids (const struct hako_entry *entry, pid_t **pids, size_t *n,
                         struct hako_error *err);

/* Send SIG to every process of the container. */
int hako_container_signal_all (const struct hako_entry *entry, int sig, struct hako_error *err);

#endif

/* hako events: a container's resource statistics and OOM kills, as runc's
 * `events` command reports them (one JSON object per line). */
#ifndef HAKO_EVENTS_H
#define HAKO_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct hako_events_opts
{
  const char *root;
  const char *id;
  int64_t interval_ns; /* between two "stats" events; must be > 0 */
  bool stats_only;     /* --stats: one "stats" event, then return */
};

/* Receives each event's JSON text (no newline); < 0 stops the loop. */
typedef int (*hako_event_sink) (const char *json, size_t len, void *data, struct hako_error *err);

/* Without STATS_ONLY: a "stats" event every interval (the first after one
 * interval, as runc) and an "oom" event for each OOM in the cgroup, until
 * the container stops; then 0.  Errors: container "ID" does not exist;
 * container with id ID is not running (stopped); duration interval must be
 * greater than 0.  A failed collection in the loop is logged and skipped,
 * as runc does. */
int hako_container_events (const struct hako_events_opts *o, hako_event_sink sink, void *data,
                           struct hako_error *err);

#endif

/* hako update: change the resource limits of a container.  Options as runc takes them; the action
 * (do_update) is not written yet. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "hako.h"
#include "util.h"

/* The options of `hako update`. */
static struct
{
  const char *resources;
  uint64_t blkio_weight;
  const char *cpu_period;
  const char *cpu_quota;
  const char *cpu_share;
  const char *cpu_rt_period;
  const char *cpu_rt_runtime;
  const char *cpuset_cpus;
  const char *cpuset_mems;
  const char *memory;
  const char *memory_reservation;
  const char *memory_swap;
  int64_t pids_limit;
  const char *l3_cache_schema;
  const char *mem_bw_schema;
} opt;

static const struct hako_option options[] = {
  { "resources r", HAKO_OPT_STRING, &opt.resources,
    "read the new linux.resources JSON from this file ('-': stdin); other options are then ignored",
    NULL },
  { "blkio-weight", HAKO_OPT_UINT, &opt.blkio_weight, "block IO weight (10-1000)", "0" },
  { "cpu-period", HAKO_OPT_STRING, &opt.cpu_period, "CFS period in microseconds", NULL },
  { "cpu-quota", HAKO_OPT_STRING, &opt.cpu_quota, "CFS quota in microseconds per period", NULL },
  { "cpu-share", HAKO_OPT_STRING, &opt.cpu_share, "CPU shares (relative weight)", NULL },
  { "cpu-rt-period", HAKO_OPT_STRING, &opt.cpu_rt_period, "realtime period in microseconds", NULL },
  { "cpu-rt-runtime", HAKO_OPT_STRING, &opt.cpu_rt_runtime,
    "realtime runtime in microseconds per period", NULL },
  { "cpuset-cpus", HAKO_OPT_STRING, &opt.cpuset_cpus, "CPUs the container may run on", NULL },
  { "cpuset-mems", HAKO_OPT_STRING, &opt.cpuset_mems, "memory nodes the container may use", NULL },
  { "memory", HAKO_OPT_STRING, &opt.memory, "memory limit in bytes", NULL },
  { "memory-reservation", HAKO_OPT_STRING, &opt.memory_reservation, "memory soft limit in bytes",
    NULL },
  { "memory-swap", HAKO_OPT_STRING, &opt.memory_swap,
    "memory plus swap limit in bytes; -1 for unlimited swap", NULL },
  { "pids-limit", HAKO_OPT_INT, &opt.pids_limit, "maximum number of tasks", "0" },
  { "l3-cache-schema", HAKO_OPT_STRING, &opt.l3_cache_schema, "Intel RDT L3 cache schema", NULL },
  { "mem-bw-schema", HAKO_OPT_STRING, &opt.mem_bw_schema, "Intel RDT memory bandwidth schema",
    NULL },
};

const struct hako_command hako_cmd_update = {
  .name = "update",
  .summary = "change the resource limits of a container",
  .args_usage = "<container-id>",
  .description = NULL,
  .min_args = 1,
  .max_args = 1,
  .run = cmd_update,
};

static int
do_update (struct hako_global *g, const char *id, struct hako_error *err)
{
  if (hako_require_container (g, id, err) < 0)
    return -1;
  return hako_not_implemented ("update", err);
}

int
cmd_update (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_update, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_update (g, args[0], &err), &err);
  return status;
}

/* hako update: new resource limits for a running container (-r JSON or runc's flags). */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "container.h"
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

/* "512m" -> 536870912; plain numbers and -1 pass through. */
static int
parse_size (const char *flag, const char *text, long long *out, struct hako_error *err)
{
  char *end;
  long long v = strtoll (text, &end, 10);
  int shift = 0;

  if (end == text)
    return hako_error_set (err, EINVAL, "invalid value \"%s\" for flag -%s", text, flag);
  switch (*end)
    {
    case 'k':
    case 'K':
      shift = 10;
      end++;
      break;
    case 'm':
    case 'M':
      shift = 20;
      end++;
      break;
    case 'g':
    case 'G':
      shift = 30;
      end++;
      break;
    case 't':
    case 'T':
      shift = 40;
      end++;
      break;
    default: break;
    }
  if (*end == 'b' || *end == 'B')
    end++;
  if (*end != '\0' || (shift && (v < 0 || v > (LLONG_MAX >> shift))))
    return hako_error_set (err, EINVAL, "invalid value \"%s\" for flag -%s", text, flag);
  /* Shifting a negative value is undefined even by 0 (--cpu-quota -1). */
  *out = shift ? v << shift : v;
  return 0;
}

static void
add_number (FILE *out, bool *first, const char *key, long long v)
{
  fprintf (out, "%s\"%s\":%lld", *first ? "" : ",", key, v);
  *first = false;
}

static int
add_size (FILE *out, bool *first, const char *key, const char *flag, const char *text,
          struct hako_error *err)
{
  long long v = 0;

  if (text == NULL)
    return 0;
  if (parse_size (flag, text, &v, err) < 0)
    return -1;
  add_number (out, first, key, v);
  return 0;
}

static void
add_string (FILE *out, bool *first, const char *key, const char *v)
{
  if (v == NULL)
    return;
  fprintf (out, "%s\"%s\":\"", *first ? "" : ",", key);
  for (; *v; v++)
    fprintf (out, (*v == '"' || *v == '\\') ? "\\%c" : "%c", *v);
  fputc ('"', out);
  *first = false;
}

/* runc's flags as a linux.resources document, so that one parser checks both forms. */
static int
flags_json (FILE *out, struct hako_error *err)
{
  bool mem = true, cpu = true;

  fputs ("{\"memory\":{", out);
  if (add_size (out, &mem, "limit", "memory", opt.memory, err) < 0
      || add_size (out, &mem, "reservation", "memory-reservation", opt.memory_reservation, err) < 0
      || add_size (out, &mem, "swap", "memory-swap", opt.memory_swap, err) < 0)
    return -1;
  fputs ("},\"cpu\":{", out);
  if (add_size (out, &cpu, "period", "cpu-period", opt.cpu_period, err) < 0
      || add_size (out, &cpu, "quota", "cpu-quota", opt.cpu_quota, err) < 0
      || add_size (out, &cpu, "shares", "cpu-share", opt.cpu_share, err) < 0
      || add_size (out, &cpu, "realtimePeriod", "cpu-rt-period", opt.cpu_rt_period, err) < 0
      || add_size (out, &cpu, "realtimeRuntime", "cpu-rt-runtime", opt.cpu_rt_runtime, err) < 0)
    return -1;
  add_string (out, &cpu, "cpus", opt.cpuset_cpus);
  add_string (out, &cpu, "mems", opt.cpuset_mems);
  fputs ("}", out);
  if (opt.pids_limit != 0)
    fprintf (out, ",\"pids\":{\"limit\":%lld}", (long long)opt.pids_limit);
  if (opt.blkio_weight != 0)
    fprintf (out, ",\"blockIO\":{\"weight\":%llu}", (unsigned long long)opt.blkio_weight);
  fputs ("}", out);
  return 0;
}

static struct oci_resources *
read_resources (struct hako_error *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  FILE *out;
  int r;

  if (opt.resources)
    {
      bool in = strcmp (opt.resources, "-") == 0;
      if ((in ? hako_read_all_fd (0, &text, &len, err)
              : hako_read_file_at (AT_FDCWD, opt.resources, &text, &len, err))
          < 0)
        return NULL;
      return oci_parse (&oci_resources_type, text, len, in ? "resources" : opt.resources, err);
    }
  out = open_memstream (&text, &len);
  if (out == NULL)
    return hako_error_set (err, ENOMEM, "out of memory"), NULL;
  r = flags_json (out, err);
  fclose (out);
  return r < 0 ? NULL : oci_parse (&oci_resources_type, text, len, "update flags", err);
}

static int
do_update (struct hako_global *g, const char *id, struct hako_error *err)
{
  struct oci_resources *res = NULL;
  struct hako_store store;
  struct hako_entry entry;
  int r;

  if (opt.l3_cache_schema || opt.mem_bw_schema)
    return hako_error_set (err, ENOTSUP, "update: Intel RDT is not supported");
  if (hako_open_container (g, id, &store, &entry, err) < 0)
    return -1;
  res = read_resources (err);
  r = res ? hako_entry_update (&entry, res, err) : -1;
  oci_free (&oci_resources_type, res);
  hako_entry_close (&entry);
  hako_store_close (&store);
  return r;
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

/* hako checkpoint: save a running container with criu.  Options as runc takes them; the action
 * (do_checkpoint) is not written yet. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "hako.h"
#include "util.h"

/* The options of `hako checkpoint`. */
static struct
{
  const char *image_path;
  const char *work_path;
  const char *parent_path;
  bool leave_running;
  bool tcp_established;
  bool ext_unix_sk;
  bool shell_job;
  bool lazy_pages;
  int64_t status_fd;
  const char *page_server;
  bool file_locks;
  bool pre_dump;
  const char *manage_cgroups_mode;
  struct hako_strings empty_ns;
  bool auto_dedup;
} opt = { .status_fd = -1 };

static const struct hako_option options[] = {
  { "image-path", HAKO_OPT_STRING, &opt.image_path, "directory for the criu image files", NULL },
  { "work-path", HAKO_OPT_STRING, &opt.work_path, "directory for criu work files and logs", NULL },
  { "parent-path", HAKO_OPT_STRING, &opt.parent_path, "directory of a previous pre-dump", NULL },
  { "leave-running", HAKO_OPT_BOOL, &opt.leave_running,
    "keep the container running after the checkpoint", NULL },
  { "tcp-established", HAKO_OPT_BOOL, &opt.tcp_established,
    "checkpoint established TCP connections", NULL },
  { "ext-unix-sk", HAKO_OPT_BOOL, &opt.ext_unix_sk, "allow external unix sockets", NULL },
  { "shell-job", HAKO_OPT_BOOL, &opt.shell_job, "allow shell jobs (a controlling terminal)", NULL },
  { "lazy-pages", HAKO_OPT_BOOL, &opt.lazy_pages, "restore memory pages lazily through userfaultfd",
    NULL },
  { "status-fd", HAKO_OPT_INT, &opt.status_fd,
    "fd criu writes a NUL byte to when lazy pages are ready", "-1" },
  { "page-server", HAKO_OPT_STRING, &opt.page_server, "ADDRESS:PORT of a criu page server", NULL },
  { "file-locks", HAKO_OPT_BOOL, &opt.file_locks, "checkpoint file locks", NULL },
  { "pre-dump", HAKO_OPT_BOOL, &opt.pre_dump, "dump memory only and keep the container running",
    NULL },
  { "manage-cgroups-mode", HAKO_OPT_STRING, &opt.manage_cgroups_mode,
    "criu cgroup mode: soft (default), full or strict", NULL },
  { "empty-ns", HAKO_OPT_STRINGS, &opt.empty_ns,
    "create this namespace empty instead of restoring it (repeatable)", NULL },
  { "auto-dedup", HAKO_OPT_BOOL, &opt.auto_dedup, "deduplicate memory images", NULL },
};

const struct hako_command hako_cmd_checkpoint = {
  .name = "checkpoint",
  .summary = "save a running container with criu",
  .args_usage = "<container-id>",
  .description = "   Save the state of a running container with criu.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_checkpoint,
};

static int
do_checkpoint (struct hako_global *g, const char *id, struct hako_error *err)
{
  if (hako_require_container (g, id, err) < 0)
    return -1;
  return hako_not_implemented ("checkpoint", err);
}

int
cmd_checkpoint (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_checkpoint, options, HAKO_ARRAY_SIZE (options), argc, argv,
                          &args, &nargs, &status))
    status = hako_finish (do_checkpoint (g, args[0], &err), &err);
  hako_strings_free (&opt.empty_ns);
  return status;
}

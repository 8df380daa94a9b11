/* hako restore: restore a container saved by checkpoint.  Options as runc takes them; the action
 * (do_restore) is not written yet. */
#define _GNU_SOURCE
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "hako.h"
#include "util.h"

/* The options of `hako restore`. */
static struct
{
  const char *console_socket;
  const char *image_path;
  const char *work_path;
  bool tcp_established;
  bool ext_unix_sk;
  bool shell_job;
  bool file_locks;
  const char *manage_cgroups_mode;
  const char *bundle;
  bool detach;
  const char *pid_file;
  bool no_subreaper;
  bool no_pivot;
  struct hako_strings empty_ns;
  bool auto_dedup;
  bool lazy_pages;
  const char *lsm_profile;
  const char *lsm_mount_context;
} opt;

static const struct hako_option options[] = {
  { "console-socket", HAKO_OPT_STRING, &opt.console_socket,
    "unix socket to send the pseudoterminal master fd to (when terminal is true)", NULL },
  { "image-path", HAKO_OPT_STRING, &opt.image_path, "directory of the criu image files", NULL },
  { "work-path", HAKO_OPT_STRING, &opt.work_path, "directory for criu work files and logs", NULL },
  { "tcp-established", HAKO_OPT_BOOL, &opt.tcp_established,
    "checkpoint established TCP connections", NULL },
  { "ext-unix-sk", HAKO_OPT_BOOL, &opt.ext_unix_sk, "allow external unix sockets", NULL },
  { "shell-job", HAKO_OPT_BOOL, &opt.shell_job, "allow shell jobs (a controlling terminal)", NULL },
  { "file-locks", HAKO_OPT_BOOL, &opt.file_locks, "checkpoint file locks", NULL },
  { "manage-cgroups-mode", HAKO_OPT_STRING, &opt.manage_cgroups_mode,
    "criu cgroup mode: soft (default), full or strict", NULL },
  { "bundle b", HAKO_OPT_STRING, &opt.bundle,
    "bundle directory (config.json and rootfs); default: the current directory", NULL },
  { "detach d", HAKO_OPT_BOOL, &opt.detach, "return at once instead of waiting for the process",
    NULL },
  { "pid-file", HAKO_OPT_STRING, &opt.pid_file,
    "write the pid of the container process to this file", NULL },
  { "no-subreaper", HAKO_OPT_BOOL, &opt.no_subreaper,
    "do not become a child subreaper for the container process", NULL },
  { "no-pivot", HAKO_OPT_BOOL, &opt.no_pivot,
    "enter the rootfs with MS_MOVE + chroot instead of pivot_root (for a ramdisk rootfs)", NULL },
  { "empty-ns", HAKO_OPT_STRINGS, &opt.empty_ns,
    "create this namespace empty instead of restoring it (repeatable)", NULL },
  { "auto-dedup", HAKO_OPT_BOOL, &opt.auto_dedup, "deduplicate memory images", NULL },
  { "lazy-pages", HAKO_OPT_BOOL, &opt.lazy_pages, "restore memory pages lazily through userfaultfd",
    NULL },
  { "lsm-profile", HAKO_OPT_STRING, &opt.lsm_profile,
    "LSM profile for the restored process: TYPE:NAME", NULL },
  { "lsm-mount-context", HAKO_OPT_STRING, &opt.lsm_mount_context,
    "LSM mount context for the restore", NULL },
};

const struct hako_command hako_cmd_restore = {
  .name = "restore",
  .summary = "restore a container saved by checkpoint",
  .args_usage = "<container-id>",
  .description = "   Restore a container saved by `hako checkpoint`.",
  .min_args = 1,
  .max_args = 1,
  .run = cmd_restore,
};

static int
do_restore (struct hako_global *g, const char *id, struct hako_error *err)
{
  (void)g;
  if (hako_id_validate (id, err) < 0)
    return -1;
  return hako_not_implemented ("restore", err);
}

int
cmd_restore (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_restore, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_restore (g, args[0], &err), &err);
  hako_strings_free (&opt.empty_ns);
  return status;
}

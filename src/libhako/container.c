/* start, kill, delete and state (create and run are in container-create.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container-internal.h"
#include "cgroup.h"
#include "hooks.h"
#include "init.h"
#include "log.h"
#include "notify.h"
#include "pidref.h"
#include "rootfs.h"
#include "util.h"

char *
hako_state_json_for (const struct oci_hako_status *st, const char *status, size_t *len,
                     struct hako_error *err)
{
  struct oci_runtime_state s = { 0 };

  s.oci_version = (char *)OCI_SPEC_VERSION;
  s.id = st->id;
  s.status = (char *)status;
  s.bundle = st->bundle;
  s.rootfs = st->rootfs;
  s.created = st->created;
  s.annotations = st->annotations;
  if (strcmp (status, "stopped") != 0 && st->has_pid)
    {
      s.pid = st->pid;
      s.has_pid = true;
    }
  else
    s.has_pid = true; /* pid 0: runc reports it so for a stopped container */
  return oci_serialize (&oci_runtime_state_type, &s, false, len, err);
}

const char *
hako_entry_status (const struct hako_entry *entry)
{
  return entry->status ? hako_container_status (entry->store, entry->status) : "stopped";
}

struct oci_config *
hako_entry_config (const struct hako_entry *entry, struct hako_error *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;

  if (hako_read_file_at (entry->dirfd, HAKO_CONFIG_COPY, &text, &len, err) < 0)
    return NULL;
  return oci_config_parse (text, len, err);
}

int
hako_entry_pidfd (const struct hako_entry *entry)
{
  const struct oci_hako_status *st = entry->status;

  if (st == NULL || !st->has_pid || st->pid <= 0)
    return errno = ESRCH, -1;
  return hako_pidref_open (st->pid, st->has_pid_start_time, st->pid_start_time, NULL);
}

/* CONFIG: the container's, as saved at create. */
static int
run_lifecycle_hooks (const struct hako_entry *entry, const struct oci_config *config,
                     const char *stage, const char *status, bool warn_only, struct hako_error *err)
{
  const struct oci_hook *hooks = NULL;
  cleanup_free char *json = NULL;
  size_t n = 0, len = 0;
  int r = 0;

  if (config->hooks && strcmp (stage, "poststart") == 0)
    hooks = config->hooks->poststart, n = config->hooks->poststart_len;
  else if (config->hooks && strcmp (stage, "poststop") == 0)
    hooks = config->hooks->poststop, n = config->hooks->poststop_len;
  if (n > 0 && (json = hako_state_json_for (entry->status, status, &len, err)) == NULL)
    r = -1;
  else if (n > 0 && warn_only)
    {
      size_t failed = hako_hooks_run_all (stage, hooks, n, json, len, NULL, NULL);
      if (failed)
        hako_log_warn ("%zu %s hook(s) failed", failed, stage);
    }
  else if (n > 0)
    r = hako_hooks_run (stage, hooks, n, json, len, err);
  return r;
}

/* What the init left in exec.fifo once it let go of it: nothing when it
 * exec'd the process (its fd is close-on-exec), our own "0" when it never
 * read it (it was gone already), else the message of a failure after start
 * (a startContainer hook, the exec itself) as "E<errno> <text>". */
static int
exec_outcome (int reader, struct hako_error *err)
{
  char buf[4096];
  ssize_t n;
  int errnum = EIO, skip = 0;

  do
    n = read (reader, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return 0;
  buf[n] = '\0';
  if (buf[0] == '0')
    return hako_error_set (err, ESRCH, "container init is not waiting for start");
  if (sscanf (buf, "E%d %n", &errnum, &skip) < 1 || skip == 0)
    skip = 0;
  return hako_error_set (err, errnum > 0 ? errnum : EIO, "%s", buf + skip);
}

static void
stop_init (struct hako_entry *entry)
{
  cleanup_fd int pidfd = hako_entry_pidfd (entry);

  if (pidfd >= 0 && hako_pidref_signal (pidfd, SIGKILL, NULL) == 0)
    hako_pidref_wait (pidfd, 10000, NULL);
  unlinkat (entry->dirfd, HAKO_EXEC_FIFO, 0);
}

/* Hand the init its go byte and wait until it exec'd the process or died.
 * Our reader is opened before the writer so that, with the init as the
 * only writer left (its O_RDWR fd), the kernel reports POLLHUP when that
 * fd goes away; until then the init is the only one reading. */
static int
release_init (struct hako_entry *entry, struct hako_error *err)
{
  cleanup_fd int reader = -1, writer = -1;
  struct pollfd p;

  reader = openat (entry->dirfd, HAKO_EXEC_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (reader < 0)
    return hako_error_sys (err, errno, "open exec.fifo");
  writer = openat (entry->dirfd, HAKO_EXEC_FIFO, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (writer < 0)
    return hako_error_sys (err, errno, "open exec.fifo");
  if (hako_write_all (writer, "0", 1) < 0)
    return hako_error_sys (err, errno, "write exec.fifo");
  hako_closep (&writer);
  p = (struct pollfd){ .fd = reader, .events = 0 };
  while (poll (&p, 1, -1) < 0)
    if (errno != EINTR)
      return hako_error_sys (err, errno, "wait for the container's exec");
  return exec_outcome (reader, err);
}

static int
start_with_config (struct hako_entry *entry, const struct oci_config *config,
                   struct hako_error *err)
{
  cleanup_fd int notify = -1, pidfd = -1;

  /* config.md: process is "REQUIRED when start is called".  Without it
   * the container can never run anything: end it, so that it is stopped. */
  if (config->process == NULL)
    {
      stop_init (entry);
      return hako_error_set (
          err, EINVAL, "cannot start container %s: process was not set in config.json", entry->id);
    }
  notify = hako_notify_listen (entry->dirfd, err);
  if (notify < 0 && err && err->msg)
    return -1;
  pidfd = hako_entry_pidfd (entry);
  /* poststart hooks run after the startContainer ones and the exec. */
  if (release_init (entry, err) < 0)
    {
      unlinkat (entry->dirfd, HAKO_EXEC_FIFO, 0);
      return -1;
    }
  if (unlinkat (entry->dirfd, HAKO_EXEC_FIFO, 0) < 0)
    return hako_error_sys (err, errno, "remove exec.fifo");
  if (notify >= 0)
    {
      if (hako_notify_forward (notify, entry->dirfd, pidfd, entry->status->pid, err) < 0)
        return -1;
    }
  if (run_lifecycle_hooks (entry, config, "poststart", "running", false, err) == 0)
    return 0;
  /* runtime-spec 1.3: a failed poststart hook stops the container. */
  if (pidfd >= 0)
    hako_pidref_signal (pidfd, SIGKILL, NULL);
  return -1;
}

int
hako_entry_start (struct hako_entry *entry, struct hako_error *err)
{
  const char *status = hako_entry_status (entry);
  struct oci_config *config;
  int r;

  if (strcmp (status, "stopped") == 0)
    return hako_error_set (err, EINVAL, "cannot start a container that has stopped");
  if (strcmp (status, "created") != 0)
    return hako_error_set (err, EINVAL, "cannot start an already running container");
  /* Parsed once: the process check and the poststart hooks both need it. */
  config = hako_entry_config (entry, err);
  if (config == NULL)
    return hako_error_wrap (err, "start");
  r = start_with_config (entry, config, err);
  oci_config_free (config);
  return r;
}

int
hako_container_start (const char *root, const char *id, struct hako_error *err)
{
  struct hako_store store = { -1, -1, NULL };
  struct hako_entry entry;
  int r;

  if (hako_store_open (&store, root, false, err) < 0)
    return -1;
  r = hako_entry_open (&store, id, false, &entry, err);
  if (r == 0)
    {
      r = hako_entry_start (&entry, err);
      hako_entry_close (&entry);
    }
  hako_store_close (&store);
  return r;
}

int
hako_container_kill (const char *root, const char *id, int sig, bool all, struct hako_error *err)
{
  struct hako_store store = { -1, -1, NULL };
  struct hako_entry entry;
  cleanup_fd int pidfd = -1;
  int r;

  (void)all; /* every process of a pid namespace dies with its init; cgroups: see cgroup.c */
  if (hako_store_open (&store, root, false, err) < 0)
    return -1;
  r = hako_entry_open (&store, id, false, &entry, err);
  if (r == 0)
    {
      pidfd = hako_entry_pidfd (&entry);
      if (pidfd < 0)
        r = hako_error_set (err, ESRCH, "container not running");
      else if (syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
        r = hako_error_sys (err, errno, "kill container %s", id);
      hako_entry_close (&entry);
    }
  hako_store_close (&store);
  return r;
}

struct hako_cgroup *
hako_entry_cgroup (const struct hako_entry *entry, struct hako_error *err)
{
  const char *path = entry->status ? entry->status->cgroup_path : NULL;
  struct hako_cgroup *cg;

  if (path == NULL || *path == '\0')
    return NULL;
  cg = hako_cgroup_load (path, err);
  /* systemd driver: delete stops the unit, update sets its properties. */
  hako_cgroup_attach_systemd_unit (cg, entry->status->systemd_unit, geteuid () != 0);
  return cg;
}

/* Whatever is left in the cgroup dies with it (cgroup.kill or freeze+kill). */
static int
destroy_cgroup (const struct hako_entry *entry, struct hako_error *err)
{
  cleanup_cgroup struct hako_cgroup *cg = hako_entry_cgroup (entry, err);

  if (cg == NULL)
    return err && err->msg ? -1 : 0;
  return hako_cgroup_destroy (cg, err);
}

int
hako_entry_delete (struct hako_entry *entry, bool force, struct hako_error *err)
{
  const char *status = hako_entry_status (entry);
  cleanup_fd int pidfd = -1;

  if (strcmp (status, "stopped") != 0)
    {
      /* The spec: deleting what is not stopped (created included) is an
       * error with no effect; --force kills it first. */
      if (!force)
        {
          hako_error_set (err, EBUSY, "cannot delete container %s that is not stopped: %s",
                          entry->id, status);
          hako_entry_close (entry);
          return -1;
        }
      pidfd = hako_entry_pidfd (entry);
      if (pidfd >= 0)
        {
          hako_pidref_signal (pidfd, SIGKILL, NULL);
          /* A frozen init (v1 freezer) takes the SIGKILL only once thawed. */
          if (strcmp (status, "paused") == 0)
            hako_entry_set_paused (entry, false, NULL);
          if (hako_pidref_wait (pidfd, 10000, err) < 0)
            {
              hako_entry_close (entry);
              return -1;
            }
          /* Reap it if it is ours (run). */
          waitid (P_PIDFD, pidfd, NULL, WEXITED | WNOHANG);
        }
    }
  if (entry->status && destroy_cgroup (entry, err) < 0)
    {
      hako_entry_close (entry);
      return -1;
    }
  if (entry->status && entry->status->has_host_rootfs_mount && entry->status->rootfs
      && hako_rootfs_detach_host_bind (entry->status->rootfs, entry->status->host_rootfs_mount, err)
             < 0)
    {
      hako_entry_close (entry);
      return -1;
    }
  if (entry->status)
    {
      struct oci_config *config = hako_entry_config (entry, NULL);
      if (config)
        run_lifecycle_hooks (entry, config, "poststop", "stopped", true, NULL);
      oci_config_free (config);
    }
  return hako_entry_destroy (entry, err);
}

int
hako_container_delete (const char *root, const char *id, bool force, struct hako_error *err)
{
  struct hako_store store = { -1, -1, NULL };
  struct hako_entry entry;
  int r;

  if (hako_store_open (&store, root, false, err) < 0)
    return -1;
  r = hako_entry_open (&store, id, true, &entry, err);
  if (r == 0)
    r = hako_entry_delete (&entry, force, err);
  hako_store_close (&store);
  return r;
}

int
hako_entry_set_paused (struct hako_entry *entry, bool paused, struct hako_error *err)
{
  const char *status = hako_entry_status (entry);
  cleanup_cgroup struct hako_cgroup *cg = NULL;

  if (paused && strcmp (status, "running") != 0 && strcmp (status, "created") != 0)
    return hako_error_set (err, EINVAL, "container not running");
  if (!paused && strcmp (status, "paused") != 0)
    return hako_error_set (err, EINVAL, "container not paused");
  cg = hako_entry_cgroup (entry, err);
  if (cg == NULL)
    return err && err->msg ? -1
                           : hako_error_set (err, ENOTSUP, "the container has no cgroup to freeze");
  return hako_cgroup_freeze (cg, paused, err);
}

int
hako_entry_update (struct hako_entry *entry, const struct oci_resources *r, struct hako_error *err)
{
  cleanup_cgroup struct hako_cgroup *cg = NULL;

  if (strcmp (hako_entry_status (entry), "stopped") == 0)
    return hako_error_set (err, EINVAL, "container not running");
  cg = hako_entry_cgroup (entry, err);
  if (cg == NULL)
    return err && err->msg ? -1 : hako_error_set (err, ENOTSUP, "the container has no cgroup");
  return hako_cgroup_update (cg, r, err);
}

/* create and run: validate the bundle, prepare everything the init needs
 * while we are still on the host, run the two-stage init, record the
 * container.  A failure at any step leaves nothing behind. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container-internal.h"
#include "apparmor.h"
#include "cgroup.h"
#include "hooks.h"
#include "log.h"
#include "netdev.h"
#include "notify.h"
#include "nsexec.h"
#include "process.h"
#include "rootfs.h"
#include "seccomp.h"
#include "selinux.h"
#include "terminal.h"
#include "util.h"
#include "validate-linux.h"

struct create_job
{
  const struct hako_create_opts *o;
  struct hako_store store;
  struct hako_entry entry; /* lockfd + dirfd while creating */
  struct oci_config *config;
  struct oci_hako_status status;
  struct hako_init_ctx ctx;
  char *bundle;
  char *rootfs;
  uint64_t rootfs_mount_before; /* no mount namespace: the top mount on rootfs */
  bool foreground;
  int console_master; /* kept for run without a console socket */
  bool made_dir;      /* the state directory is ours to remove on failure */
  struct hako_cgroup *cgroup;
  struct hako_seccomp_prog seccomp; /* linux.seccomp compiled; ctx.seccomp points here */
};

static struct oci_config *
load_config (const char *bundle, struct hako_error *err)
{
  cleanup_free char *path = hako_strdup_printf ("%s/config.json", bundle);
  struct oci_warnings warnings = { 0 };
  struct oci_config *config = oci_config_parse_file (path, err);

  if (config == NULL)
    return NULL;
  if (oci_config_validate_linux (config, &warnings, err) < 0)
    {
      oci_config_free (config);
      config = NULL;
    }
  for (size_t i = 0; i < warnings.len; i++)
    hako_log_warn ("%s", warnings.msgs[i]);
  oci_warnings_free (&warnings);
  return config;
}

static int
resolve_paths (struct create_job *j, struct hako_error *err)
{
  const char *root_path = j->config->root->path;
  cleanup_free char *joined = NULL;

  j->bundle = realpath (j->o->bundle ? j->o->bundle : ".", NULL);
  if (j->bundle == NULL)
    return hako_error_sys (err, errno, "bundle `%s`", j->o->bundle ? j->o->bundle : ".");
  joined = root_path[0] == '/' ? hako_xstrdup (root_path)
                               : hako_strdup_printf ("%s/%s", j->bundle, root_path);
  j->rootfs = realpath (joined, NULL);
  if (j->rootfs == NULL)
    return hako_error_sys (err, errno, "root.path `%s`", joined);
  j->ctx.rootfs_fd = open (j->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (j->ctx.rootfs_fd < 0)
    return hako_error_sys (err, errno, "open root.path `%s`", j->rootfs);
  return 0;
}

static int
save_config (struct create_job *j, struct hako_error *err)
{
  size_t len = 0;
  cleanup_free char *text = oci_serialize (&oci_config_type, j->config, false, &len, err);
  cleanup_fd int fd = -1;

  if (text == NULL)
    return -1;
  fd = openat (j->entry.dirfd, HAKO_CONFIG_COPY, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || hako_write_all (fd, text, len) < 0)
    return hako_error_sys (err, errno, "save config.json in the state directory");
  return 0;
}

static int
make_exec_fifo (struct create_job *j, struct hako_error *err)
{
  if (mkfifoat (j->entry.dirfd, HAKO_EXEC_FIFO, 0600) < 0)
    return hako_error_sys (err, errno, "mkfifo exec.fifo");
  /* O_RDWR never blocks; the init then waits in read() until start writes. */
  j->ctx.fifo_fd = openat (j->entry.dirfd, HAKO_EXEC_FIFO, O_RDWR | O_CLOEXEC);
  if (j->ctx.fifo_fd < 0)
    return hako_error_sys (err, errno, "open exec.fifo");
  return 0;
}

static int
make_memfd (const char *name, const char *data, size_t len, struct hako_error *err)
{
  cleanup_fd int fd = memfd_create (name, MFD_CLOEXEC);

  if (fd < 0)
    return hako_error_sys (err, errno, "memfd_create");
  if (hako_write_all (fd, data, len) < 0)
    return hako_error_sys (err, errno, "write memfd");
  return hako_steal_fd (&fd);
}

/* Stage 2 has its mounts: prestart and createRuntime hooks, here, in the
 * runtime's namespaces; then hand over the state for the in-container hooks. */
static int
on_pre_pivot (void *data, pid_t pid, int *state_fd, struct hako_error *err)
{
  struct create_job *j = data;
  const struct oci_hooks *h = j->config->hooks;
  cleanup_free char *json = NULL;
  size_t len = 0;

  j->status.pid = pid;
  j->status.has_pid = true;
  /* Devices first, so that the hooks see them in the container. */
  if (hako_netdevs_move (j->config, pid, err) < 0)
    return -1;
  /* Steps 3-5 of the lifecycle follow the create of step 2: "created". */
  json = hako_state_json_for (&j->status, "created", &len, err);
  if (json == NULL)
    return -1;
  if (h
      && (hako_hooks_run ("prestart", h->prestart, h->prestart_len, json, len, err) < 0
          || hako_hooks_run ("createRuntime", h->create_runtime, h->create_runtime_len, json, len,
                             err)
                 < 0))
    return -1;
  *state_fd = make_memfd ("hako-state", json, len, err);
  return *state_fd < 0 ? -1 : 0;
}

static int
on_init_created (void *data, pid_t pid, struct hako_error *err)
{
  struct create_job *j = data;

  return hako_cgroup_enter (j->cgroup, pid, err);
}

static int
on_console (void *data, int master, struct hako_error *err)
{
  struct create_job *j = data;
  cleanup_fd int fd = master;
  int r = 0;

  if (j->ctx.console_socket_fd >= 0)
    r = hako_send_fd (j->ctx.console_socket_fd, fd, HAKO_CONSOLE_FD_NAME, err);
  else if (j->foreground)
    j->console_master = hako_steal_fd (&fd);
  return r;
}

int
hako_write_pid_file (const char *path, pid_t pid, struct hako_error *err)
{
  cleanup_free char *tmp = hako_strdup_printf ("%s.hako-tmp", path);
  cleanup_fd int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  char buf[32];
  int n = snprintf (buf, sizeof buf, "%d", pid);

  if (fd < 0 || hako_write_all (fd, buf, n) < 0 || rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return hako_error_sys (err, saved, "write pid file `%s`", path);
    }
  return 0;
}

int
hako_send_pidfd (const char *socket_path, int pidfd, struct hako_error *err)
{
  cleanup_fd int sock = hako_console_socket_connect (socket_path, err);

  if (sock < 0 || hako_send_fd (sock, pidfd, "pidfd", err) < 0)
    return hako_error_wrap (err, "--pidfd-socket");
  return 0;
}

/* SELinux label LABEL (at JSON path WHAT of SOURCE) checked against the
 * loaded policy into *RAW; nothing to do without a label. */
static int
selinux_label_check (const char *label, const char *source, const char *what, char **raw,
                     struct hako_error *err)
{
  if (label == NULL || *label == '\0')
    return 0;
  if (hako_selinux_check_label (label, raw, err) < 0)
    return hako_error_wrap (err, "%s: %s", source, what);
  return 0;
}

/* LSM settings are checked before anything exists.  An AppArmor profile
 * must be enforceable (apparmor.c).  SELinux labels are checked against
 * the loaded policy and kept in CTX for the init; on a host without
 * SELinux they are ignored, as crun and runc do, so configs written for
 * SELinux hosts still run.  SOURCE names where P came from. */
int
hako_lsm_check (const struct oci_process *p, const struct oci_linux *lx, const char *source,
                struct hako_init_ctx *ctx, struct hako_error *err)
{
  const char *process_label = p ? p->selinux_label : NULL;
  const char *mount_label = lx ? lx->mount_label : NULL;

  if (p && hako_apparmor_check (p->apparmor_profile, err) < 0)
    return hako_error_wrap (err, "%s: process.apparmorProfile", source);
  if (process_label == NULL && mount_label == NULL)
    return 0;
  if (!hako_selinux_enabled ())
    {
      hako_log_debug ("SELinux is off on this host: labels ignored");
      return 0;
    }
  if (selinux_label_check (process_label, source, "process.selinuxLabel",
                           &ctx->selinux_process_label, err)
          < 0
      || selinux_label_check (mount_label, source, "linux.mountLabel", &ctx->selinux_mount_label,
                              err)
             < 0)
    return -1;
  return 0;
}

void
hako_lsm_release (struct hako_init_ctx *ctx)
{
  free (ctx->selinux_process_label);
  free (ctx->selinux_mount_label);
  ctx->selinux_process_label = ctx->selinux_mount_label = NULL;
}

static int
prepare (struct create_job *j, struct hako_error *err)
{
  struct hako_init_ctx *ctx = &j->ctx;

  /* config.md: process is "REQUIRED when start is called": create takes
   * a config without one, and start refuses it. */
  if (j->config->process && j->config->process->terminal && !j->foreground
      && j->o->console_socket == NULL)
    return hako_error_set (err, EINVAL,
                           "config.json: process.terminal: a detached container "
                           "needs --console-socket to hand its terminal to");
  if (hako_lsm_check (j->config->process, j->config->linux, "config.json", ctx, err) < 0)
    return -1;
  if (resolve_paths (j, err) < 0 || hako_ns_plan_build (j->config, &ctx->ns, err) < 0)
    return -1;
  ctx->config = j->config;
  ctx->id = j->o->id;
  ctx->bundle = j->bundle;
  ctx->rootfs = j->rootfs;
  ctx->userns = (ctx->ns.create | ctx->ns.join) & CLONE_NEWUSER;
  ctx->no_pivot = j->o->no_pivot;
  if (hako_rootfs_shares_host_mounts (ctx))
    j->rootfs_mount_before = hako_rootfs_top_mount (j->rootfs);
  ctx->no_new_keyring = j->o->no_new_keyring;
  ctx->preserve_fds = j->o->preserve_fds;
  /* seccomp: compiled here, before anything exists, loaded by stage 2. */
  if (j->config->linux && j->config->linux->seccomp)
    {
      if (hako_seccomp_compile (j->config->linux->seccomp, &j->seccomp, err) < 0)
        return -1;
      ctx->seccomp = &j->seccomp;
    }
  if (j->o->console_socket)
    {
      ctx->console_socket_fd = hako_console_socket_connect (j->o->console_socket, err);
      if (ctx->console_socket_fd < 0)
        return hako_error_wrap (err, "--console-socket");
    }
  j->status.id = (char *)j->o->id;
  j->status.bundle = j->bundle;
  j->status.rootfs = j->rootfs;
  j->status.created = hako_timestamp_now ();
  j->status.annotations = j->config->annotations;
  return 0;
}

static int
make_cgroup (struct create_job *j, struct hako_error *err)
{
  const char *manager = j->o->cgroup_manager ? j->o->cgroup_manager : "cgroupfs";
  bool rootless = geteuid () != 0;

  if (strcmp (manager, "disabled") == 0)
    return 0;
  if (strcmp (manager, "systemd") == 0)
    {
      /* The unit is started when the init exists (on_init_created). */
      if (hako_cgroup_create_systemd (j->config, j->o->id, rootless, &j->cgroup, err) < 0)
        return -1;
      j->status.systemd_cgroup = j->status.has_systemd_cgroup = true;
      j->status.systemd_unit = (char *)hako_cgroup_systemd_unit (j->cgroup);
    }
  else if (strcmp (manager, "cgroupfs") != 0)
    return hako_error_set (err, ENOTSUP, "unknown cgroup manager \"%s\"", manager);
  else if (hako_cgroup_create (j->config, j->o->id, rootless, &j->cgroup, err) < 0)
    return -1;
  if (j->cgroup)
    j->status.cgroup_manager = (char *)manager;
  return 0;
}

static int
record (struct create_job *j, pid_t pid, struct hako_error *err)
{
  uint64_t start = 0;
  char state = 0;

  if (hako_proc_stat (pid, &start, &state, err) < 0)
    return -1;
  j->status.pid = pid;
  j->status.has_pid = true;
  j->status.pid_start_time = start;
  j->status.has_pid_start_time = true;
  /* Known only now for a systemd cgroup: systemd placed the init. */
  if (j->cgroup && j->status.cgroup_path == NULL)
    j->status.cgroup_path = hako_cgroup_serialize (j->cgroup);
  if (hako_rootfs_shares_host_mounts (&j->ctx))
    {
      uint64_t bind = hako_rootfs_top_mount (j->rootfs);
      j->status.host_rootfs_mount = bind != j->rootfs_mount_before ? bind : 0;
      j->status.has_host_rootfs_mount = j->status.host_rootfs_mount != 0;
    }
  return hako_status_write (j->entry.dirfd, &j->status, err);
}

static int
create_locked (struct create_job *j, struct hako_created *out, struct hako_error *err)
{
  static const struct hako_nsexec_callbacks callbacks
      = { NULL, on_init_created, on_pre_pivot, on_console };
  struct hako_nsexec_callbacks cb = callbacks;
  pid_t pid = 0;
  int pidfd = -1, r;
  char *state_path;

  j->config = load_config (j->o->bundle ? j->o->bundle : ".", err);
  if (j->config == NULL || prepare (j, err) < 0)
    return -1;
  j->entry.dirfd = hako_store_create_dir (&j->store, j->o->id, err);
  if (j->entry.dirfd < 0)
    return -1;
  j->made_dir = true;
  cb.data = j;
  state_path = hako_strdup_printf ("%s/%s", j->o->root, j->o->id);
  r = hako_notify_prepare (j->config, j->entry.dirfd, state_path, err);
  free (state_path);
  if (r < 0)
    goto fail;
  if (save_config (j, err) < 0 || make_exec_fifo (j, err) < 0 || make_cgroup (j, err) < 0
      || hako_rootfs_prepare_host (&j->ctx, err) < 0)
    goto fail;
  /* Stage 1 stays in the caller's cgroups and on_init_created moves the
   * init, still waiting for SYNC_INIT_GO, into the container's: what stage
   * 1 allocates (the new namespaces, the init's kernel stack and page
   * tables: some 200 KiB on cgroup v2) is not charged to the container's
   * memory limit, so a container starts with 256 KiB on v1 and v2 alike
   * (cloned into the cgroup, it needed over 500 KiB on v2). */
  r = hako_nsexec_start (&j->ctx, &cb, -1, &pid, &pidfd, err);
  hako_rootfs_release_host ();
  if (r < 0)
    goto fail;
  if (record (j, pid, err) < 0
      || (j->o->pid_file && hako_write_pid_file (j->o->pid_file, pid, err) < 0)
      || (j->o->pidfd_socket && hako_send_pidfd (j->o->pidfd_socket, pidfd, err) < 0))
    {
      syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      waitid (P_PIDFD, pidfd, NULL, WEXITED);
      close (pidfd);
      goto fail;
    }
  out->pid = pid;
  out->pidfd = pidfd;
  out->console_master = hako_steal_fd (&j->console_master);
  return 0;
fail:
  if (j->cgroup)
    hako_cgroup_destroy (j->cgroup, NULL);
  /* Recorded (never 0: some mount holds the rootfs) only once create got
   * far enough to plan for the host's mount namespace. */
  if (j->rootfs_mount_before != 0)
    {
      uint64_t top = hako_rootfs_top_mount (j->rootfs);
      if (top != j->rootfs_mount_before)
        hako_rootfs_detach_host_bind (j->rootfs, top, NULL);
    }
  hako_store_remove_dir (&j->store, j->o->id, NULL);
  return -1;
}

static void
job_free (struct create_job *j)
{
  hako_ns_plan_close (&j->ctx.ns);
  hako_closep (&j->ctx.rootfs_fd);
  hako_closep (&j->ctx.fifo_fd);
  hako_closep (&j->ctx.console_socket_fd);
  hako_closep (&j->console_master);
  hako_closep (&j->entry.dirfd);
  free (j->status.created);
  free (j->status.cgroup_path);
  hako_cgroup_free (j->cgroup);
  hako_seccomp_prog_release (&j->seccomp);
  hako_lsm_release (&j->ctx);
  free (j->bundle);
  free (j->rootfs);
  oci_config_free (j->config);
}

int
hako_container_create_full (const struct hako_create_opts *o, bool foreground,
                            struct hako_created *out, struct hako_error *err)
{
  struct create_job j = { .o = o, .store = { -1, -1, NULL }, .console_master = -1 };
  int lockfd, r;

  j.ctx.rootfs_fd = j.ctx.fifo_fd = j.ctx.console_socket_fd = -1;
  j.ctx.console_master_fd = j.ctx.sync_fd = j.entry.dirfd = -1;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (j.ctx.ns.join_fds); i++)
    j.ctx.ns.join_fds[i] = -1;
  j.foreground = foreground;
  if (hako_id_validate (o->id, err) < 0 || hako_store_open (&j.store, o->root, true, err) < 0)
    return -1;
  lockfd = hako_store_lock (&j.store, o->id, err);
  if (lockfd < 0)
    {
      hako_store_close (&j.store);
      return -1;
    }
  j.ctx.parent_only_fds[0] = lockfd;
  j.ctx.parent_only_fds[1] = j.store.dirfd;
  j.ctx.parent_only_fds[2] = j.store.lockfd;
  j.ctx.parent_only_fds[3] = -1;
  hako_listen_fds_detect ();
  r = create_locked (&j, out, err);
  hako_store_unlock (&j.store, o->id, lockfd, r < 0 && j.made_dir);
  job_free (&j);
  hako_store_close (&j.store);
  return r;
}

int
hako_container_create (const struct hako_create_opts *o, struct hako_error *err)
{
  struct hako_created c = { 0, -1, -1 };

  if (hako_container_create_full (o, false, &c, err) < 0)
    return -1;
  hako_closep (&c.pidfd);
  hako_closep (&c.console_master);
  return 0;
}

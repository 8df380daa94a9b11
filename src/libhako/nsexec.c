/* The two-stage init (see nsexec.h).  Stage 0 only talks over the sync
 * socket; stages 1 and 2 run on stage 0's memory image and report every
 * failure as one SYNC_ERROR message naming the step. */
#define _GNU_SOURCE
#include "nsexec.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "process.h"
#include "seccomp.h"
#include "sync.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

const struct hako_ns_kind hako_ns_kinds[8] = {
  { "user", "user", CLONE_NEWUSER }, { "ipc", "ipc", CLONE_NEWIPC },
  { "uts", "uts", CLONE_NEWUTS },    { "network", "net", CLONE_NEWNET },
  { "pid", "pid", CLONE_NEWPID },    { "cgroup", "cgroup", CLONE_NEWCGROUP },
  { "time", "time", CLONE_NEWTIME }, { "mount", "mnt", CLONE_NEWNS },
};

const struct hako_ns_kind *
hako_ns_kind_by_name (const char *name)
{
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (hako_ns_kinds); i++)
    if (strcmp (hako_ns_kinds[i].name, name) == 0)
      return &hako_ns_kinds[i];
  return NULL;
}

static int
open_ns_path (const struct hako_ns_kind *kind, const char *path, struct hako_error *err)
{
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  int type;

  if (fd < 0)
    return hako_error_sys (err, errno, "open %s namespace `%s`", kind->name, path);
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0)
    return hako_error_sys (err, errno, "`%s` is not a namespace file", path);
  if (type != kind->flag)
    return hako_error_set (err, EINVAL, "`%s` is not a %s namespace", path, kind->name);
  return hako_steal_fd (&fd);
}

void
hako_ns_plan_close (struct hako_ns_plan *plan)
{
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (plan->join_fds); i++)
    hako_closep (&plan->join_fds[i]);
}

int
hako_ns_plan_build (const struct oci_config *config, struct hako_ns_plan *plan,
                    struct hako_error *err)
{
  const struct oci_linux *lx = config->linux;

  memset (plan, 0, sizeof *plan);
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (plan->join_fds); i++)
    plan->join_fds[i] = -1;
  for (size_t i = 0; lx && i < lx->namespaces_len; i++)
    {
      const struct oci_namespace *ns = &lx->namespaces[i];
      const struct hako_ns_kind *kind = hako_ns_kind_by_name (ns->type);
      size_t k = kind - hako_ns_kinds;

      if ((plan->create | plan->join) & kind->flag)
        return hako_error_set (err, EINVAL, "linux.namespaces[%zu]: duplicate %s namespace", i,
                               ns->type);
      if (ns->path == NULL || ns->path[0] == '\0')
        {
          plan->create |= kind->flag;
          continue;
        }
      plan->join_fds[k] = open_ns_path (kind, ns->path, err);
      if (plan->join_fds[k] < 0)
        {
          hako_ns_plan_close (plan);
          return hako_error_wrap (err, "linux.namespaces[%zu]", i);
        }
      plan->join |= kind->flag;
    }
  return 0;
}

pid_t
hako_clone3 (unsigned long flags, int cgroup_fd, int *pidfd)
{
  struct clone_args args = { 0 };

  *pidfd = -1;
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = (uint64_t)(uintptr_t)pidfd;
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  if (cgroup_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = cgroup_fd;
    }
  return syscall (SYS_clone3, &args, sizeof args);
}

pid_t
hako_pidfd_pid (int pidfd)
{
  char path[64], *buf = NULL, *line;
  pid_t pid = -1;

  snprintf (path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  if (hako_read_file_at (AT_FDCWD, path, &buf, NULL, NULL) < 0)
    return -1;
  line = strstr (buf, "\nPid:");
  if (line)
    pid = strtol (line + 5, NULL, 10);
  free (buf);
  return pid;
}

/* ---------------------------------------------------------------- stage 2 */

static int
stage2_wait_hooks (struct hako_init_ctx *ctx, int *state_fd, struct hako_error *err)
{
  if (hako_sync_send (ctx->sync_fd, SYNC_PRE_PIVOT, 0, NULL, -1, err) < 0)
    return -1;
  return hako_sync_expect (ctx->sync_fd, SYNC_PRE_PIVOT_DONE, state_fd, err);
}

/* Hooks inside the container read the state JSON stage 0 sent as a memfd. */
static int
stage2_run_hooks (const char *stage, const struct oci_hook *hooks, size_t n, int state_fd,
                  struct hako_error *err)
{
  cleanup_free char *json = NULL;
  size_t len = 0;

  if (n == 0)
    return 0;
  if (lseek (state_fd, 0, SEEK_SET) < 0 || hako_read_all_fd (state_fd, &json, &len, err) < 0)
    return hako_error_wrap (err, "read the state for %s hooks", stage);
  return hako_hooks_run (stage, hooks, n, json, len, err);
}

static int
stage2_setup_console (struct hako_init_ctx *ctx, struct hako_error *err)
{
  const struct oci_process *p = ctx->config->process;

  if (p == NULL || !p->terminal)
    return 0;
  if (hako_terminal_setup (ctx, err) < 0)
    return -1;
  if (hako_sync_send (ctx->sync_fd, SYNC_CONSOLE, 0, NULL, ctx->console_master_fd, err) < 0)
    return -1;
  hako_closep (&ctx->console_master_fd);
  return 0;
}

static int
stage2_wait_start (struct hako_init_ctx *ctx, struct hako_error *err)
{
  char byte;
  ssize_t r;

  do
    r = read (ctx->fifo_fd, &byte, 1);
  while (r < 0 && errno == EINTR);
  if (r != 1)
    return hako_error_sys (err, r < 0 ? errno : EPIPE, "wait for start on exec.fifo");
  /* The fd stays open (close-on-exec): `start` waits for its close to run
   * the poststart hooks after the startContainer ones and the exec, and a
   * failure from here on is reported to it through the fifo. */
  ctx->started = true;
  return 0;
}

static int
stage2_run (struct hako_init_ctx *ctx, struct hako_error *err)
{
  const struct oci_config *c = ctx->config;
  const struct oci_hooks *h = c->hooks;
  cleanup_fd int state_fd = -1;
  sigset_t none;

  /* First wait, doing nothing, while stage 0 moves us into the container's
   * cgroups: whatever the init then touches is charged on the CPUs the
   * container may use (the kernel keeps a per-CPU batch of memory charge
   * that a tiny memory limit cannot spare on another CPU). */
  if (hako_sync_expect (ctx->sync_fd, SYNC_INIT_GO, NULL, err) < 0)
    return -1;
  /* run blocks signals to forward them; the container starts with none
   * blocked and default dispositions. */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      signal (sig, SIG_DFL);
  if (setsid () < 0 && errno != EPERM)
    return hako_error_sys (err, errno, "setsid");
  if ((ctx->ns.create & CLONE_NEWCGROUP) && unshare (CLONE_NEWCGROUP) < 0)
    return hako_error_sys (err, errno, "create the cgroup namespace");
  if (hako_rootfs_prepare (ctx, err) < 0)
    return -1;
  if (stage2_wait_hooks (ctx, &state_fd, err) < 0)
    return -1;
  if (h
      && stage2_run_hooks ("createContainer", h->create_container, h->create_container_len,
                           state_fd, err)
             < 0)
    return -1;
  /* sysctl and the cwd go before finalize, which may make /proc/sys and
   * "/" read-only. */
  if (hako_rootfs_pivot (ctx, err) < 0 || stage2_setup_console (ctx, err) < 0
      || hako_kernel_settings_apply (ctx, err) < 0
      || (c->process && hako_process_cwd_create (c->process, err) < 0)
      || hako_rootfs_finalize (ctx, err) < 0
      || (c->process && hako_process_prepare (ctx, c->process, err) < 0))
    return -1;
  /* From here stage 0 may exit: the init must outlive it. */
  prctl (PR_SET_PDEATHSIG, 0);
  if (hako_sync_send (ctx->sync_fd, SYNC_READY, 0, NULL, -1, err) < 0)
    return -1;
  if (ctx->fifo_fd >= 0 && stage2_wait_start (ctx, err) < 0)
    return -1;
  if (h
      && stage2_run_hooks ("startContainer", h->start_container, h->start_container_len, state_fd,
                           err)
             < 0)
    return -1;
  hako_closep (&state_fd);
  if (c->process == NULL) /* start refuses it: only a racing start gets here */
    return hako_error_set (err, EINVAL, "process was not set in config.json");
  return hako_process_exec (ctx, c->process, err);
}

/* After start, stage 0 is gone: `start` reads the failure from the fifo. */
static bool
stage2_report_to_start (const struct hako_init_ctx *ctx, const struct hako_error *err)
{
  return ctx->started && ctx->fifo_fd >= 0
         && dprintf (ctx->fifo_fd, "E%d %s", err->errnum > 0 ? err->errnum : EIO,
                     err->msg ? err->msg : "container init failed")
                > 0;
}

static void __attribute__ ((noreturn)) stage2_main (struct hako_init_ctx *ctx)
{
  struct hako_error err = HAKO_ERROR_INIT;

  stage2_run (ctx, &err);
  /* Only failures get here.  If nobody gets the message (stage 0 gone,
   * start not waiting), the container's stderr does. */
  if (!stage2_report_to_start (ctx, &err)
      && (hako_sync_send_error (ctx->sync_fd, &err) < 0 || ctx->fifo_fd < 0))
    dprintf (2, "hako: %s\n", err.msg ? err.msg : "container init failed");
  _exit (127);
}

/* ---------------------------------------------------------------- stage 1 */

/* Until its exec (which resets it) the init is not dumpable: no process of
 * the container may open its /proc/PID/exe, fd/, root or mem, which lead
 * to the host (CVE-2016-9962, CVE-2019-5736).  Set before any namespace is
 * joined, and once a new user namespace is mapped (stage 0 may not be
 * allowed to write the maps of a process that is not dumpable). */
static int
stage1_undumpable (struct hako_error *err)
{
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return hako_error_sys (err, errno, "prctl PR_SET_DUMPABLE");
  return 0;
}

static int
stage1_enter_userns (struct hako_init_ctx *ctx, struct hako_error *err)
{
  int user_fd = ctx->ns.join_fds[0];

  if (!(ctx->ns.create & CLONE_NEWUSER) && stage1_undumpable (err) < 0)
    return -1;
  if (user_fd >= 0 && setns (user_fd, CLONE_NEWUSER) < 0)
    return hako_error_sys (err, errno, "join the user namespace");
  if (ctx->ns.create & CLONE_NEWUSER)
    {
      if (unshare (CLONE_NEWUSER) < 0)
        return hako_error_sys (err, errno, "create a user namespace");
      if (hako_sync_send (ctx->sync_fd, SYNC_USERNS_READY, 0, NULL, -1, err) < 0
          || hako_sync_expect (ctx->sync_fd, SYNC_USERNS_MAPPED, NULL, err) < 0
          || stage1_undumpable (err) < 0)
        return -1;
    }
  /* Become root of the namespace, so what the init creates is owned by it. */
  if (ctx->userns && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    return hako_error_sys (err, errno, "become root in the user namespace (is 0 mapped?)");
  return 0;
}

/* The kernel checks who may set time offsets against the opener of
 * timens_offsets, and once stage 1 is root of a new user namespace its
 * /proc/self files are no longer its own: open before entering it (*FD),
 * write once the time namespace exists. */
static int
open_time_offsets (const struct hako_init_ctx *ctx, int *fd, struct hako_error *err)
{
  *fd = -1;
  if (!(ctx->ns.create & CLONE_NEWTIME) || ctx->config->linux == NULL
      || ctx->config->linux->time_offsets == NULL)
    return 0;
  *fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (*fd < 0)
    return hako_error_sys (err, errno, "linux.timeOffsets: open /proc/self/timens_offsets");
  return 0;
}

static int
write_time_offsets (int fd, const struct oci_time_offsets *t, struct hako_error *err)
{
  char buf[128];
  int n = 0;

  if (t == NULL || fd < 0)
    return 0;
  if (t->monotonic)
    n += snprintf (buf + n, sizeof buf - n, "monotonic %lld %u\n", (long long)t->monotonic->secs,
                   t->monotonic->nanosecs);
  if (t->boottime)
    n += snprintf (buf + n, sizeof buf - n, "boottime %lld %u\n", (long long)t->boottime->secs,
                   t->boottime->nanosecs);
  if (n == 0)
    return 0;
  if (write (fd, buf, n) != n)
    return hako_error_sys (err, errno, "linux.timeOffsets: write /proc/self/timens_offsets");
  return 0;
}

/* oomScoreAdj is inherited: set it while /proc/self is still ours (see
 * open_time_offsets); the init and the exec'd process find it set. */
static int
stage1_oom_score_adj (const struct hako_init_ctx *ctx, struct hako_error *err)
{
  const struct oci_process *p = ctx->config->process;

  if (p == NULL || !p->has_oom_score_adj)
    return 0;
  return hako_oom_score_adj_apply (p->oom_score_adj, err);
}

static int
stage1_namespaces (struct hako_init_ctx *ctx, struct hako_error *err)
{
  /* The cgroup namespace is made by stage 2, once stage 0 has put it in
   * its cgroups: the namespace is rooted where the process is. */
  unsigned long rest = ctx->ns.create & ~(unsigned long)(CLONE_NEWUSER | CLONE_NEWCGROUP);
  cleanup_fd int offsets = -1;

  if (open_time_offsets (ctx, &offsets, err) < 0 || stage1_oom_score_adj (ctx, err) < 0
      || stage1_enter_userns (ctx, err) < 0)
    return -1;
  for (size_t i = 1; i < HAKO_ARRAY_SIZE (hako_ns_kinds); i++)
    if (ctx->ns.join_fds[i] >= 0 && setns (ctx->ns.join_fds[i], hako_ns_kinds[i].flag) < 0)
      return hako_error_sys (err, errno, "join the %s namespace", hako_ns_kinds[i].name);
  if (rest && unshare (rest) < 0)
    return hako_error_sys (err, errno, "create namespaces (flags %#lx)", rest);
  if ((rest & CLONE_NEWTIME) && ctx->config->linux
      && write_time_offsets (offsets, ctx->config->linux->time_offsets, err) < 0)
    return -1;
  return 0;
}

static int
stage1_run (struct hako_init_ctx *ctx, struct hako_error *err)
{
  cleanup_fd int pidfd = -1;
  pid_t pid;

  if (stage1_namespaces (ctx, err) < 0)
    return -1;
  /* CLONE_PARENT: the init is stage 0's child, so `run` can wait for it. */
  pid = hako_clone3 (CLONE_PARENT, -1, &pidfd);
  if (pid < 0)
    return hako_error_sys (err, errno, "clone the container init");
  if (pid == 0)
    stage2_main (ctx);
  return hako_sync_send (ctx->sync_fd, SYNC_INIT_PIDFD, 0, NULL, pidfd, err);
}

static void __attribute__ ((noreturn)) stage1_main (struct hako_init_ctx *ctx)
{
  struct hako_error err = HAKO_ERROR_INIT;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (ctx->parent_only_fds); i++)
    hako_closep (&ctx->parent_only_fds[i]);
  hako_closep (&ctx->console_socket_fd);
  if (stage1_run (ctx, &err) < 0)
    {
      hako_sync_send_error (ctx->sync_fd, &err);
      _exit (1);
    }
  _exit (0);
}

/* ---------------------------------------------------------------- stage 0 */

struct stage0
{
  struct hako_init_ctx *ctx;
  const struct hako_nsexec_callbacks *cb;
  int sock;
  pid_t stage1;
  pid_t init;
  int init_pidfd;
};

static int
stage0_handle (struct stage0 *s, const struct hako_sync_msg *msg, int fd, struct hako_error *err)
{
  cleanup_fd int state_fd = -1;

  switch (msg->type)
    {
    case SYNC_USERNS_READY:
      if (hako_idmap_write (s->stage1, s->ctx->config->linux, err) < 0)
        return -1;
      return hako_sync_send (s->sock, SYNC_USERNS_MAPPED, 0, NULL, -1, err);
    case SYNC_INIT_PIDFD:
      s->init_pidfd = fd;
      s->init = hako_pidfd_pid (fd);
      if (fd < 0 || s->init <= 0)
        return hako_error_set (err, EPROTO, "stage 1 sent no usable pidfd");
      if (s->cb->init_created && s->cb->init_created (s->cb->data, s->init, err) < 0)
        return -1;
      /* Stage 2 waits for this, so its messages never overtake the pidfd. */
      return hako_sync_send (s->sock, SYNC_INIT_GO, 0, NULL, -1, err);
    case SYNC_PRE_PIVOT:
      if (s->cb->pre_pivot && s->cb->pre_pivot (s->cb->data, s->init, &state_fd, err) < 0)
        return -1;
      return hako_sync_send (s->sock, SYNC_PRE_PIVOT_DONE, 0, NULL, state_fd, err);
    case SYNC_SECCOMP_LISTENER:
      if (fd < 0)
        return hako_error_set (err, EPROTO, "stage 2 sent no seccomp listener");
      if (hako_seccomp_send_listener (s->ctx->config, s->ctx->id, s->ctx->bundle, "creating",
                                      s->init, s->init, fd, err)
          < 0)
        {
          close (fd);
          return -1;
        }
      close (fd);
      return hako_sync_send (s->sock, SYNC_SECCOMP_SENT, 0, NULL, -1, err);
    case SYNC_CONSOLE:
      if (fd < 0)
        return hako_error_set (err, EPROTO, "stage 2 sent no console fd");
      if (s->cb->console)
        return s->cb->console (s->cb->data, fd, err);
      close (fd);
      return 0;
    case SYNC_ERROR:
      hako_closep (&fd);
      return hako_error_set (err, msg->errnum, "create: %s", msg->text);
    default:
      hako_closep (&fd);
      return hako_error_set (err, EPROTO, "sync: unexpected message %u", msg->type);
    }
}

static int
stage0_loop (struct stage0 *s, struct hako_error *err)
{
  for (;;)
    {
      struct hako_sync_msg msg;
      int fd = -1, r = hako_sync_recv (s->sock, &msg, &fd, err);

      if (r < 0)
        return -1;
      if (r == 0)
        return hako_error_set (err, EPIPE, "the container init exited during setup");
      if (msg.type == SYNC_READY)
        return 0;
      if (stage0_handle (s, &msg, fd, err) < 0)
        return -1;
    }
}

static void
stage0_abort (struct stage0 *s)
{
  if (s->init_pidfd >= 0)
    {
      syscall (SYS_pidfd_send_signal, s->init_pidfd, SIGKILL, NULL, 0);
      waitpid (s->init, NULL, 0);
      hako_closep (&s->init_pidfd);
    }
}

int
hako_nsexec_start (struct hako_init_ctx *ctx, const struct hako_nsexec_callbacks *cb, int cgroup_fd,
                   pid_t *pid, int *pidfd, struct hako_error *err)
{
  struct stage0 s = { .ctx = ctx, .cb = cb, .init_pidfd = -1 };
  cleanup_fd int stage1_pidfd = -1;
  int sv[2], status = 0, r;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return hako_error_sys (err, errno, "socketpair");
  s.sock = sv[0];
  ctx->sync_fd = sv[1];
  s.stage1 = hako_clone3 (0, cgroup_fd, &stage1_pidfd);
  if (s.stage1 < 0)
    {
      r = hako_error_sys (err, errno, "clone stage 1");
      goto out;
    }
  if (s.stage1 == 0)
    {
      close (sv[0]);
      stage1_main (ctx);
    }
  close (sv[1]);
  sv[1] = -1;
  r = stage0_loop (&s, err);
  /* Stage 1 has exited (or will, on its pdeath signal): reap it. */
  if (r < 0)
    syscall (SYS_pidfd_send_signal, stage1_pidfd, SIGKILL, NULL, 0);
  waitpid (s.stage1, &status, 0);
  if (r < 0)
    stage0_abort (&s);
  else
    {
      *pid = s.init;
      *pidfd = s.init_pidfd;
    }
out:
  close (sv[0]);
  if (sv[1] >= 0)
    close (sv[1]);
  ctx->sync_fd = -1;
  return r;
}

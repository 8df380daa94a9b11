/* exec: build the process (from -p or from flags over the container's own
 * process), join every namespace of the init through its pidfd in one
 * setns(), fork into the container's pid namespace, set the process up
 * with the same code as the init, and exec.  The sync socket stays open
 * until the exec (CLOEXEC), so an exec failure comes back as an error. */
#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "container-internal.h"
#include "init.h"
#include "nsexec.h"
#include "process.h"
#include "seccomp.h"
#include "sync.h"
#include "terminal.h"
#include "util.h"
#include "validate-linux.h"

struct exec_job
{
  const struct hako_exec_opts *o;
  struct oci_config *config; /* the container's, as saved at create */
  struct oci_config view;    /* config with .process = the exec process */
  struct oci_process *process;
  struct hako_init_ctx ctx;
  int init_pidfd;
  unsigned long ns_flags;
  struct hako_cgroup *cgroup;       /* the container's, if it has one */
  struct hako_seccomp_prog seccomp; /* the container's linux.seccomp, as runc applies it */
  char *bundle;                     /* the container's, for a seccomp agent */
};

/* A deep copy through the serializer: the copy is owned like a parsed one. */
static struct oci_process *
copy_process (const struct oci_process *p, struct hako_error *err)
{
  size_t len = 0;
  cleanup_free char *text = oci_serialize (&oci_process_type, p, false, &len, err);

  return text ? oci_parse (&oci_process_type, text, len, "process", err) : NULL;
}

static char **
strv_dup (char **v, size_t *n)
{
  size_t count = 0;
  char **out;

  while (v && v[count])
    count++;
  out = hako_xmalloc0 ((count + 1) * sizeof (char *));
  for (size_t i = 0; i < count; i++)
    out[i] = hako_xstrdup (v[i]);
  *n = count;
  return out;
}

static void
strv_free_n (char **v, size_t n)
{
  for (size_t i = 0; v && i < n; i++)
    free (v[i]);
  free (v);
}

/* -e KEY=VALUE replaces KEY in the env or appends it. */
static void
env_set (struct oci_process *p, const char *kv)
{
  size_t klen = strcspn (kv, "=");

  for (size_t i = 0; i < p->env_len; i++)
    if (strncmp (p->env[i], kv, klen) == 0 && p->env[i][klen] == '=')
      {
        free (p->env[i]);
        p->env[i] = hako_xstrdup (kv);
        return;
      }
  p->env = realloc (p->env, (p->env_len + 2) * sizeof (char *));
  if (p->env == NULL)
    abort ();
  p->env[p->env_len++] = hako_xstrdup (kv);
}

static int
parse_user (struct oci_process *p, const char *spec, struct hako_error *err)
{
  char *end;
  unsigned long uid = strtoul (spec, &end, 10), gid = 0;

  if (end == spec || (*end && *end != ':'))
    return hako_error_set (err, EINVAL, "invalid --user `%s`: expected uid[:gid]", spec);
  if (*end == ':')
    {
      gid = strtoul (end + 1, &end, 10);
      if (*end)
        return hako_error_set (err, EINVAL, "invalid --user `%s`: expected uid[:gid]", spec);
    }
  if (p->user == NULL)
    p->user = hako_xmalloc0 (sizeof *p->user);
  p->user->uid = uid;
  p->user->has_uid = true;
  p->user->gid = gid;
  p->user->has_gid = true;
  return 0;
}

static void
add_caps (char ***set, size_t *n, char **caps)
{
  for (size_t c = 0; caps && caps[c]; c++)
    {
      *set = realloc (*set, (*n + 2) * sizeof (char *));
      if (*set == NULL)
        abort ();
      (*set)[(*n)++] = hako_xstrdup (caps[c]);
    }
}

static int
apply_flags (struct exec_job *j, struct oci_process *p, struct hako_error *err)
{
  const struct hako_exec_opts *o = j->o;

  strv_free_n (p->args, p->args_len);
  p->args = strv_dup (o->args, &p->args_len);
  if (p->args_len == 0)
    return hako_error_set (err, EINVAL, "exec: no command given");
  p->terminal = o->tty;
  if (o->cwd)
    free (p->cwd), p->cwd = hako_xstrdup (o->cwd);
  for (size_t i = 0; o->env && o->env[i]; i++)
    env_set (p, o->env[i]);
  if (o->user && parse_user (p, o->user, err) < 0)
    return -1;
  for (size_t i = 0; o->additional_gids && o->additional_gids[i]; i++)
    {
      if (p->user == NULL)
        p->user = hako_xmalloc0 (sizeof *p->user);
      p->user->additional_gids = realloc (p->user->additional_gids,
                                          (p->user->additional_gids_len + 1) * sizeof (uint32_t));
      p->user->additional_gids[p->user->additional_gids_len++]
          = strtoul (o->additional_gids[i], NULL, 10);
    }
  if (o->caps && p->capabilities)
    {
      struct oci_capabilities *c = p->capabilities;
      add_caps (&c->bounding, &c->bounding_len, o->caps);
      add_caps (&c->effective, &c->effective_len, o->caps);
      add_caps (&c->permitted, &c->permitted_len, o->caps);
      add_caps (&c->inheritable, &c->inheritable_len, o->caps);
    }
  if (o->no_new_privs)
    p->no_new_privileges = p->has_no_new_privileges = true;
  if (o->apparmor)
    free (p->apparmor_profile), p->apparmor_profile = hako_xstrdup (o->apparmor);
  if (o->process_label)
    free (p->selinux_label), p->selinux_label = hako_xstrdup (o->process_label);
  return 0;
}

static int
build_process (struct exec_job *j, struct hako_error *err)
{
  struct oci_warnings warnings = { 0 };
  const char *source = j->o->process_file ? "process.json" : "exec";
  int r;

  if (j->o->process_file)
    j->process = oci_process_parse_file (j->o->process_file, err);
  else if (j->config->process)
    j->process = copy_process (j->config->process, err);
  else
    return hako_error_set (err, EINVAL, "the container has no process to base exec on");
  if (j->process == NULL)
    return -1;
  if (!j->o->process_file && apply_flags (j, j->process, err) < 0)
    return -1;
  r = oci_process_validate_linux (j->process, source, &warnings, err);
  oci_warnings_free (&warnings);
  return r < 0 ? -1 : hako_lsm_check (j->process, NULL, source, &j->ctx, err);
}

static unsigned long
container_ns_flags (const struct oci_config *c)
{
  unsigned long flags = 0;

  for (size_t i = 0; c->linux && i < c->linux->namespaces_len; i++)
    {
      const struct hako_ns_kind *k = hako_ns_kind_by_name (c->linux->namespaces[i].type);
      if (k)
        flags |= k->flag;
    }
  return flags;
}

/* The child that ends up running the process (in the container's pid ns). */
static void __attribute__ ((noreturn)) exec_process_main (struct exec_job *j)
{
  struct hako_error err = HAKO_ERROR_INIT;
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if ((j->process->terminal && hako_terminal_setup (&j->ctx, &err) < 0)
      || (j->process->terminal
          && hako_sync_send (j->ctx.sync_fd, SYNC_CONSOLE, 0, NULL, j->ctx.console_master_fd, &err)
                 < 0))
    goto fail;
  if (j->process->terminal)
    hako_closep (&j->ctx.console_master_fd);
  else
    setsid ();
  if (hako_process_prepare (&j->ctx, j->process, &err) < 0)
    goto fail;
  hako_process_exec (&j->ctx, j->process, &err);
fail:
  hako_sync_send_error (j->ctx.sync_fd, &err);
  _exit (127);
}

/* A container without a mount namespace lives in a chroot of the host's:
 * the init's root is where the process goes. */
static int
join_init_root (struct exec_job *j, struct hako_error *err)
{
  char path[64];
  cleanup_fd int root = -1;

  snprintf (path, sizeof path, "/proc/%d/root", (int)hako_pidfd_pid (j->init_pidfd));
  root = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0 || fchdir (root) < 0 || chroot (".") < 0 || chdir ("/") < 0)
    return hako_error_sys (err, errno, "enter the container's root");
  return 0;
}

/* The intermediate child: join, then fork so the pid namespace applies. */
static void __attribute__ ((noreturn)) exec_join_main (struct exec_job *j)
{
  struct hako_error err = HAKO_ERROR_INIT;
  int pidfd = -1;
  pid_t pid;

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  hako_closep (&j->ctx.console_socket_fd);
  /* Wait until stage 0 has put us in the container's cgroups. */
  if (hako_sync_expect (j->ctx.sync_fd, SYNC_INIT_GO, NULL, &err) < 0)
    goto fail;
  /* oomScoreAdj while /proc/self is ours: in the container's user
   * namespace it would not be (the process inherits the value). */
  if (j->process->has_oom_score_adj
      && hako_oom_score_adj_apply (j->process->oom_score_adj, &err) < 0)
    goto fail;
  /* Not dumpable until the exec, as the init (nsexec.c): the container's
   * processes see the child in their pid namespace. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    {
      hako_error_sys (&err, errno, "prctl PR_SET_DUMPABLE");
      goto fail;
    }
  if (setns (j->init_pidfd, j->ns_flags) < 0)
    {
      hako_error_sys (&err, errno, "join the container's namespaces");
      goto fail;
    }
  if (!(j->ns_flags & CLONE_NEWNS) && join_init_root (j, &err) < 0)
    goto fail;
  pid = hako_clone3 (CLONE_PARENT, -1, &pidfd);
  if (pid < 0)
    {
      hako_error_sys (&err, errno, "clone the exec process");
      goto fail;
    }
  if (pid == 0)
    exec_process_main (j);
  if (hako_sync_send (j->ctx.sync_fd, SYNC_INIT_PIDFD, 0, NULL, pidfd, &err) == 0)
    _exit (0);
fail:
  hako_sync_send_error (j->ctx.sync_fd, &err);
  _exit (1);
}

static int
exec_handle (struct exec_job *j, int sock, const struct hako_sync_msg *m, int fd, pid_t *pid,
             int *pidfd, int *master, struct hako_error *err)
{
  cleanup_fd int owned = fd;

  switch (m->type)
    {
    case SYNC_INIT_PIDFD:
      *pidfd = hako_steal_fd (&owned);
      *pid = *pidfd >= 0 ? hako_pidfd_pid (*pidfd) : -1;
      return *pid > 0 ? 0 : hako_error_set (err, EPROTO, "exec: no usable pidfd");
    case SYNC_CONSOLE:
      if (j->ctx.console_socket_fd >= 0)
        return hako_send_fd (j->ctx.console_socket_fd, owned, HAKO_CONSOLE_FD_NAME, err);
      *master = hako_steal_fd (&owned);
      return 0;
    case SYNC_SECCOMP_LISTENER:
      if (owned < 0)
        return hako_error_set (err, EPROTO, "exec: no seccomp listener");
      if (hako_seccomp_send_listener (j->config, j->ctx.id, j->ctx.bundle, "running",
                                      hako_pidfd_pid (j->init_pidfd), *pid, owned, err)
          < 0)
        return -1;
      return hako_sync_send (sock, SYNC_SECCOMP_SENT, 0, NULL, -1, err);
    case SYNC_ERROR: return hako_error_set (err, m->errnum, "%s", m->text);
    default: return hako_error_set (err, EPROTO, "exec: unexpected message %u", m->type);
    }
}

/* Until the sync socket closes: the process has exec'd (CLOEXEC) or died. */
static int
exec_stage0 (struct exec_job *j, pid_t *pid, int *pidfd, int *master, struct hako_error *err)
{
  cleanup_fd int helper_pidfd = -1;
  int sv[2], r = 0;
  pid_t helper;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return hako_error_sys (err, errno, "socketpair");
  j->ctx.sync_fd = sv[1];
  helper = hako_clone3 (0, hako_cgroup_v2_fd (j->cgroup), &helper_pidfd);
  if (helper == 0)
    {
      close (sv[0]);
      exec_join_main (j);
    }
  close (sv[1]);
  if (helper < 0)
    r = hako_error_sys (err, errno, "fork");
  else if (hako_cgroup_enter (j->cgroup, helper, err) < 0
           || hako_sync_send (sv[0], SYNC_INIT_GO, 0, NULL, -1, err) < 0)
    r = -1;
  while (r == 0)
    {
      struct hako_sync_msg m;
      int fd = -1, got = hako_sync_recv (sv[0], &m, &fd, err);
      if (got <= 0)
        {
          r = got < 0 ? -1 : (*pidfd >= 0 ? 1 : hako_error_set (err, EPIPE, "exec failed"));
          break;
        }
      r = exec_handle (j, sv[0], &m, fd, pid, pidfd, master, err);
    }
  close (sv[0]);
  if (helper > 0)
    waitpid (helper, NULL, 0);
  if (r < 0 && *pidfd >= 0)
    {
      syscall (SYS_pidfd_send_signal, *pidfd, SIGKILL, NULL, 0);
      waitid (P_PIDFD, *pidfd, NULL, WEXITED);
      hako_closep (pidfd);
    }
  return r < 0 ? -1 : 0;
}

static int
open_container (struct exec_job *j, struct hako_error *err)
{
  struct hako_store store = { -1, -1, NULL };
  struct hako_entry entry;
  const char *status;
  int r;

  if (hako_store_open (&store, j->o->root, false, err) < 0)
    return -1;
  r = hako_entry_open (&store, j->o->id, false, &entry, err);
  if (r == 0)
    {
      status = hako_entry_status (&entry);
      if (strcmp (status, "stopped") == 0)
        r = hako_error_set (err, ESRCH, "cannot exec in a stopped container");
      else if ((j->init_pidfd = hako_entry_pidfd (&entry)) < 0)
        r = hako_error_set (err, ESRCH, "container not running");
      else if ((j->config = hako_entry_config (&entry, err)) == NULL)
        r = -1;
      else if ((j->cgroup = hako_entry_cgroup (&entry, err)) == NULL && err && err->msg)
        r = -1;
      if (r == 0)
        j->bundle = hako_xstrdup (entry.status->bundle);
      hako_entry_close (&entry);
    }
  hako_store_close (&store);
  return r;
}

/* --cgroup: the process goes to sub-cgroups of the container's. */
static int
use_sub_cgroups (struct exec_job *j, struct hako_error *err)
{
  struct hako_cgroup *sub = NULL;
  size_t n = 0;

  while (j->o->cgroups && j->o->cgroups[n])
    n++;
  if (n == 0)
    return 0;
  if (hako_cgroup_sub (j->cgroup, j->o->cgroups, n, &sub, err) < 0)
    return hako_error_wrap (err, "exec");
  hako_cgroup_free (j->cgroup);
  j->cgroup = sub;
  return 0;
}

static int
exec_wait (struct exec_job *j, int pidfd, int master, int *exit_code, struct hako_error *err)
{
  sigset_t set;
  siginfo_t si = { 0 };
  int r;

  hako_forwarded_signals (&set);
  if (master >= 0)
    r = hako_terminal_proxy (master, pidfd, err);
  else
    r = hako_forward_until_exit (pidfd, &set, err);
  (void)j;
  if (waitid (P_PIDFD, pidfd, &si, WEXITED) == 0)
    *exit_code = hako_exit_code_of (&si);
  return r;
}

static int
exec_run (struct exec_job *j, int *exit_code, struct hako_error *err)
{
  cleanup_fd int pidfd = -1, master = -1;
  pid_t pid = 0;

  if (open_container (j, err) < 0 || use_sub_cgroups (j, err) < 0 || build_process (j, err) < 0)
    return -1;
  j->view = *j->config;
  j->view.process = j->process;
  j->ctx.config = &j->view;
  j->ctx.id = j->o->id;
  j->ctx.bundle = j->bundle;
  j->ctx.no_new_keyring = true;
  j->ctx.preserve_fds = j->o->preserve_fds;
  j->ns_flags = container_ns_flags (j->config);
  j->ctx.userns = j->ns_flags & CLONE_NEWUSER;
  /* seccomp: the exec'd process gets the container's filter (runc does
   * too), compiled from the saved config before forking. */
  if (j->config->linux && j->config->linux->seccomp)
    {
      if (hako_seccomp_compile (j->config->linux->seccomp, &j->seccomp, err) < 0)
        return -1;
      j->ctx.seccomp = &j->seccomp;
    }
  if (j->o->console_socket
      && (j->ctx.console_socket_fd = hako_console_socket_connect (j->o->console_socket, err)) < 0)
    return hako_error_wrap (err, "--console-socket");
  if (exec_stage0 (j, &pid, &pidfd, &master, err) < 0)
    return -1;
  if ((j->o->pid_file && hako_write_pid_file (j->o->pid_file, pid, err) < 0)
      || (j->o->pidfd_socket && hako_send_pidfd (j->o->pidfd_socket, pidfd, err) < 0))
    return -1;
  if (j->o->detach)
    return *exit_code = 0;
  return exec_wait (j, pidfd, master, exit_code, err);
}

int
hako_container_exec (const struct hako_exec_opts *o, int *exit_code, struct hako_error *err)
{
  struct exec_job j = { .o = o, .init_pidfd = -1 };
  sigset_t set, old;
  int r;

  j.ctx.rootfs_fd = j.ctx.fifo_fd = j.ctx.console_socket_fd = -1;
  j.ctx.console_master_fd = j.ctx.sync_fd = -1;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (j.ctx.parent_only_fds); i++)
    j.ctx.parent_only_fds[i] = -1;
  hako_listen_fds_detect ();
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (j.ctx.ns.join_fds); i++)
    j.ctx.ns.join_fds[i] = -1;
  hako_forwarded_signals (&set);
  sigprocmask (SIG_BLOCK, &set, &old);
  r = exec_run (&j, exit_code, err);
  sigprocmask (SIG_SETMASK, &old, NULL);
  hako_closep (&j.init_pidfd);
  hako_closep (&j.ctx.console_socket_fd);
  oci_process_free (j.process);
  oci_config_free (j.config);
  hako_cgroup_free (j.cgroup);
  hako_seccomp_prog_release (&j.seccomp);
  hako_lsm_release (&j.ctx);
  free (j.bundle);
  return r;
}

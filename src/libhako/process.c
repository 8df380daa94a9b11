/* The container process's attributes, in the order the kernel's rules and
 * the known attacks require:
 *   - attributes that may need privileges (rlimits, scheduler, ...) first,
 *     while every capability is held;
 *   - the bounding set is cut while CAP_SETPCAP is still effective, before
 *     the uid change clears the effective set;
 *   - groups, gid, uid with PR_SET_KEEPCAPS so the permitted set survives;
 *   - the cwd resolved beneath the container's root, never through a magic
 *     link, and checked to be reachable from it (CVE-2024-21626);
 *   - the other capability sets, then no_new_privs, umask, and the lookup
 *     of args[0] as the container user. */
#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "inroot.h"
#include "procfs.h"
#include "seccomp.h"
#include "selinux.h"
#include "sync.h"
#include "util.h"

_Static_assert(sizeof (gid_t) == sizeof (uint32_t), "additionalGids are passed as gid_t");

/* What the privileged half leaves for the identity switch (stage 2 and
 * the exec child are single threaded). */
static struct
{
  const struct oci_process *process;
  bool have_caps; /* process.capabilities given: otherwise the kernel's uid rules apply */
  struct hako_caps caps;
  bool cwd_done; /* entered while still root */
} pending;

/* init.h: the exec fifo is -1 for `hako exec`, which joins a running
 * container rather than setting one up. */
static bool
ctx_is_exec (const struct hako_init_ctx *ctx)
{
  return ctx->fifo_fd < 0;
}

/* ---- cwd ---- */

/* Open CWD beneath the current root: RESOLVE_IN_ROOT keeps ".." and
 * symlinks inside it, RESOLVE_NO_MAGICLINKS refuses /proc/self/fd/N and
 * the like.  CREATE makes missing directories (0755), as runc does for the
 * init.  Returns an fd, or -1 with errno. */
static int
cwd_open (const char *cwd, bool create)
{
  cleanup_fd int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  bool created;

  if (rootfd < 0)
    return -1;
  if (create)
    return hako_inroot_create (rootfd, cwd, HAKO_INROOT_DIR, 0755, 0, &created);
  return hako_inroot_open (rootfd, cwd, O_PATH | O_DIRECTORY, 0);
}

/* process.cwd is required by the schema; "/" if a caller built one without. */
static const char *
process_cwd (const struct oci_process *process)
{
  return process->cwd ? process->cwd : "/";
}

/* 0 when entered; 1 when permission was denied and TRY_LATER (the
 * container user may be allowed where root of the runtime is not). */
static int
cwd_enter (const char *cwd, bool create, bool try_later, struct hako_error *err)
{
  cleanup_fd int fd = cwd_open (cwd, create);

  if (fd >= 0 && fchdir (fd) == 0)
    return 0;
  if (try_later && (errno == EACCES || errno == EPERM))
    return 1;
  if (errno == ELOOP)
    return hako_error_sys (err, errno,
                           "chdir to cwd \"%s\" set in config.json failed: it must resolve inside "
                           "the container without magic links",
                           cwd);
  return hako_error_sys (err, errno, "chdir to cwd \"%s\" set in config.json failed", cwd);
}

int
hako_process_cwd_create (const struct oci_process *process, struct hako_error *err)
{
  cleanup_fd int fd = cwd_open (process_cwd (process), true);

  if (fd < 0)
    return hako_error_sys (err, errno, "create cwd \"%s\" set in config.json",
                           process_cwd (process));
  return 0;
}

/* getcwd(2) prefixes "(unreachable)" (glibc: ENOENT) to a directory outside
 * the current root: that is a cwd leaked from the host. */
static int
cwd_verify (struct hako_error *err)
{
  char buf[PATH_MAX];

  if (getcwd (buf, sizeof buf) == NULL)
    {
      if (errno == ENOENT)
        return hako_error_set (err, EPERM,
                               "current working directory is outside of the container's root: "
                               "possible container breakout, refusing");
      return hako_error_sys (err, errno, "verify the current working directory");
    }
  if (buf[0] != '/')
    return hako_error_set (err, EPERM, "current working directory \"%s\" is not absolute", buf);
  return 0;
}

/* ---- user and groups ---- */

/* Is setgroups(2) denied in our user namespace (/proc/self/setgroups)?
 * Unknown (no procfs) counts as allowed: setgroups then tells. */
static bool
setgroups_denied (void)
{
  cleanup_fd int procfd = -1;
  struct hako_error ignored = HAKO_ERROR_INIT;
  char rel[64], buf[16];
  bool denied = false;

  procfd = hako_procfs_open (&ignored);
  if (procfd >= 0 && hako_procfs_self (procfd, "setgroups", rel, sizeof rel, &ignored) == 0
      && hako_procfs_read (procfd, rel, buf, sizeof buf, &ignored) >= 0)
    denied = strncmp (buf, "deny", 4) == 0;
  hako_error_clear (&ignored);
  return denied;
}

static int
set_groups (const struct hako_init_ctx *ctx, const struct oci_user *user, struct hako_error *err)
{
  size_t n = user ? user->additional_gids_len : 0;
  const gid_t *gids = n ? (const gid_t *)user->additional_gids : NULL;

  if (ctx->userns && setgroups_denied ())
    {
      if (n > 0)
        return hako_error_set (err, EPERM,
                               "cannot set additionalGids: setgroups is denied in the "
                               "container's user namespace");
      return 0;
    }
  /* Also with no additionalGids: drop the runtime's supplementary groups. */
  if (setgroups (n, gids) < 0)
    return hako_error_sys (err, errno, "setgroups");
  return 0;
}

static int
set_user (const struct hako_init_ctx *ctx, const struct oci_user *user, struct hako_error *err)
{
  uid_t uid = user ? user->uid : 0;
  gid_t gid = user ? user->gid : 0;
  int pdeath = 0;

  /* A change of credentials clears the parent-death signal. */
  prctl (PR_GET_PDEATHSIG, &pdeath);
  if (set_groups (ctx, user, err) < 0)
    return -1;
  if (setresgid (gid, gid, gid) < 0)
    return hako_error_sys (err, errno, "setresgid %u", (unsigned)gid);
  if (setresuid (uid, uid, uid) < 0)
    return hako_error_sys (err, errno, "setresuid %u", (unsigned)uid);
  if (pdeath && prctl (PR_SET_PDEATHSIG, pdeath) < 0)
    return hako_error_sys (err, errno, "restore the parent death signal");
  return 0;
}

/* ---- the two halves ---- */

static int
apply_linux_attrs (const struct hako_init_ctx *ctx, struct hako_error *err)
{
  const struct oci_linux *lx = ctx->config ? ctx->config->linux : NULL;

  if (lx && lx->personality && hako_personality_apply (lx->personality, err) < 0)
    return -1;
  if (lx && lx->memory_policy && hako_memory_policy_apply (lx->memory_policy, err) < 0)
    return -1;
  return 0;
}

/* execCPUAffinity is for exec only (the spec: not the init).  Without
 * it, forget the runtime's affinity, as runc does. */
static int
apply_exec_affinity (const struct oci_process *process, struct hako_error *err)
{
  const struct oci_cpu_affinity *aff = process->exec_cpu_affinity;

  if (aff == NULL || (aff->initial == NULL && aff->final == NULL))
    {
      hako_cpu_affinity_reset ();
      return 0;
    }
  if (aff->final && hako_cpu_affinity_apply (aff->final, err) < 0)
    return hako_error_wrap (err, "execCPUAffinity.final");
  return 0;
}

static int
apply_process_attrs (const struct hako_init_ctx *ctx, const struct oci_process *process,
                     struct hako_error *err)
{
  if (hako_rlimits_apply (process, err) < 0)
    return -1;
  if (process->has_oom_score_adj && hako_oom_score_adj_apply (process->oom_score_adj, err) < 0)
    return -1;
  if (process->scheduler && hako_scheduler_apply (process->scheduler, err) < 0)
    return -1;
  if (process->io_priority && hako_io_priority_apply (process->io_priority, err) < 0)
    return -1;
  if (ctx_is_exec (ctx) && apply_exec_affinity (process, err) < 0)
    return -1;
  return apply_linux_attrs (ctx, err);
}

int
hako_process_prepare_privileged (struct hako_init_ctx *ctx, const struct oci_process *process,
                                 struct hako_error *err)
{
  int r;

  memset (&pending, 0, sizeof pending);
  pending.process = process;
  if (process->capabilities)
    {
      if (hako_caps_parse (process->capabilities, &pending.caps, err) < 0)
        return -1;
      pending.have_caps = true;
    }
  if (hako_exec_plan_build (process, err) < 0 || apply_process_attrs (ctx, process, err) < 0)
    return -1;
  /* The session keyring of exec is left alone when it joins an existing
   * one: its permissions were set by the init. */
  /* The new session keyring carries the process's SELinux label. */
  if (!ctx->no_new_keyring
      && (hako_selinux_set_keycreate_label (ctx->selinux_process_label, err) < 0
          || hako_session_keyring_join (ctx->id, !ctx_is_exec (ctx), ctx->userns, err) < 0))
    return -1;
  r = cwd_enter (process_cwd (process), !ctx_is_exec (ctx), true, err);
  if (r < 0)
    return -1;
  pending.cwd_done = r == 0;
  /* Verified now, before a seccomp filter (which may deny getcwd) is in. */
  return pending.cwd_done ? cwd_verify (err) : 0;
}

static int
apply_caps_and_user (struct hako_init_ctx *ctx, const struct oci_process *process,
                     struct hako_error *err)
{
  if (pending.have_caps && hako_caps_apply_bounding (&pending.caps, err) < 0)
    return hako_error_wrap (err, "capabilities");
  if (pending.have_caps && prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return hako_error_sys (err, errno, "prctl PR_SET_KEEPCAPS");
  if (set_user (ctx, process->user, err) < 0)
    return -1;
  if (!pending.cwd_done
      && (cwd_enter (process_cwd (process), false, false, err) < 0 || cwd_verify (err) < 0))
    return -1;
  if (pending.have_caps && hako_caps_apply_sets (&pending.caps, err) < 0)
    return hako_error_wrap (err, "capabilities");
  if (pending.have_caps && prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return hako_error_sys (err, errno, "prctl PR_SET_KEEPCAPS");
  return 0;
}

int
hako_process_switch_identity (struct hako_init_ctx *ctx, const struct oci_process *process,
                              struct hako_error *err)
{
  const struct oci_user *user = process->user;

  if (pending.process != process)
    return hako_error_set (err, EINVAL, "process: identity switch without preparation");
  if (apply_caps_and_user (ctx, process, err) < 0)
    return -1;
  if (process->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return hako_error_sys (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  umask (user && user->has_umask ? (mode_t)(user->umask & 07777) : 0022);
  return hako_exec_plan_resolved () ? 0 : hako_exec_plan_resolve (err);
}

bool
hako_seccomp_load_early (const struct hako_init_ctx *ctx, const struct oci_process *process)
{
  return ctx->seccomp && (!process->no_new_privileges || ctx->seccomp->notify);
}

/* Load the filter; a notify listener goes to stage 0, which hands it to
 * the agent, and we wait until it has (the agent must be there before the
 * process makes its first notified call). */
static int
load_seccomp (struct hako_init_ctx *ctx, struct hako_error *err)
{
  cleanup_fd int listener = -1;

  if (hako_seccomp_load (ctx->seccomp, &listener, err) < 0)
    return -1;
  if (listener < 0)
    return 0;
  if (hako_sync_send (ctx->sync_fd, SYNC_SECCOMP_LISTENER, 0, NULL, listener, err) < 0)
    return hako_error_wrap (err, "seccomp listener");
  hako_closep (&listener);
  return hako_sync_expect (ctx->sync_fd, SYNC_SECCOMP_SENT, NULL, err);
}

int
hako_process_prepare (struct hako_init_ctx *ctx, const struct oci_process *process,
                      struct hako_error *err)
{
  if (hako_process_prepare_privileged (ctx, process, err) < 0)
    return -1;
  /* seccomp: without no_new_privs the kernel wants CAP_SYS_ADMIN, which
   * the identity switch may drop, so the filter goes in now; with it,
   * hako_process_exec loads the filter right before execve.  A notify
   * filter goes in now either way: its listener must reach stage 0, which
   * is gone by the time of the exec. */
  if (hako_seccomp_load_early (ctx, process))
    {
      /* Find the program before the filter is in: a profile older than
       * the C library may deny the calls the lookup makes (faccessat2). */
      if (hako_exec_plan_resolve (err) < 0 || hako_process_fds_prepare (ctx, err) < 0
          || hako_process_lsm_apply (ctx, process, err) < 0 || load_seccomp (ctx, err) < 0)
        return -1;
    }
  return hako_process_switch_identity (ctx, process, err);
}

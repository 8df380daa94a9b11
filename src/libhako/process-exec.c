/* The last step of the container process: argv and environment prepared
 * while allocation is still cheap, args[0] found in the container's PATH
 * (never hako's), every fd beyond stdio, LISTEN_FDS and --preserve-fds
 * marked close-on-exec (CVE-2024-21626: no host fd may reach the
 * container), then execve. */
#define _GNU_SOURCE
#include "process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apparmor.h"
#include "inroot.h"
#include "log.h"
#include "procfs.h"
#include "seccomp.h"
#include "selinux.h"
#include "util.h"

/* What hako_process_exec runs.  Stage 2 and the exec child are single
 * threaded and build one plan each, so a static keeps it allocation-free
 * after the identity switch. */
static struct
{
  const struct oci_process *process; /* the plan is for this process */
  char **argv;                       /* NULL-terminated, strings owned by process */
  char **envp;                       /* NULL-terminated */
  char *owned[3];                    /* HOME=, LISTEN_FDS=, LISTEN_PID= */
  const char *path_env;              /* PATH's value in envp, or NULL */
  char resolved[PATH_MAX];           /* args[0] found; "" until resolved */
  bool lsm_applied;                  /* hako_process_lsm_apply ran */
} plan;

/* Set in stage 0 by hako_listen_fds_detect, read in stage 2. */
static int listen_fds;

int
hako_listen_fds_detect (void)
{
  const char *pid = getenv ("LISTEN_PID"), *fds = getenv ("LISTEN_FDS");
  char *end;
  long n;

  listen_fds = 0;
  if (pid == NULL || fds == NULL)
    return 0;
  /* The fds are ours only when systemd addressed them to this process. */
  errno = 0;
  if (strtol (pid, &end, 10) != (long)getpid () || *end || errno)
    return 0;
  errno = 0;
  n = strtol (fds, &end, 10);
  if (*end || errno || n <= 0 || n > 65536)
    return 0;
  listen_fds = n;
  return listen_fds;
}

int
hako_listen_fds_count (void)
{
  return listen_fds;
}

static void
plan_free (void)
{
  free (plan.argv);
  free (plan.envp);
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (plan.owned); i++)
    free (plan.owned[i]);
  memset (&plan, 0, sizeof plan);
}

/* The home directory in passwd LINE ("name:pw:uid:gid:gecos:home:shell")
 * when its uid is UID, else NULL.  Modifies LINE. */
static const char *
passwd_line_home (char *line, uid_t uid)
{
  char *f[7] = { line };
  size_t nf = 1;

  for (char *p = line; *p && nf < 7; p++)
    if (*p == ':')
      {
        *p = '\0';
        f[nf++] = p + 1;
      }
  if (nf < 6 || *f[2] == '\0' || f[2][strspn (f[2], "0123456789")] != '\0')
    return NULL;
  if (strtoul (f[2], NULL, 10) != uid)
    return NULL;
  return *f[5] ? f[5] : "/";
}

/* The home directory of UID in the container's /etc/passwd, "/" when
 * there is none.  The file is the container's: open it beneath the root,
 * only if it is a regular file (a fifo would block), and read it through a
 * small buffer (lines longer than it are skipped). */
static char *
passwd_home (uid_t uid)
{
  cleanup_fd int rootfd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_fd int fd = -1;
  char buf[4096];
  size_t have = 0;
  bool skipping = false;
  struct stat st;
  ssize_t n;

  if (rootfd >= 0)
    fd = hako_inroot_open (rootfd, "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return hako_xstrdup ("/");
  for (;;)
    {
      char *line = buf, *nl;

      n = read (fd, buf + have, sizeof buf - 1 - have);
      if (n < 0 && errno == EINTR)
        continue;
      if (n > 0)
        have += n;
      else if (have == 0)
        break;
      else
        buf[have++] = '\n'; /* the last line had no newline */
      buf[have] = '\0';
      while ((nl = memchr (line, '\n', buf + have - line)))
        {
          const char *home;
          *nl = '\0';
          if (!skipping && (home = passwd_line_home (line, uid)))
            return hako_xstrdup (home);
          skipping = false;
          line = nl + 1;
        }
      have -= line - buf;
      memmove (buf, line, have);
      if (have == sizeof buf - 1)
        {
          skipping = true; /* an overlong line: drop it up to its newline */
          have = 0;
        }
      if (n <= 0)
        break;
    }
  return hako_xstrdup ("/");
}

static size_t
env_key_len (const char *entry)
{
  return strcspn (entry, "=");
}

static bool
env_key_is (const char *entry, const char *key)
{
  size_t n = strlen (key);
  return strncmp (entry, key, n) == 0 && entry[n] == '=';
}

/* Is ENV[I] overridden by a later entry with the same name? */
static bool
env_shadowed (char *const *env, size_t n, size_t i)
{
  size_t k = env_key_len (env[i]);

  for (size_t j = i + 1; j < n; j++)
    if (env_key_len (env[j]) == k && strncmp (env[i], env[j], k) == 0)
      return true;
  return false;
}

/* process.env deduplicated (the last value wins, as runc), then HOME and
 * LISTEN_* added. */
static int
env_build (const struct oci_process *process, uid_t uid, struct hako_error *err)
{
  size_t n = process->env_len, out = 0;
  bool have_home = false;

  plan.envp = hako_xmalloc0 ((n + 4) * sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      char *e = process->env[i];
      if (strchr (e, '=') == NULL || e[0] == '=')
        return hako_error_set (err, EINVAL, "process.env: invalid entry \"%s\"", e);
      if (env_shadowed (process->env, n, i) || strcmp (e, "HOME=") == 0
          || (listen_fds > 0 && (env_key_is (e, "LISTEN_FDS") || env_key_is (e, "LISTEN_PID"))))
        continue;
      have_home |= env_key_is (e, "HOME");
      if (env_key_is (e, "PATH"))
        plan.path_env = e + 5;
      plan.envp[out++] = e;
    }
  if (!have_home)
    {
      cleanup_free char *home = passwd_home (uid);
      plan.envp[out++] = plan.owned[0] = hako_strdup_printf ("HOME=%s", home);
    }
  if (listen_fds > 0)
    {
      plan.envp[out++] = plan.owned[1] = hako_strdup_printf ("LISTEN_FDS=%d", listen_fds);
      plan.envp[out++] = plan.owned[2] = hako_strdup_printf ("LISTEN_PID=%d", (int)getpid ());
    }
  return 0;
}

int
hako_exec_plan_build (const struct oci_process *process, struct hako_error *err)
{
  uid_t uid = process->user ? process->user->uid : 0;

  plan_free ();
  if (process->args_len == 0)
    return hako_error_set (err, EINVAL, "process.args must not be empty");
  plan.process = process;
  plan.argv = hako_xmalloc0 ((process->args_len + 1) * sizeof (char *));
  memcpy (plan.argv, process->args, process->args_len * sizeof (char *));
  if (env_build (process, uid, err) < 0)
    {
      plan_free ();
      return -1;
    }
  return 0;
}

/* Can CANDIDATE be exec'd?  0, or -1 with errno as execve would set it. */
static int
check_executable (const char *candidate)
{
  struct stat st;

  if (stat (candidate, &st) < 0)
    return -1;
  if (!S_ISREG (st.st_mode))
    {
      errno = EACCES;
      return -1;
    }
  return faccessat (AT_FDCWD, candidate, X_OK, AT_EACCESS);
}

static int
set_resolved (const char *path, struct hako_error *err)
{
  if (strlen (path) >= sizeof plan.resolved)
    return hako_error_sys (err, ENAMETOOLONG, "exec \"%s\"", plan.argv[0]);
  strcpy (plan.resolved, path);
  return 0;
}

bool
hako_exec_plan_resolved (void)
{
  return plan.resolved[0] != '\0';
}

int
hako_exec_plan_resolve (struct hako_error *err)
{
  const char *file = plan.argv ? plan.argv[0] : NULL, *dirs;
  char candidate[PATH_MAX];
  bool denied = false;

  if (file == NULL)
    return hako_error_set (err, EINVAL, "exec: no process prepared");
  plan.resolved[0] = '\0';
  if (*file == '\0')
    return hako_error_sys (err, ENOENT, "exec \"\"");
  if (strchr (file, '/'))
    {
      if (check_executable (file) < 0)
        return hako_error_sys (err, errno, "exec \"%s\"", file);
      return set_resolved (file, err);
    }
  /* execvp's rules: an empty element is the cwd; keep looking after
   * EACCES, and report it if nothing better turns up. */
  dirs = plan.path_env ? plan.path_env : "/bin:/usr/bin";
  for (const char *p = dirs;; p++)
    {
      size_t len = strcspn (p, ":");
      int r = len ? snprintf (candidate, sizeof candidate, "%.*s/%s", (int)len, p, file)
                  : snprintf (candidate, sizeof candidate, "%s", file);
      if (r > 0 && (size_t)r < sizeof candidate)
        {
          if (check_executable (candidate) == 0)
            return set_resolved (candidate, err);
          denied |= errno == EACCES;
        }
      p += len;
      if (*p == '\0')
        break;
    }
  if (denied)
    return hako_error_sys (err, EACCES, "exec \"%s\"", file);
  return hako_error_set (err, ENOENT, "exec \"%s\": executable file not found in $PATH", file);
}

/* ---- fds ---- */

/* Mark every fd >= FIRST close-on-exec, listing /proc when close_range
 * cannot (kernels before 5.11). */
static int
cloexec_from (int first, struct hako_error *err)
{
  cleanup_fd int procfd = -1, dirfd = -1;
  char rel[64], buf[4096];
  long n;

  if (close_range (first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  procfd = hako_procfs_open (err);
  if (procfd < 0 || hako_procfs_self (procfd, "fd", rel, sizeof rel, err) < 0)
    return hako_error_wrap (err, "mark fds close-on-exec");
  dirfd = hako_procfs_openat (procfd, rel, O_RDONLY | O_DIRECTORY, err);
  if (dirfd < 0)
    return hako_error_wrap (err, "mark fds close-on-exec");
  while ((n = syscall (SYS_getdents64, dirfd, buf, sizeof buf)) > 0)
    for (long off = 0; off < n;)
      {
        struct dirent64 *d = (struct dirent64 *)(buf + off);
        int fd = atoi (d->d_name);
        off += d->d_reclen;
        if (d->d_name[0] != '.' && fd >= first && fd != dirfd && fd != procfd
            && fcntl (fd, F_SETFD, FD_CLOEXEC) < 0 && errno != EBADF)
          return hako_error_sys (err, errno, "mark fd %d close-on-exec", fd);
      }
  if (n < 0)
    return hako_error_sys (err, errno, "list /proc/self/fd");
  return 0;
}

/* The runtime's own fds must sit above the ones handed to the process, or
 * one of them would be passed on in the place of the caller's. */
static int
check_own_fds (const struct hako_init_ctx *ctx, int keep, struct hako_error *err)
{
  int own[] = { ctx->sync_fd,           ctx->fifo_fd,           ctx->rootfs_fd,
                ctx->console_socket_fd, ctx->console_master_fd, hako_log_fd () };

  for (size_t i = 0; i < HAKO_ARRAY_SIZE (own); i++)
    if (own[i] >= 3 && own[i] < keep)
      return hako_error_set (err, EBADF, "internal fd %d is in the range of passed fds 3..%d",
                             own[i], keep - 1);
  return 0;
}

/* Fds 3 .. KEEP-1 go to the process whatever flags they carry. */
static void
keep_fds_open (int keep)
{
  for (int fd = 3; fd < keep; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0 && (flags & FD_CLOEXEC))
        fcntl (fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
}

static bool fds_ready;

int
hako_process_fds_prepare (struct hako_init_ctx *ctx, struct hako_error *err)
{
  int keep = 3 + listen_fds + (ctx->preserve_fds > 0 ? ctx->preserve_fds : 0);

  if (check_own_fds (ctx, keep, err) < 0 || cloexec_from (keep, err) < 0)
    return -1;
  keep_fds_open (keep);
  fds_ready = true;
  return 0;
}

/* The LSM exec attribute confines the next execve of this task and of the
 * children it forks (hooks run by stage 2 too), so it is set as late as
 * possible; but /proc must still be reachable, before a seccomp filter
 * that may deny openat2 or the write. */
int
hako_process_lsm_apply (const struct hako_init_ctx *ctx, const struct oci_process *process,
                        struct hako_error *err)
{
  if (plan.lsm_applied)
    return 0;
  if (hako_apparmor_apply_on_exec (process->apparmor_profile, err) < 0
      || hako_selinux_set_exec_label (ctx->selinux_process_label, err) < 0)
    return -1;
  plan.lsm_applied = true;
  return 0;
}

int
hako_process_exec (struct hako_init_ctx *ctx, const struct oci_process *process,
                   struct hako_error *err)
{

  /* Normally hako_process_prepare made the plan; build it now otherwise. */
  if (plan.process != process && hako_exec_plan_build (process, err) < 0)
    return -1;
  if (plan.resolved[0] == '\0' && hako_exec_plan_resolve (err) < 0)
    return -1;
  if (!fds_ready && hako_process_fds_prepare (ctx, err) < 0)
    return -1;
  if (hako_process_lsm_apply (ctx, process, err) < 0)
    return -1;
  /* seccomp with no_new_privs: as late as possible, so the filter only
   * has to allow execve itself (hako_process_prepare loads it otherwise). */
  if (ctx->seccomp && !hako_seccomp_load_early (ctx, process))
    {
      int none;
      if (hako_seccomp_load (ctx->seccomp, &none, err) < 0)
        return -1;
    }
  execve (plan.resolved, plan.argv, plan.envp);
  return hako_error_sys (err, errno, "exec \"%s\"", plan.argv[0]);
}

/* OCI hooks: one child per hook, state JSON on stdin from a memfd (so a
 * hook that never reads stdin cannot make us block or take SIGPIPE), stdout
 * and stderr captured through pipes, exit watched through a pidfd so the
 * timeout needs no signal handler. */
#define _GNU_SOURCE
#include "hooks.h"
#include "init.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Bytes of a hook's stdout and of its stderr kept for the error message. */
#define HOOK_CAPTURE_MAX 1024
/* Without pidfds (kernel < 5.3) the exit is polled at this interval. */
#define HOOK_POLL_SLICE_MS 50

struct capture
{
  int fd; /* non-blocking read end; -1 once at EOF */
  size_t len;
  bool truncated;
  char buf[HOOK_CAPTURE_MAX];
};

struct hook_proc
{
  pid_t pid;
  int pidfd; /* -1 when the kernel has no pidfd_open */
  struct capture out, err;
};

/* The child dup2()s its fds onto 0, 1 and 2, so none of them may already
 * be one of those (possible when hako was started with stdio closed). */
static int
fd_above_stdio (int fd)
{
  int moved, saved;

  if (fd < 0 || fd > 2)
    return fd;
  moved = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  saved = errno;
  close (fd);
  errno = saved;
  return moved;
}

static int
make_pipe (int *read_end, int *write_end)
{
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  *read_end = fd_above_stdio (p[0]);
  *write_end = fd_above_stdio (p[1]);
  if (*read_end < 0 || *write_end < 0)
    {
      hako_closep (read_end);
      hako_closep (write_end);
      return -1;
    }
  return 0;
}

static int
state_memfd (const char *json, size_t len, struct hako_error *err)
{
  cleanup_fd int fd = fd_above_stdio (memfd_create ("hako-hook-state", MFD_CLOEXEC));

  if (fd < 0)
    return hako_error_sys (err, errno, "memfd_create");
  if (hako_write_all (fd, json, len) < 0 || lseek (fd, 0, SEEK_SET) < 0)
    return hako_error_sys (err, errno, "write the state");
  return hako_steal_fd (&fd);
}

/* NULL-terminated copies of the pointer arrays (the strings are shared). */
static char **
string_vector (char *const *items, size_t n, const char *fallback)
{
  char **v = hako_xmalloc0 ((n + 2) * sizeof *v);

  for (size_t i = 0; i < n; i++)
    v[i] = items[i];
  if (n == 0 && fallback)
    v[0] = (char *)fallback;
  return v;
}

/* Fallback for kernels without close_range: mark every fd above 2. */
static void
mark_all_cloexec (void)
{
  struct rlimit rl;
  int max = 1024;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < INT_MAX)
    max = (int)rl.rlim_cur;
  for (int fd = 3; fd < max; fd++)
    {
      int flags = fcntl (fd, F_GETFD);
      if (flags >= 0)
        fcntl (fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

/* In the forked child: only async-signal-safe calls.  Ignored signals and
 * the signal mask survive execve, so reset them for the hook. */
static void __attribute__ ((noreturn))
hook_child (const char *path, char **argv, char **envp, const int stdio[3], int report)
{
  struct sigaction dfl = { .sa_handler = SIG_DFL };
  sigset_t none;
  int e;

  for (int sig = 1; sig < NSIG; sig++)
    sigaction (sig, &dfl, NULL); /* EINVAL for KILL, STOP and libc's own: fine */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  for (int i = 0; i < 3; i++)
    if (dup2 (stdio[i], i) < 0)
      goto fail;
#ifdef SYS_close_range
  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
#endif
    mark_all_cloexec ();
  execve (path, argv, envp);
fail:
  e = errno;
  if (write (report, &e, sizeof e) < 0)
    _exit (127);
  _exit (127);
}

static int
open_pidfd (pid_t pid)
{
#ifdef SYS_pidfd_open
  return syscall (SYS_pidfd_open, pid, 0);
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

static void
reap (pid_t pid, int *status)
{
  while (waitpid (pid, status, 0) < 0 && errno == EINTR)
    ;
}

/* Fork and exec the hook.  On return 0 the child runs and P owns it; on
 * an exec failure it has been reaped and the errno is reported. */
static int
hook_spawn (const struct oci_hook *hook, int state_fd, struct hook_proc *p, struct hako_error *err)
{
  cleanup_free char **argv = string_vector (hook->args, hook->args_len, hook->path);
  cleanup_free char **envp = string_vector (hook->env, hook->env_len, NULL);
  cleanup_fd int out_w = -1, err_w = -1, report_r = -1, report_w = -1;
  int child_errno = 0, status;
  ssize_t r;

  if (make_pipe (&p->out.fd, &out_w) < 0 || make_pipe (&p->err.fd, &err_w) < 0
      || make_pipe (&report_r, &report_w) < 0)
    return hako_error_sys (err, errno, "pipe");
  if (fcntl (p->out.fd, F_SETFL, O_NONBLOCK) < 0 || fcntl (p->err.fd, F_SETFL, O_NONBLOCK) < 0)
    return hako_error_sys (err, errno, "fcntl");
  p->pid = fork ();
  if (p->pid < 0)
    return hako_error_sys (err, errno, "fork");
  if (p->pid == 0)
    hook_child (hook->path, argv, envp, (int[3]){ state_fd, out_w, err_w }, report_w);
  hako_closep (&report_w);
  p->pidfd = open_pidfd (p->pid);
  /* EOF when execve closed the CLOEXEC pipe; an errno when it failed. */
  do
    r = read (report_r, &child_errno, sizeof child_errno);
  while (r < 0 && errno == EINTR);
  if (r != (ssize_t)sizeof child_errno)
    return 0;
  reap (p->pid, &status);
  p->pid = -1;
  return hako_error_sys (err, child_errno, "exec");
}

static int64_t
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
poll_timeout (int64_t deadline, bool have_pidfd)
{
  int64_t t = -1;

  if (deadline >= 0)
    t = deadline > now_ms () ? deadline - now_ms () : 0;
  if (!have_pidfd && (t < 0 || t > HOOK_POLL_SLICE_MS))
    t = HOOK_POLL_SLICE_MS;
  return t > INT_MAX ? INT_MAX : (int)t;
}

/* Read what is available now; keep the first bytes, drop the rest (the
 * hook must never block on a full pipe). */
static void
capture_read (struct capture *c)
{
  char scratch[4096];

  while (c->fd >= 0)
    {
      size_t room = sizeof c->buf - c->len;
      ssize_t r
          = room ? read (c->fd, c->buf + c->len, room) : read (c->fd, scratch, sizeof scratch);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return; /* EAGAIN: nothing more for now */
      if (r == 0)
        {
          hako_closep (&c->fd);
          return;
        }
      if (room)
        c->len += r;
      else
        c->truncated = true;
    }
}

static bool
try_reap (pid_t pid, int *status)
{
  pid_t r;

  do
    r = waitpid (pid, status, WNOHANG);
  while (r < 0 && errno == EINTR);
  return r == pid;
}

/* Collect output until the hook exits; SIGKILL it at DEADLINE (monotonic
 * ms, -1: never).  Returns 1 when it was killed for the timeout. */
static int
hook_wait (struct hook_proc *p, int64_t deadline, int *status, struct hako_error *err)
{
  int killed = 0;

  for (;;)
    {
      struct pollfd fds[3] = { { .fd = p->pidfd, .events = POLLIN },
                               { .fd = p->out.fd, .events = POLLIN },
                               { .fd = p->err.fd, .events = POLLIN } };
      int saved;

      if (poll (fds, 3, poll_timeout (deadline, p->pidfd >= 0)) < 0 && errno != EINTR)
        {
          saved = errno;
          kill (p->pid, SIGKILL);
          reap (p->pid, status);
          return hako_error_sys (err, saved, "poll");
        }
      capture_read (&p->out);
      capture_read (&p->err);
      if (try_reap (p->pid, status))
        break;
      if (deadline >= 0 && now_ms () >= deadline)
        {
          kill (p->pid, SIGKILL);
          reap (p->pid, status);
          killed = 1;
          break;
        }
    }
  capture_read (&p->out);
  capture_read (&p->err);
  return killed;
}

/* Append ", stdout: TEXT" to the message (trailing whitespace dropped). */
static void
append_output (struct hako_error *err, const char *what, const struct capture *c)
{
  size_t len = c->len;
  char *msg;

  while (len > 0 && strchr (" \t\r\n", c->buf[len - 1]))
    len--;
  if (len == 0)
    return;
  msg = hako_strdup_printf ("%s, %s: %.*s%s", err->msg, what, (int)len, c->buf,
                            c->truncated ? "..." : "");
  free (err->msg);
  err->msg = msg;
}

static int
hook_verdict (const struct oci_hook *hook, int status, int killed, const struct hook_proc *p,
              struct hako_error *err)
{
  if (killed)
    hako_error_set (err, ETIMEDOUT, "timed out after %" PRId64 "s", hook->timeout);
  else if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  else if (WIFEXITED (status))
    hako_error_set (err, 0, "exit status %d", WEXITSTATUS (status));
  else if (WIFSIGNALED (status))
    hako_error_set (err, 0, "killed by signal %d", WTERMSIG (status));
  else
    hako_error_set (err, 0, "wait status %#x", status);
  append_output (err, "stdout", &p->out);
  append_output (err, "stderr", &p->err);
  return -1;
}

static int64_t
hook_deadline (const struct oci_hook *hook)
{
  /* Past ~100 million years the timeout means "never" (no overflow). */
  if (!hook->has_timeout || hook->timeout <= 0 || hook->timeout > INT64_MAX / 4000)
    return -1;
  return now_ms () + hook->timeout * 1000;
}

int
hako_hook_run (const char *stage, const struct oci_hook *hook, const char *state_json,
               size_t state_len, struct hako_error *err)
{
  struct hook_proc p = { .pid = -1, .pidfd = -1, .out.fd = -1, .err.fd = -1 };
  cleanup_fd int state_fd = -1;
  int status = 0, r = -1;

  if (hook->path == NULL || hook->path[0] != '/')
    hako_error_set (err, EINVAL, "path is not absolute");
  else if ((state_fd = state_memfd (state_json, state_len, err)) >= 0
           && hook_spawn (hook, state_fd, &p, err) == 0)
    {
      int64_t deadline = hook_deadline (hook);
      int killed = hook_wait (&p, deadline, &status, err);
      r = killed < 0 ? -1 : hook_verdict (hook, status, killed, &p, err);
    }
  hako_closep (&p.pidfd);
  hako_closep (&p.out.fd);
  hako_closep (&p.err.fd);
  if (r < 0)
    return hako_error_wrap (err, "%s hook \"%s\"", stage, hook->path ? hook->path : "");
  return 0;
}

int
hako_hooks_run (const char *stage, const struct oci_hook *hooks, size_t n, const char *state_json,
                size_t state_len, struct hako_error *err)
{
  for (size_t i = 0; i < n; i++)
    if (hako_hook_run (stage, &hooks[i], state_json, state_len, err) < 0)
      return -1;
  return 0;
}

size_t
hako_hooks_run_all (const char *stage, const struct oci_hook *hooks, size_t n,
                    const char *state_json, size_t state_len, hako_hook_warn_fn warn, void *data)
{
  size_t failed = 0;

  for (size_t i = 0; i < n; i++)
    {
      struct hako_error e = HAKO_ERROR_INIT;

      if (hako_hook_run (stage, &hooks[i], state_json, state_len, &e) < 0)
        {
          failed++;
          if (warn)
            warn (data, &e);
        }
      hako_error_clear (&e);
    }
  return failed;
}

/* run: create + start, then (unless detached) stay the init's parent,
 * forward signals, and report its exit status. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container-internal.h"
#include "terminal.h"
#include "util.h"

/* Signals run passes on to the container instead of acting on them. */
void
hako_forwarded_signals (sigset_t *set)
{
  sigfillset (set);
  sigdelset (set, SIGCHLD);
  sigdelset (set, SIGKILL);
  sigdelset (set, SIGSTOP);
  sigdelset (set, SIGSEGV);
  sigdelset (set, SIGBUS);
  sigdelset (set, SIGFPE);
  sigdelset (set, SIGILL);
  sigdelset (set, SIGTTIN);
  sigdelset (set, SIGTTOU);
  sigdelset (set, SIGTSTP);
}

int
hako_exit_code_of (const siginfo_t *si)
{
  if (si->si_code == CLD_EXITED)
    return si->si_status;
  return 128 + si->si_status;
}

int
hako_forward_until_exit (int pidfd, const sigset_t *set, struct hako_error *err)
{
  cleanup_fd int sfd = signalfd (-1, set, SFD_CLOEXEC);
  struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };

  if (sfd < 0)
    return hako_error_sys (err, errno, "signalfd");
  for (;;)
    {
      struct signalfd_siginfo si;
      int r = poll (p, 2, -1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return hako_error_sys (err, errno, "poll");
      if (p[0].revents)
        return 0;
      if ((p[1].revents & POLLIN) && read (sfd, &si, sizeof si) == sizeof si
          && si.ssi_signo != SIGWINCH)
        syscall (SYS_pidfd_send_signal, pidfd, si.ssi_signo, NULL, 0);
    }
}

static int
start_by_id (const struct hako_create_opts *o, struct hako_error *err)
{
  return hako_container_start (o->root, o->id, err);
}

int
hako_container_run (const struct hako_create_opts *o, bool detach, bool keep, int *exit_code,
                    struct hako_error *err)
{
  struct hako_created c = { 0, -1, -1 };
  sigset_t set, old;
  siginfo_t si = { 0 };
  int r;

  /* Block now so nothing sent during create is lost; the init unblocks. */
  hako_forwarded_signals (&set);
  sigprocmask (SIG_BLOCK, &set, &old);
  r = hako_container_create_full (o, !detach, &c, err);
  if (r == 0 && start_by_id (o, err) < 0)
    {
      hako_container_delete (o->root, o->id, true, NULL);
      r = -1;
    }
  if (r == 0 && !detach)
    {
      if (c.console_master >= 0)
        r = hako_terminal_proxy (c.console_master, c.pidfd, err);
      else
        r = hako_forward_until_exit (c.pidfd, &set, err);
      if (waitid (P_PIDFD, c.pidfd, &si, WEXITED) == 0)
        *exit_code = hako_exit_code_of (&si);
      if (!keep)
        hako_container_delete (o->root, o->id, true, r < 0 ? NULL : err);
    }
  else if (r == 0)
    *exit_code = 0;
  hako_closep (&c.pidfd);
  hako_closep (&c.console_master);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return r;
}

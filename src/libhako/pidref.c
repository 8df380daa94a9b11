#define _GNU_SOURCE
#include "pidref.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "status.h"
#include "util.h"

static int
gone (struct hako_error *err, pid_t pid)
{
  return hako_error_set (err, ESRCH, "process %d has exited", (int)pid);
}

int
hako_pidref_open (pid_t pid, bool has_start_time, uint64_t start_time, struct hako_error *err)
{
  cleanup_fd int fd = -1;
  uint64_t now;
  char state;

  if (pid <= 0)
    return gone (err, pid);
  fd = syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return errno == ESRCH ? gone (err, pid)
                          : hako_error_sys (err, errno, "pidfd_open %d", (int)pid);
  /* The pidfd names whatever process had PID when it was opened; if that
   * process still has the recorded start time now, the pidfd is the init's. */
  if (hako_proc_stat (pid, &now, &state, NULL) < 0 || state == 'Z' || state == 'X'
      || (has_start_time && now != start_time))
    return gone (err, pid);
  return hako_steal_fd (&fd);
}

int
hako_pidref_signal (int pidfd, int sig, struct hako_error *err)
{
  if (syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0) == 0)
    return 0;
  if (errno == ESRCH)
    return hako_error_set (err, ESRCH, "process has exited");
  return hako_error_sys (err, errno, "send signal %d", sig);
}

int
hako_pidref_wait (int pidfd, int timeout_ms, struct hako_error *err)
{
  struct pollfd p = { .fd = pidfd, .events = POLLIN };
  int r;

  /* A pidfd turns readable when its process exits, child of ours or not. */
  do
    r = poll (&p, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return hako_error_sys (err, errno, "poll pidfd");
  if (r == 0)
    return hako_error_set (err, ETIMEDOUT, "process did not exit within %d ms", timeout_ms);
  return 0;
}

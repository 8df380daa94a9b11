/* `run -t` / `exec -t` in the foreground: hako stands between the user's
 * terminal (or pipes) and the container's pty master.  Signals arrive
 * through a signalfd, so nothing runs in a handler and the user's
 * terminal is restored on every way out but SIGKILL. */
#define _GNU_SOURCE
#include "terminal.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

/* Once the process has exited, the master is read until silent this long. */
#define PROXY_GRACE_MS 100

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

struct proxy
{
  int master, pidfd, sigfd;
  int master_flags; /* to restore; -1 until read */
  bool in_open;     /* stdin is still read */
  bool out_open;    /* stdout still takes data (after EPIPE the pty is only drained) */
  bool exited;      /* the process behind pidfd has exited */
  bool raw;         /* stdin's terminal was switched to raw mode: restore `saved` */
  bool masked;      /* old_mask holds the signal mask to restore */
  struct termios saved;
  sigset_t old_mask;
  size_t pending_off, pending_len; /* stdin bytes the master has not taken yet */
  char pending[4096];
};

static int
send_signal (int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
  return syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
  (void)pidfd;
  (void)sig;
  errno = ENOSYS;
  return -1;
#endif
}

/* Our terminal's size (stdin's, else stdout's) goes to the pty. */
static void
copy_window_size (int master)
{
  struct winsize ws;

  if (ioctl (0, TIOCGWINSZ, &ws) == 0 || ioctl (1, TIOCGWINSZ, &ws) == 0)
    ioctl (master, TIOCSWINSZ, &ws);
}

static int
proxy_begin (struct proxy *px, struct hako_error *err)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGWINCH);
  sigaddset (&set, SIGPIPE);
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (forwarded_signals); i++)
    sigaddset (&set, forwarded_signals[i]);
  if (sigprocmask (SIG_BLOCK, &set, &px->old_mask) < 0)
    return hako_error_sys (err, errno, "terminal: sigprocmask");
  px->masked = true;
  px->sigfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (px->sigfd < 0)
    return hako_error_sys (err, errno, "terminal: signalfd");
  px->master_flags = fcntl (px->master, F_GETFL);
  if (px->master_flags < 0 || fcntl (px->master, F_SETFL, px->master_flags | O_NONBLOCK) < 0)
    return hako_error_sys (err, errno, "terminal: make the pty non-blocking");
  px->in_open = fcntl (0, F_GETFD) >= 0;
  if (isatty (0) && tcgetattr (0, &px->saved) == 0)
    {
      struct termios raw = px->saved;
      cfmakeraw (&raw);
      if (tcsetattr (0, TCSANOW, &raw) < 0)
        return hako_error_sys (err, errno, "terminal: raw mode");
      px->raw = true;
    }
  copy_window_size (px->master);
  return 0;
}

static void
proxy_end (struct proxy *px)
{
  struct signalfd_siginfo si;

  if (px->raw)
    tcsetattr (0, TCSANOW, &px->saved);
  if (px->master_flags >= 0)
    fcntl (px->master, F_SETFL, px->master_flags);
  /* Take the SIGPIPEs (and late signals) we caused off the pending set. */
  while (px->sigfd >= 0 && read (px->sigfd, &si, sizeof si) == sizeof si)
    ;
  hako_closep (&px->sigfd);
  if (px->masked)
    sigprocmask (SIG_SETMASK, &px->old_mask, NULL);
}

static int
proxy_signals (struct proxy *px, struct hako_error *err)
{
  struct signalfd_siginfo si;

  while (read (px->sigfd, &si, sizeof si) == sizeof si)
    {
      int sig = (int)si.ssi_signo;

      if (sig == SIGWINCH)
        copy_window_size (px->master);
      else if (sig == SIGPIPE)
        continue;
      else if (px->pidfd < 0)
        return hako_error_set (err, EINTR, "terminal: interrupted by signal %d (%s)", sig,
                               strsignal (sig));
      else if (send_signal (px->pidfd, sig) < 0 && errno != ESRCH)
        return hako_error_sys (err, errno, "terminal: forward signal %d", sig);
    }
  return 0;
}

/* Piped input ends with the pty's EOF character, so a program reading
 * the terminal in canonical mode (a shell) sees the end too. */
static void
queue_eof (struct proxy *px)
{
  struct termios t;

  if (tcgetattr (px->master, &t) == 0 && (t.c_lflag & ICANON))
    {
      px->pending[0] = (char)t.c_cc[VEOF];
      px->pending_off = 0;
      px->pending_len = 1;
    }
}

static int
stdin_to_pending (struct proxy *px, struct hako_error *err)
{
  ssize_t r = read (0, px->pending, sizeof px->pending);

  if (r < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (r < 0 && errno != EIO && errno != EBADF)
    return hako_error_sys (err, errno, "terminal: read stdin");
  if (r <= 0)
    {
      px->in_open = false;
      if (!px->raw)
        queue_eof (px);
      return 0;
    }
  px->pending_off = 0;
  px->pending_len = r;
  return 0;
}

static int
pending_to_master (struct proxy *px, struct hako_error *err)
{
  while (px->pending_len > 0)
    {
      ssize_t r = write (px->master, px->pending + px->pending_off, px->pending_len);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == EAGAIN)
        return 0;
      if (r < 0 && errno == EIO)
        r = px->pending_len; /* hung up: the read side ends the proxy */
      else if (r < 0)
        return hako_error_sys (err, errno, "terminal: write to the pty");
      px->pending_off += r;
      px->pending_len -= r;
    }
  return 0;
}

/* Drain the master to stdout; 1 once the pty hung up. */
static int
master_to_stdout (struct proxy *px, struct hako_error *err)
{
  char buf[8192];

  for (;;)
    {
      ssize_t r = read (px->master, buf, sizeof buf);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == EAGAIN)
        return 0;
      if (r == 0 || (r < 0 && errno == EIO))
        return 1;
      if (r < 0)
        return hako_error_sys (err, errno, "terminal: read the pty");
      if (px->out_open && hako_write_all (1, buf, r) < 0)
        {
          if (errno != EPIPE)
            return hako_error_sys (err, errno, "terminal: write stdout");
          px->out_open = false;
        }
    }
}

/* One round of poll: 0 to go on, 1 when done, -1 on error. */
static int
proxy_step (struct proxy *px, struct hako_error *err)
{
  bool want_stdin = px->in_open && !px->exited && px->pending_len == 0;
  struct pollfd fds[4] = {
    { .fd = want_stdin ? 0 : -1, .events = POLLIN },
    { .fd = px->master, .events = POLLIN | (px->pending_len ? POLLOUT : 0) },
    { .fd = px->sigfd, .events = POLLIN },
    { .fd = px->exited ? -1 : px->pidfd, .events = POLLIN },
  };
  int n = poll (fds, HAKO_ARRAY_SIZE (fds), px->exited ? PROXY_GRACE_MS : -1);

  if (n < 0 && errno == EINTR)
    return 0;
  if (n < 0)
    return hako_error_sys (err, errno, "terminal: poll");
  if (n == 0)
    return 1; /* exited, and the pty stayed silent */
  if (fds[3].revents)
    px->exited = true;
  if (fds[2].revents && proxy_signals (px, err) < 0)
    return -1;
  if (fds[0].revents && stdin_to_pending (px, err) < 0)
    return -1;
  if (px->pending_len && pending_to_master (px, err) < 0)
    return -1;
  if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
    return master_to_stdout (px, err);
  return 0;
}

int
hako_terminal_proxy (int master_fd, int pidfd, struct hako_error *err)
{
  struct proxy px
      = { .master = master_fd, .pidfd = pidfd, .sigfd = -1, .master_flags = -1, .out_open = true };
  int r = proxy_begin (&px, err);

  while (r == 0)
    r = proxy_step (&px, err);
  proxy_end (&px);
  return r < 0 ? -1 : 0;
}

/* terminal.c, console-socket.c, terminal-proxy.c: a child makes its pty
 * with hako_terminal_setup (the host's /dev/ptmx stands in for the
 * container's) and sends the master back; the parent talks through it,
 * directly and through hako_terminal_proxy with piped and tty stdio. */
#define _GNU_SOURCE
#include "init.h"
#include "terminal.h"
#include "util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/hako-test-terminal.XXXXXX";

static int
pidfd_open (pid_t pid)
{
  return syscall (SYS_pidfd_open, pid, 0);
}

/* Read FD into BUF (NUL-terminated) until NEEDLE shows up, EOF/EIO, or
 * TIMEOUT_MS passes without data.  True when NEEDLE was seen. */
static bool
read_until (int fd, const char *needle, char *buf, size_t size, int timeout_ms)
{
  size_t len = strlen (buf);

  while (len + 1 < size && (needle == NULL || strstr (buf, needle) == NULL))
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      ssize_t r;

      if (poll (&p, 1, timeout_ms) <= 0)
        break;
      r = read (fd, buf + len, size - len - 1);
      if (r <= 0 && !(r < 0 && errno == EINTR))
        break;
      len += r > 0 ? r : 0;
      buf[len] = '\0';
    }
  return needle && strstr (buf, needle) != NULL;
}

static int
exit_code (pid_t pid)
{
  int status = 0;

  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

/* In a forked child: what a container init does with process.terminal,
 * then a report on fd 0 over SOCK and exec of /bin/sh -c SCRIPT. */
static void __attribute__ ((noreturn)) console_child (int sock, const char *script)
{
  struct oci_console_size size
      = { .height = 33, .width = 111, .has_height = true, .has_width = true };
  struct oci_process process = { .terminal = true, .console_size = &size };
  struct oci_config config = { .process = &process };
  struct hako_init_ctx ctx = { .config = &config, .console_master_fd = -1, .rootfs_fd = -1 };
  struct hako_error err = HAKO_ERROR_INIT;
  struct winsize ws = { 0 };
  char report[256], tty[64] = "";

  if (hako_terminal_setup (&ctx, &err) < 0
      || hako_send_fd (sock, ctx.console_master_fd, HAKO_CONSOLE_FD_NAME, &err) < 0)
    {
      fprintf (stderr, "# child: %s\n", err.msg);
      _exit (1);
    }
  close (ctx.console_master_fd);
  ioctl (0, TIOCGWINSZ, &ws);
  ttyname_r (0, tty, sizeof tty);
  snprintf (report, sizeof report, "tty=%d%d%d cloexec=%d size=%dx%d ctty=%d path=%s ttyname=%s",
            isatty (0), isatty (1), isatty (2), fcntl (0, F_GETFD) & FD_CLOEXEC, ws.ws_row,
            ws.ws_col, tcgetsid (0) == getpid (), ctx.console_slave_path, tty);
  if (send (sock, report, strlen (report), MSG_NOSIGNAL) < 0)
    _exit (1);
  close (sock);
  execl ("/bin/sh", "sh", "-c", script, (char *)NULL);
  _exit (127);
}

/* Fork a console child; returns its pid, the master in *MASTER. */
static pid_t
spawn_console (const char *script, int *master, char *report, size_t report_size)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *name = NULL;
  int sv[2];
  pid_t pid;
  ssize_t r;

  *master = -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return -1;
  pid = fork ();
  if (pid == 0)
    {
      close (sv[0]);
      console_child (sv[1], script);
    }
  close (sv[1]);
  *master = hako_recv_fd (sv[0], &name, &err);
  if (*master < 0)
    diag ("recv: %s", err.msg);
  else if (strcmp (name, HAKO_CONSOLE_FD_NAME) != 0)
    diag ("unexpected name %s", name);
  r = recv (sv[0], report, report_size - 1, 0);
  report[r > 0 ? r : 0] = '\0';
  close (sv[0]);
  hako_error_clear (&err);
  return pid;
}

static void
test_setup (void)
{
  char report[256], out[4096] = "", expect[256];
  int master;
  pid_t pid
      = spawn_console ("stty size; read line; echo \"got:$line\"", &master, report, sizeof report);
  bool saw_size, saw_reply = false;
  unsigned int n = 0;

  ok (master >= 0, "the master comes back over the socket, named %s", HAKO_CONSOLE_FD_NAME);
  ioctl (master, TIOCGPTN, &n);
  snprintf (expect, sizeof expect,
            "tty=111 cloexec=0 size=33x111 ctty=1 path=/dev/pts/%u ttyname=/dev/pts/%u", n, n);
  ok (strcmp (report, expect) == 0, "stdio is the pty, its controlling terminal: %s", report);
  saw_size = read_until (master, "33 111", out, sizeof out, 5000);
  ok (saw_size, "stty in the child sees consoleSize 33x111");
  if (master >= 0 && hako_write_all (master, "hello\n", 6) == 6)
    saw_reply = read_until (master, "got:hello", out, sizeof out, 5000);
  ok (saw_reply, "input and output pass through the pty");
  read_until (master, NULL, out, sizeof out, 5000); /* until EIO: the child is gone */
  ok (exit_code (pid) == 0, "the child exits 0");
  hako_closep (&master);
}

/* A listening socket at PATH, bound through the directory when long. */
static int
listen_at (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *slash = strrchr (path, '/');
  cleanup_free char *parent = strndup (path, slash - path);
  cleanup_fd int dirfd = open (parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dirfd, slash + 1);
  if (dirfd < 0 || sock < 0 || bind (sock, (struct sockaddr *)&addr, sizeof addr) < 0
      || listen (sock, 1) < 0)
    diag ("listen at %s: %s", path, strerror (errno));
  return sock;
}

/* Connect with hako_console_socket_connect, pass a pipe's write end with
 * NAME, and check the far side got that very pipe. */
static void
check_pass_fd (const char *path, const char *name, const char *expect_name, const char *what)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_fd int listener = listen_at (path), conn = -1, sock = -1, got = -1;
  cleanup_free char *got_name = NULL;
  int p[2] = { -1, -1 };
  char c = 0;

  sock = hako_console_socket_connect (path, &err);
  conn = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  if (sock >= 0 && conn >= 0 && pipe2 (p, O_CLOEXEC) == 0
      && hako_send_fd (sock, p[1], name, &err) == 0)
    got = hako_recv_fd (conn, &got_name, &err);
  if (got >= 0 && write (got, "x", 1) == 1 && read (p[0], &c, 1) == 1)
    ok (c == 'x' && strcmp (got_name, expect_name) == 0 && (fcntl (got, F_GETFD) & FD_CLOEXEC),
        "%s: the pipe arrived (CLOEXEC), named '%s'", what, got_name);
  else
    ok (0, "%s: %s", what, err.msg ? err.msg : strerror (errno));
  if (p[0] >= 0)
    close (p[0]), close (p[1]);
  unlink (path);
  hako_error_clear (&err);
}

static void
test_console_socket (void)
{
  cleanup_free char *longdir = hako_strdup_printf ("%s/%0120d", dir, 0);
  cleanup_free char *longpath = hako_strdup_printf ("%s/console.sock", longdir);
  cleanup_free char *shortpath = hako_strdup_printf ("%s/c.sock", dir);
  cleanup_free char *missing = hako_strdup_printf ("%s/none.sock", dir);
  struct hako_error err = HAKO_ERROR_INIT;
  int fd;

  mkdir (longdir, 0700);
  ok (strlen (longpath) > sizeof ((struct sockaddr_un *)0)->sun_path, "the long path has %zu bytes",
      strlen (longpath));
  check_pass_fd (longpath, "/dev/ptmx", "/dev/ptmx", "long path");
  check_pass_fd (shortpath, "/dev/ptmx", "/dev/ptmx", "short path");
  check_pass_fd (shortpath, NULL, "", "no name");
  fd = hako_console_socket_connect (missing, &err);
  ok (fd < 0 && err.msg && strstr (err.msg, "No such file or directory"), "missing socket: %s",
      err.msg);
  hako_error_clear (&err);
}

static void
test_recv_errors (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  int sv[2], fd;

  socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
  if (send (sv[1], "plain", 5, 0) != 5)
    diag ("send: %s", strerror (errno));
  fd = hako_recv_fd (sv[0], NULL, &err);
  ok (fd < 0 && err.errnum == EBADMSG, "a message without fd: %s", err.msg);
  close (sv[1]);
  fd = hako_recv_fd (sv[0], NULL, &err);
  ok (fd < 0 && err.errnum == ECONNRESET, "a closed peer: %s", err.msg);
  close (sv[0]);
  hako_error_clear (&err);
}

/* Fork hako_terminal_proxy with stdin IN and stdout OUT (both become 0
 * and 1); CTTY makes IN the controlling terminal of a new session. */
static pid_t
spawn_proxy (int master, int pidfd, int in, int out, bool ctty)
{
  pid_t pid = fork ();

  if (pid == 0)
    {
      struct hako_error err = HAKO_ERROR_INIT;
      if (ctty && (setsid () < 0 || ioctl (in, TIOCSCTTY, 0) < 0))
        _exit (3);
      /* Nothing but these may stay open, or our pipes never see EOF. */
      master = fcntl (master, F_DUPFD, 100);
      pidfd = pidfd < 0 ? -1 : fcntl (pidfd, F_DUPFD, 100);
      if (dup2 (in, 0) < 0 || dup2 (out, 1) < 0 || dup2 (master, 3) < 0
          || (pidfd >= 0 && dup2 (pidfd, 4) < 0) || syscall (SYS_close_range, 5U, ~0U, 0U) < 0)
        _exit (3);
      master = 3;
      pidfd = pidfd < 0 ? -1 : 4;
      if (hako_terminal_proxy (master, pidfd, &err) < 0)
        {
          fprintf (stderr, "# proxy: %s\n", err.msg);
          _exit (1);
        }
      _exit (0);
    }
  return pid;
}

static void
test_proxy_pipes (void)
{
  char report[256], out[4096] = "", *got;
  int master, in[2], outp[2];
  pid_t child = spawn_console ("read line; echo \"got:$line\"; cat; echo done", &master, report,
                               sizeof report);
  cleanup_fd int pidfd = pidfd_open (child);
  pid_t proxy;

  if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (outp, O_CLOEXEC) < 0)
    diag ("pipe: %s", strerror (errno));
  proxy = spawn_proxy (master, pidfd, in[0], outp[1], false);
  close (in[0]);
  close (outp[1]);
  close (master);
  if (hako_write_all (in[1], "hello\nabc\n", 10) < 0)
    diag ("write: %s", strerror (errno));
  close (in[1]); /* EOF: the proxy sends ^D, so cat ends */
  read_until (outp[0], NULL, out, sizeof out, 5000);
  close (outp[0]);
  /* The pty echoes both lines at once; then the shell's and cat's output. */
  got = strstr (out, "got:hello\r\n");
  ok (got && strstr (got, "abc\r\ndone"),
      "piped stdin reaches the pty, its output our stdout, EOF becomes ^D");
  ok (exit_code (proxy) == 0, "the proxy returns 0 once the pty hangs up");
  ok (exit_code (child) == 0, "the process ended normally");
}

static void
test_proxy_signal (void)
{
  char report[256], status[4096];
  int master, null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t child = spawn_console ("exec sleep 100", &master, report, sizeof report);
  cleanup_fd int pidfd = pidfd_open (child);
  pid_t proxy;
  bool blocked = false;

  if (pidfd < 0)
    {
      /* Forwarding needs the pidfd (valgrind, say, does not know the call). */
      ok (1, "# SKIP pidfd_open: %s", strerror (errno));
      kill (child, SIGKILL);
      exit_code (child);
      close (master);
      close (null);
      return;
    }
  proxy = spawn_proxy (master, pidfd, null, null, false);

  close (master);
  /* Wait until the proxy has blocked SIGTERM (it reads it from a signalfd). */
  for (int i = 0; i < 300 && !blocked; i++)
    {
      cleanup_free char *path = hako_strdup_printf ("/proc/%d/status", proxy);
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      ssize_t r = fd >= 0 ? read (fd, status, sizeof status - 1) : -1;
      char *blk;
      if (fd >= 0)
        close (fd);
      status[r > 0 ? r : 0] = '\0';
      blk = strstr (status, "SigBlk:");
      blocked = blk && (strtoull (blk + 7, NULL, 16) & (1ULL << (SIGTERM - 1)));
      if (!blocked)
        usleep (10000);
    }
  kill (proxy, SIGTERM);
  ok (exit_code (child) == 128 + SIGTERM, "SIGTERM to the proxy is forwarded to the process");
  ok (exit_code (proxy) == 0, "and the proxy ends normally");
  close (null);
}

static double
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The process the proxy waits for exits while something else keeps the
 * pty open (not a session leader's pty, which the kernel hangs up): the
 * proxy ends once the pty is quiet, not when the other holder does. */
static void
test_proxy_quiet_after_exit (void)
{
  char report[256], out[4096] = "";
  int master, null = open ("/dev/null", O_RDONLY | O_CLOEXEC), outp[2];
  pid_t holder = spawn_console ("echo bye; exec sleep 5", &master, report, sizeof report);
  pid_t process = fork ();
  cleanup_fd int pidfd = -1;
  double t0 = now_s (), took;
  pid_t proxy;

  if (process == 0)
    {
      usleep (200000);
      _exit (0);
    }
  pidfd = pidfd_open (process);
  if (pipe2 (outp, O_CLOEXEC) < 0)
    diag ("pipe: %s", strerror (errno));
  proxy = spawn_proxy (master, pidfd, null, outp[1], false);
  close (outp[1]);
  close (master);
  close (null);
  read_until (outp[0], NULL, out, sizeof out, 5000);
  close (outp[0]);
  took = now_s () - t0;
  if (pidfd < 0)
    ok (1, "# SKIP pidfd_open: %s", strerror (errno));
  else
    ok (exit_code (proxy) == 0 && strstr (out, "bye") && took < 2,
        "the proxy returns soon after the process exited (%.2fs)", took);
  kill (holder, SIGKILL);
  exit_code (holder);
  exit_code (process);
  if (pidfd < 0)
    exit_code (proxy);
}

static bool
wait_size (int master, int rows, int cols)
{
  struct winsize ws = { 0 };

  for (int i = 0; i < 300; i++)
    {
      if (ioctl (master, TIOCGWINSZ, &ws) == 0 && ws.ws_row == rows && ws.ws_col == cols)
        return true;
      usleep (10000);
    }
  diag ("size is %dx%d", ws.ws_row, ws.ws_col);
  return false;
}

static void
test_proxy_tty (void)
{
  char report[256], out[4096] = "";
  int master, user = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC), user_slave = -1;
  pid_t child = spawn_console ("read line; echo \"got:$line\"", &master, report, sizeof report);
  cleanup_fd int pidfd = pidfd_open (child);
  struct winsize ws = { .ws_row = 40, .ws_col = 100 };
  struct termios t = { 0 };
  pid_t proxy;

  /* The user's terminal: a second pty; we keep its slave open so its
   * settings outlive the proxy and can be checked afterwards. */
  if (user < 0 || grantpt (user) < 0 || unlockpt (user) < 0 || ioctl (user, TIOCSWINSZ, &ws) < 0
      || (user_slave = open (ptsname (user), O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    diag ("user pty: %s", strerror (errno));
  proxy = spawn_proxy (master, pidfd, user_slave, user_slave, true);
  ok (wait_size (master, 40, 100), "the proxy gives the pty our terminal's size");
  tcgetattr (user_slave, &t);
  ok (!(t.c_lflag & (ICANON | ECHO | ISIG)), "our terminal is in raw mode meanwhile");
  ws = (struct winsize){ .ws_row = 50, .ws_col = 120 };
  ioctl (user, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH to the proxy */
  ok (wait_size (master, 50, 120), "SIGWINCH: the new size reaches the pty");
  if (hako_write_all (user, "hi\r", 3) < 0)
    diag ("write: %s", strerror (errno));
  ok (read_until (user, "got:hi", out, sizeof out, 5000), "typing goes through (raw: \\r)");
  ok (exit_code (proxy) == 0 && exit_code (child) == 0, "both end with 0");
  tcgetattr (user_slave, &t);
  ok ((t.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG),
      "our terminal's mode is restored");
  close (master);
  close (user);
  close (user_slave);
}

int
main (void)
{
  setvbuf (stdout, NULL, _IOLBF, 0); /* nothing buffered is duplicated by fork */
  alarm (120);                       /* a hang is a failure, not a stuck CI job */
  if (mkdtemp (dir) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  if (access ("/dev/ptmx", R_OK | W_OK) < 0)
    {
      printf ("1..0 # SKIP /dev/ptmx is not usable: %s\n", strerror (errno));
      return 0;
    }
  test_setup ();
  test_console_socket ();
  test_recv_errors ();
  test_proxy_pipes ();
  test_proxy_signal ();
  test_proxy_quiet_after_exit ();
  test_proxy_tty ();
  {
    cleanup_free char *cmd = hako_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      diag ("could not remove %s", dir);
  }
  return tap_done ();
}

/* The container's pty, made in stage 2 after pivot_root so /dev/ptmx is
 * the container's own (normally a symlink to pts/ptmx of its devpts). */
#define _GNU_SOURCE
#include "terminal.h"
#include "init.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

/* TIOCGPTPEER gives the slave of this very master without a path lookup
 * (a path could be swapped by the container); kernels before 4.13 lack
 * it, then the path in our devpts is the only way. */
static int
open_slave (int master, const char *path, struct hako_error *err)
{
  int fd = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

  if (fd < 0 && (errno == EINVAL || errno == ENOTTY))
    fd = open (path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return hako_error_sys (err, errno, "open the pty slave `%s`", path);
  return fd;
}

static int
apply_console_size (int slave, const struct oci_console_size *size, struct hako_error *err)
{
  struct winsize ws = { 0 };

  if (size == NULL)
    return 0;
  if (size->height > USHRT_MAX || size->width > USHRT_MAX)
    return hako_error_set (err, ERANGE, "process.consoleSize %" PRIu64 "x%" PRIu64 " is too large",
                           size->height, size->width);
  ws.ws_row = size->height;
  ws.ws_col = size->width;
  if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
    return hako_error_sys (err, errno, "set the console size");
  return 0;
}

/* Programs that reopen their terminal (tty, ssh, script, mesg) need it to
 * belong to the process user, as after a login; the group (tty, from
 * devpts' gid= option) stays.  Still root here: the user is set later. */
static int
chown_slave (int slave, const struct oci_process *process, struct hako_error *err)
{
  struct stat st;

  if (process == NULL || process->user == NULL || fstat (slave, &st) < 0
      || st.st_uid == process->user->uid)
    return 0;
  if (fchown (slave, process->user->uid, -1) < 0)
    return hako_error_sys (err, errno, "chown the pty to uid %" PRIu32, process->user->uid);
  return 0;
}

/* The slave becomes the controlling terminal of a session of our own. */
static int
become_controlling (int slave, struct hako_error *err)
{
  if (getsid (0) != getpid () && setsid () < 0)
    return hako_error_sys (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return hako_error_sys (err, errno, "make the pty the controlling terminal");
  return 0;
}

/* dup2 onto 0, 1, 2 without CLOEXEC; the original is closed unless it
 * already was one of them. */
static int
slave_to_stdio (int *slave, struct hako_error *err)
{
  for (int fd = 0; fd < 3; fd++)
    if ((*slave != fd && dup2 (*slave, fd) < 0) || fcntl (fd, F_SETFD, 0) < 0)
      return hako_error_sys (err, errno, "put the pty on fd %d", fd);
  if (*slave <= 2)
    *slave = -1;
  return 0;
}

int
hako_terminal_setup (struct hako_init_ctx *ctx, struct hako_error *err)
{
  const struct oci_process *process = ctx->config ? ctx->config->process : NULL;
  cleanup_fd int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  cleanup_fd int slave = -1;
  unsigned int n;
  int unlock = 0;

  if (master < 0)
    return hako_error_sys (err, errno, "terminal: open /dev/ptmx");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0 || ioctl (master, TIOCGPTN, &n) < 0)
    return hako_error_sys (err, errno, "terminal: unlock the pty");
  snprintf (ctx->console_slave_path, sizeof ctx->console_slave_path, "/dev/pts/%u", n);
  slave = open_slave (master, ctx->console_slave_path, err);
  if (slave < 0 || chown_slave (slave, process, err) < 0
      || apply_console_size (slave, process ? process->console_size : NULL, err) < 0
      || become_controlling (slave, err) < 0 || slave_to_stdio (&slave, err) < 0)
    return hako_error_wrap (err, "terminal");
  ctx->console_master_fd = hako_steal_fd (&master);
  return 0;
}

/* The far end of `hako create --console-socket`, for the bats tests.
 *
 *   console-receiver [-t SECONDS] SOCKET [INPUT]
 *
 * Listens on SOCKET (bound under a temporary name and renamed into place,
 * so SOCKET existing means it accepts), takes one connection, receives one
 * fd with hako_recv_fd and prints its name on the first line.  Then writes
 * INPUT (if given) to the pty master and copies everything the pty says to
 * stdout until it hangs up (the container's processes are gone).
 * Exit status: 0 after the hang-up, 2 when SECONDS (default 30) pass
 * first, 1 on errors. */
#define _GNU_SOURCE
#include "terminal.h"
#include "test-listen.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Copy the master to stdout until it hangs up; 0, or 2 on timeout. */
static int
copy_output (int master, int seconds)
{
  time_t end = time (NULL) + seconds;
  char buf[4096];

  for (;;)
    {
      struct pollfd p = { .fd = master, .events = POLLIN };
      int left = (int)(end - time (NULL));
      ssize_t r;

      if (left <= 0 || poll (&p, 1, left * 1000) == 0)
        return 2;
      r = read (master, buf, sizeof buf);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return 0; /* EIO: every slave fd is closed */
      if (hako_write_all (1, buf, r) < 0)
        return 1;
    }
}

int
main (int argc, char **argv)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *name = NULL;
  cleanup_fd int listener = -1, conn = -1, master = -1;
  int seconds = 30, opt;

  while ((opt = getopt (argc, argv, "t:")) != -1)
    if (opt == 't')
      seconds = atoi (optarg);
    else
      return 1;
  if (optind >= argc)
    {
      fprintf (stderr, "usage: console-receiver [-t SECONDS] SOCKET [INPUT]\n");
      return 1;
    }
  setvbuf (stdout, NULL, _IONBF, 0);
  listener = test_listen_unix (argv[optind]);
  if (listener < 0)
    return 1;
  conn = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
  if (conn < 0)
    {
      perror ("console-receiver: accept");
      return 1;
    }
  unlink (argv[optind]); /* one connection only */
  master = hako_recv_fd (conn, &name, &err);
  if (master < 0)
    {
      fprintf (stderr, "console-receiver: %s\n", err.msg);
      return 1;
    }
  printf ("%s\n", name);
  if (optind + 1 < argc && hako_write_all (master, argv[optind + 1], strlen (argv[optind + 1])) < 0)
    {
      perror ("console-receiver: write to the pty");
      return 1;
    }
  return copy_output (master, seconds);
}

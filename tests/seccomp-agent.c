/* A seccomp agent for the bats tests: the far end of
 * linux.seccomp.listenerPath.
 *
 *   seccomp-agent [-t SECONDS] [-e ERRNO] [-n COUNT] SOCKET
 *
 * Listens on SOCKET, takes connections one after the other (create, then
 * each exec), receives the listener fd with hako_recv_fd and prints the
 * container process state JSON on one line.  Every notification on any
 * listener is answered with -ERRNO (default EXDEV) and reported as
 * "notify pid=PID nr=NR".  Ends after COUNT connections (default 1) once all
 * their listeners hung up (the filtered processes are gone): exit status 0;
 * 2 when SECONDS (default 30) pass first; 1 on errors. */
#define _GNU_SOURCE
#include "terminal.h"
#include "test-listen.h"
#include "util.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTENERS 8

struct agent
{
  int sock;
  struct pollfd fds[MAX_LISTENERS + 1]; /* [0]: the socket while accepting */
  int n_listeners, accepted, want, answer;
};

static int
take_connection (struct agent *a)
{
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *json = NULL;
  cleanup_fd int conn = accept4 (a->sock, NULL, NULL, SOCK_CLOEXEC);
  int fd;

  if (conn < 0)
    return perror ("seccomp-agent: accept"), -1;
  fd = hako_recv_fd (conn, &json, &err);
  if (fd < 0)
    return fprintf (stderr, "seccomp-agent: %s\n", err.msg), -1;
  /* A state longer than the first message goes on until the runtime
   * closes the connection. */
  for (char more[4096];;)
    {
      ssize_t n = read (conn, more, sizeof more);
      if (n <= 0)
        break;
      printf ("%s", json), fwrite (more, 1, n, stdout);
      free (json), json = hako_xstrdup ("");
    }
  printf ("%s\n", json);
  a->fds[1 + a->n_listeners++] = (struct pollfd){ .fd = fd, .events = POLLIN };
  if (++a->accepted == a->want)
    a->fds[0].fd = -1;
  return 0;
}

/* Answer one notification with -ERRNO. */
static int
answer (struct agent *a, struct pollfd *p)
{
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;

  memset (&req, 0, sizeof req);
  if (ioctl (p->fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
    {
      if (errno == EINTR || errno == ENOENT) /* the caller went away meanwhile */
        return 0;
      return perror ("seccomp-agent: NOTIF_RECV"), -1;
    }
  printf ("notify pid=%u nr=%d\n", req.pid, req.data.nr);
  memset (&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.error = -a->answer;
  if (ioctl (p->fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
    return perror ("seccomp-agent: NOTIF_SEND"), -1;
  return 0;
}

static int
serve (struct agent *a, int seconds)
{
  time_t end = time (NULL) + seconds;

  while (a->accepted < a->want || a->n_listeners > 0)
    {
      int left = (int)(end - time (NULL));

      if (left <= 0 || poll (a->fds, 1 + MAX_LISTENERS, left * 1000) == 0)
        return 2;
      if ((a->fds[0].revents & POLLIN) && take_connection (a) < 0)
        return 1;
      for (int i = 1; i <= MAX_LISTENERS; i++)
        {
          struct pollfd *p = &a->fds[i];
          if (p->fd >= 0 && (p->revents & POLLIN) && answer (a, p) < 0)
            return 1;
          if (p->fd >= 0 && (p->revents & (POLLHUP | POLLERR)) && !(p->revents & POLLIN))
            {
              close (p->fd);
              p->fd = -1;
              a->n_listeners--;
            }
        }
    }
  return 0;
}

int
main (int argc, char **argv)
{
  struct agent a = { .want = 1, .answer = EXDEV };
  int seconds = 30, opt;

  while ((opt = getopt (argc, argv, "t:e:n:")) != -1)
    if (opt == 't')
      seconds = atoi (optarg);
    else if (opt == 'e')
      a.answer = atoi (optarg);
    else if (opt == 'n')
      a.want = atoi (optarg);
    else
      return 1;
  if (optind >= argc || a.want < 1 || a.want > MAX_LISTENERS)
    {
      fprintf (stderr, "usage: seccomp-agent [-t SECONDS] [-e ERRNO] [-n COUNT] SOCKET\n");
      return 1;
    }
  setvbuf (stdout, NULL, _IONBF, 0);
  for (int i = 0; i <= MAX_LISTENERS; i++)
    a.fds[i] = (struct pollfd){ .fd = -1, .events = POLLIN };
  a.sock = test_listen_unix (argv[optind]);
  if (a.sock < 0)
    return 1;
  a.fds[0].fd = a.sock;
  return serve (&a, seconds);
}

/* measure: run one command and report its wall time and peak RSS, for
   contrib/bench/run-bench.sh.

     measure OUTFILE COMMAND [ARG...]

   Appends one line "WALL_US MAXRSS_KB STATUS" to OUTFILE, where STATUS is
   the exit code (128+N after signal N), and exits with that status.  A
   command still running after MEASURE_TIMEOUT seconds is killed.  The
   clock runs from just before fork() to the return of wait4(), so it holds
   one fork+exec of overhead, the same for every command measured.

   MAXRSS_KB is ru_maxrss from wait4(), the figure GNU time prints for %M:
   the larger of the command's own peak RSS and that of any descendant it
   (or they, in turn) waited for.  Processes left to init or a subreaper are
   not counted.  Timing here instead of in the shell avoids time(1)'s 10 ms
   resolution and the shell's own fork.  */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum
{
  MEASURE_TIMEOUT = 60
};

static volatile sig_atomic_t timed_out;

static void
on_alarm (int sig)
{
  (void)sig;
  timed_out = 1;
}

/* A hung runtime must not hang the benchmark: SIGALRM interrupts wait4
   (no SA_RESTART), and the loop below then kills the command.  */
static void
arm_timeout (void)
{
  struct sigaction sa = { .sa_handler = on_alarm };

  sigemptyset (&sa.sa_mask);
  sigaction (SIGALRM, &sa, NULL);
  alarm (MEASURE_TIMEOUT);
}

static long long
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int
exit_code (int status)
{
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

int
main (int argc, char **argv)
{
  struct rusage usage;
  long long start, wall;
  FILE *out;
  pid_t pid;
  int status;

  if (argc < 3)
    {
      fprintf (stderr, "usage: measure OUTFILE COMMAND [ARG...]\n");
      return 2;
    }
  /* Armed before the clock starts; fork() does not pass alarms on.  */
  arm_timeout ();
  start = now_us ();
  pid = fork ();
  if (pid < 0)
    {
      fprintf (stderr, "measure: fork: %s\n", strerror (errno));
      return 125;
    }
  if (pid == 0)
    {
      execv (argv[2], argv + 2);
      fprintf (stderr, "measure: %s: %s\n", argv[2], strerror (errno));
      _exit (127);
    }
  while (wait4 (pid, &status, 0, &usage) < 0)
    if (errno == EINTR && timed_out)
      {
        fprintf (stderr, "measure: %s: killed after %d s\n", argv[2], MEASURE_TIMEOUT);
        kill (pid, SIGKILL);
        timed_out = 0;
      }
    else if (errno != EINTR)
      {
        fprintf (stderr, "measure: wait4: %s\n", strerror (errno));
        return 125;
      }
  wall = now_us () - start;
  /* Opened only now: the forked child's copy of this process, which counts
     in its ru_maxrss until exec, stays as small as time(1)'s.  */
  out = fopen (argv[1], "ae");
  if (out == NULL)
    {
      fprintf (stderr, "measure: %s: %s\n", argv[1], strerror (errno));
      return 125;
    }
  fprintf (out, "%lld %ld %d\n", wall, usage.ru_maxrss, exit_code (status));
  if (fclose (out) != 0)
    return 125;
  return exit_code (status);
}

/* Replay inputs through the fuzz target's entry point, one TAP line each.
 *
 *   replay FILE|DIR...
 *
 * Built by the ordinary compiler (gcc, or the ASan build) for make check,
 * so crashes the fuzzer once found stay fixed without needing clang.  Each
 * input runs in a child process: an abort() or a sanitizer report fails
 * that input alone and the others still run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *
slurp (const char *path, size_t *len)
{
  FILE *f = fopen (path, "rb");
  char *buf = NULL;
  size_t cap = 0, have = 0, r;

  if (f == NULL)
    return NULL;
  do
    {
      if (have == cap)
        {
          char *nb = realloc (buf, cap = cap ? cap * 2 : 4096);
          if (nb == NULL)
            break;
          buf = nb;
        }
      r = fread (buf + have, 1, cap - have, f);
      have += r;
    }
  while (r > 0);
  fclose (f);
  *len = have;
  return buf;
}

/* Run one input in a child and report how it ended. */
static void
replay_file (const char *path)
{
  pid_t pid;
  int status = 0;

  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      size_t len = 0;
      char *data = slurp (path, &len);
      if (data == NULL)
        _exit (2);
      LLVMFuzzerTestOneInput ((const uint8_t *)data, len);
      free (data);
      _exit (0);
    }
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    {
      ok (0, "%s: cannot run: %s", path, strerror (errno));
      return;
    }
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0, "%s", path);
  if (WIFSIGNALED (status))
    diag ("killed by signal %d", WTERMSIG (status));
  else if (WEXITSTATUS (status) != 0)
    diag ("exit status %d", WEXITSTATUS (status));
}

static int
by_name (const struct dirent **a, const struct dirent **b)
{
  return strcmp ((*a)->d_name, (*b)->d_name);
}

static void
replay_dir (const char *dir)
{
  struct dirent **names;
  int n = scandir (dir, &names, NULL, by_name);

  if (n < 0)
    {
      ok (0, "%s: cannot read: %s", dir, strerror (errno));
      return;
    }
  for (int i = 0; i < n; i++)
    {
      char path[4096];
      struct stat st;
      snprintf (path, sizeof path, "%s/%s", dir, names[i]->d_name);
      if (names[i]->d_name[0] != '.' && stat (path, &st) == 0 && S_ISREG (st.st_mode))
        replay_file (path);
      free (names[i]);
    }
  free (names);
}

int
main (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      struct stat st;
      if (stat (argv[i], &st) == 0 && S_ISDIR (st.st_mode))
        replay_dir (argv[i]);
      else
        replay_file (argv[i]);
    }
  if (tap_n == 0)
    ok (0, "no inputs to replay");
  return tap_done ();
}

/* bare: the least a container runtime must do to run one process, as a
   floor for contrib/bench/run-bench.sh.

     bare ROOTFS [COMMAND [ARG...]]

   clone() the child into new mount, pid, uts, ipc and network namespaces,
   pivot_root into ROOTFS (an absolute path) and exec COMMAND (default
   /bin/true) from inside it; exit with the child's status.  No /proc, /dev,
   cgroups, capabilities, seccomp or state files: everything else a runtime
   does is what the benchmark measures above this line.  */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum
{
  CHILD_STACK_SIZE = 256 * 1024
};

struct child_args
{
  const char *rootfs;
  char **argv;
};

static int
fail (const char *what)
{
  fprintf (stderr, "bare: %s: %s\n", what, strerror (errno));
  return 127;
}

/* Runs in the new namespaces.  The mount namespace starts as a copy of the
   host's, so propagation is cut first: nothing below may reach the host.  */
static int
child_main (void *opaque)
{
  const struct child_args *args = opaque;

  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return fail ("make / private");
  /* pivot_root needs the new root to be a mount point.  */
  if (mount (args->rootfs, args->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
    return fail ("bind rootfs");
  if (chdir (args->rootfs) < 0)
    return fail ("chdir rootfs");
  /* pivot_root(".", ".") stacks the old root on top of the new one; the
     detach below then removes it without needing a directory for it.  */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return fail ("pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    return fail ("detach old root");
  if (chdir ("/") < 0)
    return fail ("chdir /");
  execv (args->argv[0], args->argv);
  return fail (args->argv[0]);
}

int
main (int argc, char **argv)
{
  static char *default_argv[] = { "/bin/true", NULL };
  struct child_args args;
  char *stack;
  pid_t pid;
  int status;

  if (argc < 2 || argv[1][0] != '/')
    {
      fprintf (stderr, "usage: bare /ABSOLUTE/ROOTFS [COMMAND [ARG...]]\n");
      return 2;
    }
  args.rootfs = argv[1];
  args.argv = argc > 2 ? argv + 2 : default_argv;
  stack = malloc (CHILD_STACK_SIZE);
  if (stack == NULL)
    return fail ("malloc");
  pid = clone (child_main, stack + CHILD_STACK_SIZE,
               CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD,
               &args);
  if (pid < 0)
    return fail ("clone");
  if (waitpid (pid, &status, 0) < 0)
    return fail ("waitpid");
  free (stack);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return WEXITSTATUS (status);
}

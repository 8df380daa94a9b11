#define _GNU_SOURCE
#include "processes.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "pidref.h"
#include "util.h"

static int
pid_ns_of (pid_t pid, ino_t *ino)
{
  char path[64];
  struct stat st;

  snprintf (path, sizeof path, "/proc/%d/ns/pid", pid);
  if (stat (path, &st) < 0)
    return -1;
  *ino = st.st_ino;
  return 0;
}

static int
append_pid (pid_t **pids, size_t *n, pid_t pid)
{
  pid_t *p = reallocarray (*pids, *n + 1, sizeof (pid_t));

  if (p == NULL)
    return -1;
  p[(*n)++] = pid;
  *pids = p;
  return 0;
}

/* Every process whose pid namespace is NS_INO. */
static int
scan_pid_ns (ino_t ns_ino, pid_t **pids, size_t *n, struct hako_error *err)
{
  cleanup_dir DIR *proc = opendir ("/proc");
  struct dirent *de;

  if (proc == NULL)
    return hako_error_sys (err, errno, "open /proc");
  while ((de = readdir (proc)) != NULL)
    {
      char *end;
      long pid = strtol (de->d_name, &end, 10);
      ino_t ino;

      if (*end || pid <= 0 || pid_ns_of (pid, &ino) < 0 || ino != ns_ino)
        continue;
      if (append_pid (pids, n, pid) < 0)
        return hako_error_set (err, ENOMEM, "out of memory");
    }
  qsort (*pids, *n, sizeof (pid_t), hako_pid_compare);
  return 0;
}

int
hako_container_pids (const struct hako_entry *entry, pid_t **pids, size_t *n,
                     struct hako_error *err)
{
  cleanup_fd int pidfd = hako_entry_pidfd (entry);
  pid_t init;
  ino_t ours, theirs;

  cleanup_cgroup struct hako_cgroup *cg = NULL;

  *pids = NULL;
  *n = 0;
  if (pidfd < 0)
    return 0;
  cg = hako_entry_cgroup (entry, err);
  if (cg)
    return hako_cgroup_pids (cg, pids, n, err);
  if (err && err->msg)
    return -1;
  init = entry->status->pid;
  if (pid_ns_of (getpid (), &ours) < 0 || pid_ns_of (init, &theirs) < 0)
    return hako_error_sys (err, errno, "read the pid namespace of %d", init);
  if (ours == theirs)
    return append_pid (pids, n, init) < 0 ? hako_error_set (err, ENOMEM, "out of memory") : 0;
  return scan_pid_ns (theirs, pids, n, err);
}

int
hako_container_signal_all (const struct hako_entry *entry, int sig, struct hako_error *err)
{
  cleanup_free pid_t *pids = NULL;
  cleanup_fd int init = hako_entry_pidfd (entry);
  size_t n = 0;

  cleanup_cgroup struct hako_cgroup *cg = hako_entry_cgroup (entry, err);

  if (cg)
    return hako_cgroup_kill_all (cg, sig, err);
  if (err && err->msg)
    return -1;
  if (hako_container_pids (entry, &pids, &n, err) < 0)
    return -1;
  if (n == 0)
    return hako_error_set (err, ESRCH, "container not running");
  /* The init last: in a pid namespace its death kills the others first. */
  for (size_t i = n; i-- > 0;)
    if (pids[i] != entry->status->pid)
      kill (pids[i], sig);
  return init >= 0 ? hako_pidref_signal (init, sig, err) : 0;
}

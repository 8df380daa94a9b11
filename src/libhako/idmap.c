#define _GNU_SOURCE
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

char *
hako_idmap_format (const struct oci_id_mapping *m, size_t n)
{
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&text, &len);

  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    fprintf (out, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
  fclose (out);
  return text;
}

/* Can an unprivileged process write this map itself?  Only its own id, once. */
static bool
writable_directly (const struct oci_id_mapping *m, size_t n, uid_t own)
{
  return geteuid () == 0 || (n == 1 && m[0].size == 1 && m[0].host_id == own);
}

static int
run_helper (const char *helper, pid_t pid, const struct oci_id_mapping *m, size_t n,
            struct hako_error *err)
{
  size_t argc = 0;
  char **argv = hako_xmalloc0 ((2 + 3 * n + 1) * sizeof (char *));
  int status = 0;
  pid_t child;

  argv[argc++] = (char *)helper;
  argv[argc++] = hako_strdup_printf ("%d", pid);
  for (size_t i = 0; i < n; i++)
    {
      argv[argc++] = hako_strdup_printf ("%u", m[i].container_id);
      argv[argc++] = hako_strdup_printf ("%u", m[i].host_id);
      argv[argc++] = hako_strdup_printf ("%u", m[i].size);
    }
  child = fork ();
  if (child == 0)
    {
      execvp (helper, argv);
      dprintf (2, "hako: exec %s: %s\n", helper, strerror (errno));
      _exit (127);
    }
  for (size_t i = 1; i < argc; i++)
    free (argv[i]);
  free (argv);
  if (child < 0)
    return hako_error_sys (err, errno, "fork %s", helper);
  if (waitpid (child, &status, 0) < 0)
    return hako_error_sys (err, errno, "wait for %s", helper);
  if (WIFSIGNALED (status))
    return hako_error_set (err, EPERM, "%s killed by signal %d", helper, WTERMSIG (status));
  if (WEXITSTATUS (status) != 0)
    return hako_error_set (err, EPERM,
                           "%s failed (exit status %d): are the ranges in /etc/sub%cid?", helper,
                           WEXITSTATUS (status), helper[3]);
  return 0;
}

static int
write_map (pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n,
           struct hako_error *err)
{
  cleanup_free char *text = hako_idmap_format (m, n);
  char path[64];

  if (text == NULL)
    return hako_error_set (err, ENOMEM, "out of memory");
  snprintf (path, sizeof path, "/proc/%d/%s", pid, file);
  return hako_write_file_at (AT_FDCWD, path, text, strlen (text), err);
}

int
hako_idmap_write (pid_t pid, const struct oci_linux *lx, struct hako_error *err)
{
  char path[64];
  bool uid_direct, gid_direct;

  if (lx == NULL || lx->uid_mappings_len == 0 || lx->gid_mappings_len == 0)
    return hako_error_set (err, EINVAL,
                           "a new user namespace needs linux.uidMappings and "
                           "linux.gidMappings");
  uid_direct = writable_directly (lx->uid_mappings, lx->uid_mappings_len, geteuid ());
  gid_direct = writable_directly (lx->gid_mappings, lx->gid_mappings_len, getegid ());
  if (uid_direct ? write_map (pid, "uid_map", lx->uid_mappings, lx->uid_mappings_len, err)
                 : run_helper ("newuidmap", pid, lx->uid_mappings, lx->uid_mappings_len, err))
    return hako_error_wrap (err, "write the uid map");
  /* Without privilege the kernel only accepts a gid map after setgroups is
   * denied; newgidmap handles that itself. */
  snprintf (path, sizeof path, "/proc/%d/setgroups", pid);
  if (geteuid () != 0 && gid_direct && hako_write_file_at (AT_FDCWD, path, "deny", 4, err) < 0)
    return hako_error_wrap (err, "deny setgroups");
  if (gid_direct ? write_map (pid, "gid_map", lx->gid_mappings, lx->gid_mappings_len, err)
                 : run_helper ("newgidmap", pid, lx->gid_mappings, lx->gid_mappings_len, err))
    return hako_error_wrap (err, "write the gid map");
  return 0;
}

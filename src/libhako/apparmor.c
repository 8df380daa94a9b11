/* AppArmor support.  A profile that is not enforced would be a silent
 * loss of confinement, so every case that cannot be enforced is an error
 * before anything is created: AppArmor disabled in the kernel, or the
 * profile not loaded (the kernel would only refuse it at the execve,
 * after create has succeeded). */
#define _GNU_SOURCE
#include "apparmor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"
#include "util.h"

#define APPARMOR_SECURITYFS "/sys/kernel/security/apparmor"

/* Does the running kernel enforce AppArmor? */
static bool
apparmor_enabled (void)
{
  cleanup_fd int fd = open ("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  char c = 0;

  /* The module parameter says whether AppArmor is the active LSM; without
   * sysfs, securityfs tells (its directory exists only then). */
  if (fd >= 0 && read (fd, &c, 1) == 1)
    return c == 'Y';
  return access (APPARMOR_SECURITYFS, F_OK) == 0;
}

/* Is NAME among the loaded profiles?  Each line of the list is
 * "NAME (MODE)". */
static int
profile_loaded (const char *name, struct hako_error *err)
{
  cleanup_file FILE *f = fopen (APPARMOR_SECURITYFS "/profiles", "re");
  cleanup_free char *line = NULL;
  size_t cap = 0, n = strlen (name);

  if (f == NULL)
    return hako_error_sys (err, errno,
                           "cannot list the loaded AppArmor profiles (is securityfs "
                           "mounted on /sys/kernel/security?)");
  while (getline (&line, &cap, f) > 0)
    if (strncmp (line, name, n) == 0 && line[n] == ' ' && line[n + 1] == '(')
      return 1;
  return 0;
}

int
hako_apparmor_check (const char *profile, struct hako_error *err)
{
  int r;

  if (profile == NULL || *profile == '\0' || strcmp (profile, "unconfined") == 0)
    return 0;
  if (!apparmor_enabled ())
    return hako_error_set (err, ENOTSUP,
                           "AppArmor profile \"%s\" specified but AppArmor is not enabled on "
                           "this host",
                           profile);
  r = profile_loaded (profile, err);
  if (r < 0)
    return -1;
  if (r == 0)
    return hako_error_set (err, ENOENT, "profile \"%s\" is not loaded", profile);
  return 0;
}

/* "unconfined" needs no change when the process is unconfined already, or
 * when AppArmor is off (its attribute cannot be read then).  The shared
 * attr/current is AppArmor's only on kernels without attr/apparmor/. */
static bool
unconfined_already (int procfd)
{
  struct hako_error ignored = HAKO_ERROR_INIT;
  char rel[64], cur[64];
  ssize_t n = -1;

  if (hako_procfs_self (procfd, "attr/apparmor/current", rel, sizeof rel, &ignored) == 0)
    {
      n = hako_procfs_read (procfd, rel, cur, sizeof cur, &ignored);
      if (n < 0 && ignored.errnum == ENOENT
          && hako_procfs_self (procfd, "attr/current", rel, sizeof rel, &ignored) == 0)
        n = hako_procfs_read (procfd, rel, cur, sizeof cur, &ignored);
    }
  hako_error_clear (&ignored);
  return n <= 0 || strcmp (cur, "unconfined") == 0 || strcmp (cur, "unconfined\n") == 0;
}

int
hako_apparmor_apply_on_exec (const char *profile, struct hako_error *err)
{
  cleanup_fd int procfd = -1;
  cleanup_free char *data = NULL;
  char rel[64];

  if (profile == NULL || *profile == '\0')
    return 0;
  procfd = hako_procfs_open (err);
  if (procfd < 0)
    return hako_error_wrap (err, "apply AppArmor profile \"%s\"", profile);
  if (strcmp (profile, "unconfined") == 0 && unconfined_already (procfd))
    return 0;
  data = hako_strdup_printf ("exec %s", profile);
  /* attr/apparmor/ (Linux 5.8) is AppArmor's own, whichever LSM owns the
   * shared attr/exec; older kernels have only the latter. */
  if (hako_procfs_self (procfd, "attr/apparmor/exec", rel, sizeof rel, err) < 0)
    return hako_error_wrap (err, "apply AppArmor profile \"%s\"", profile);
  if (faccessat (procfd, rel, F_OK, AT_SYMLINK_NOFOLLOW) < 0
      && hako_procfs_self (procfd, "attr/exec", rel, sizeof rel, err) < 0)
    return hako_error_wrap (err, "apply AppArmor profile \"%s\"", profile);
  if (hako_procfs_write (procfd, rel, data, strlen (data), err) < 0)
    return hako_error_wrap (err, "apply AppArmor profile \"%s\"", profile);
  return 0;
}

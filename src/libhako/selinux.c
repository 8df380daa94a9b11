/* SELinux labels: see selinux.h. */
#define _GNU_SOURCE
#include "config.h"

#include "selinux.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "procfs.h"
#include "util.h"

#define SELINUXFS "/sys/fs/selinux"
#define SELINUX_MAGIC 0xf97cff8c
#define LIBSELINUX_SONAME "libselinux.so.1"

bool
hako_selinux_enabled (void)
{
  struct statfs sfs;

  return statfs (SELINUXFS, &sfs) == 0 && (unsigned long)sfs.f_type == SELINUX_MAGIC
         && access (SELINUXFS "/enforce", F_OK) == 0;
}

#ifdef HAVE_SELINUX
/* The three calls stage 0 needs, from a libselinux loaded on first use:
 * most containers have no label, and every command would otherwise pay
 * for loading it (and libpcre2) at startup. */
struct libselinux
{
  __typeof__ (selinux_trans_to_raw_context) *trans_to_raw;
  __typeof__ (security_check_context_raw) *check_raw;
  __typeof__ (freecon) *freecon;
};

static const struct libselinux *
libselinux_load (struct hako_error *err)
{
  static struct libselinux lib;
  void *handle;

  if (lib.check_raw)
    return &lib;
  handle = dlopen (LIBSELINUX_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      hako_error_set (err, ELIBACC, "SELinux labels need %s: %s", LIBSELINUX_SONAME, dlerror ());
      return NULL;
    }
  lib.trans_to_raw = dlsym (handle, "selinux_trans_to_raw_context");
  lib.freecon = dlsym (handle, "freecon");
  lib.check_raw = dlsym (handle, "security_check_context_raw");
  if (lib.trans_to_raw == NULL || lib.freecon == NULL || lib.check_raw == NULL)
    {
      lib.check_raw = NULL;
      dlclose (handle);
      hako_error_set (err, ELIBACC, "%s lacks the calls hako needs (too old?)", LIBSELINUX_SONAME);
      return NULL;
    }
  /* The handle stays open: the table points into it until hako exits. */
  return &lib;
}

int
hako_selinux_check_label (const char *label, char **raw, struct hako_error *err)
{
  const struct libselinux *lib = libselinux_load (err);
  char *con = NULL;

  *raw = NULL;
  if (lib == NULL)
    return -1;
  /* An MCS level may be written as mcstransd shows it ("s0:Secret"). */
  if (lib->trans_to_raw (label, &con) < 0 || con == NULL)
    return hako_error_sys (err, errno, "invalid SELinux context \"%s\"", label);
  if (lib->check_raw (con) < 0)
    {
      int saved = errno;
      lib->freecon (con);
      return hako_error_set (err, saved ? saved : EINVAL,
                             "invalid SELinux context \"%s\": the loaded policy does not know it",
                             label);
    }
  *raw = hako_xstrdup (con);
  lib->freecon (con);
  return 0;
}
#else
int
hako_selinux_check_label (const char *label, char **raw, struct hako_error *err)
{
  *raw = NULL;
  return hako_error_set (err, ENOTSUP,
                         "SELinux label \"%s\" specified but hako was built without SELinux "
                         "support (-SELINUX)",
                         label);
}
#endif

/* Write LABEL into the task attribute ATTR ("exec", "keycreate") through
 * the current root's /proc, checked like every other write there. */
static int
write_attr (const char *attr, const char *label, struct hako_error *err)
{
  cleanup_fd int procfd = -1;
  char what[32], rel[64];

  snprintf (what, sizeof what, "attr/%s", attr);
  procfd = hako_procfs_open (err);
  if (procfd < 0 || hako_procfs_self (procfd, what, rel, sizeof rel, err) < 0
      || hako_procfs_write (procfd, rel, label, strlen (label), err) < 0)
    return hako_error_wrap (err, "set SELinux %s label \"%s\"", attr, label);
  return 0;
}

int
hako_selinux_set_exec_label (const char *label, struct hako_error *err)
{
  return label ? write_attr ("exec", label, err) : 0;
}

int
hako_selinux_set_keycreate_label (const char *label, struct hako_error *err)
{
  return label ? write_attr ("keycreate", label, err) : 0;
}

/* Does the comma-separated DATA set a mount context of its own? */
static bool
has_context_option (const char *data)
{
  static const char *const names[] = { "context=", "fscontext=", "defcontext=", "rootcontext=" };

  for (const char *p = data; p && *p; p = strchr (p, ','), p = p ? p + 1 : NULL)
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
      if (strncmp (p, names[i], strlen (names[i])) == 0)
        return true;
  return false;
}

char *
hako_selinux_mount_data (const char *label, const char *type, const char *data)
{
  bool labelled = strcmp (type, "tmpfs") == 0 || strcmp (type, "devpts") == 0;

  if (label == NULL || !labelled || has_context_option (data))
    return data ? hako_xstrdup (data) : NULL;
  /* Quoted: an MCS level holds commas ("s0:c1,c2"). */
  if (data && *data)
    return hako_strdup_printf ("%s,context=\"%s\"", data, label);
  return hako_strdup_printf ("context=\"%s\"", label);
}

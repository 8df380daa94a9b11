/* hostname, domainname and linux.sysctl: the settings of the kernel
 * namespaces the container owns.  A sysctl is written only when it belongs
 * to a namespace the container does not share with the host (the rules
 * runc applies), through a procfs fd checked by procfs.c. */
#define _GNU_SOURCE
#include "sysctl.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "init.h"
#include "procfs.h"
#include "util.h"

/* The ipc namespace's sysctls outside fs.mqueue.* (the same list as the
 * level 2 validator's, which rejects a config before anything exists). */
static const char *const ipc_sysctls[] = {
  "kernel.msgmax", "kernel.msgmnb",      "kernel.msgmni",          "kernel.msg_next_id",
  "kernel.sem",    "kernel.sem_next_id", "kernel.shmall",          "kernel.shmmax",
  "kernel.shmmni", "kernel.shm_next_id", "kernel.shm_rmid_forced",
};

static bool
starts_with (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* True when the key uses '/' as separator (its first separator is '/'). */
static bool
key_is_slash_form (const char *key)
{
  size_t i = strcspn (key, "./");
  return key[i] == '/';
}

/* Copy KEY into BUF, exchanging '.' and '/' when SWAP. */
static int
copy_key (const char *key, bool swap, char *buf, size_t size, struct hako_error *err)
{
  size_t len = strlen (key);

  if (len + 1 > size)
    return hako_error_set (err, ENAMETOOLONG, "sysctl \"%s\": key too long", key);
  for (size_t i = 0; i <= len; i++)
    {
      char c = key[i];
      if (swap && c == '.')
        c = '/';
      else if (swap && c == '/')
        c = '.';
      buf[i] = c;
    }
  return 0;
}

int
hako_sysctl_path (const char *key, char *buf, size_t size, struct hako_error *err)
{
  const char *p;

  if (copy_key (key, !key_is_slash_form (key), buf, size, err) < 0)
    return -1;
  for (p = buf;; p++)
    {
      size_t n = strcspn (p, "/");
      if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return hako_error_set (err, EINVAL, "sysctl \"%s\": invalid key", key);
      p += n;
      if (*p == '\0')
        return 0;
    }
}

static int
check_dotted (const char *key, const char *name, unsigned long ns, struct hako_error *err)
{
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (ipc_sysctls); i++)
    if (strcmp (name, ipc_sysctls[i]) == 0)
      goto ipc;
  if (starts_with (name, "fs.mqueue."))
    goto ipc;
  if (starts_with (name, "net."))
    {
      if (ns & CLONE_NEWNET)
        return 0;
      return hako_error_set (err, EINVAL,
                             "sysctl \"%s\" is not allowed in the host's network namespace", key);
    }
  if ((ns & CLONE_NEWUTS)
      && (strcmp (name, "kernel.domainname") == 0 || strcmp (name, "kernel.hostname") == 0))
    return 0;
  /* user.* are the ucounts of the user namespace that owns them. */
  if ((ns & CLONE_NEWUSER) && starts_with (name, "user."))
    return 0;
  return hako_error_set (err, EINVAL, "sysctl \"%s\" is not in a separate kernel namespace", key);

ipc:
  if (ns & CLONE_NEWIPC)
    return 0;
  return hako_error_set (err, EINVAL, "sysctl \"%s\" is not allowed in the host's ipc namespace",
                         key);
}

int
hako_sysctl_check (const char *key, unsigned long ns, struct hako_error *err)
{
  char name[PATH_MAX];

  if (copy_key (key, key_is_slash_form (key), name, sizeof name, err) < 0)
    return -1;
  return check_dotted (key, name, ns, err);
}

int
hako_sysctl_check_all (const struct oci_config *config, unsigned long ns, struct hako_error *err)
{
  if (config->linux == NULL)
    return 0;
  for (size_t i = 0; i < config->linux->sysctl.len; i++)
    if (hako_sysctl_check (config->linux->sysctl.keys[i], ns, err) < 0)
      return -1;
  return 0;
}

static int
write_sysctl (int procfd, const char *key, const char *value, unsigned long ns,
              struct hako_error *err)
{
  char rel[PATH_MAX];

  if (hako_sysctl_check (key, ns, err) < 0)
    return -1;
  memcpy (rel, "sys/", 4);
  if (hako_sysctl_path (key, rel + 4, sizeof rel - 4, err) < 0)
    return -1;
  if (hako_procfs_write (procfd, rel, value, strlen (value), err) < 0)
    return hako_error_wrap (err, "sysctl \"%s\"", key);
  return 0;
}

static int
apply_sysctls (const struct oci_strmap *sysctl, unsigned long ns, struct hako_error *err)
{
  cleanup_fd int procfd = -1;

  if (sysctl->len == 0)
    return 0;
  /* Check every key before writing any, so a bad config changes nothing. */
  for (size_t i = 0; i < sysctl->len; i++)
    if (hako_sysctl_check (sysctl->keys[i], ns, err) < 0)
      return -1;
  procfd = hako_procfs_open (err);
  if (procfd < 0)
    return hako_error_wrap (err, "sysctl");
  for (size_t i = 0; i < sysctl->len; i++)
    if (write_sysctl (procfd, sysctl->keys[i], sysctl->values[i], ns, err) < 0)
      return -1;
  return 0;
}

/* Set NAME (hostname or domainname) with SETTER; only a UTS namespace of
 * the container's own may be changed, never the host's. */
static int
set_uts_name (const char *what, const char *value, int (*setter) (const char *, size_t),
              unsigned long ns, struct hako_error *err)
{
  if (!(ns & CLONE_NEWUTS))
    return hako_error_set (err, EINVAL, "unable to set %s without a private UTS namespace", what);
  if (setter (value, strlen (value)) < 0)
    return hako_error_sys (err, errno, "set%s \"%s\"", what, value);
  return 0;
}

int
hako_kernel_settings_apply (struct hako_init_ctx *ctx, struct hako_error *err)
{
  const struct oci_config *config = ctx->config;
  unsigned long ns = ctx->ns.create | ctx->ns.join;

  if (ctx->userns)
    ns |= CLONE_NEWUSER;
  if (config->hostname && *config->hostname
      && set_uts_name ("hostname", config->hostname, sethostname, ns, err) < 0)
    return -1;
  if (config->domainname && *config->domainname
      && set_uts_name ("domainname", config->domainname, setdomainname, ns, err) < 0)
    return -1;
  if (config->linux && apply_sysctls (&config->linux->sysctl, ns, err) < 0)
    return -1;
  return 0;
}

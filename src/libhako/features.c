/* The features document.  features-linux.md defines most entries as what
 * the runtime implements, "irrelevant to the availability on the host", so
 * they come from the build and the table below; only seccomp's
 * supportedFlags depends on the running kernel. */
#define _GNU_SOURCE
#include "config.h"

#include "features.h"

#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef HAVE_SECCOMP
#include <seccomp.h>
#endif

#include "mount-options.h"
#include "util.h"
#include "version.h"

/* What hako implements, independent of the host.  Flip an entry in the
 * commit that makes it true or false. */
#define HAKO_SUPPORTS_CGROUP_V1 true
#define HAKO_SUPPORTS_CGROUP_V2 true
#define HAKO_SUPPORTS_RDMA true
#define HAKO_SUPPORTS_INTEL_RDT false
#define HAKO_SUPPORTS_IDMAP_MOUNTS true
#define HAKO_SUPPORTS_NET_DEVICES true
/* The systemd cgroup driver (cgroup-systemd.c), unless configured out.
 * Through the user's manager (rootless) it is written but not tested yet. */
#ifdef HAVE_SYSTEMD
#define HAKO_SUPPORTS_SYSTEMD true
#else
#define HAKO_SUPPORTS_SYSTEMD false
#endif
#define HAKO_SUPPORTS_SYSTEMD_USER false
/* features-linux.md: apparmor and selinux say whether support is built
 * in, "unrelated to whether the host supports" them.  AppArmor needs no
 * library; SELinux needs libselinux at build time. */
#define HAKO_SUPPORTS_APPARMOR true
#ifdef HAVE_SELINUX
#define HAKO_SUPPORTS_SELINUX true
#else
#define HAKO_SUPPORTS_SELINUX false
#endif

static const char *const hook_names[] = {
  "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL,
};

/* Copy a NULL-terminated list into a malloc'ed array of malloc'ed strings. */
static char **
strv_copy (const char *const *list, size_t *len)
{
  size_t n = 0;
  char **v;

  while (list[n])
    n++;
  v = hako_xmalloc0 (n * sizeof *v);
  for (size_t i = 0; i < n; i++)
    v[i] = hako_xstrdup (list[i]);
  *len = n;
  return v;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* The options mount.c accepts (its own table, so the two cannot drift
 * apart), sorted for readers. */
static char **
mount_options (size_t *len)
{
  char **v = strv_copy (hako_mount_option_names (), len);

  qsort (v, *len, sizeof *v, compare_strings);
  return v;
}

static struct oci_features_enabled *
enabled (bool value)
{
  struct oci_features_enabled *e = hako_xmalloc0 (sizeof *e);

  e->enabled = value;
  e->has_enabled = true;
  return e;
}

#define SET_BOOL(obj, member, value)                                                               \
  do                                                                                               \
    {                                                                                              \
      (obj)->member = (value);                                                                     \
      (obj)->has_##member = true;                                                                  \
    }                                                                                              \
  while (0)

/* The capability names libcap knows, as CAP_X (libcap prints unknown
 * numbers as digits; those are left out). */
static char **
capability_names (size_t *len)
{
  char **v = hako_xmalloc0 ((CAP_LAST_CAP + 1) * sizeof *v);
  size_t n = 0;

  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    {
      char *name = cap_to_name (cap);
      if (name != NULL && strncmp (name, "cap_", 4) == 0)
        {
          v[n] = hako_xstrdup (name);
          for (char *p = v[n]; *p; p++)
            *p = toupper ((unsigned char)*p);
          n++;
        }
      cap_free (name);
    }
  *len = n;
  return v;
}

static struct oci_features_cgroup *
cgroup_features (void)
{
  struct oci_features_cgroup *c = hako_xmalloc0 (sizeof *c);

  SET_BOOL (c, v1, HAKO_SUPPORTS_CGROUP_V1);
  SET_BOOL (c, v2, HAKO_SUPPORTS_CGROUP_V2);
  SET_BOOL (c, systemd, HAKO_SUPPORTS_SYSTEMD);
  SET_BOOL (c, systemd_user, HAKO_SUPPORTS_SYSTEMD_USER);
  SET_BOOL (c, rdma, HAKO_SUPPORTS_RDMA);
  return c;
}

#ifdef HAVE_SECCOMP
/* The kernel checks a filter's flags before it reads the (here NULL)
 * program: EFAULT means the flag is known, EINVAL that it is not.  Nothing
 * is installed either way. */
static bool
kernel_has_seccomp_flag (unsigned long flag)
{
  /* WAIT_KILLABLE_RECV is only accepted together with NEW_LISTENER. */
  if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
    flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  return syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static char **
supported_seccomp_flags (size_t *len)
{
  static const struct
  {
    const char *name;
    unsigned long flag;
  } flags[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
    { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
  };
  char **v = hako_xmalloc0 (HAKO_ARRAY_SIZE (flags) * sizeof *v);
  size_t n = 0;

  for (size_t i = 0; i < HAKO_ARRAY_SIZE (flags); i++)
    if (kernel_has_seccomp_flag (flags[i].flag))
      v[n++] = hako_xstrdup (flags[i].name);
  *len = n;
  return v;
}

/* The schema's architectures libseccomp can build filters for:
 * SCMP_ARCH_X86_64 is libseccomp's "x86_64". */
static char **
seccomp_archs (size_t *len)
{
  size_t n = 0, total = 0;
  char **v;

  while (oci_enum_seccomp_arch[total])
    total++;
  v = hako_xmalloc0 (total * sizeof *v);
  for (size_t i = 0; i < total; i++)
    {
      cleanup_free char *name = hako_xstrdup (oci_enum_seccomp_arch[i] + strlen ("SCMP_ARCH_"));
      for (char *p = name; *p; p++)
        *p = tolower ((unsigned char)*p);
      if (seccomp_arch_resolve_name (name) != 0)
        v[n++] = hako_xstrdup (oci_enum_seccomp_arch[i]);
    }
  *len = n;
  return v;
}
#endif

static struct oci_features_seccomp *
seccomp_features (void)
{
  struct oci_features_seccomp *s = hako_xmalloc0 (sizeof *s);

#ifdef HAVE_SECCOMP
  SET_BOOL (s, enabled, true);
  s->actions = strv_copy (oci_enum_seccomp_action, &s->actions_len);
  s->operators = strv_copy (oci_enum_seccomp_operator, &s->operators_len);
  s->archs = seccomp_archs (&s->archs_len);
  s->known_flags = strv_copy (oci_enum_seccomp_flag, &s->known_flags_len);
  s->supported_flags = supported_seccomp_flags (&s->supported_flags_len);
#else
  SET_BOOL (s, enabled, false);
#endif
  return s;
}

static struct oci_features_linux *
linux_features (void)
{
  struct oci_features_linux *l = hako_xmalloc0 (sizeof *l);

  l->namespaces = strv_copy (oci_enum_namespace_type, &l->namespaces_len);
  l->capabilities = capability_names (&l->capabilities_len);
  l->cgroup = cgroup_features ();
  l->seccomp = seccomp_features ();
  l->apparmor = enabled (HAKO_SUPPORTS_APPARMOR);
  l->selinux = enabled (HAKO_SUPPORTS_SELINUX);
  l->intel_rdt = enabled (HAKO_SUPPORTS_INTEL_RDT);
  l->mount_extensions = hako_xmalloc0 (sizeof *l->mount_extensions);
  l->mount_extensions->idmap = enabled (HAKO_SUPPORTS_IDMAP_MOUNTS);
  l->net_devices = enabled (HAKO_SUPPORTS_NET_DEVICES);
  return l;
}

static void
add_annotation (struct oci_strmap *map, const char *key, char *value)
{
  map->keys = realloc (map->keys, (map->len + 1) * sizeof *map->keys);
  map->values = realloc (map->values, (map->len + 1) * sizeof *map->values);
  if (map->keys == NULL || map->values == NULL)
    abort ();
  map->keys[map->len] = hako_xstrdup (key);
  map->values[map->len] = value;
  map->len++;
}

static void
annotations (struct oci_strmap *map)
{
  add_annotation (map, "io.github.hako.version", hako_xstrdup (hako_version ()));
  add_annotation (map, "io.github.hako.commit", hako_xstrdup (hako_commit ()));
  add_annotation (map, "io.github.hako.build-features", hako_xstrdup (hako_build_features ()));
#ifdef HAVE_SECCOMP
  const struct scmp_version *v = seccomp_version ();
  add_annotation (map, "io.github.seccomp.libseccomp.version",
                  hako_strdup_printf ("%u.%u.%u", v->major, v->minor, v->micro));
#endif
}

struct oci_features *
hako_features_build (struct hako_error *err)
{
  struct oci_features *f = hako_xmalloc0 (sizeof *f);

  (void)err; /* nothing here fails but allocation, which aborts */
  f->oci_version_min = hako_xstrdup ("1.0.0");
  f->oci_version_max = hako_xstrdup (OCI_SPEC_VERSION);
  f->hooks = strv_copy (hook_names, &f->hooks_len);
  f->mount_options = mount_options (&f->mount_options_len);
  f->linux = linux_features ();
  annotations (&f->annotations);
  return f;
}

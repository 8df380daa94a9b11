/* Level 2 validation of config.json for Linux: the entry points and the
 * checks of config.md's top-level sections (version, root, mounts, hooks,
 * annotations, hostname).  The process, the linux object, its resources
 * and seccomp are checked in validate-linux-*.c. */
#define _GNU_SOURCE
#include <string.h>

#include "validate-util.h"

static void
init_ctx (struct vctx *c, const char *doc, const struct oci_config *config,
          struct oci_warnings *warnings, struct hako_error *err)
{
  memset (c, 0, sizeof *c);
  c->doc = doc;
  c->config = config;
  c->warnings = warnings;
  c->err = err;
}

/* A SemVer 2.0.0 numeric identifier: "0" or digits without a leading
 * zero.  Advances *S past it. */
static bool
semver_number (const char **s, unsigned long *out)
{
  const char *p = *s;
  unsigned long v = 0;

  if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
    return false;
  for (; *p >= '0' && *p <= '9'; p++)
    v = v > 100000000 ? v : v * 10 + (unsigned long)(*p - '0');
  *s = p;
  *out = v;
  return true;
}

static bool
is_ident_char (char ch)
{
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
         || ch == '-';
}

/* Dot-separated non-empty identifiers of [0-9A-Za-z-]; in a pre-release,
 * an all-digit identifier must not have a leading zero. */
static bool
semver_identifiers (const char **s, bool prerelease)
{
  const char *p = *s;

  for (;;)
    {
      const char *start = p;
      bool digits = true;
      for (; is_ident_char (*p); p++)
        digits = digits && *p >= '0' && *p <= '9';
      if (p == start || (prerelease && digits && *start == '0' && p - start > 1))
        return false;
      if (*p != '.')
        break;
      p++;
    }
  *s = p;
  return true;
}

static bool
parse_semver (const char *s, unsigned long *major, unsigned long *minor)
{
  unsigned long patch;

  if (!semver_number (&s, major) || *s++ != '.' || !semver_number (&s, minor) || *s++ != '.'
      || !semver_number (&s, &patch))
    return false;
  if (*s == '-' && (s++, !semver_identifiers (&s, true)))
    return false;
  if (*s == '+' && (s++, !semver_identifiers (&s, false)))
    return false;
  return *s == '\0';
}

static int
check_version (struct vctx *c, const char *version)
{
  unsigned long major, minor;

  /* "ociVersion (string, REQUIRED) MUST be in SemVer v2.0.0 format". */
  if (!parse_semver (version, &major, &minor))
    return v_error (c, "ociVersion", "must be a SemVer 2.0.0 version like \"1.3.0\", got %s",
                    v_quote (c, version));
  /* Compatibility holds "within major versions", for runtimes that support
   * the config's minor release or a later one. */
  if (major != 1 || minor > 3)
    v_warn (c, "ociVersion", "%s is not compatible with %s, the version hako implements",
            v_quote (c, version), OCI_SPEC_VERSION);
  return 0;
}

static int
check_root (struct vctx *c, const struct oci_root *root)
{
  /* "On all other platforms [than Windows], this field is REQUIRED." */
  if (root == NULL)
    return v_error (c, "root", "required on Linux");
  /* "path ... is either an absolute path or a relative path to the
   * bundle"; "" names no directory. */
  if (root->path[0] == '\0')
    return v_error (c, "root.path", "must not be empty");
  return 0;
}

static int
check_mount_idmap (struct vctx *c, const struct oci_mount *m)
{
  bool uid = m->uid_mappings != NULL, gid = m->gid_mappings != NULL;
  const char *opt = v_has_string (m->options, m->options_len, "idmap")    ? "idmap"
                    : v_has_string (m->options, m->options_len, "ridmap") ? "ridmap"
                                                                          : NULL;

  /* uidMappings: "If specified, it MUST be specified along with
   * gidMappings" (and the other way round). */
  if (uid != gid)
    return v_error (c, uid ? "uidMappings" : "gidMappings", "must be given together with %s",
                    uid ? "gidMappings" : "uidMappings");
  if (uid)
    {
      if (v_check_id_mappings (c, "uidMappings", m->uid_mappings, m->uid_mappings_len) < 0
          || v_check_id_mappings (c, "gidMappings", m->gid_mappings, m->gid_mappings_len) < 0)
        return -1;
      if (m->uid_mappings_len == 0 || m->gid_mappings_len == 0)
        return v_error (c, m->uid_mappings_len ? "gidMappings" : "uidMappings",
                        "must have at least one entry");
      /* "the options field ... SHOULD contain either idmap or ridmap". */
      if (opt == NULL)
        v_warn (c, "options", "has neither idmap nor ridmap though uidMappings are given");
      return 0;
    }
  /* idmap/ridmap: "If there are no uidMappings and gidMappings specified
   * and the container isn't using user namespaces, an error MUST be
   * returned." */
  if (opt && v_namespace (c, "user") == NULL)
    return v_error (c, "options", "%s needs uidMappings and gidMappings or a user namespace", opt);
  return 0;
}

static int
check_mount (struct vctx *c, const struct oci_mount *m)
{
  if (m->destination[0] == '\0')
    return v_error (c, "destination", "must not be empty");
  /* Linux: "This value SHOULD be an absolute path ... it MAY be a relative
   * path, in which case it MUST be interpreted as relative to "/".
   * Relative paths are deprecated." */
  if (!v_is_absolute (m->destination))
    v_warn (c, "destination", "relative path %s is deprecated; it is taken relative to \"/\"",
            v_quote (c, m->destination));
  return check_mount_idmap (c, m);
}

static int
check_mounts (struct vctx *c, const struct oci_mount *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t mark = v_enter_index (c, i);
      if (check_mount (c, &m[i]) < 0)
        return -1;
      v_leave (c, mark);
    }
  return 0;
}

static int
check_hook_list (struct vctx *c, const char *name, const struct oci_hook *h, size_t n)
{
  size_t mark = v_enter (c, name);

  for (size_t i = 0; i < n; i++)
    {
      size_t im = v_enter_index (c, i);
      /* "This specification extends the IEEE standard in that path MUST
       * be absolute."  (timeout > 0 is the schema's minimum.) */
      if (!v_is_absolute (h[i].path))
        return v_error (c, "path", "must be an absolute path, got %s", v_quote (c, h[i].path));
      V_SUB (c, "env", h[i].env, v_check_env (c, h[i].env, h[i].env_len));
      v_leave (c, im);
    }
  v_leave (c, mark);
  return 0;
}

static int
check_hooks (struct vctx *c, const struct oci_hooks *h)
{
  if (h->prestart_len)
    v_warn (c, "prestart", "is deprecated; use createRuntime, createContainer or startContainer");
  if (check_hook_list (c, "prestart", h->prestart, h->prestart_len) < 0
      || check_hook_list (c, "createRuntime", h->create_runtime, h->create_runtime_len) < 0
      || check_hook_list (c, "createContainer", h->create_container, h->create_container_len) < 0
      || check_hook_list (c, "startContainer", h->start_container, h->start_container_len) < 0
      || check_hook_list (c, "poststart", h->poststart, h->poststart_len) < 0
      || check_hook_list (c, "poststop", h->poststop, h->poststop_len) < 0)
    return -1;
  return 0;
}

static int
check_annotations (struct vctx *c, const struct oci_strmap *a)
{
  /* "Keys MUST NOT be an empty string." */
  for (size_t i = 0; i < a->len; i++)
    if (a->keys[i][0] == '\0')
      {
        v_enter_mapkey (c, "");
        return v_error (c, NULL, "key must not be empty");
      }
  return 0;
}

/* hostname or domainname: at most 64 bytes (sethostname(2),
 * setdomainname(2)), and only in a UTS namespace of the container's own:
 * without one, setting it would rename the host (hako refuses, as runc
 * and crun do). */
static int
check_uts_name (struct vctx *c, const char *field, const char *name)
{
  if (name == NULL || name[0] == '\0')
    return 0;
  if (strlen (name) > 64)
    return v_error (c, field, "is longer than 64 bytes");
  if (v_namespace (c, "uts") == NULL)
    return v_error (c, field, "needs a uts namespace in linux.namespaces");
  return 0;
}

static void
warn_other_platforms (struct vctx *c, const struct oci_config *cfg)
{
  if (cfg->solaris)
    v_warn (c, "solaris", "ignored on Linux");
  if (cfg->windows)
    v_warn (c, "windows", "ignored on Linux");
  if (cfg->vm)
    v_warn (c, "vm", "ignored: hako runs containers, not virtual machines");
  if (cfg->zos)
    v_warn (c, "zos", "ignored on Linux");
  if (cfg->freebsd)
    v_warn (c, "freebsd", "ignored on Linux");
}

static int
check_linux (struct vctx *c, const struct oci_linux *lx)
{
  if (v_check_linux_namespaces (c, lx) < 0 || v_check_linux_devices (c, lx) < 0)
    return -1;
  V_SUB (c, "resources", lx->resources, v_check_resources (c, lx->resources));
  V_SUB (c, "seccomp", lx->seccomp, v_check_seccomp (c, lx->seccomp));
  return v_check_linux_misc (c, lx);
}

static int
check_config (struct vctx *c, const struct oci_config *cfg)
{
  if (check_version (c, cfg->oci_version) < 0 || check_root (c, cfg->root) < 0)
    return -1;
  V_SUB (c, "mounts", cfg->mounts, check_mounts (c, cfg->mounts, cfg->mounts_len));
  /* process "is REQUIRED when start is called": start checks it. */
  V_SUB (c, "process", cfg->process, v_check_process (c, cfg->process));
  if (check_uts_name (c, "hostname", cfg->hostname) < 0
      || check_uts_name (c, "domainname", cfg->domainname) < 0)
    return -1;
  V_SUB (c, "hooks", cfg->hooks, check_hooks (c, cfg->hooks));
  V_SUB (c, "annotations", cfg->annotations.keys, check_annotations (c, &cfg->annotations));
  V_SUB (c, "linux", cfg->linux, check_linux (c, cfg->linux));
  warn_other_platforms (c, cfg);
  return 0;
}

int
oci_config_validate_linux (const struct oci_config *config, struct oci_warnings *warnings,
                           struct hako_error *err)
{
  struct vctx c;

  init_ctx (&c, "config.json", config, warnings, err);
  return check_config (&c, config);
}

int
oci_process_validate_linux (const struct oci_process *process, const char *docname,
                            struct oci_warnings *warnings, struct hako_error *err)
{
  struct vctx c;

  init_ctx (&c, docname ? docname : "process.json", NULL, warnings, err);
  return v_check_process (&c, process);
}

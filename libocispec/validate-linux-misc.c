/* Level 2 checks of the rest of config.json's linux object: sysctl,
 * masked and read-only paths, Intel RDT, memory policy, personality
 * (config-linux.md). */
#define _GNU_SOURCE
#include <string.h>

#include "validate-util.h"

/* A sysctl(8) name as its path below /proc/sys: "net.ipv4.ip_forward" or
 * "net/ipv4/ip_forward"; in the '/' form a component may hold dots (an
 * interface "eth0.100"), in the '.' form a '/' stands for such a dot.
 * Every component must be a plain name. */
static bool
sysctl_path (const char *key, char *buf, size_t size)
{
  size_t sep = strcspn (key, "./"), len = strlen (key), start = 0;
  bool dotted = key[sep] == '.';

  if (len == 0 || len >= size)
    return false;
  for (size_t i = 0; i <= len; i++)
    buf[i] = !dotted ? key[i] : key[i] == '.' ? '/' : key[i] == '/' ? '.' : key[i];
  for (size_t i = 0; i <= len; i++)
    if (buf[i] == '/' || buf[i] == '\0')
      {
        size_t n = i - start;
        if (n == 0 || (n == 1 && buf[start] == '.')
            || (n == 2 && buf[start] == '.' && buf[start + 1] == '.'))
          return false;
        start = i + 1;
      }
  return true;
}

static bool
has_prefix (const char *s, const char *prefix)
{
  return strncmp (s, prefix, strlen (prefix)) == 0;
}

/* The namespace a sysctl belongs to, or NULL when it is system-wide. */
static const char *
sysctl_namespace (const char *path)
{
  static const char *const ipc[]
      = { "kernel/msgmax", "kernel/msgmnb",      "kernel/msgmni",          "kernel/msg_next_id",
          "kernel/sem",    "kernel/sem_next_id", "kernel/shmall",          "kernel/shmmax",
          "kernel/shmmni", "kernel/shm_next_id", "kernel/shm_rmid_forced", NULL };

  for (size_t i = 0; ipc[i]; i++)
    if (strcmp (path, ipc[i]) == 0)
      return "ipc";
  if (has_prefix (path, "fs/mqueue/"))
    return "ipc";
  if (has_prefix (path, "net/"))
    return "network";
  if (strcmp (path, "kernel/hostname") == 0 || strcmp (path, "kernel/domainname") == 0)
    return "uts";
  if (has_prefix (path, "user/"))
    return "user";
  return NULL;
}

/* The spec says nothing of which sysctls may be set; hako, as runc and
 * crun, sets only those of a namespace the container has, since any other
 * write would change the host. */
static int
check_sysctl (struct vctx *c, const char *key)
{
  char path[512];
  const char *ns;

  if (!sysctl_path (key, path, sizeof path))
    return v_error (c, NULL, "not a sysctl name like \"net.ipv4.ip_forward\"");
  ns = sysctl_namespace (path);
  if (ns == NULL)
    return v_error (c, NULL, "not namespaced: setting it would change the host");
  if (v_namespace (c, ns) == NULL)
    return v_error (c, NULL, "needs a %s namespace in linux.namespaces", ns);
  if (strcmp (path, "kernel/hostname") == 0 && c->config->hostname)
    return v_error (c, NULL, "conflicts with the hostname field");
  return 0;
}

static int
check_sysctls (struct vctx *c, const struct oci_strmap *sysctl)
{
  for (size_t i = 0; i < sysctl->len; i++)
    {
      size_t mark = v_enter_mapkey (c, sysctl->keys[i]);
      if (check_sysctl (c, sysctl->keys[i]) < 0)
        return -1;
      v_leave (c, mark);
    }
  return 0;
}

/* maskedPaths, readonlyPaths: "The values MUST be absolute paths in the
 * container namespace."  (Without a mount namespace they are still the
 * container's: below its rootfs, in a chroot.) */
static int
check_container_paths (struct vctx *c, char *const *paths, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!v_is_absolute (paths[i]))
      {
        v_enter_index (c, i);
        return v_error (c, NULL, "must be an absolute path, got %s", v_quote (c, paths[i]));
      }
  return 0;
}

static int
check_intel_rdt (struct vctx *c, const struct oci_intel_rdt *rdt)
{
  /* closID names a directory of the resctrl filesystem; "/" is its root. */
  if (rdt->clos_id && strcmp (rdt->clos_id, "/") != 0 && !v_valid_filename (rdt->clos_id))
    return v_error (c, "closID", "must be \"/\" or a directory name, got %s",
                    v_quote (c, rdt->clos_id));
  /* l3CacheSchema: "SHOULD start with L3: and SHOULD NOT contain newlines". */
  if (rdt->l3_cache_schema && !has_prefix (rdt->l3_cache_schema, "L3:"))
    v_warn (c, "l3CacheSchema", "does not start with \"L3:\"");
  if (rdt->l3_cache_schema && strchr (rdt->l3_cache_schema, '\n'))
    v_warn (c, "l3CacheSchema", "contains a newline");
  /* memBwSchema "MUST NOT contain newlines" (the schema's pattern lets a
   * final one through). */
  if (rdt->mem_bw_schema && strchr (rdt->mem_bw_schema, '\n'))
    return v_error (c, "memBwSchema", "must not contain newlines");
  /* schemata: "The value MUST NOT contain newlines." */
  for (size_t i = 0; i < rdt->schemata_len; i++)
    if (strchr (rdt->schemata[i], '\n'))
      {
        v_enter (c, "schemata");
        v_enter_index (c, i);
        return v_error (c, NULL, "must not contain newlines");
      }
  return 0;
}

static bool
is_mode (const struct oci_memory_policy *mp, const char *mode)
{
  return strcmp (mp->mode, mode) == 0;
}

/* nodes: "Some modes require that there are no nodes, e.g. MPOL_DEFAULT
 * and MPOL_LOCAL.  Others that there is at least one node, e.g. MPOL_BIND
 * and MPOL_INTERLEAVE.  See set_mempolicy(2)." */
static int
check_memory_nodes (struct vctx *c, const struct oci_memory_policy *mp)
{
  size_t count = 0;
  const char *why = NULL;

  if (mp->nodes && !v_parse_id_list (mp->nodes, &count, &why))
    return v_error (c, "nodes", "invalid node list %s: %s", v_quote (c, mp->nodes), why);
  if ((is_mode (mp, "MPOL_DEFAULT") || is_mode (mp, "MPOL_LOCAL")) && count)
    return v_error (c, "nodes", "must be empty for %s", mp->mode);
  if ((is_mode (mp, "MPOL_BIND") || is_mode (mp, "MPOL_INTERLEAVE")
       || is_mode (mp, "MPOL_WEIGHTED_INTERLEAVE") || is_mode (mp, "MPOL_PREFERRED_MANY"))
      && count == 0)
    return v_error (c, "nodes", "%s needs at least one node", mp->mode);
  return 0;
}

/* The flag combinations set_mempolicy(2) refuses with EINVAL. */
static int
check_memory_flags (struct vctx *c, const struct oci_memory_policy *mp)
{
  bool fixed = v_has_string (mp->flags, mp->flags_len, "MPOL_F_STATIC_NODES");
  bool relative = v_has_string (mp->flags, mp->flags_len, "MPOL_F_RELATIVE_NODES");

  if (fixed && relative)
    return v_error (c, "flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other");
  if ((fixed || relative) && is_mode (mp, "MPOL_LOCAL"))
    return v_error (c, "flags",
                    "MPOL_LOCAL takes neither MPOL_F_STATIC_NODES nor "
                    "MPOL_F_RELATIVE_NODES");
  if (v_has_string (mp->flags, mp->flags_len, "MPOL_F_NUMA_BALANCING") && !is_mode (mp, "MPOL_BIND")
      && !is_mode (mp, "MPOL_PREFERRED_MANY"))
    return v_error (c, "flags",
                    "MPOL_F_NUMA_BALANCING needs mode MPOL_BIND or "
                    "MPOL_PREFERRED_MANY");
  return 0;
}

static int
check_memory_policy (struct vctx *c, const struct oci_memory_policy *mp)
{
  /* "mode (string, REQUIRED)" (optional in the schema). */
  if (mp->mode == NULL)
    return v_error (c, "mode", "required field is missing");
  if (check_memory_nodes (c, mp) < 0)
    return -1;
  return check_memory_flags (c, mp);
}

static int
check_personality (struct vctx *c, const struct oci_personality *p)
{
  /* "domain (string, REQUIRED)" (optional in the schema). */
  if (p->domain == NULL)
    return v_error (c, "domain", "required field is missing");
  /* flags: "Currently no flag values are supported." */
  if (p->flags_len)
    return v_error (c, "flags", "no personality flags are supported, got %s",
                    v_quote (c, p->flags[0]));
  return 0;
}

int
v_check_linux_misc (struct vctx *c, const struct oci_linux *lx)
{
  V_SUB (c, "sysctl", lx->sysctl.keys, check_sysctls (c, &lx->sysctl));
  V_SUB (c, "maskedPaths", lx->masked_paths,
         check_container_paths (c, lx->masked_paths, lx->masked_paths_len));
  V_SUB (c, "readonlyPaths", lx->readonly_paths,
         check_container_paths (c, lx->readonly_paths, lx->readonly_paths_len));
  V_SUB (c, "intelRdt", lx->intel_rdt, check_intel_rdt (c, lx->intel_rdt));
  V_SUB (c, "memoryPolicy", lx->memory_policy, check_memory_policy (c, lx->memory_policy));
  V_SUB (c, "personality", lx->personality, check_personality (c, lx->personality));
  return 0;
}

/* Level 2 checks of config.json's linux object, except resources and
 * seccomp: namespaces and id mappings, time offsets, devices, network
 * devices (config-linux.md), and the kernel's limits on those values. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>

#include "validate-util.h"

/* user_namespaces(7): since Linux 4.15 a map holds at most 340 lines. */
#define MAX_ID_EXTENTS 340

static bool
ranges_overlap (uint64_t a, uint64_t b, uint64_t size_a, uint64_t size_b)
{
  return a < b + size_b && b < a + size_a;
}

/* One line of a uid_map or gid_map, as the kernel checks it when the map
 * is written: a count above zero, and no range that wraps past
 * 4294967295 (which is itself not a valid id). */
static int
check_id_mapping (struct vctx *c, const struct oci_id_mapping *m)
{
  if (m->size == 0)
    return v_error (c, "size", "must be at least 1");
  if ((uint64_t)m->container_id + m->size > UINT32_MAX)
    return v_error (c, "size", "containerID + size must not exceed 4294967295");
  if ((uint64_t)m->host_id + m->size > UINT32_MAX)
    return v_error (c, "size", "hostID + size must not exceed 4294967295");
  return 0;
}

/* The kernel also refuses maps whose ranges overlap, on either side. */
static int
check_id_overlap (struct vctx *c, const struct oci_id_mapping *m, size_t i)
{
  for (size_t j = 0; j < i; j++)
    {
      if (ranges_overlap (m[i].container_id, m[j].container_id, m[i].size, m[j].size))
        return v_error (c, "containerID", "range overlaps that of entry [%zu]", j);
      if (ranges_overlap (m[i].host_id, m[j].host_id, m[i].size, m[j].size))
        return v_error (c, "hostID", "range overlaps that of entry [%zu]", j);
    }
  return 0;
}

int
v_check_id_mappings (struct vctx *c, const char *field, const struct oci_id_mapping *m, size_t n)
{
  size_t mark = v_enter (c, field);

  if (n > MAX_ID_EXTENTS)
    return v_error (c, NULL, "has %zu entries, the kernel allows at most %d", n, MAX_ID_EXTENTS);
  for (size_t i = 0; i < n; i++)
    {
      size_t im = v_enter_index (c, i);
      if (check_id_mapping (c, &m[i]) < 0 || check_id_overlap (c, m, i) < 0)
        return -1;
      v_leave (c, im);
    }
  v_leave (c, mark);
  return 0;
}

static int
check_namespace_list (struct vctx *c, const struct oci_namespace *ns, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t mark = v_enter_index (c, i);
      /* "If a namespaces field contains duplicated namespaces with same
       * type, the runtime MUST generate an error." */
      for (size_t j = 0; j < i; j++)
        if (strcmp (ns[j].type, ns[i].type) == 0)
          return v_error (c, "type", "%s is already listed at namespaces[%zu]", ns[i].type, j);
      /* path: "This value MUST be an absolute path in the runtime mount
       * namespace." */
      if (ns[i].path && !v_is_absolute (ns[i].path))
        return v_error (c, "path", "must be an absolute path, got %s", v_quote (c, ns[i].path));
      v_leave (c, mark);
    }
  return 0;
}

/* The spec leaves the link between mappings and the user namespace to
 * the runtime; hako, as runc, refuses mappings nothing would use, and a
 * new user namespace without a full mapping (its processes would all be
 * the overflow ids). */
static int
check_user_namespace (struct vctx *c, const struct oci_linux *lx)
{
  const struct oci_namespace *user = v_namespace (c, "user");
  bool uid = lx->uid_mappings_len > 0, gid = lx->gid_mappings_len > 0;

  if (v_check_id_mappings (c, "uidMappings", lx->uid_mappings, lx->uid_mappings_len) < 0
      || v_check_id_mappings (c, "gidMappings", lx->gid_mappings, lx->gid_mappings_len) < 0)
    return -1;
  if (user == NULL && (uid || gid))
    return v_error (c, uid ? "uidMappings" : "gidMappings",
                    "given, but linux.namespaces has no user namespace");
  if (user && user->path == NULL && !(uid && gid))
    return v_error (c, uid ? "gidMappings" : "uidMappings",
                    "required to create a user namespace (with uidMappings and gidMappings)");
  if (user && user->path && (uid || gid))
    v_warn (c, uid ? "uidMappings" : "gidMappings",
            "ignored: the user namespace is joined, its mappings are already set");
  return 0;
}

static int
check_time_offset (struct vctx *c, const char *clock, const struct oci_time_offset *t)
{
  /* time_namespaces(7): nanoseconds must be below one second. */
  if (t && t->nanosecs >= 1000000000u)
    {
      v_enter (c, clock);
      return v_error (c, "nanosecs", "must be below 1000000000, got %u", (unsigned)t->nanosecs);
    }
  return 0;
}

/* "timeOffsets ... sets the offset for Time Namespace": offsets can only be
 * written into a new time namespace before any process enters it. */
static int
check_time_offsets (struct vctx *c, const struct oci_time_offsets *t)
{
  const struct oci_namespace *time = v_namespace (c, "time");

  if (time == NULL)
    return v_error (c, NULL, "given, but linux.namespaces has no time namespace");
  if (time->path)
    return v_error (c, NULL, "cannot be applied to a time namespace that is joined (path %s)",
                    v_quote (c, time->path));
  if (check_time_offset (c, "boottime", t->boottime) < 0
      || check_time_offset (c, "monotonic", t->monotonic) < 0)
    return -1;
  return 0;
}

int
v_check_linux_namespaces (struct vctx *c, const struct oci_linux *lx)
{
  V_SUB (c, "namespaces", lx->namespaces,
         check_namespace_list (c, lx->namespaces, lx->namespaces_len));
  if (check_user_namespace (c, lx) < 0)
    return -1;
  V_SUB (c, "timeOffsets", lx->time_offsets, check_time_offsets (c, lx->time_offsets));
  return 0;
}

static bool
is_node_device (const struct oci_device *d)
{
  return d->type[0] != 'p';
}

/* A device number the kernel can encode (MKDEV: 12-bit major, 20-bit
 * minor in the userspace dev_t encoding it decodes). */
static int
check_device_numbers (struct vctx *c, const struct oci_device *d)
{
  /* "major, minor (int64, REQUIRED unless type is p)". */
  if (!d->has_major)
    return v_error (c, "major", "required for a device of type %s", d->type);
  if (!d->has_minor)
    return v_error (c, "minor", "required for a device of type %s", d->type);
  if (d->major < 0 || d->major > 4095)
    return v_error (c, "major", "must be between 0 and 4095, got %lld", (long long)d->major);
  if (d->minor < 0 || d->minor > 1048575)
    return v_error (c, "minor", "must be between 0 and 1048575, got %lld", (long long)d->minor);
  return 0;
}

static bool
same_device (const struct oci_device *a, const struct oci_device *b)
{
  return is_node_device (a) && is_node_device (b) && a->type[0] == b->type[0]
         && a->major == b->major && a->minor == b->minor;
}

/* fileMode may carry the file type bits of a stat(2) mode (podman writes
 * them); they must then be the device's type. */
static int
check_device_mode (struct vctx *c, const struct oci_device *d)
{
  unsigned type_bits = d->file_mode & S_IFMT;
  unsigned want = d->type[0] == 'b' ? S_IFBLK : d->type[0] == 'p' ? S_IFIFO : S_IFCHR;

  if (d->has_file_mode && type_bits != 0 && type_bits != want)
    return v_error (c, "fileMode", "%u has the file type bits 0%o, not those of type %s (0%o)",
                    (unsigned)d->file_mode, type_bits, d->type, want);
  return 0;
}

static int
check_device (struct vctx *c, const struct oci_device *d, const struct oci_device *all, size_t i)
{
  /* type: "c, b, u or p" (the schema's pattern lets a final newline
   * through). */
  if (strlen (d->type) != 1)
    return v_error (c, "type", "must be \"c\", \"b\", \"u\" or \"p\", got %s",
                    v_quote (c, d->type));
  /* "path ... full path to device inside container". */
  if (!v_is_absolute (d->path))
    return v_error (c, "path", "must be an absolute path, got %s", v_quote (c, d->path));
  if ((is_node_device (d) && check_device_numbers (c, d) < 0) || check_device_mode (c, d) < 0)
    return -1;
  for (size_t j = 0; j < i; j++)
    {
      /* One path cannot hold two different devices: "If a file already
       * exists at path that does not match the requested device, the
       * runtime MUST generate an error." */
      if (strcmp (all[j].path, d->path) == 0 && !same_device (&all[j], d))
        return v_error (c, "path", "%s is already a different device at devices[%zu]",
                        v_quote (c, d->path), j);
      /* "The same type, major and minor SHOULD NOT be used for multiple
       * devices." */
      if (same_device (&all[j], d) && strcmp (all[j].path, d->path) != 0)
        v_warn (c, NULL, "same type, major and minor as devices[%zu]", j);
    }
  return 0;
}

static int
check_devices (struct vctx *c, const struct oci_device *d, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t mark = v_enter_index (c, i);
      if (check_device (c, &d[i], d, i) < 0)
        return -1;
      v_leave (c, mark);
    }
  return 0;
}

static int
check_net_device (struct vctx *c, const char *host_name, const struct oci_net_device *nd)
{
  const char *why = NULL;

  if (!v_valid_ifname (host_name, &why))
    return v_error (c, NULL, "invalid interface name: %s", why);
  if (nd->name && !v_valid_ifname (nd->name, &why))
    return v_error (c, "name", "invalid interface name %s: %s", v_quote (c, nd->name), why);
  return 0;
}

/* The name an entry gets in the container: "If not specified, the host
 * name is used." */
static const char *
net_device_target (const struct oci_linux *lx, size_t i)
{
  const char *name = lx->net_devices.values[i].name;

  return name ? name : lx->net_devices.keys[i];
}

static int
check_net_devices (struct vctx *c, const struct oci_linux *lx)
{
  /* The devices move "from the host network namespace into the container
   * network namespace", which must therefore be another one. */
  if (lx->net_devices.len && v_namespace (c, "network") == NULL)
    return v_error (c, NULL, "given, but linux.namespaces has no network namespace");
  for (size_t i = 0; i < lx->net_devices.len; i++)
    {
      const char *target = net_device_target (lx, i);
      size_t mark = v_enter_mapkey (c, lx->net_devices.keys[i]);

      if (check_net_device (c, lx->net_devices.keys[i], &lx->net_devices.values[i]) < 0)
        return -1;
      /* "If a network device with the specified name already exists in the
       * container namespace, the runtime MUST generate an error, unless
       * ... %d" (a template the kernel completes). */
      for (size_t j = 0; j < i && strstr (target, "%d") == NULL; j++)
        if (strcmp (net_device_target (lx, j), target) == 0)
          return v_error (c, NULL, "the name %s is also given to netDevices[%s]",
                          v_quote (c, target), v_quote (c, lx->net_devices.keys[j]));
      v_leave (c, mark);
    }
  return 0;
}

int
v_check_linux_devices (struct vctx *c, const struct oci_linux *lx)
{
  V_SUB (c, "devices", lx->devices, check_devices (c, lx->devices, lx->devices_len));
  V_SUB (c, "netDevices", lx->net_devices.keys, check_net_devices (c, lx));
  return 0;
}

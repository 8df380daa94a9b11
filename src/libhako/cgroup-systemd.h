/* The systemd cgroup driver, inside libhako: what cgroup.c dispatches to,
 * and the pure conversions (cgroup-systemd-props.c) the unit tests check.
 *
 * linux.cgroupsPath "slice:prefix:name" names a transient unit
 * "prefix-name.scope" in "slice" (or a slice of its own when name ends in
 * ".slice").  The unit is started over D-Bus once the container's init
 * exists (a scope needs a process), with Delegate=yes and the resources
 * systemd understands as unit properties; everything else is written by
 * hako into the cgroup systemd made, exactly as the cgroupfs driver would.
 * After that the container's cgroup is an ordinary struct hako_cgroup plus
 * the unit's name: delete stops the unit, update also sets its
 * properties. */
#ifndef HAKO_CGROUP_SYSTEMD_H
#define HAKO_CGROUP_SYSTEMD_H

#include <stdint.h>

#include "cgroup-internal.h"

/* How long hako waits for systemd, per step (connecting and the first
 * answer; starting a unit until its job is done; stopping it).  runc waits
 * forever for a job that never ends; crun waits a few seconds.  Ten
 * seconds is far beyond what a healthy systemd needs (milliseconds) and
 * short enough that a wedged one gives a clear error. */
#define HAKO_SYSTEMD_TIMEOUT_SEC 10

/* ---- cgroup-systemd.c: the driver, behind cgroup.c ---- */

struct hako_cgroup_systemd;
/* True while the unit is still to be started (create, before enter). */
bool hako_cgroup_systemd_pending (const struct hako_cgroup *cg);
/* Start the unit with PID in it and fill CG's hierarchies (see above). */
int hako_cgroup_systemd_start (struct hako_cgroup *cg, pid_t pid, struct hako_error *err);
/* Stop the unit (after the processes were killed) and forget a failed
 * state.  A unit already gone is fine. */
int hako_cgroup_systemd_stop (struct hako_cgroup *cg, struct hako_error *err);
/* hako update: SetUnitProperties for what systemd manages, files for the
 * rest. */
int hako_cgroup_systemd_update (const struct hako_cgroup *cg, const struct oci_resources *r,
                                struct hako_error *err);
void hako_cgroup_systemd_free (struct hako_cgroup_systemd *sd);

/* ---- cgroup-systemd-props.c: names and properties (no I/O) ---- */

struct hako_sd_name
{
  char *slice;   /* the parent slice: "system.slice" */
  char *unit;    /* "prefix-name.scope", or "name.slice" */
  bool is_slice; /* the container gets a slice rather than a scope */
};
/* linux.cgroupsPath (NULL or "" for the default "system.slice:hako:ID";
 * ROOTLESS: "user.slice:hako:ID") into a unit name; an empty slice is the
 * default slice, an empty prefix gives "name.scope".  Names systemd would
 * refuse are refused here, with the path in the message. */
int hako_sd_parse_cgroups_path (const char *cgroups_path, const char *id, bool rootless,
                                struct hako_sd_name *out, struct hako_error *err);
void hako_sd_name_clear (struct hako_sd_name *n);
/* The cgroup of a slice below systemd's root: "a-b.slice" ->
 * "/a.slice/a-b.slice", "-.slice" -> "/".  -1 for an invalid slice name. */
int hako_sd_expand_slice (const char *slice, char **out);

enum hako_sd_kind
{
  HAKO_SD_U64,     /* t */
  HAKO_SD_BOOL,    /* b */
  HAKO_SD_STRING,  /* s */
  HAKO_SD_STRINGS, /* as: STR only, one element */
  HAKO_SD_BYTES,   /* ay: a CPU or NUMA node bitmask */
  HAKO_SD_DEVICES, /* a(ss): DeviceAllow entries */
};

struct hako_sd_device
{
  char *path;     /* "/dev/char/1:3", "char-pts", "block-*" */
  char access[4]; /* "rwm" or a subset */
};

struct hako_sd_prop
{
  const char *name;
  enum hako_sd_kind kind;
  uint64_t u64; /* U64 and BOOL */
  char *str;    /* STRING, STRINGS */
  uint8_t *bytes;
  size_t nbytes;
  struct hako_sd_device *dev;
  size_t ndev;
};

struct hako_sd_props
{
  struct hako_sd_prop *v;
  size_t n;
};
void hako_sd_props_free (struct hako_sd_props *p);
/* Append a property (STR is copied). */
void hako_sd_props_add_u64 (struct hako_sd_props *p, const char *name, uint64_t v);
void hako_sd_props_add_bool (struct hako_sd_props *p, const char *name, bool v);
void hako_sd_props_add_str (struct hako_sd_props *p, const char *name, enum hako_sd_kind kind,
                            const char *v);
const struct hako_sd_prop *hako_sd_props_find (const struct hako_sd_props *p, const char *name);

/* What hako still writes itself: R without the fields systemd applies.
 * The nested structs are copies (their arrays still point into R). */
struct hako_sd_rest
{
  struct oci_resources r;
  struct oci_memory memory;
  struct oci_cpu cpu;
  struct oci_block_io block_io;
};
/* The unit properties for R on a host of LAYOUT (systemd applies
 * CPUShares and BlockIOWeight through v1, CPUWeight, IOWeight, MemoryLow,
 * MemorySwapMax and AllowedCPUs/AllowedMemoryNodes through cgroup2 only),
 * appended to PROPS, and REST for hako.  Values map onto the same file
 * contents the cgroupfs driver writes.  CUR_PERIOD (0: the kernel's
 * default, 100 ms) is the CFS period in force, for a quota given alone. */
int hako_sd_resource_props (const struct oci_resources *r, enum hako_cgroup_layout layout,
                            uint64_t cur_period, struct hako_sd_props *props,
                            struct hako_sd_rest *rest, struct hako_error *err);
/* DevicePolicy=strict and a DeviceAllow list for RULES (as the cgroupfs
 * driver enforces them); a rule allowing every device gives
 * DevicePolicy=auto and no list.  PROC_DEVICES (the text of /proc/devices)
 * names the majors of rules with a wildcard minor ("char-pts"). */
void hako_sd_device_props (const struct hako_dev_rule *rules, size_t n, const char *proc_devices,
                           struct hako_sd_props *props);
/* A cpuset list ("0-3,8") as systemd's bitmask (bit N of byte N/8 for
 * CPU N).  -1 for a malformed list. */
int hako_sd_cpuset_mask (const char *list, uint8_t **mask, size_t *n);

#endif

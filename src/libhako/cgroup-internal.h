/* Shared by the cgroup*.c files: the hierarchies of a container's cgroup,
 * the file writers every driver uses, the per-version resource writers and
 * the pure conversions (exposed for the unit tests). */
#ifndef HAKO_CGROUP_INTERNAL_H
#define HAKO_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"

#define HAKO_CGROUP_ROOT "/sys/fs/cgroup"

/* One hierarchy: a v1 hierarchy (one or more controllers, or a named one)
 * or the cgroup2 one. */
struct hako_cgroup_hier
{
  bool v2;
  /* v1: the controllers as /proc/self/cgroup lists them ("cpu,cpuacct",
   * "name=systemd"); v2: "" (its controllers are in V2_CONTROLLERS). */
  char *controllers;
  char *mountpoint; /* e.g. /sys/fs/cgroup/memory */
  char *path;       /* the container's cgroup below MOUNTPOINT: "/hako/id" */
  int dirfd;        /* the container's directory, O_RDONLY|O_DIRECTORY; -1 if absent */
  size_t created;   /* trailing components of PATH this process made (undo) */
  /* v2: the leaf's cgroup.controllers, space separated. */
  char *v2_controllers;
  /* Rootless create only: why the directory could not be made (the
   * hierarchy is not delegated to the user); DIRFD is -1.  Such a
   * hierarchy is dropped once the resources are applied. */
  char *denied;
};

struct hako_cgroup
{
  enum hako_cgroup_layout layout;
  struct hako_cgroup_hier *h;
  size_t n;
  struct hako_cgroup_systemd *sd; /* the systemd driver's unit; NULL for cgroupfs */
  bool partial;                   /* rootless: not in every hierarchy (some are not delegated) */
};

/* A hierarchy as the caller sees it, before any directory is made. */
struct hako_cgroup_mount
{
  bool v2;
  char *controllers; /* as in /proc/self/cgroup; "" for cgroup2 */
  char *mountpoint;
  char *own; /* the caller's cgroup, relative to MOUNTPOINT ("/" at its root) */
};

/* ---- cgroup-paths.c: hierarchies, paths, serialization ---- */

/* The hierarchies of this host below /sys/fs/cgroup that the caller is a
 * member of, from /proc/self/cgroup and /proc/self/mountinfo (given, so
 * tests can feed their own).  cgroup2 is included unless LAYOUT is V1. */
struct hako_mountinfo;
int hako_cgroup_mounts_parse (enum hako_cgroup_layout layout, const char *proc_cgroup,
                              const struct hako_mountinfo *mi, struct hako_cgroup_mount **out,
                              size_t *n, struct hako_error *err);
int hako_cgroup_mounts_read (enum hako_cgroup_layout layout, struct hako_cgroup_mount **out,
                             size_t *n, struct hako_error *err);
void hako_cgroup_mounts_free (struct hako_cgroup_mount *m, size_t n);

/* Lexically clean PATH ('//', '.', '..' never climbing above its start);
 * keeps a leading '/' when ABSOLUTE.  malloc'ed. */
char *hako_cgroup_clean_path (const char *path, bool absolute);
/* The container's cgroup below a hierarchy's mount point, from
 * linux.cgroupsPath (NULL or "" for the default), the id and the caller's
 * own cgroup in that hierarchy.  Always absolute, never "/". */
int hako_cgroup_resolve_path (const char *cgroups_path, const char *id, const char *own, char **out,
                              struct hako_error *err);

/* The entries of a serialized cgroup: controllers and path, in order. */
struct hako_cgroup_entry
{
  char *controllers; /* NULL: every hierarchy (the one-path form) */
  char *path;
};
char *hako_cgroup_serialize_entries (const struct hako_cgroup_entry *e, size_t n);
/* Always the "controllers:path" form (a cgroup in some hierarchies only). */
char *hako_cgroup_serialize_each (const struct hako_cgroup_entry *e, size_t n);
int hako_cgroup_parse_entries (const char *s, struct hako_cgroup_entry **out, size_t *n,
                               struct hako_error *err);
void hako_cgroup_entries_free (struct hako_cgroup_entry *e, size_t n);

/* ---- cgroup.c ---- */

/* The hierarchy holding a controller: V1NAME on a v1 hierarchy first, else
 * V2NAME among the cgroup2 leaf's controllers (either may be NULL). */
struct hako_cgroup_hier *hako_cgroup_find (const struct hako_cgroup *cg, const char *v1name,
                                           const char *v2name);
/* The hierarchy a rootless create could not use that would have held the
 * controller (as hako_cgroup_find), or NULL. */
const struct hako_cgroup_hier *hako_cgroup_find_denied (const struct hako_cgroup *cg,
                                                        const char *v1name, const char *v2name);
/* The cgroup2 part, or NULL. */
struct hako_cgroup_hier *hako_cgroup_v2_part (const struct hako_cgroup *cg);
/* True if the comma or space separated LIST contains NAME. */
bool hako_cgroup_list_has (const char *list, const char *name);

/* ---- cgroup-io.c: file access under a cgroup directory ---- */

/* Write VALUE to FILE (O_WRONLY|O_TRUNC); 0 or -errno.  No message. */
int hako_cgroup_try_write (int dirfd, const char *file, const char *value);
/* Write and explain a failure: "linux.resources.FIELD: FILE: ...". */
int hako_cgroup_write (int dirfd, const char *field, const char *file, const char *value,
                       struct hako_error *err);
int hako_cgroup_writef (int dirfd, const char *field, const char *file, struct hako_error *err,
                        const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
/* One write of a group whose order matters (memory and memsw limits, CFS
 * period and quota, ...). */
struct hako_cgroup_write
{
  const char *field;
  const char *file;
  char value[64];
};
/* Write W[0..N) in order; if one fails with EINVAL or EBUSY (the kernel
 * checks each value against the others' current ones), retry in reverse
 * order before reporting the first failure. */
int hako_cgroup_write_group (int dirfd, const struct hako_cgroup_write *w, size_t n,
                             struct hako_error *err);
bool hako_cgroup_has_file (int dirfd, const char *file);
/* Read FILE, trailing newline removed. */
int hako_cgroup_read (int dirfd, const char *file, char **out, struct hako_error *err);
/* FILE's single number; "max" reads as UINT64_MAX. */
int hako_cgroup_read_u64 (int dirfd, const char *file, uint64_t *out, struct hako_error *err);
/* Tests observe every successful write through this (file, value). */
extern void (*hako_cgroup_write_observer) (const char *file, const char *value);

/* ---- cgroup-v1.c / cgroup-v2.c: one function per resource group ---- */

/* Context of one application of linux.resources to one directory. */
struct hako_cgroup_apply
{
  int dirfd;
  bool update; /* hako update rather than create */
  struct hako_error *err;
};

int hako_cgroup_v1_memory (const struct hako_cgroup_apply *a, const struct oci_memory *m);
int hako_cgroup_v1_cpu (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu);
/* cpuset.cpus/mems and pids.max: the same files on v1 and v2. */
int hako_cgroup_cpuset (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu);
int hako_cgroup_pids_limit (const struct hako_cgroup_apply *a, const struct oci_pids *p);
/* memory.checkBeforeUpdate: on update, refuse a limit below the usage in
 * FILE (memory.usage_in_bytes, memory.current). */
int hako_cgroup_memory_check_usage (const struct hako_cgroup_apply *a, const struct oci_memory *m,
                                    const char *file);
int hako_cgroup_v1_blkio (const struct hako_cgroup_apply *a, const struct oci_block_io *b);
int hako_cgroup_v1_hugetlb (const struct hako_cgroup_apply *a, const struct oci_hugepage_limit *l,
                            size_t n);
/* hugetlb.<size>.LIMIT and, where present, hugetlb.<size>.RSVD. */
int hako_cgroup_hugetlb_limits (const struct hako_cgroup_apply *a,
                                const struct oci_hugepage_limit *l, size_t n, const char *limit,
                                const char *rsvd);
int hako_cgroup_v1_net_cls (const struct hako_cgroup_apply *a, const struct oci_network *net);
int hako_cgroup_v1_net_prio (const struct hako_cgroup_apply *a, const struct oci_network *net);
/* rdma.max, the same on v1 and v2. */
int hako_cgroup_rdma (const struct hako_cgroup_apply *a, const struct oci_resources *r);
/* Fill an empty cpuset.cpus / cpuset.mems of CHILDFD from PARENTFD (v1
 * leaves them empty and refuses tasks until they are set). */
int hako_cgroup_v1_cpuset_inherit (int parentfd, int childfd, struct hako_error *err);

struct hako_dev_rule;
int hako_cgroup_v1_devices (const struct hako_cgroup_apply *a, const struct hako_dev_rule *rules,
                            size_t n);

int hako_cgroup_v2_memory (const struct hako_cgroup_apply *a, const struct oci_memory *m);
int hako_cgroup_v2_cpu (const struct hako_cgroup_apply *a, const struct oci_cpu *cpu);
int hako_cgroup_v2_io (const struct hako_cgroup_apply *a, const struct oci_block_io *b);
int hako_cgroup_v2_hugetlb (const struct hako_cgroup_apply *a, const struct oci_hugepage_limit *l,
                            size_t n);
int hako_cgroup_v2_unified (const struct hako_cgroup_apply *a, const struct oci_strmap *u);
/* Enable every controller of DIRFD's cgroup.controllers in its
 * cgroup.subtree_control, one at a time; a refusal (processes in that
 * cgroup, a threaded subtree) is only logged: the resources that needed the
 * controller fail later, naming it. */
void hako_cgroup_v2_enable_controllers (int dirfd, const char *where);

/* ---- cgroup-resources.c: pure conversions ---- */

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000], 1024 -> 100: the
 * log-quadratic mapping runc (1.3.2+) and crun (1.23+) use. 0 -> 0 (unset). */
uint64_t hako_cgroup_shares_to_weight (uint64_t shares);
/* blkio weight [10, 1000] -> io.weight [1, 10000] (linear). */
uint64_t hako_cgroup_blkio_to_io_weight (uint64_t weight);
/* cpu.max from quota and period: "max 100000", "50000 100000", "50000".
 * CUR_QUOTA (the first word of the current cpu.max, or NULL for "max") is
 * kept when only the period is given.  False when neither is set. */
bool hako_cgroup_cpu_max (const struct oci_cpu *cpu, const char *cur_quota, char *buf, size_t size);
/* A memory value for v2: -1 -> "max". */
void hako_cgroup_v2_bytes (int64_t v, char *buf, size_t size);
/* memory.swap.max from OCI swap (memory+swap) and the memory limit (LIMIT
 * < 0: unlimited).  0 on success with BUF filled; -1 with *WHY when it
 * cannot be expressed. */
int hako_cgroup_v2_swap (int64_t swap, int64_t limit, char *buf, size_t size, const char **why);
/* pids.max: > 0 -> the number, <= 0 -> "max" (0 as crun: unlimited). */
void hako_cgroup_pids_max (int64_t limit, char *buf, size_t size);
/* "maj:min" or "*" for -1 / unset; for device rules. */
void hako_cgroup_dev_number (bool has, int64_t v, char *buf, size_t size);

/* One device cgroup rule, as v1 writes it and the v2 eBPF program checks it. */
struct hako_dev_rule
{
  bool allow;
  char type;       /* 'a', 'b' or 'c' */
  int64_t major;   /* -1: any */
  int64_t minor;   /* -1: any */
  unsigned access; /* HAKO_DEV_ACC_* bits */
};
#define HAKO_DEV_ACC_MKNOD 1u /* as BPF_DEVCG_ACC_MKNOD */
#define HAKO_DEV_ACC_READ 2u
#define HAKO_DEV_ACC_WRITE 4u
#define HAKO_DEV_ACC_ALL 7u
/* The rules a container gets: deny all, linux.resources.devices in order,
 * then the devices every container may use (null, zero, full, random,
 * urandom, tty, console, ptmx, pts) and linux.devices.  malloc'ed. */
int hako_cgroup_device_rules (const struct oci_config *config, struct hako_dev_rule **out,
                              size_t *n, struct hako_error *err);
/* "c 1:3 rwm" (v1 devices.allow/deny syntax); "a" for type a. */
void hako_cgroup_dev_rule_string (const struct hako_dev_rule *r, char *buf, size_t size);

/* ---- cgroup-bpf.c: the cgroup2 device filter ---- */

/* Attach a BPF_CGROUP_DEVICE program enforcing RULES (last match wins,
 * default deny) to the cgroup2 directory DIRFD, replacing any program hako
 * attached there before. */
int hako_cgroup_bpf_devices (int dirfd, const struct hako_dev_rule *rules, size_t n,
                             struct hako_error *err);

/* ---- cgroup-apply.c ---- */

/* Apply R to CG (devices from CONFIG on create; none on update). */
int hako_cgroup_apply (const struct hako_cgroup *cg, const struct oci_config *config,
                       const struct oci_resources *r, bool update, bool rootless,
                       struct hako_error *err);

#endif

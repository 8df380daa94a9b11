/* The container's control group: the cgroupfs driver for cgroup v1, v2 and
 * hybrid hosts (v1 controllers plus a cgroup2 hierarchy at
 * /sys/fs/cgroup/unified that may hold controllers of its own, such as
 * hugetlb).
 *
 * A struct hako_cgroup is the container's cgroup across every hierarchy the
 * caller sees: one directory per v1 hierarchy (controllers and named ones
 * such as name=systemd) plus one in the cgroup2 hierarchy when there is one.
 * Each linux.resources field goes to the hierarchy that holds its
 * controller, written with that hierarchy's file names and units.
 *
 * Usage in the lifecycle:
 *   create:  hako_cgroup_create before cloning; hako_cgroup_enter (the
 *            init's pid) while the init waits, before it does anything;
 *            stage 1 stays in the caller's cgroups, so the namespaces it
 *            makes are not charged to the container's memory limit; store
 *            hako_cgroup_serialize in state.json; on failure
 *            hako_cgroup_destroy.
 *   exec:    clone3 with CLONE_INTO_CGROUP on hako_cgroup_v2_fd (when
 *            >= 0); when hako_cgroup_enter_needed, hako_cgroup_enter
 *            before the process forks (children inherit cgroups only at
 *            fork).
 *   others:  hako_cgroup_load (state.json's string), then pids (ps),
 *            kill_all (kill --all), freeze / is_frozen (pause, resume,
 *            state), update, destroy (delete, delete --force). */
#ifndef HAKO_CGROUP_H
#define HAKO_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

enum hako_cgroup_layout
{
  HAKO_CGROUP_V1,     /* /sys/fs/cgroup is a tmpfs of v1 hierarchies */
  HAKO_CGROUP_V2,     /* /sys/fs/cgroup is cgroup2 */
  HAKO_CGROUP_HYBRID, /* v1 hierarchies plus cgroup2 at /sys/fs/cgroup/unified */
};

/* "v1", "v2" or "hybrid". */
const char *hako_cgroup_layout_name (enum hako_cgroup_layout layout);

/* statfs /sys/fs/cgroup (CGROUP2_SUPER_MAGIC or TMPFS_MAGIC) and, for a
 * tmpfs, /sys/fs/cgroup/unified. */
int hako_cgroup_layout_detect (enum hako_cgroup_layout *out, struct hako_error *err);

struct hako_cgroup;

/* Where a container's cgroup goes when linux.cgroupsPath is unset or empty:
 * HAKO_CGROUP_DEFAULT_PARENT/<id>, below each hierarchy's root.  (runc's
 * cgroupfs driver uses <id> relative to the caller's own cgroup; crun uses
 * /<id>.  A parent of hako's own keeps the host's tree tidy.) */
#define HAKO_CGROUP_DEFAULT_PARENT "/hako"

/* Resolve linux.cgroupsPath (absolute: below each hierarchy's root;
 * relative: below the caller's own cgroup, as runc does; unset: the default
 * above), create the directories (on v2 enabling the available controllers
 * in cgroup.subtree_control of every ancestor; on v1 filling an empty
 * cpuset.cpus/mems from the parent), and apply every linux.resources field.
 * A field the host cannot apply fails with its JSON path and the file:
 *   linux.resources.memory.swap: memory.memsw.limit_in_bytes: not supported
 *   by this kernel (swap accounting off)
 * On failure nothing this call created is left behind.
 * ROOTLESS: a hierarchy whose directory cannot be made (EACCES, EPERM,
 * EROFS: not delegated to the user) is left out, unless a resource needs
 * its controller: then the call fails saying so.  When no hierarchy is
 * left, *OUT is NULL and the call succeeds (the container runs without a
 * cgroup, as runc and crun do).  Device rules are not applied.  Every
 * function below accepts a NULL cgroup as "none". */
int hako_cgroup_create (const struct oci_config *config, const char *id, bool rootless,
                        struct hako_cgroup **out, struct hako_error *err);

/* The cgroup2 leaf directory (O_RDONLY|O_DIRECTORY, owned by CG) for
 * clone3's CLONE_INTO_CGROUP, or -1 when the host has no cgroup2 hierarchy.
 * On a hybrid host it is the unified hierarchy's directory: the child starts
 * there and hako_cgroup_enter adds it to the v1 hierarchies. */
int hako_cgroup_v2_fd (const struct hako_cgroup *cg);

/* True when a process placed with CLONE_INTO_CGROUP on hako_cgroup_v2_fd
 * still has to be entered into other hierarchies (v1 or hybrid hosts). */
bool hako_cgroup_enter_needed (const struct hako_cgroup *cg);

/* Write PID to cgroup.procs of every hierarchy (v1 controllers, named
 * hierarchies such as name=systemd, and the cgroup2 one).  Only PID moves:
 * call it before PID forks.  For a systemd cgroup not started yet, this
 * starts the unit with PID in it and fills in CG's hierarchies. */
int hako_cgroup_enter (const struct hako_cgroup *cg, pid_t pid, struct hako_error *err);

/* The cgroup as a one-line string for state.json's cgroupPath: "/hako/id"
 * when every hierarchy uses the same path, else "controllers:path" entries
 * separated by '\n' (as in /proc/PID/cgroup; "" names cgroup2).  malloc'ed;
 * NULL for a NULL cgroup. */
char *hako_cgroup_serialize (const struct hako_cgroup *cg);
/* Read it back in a later command: the hierarchies are found again from
 * /proc/self/mountinfo; a directory that is gone is skipped. */
struct hako_cgroup *hako_cgroup_load (const char *serialized, struct hako_error *err);

/* Kill what is left (cgroup.kill on cgroup2, else freeze + SIGKILL +
 * thaw), then remove the leaf directories (and sub-cgroups below them),
 * retrying briefly while the kernel still counts exiting tasks.  Directories
 * already gone are fine.  CG stays allocated: free it afterwards. */
int hako_cgroup_destroy (struct hako_cgroup *cg, struct hako_error *err);

/* The pids (in the caller's pid namespace) of every process in the cgroup
 * and its sub-cgroups, sorted.  *PIDS is malloc'ed (NULL when *N is 0). */
int hako_cgroup_pids (const struct hako_cgroup *cg, pid_t **pids, size_t *n,
                      struct hako_error *err);

/* Send SIG to every process: SIGKILL through cgroup.kill where it exists,
 * else freeze, signal each pid, thaw (a frozen cgroup stays frozen unless
 * SIG is SIGKILL), so no process escapes by forking. */
int hako_cgroup_kill_all (const struct hako_cgroup *cg, int sig, struct hako_error *err);

/* Freeze or thaw (v1 freezer.state, else cgroup2 cgroup.freeze) and wait
 * until the kernel reports it done (a few seconds at most). */
int hako_cgroup_freeze (const struct hako_cgroup *cg, bool frozen, struct hako_error *err);
/* *FROZEN is true when the cgroup is frozen (v1 FROZEN; v2 cgroup.freeze 1).
 * Returns -1 when it cannot be read (no freezer). */
int hako_cgroup_is_frozen (const struct hako_cgroup *cg, bool *frozen);

/* Apply R to the existing cgroup (hako update).  Device rules are not
 * changed (as runc update); memory.checkBeforeUpdate refuses a limit below
 * the current usage. */
int hako_cgroup_update (const struct hako_cgroup *cg, const struct oci_resources *r,
                        struct hako_error *err);

/* exec --cgroup (cgroup-sub.c): *OUT is CG moved down into existing
 * sub-cgroups, from runc's "[CONTROLLER[,CONTROLLER]:]PATH" arguments.  A
 * PATH alone (the only argument then) applies to every hierarchy; with
 * CONTROLLER: prefixes, to the v1 hierarchies holding those controllers
 * (the rest stay in CG; cgroup v2 takes the path alone).  PATH is relative
 * to CG, may not climb out of it, and must exist.  No arguments: *OUT is
 * NULL. */
int hako_cgroup_sub (const struct hako_cgroup *cg, char *const *args, size_t nargs,
                     struct hako_cgroup **out, struct hako_error *err);

void hako_cgroup_free (struct hako_cgroup *cg);

/* The systemd driver (cgroup-systemd.c): linux.cgroupsPath is
 * "slice:prefix:name" (unset: "system.slice:hako:ID", rootless
 * "user.slice:hako:ID") and names a transient unit "prefix-name.scope"
 * (or "name.slice").  create validates the name and the resources and
 * checks that systemd answers, nothing more: the unit is started by
 * hako_cgroup_enter, as a scope needs a process; hako_cgroup_v2_fd is -1
 * until then.  From then on CG is the cgroup systemd made (plus the v1
 * hierarchies systemd leaves alone), and destroy also stops the unit.
 * Fails with ENOTSUP when hako is built without systemd support. */
int hako_cgroup_create_systemd (const struct oci_config *config, const char *id, bool rootless,
                                struct hako_cgroup **out, struct hako_error *err);
/* The unit's name for state.json; NULL for a cgroupfs cgroup. */
const char *hako_cgroup_systemd_unit (const struct hako_cgroup *cg);
/* After hako_cgroup_load: CG belongs to UNIT (USER: the user's manager),
 * so that destroy stops it and update sets its properties. */
void hako_cgroup_attach_systemd_unit (struct hako_cgroup *cg, const char *unit, bool user);

static inline void
hako_cgroup_freep (struct hako_cgroup **cg)
{
  hako_cgroup_free (*cg);
}
#define cleanup_cgroup __attribute__ ((cleanup (hako_cgroup_freep)))

#endif

/* The two-stage init: stage 0 (this process) clones stage 1, which enters
 * or creates the user namespace, joins or unshares the other namespaces and
 * clones stage 2, the container's PID 1, which sets the container up and
 * waits on the exec fifo.  See init.h for what stage 2 calls. */
#ifndef HAKO_NSEXEC_H
#define HAKO_NSEXEC_H

#include <sys/types.h>

#include "init.h"

/* The namespace kinds in the order stage 1 joins them: user first (it
 * decides the privileges for the rest), mount last. */
struct hako_ns_kind
{
  const char *name;      /* as in config.json */
  const char *proc_name; /* under /proc/PID/ns/ */
  int flag;              /* CLONE_NEW* */
};
extern const struct hako_ns_kind hako_ns_kinds[8];
const struct hako_ns_kind *hako_ns_kind_by_name (const char *name);

/* From config->linux->namespaces: what to create, and open (and check the
 * type of) every namespace to join.  Close with hako_ns_plan_close. */
int hako_ns_plan_build (const struct oci_config *config, struct hako_ns_plan *plan,
                        struct hako_error *err);
void hako_ns_plan_close (struct hako_ns_plan *plan);

/* What stage 0 does while the init sets up. */
struct hako_nsexec_callbacks
{
  void *data;
  /* The init exists (stage 1 just cloned it) and waits: put it in its
   * cgroups now, before it creates its cgroup namespace. */
  int (*init_created) (void *data, pid_t init_pid, struct hako_error *err);
  /* Stage 2 has its mounts; run prestart and createRuntime hooks and
   * return (in *state_fd) a memfd holding the state JSON for the hooks that
   * run inside the container. */
  int (*pre_pivot) (void *data, pid_t init_pid, int *state_fd, struct hako_error *err);
  /* The pty master of process.terminal; the callback owns the fd. */
  int (*console) (void *data, int master_fd, struct hako_error *err);
};

/* Run stage 1 and 2 until stage 2 is ready.  CGROUP_FD >= 0 places the
 * init there with CLONE_INTO_CGROUP.  On success *pid and *pidfd identify
 * the init (a child of this process).  On failure every process it made
 * is killed and reaped. */
int hako_nsexec_start (struct hako_init_ctx *ctx, const struct hako_nsexec_callbacks *cb,
                       int cgroup_fd, pid_t *pid, int *pidfd, struct hako_error *err);

/* clone3 with CLONE_PIDFD (and CLONE_INTO_CGROUP when cgroup_fd >= 0);
 * returns like fork. */
pid_t hako_clone3 (unsigned long flags, int cgroup_fd, int *pidfd);
/* The pid, in our pid namespace, of the process behind PIDFD. */
pid_t hako_pidfd_pid (int pidfd);

#endif

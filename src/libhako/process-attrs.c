/* Process attributes that are one system call each: rlimits, oom score,
 * scheduler, I/O priority, CPU affinity, personality, NUMA memory policy
 * and the session keyring.  They run in stage 2 (or the exec child) while
 * it still holds every capability, so a raise that needs one can succeed. */
#define _GNU_SOURCE
#include "process.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "procfs.h"
#include "util.h"
#include "validate-linux.h"

struct name_value
{
  const char *name;
  unsigned long value;
};

static int
lookup (const struct name_value *table, size_t n, const char *name, unsigned long *out)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (table[i].name, name) == 0)
      {
        *out = table[i].value;
        return 0;
      }
  return -1;
}

/* ---- rlimits, oom score ---- */

int
hako_rlimits_apply (const struct oci_process *process, struct hako_error *err)
{
  for (size_t i = 0; i < process->rlimits_len; i++)
    {
      const struct oci_rlimit *rl = &process->rlimits[i];
      int resource = oci_rlimit_resource (rl->type);
      struct rlimit lim = { .rlim_cur = rl->soft, .rlim_max = rl->hard };

      if (resource < 0)
        return hako_error_set (err, EINVAL, "unknown rlimit type \"%s\"", rl->type);
      if (setrlimit (resource, &lim) < 0)
        return hako_error_sys (err, errno, "setrlimit %s", rl->type);
    }
  return 0;
}

int
hako_oom_score_adj_apply (int64_t adj, struct hako_error *err)
{
  cleanup_fd int procfd = hako_procfs_open (err);
  char rel[64], value[32], current[32];
  int len;

  if (procfd < 0 || hako_procfs_self (procfd, "oom_score_adj", rel, sizeof rel, err) < 0)
    return hako_error_wrap (err, "oomScoreAdj");
  len = snprintf (value, sizeof value, "%lld", (long long)adj);
  /* Set already before a user namespace made /proc/self root's (stage 1,
   * the exec helper): a process inherits it. */
  if (hako_procfs_read (procfd, rel, current, sizeof current, NULL) > 0
      && strtoll (current, NULL, 10) == adj)
    return 0;
  if (hako_procfs_write (procfd, rel, value, len, err) < 0)
    return hako_error_wrap (err, "oomScoreAdj %lld", (long long)adj);
  return 0;
}

/* ---- scheduler, I/O priority ---- */

/* sched_setattr's argument (uapi linux/sched/types.h, which clashes with
 * <sched.h>), SCHED_ATTR_SIZE_VER1. */
struct hako_sched_attr
{
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

/* The kernel's numbers (uapi linux/sched.h); SCHED_ISO is reserved. */
static const struct name_value sched_policies[] = {
  { "SCHED_OTHER", 0 }, { "SCHED_FIFO", 1 }, { "SCHED_RR", 2 },       { "SCHED_BATCH", 3 },
  { "SCHED_ISO", 4 },   { "SCHED_IDLE", 5 }, { "SCHED_DEADLINE", 6 },
};

static const struct name_value sched_flags[] = {
  { "SCHED_FLAG_RESET_ON_FORK", 0x01 },  { "SCHED_FLAG_RECLAIM", 0x02 },
  { "SCHED_FLAG_DL_OVERRUN", 0x04 },     { "SCHED_FLAG_KEEP_POLICY", 0x08 },
  { "SCHED_FLAG_KEEP_PARAMS", 0x10 },    { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
  { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

int
hako_scheduler_apply (const struct oci_scheduler *sched, struct hako_error *err)
{
  struct hako_sched_attr attr = { .size = sizeof attr };
  unsigned long v;

  if (lookup (sched_policies, HAKO_ARRAY_SIZE (sched_policies), sched->policy, &v) < 0)
    return hako_error_set (err, EINVAL, "scheduler: unknown policy \"%s\"", sched->policy);
  attr.sched_policy = v;
  for (size_t i = 0; i < sched->flags_len; i++)
    {
      if (lookup (sched_flags, HAKO_ARRAY_SIZE (sched_flags), sched->flags[i], &v) < 0)
        return hako_error_set (err, EINVAL, "scheduler: unknown flag \"%s\"", sched->flags[i]);
      attr.sched_flags |= v;
    }
  attr.sched_nice = sched->nice;
  attr.sched_priority = sched->priority;
  attr.sched_runtime = sched->runtime;
  attr.sched_deadline = sched->deadline;
  attr.sched_period = sched->period;
  if (syscall (SYS_sched_setattr, 0, &attr, 0) < 0)
    return hako_error_sys (err, errno, "sched_setattr %s", sched->policy);
  return 0;
}

static const struct name_value ioprio_classes[] = {
  { "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT },
  { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
  { "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
};

int
hako_io_priority_apply (const struct oci_io_priority *io, struct hako_error *err)
{
  unsigned long class;

  if (lookup (ioprio_classes, HAKO_ARRAY_SIZE (ioprio_classes), io->class, &class) < 0)
    return hako_error_set (err, EINVAL, "ioPriority: unknown class \"%s\"", io->class);
  if (io->priority < 0 || io->priority > 7)
    return hako_error_set (err, EINVAL, "ioPriority: priority %d is not in 0..7", io->priority);
  if (syscall (SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE (class, io->priority)) < 0)
    return hako_error_sys (err, errno, "ioprio_set %s %d", io->class, io->priority);
  return 0;
}

/* ---- CPU and NUMA node lists ---- */

static int
parse_id (const char *what, const char **p, unsigned long *out, struct hako_error *err)
{
  char *end;

  while (**p == ' ')
    (*p)++;
  if (**p < '0' || **p > '9')
    return hako_error_set (err, EINVAL, "%s: invalid list near \"%s\"", what, *p);
  errno = 0;
  *out = strtoul (*p, &end, 10);
  if (errno)
    return hako_error_sys (err, errno, "%s: invalid number near \"%s\"", what, *p);
  *p = end;
  while (**p == ' ')
    (*p)++;
  return 0;
}

int
hako_id_list_parse (const char *what, const char *list, unsigned long *mask, size_t nbits,
                    long *highest, struct hako_error *err)
{
  const size_t word = 8 * sizeof (unsigned long);
  const char *p = list;

  memset (mask, 0, (nbits + word - 1) / word * sizeof (unsigned long));
  *highest = -1;
  while (*p)
    {
      unsigned long lo, hi;
      if (parse_id (what, &p, &lo, err) < 0)
        return -1;
      hi = lo;
      if (*p == '-' && (p++, parse_id (what, &p, &hi, err) < 0))
        return -1;
      if (hi < lo)
        return hako_error_set (err, EINVAL, "%s: invalid range %lu-%lu", what, lo, hi);
      if (hi >= nbits)
        return hako_error_set (err, EINVAL, "%s: %lu is too large (at most %zu)", what, hi,
                               nbits - 1);
      for (unsigned long i = lo; i <= hi; i++)
        mask[i / word] |= 1UL << (i % word);
      if ((long)hi > *highest)
        *highest = hi;
      if (*p == ',' && p[1] != '\0')
        p++;
      else if (*p)
        return hako_error_set (err, EINVAL, "%s: invalid list near \"%s\"", what, p);
    }
  return 0;
}

/* Enough for the largest NR_CPUS / MAX_NUMNODES a distribution kernel uses. */
#define HAKO_MAX_CPUS 8192
#define HAKO_MAX_NODES 4096

int
hako_cpu_affinity_apply (const char *cpulist, struct hako_error *err)
{
  unsigned long mask[HAKO_MAX_CPUS / (8 * sizeof (unsigned long))];
  long highest;

  if (hako_id_list_parse ("cpu affinity", cpulist, mask, HAKO_MAX_CPUS, &highest, err) < 0)
    return -1;
  if (highest < 0)
    return 0;
  if (sched_setaffinity (0, sizeof mask, (cpu_set_t *)mask) < 0)
    return hako_error_sys (err, errno, "sched_setaffinity %s", cpulist);
  return 0;
}

void
hako_cpu_affinity_reset (void)
{
  unsigned long mask[HAKO_MAX_CPUS / (8 * sizeof (unsigned long))];

  /* The kernel keeps only the CPUs that exist and that the cpuset allows. */
  memset (mask, 0xff, sizeof mask);
  if (sched_setaffinity (0, sizeof mask, (cpu_set_t *)mask) < 0)
    hako_log_debug ("reset the CPU affinity: %s", strerror (errno));
}

static const struct name_value mpol_modes[] = {
  { "MPOL_DEFAULT", 0 },
  { "MPOL_PREFERRED", 1 },
  { "MPOL_BIND", 2 },
  { "MPOL_INTERLEAVE", 3 },
  { "MPOL_LOCAL", 4 },
  { "MPOL_PREFERRED_MANY", 5 },
  { "MPOL_WEIGHTED_INTERLEAVE", 6 },
};

static const struct name_value mpol_flags[] = {
  { "MPOL_F_NUMA_BALANCING", 1 << 13 },
  { "MPOL_F_RELATIVE_NODES", 1 << 14 },
  { "MPOL_F_STATIC_NODES", 1 << 15 },
};

int
hako_memory_policy_apply (const struct oci_memory_policy *mpol, struct hako_error *err)
{
  unsigned long nodes[HAKO_MAX_NODES / (8 * sizeof (unsigned long))];
  unsigned long mode, flag;
  long highest = -1;

  if (mpol->mode == NULL)
    return hako_error_set (err, EINVAL, "memoryPolicy: mode is required");
  if (lookup (mpol_modes, HAKO_ARRAY_SIZE (mpol_modes), mpol->mode, &mode) < 0)
    return hako_error_set (err, EINVAL, "memoryPolicy: unknown mode \"%s\"", mpol->mode);
  for (size_t i = 0; i < mpol->flags_len; i++)
    {
      if (lookup (mpol_flags, HAKO_ARRAY_SIZE (mpol_flags), mpol->flags[i], &flag) < 0)
        return hako_error_set (err, EINVAL, "memoryPolicy: unknown flag \"%s\"", mpol->flags[i]);
      mode |= flag;
    }
  if (mpol->nodes
      && hako_id_list_parse ("memoryPolicy.nodes", mpol->nodes, nodes, HAKO_MAX_NODES, &highest,
                             err)
             < 0)
    return -1;
  /* maxnode counts one more than the bits the kernel reads. */
  if (syscall (SYS_set_mempolicy, mode, highest < 0 ? NULL : nodes,
               highest < 0 ? 0UL : (unsigned long)HAKO_MAX_NODES + 1)
      < 0)
    return hako_error_sys (err, errno, "set_mempolicy %s", mpol->mode);
  return 0;
}

/* ---- personality ---- */

static const struct name_value personality_domains[] = {
  { "LINUX", PER_LINUX },
  { "LINUX32", PER_LINUX32 },
};

/* The kernel's personality flags (uapi linux/personality.h). */
static const struct name_value personality_flags[] = {
  { "UNAME26", UNAME26 },
  { "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE },
  { "FDPIC_FUNCPTRS", FDPIC_FUNCPTRS },
  { "MMAP_PAGE_ZERO", MMAP_PAGE_ZERO },
  { "ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT },
  { "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC },
  { "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },
  { "SHORT_INODE", SHORT_INODE },
  { "WHOLE_SECONDS", WHOLE_SECONDS },
  { "STICKY_TIMEOUTS", STICKY_TIMEOUTS },
  { "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },
};

int
hako_personality_apply (const struct oci_personality *pers, struct hako_error *err)
{
  unsigned long persona = PER_LINUX, flag;

  if (pers->domain
      && lookup (personality_domains, HAKO_ARRAY_SIZE (personality_domains), pers->domain, &persona)
             < 0)
    return hako_error_set (err, EINVAL, "personality: unknown domain \"%s\"", pers->domain);
  for (size_t i = 0; i < pers->flags_len; i++)
    {
      if (lookup (personality_flags, HAKO_ARRAY_SIZE (personality_flags), pers->flags[i], &flag)
          < 0)
        return hako_error_set (err, EINVAL, "personality: unknown flag \"%s\"", pers->flags[i]);
      persona |= flag;
    }
  if (personality (persona) < 0)
    return hako_error_sys (err, errno, "personality %s", pers->domain ? pers->domain : "LINUX");
  return 0;
}

/* ---- session keyring ---- */

/* Key permission bits (keyutils.h): search by the key's uid, by others. */
#define HAKO_KEY_USR_SEARCH 0x00080000UL
#define HAKO_KEY_OTH_SEARCH 0x00000008UL

/* Add SEARCH to the permissions of keyring ID ("type;uid;gid;perm;desc"). */
static int
keyring_add_perm (long id, unsigned long search, struct hako_error *err)
{
  char desc[512];
  const char *p = desc;
  unsigned long perm;
  long n = syscall (SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof desc);

  if (n < 0)
    return hako_error_sys (err, errno, "describe the session keyring");
  desc[sizeof desc - 1] = '\0';
  for (int field = 0; field < 3 && p; field++)
    p = (p = strchr (p, ';')) ? p + 1 : NULL;
  if (p == NULL)
    return hako_error_set (err, EINVAL, "unexpected keyring description \"%s\"", desc);
  perm = strtoul (p, NULL, 16);
  if (syscall (SYS_keyctl, KEYCTL_SETPERM, id, perm | search) < 0)
    return hako_error_sys (err, errno, "set the session keyring's permissions");
  return 0;
}

int
hako_session_keyring_join (const char *id, bool set_perms, bool userns, struct hako_error *err)
{
  char name[256];
  long key;

  snprintf (name, sizeof name, "_ses.%s", id ? id : "");
  key = syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name);
  if (key < 0)
    {
      /* Keyrings are a hardening, not isolation (runc skips them too when
       * the kernel has none). */
      if (errno == ENOSYS)
        {
          hako_log_debug ("keyctl: %s: no session keyring", strerror (errno));
          return 0;
        }
      return hako_error_sys (err, errno, "join session keyring %s", name);
    }
  if (!set_perms)
    return 0;
  /* Searchable by the container's users: by "other" in a user namespace
   * (the key's uid may be unmapped), else by the possessor's uid. */
  return keyring_add_perm (key, userns ? HAKO_KEY_OTH_SEARCH : HAKO_KEY_USR_SEARCH, err);
}

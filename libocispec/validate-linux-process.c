/* Level 2 checks of a process (config.json's process, or process.json for
 * `exec --process`): config.md "Process", "POSIX process", "Linux
 * Process" and "User", and the kernel's limits on those values. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "validate-util.h"

/* <linux/capability.h> as of Linux 5.9 (CAP_CHECKPOINT_RESTORE, the last
 * one in the 6.x series); numbers are the same on every architecture. */
static const char *const capability_names[OCI_CAP_LAST + 1] = {
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
};

int
oci_capability_number (const char *name)
{
  for (int i = 0; i <= OCI_CAP_LAST; i++)
    if (strcmp (capability_names[i], name) == 0)
      return i;
  return -1;
}

const char *
oci_capability_name (int number)
{
  return number >= 0 && number <= OCI_CAP_LAST ? capability_names[number] : NULL;
}

/* getrlimit(2)'s resources; their numbers differ between architectures,
 * so they come from the C library's header. */
static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
};

int
oci_rlimit_resource (const char *name)
{
  for (size_t i = 0; i < sizeof rlimit_names / sizeof rlimit_names[0]; i++)
    if (strcmp (rlimit_names[i].name, name) == 0)
      return rlimit_names[i].resource;
  return -1;
}

/* env: "the same semantics as IEEE Std 1003.1-2008's environ", whose
 * strings have the form name=value; execve would pass anything else on
 * to a program that cannot read it.  Shared with hooks[].env. */
int
v_check_env (struct vctx *c, char *const *env, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      const char *eq = strchr (env[i], '=');
      size_t mark = v_enter_index (c, i);

      if (eq == NULL)
        return v_error (c, NULL, "must have the form NAME=VALUE, got %s", v_quote (c, env[i]));
      if (eq == env[i])
        return v_error (c, NULL, "variable name must not be empty, got %s", v_quote (c, env[i]));
      v_leave (c, mark);
    }
  return 0;
}

static int
check_user (struct vctx *c, const struct oci_user *u)
{
  /* POSIX user: "uid (int, REQUIRED)", "gid (int, REQUIRED)" (the schema
   * leaves them optional because Windows uses username instead). */
  if (!u->has_uid)
    return v_error (c, "uid", "required on Linux");
  if (!u->has_gid)
    return v_error (c, "gid", "required on Linux");
  /* setgroups(2) takes at most NGROUPS_MAX (65536) groups. */
  if (u->additional_gids_len > 65536)
    return v_error (c, "additionalGids", "has %zu entries, the kernel allows at most 65536",
                    u->additional_gids_len);
  if (u->username)
    v_warn (c, "username", "is Windows-only and ignored on Linux");
  return 0;
}

static int
check_args (struct vctx *c, const struct oci_process *p)
{
  /* "at least one entry is REQUIRED (non-Windows), and that entry is used
   * with the same semantics as execvp's file". */
  if (p->args == NULL || p->args_len == 0)
    return v_error (c, "args", "must have at least one entry");
  if (p->args[0][0] == '\0')
    return v_error (c, "args[0]", "must not be empty (it names the program to run)");
  if (p->command_line)
    v_warn (c, "commandLine", "is Windows-only and ignored on Linux");
  return 0;
}

static int
check_capability_set (struct vctx *c, const char *set, char *const *names, size_t n)
{
  size_t mark = v_enter (c, set);

  /* The spec asks for a warning on values that "cannot be mapped to a
   * relevant kernel interface", but a name no kernel has ever defined is a
   * mistake in the config, not a capability this kernel lacks: reject it,
   * as runtime-tools' process_capabilities_fail expects.  Names newer than
   * the running kernel are skipped (with a debug message) when applied. */
  for (size_t i = 0; i < n; i++)
    if (oci_capability_number (names[i]) < 0)
      {
        v_enter_index (c, i);
        return v_error (c, NULL, "unknown capability %s", v_quote (c, names[i]));
      }
  v_leave (c, mark);
  return 0;
}

static int
check_capabilities (struct vctx *c, const struct oci_capabilities *caps)
{
  if (check_capability_set (c, "bounding", caps->bounding, caps->bounding_len) < 0
      || check_capability_set (c, "effective", caps->effective, caps->effective_len) < 0
      || check_capability_set (c, "inheritable", caps->inheritable, caps->inheritable_len) < 0
      || check_capability_set (c, "permitted", caps->permitted, caps->permitted_len) < 0
      || check_capability_set (c, "ambient", caps->ambient, caps->ambient_len) < 0)
    return -1;
  return 0;
}

static int
check_rlimit (struct vctx *c, const struct oci_rlimit *r, const struct oci_rlimit *all, size_t i)
{
  /* "The runtime MUST generate an error for any values which cannot be
   * mapped to a relevant kernel interface." */
  if (oci_rlimit_resource (r->type) < 0)
    return v_error (c, "type", "unknown resource limit %s", v_quote (c, r->type));
  /* "If rlimits contains duplicated entries with same type, the runtime
   * MUST generate an error." */
  for (size_t j = 0; j < i; j++)
    if (strcmp (all[j].type, r->type) == 0)
      return v_error (c, "type", "%s is already set by rlimits[%zu]", r->type, j);
  /* rlim_cur and rlim_max MUST match the configured values, and
   * setrlimit(2) refuses a soft limit above the hard one. */
  if (r->soft > r->hard)
    return v_error (c, "soft", "%llu is above the hard limit %llu", (unsigned long long)r->soft,
                    (unsigned long long)r->hard);
  return 0;
}

static int
check_rlimits (struct vctx *c, const struct oci_rlimit *r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      size_t mark = v_enter_index (c, i);
      if (check_rlimit (c, &r[i], r, i) < 0)
        return -1;
      v_leave (c, mark);
    }
  return 0;
}

static int
check_io_priority (struct vctx *c, const struct oci_io_priority *io)
{
  /* "priority (int, REQUIRED) ... an integer ranging from 0 (highest) to
   * 7 (lowest)"; ioprio_set(2) refuses other levels. */
  if (!io->has_priority)
    return v_error (c, "priority", "required field is missing");
  if (io->priority < 0 || io->priority > 7)
    return v_error (c, "priority", "must be between 0 and 7, got %d", (int)io->priority);
  return 0;
}

static int
check_cpu_list (struct vctx *c, const char *field, const char *list)
{
  const char *why = NULL;

  if (list && !v_parse_id_list (list, NULL, &why))
    return v_error (c, field, "invalid CPU list %s: %s", v_quote (c, list), why);
  return 0;
}

static int
check_affinity (struct vctx *c, const struct oci_cpu_affinity *a)
{
  /* "a comma-separated list, with dashes to represent ranges". */
  if (check_cpu_list (c, "initial", a->initial) < 0)
    return -1;
  return check_cpu_list (c, "final", a->final);
}

static bool
is_realtime (const char *policy)
{
  return strcmp (policy, "SCHED_FIFO") == 0 || strcmp (policy, "SCHED_RR") == 0;
}

/* The deadline parameters, as sched_setattr(2) checks them. */
static int
check_deadline (struct vctx *c, const struct oci_scheduler *s)
{
  if (strcmp (s->policy, "SCHED_DEADLINE") != 0)
    {
      /* "used by the deadline scheduler": another policy would ignore them. */
      if (s->has_runtime && s->runtime)
        return v_error (c, "runtime", "only SCHED_DEADLINE uses runtime, policy is %s", s->policy);
      if (s->has_deadline && s->deadline)
        return v_error (c, "deadline", "only SCHED_DEADLINE uses deadline, policy is %s",
                        s->policy);
      if (s->has_period && s->period)
        return v_error (c, "period", "only SCHED_DEADLINE uses period, policy is %s", s->policy);
      return 0;
    }
  if (s->deadline == 0)
    return v_error (c, "deadline", "SCHED_DEADLINE needs a deadline above 0");
  if (s->runtime < 1024)
    return v_error (c, "runtime", "SCHED_DEADLINE needs a runtime of at least 1024 ns");
  if (s->deadline >> 63 || s->period >> 63)
    return v_error (c, s->deadline >> 63 ? "deadline" : "period", "must be below 2^63");
  if (s->runtime > s->deadline)
    return v_error (c, "runtime", "%llu is above the deadline %llu", (unsigned long long)s->runtime,
                    (unsigned long long)s->deadline);
  if (s->period && s->period < s->deadline)
    return v_error (c, "period", "%llu is below the deadline %llu", (unsigned long long)s->period,
                    (unsigned long long)s->deadline);
  return 0;
}

int
v_check_scheduler (struct vctx *c, const struct oci_scheduler *s)
{
  /* SCHED_ISO was proposed for Linux but never merged; the kernel refuses
   * it, and "runtimes MUST generate an error when invalid or unsupported
   * values are encountered". */
  if (strcmp (s->policy, "SCHED_ISO") == 0)
    return v_error (c, "policy", "SCHED_ISO is not supported by Linux");
  if (s->has_nice && (s->nice < -20 || s->nice > 19))
    return v_error (c, "nice", "must be between -20 and 19, got %d", (int)s->nice);
  /* sched_setattr(2): a real-time policy needs a priority of 1 to 99, any
   * other policy a priority of 0 (which is what an unset value means). */
  if (is_realtime (s->policy) && (s->priority < 1 || s->priority > 99))
    return v_error (c, "priority", "%s needs a priority between 1 and 99, got %d", s->policy,
                    (int)s->priority);
  if (!is_realtime (s->policy) && s->priority != 0)
    return v_error (c, "priority", "only SCHED_FIFO and SCHED_RR take a priority, policy is %s",
                    s->policy);
  return check_deadline (c, s);
}

int
v_check_process (struct vctx *c, const struct oci_process *p)
{
  /* "Runtimes MUST ignore consoleSize if terminal is false or unset." */
  if (p->console_size && !p->terminal)
    v_warn (c, "consoleSize", "ignored because terminal is not true");
  V_SUB (c, "user", p->user, check_user (c, p->user));
  if (check_args (c, p) < 0)
    return -1;
  V_SUB (c, "env", p->env, v_check_env (c, p->env, p->env_len));
  /* "cwd ... This value MUST be an absolute path." */
  if (!v_is_absolute (p->cwd))
    return v_error (c, "cwd", "must be an absolute path, got %s", v_quote (c, p->cwd));
  V_SUB (c, "capabilities", p->capabilities, check_capabilities (c, p->capabilities));
  V_SUB (c, "rlimits", p->rlimits, check_rlimits (c, p->rlimits, p->rlimits_len));
  /* oom_score_adj accepts -1000 (never kill) to 1000; "the runtime MUST
   * set oom_score_adj to the given value", which the kernel refuses
   * outside that range. */
  if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
    return v_error (c, "oomScoreAdj", "must be between -1000 and 1000, got %lld",
                    (long long)p->oom_score_adj);
  V_SUB (c, "scheduler", p->scheduler, v_check_scheduler (c, p->scheduler));
  V_SUB (c, "ioPriority", p->io_priority, check_io_priority (c, p->io_priority));
  V_SUB (c, "execCPUAffinity", p->exec_cpu_affinity, check_affinity (c, p->exec_cpu_affinity));
  return 0;
}

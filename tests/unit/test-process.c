/* Unit tests of the container process setup (process.c, process-attrs.c,
 * process-exec.c, caps.c) and the kernel settings (sysctl.c, procfs.c).
 * Every case runs in a forked child that calls the library exactly as
 * stage 2 does and then reports what the kernel says about it (from
 * /proc/self/status, getrlimit, sched_getattr, ...) or execs busybox to
 * show what the exec'd program sees.  Needs root; the sysctl and hostname
 * cases run in new network, IPC and UTS namespaces so the host is never
 * touched. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "init.h"
#include "oci.h"
#include "process.h"
#include "sysctl.h"
#include "tap.h"
#include "util.h"

#define skip(...)                                                                                  \
  do                                                                                               \
    {                                                                                              \
      printf ("ok %d - # SKIP ", ++tap_n);                                                         \
      printf (__VA_ARGS__);                                                                        \
      printf ("\n");                                                                               \
    }                                                                                              \
  while (0)

static const char *busybox;
static char tmpdir[] = "/tmp/hako-test-process-XXXXXX";

/* ------------------------------------------------------------ harness */

struct job
{
  const char *json;    /* config.json */
  bool exec_mode;      /* as `hako exec`: fifo_fd -1 */
  unsigned long ns;    /* ctx.ns.create */
  bool userns;         /* run in a new user namespace (0 -> 100000, 65536) */
  bool setgroups_deny; /* ... with setgroups denied */
  bool keyring;        /* join a session keyring (no_new_keyring false) */
  int preserve_fds;
  bool kernel;           /* call hako_kernel_settings_apply */
  bool prepare;          /* call hako_process_prepare */
  bool exec;             /* call hako_process_exec */
  void (*before) (void); /* in the child, before anything */
  void (*after) (void);  /* in the child, after prepare: report */
};

struct result
{
  int status; /* exit code, or 128+signal */
  char out[65536];
};

/* Sync pipes for the user namespace handshake, closed in the child by exec. */
static int sync_up[2], sync_down[2];

static void __attribute__ ((noreturn)) job_child (const struct job *j)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_init_ctx ctx = { 0 };
  struct oci_config *c;
  char byte = 0;

  if (j->userns)
    {
      if (unshare (CLONE_NEWUSER) < 0 || write (sync_up[1], &byte, 1) != 1
          || read (sync_down[0], &byte, 1) != 1)
        {
          dprintf (1, "SETUP: user namespace: %s\n", strerror (errno));
          _exit (3);
        }
    }
  if (j->before)
    j->before ();
  c = oci_config_parse (j->json, strlen (j->json), &err);
  if (c == NULL)
    {
      dprintf (1, "PARSE: %s\n", err.msg);
      _exit (2);
    }
  ctx.config = c;
  ctx.id = "proc-test";
  ctx.rootfs_fd = ctx.sync_fd = ctx.console_socket_fd = ctx.console_master_fd = -1;
  /* create mode needs some fifo fd; a high one, as stage 0 would place it. */
  ctx.fifo_fd = j->exec_mode ? -1 : dup2 (open ("/dev/null", O_RDONLY | O_CLOEXEC), 200);
  ctx.ns.create = j->ns | (j->userns ? CLONE_NEWUSER : 0);
  ctx.userns = j->userns;
  ctx.no_new_keyring = !j->keyring;
  ctx.preserve_fds = j->preserve_fds;
  if (j->kernel && hako_kernel_settings_apply (&ctx, &err) < 0)
    goto fail;
  if (j->prepare && hako_process_prepare (&ctx, c->process, &err) < 0)
    goto fail;
  if (j->after)
    j->after ();
  if (j->exec)
    {
      hako_process_exec (&ctx, c->process, &err);
      goto fail;
    }
  dprintf (1, "OK\n");
  _exit (0);
fail:
  dprintf (1, "ERR: %s\n", err.msg ? err.msg : "(no message)");
  _exit (1);
}

static int
write_file (const char *path, const char *data)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : write (fd, data, strlen (data));
  if (fd >= 0)
    close (fd);
  return n == (ssize_t)strlen (data) ? 0 : -1;
}

static void
map_ids (pid_t pid, bool deny)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/%d/uid_map", (int)pid);
  if (write_file (path, "0 100000 65536\n") < 0)
    diag ("uid_map: %s", strerror (errno));
  snprintf (path, sizeof path, "/proc/%d/setgroups", (int)pid);
  if (deny && write_file (path, "deny") < 0)
    diag ("setgroups: %s", strerror (errno));
  snprintf (path, sizeof path, "/proc/%d/gid_map", (int)pid);
  if (write_file (path, "0 100000 65536\n") < 0)
    diag ("gid_map: %s", strerror (errno));
}

static void
run (const struct job *j, struct result *r)
{
  int out[2];
  size_t have = 0;
  pid_t pid;
  char byte;

  fflush (stdout);
  if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (sync_up, O_CLOEXEC) < 0
      || pipe2 (sync_down, O_CLOEXEC) < 0)
    abort ();
  pid = fork ();
  if (pid == 0)
    {
      dup2 (out[1], 1);
      dup2 (out[1], 2);
      job_child (j);
    }
  close (out[1]);
  close (sync_up[1]);
  close (sync_down[0]);
  if (j->userns && read (sync_up[0], &byte, 1) == 1)
    {
      map_ids (pid, j->setgroups_deny);
      if (write (sync_down[1], &byte, 1) != 1)
        diag ("sync: %s", strerror (errno));
    }
  close (sync_up[0]);
  close (sync_down[1]);
  for (ssize_t n; have < sizeof r->out - 1
                  && (n = read (out[0], r->out + have, sizeof r->out - 1 - have)) > 0;)
    have += n;
  r->out[have] = '\0';
  close (out[0]);
  waitpid (pid, &r->status, 0);
  r->status = WIFEXITED (r->status) ? WEXITSTATUS (r->status) : 128 + WTERMSIG (r->status);
}

/* Run J; print the child's output as diagnostics when a check fails. */
static bool
has (const struct result *r, const char *needle)
{
  return strstr (r->out, needle) != NULL;
}

static void
show (const struct result *r)
{
  char *copy = strdup (r->out), *save = NULL;
  for (char *l = strtok_r (copy, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    diag ("  | %s", l);
  free (copy);
}

#define check(r, cond, ...)                                                                        \
  do                                                                                               \
    {                                                                                              \
      bool c_ = (cond);                                                                            \
      ok (c_, __VA_ARGS__);                                                                        \
      if (!c_)                                                                                     \
        show (r);                                                                                  \
    }                                                                                              \
  while (0)

/* A config.json with the given process fields and extra top-level fields
 * (each may be ""); "cwd" and "args" get defaults unless given. */
static char *
config (const char *process_fields, const char *top_fields)
{
  const char *cwd = strstr (process_fields, "\"cwd\"") ? "" : "\"cwd\":\"/\",";
  const char *args = strstr (process_fields, "\"args\"") ? "" : "\"args\":[\"true\"],";
  char *s;

  if (asprintf (&s, "{\"ociVersion\":\"1.3.0\",%s%s\"process\":{%s%s%s}}", top_fields,
                *top_fields ? "," : "", cwd, args, process_fields)
      < 0)
    abort ();
  /* A trailing comma when PROCESS_FIELDS is empty. */
  if (*process_fields == '\0')
    {
      char *comma = strrchr (s, ',');
      memmove (comma, comma + 1, strlen (comma));
    }
  return s;
}

static char *exec_config (const char *args_json, const char *env_json, const char *extra);

static void
dump (const char *path)
{
  char buf[8192];
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n;

  while (fd >= 0 && (n = read (fd, buf, sizeof buf)) > 0)
    if (write (1, buf, n) < 0)
      break;
  if (fd >= 0)
    close (fd);
}

static void
after_status (void)
{
  dump ("/proc/self/status");
}

/* ------------------------------------------------------------ capabilities, user */

static void
test_caps_and_user (void)
{
  struct result r;
  cleanup_free char *json = config (
      "\"user\":{\"uid\":1000,\"gid\":1001,\"additionalGids\":[10,20],\"umask\":23},"
      "\"noNewPrivileges\":true,"
      "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
      "\"permitted\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_KILL\"],"
      "\"inheritable\":[\"CAP_KILL\"],\"ambient\":[\"CAP_KILL\"]}",
      "");
  struct job j = { .json = json, .prepare = true, .after = after_status };

  run (&j, &r);
  check (&r, r.status == 0, "caps+user: prepare succeeds");
  check (&r, has (&r, "CapBnd:\t0000000000000421"),
         "caps: bounding is CHOWN,KILL,NET_BIND_SERVICE");
  check (&r, has (&r, "CapPrm:\t0000000000000420"), "caps: permitted is KILL,NET_BIND_SERVICE");
  check (&r, has (&r, "CapEff:\t0000000000000020"), "caps: effective is KILL");
  check (&r, has (&r, "CapInh:\t0000000000000020"), "caps: inheritable is KILL");
  check (&r, has (&r, "CapAmb:\t0000000000000020"), "caps: ambient is KILL");
  check (&r, has (&r, "Uid:\t1000\t1000\t1000\t1000"),
         "user: uid 1000 (real, effective, saved, fs)");
  check (&r, has (&r, "Gid:\t1001\t1001\t1001\t1001"), "user: gid 1001");
  check (&r, has (&r, "Groups:\t10 20"), "user: additionalGids 10 20 only");
  check (&r, has (&r, "NoNewPrivs:\t1"), "noNewPrivileges is set");
  check (&r, has (&r, "Umask:\t0027"), "umask 0027 (23 in JSON)");
}

static void
test_caps_after_exec (void)
{
  struct result r;
  cleanup_free char *process = NULL, *json = NULL;
  struct job j = { .prepare = true, .exec = true };

  if (asprintf (&process,
                "\"args\":[\"%s\",\"grep\",\"-E\",\"^(Cap|NoNewPrivs|Uid)\",\"/proc/self/status\"],"
                "\"user\":{\"uid\":1000,\"gid\":1000},\"noNewPrivileges\":true,"
                "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
                "\"permitted\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
                "\"effective\":[\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
                "\"inheritable\":[\"CAP_KILL\"],\"ambient\":[\"CAP_KILL\"]}",
                busybox)
      < 0)
    abort ();
  j.json = json = config (process, "");
  run (&j, &r);
  check (&r, r.status == 0, "exec as uid 1000 with an ambient capability");
  /* A non-root exec keeps only the ambient set in permitted and effective. */
  check (&r, has (&r, "CapPrm:\t0000000000000020") && has (&r, "CapEff:\t0000000000000020"),
         "after exec: permitted = effective = ambient (KILL)");
  check (&r, has (&r, "CapBnd:\t0000000000000420"), "after exec: bounding kept");
  check (&r, has (&r, "NoNewPrivs:\t1") && has (&r, "Uid:\t1000"),
         "after exec: no_new_privs and uid 1000");
}

static void
test_caps_errors (void)
{
  struct result r;
  cleanup_free char *unknown
      = config ("\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_FOO\"]}", "");
  cleanup_free char *ambient
      = config ("\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"permitted\":[\"CAP_KILL\"],"
                "\"ambient\":[\"CAP_KILL\"]}",
                "");
  cleanup_free char *effective = config (
      "\"capabilities\":{\"permitted\":[\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\"]}", "");
  struct job j = { .prepare = true };

  j.json = unknown;
  run (&j, &r);
  check (&r,
         r.status == 1 && has (&r, "process.capabilities.bounding: unknown capability \"CAP_FOO\""),
         "an unknown capability name is refused");
  j.json = ambient;
  run (&j, &r);
  check (&r,
         r.status == 1
             && has (&r, "ambient capability CAP_KILL must also be permitted and inheritable"),
         "an ambient capability outside inheritable is refused");
  j.json = effective;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "capability CAP_CHOWN is effective but not permitted"),
         "an effective capability outside permitted is refused");
}

static bool
host_has_cap (int cap)
{
  return prctl (PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
}

/* CAP_SYS_RESOURCE: absent from this sandbox's bounding set, so asking for
 * it cannot succeed outside a user namespace; the error must say which. */
static void
test_caps_unavailable (void)
{
  struct result r;
  cleanup_free char *perm = config ("\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"permitted\":["
                                    "\"CAP_KILL\",\"CAP_SYS_RESOURCE\"],"
                                    "\"effective\":[\"CAP_KILL\"]}",
                                    "");
  cleanup_free char *bnd = config ("\"capabilities\":{\"bounding\":[\"CAP_SYS_RESOURCE\"]}", "");
  struct job j = { .prepare = true };

  if (host_has_cap (CAP_SYS_RESOURCE))
    {
      skip ("CAP_SYS_RESOURCE is in this host's bounding set: nothing to refuse");
      skip ("CAP_SYS_RESOURCE is in this host's bounding set: nothing to refuse");
      return;
    }
  j.json = perm;
  run (&j, &r);
  check (&r,
         r.status == 1
             && has (&r, "cannot set CAP_SYS_RESOURCE in the permitted set: the runtime does "
                         "not hold it: Operation not permitted"),
         "permitted CAP_SYS_RESOURCE without it: error names the capability");
  j.json = bnd;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "cannot keep CAP_SYS_RESOURCE in the bounding set"),
         "bounding CAP_SYS_RESOURCE without it: error names the capability");
}

static void
test_userns (void)
{
  struct result r;
  cleanup_free char *full
      = config ("\"user\":{\"uid\":0,\"gid\":0},"
                "\"capabilities\":{\"bounding\":[\"CAP_SYS_RESOURCE\",\"CAP_SETUID\"],"
                "\"permitted\":[\"CAP_SYS_RESOURCE\"],\"effective\":[\"CAP_SYS_RESOURCE\"]}",
                "");
  cleanup_free char *groups = config ("\"user\":{\"uid\":5,\"gid\":5,\"additionalGids\":[7]}", "");
  cleanup_free char *nogroups = config ("\"user\":{\"uid\":5,\"gid\":6}", "");
  struct job j = { .prepare = true, .userns = true, .after = after_status };

  j.json = full;
  run (&j, &r);
  check (&r,
         r.status == 0 && has (&r, "CapPrm:\t0000000001000000")
             && has (&r, "CapBnd:\t0000000001000080"),
         "user namespace: CAP_SYS_RESOURCE can be kept there");
  j.json = groups;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "Uid:\t5\t5\t5\t5") && has (&r, "Groups:\t7"),
         "user namespace: uid 5 with additionalGids 7");
  j.setgroups_deny = true;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "setgroups is denied in the container's user namespace"),
         "setgroups deny: additionalGids are refused clearly");
  j.json = nogroups;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "Gid:\t6\t6\t6\t6"),
         "setgroups deny: no additionalGids, setgroups is skipped");
}

/* ------------------------------------------------------------ rlimits, oom */

static void
after_limits (void)
{
  struct rlimit nofile, core;
  getrlimit (RLIMIT_NOFILE, &nofile);
  getrlimit (RLIMIT_CORE, &core);
  dprintf (1, "NOFILE %llu %llu\nCORE %llu %llu\n", (unsigned long long)nofile.rlim_cur,
           (unsigned long long)nofile.rlim_max, (unsigned long long)core.rlim_cur,
           (unsigned long long)core.rlim_max);
  dump ("/proc/self/oom_score_adj");
}

static void
test_rlimits_oom (void)
{
  struct result r;
  struct rlimit cur;
  cleanup_free char *ok_json
      = config ("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":100,\"hard\":200},"
                "{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":0}],\"oomScoreAdj\":500",
                "");
  cleanup_free char *fields = NULL, *raise = NULL, *unknown = NULL;
  struct job j = { .prepare = true, .after = after_limits };

  j.json = ok_json;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "NOFILE 100 200\n") && has (&r, "CORE 0 0\n"),
         "rlimits NOFILE 100/200 and CORE 0/0 applied");
  check (&r, has (&r, "\n500\n"), "oomScoreAdj 500 written");

  getrlimit (RLIMIT_NOFILE, &cur);
  if (asprintf (&fields, "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":%llu}]",
                (unsigned long long)cur.rlim_max + 1)
      < 0)
    abort ();
  j.json = raise = config (fields, "");
  run (&j, &r);
  if (host_has_cap (CAP_SYS_RESOURCE))
    check (&r, r.status == 0, "raising the hard NOFILE limit works with CAP_SYS_RESOURCE");
  else
    check (&r, r.status == 1 && has (&r, "ERR: setrlimit RLIMIT_NOFILE: Operation not permitted"),
           "raising the hard NOFILE limit without CAP_SYS_RESOURCE: clear error");

  j.json = unknown = config ("\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]", "");
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "unknown rlimit type \"RLIMIT_FOO\""),
         "an unknown rlimit type is refused");
}

/* ------------------------------------------------------------ scheduler, ioprio, ... */

struct sched_attr_probe
{
  uint32_t size, policy;
  uint64_t flags;
  int32_t nice;
  uint32_t priority;
  uint64_t runtime, deadline, period;
  uint32_t util_min, util_max;
};

static void
after_sched (void)
{
  struct sched_attr_probe a = { 0 };
  long io = syscall (SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);

  if (syscall (SYS_sched_getattr, 0, &a, sizeof a, 0) == 0)
    dprintf (1, "SCHED policy=%u nice=%d flags=%llu\n", a.policy, a.nice,
             (unsigned long long)a.flags);
  dprintf (1, "IOPRIO class=%ld data=%ld\n", io >> 13, io & 0x1fff);
  dprintf (1, "PERSONA 0x%x\n", personality (0xffffffff));
}

static void
test_sched_ioprio_personality (void)
{
  struct result r;
  cleanup_free char *json = config (
      "\"scheduler\":{\"policy\":\"SCHED_BATCH\",\"nice\":7,\"flags\":[\"SCHED_FLAG_RESET_ON_"
      "FORK\"]},"
      "\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":6}",
      "\"linux\":{\"personality\":{\"domain\":\"LINUX32\",\"flags\":[\"ADDR_NO_RANDOMIZE\"]}}");
  cleanup_free char *idle = config (
      "\"scheduler\":{\"policy\":\"SCHED_IDLE\"},\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\"}",
      "");
  cleanup_free char *bad_dl = config (
      "\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"runtime\":2000000,\"deadline\":1000000,"
      "\"period\":3000000}",
      "");
  cleanup_free char *bad_pers
      = config ("", "\"linux\":{\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"NOPE\"]}}");
  struct job j = { .prepare = true, .after = after_sched };

  j.json = json;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "SCHED policy=3 nice=7 flags=1"),
         "scheduler SCHED_BATCH nice 7 with RESET_ON_FORK");
  check (&r, has (&r, "IOPRIO class=2 data=6"), "ioPriority BE 6");
  check (&r, has (&r, "PERSONA 0x40008"), "personality LINUX32 | ADDR_NO_RANDOMIZE");
  j.json = idle;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "SCHED policy=5") && has (&r, "IOPRIO class=3 data=0"),
         "scheduler SCHED_IDLE and ioPriority IDLE");
  j.json = bad_dl;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "ERR: sched_setattr SCHED_DEADLINE: Invalid argument"),
         "an impossible SCHED_DEADLINE is refused by the kernel, named");
  j.json = bad_pers;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "personality: unknown flag \"NOPE\""),
         "an unknown personality flag is refused");
}

static void
after_mempolicy (void)
{
  int mode = -1;
  unsigned long nodes[16] = { 0 };

  if (syscall (SYS_get_mempolicy, &mode, nodes, 16 * 8 * sizeof (long), NULL, 0) == 0)
    dprintf (1, "MPOL mode=%d nodes=%lx\n", mode & 0xff, nodes[0]);
  else
    dprintf (1, "MPOL error %s\n", strerror (errno));
}

static void
test_memory_policy (void)
{
  struct result r;
  cleanup_free char *bind
      = config ("", "\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"0\","
                    "\"flags\":[\"MPOL_F_STATIC_NODES\"]}}");
  cleanup_free char *bad
      = config ("", "\"linux\":{\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"nodes\":\"3-1\"}}");
  struct job j = { .prepare = true, .after = after_mempolicy };

  if (access ("/sys/devices/system/node/node0", F_OK) < 0)
    {
      skip ("no NUMA node 0 in /sys: kernel without NUMA");
      return;
    }
  j.json = bind;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "MPOL mode=2 nodes=1"), "memoryPolicy MPOL_BIND on node 0");
  j.json = bad;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "memoryPolicy.nodes: invalid range 3-1"),
         "memoryPolicy nodes \"3-1\" is refused");
}

static void
after_keyring (void)
{
  char desc[256] = "";
  if (syscall (SYS_keyctl, KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, desc, sizeof desc) < 0)
    snprintf (desc, sizeof desc, "error %s", strerror (errno));
  dprintf (1, "KEYRING %s\n", desc);
}

static void
test_keyring (void)
{
  struct result r;
  cleanup_free char *json = config ("", "");
  struct job j = { .json = json, .prepare = true, .keyring = true, .after = after_keyring };
  const char *perm;
  unsigned long bits;

  run (&j, &r);
  check (&r, r.status == 0 && has (&r, ";_ses.proc-test\n"), "session keyring _ses.<id> joined");
  perm = strstr (r.out, "KEYRING ");
  for (int i = 0; perm && i < 3; i++)
    perm = strchr (perm + 1, ';');
  bits = perm ? strtoul (perm + 1, NULL, 16) : 0;
  check (&r, perm && (bits & 0x80000), "session keyring searchable by its uid (0x80000)");
  j.keyring = false;
  run (&j, &r);
  check (&r, r.status == 0 && !has (&r, "_ses.proc-test"), "--no-new-keyring: keyring inherited");
}

/* ------------------------------------------------------------ cwd */

static void
after_cwd (void)
{
  char buf[4096];
  dprintf (1, "CWD %s\n", getcwd (buf, sizeof buf) ? buf : strerror (errno));
}

static void
open_dir_fd (void)
{
  int fd = open ("/usr", O_RDONLY | O_DIRECTORY);
  dup2 (fd, 9);
  close (fd);
}

static void
test_cwd (void)
{
  struct result r;
  char path[512], field[640], expect[640];
  cleanup_free char *existing = NULL, *missing = NULL, *magic = NULL;
  struct job j = { .prepare = true, .after = after_cwd };

  snprintf (field, sizeof field, "\"cwd\":\"%s\"", tmpdir);
  j.json = existing = config (field, "");
  run (&j, &r);
  snprintf (expect, sizeof expect, "CWD %s\n", tmpdir);
  check (&r, r.status == 0 && has (&r, expect), "cwd: an existing directory");

  snprintf (path, sizeof path, "%s/cwd/a/b", tmpdir);
  snprintf (field, sizeof field, "\"cwd\":\"%s\"", path);
  j.json = missing = config (field, "");
  j.exec_mode = true;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "/cwd/a/b\" set in config.json failed: No such file"),
         "exec: a missing cwd is an error");
  j.exec_mode = false;
  run (&j, &r);
  snprintf (expect, sizeof expect, "CWD %s\n", path);
  check (&r, r.status == 0 && has (&r, expect), "create: a missing cwd is created (as runc)");

  /* CVE-2024-21626: a cwd through a leaked fd of the runtime. */
  j.json = magic = config ("\"cwd\":\"/proc/self/fd/9\"", "");
  j.before = open_dir_fd;
  run (&j, &r);
  check (&r,
         r.status == 1
             && has (&r, "/proc/self/fd/9\" set in config.json failed: it must resolve inside"),
         "cwd /proc/self/fd/N (a magic link to a leaked fd) is refused");
}

/* root.readonly: the cwd must be created before the root turns read-only
 * (hako_process_cwd_create, called by stage 2 before finalizing). */
static char ro_dir[512], ro_cwd[600];
static bool ro_create_early;

static void
readonly_root (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_process p = { .cwd = ro_cwd };

  if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount (ro_dir, ro_dir, NULL, MS_BIND, NULL) < 0)
    dprintf (1, "SETUP: %s\n", strerror (errno));
  if (ro_create_early && hako_process_cwd_create (&p, &err) < 0)
    dprintf (1, "SETUP: %s\n", err.msg);
  if (mount (NULL, ro_dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    dprintf (1, "SETUP: remount: %s\n", strerror (errno));
}

static void
test_cwd_readonly_root (void)
{
  struct result r;
  char field[700], expect[700];
  cleanup_free char *json = NULL;
  struct job j = { .prepare = true, .after = after_cwd, .before = readonly_root };

  snprintf (ro_dir, sizeof ro_dir, "%s/ro", tmpdir);
  mkdir (ro_dir, 0755);
  snprintf (ro_cwd, sizeof ro_cwd, "%s/ro/a/b", tmpdir);
  snprintf (field, sizeof field, "\"cwd\":\"%s\"", ro_cwd);
  j.json = json = config (field, "");
  run (&j, &r);
  check (&r,
         r.status == 1 && has (&r, "/ro/a/b\" set in config.json failed: Read-only file system"),
         "a missing cwd on a read-only root cannot be created late");
  ro_create_early = true;
  run (&j, &r);
  snprintf (expect, sizeof expect, "CWD %s\n", ro_cwd);
  check (&r, r.status == 0 && has (&r, expect),
         "hako_process_cwd_create before the root turns read-only");
}

/* In a chroot (as after pivot_root), ".." and absolute symlinks in the
 * cwd stay inside the root. */
static char chroot_dir[512];

static void
enter_chroot (void)
{
  if (chroot (chroot_dir) < 0 || chdir ("/") < 0)
    dprintf (1, "SETUP chroot: %s\n", strerror (errno));
}

static void
test_cwd_chroot (void)
{
  struct result r;
  cleanup_free char *json = NULL;
  char link[600];
  struct job j = { .prepare = true, .after = after_cwd, .before = enter_chroot };

  snprintf (chroot_dir, sizeof chroot_dir, "%s/root", tmpdir);
  mkdir (chroot_dir, 0755);
  snprintf (link, sizeof link, "%s/escape", chroot_dir);
  if (symlink ("../../../../../../..", link) < 0 && errno != EEXIST)
    diag ("symlink: %s", strerror (errno));
  /* The lookup of args[0] needs an executable file; HOME falls back to "/". */
  snprintf (link, sizeof link, "%s/true", chroot_dir);
  close (open (link, O_CREAT | O_WRONLY | O_CLOEXEC, 0755));
  j.json = json = config ("\"cwd\":\"/escape/../escape\",\"args\":[\"/true\"]", "");
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "CWD /\n"), "cwd through \"..\" symlinks stays in the root");
}

static int
copy_file (const char *from, const char *to, mode_t mode)
{
  char cmd[4096];
  snprintf (cmd, sizeof cmd, "cp '%s' '%s' && chmod %o '%s'", from, to, (unsigned)mode, to);
  return system (cmd) == 0 ? 0 : -1;
}

/* HOME comes from the container's /etc/passwd (not the host's), read
 * through a small buffer: an overlong line and a last line without a
 * newline must not confuse it. */
static void
test_chroot_home (void)
{
  struct result r;
  char path[700], args[256];
  cleanup_free char *json = NULL;
  struct job j = { .prepare = true, .exec = true, .before = enter_chroot };
  FILE *f;

  snprintf (path, sizeof path, "%s/bin", chroot_dir);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/bin/busybox", chroot_dir);
  if (copy_file (busybox, path, 0755) < 0)
    {
      skip ("could not copy busybox into the test root");
      return;
    }
  snprintf (path, sizeof path, "%s/etc", chroot_dir);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/etc/passwd", chroot_dir);
  f = fopen (path, "w");
  if (f == NULL)
    abort ();
  /* The overlong line is skipped whole: its tail must not be read as a line. */
  fprintf (f, "root:x:0:0:root:/root-in-container:/bin/sh\nlong");
  for (int i = 0; i < 6000; i++)
    fputc ('y', f);
  fprintf (f, ":x:1000:1000::/wrong:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh");
  fclose (f);
  snprintf (args, sizeof args, "[\"/bin/busybox\",\"sh\",\"-c\",\"echo HOME=$HOME; id -u\"]");
  j.json = json = exec_config (args, "[]", "\"user\":{\"uid\":1000,\"gid\":1000}");
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "HOME=/home/user\n1000\n"),
         "HOME from the container's passwd (after an overlong line, no final newline)");
}

/* issue 5: a setuid-root binary in the image cannot regain capabilities
 * dropped from the bounding set, and none at all with no_new_privs. */
static const char *self_exe;

static void
test_setuid_binary (void)
{
  struct result r;
  char suid[600], fields[1200];
  cleanup_free char *plain = NULL, *nnp = NULL;
  struct job j = { .prepare = true, .exec = true };

  snprintf (suid, sizeof suid, "%s/suid-status", tmpdir);
  if (copy_file (self_exe, suid, 04755) < 0)
    {
      skip ("could not make a setuid copy of the test program");
      skip ("could not make a setuid copy of the test program");
      return;
    }
  snprintf (fields, sizeof fields,
            "\"args\":[\"%s\",\"--dump-status\"],\"user\":{\"uid\":1000,\"gid\":1000},"
            "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}%s",
            suid, "");
  j.json = plain = config (fields, "");
  run (&j, &r);
  check (&r,
         r.status == 0 && has (&r, "Uid:\t1000\t0\t0\t0") && has (&r, "CapEff:\t0000000000000020"),
         "setuid-root binary: euid 0 but capabilities limited to the bounding set (KILL)");
  snprintf (fields, sizeof fields,
            "\"args\":[\"%s\",\"--dump-status\"],\"user\":{\"uid\":1000,\"gid\":1000},"
            "\"noNewPrivileges\":true,\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}",
            suid);
  j.json = nnp = config (fields, "");
  run (&j, &r);
  check (&r,
         r.status == 0 && has (&r, "Uid:\t1000\t1000\t1000\t1000")
             && has (&r, "CapEff:\t0000000000000000"),
         "setuid-root binary with noNewPrivileges: no uid change, no capabilities");
}

/* ------------------------------------------------------------ exec */

static void
leak_fds (void)
{
  int fd = open ("/dev/null", O_RDONLY);
  dup2 (fd, 42);
  dup2 (fd, 7);
  dup2 (fd, 3);
  dup2 (fd, 4);
  fcntl (4, F_SETFD, FD_CLOEXEC);
  close (fd);
}

static char *
exec_config (const char *args_json, const char *env_json, const char *extra)
{
  char *process, *json;
  if (asprintf (&process, "\"args\":%s,\"env\":%s%s%s", args_json, env_json, *extra ? "," : "",
                extra)
      < 0)
    abort ();
  json = config (process, "");
  free (process);
  return json;
}

/* Is FD in the `ls -l /proc/self/fd` output (pointing to TARGET, when given)? */
static bool
fd_listed (const struct result *r, int fd, const char *target)
{
  char needle[64];
  snprintf (needle, sizeof needle, " %d -> %s", fd, target ? target : "");
  return strstr (r->out, needle) != NULL;
}

static void
test_exec_fds (void)
{
  struct result r;
  char args[256];
  cleanup_free char *json = NULL;
  struct job j = { .prepare = true, .exec = true, .before = leak_fds };

  snprintf (args, sizeof args, "[\"%s\",\"ls\",\"-l\",\"/proc/self/fd/\"]", busybox);
  j.json = json = exec_config (args, "[\"PATH=/usr/bin:/bin\"]", "");
  run (&j, &r);
  check (&r,
         r.status == 0 && fd_listed (&r, 0, NULL) && fd_listed (&r, 1, NULL)
             && fd_listed (&r, 2, NULL),
         "exec: stdio reaches the process");
  check (&r,
         !fd_listed (&r, 3, "/dev/null") && !fd_listed (&r, 4, "/dev/null")
             && !fd_listed (&r, 7, NULL) && !fd_listed (&r, 42, NULL) && !fd_listed (&r, 200, NULL),
         "exec: fds 3, 4, 7, 42 and the runtime's fd 200 do not leak");
  j.preserve_fds = 2;
  run (&j, &r);
  check (&r,
         r.status == 0 && fd_listed (&r, 3, "/dev/null") && fd_listed (&r, 4, "/dev/null")
             && !fd_listed (&r, 42, NULL) && !fd_listed (&r, 7, NULL),
         "--preserve-fds 2: fds 3 and 4 (even with CLOEXEC) pass, 7 and 42 do not");
}

static void
set_listen_env (void)
{
  char pid[32];
  int fd = open ("/dev/null", O_RDONLY);

  dup2 (fd, 3);
  dup2 (fd, 4);
  close (fd);
  snprintf (pid, sizeof pid, "%d", (int)getpid ());
  setenv ("LISTEN_PID", pid, 1);
  setenv ("LISTEN_FDS", "1", 1);
  dprintf (1, "DETECT %d\n", hako_listen_fds_detect ());
}

static void
set_listen_env_other (void)
{
  setenv ("LISTEN_PID", "1", 1);
  setenv ("LISTEN_FDS", "1", 1);
  dprintf (1, "DETECT %d\n", hako_listen_fds_detect ());
}

static void
test_listen_fds (void)
{
  struct result r;
  char args[256];
  cleanup_free char *json = NULL;
  struct job j = { .prepare = true, .exec = true, .before = set_listen_env };

  snprintf (args, sizeof args,
            "[\"%s\",\"sh\",\"-c\",\"echo L=$LISTEN_FDS,$LISTEN_PID,$$; ls -l /proc/self/fd/\"]",
            busybox);
  j.json = json = exec_config (args, "[\"PATH=/usr/bin:/bin\",\"LISTEN_FDS=9\"]", "");
  run (&j, &r);
  {
    char *l = strstr (r.out, "L=");
    int fds = 0, lpid = 0, self = -1;
    if (l)
      sscanf (l, "L=%d,%d,%d", &fds, &lpid, &self);
    check (&r, r.status == 0 && has (&r, "DETECT 1"),
           "LISTEN_FDS/LISTEN_PID for us: 1 fd detected");
    check (&r, fds == 1 && lpid == self, "the process sees LISTEN_FDS=1 and LISTEN_PID=its pid");
    check (&r, fd_listed (&r, 3, "/dev/null") && !fd_listed (&r, 4, "/dev/null"),
           "the listen fd 3 passes, fd 4 does not");
  }
  j.before = set_listen_env_other;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "DETECT 0") && has (&r, "L=9,,"),
         "LISTEN_PID of another process: nothing passed, env untouched");
}

static void
test_exec_errors (void)
{
  struct result r;
  cleanup_free char *abs = exec_config ("[\"/bin/nosuch\"]", "[\"PATH=/usr/bin:/bin\"]", "");
  cleanup_free char *rel = exec_config ("[\"nosuch\"]", "[\"PATH=/usr/bin:/bin\"]", "");
  cleanup_free char *nopath = exec_config ("[\"busybox\"]", "[\"PATH=/nonexistent\"]", "");
  struct job j = { .prepare = true, .exec = true };

  j.json = abs;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "ERR: exec \"/bin/nosuch\": No such file or directory\n"),
         "exec \"/bin/nosuch\": No such file or directory");
  j.json = rel;
  run (&j, &r);
  check (&r,
         r.status == 1 && has (&r, "ERR: exec \"nosuch\": executable file not found in $PATH\n"),
         "exec \"nosuch\": executable file not found in $PATH");
  j.json = nopath;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "exec \"busybox\": executable file not found in $PATH"),
         "the runtime's own PATH is not used for the lookup");
}

static void
test_exec_path_lookup (void)
{
  struct result r;
  char bin[512], script[600], body[700], env[600];
  cleanup_free char *json = NULL, *noexec = NULL, *envjson = NULL;
  struct job j = { .prepare = true, .exec = true };
  FILE *f;

  snprintf (bin, sizeof bin, "%s/bin", tmpdir);
  mkdir (bin, 0755);
  snprintf (script, sizeof script, "%s/hako-probe", bin);
  snprintf (body, sizeof body, "#!%s sh\necho probe $0 HOME=$HOME A=$A\n", busybox);
  f = fopen (script, "w");
  if (f)
    {
      fputs (body, f);
      fclose (f);
    }
  chmod (script, 0755);
  snprintf (env, sizeof env, "[\"PATH=/nonexistent::%s\",\"A=1\",\"A=2\"]", bin);
  j.json = json = exec_config ("[\"hako-probe\"]", env, "");
  run (&j, &r);
  snprintf (body, sizeof body, "probe %s HOME=/root A=2\n", script);
  check (&r, r.status == 0 && has (&r, body),
         "PATH of the container env finds the program; HOME from /etc/passwd; last A wins");

  snprintf (script, sizeof script, "%s/hako-noexec", bin);
  f = fopen (script, "w");
  if (f)
    fclose (f);
  chmod (script, 0644);
  j.json = noexec = exec_config ("[\"hako-noexec\"]", env, "\"user\":{\"uid\":1000,\"gid\":1000}");
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "ERR: exec \"hako-noexec\": Permission denied"),
         "a non-executable file in PATH: Permission denied");
  j.json = envjson = exec_config ("[\"true\"]", "[\"NOEQUALS\"]", "");
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "process.env: invalid entry \"NOEQUALS\""),
         "an env entry without '=' is refused");
}

/* ------------------------------------------------------------ affinity */

static void
after_affinity (void)
{
  cpu_set_t set;
  CPU_ZERO (&set);
  sched_getaffinity (0, sizeof set, &set);
  dprintf (1, "CPUS");
  for (int i = 0; i < CPU_SETSIZE; i++)
    if (CPU_ISSET (i, &set))
      dprintf (1, " %d", i);
  dprintf (1, "\n");
}

static void
pin_cpu0 (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  if (hako_cpu_affinity_apply ("0", &err) < 0)
    dprintf (1, "SETUP: %s\n", err.msg);
}

static void
test_affinity (void)
{
  struct result r;
  cleanup_free char *json = config ("\"execCPUAffinity\":{\"initial\":\"0\",\"final\":\"1\"}", "");
  struct job j = { .json = json, .prepare = true, .after = after_affinity, .before = pin_cpu0 };

  if (sysconf (_SC_NPROCESSORS_ONLN) < 2)
    {
      skip ("one CPU online: affinity cannot be told apart");
      return;
    }
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "CPUS 0\n"),
         "create: execCPUAffinity is not applied to the init (spec)");
  j.exec_mode = true;
  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "CPUS 1\n"), "exec: execCPUAffinity.final applied");
}

static void
test_id_list (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  unsigned long mask[2];
  long hi;

  ok (hako_id_list_parse ("t", "0-3,7", mask, 128, &hi, &err) == 0 && mask[0] == 0x8f && hi == 7,
      "id list \"0-3,7\"");
  ok (hako_id_list_parse ("t", " 1 , 65 ", mask, 128, &hi, &err) == 0 && mask[0] == 2
          && mask[1] == 2 && hi == 65,
      "id list with spaces, beyond one word");
  ok (hako_id_list_parse ("t", "", mask, 128, &hi, &err) == 0 && hi == -1, "empty id list");
  ok (hako_id_list_parse ("t", "1,,2", mask, 128, &hi, &err) < 0, "id list \"1,,2\" refused");
  ok (hako_id_list_parse ("t", "200", mask, 128, &hi, &err) < 0
          && strstr (err.msg, "200 is too large"),
      "id beyond the mask refused");
  hako_error_clear (&err);
}

/* ------------------------------------------------------------ sysctl, hostname */

static void
new_kernel_namespaces (void)
{
  if (unshare (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
    dprintf (1, "SETUP unshare: %s\n", strerror (errno));
}

static void
after_kernel (void)
{
  struct utsname u;
  uname (&u);
  dprintf (1, "HOST %s DOMAIN %s\n", u.nodename, u.domainname);
  dprintf (1, "FWD ");
  dump ("/proc/sys/net/ipv4/ip_forward");
  dprintf (1, "LOFWD ");
  dump ("/proc/sys/net/ipv4/conf/lo/forwarding");
  dprintf (1, "SHMMAX ");
  dump ("/proc/sys/kernel/shmmax");
}

static void
test_kernel_settings (void)
{
  struct result r;
  cleanup_free char *json
      = config ("", "\"hostname\":\"hako-host\",\"domainname\":\"hako-domain\","
                    "\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\","
                    "\"net/ipv4/conf/lo/forwarding\":\"1\",\"kernel.shmmax\":\"123456789\"}}");
  struct job j = { .json = json,
                   .kernel = true,
                   .before = new_kernel_namespaces,
                   .after = after_kernel,
                   .ns = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS };

  run (&j, &r);
  check (&r, r.status == 0 && has (&r, "HOST hako-host DOMAIN hako-domain"),
         "hostname and domainname set in the new UTS namespace");
  check (&r, has (&r, "FWD 1\n") && has (&r, "LOFWD 1\n"),
         "net.ipv4.ip_forward and net/ipv4/conf/lo/forwarding written in the new netns");
  check (&r, has (&r, "SHMMAX 123456789\n"), "kernel.shmmax written in the new IPC namespace");
}

static void
test_kernel_refusals (void)
{
  struct result r;
  char pid_max[64] = "32768", sysctl[256];
  cleanup_free char *host = NULL;
  cleanup_free char *net = config ("", "\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}");
  cleanup_free char *ipc = config ("", "\"linux\":{\"sysctl\":{\"fs.mqueue.msg_max\":\"20\"}}");
  cleanup_free char *dotdot
      = config ("", "\"linux\":{\"sysctl\":{\"net/../kernel/pid_max\":\"1\"}}");
  cleanup_free char *hostname = config ("", "\"hostname\":\"x\"");
  struct job j = { .kernel = true,
                   .before = new_kernel_namespaces,
                   .ns = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS };
  FILE *f = fopen ("/proc/sys/kernel/pid_max", "r");

  /* The current value: even a wrong write would change nothing. */
  if (f)
    {
      if (!fgets (pid_max, sizeof pid_max, f))
        strcpy (pid_max, "32768");
      pid_max[strcspn (pid_max, "\n")] = '\0';
      fclose (f);
    }
  snprintf (sysctl, sizeof sysctl, "\"linux\":{\"sysctl\":{\"kernel.pid_max\":\"%s\"}}", pid_max);
  j.json = host = config ("", sysctl);
  run (&j, &r);
  check (&r,
         r.status == 1
             && has (&r, "sysctl \"kernel.pid_max\" is not in a separate kernel namespace"),
         "kernel.pid_max is refused");
  j.ns = CLONE_NEWIPC | CLONE_NEWUTS;
  j.json = net;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "not allowed in the host's network namespace"),
         "net.* without a network namespace is refused");
  j.json = hostname;
  j.ns = CLONE_NEWNET;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "unable to set hostname without a private UTS namespace"),
         "hostname without a UTS namespace is refused");
  j.json = ipc;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "not allowed in the host's ipc namespace"),
         "fs.mqueue.* without an IPC namespace is refused");
  j.json = dotdot;
  j.ns = CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "invalid key"), "a key with \"..\" is refused");
}

static void
fake_proc (void)
{
  if (unshare (CLONE_NEWNS | CLONE_NEWNET) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("tmpfs", "/proc", "tmpfs", 0, NULL) < 0 || mkdir ("/proc/sys", 0755) < 0)
    dprintf (1, "SETUP fake /proc: %s\n", strerror (errno));
}

static void
test_sysctl_fake_proc (void)
{
  struct result r;
  cleanup_free char *json = config ("", "\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}");
  cleanup_free char *oom = config ("\"oomScoreAdj\":100", "");
  struct job j = { .json = json, .kernel = true, .before = fake_proc, .ns = CLONE_NEWNET };

  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "/proc is not a procfs mount"),
         "sysctl: a /proc that is not procfs is refused");
  j.json = oom;
  j.kernel = false;
  j.prepare = true;
  run (&j, &r);
  check (&r, r.status == 1 && has (&r, "oomScoreAdj: /proc is not a procfs mount"),
         "oomScoreAdj: a /proc that is not procfs is refused");
}

/* A procfs file bound over the one a sysctl names, as a process with mount
 * rights in the container's namespaces could do to take the runtime's
 * write (CVE-2025-52881): the write must not go through. */
static void
bind_over_ip_forward (void)
{
  if (unshare (CLONE_NEWNS | CLONE_NEWNET) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("/proc/sys/net/ipv4/ip_default_ttl", "/proc/sys/net/ipv4/ip_forward", NULL, MS_BIND,
                NULL)
             < 0)
    dprintf (1, "SETUP bind over ip_forward: %s\n", strerror (errno));
}

static void
test_sysctl_bound_over (void)
{
  struct result r;
  cleanup_free char *json = config ("", "\"linux\":{\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}}");
  struct job j
      = { .json = json, .kernel = true, .before = bind_over_ip_forward, .ns = CLONE_NEWNET };

  run (&j, &r);
  check (&r,
         r.status == 1 && has (&r, "open /proc/sys/net/ipv4/ip_forward")
             && has (&r, "cross-device"),
         "sysctl: a file bound over the sysctl's file is refused (RESOLVE_NO_XDEV)");
}

static void
test_sysctl_paths (void)
{
  struct hako_error err = HAKO_ERROR_INIT;
  char buf[256];

  ok (hako_sysctl_path ("net.ipv4.conf.eth0/1.forwarding", buf, sizeof buf, &err) == 0
          && strcmp (buf, "net/ipv4/conf/eth0.1/forwarding") == 0,
      "dotted key with '/' for a dot: %s", buf);
  ok (hako_sysctl_path ("net/ipv4/conf/eth0.1/forwarding", buf, sizeof buf, &err) == 0
          && strcmp (buf, "net/ipv4/conf/eth0.1/forwarding") == 0,
      "slash key keeps its dots");
  ok (hako_sysctl_path ("net..ipv4", buf, sizeof buf, &err) < 0, "empty component refused");
  ok (hako_sysctl_check ("kernel.shm_rmid_forced", CLONE_NEWIPC, &err) == 0
          && hako_sysctl_check ("user.max_user_namespaces", CLONE_NEWUSER, &err) == 0
          && hako_sysctl_check ("kernel.domainname", CLONE_NEWUTS, &err) == 0,
      "namespaced keys accepted with their namespace");
  ok (hako_sysctl_check ("user.max_user_namespaces", CLONE_NEWNET, &err) < 0,
      "user.* refused without a user namespace");
  hako_error_clear (&err);
}

/* ------------------------------------------------------------ main */

static void
find_busybox (void)
{
  static const char *const candidates[] = { "/usr/bin/busybox", "/bin/busybox" };
  for (size_t i = 0; i < 2; i++)
    if (access (candidates[i], X_OK) == 0)
      busybox = candidates[i];
}

int
main (int argc, char **argv)
{
  /* The program doubles as the setuid binary of test_setuid_binary. */
  if (argc > 1 && strcmp (argv[1], "--dump-status") == 0)
    {
      dump ("/proc/self/status");
      _exit (0); /* no atexit work (LeakSanitizer cannot run setuid) */
    }
  self_exe = realpath ("/proc/self/exe", NULL);
  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP needs root (creates namespaces, changes uid)\n");
      return 0;
    }
  find_busybox ();
  if (mkdtemp (tmpdir) == NULL || chmod (tmpdir, 0755) < 0)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  test_id_list ();
  test_sysctl_paths ();
  test_caps_and_user ();
  test_caps_errors ();
  test_caps_unavailable ();
  test_userns ();
  test_rlimits_oom ();
  test_sched_ioprio_personality ();
  test_memory_policy ();
  test_keyring ();
  test_cwd ();
  test_cwd_chroot ();
  test_cwd_readonly_root ();
  test_affinity ();
  test_kernel_settings ();
  test_kernel_refusals ();
  test_sysctl_fake_proc ();
  test_sysctl_bound_over ();
  test_exec_errors ();
  if (busybox)
    {
      test_caps_after_exec ();
      test_exec_fds ();
      test_listen_fds ();
      test_exec_path_lookup ();
      test_chroot_home ();
      test_setuid_binary ();
    }
  else
    skip ("no busybox (apt-get install busybox-static): exec tests not run");
  {
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      diag ("could not remove %s", tmpdir);
  }
  return tap_done ();
}

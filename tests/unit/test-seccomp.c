/* Unit tests of seccomp.c: profiles are compiled from JSON as stage 0
 * does, then a forked child loads the program as stage 2 does and makes
 * the system calls the profile is about; the child's exit code (or the
 * signal that killed it) says what the kernel did. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"
#include "seccomp.h"
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

/* Exit codes of the children: 0 = as expected, anything else a failure
 * code chosen by the body. */
typedef int (*child_fn) (void);

static struct oci_seccomp *
parse (const char *json)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_seccomp *s = oci_parse (&oci_seccomp_type, json, strlen (json), "seccomp", &err);

  if (s == NULL)
    diag ("parse: %s", err.msg);
  hako_error_clear (&err);
  return s;
}

/* Compile JSON; on failure *MSG gets the message (caller frees). */
static int
compile (const char *json, struct hako_seccomp_prog *prog, char **msg)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_seccomp *s = parse (json);
  int r;

  if (s == NULL)
    return -2;
  r = hako_seccomp_compile (s, prog, &err);
  if (r < 0 && msg)
    *msg = err.msg, err.msg = NULL;
  hako_error_clear (&err);
  oci_free (&oci_seccomp_type, s);
  return r;
}

static char dir[] = "/tmp/hako-test-seccomp-XXXXXX";

#define ALLOW_BUT(rules) "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[" rules "]}"

#ifdef HAVE_SECCOMP
/* Fork; the child sets no_new_privs when NNP (else it relies on being
 * root), loads PROG and returns FN's result.  Returns the wait status. */
static int
run_loaded (const struct hako_seccomp_prog *prog, bool nnp, child_fn fn)
{
  int status = 0;
  pid_t pid = fork ();

  if (pid == 0)
    {
      struct hako_error err = HAKO_ERROR_INIT;
      int listener = -1;
      if (nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (90);
      if (hako_seccomp_load (prog, &listener, &err) < 0)
        {
          fprintf (stderr, "load: %s\n", err.msg);
          _exit (91);
        }
      /* The raw syscall: a sanitizer's _exit would run its own checks,
       * whose syscalls the filter may deny. */
      syscall (SYS_exit_group, fn ());
    }
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    return -1;
  return status;
}

/* Compile JSON and run FN under it; the wait status, or -1. */
static int
run_profile (const char *json, child_fn fn)
{
  struct hako_seccomp_prog prog = { 0 };
  cleanup_free char *msg = NULL;
  int status;

  if (compile (json, &prog, &msg) < 0)
    {
      diag ("compile: %s", msg ? msg : "(parse failed)");
      return -1;
    }
  status = run_loaded (&prog, true, fn);
  hako_seccomp_prog_release (&prog);
  return status;
}

static bool
exited (int status, int code)
{
  if (!(status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == code))
    diag ("wait status 0x%x", status);
  return status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == code;
}

static bool
killed_by (int status, int sig)
{
  if (!(status >= 0 && WIFSIGNALED (status) && WTERMSIG (status) == sig))
    diag ("wait status 0x%x", status);
  return status >= 0 && WIFSIGNALED (status) && WTERMSIG (status) == sig;
}

/* ------------------------------------------------------------ bodies */

/* mkdir must fail with WANT; 0 if it did. */
static int
mkdir_fails_with (int want)
{
  cleanup_free char *p = hako_strdup_printf ("%s/sub", dir);
  long r = syscall (SYS_mkdir, p, 0700);

  if (r == 0)
    return 1;
  return errno == want ? 0 : 2;
}

static int
mkdir_eperm (void)
{
  return mkdir_fails_with (EPERM);
}

static int
mkdir_enosys (void)
{
  return mkdir_fails_with (ENOSYS);
}

static int
personality_rules (void)
{
  /* 0xffffffff only queries the persona: allowed. */
  if (syscall (SYS_personality, 0xffffffffUL, 0UL) < 0)
    return 1;
  errno = 0;
  if (syscall (SYS_personality, 8UL, 0UL) != -1 || errno != EACCES)
    return 2;
  return 0;
}

static int
personality_two_denied (void)
{
  if (syscall (SYS_personality, 0xffffffffUL, 0UL) < 0)
    return 1;
  if (syscall (SYS_personality, 8UL, 0UL) != -1 || errno != EACCES)
    return 2;
  if (syscall (SYS_personality, 9UL, 0UL) != -1 || errno != EACCES)
    return 3;
  return 0;
}

/* Denied only when arg0 > 7 and arg1 == 0 (personality ignores arg1). */
static int
personality_both_args (void)
{
  if (syscall (SYS_personality, 8UL, 0UL) != -1 || errno != EACCES)
    return 1;
  if (syscall (SYS_personality, 0xffffffffUL, 1UL) < 0)
    return 2;
  if (syscall (SYS_personality, 7UL, 0UL) < 0)
    return 3;
  return 0;
}

static int
call_getppid (void)
{
  return syscall (SYS_getppid) > 0 ? 0 : 1;
}

/* getpid is not allowed by the profile: the default errno comes back. */
static int
getpid_default_errno (void)
{
  if (syscall (SYS_getpid) != -1 || errno != EOPNOTSUPP)
    return 1;
  return syscall (SYS_getppid) > 0 ? 0 : 2;
}

static int
getppid_enosys (void)
{
  /* SCMP_ACT_TRACE without a tracer: the kernel answers ENOSYS. */
  return syscall (SYS_getppid) == -1 && errno == ENOSYS ? 0 : 1;
}

/* ------------------------------------------------------------ cases */

static void
test_errno_actions (void)
{
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"mkdir\",\"mkdirat\"],"
                                      "\"action\":\"SCMP_ACT_ERRNO\"}"),
                           mkdir_eperm),
              0),
      "SCMP_ACT_ERRNO without errnoRet: mkdir fails with EPERM");
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"mkdir\",\"mkdirat\"],"
                                      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}"),
                           mkdir_enosys),
              0),
      "SCMP_ACT_ERRNO with errnoRet 38: mkdir fails with ENOSYS");
  ok (exited (run_profile ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":95,"
                           "\"syscalls\":[{\"names\":[\"getppid\",\"exit_group\",\"exit\"],"
                           "\"action\":\"SCMP_ACT_ALLOW\"}]}",
                           getpid_default_errno),
              0),
      "defaultAction ERRNO with defaultErrnoRet 95; listed calls allowed");
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"getppid\"],"
                                      "\"action\":\"SCMP_ACT_TRACE\"}"),
                           getppid_enosys),
              0),
      "SCMP_ACT_TRACE without a tracer: ENOSYS");
}

static void
test_args (void)
{
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
                                      "\"errnoRet\":13,\"args\":[{\"index\":0,"
                                      "\"value\":4294967295,\"op\":\"SCMP_CMP_NE\"}]}"),
                           personality_rules),
              0),
      "SCMP_CMP_NE: personality(0xffffffff) allowed, personality(8) denied");
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
                                      "\"errnoRet\":13,\"args\":[{\"index\":0,\"value\":8,"
                                      "\"op\":\"SCMP_CMP_EQ\"}]}"),
                           personality_rules),
              0),
      "SCMP_CMP_EQ: only personality(8) denied");
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
                                      "\"errnoRet\":13,\"args\":[{\"index\":0,\"value\":255,"
                                      "\"valueTwo\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"),
                           personality_rules),
              0),
      "SCMP_CMP_MASKED_EQ: value is the mask, valueTwo the result");
  ok (exited (run_profile (
                  ALLOW_BUT ("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
                             "\"errnoRet\":13,\"args\":[{\"index\":0,\"value\":8,\"op\":"
                             "\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}"),
                  personality_two_denied),
              0),
      "two conditions on the same argument: either one matches (a rule each, as runc)");
  ok (exited (run_profile (
                  ALLOW_BUT ("{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\","
                             "\"errnoRet\":13,\"args\":[{\"index\":0,\"value\":7,\"op\":"
                             "\"SCMP_CMP_GT\"},{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]}"),
                  personality_both_args),
              0),
      "conditions on different arguments: all must hold (one rule)");
}

static void
test_kill_and_allow (void)
{
  ok (killed_by (run_profile (ALLOW_BUT ("{\"names\":[\"getppid\"],"
                                         "\"action\":\"SCMP_ACT_KILL_PROCESS\"}"),
                              call_getppid),
                 SIGSYS),
      "SCMP_ACT_KILL_PROCESS: the child dies of SIGSYS");
  ok (killed_by (run_profile (ALLOW_BUT ("{\"names\":[\"getppid\"],"
                                         "\"action\":\"SCMP_ACT_KILL\"}"),
                              call_getppid),
                 SIGSYS),
      "SCMP_ACT_KILL (thread) kills the single-threaded child");
  ok (killed_by (run_profile (ALLOW_BUT ("{\"names\":[\"getppid\"],"
                                         "\"action\":\"SCMP_ACT_TRAP\"}"),
                              call_getppid),
                 SIGSYS),
      "SCMP_ACT_TRAP: SIGSYS, fatal without a handler");
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_LOG\"}"),
                           call_getppid),
              0),
      "SCMP_ACT_LOG: the call goes through");
  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\"}"),
                           call_getppid),
              0),
      "a rule with the default action is accepted (and changes nothing)");
}

static void
test_names_arch_flags (void)
{
  struct hako_seccomp_prog prog = { 0 };
  cleanup_free char *msg = NULL;

  ok (exited (run_profile (ALLOW_BUT ("{\"names\":[\"hako_no_such_syscall\",\"mkdir\",\"mkdirat\"],"
                                      "\"action\":\"SCMP_ACT_ERRNO\"}"),
                           mkdir_eperm),
              0),
      "unknown syscall names are skipped, the others still apply");
  ok (exited (run_profile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":["
                           "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],"
                           "\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
                           "\"action\":\"SCMP_ACT_ERRNO\"}]}",
                           mkdir_eperm),
              0),
      "architectures x86_64, x86, x32 (the native one included)");
  ok (compile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
               "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\",\"SECCOMP_FILTER_FLAG_TSYNC\"]}",
               &prog, &msg)
              == 0
          && prog.flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW),
      "flags LOG and SPEC_ALLOW go to seccomp(2), TSYNC is dropped");
  ok (exited (run_loaded (&prog, true, call_getppid), 0), "a filter with those flags loads");
  ok (exited (run_loaded (&prog, false, call_getppid), 0),
      "without no_new_privs, root (CAP_SYS_ADMIN) may load it");
  hako_seccomp_prog_release (&prog);
}

/* Without no_new_privs and without CAP_SYS_ADMIN the kernel refuses: why
 * process.c loads such a filter before the identity switch. */
static void
test_load_needs_privilege (void)
{
  struct hako_seccomp_prog prog = { 0 };
  int status = -1;
  pid_t pid;

  compile (ALLOW_BUT (""), &prog, NULL);
  pid = fork ();
  if (pid == 0)
    {
      struct hako_error err = HAKO_ERROR_INIT;
      int listener = -1;
      if (setresuid (65534, 65534, 65534) < 0)
        _exit (90);
      if (hako_seccomp_load (&prog, &listener, &err) == 0)
        _exit (1);
      _exit (err.errnum == EACCES && strstr (err.msg, "load the seccomp filter") ? 0 : 2);
    }
  waitpid (pid, &status, 0);
  ok (exited (status, 0), "an unprivileged process without no_new_privs: EACCES");
  hako_seccomp_prog_release (&prog);
}

/* Compile S (already parsed, then broken by the caller) and expect an
 * error containing WANT. */
static void
expect_error (struct oci_seccomp *s, const char *want, const char *what)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_seccomp_prog prog = { 0 };
  int r = hako_seccomp_compile (s, &prog, &err);

  ok (r < 0 && err.msg && strstr (err.msg, want), "%s", what);
  if (!(r < 0 && err.msg && strstr (err.msg, want)))
    diag ("got: %s", err.msg ? err.msg : "(success)");
  hako_error_clear (&err);
  hako_seccomp_prog_release (&prog);
  oci_free (&oci_seccomp_type, s);
}

/* SCMP_ACT_NOTIFY compiles to a filter that asks the kernel for a listener. */
static void
expect_notify (struct oci_seccomp *s)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_seccomp_prog prog = { 0 };
  int r = hako_seccomp_compile (s, &prog, &err);

  ok (r == 0 && prog.notify && (prog.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER),
      "SCMP_ACT_NOTIFY compiles, with SECCOMP_FILTER_FLAG_NEW_LISTENER");
  if (r < 0)
    diag ("got: %s", err.msg);
  hako_error_clear (&err);
  hako_seccomp_prog_release (&prog);
  oci_free (&oci_seccomp_type, s);
}

static void
replace (char **field, const char *value)
{
  free (*field);
  *field = hako_xstrdup (value);
}

#define TWO_RULES                                                                                  \
  ALLOW_BUT ("{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\"},"                             \
             "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":["               \
             "{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_EQ\"}]}")

static void
test_errors (void)
{
  struct oci_seccomp *s;

  s = parse (TWO_RULES);
  replace (&s->syscalls[1].args[0].op, "SCMP_CMP_BOGUS");
  expect_error (s, "linux.seccomp.syscalls[1].args[0].op: unknown operator \"SCMP_CMP_BOGUS\"",
                "an unknown operator is refused with its JSON path");
  s = parse (TWO_RULES);
  s->syscalls[1].args[0].index = 6;
  expect_error (s, "linux.seccomp.syscalls[1].args[0].index", "an argument index above 5");
  s = parse (TWO_RULES);
  replace (&s->syscalls[0].action, "SCMP_ACT_NOTIFY");
  expect_notify (s);
  s = parse (TWO_RULES);
  replace (&s->syscalls[0].action, "SCMP_ACT_ALLOW");
  s->syscalls[0].has_errno_ret = true;
  s->syscalls[0].errno_ret = 5;
  expect_error (s, "linux.seccomp.syscalls[0]: SCMP_ACT_ALLOW takes no errno",
                "errnoRet with an action that has none");
  s = parse (TWO_RULES);
  replace (&s->default_action, "SCMP_ACT_WHATEVER");
  expect_error (s, "linux.seccomp.defaultAction: unknown action", "an unknown default action");
  s = parse ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86\"]}");
  replace (&s->architectures[0], "SCMP_ARCH_VAX");
  expect_error (s, "linux.seccomp.architectures[0]: \"SCMP_ARCH_VAX\" is unknown to libseccomp",
                "an architecture libseccomp does not know");
}

#endif /* HAVE_SECCOMP */

int
main (void)
{
  if (geteuid () != 0)
    {
      printf ("1..0 # SKIP needs root (loads filters without no_new_privs, changes uid)\n");
      return 0;
    }
  if (mkdtemp (dir) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
#ifdef HAVE_SECCOMP
  test_errno_actions ();
  test_args ();
  test_kill_and_allow ();
  test_names_arch_flags ();
  test_load_needs_privilege ();
  test_errors ();
#else
  {
    struct hako_seccomp_prog prog = { 0 };
    cleanup_free char *msg = NULL;
    ok (compile (ALLOW_BUT (""), &prog, &msg) < 0 && msg && strstr (msg, "without libseccomp"),
        "built without libseccomp: linux.seccomp is refused");
  }
#endif
  rmdir (dir);
  return tap_done ();
}

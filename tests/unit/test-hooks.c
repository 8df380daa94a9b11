/* hooks.c: state on stdin, exact env and args, exit status, signals,
 * timeouts, exec failures, captured output, no zombie and no fd leak. */
#define _GNU_SOURCE
#include "hooks.h"
#include "init.h"
#include "util.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char state[] = "{\"ociVersion\":\"1.3.0\",\"id\":\"t1\",\"status\":\"creating\","
                            "\"pid\":42,\"bundle\":\"/tmp/b\"}";
static char dir[] = "/tmp/hako-test-hooks.XXXXXX";

/* A /bin/sh -c SCRIPT hook; "{D}" in SCRIPT stands for the test directory. */
static struct oci_hook
sh_hook (const char *script)
{
  static char *args[8][3];
  static int next;
  char **a = args[next++ % 8];
  cleanup_free char *expanded = NULL;
  const char *at = strstr (script, "{D}");

  if (at)
    expanded = hako_strdup_printf ("%.*s%s%s", (int)(at - script), script, dir, at + 3);
  a[0] = "sh";
  a[1] = "-c";
  free (a[2]);
  a[2] = hako_xstrdup (expanded ? expanded : script);
  return (struct oci_hook){ .path = "/bin/sh", .args = a, .args_len = 3 };
}

static char *
slurp (const char *name)
{
  cleanup_free char *path = hako_strdup_printf ("%s/%s", dir, name);
  struct hako_error err = HAKO_ERROR_INIT;
  char *data = NULL;
  size_t len = 0;

  if (hako_read_file_at (AT_FDCWD, path, &data, &len, &err) < 0)
    {
      diag ("%s", err.msg);
      hako_error_clear (&err);
      return hako_xstrdup ("<missing>");
    }
  /* One trailing newline off, so that messages stay on one TAP line. */
  if (len > 0 && data[len - 1] == '\n')
    data[len - 1] = '\0';
  return data;
}

static double
now_s (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run one hook; returns its error message (malloc'ed) or NULL. */
static char *
run (const char *stage, struct oci_hook hook)
{
  struct hako_error err = HAKO_ERROR_INIT;

  if (hako_hook_run (stage, &hook, state, strlen (state), &err) == 0)
    return NULL;
  return err.msg ? err.msg : hako_xstrdup ("<no message>");
}

static void
test_state_env_args (void)
{
  char *env[] = { "FOO=bar", "HAKO_X=1 2" };
  struct oci_hook h = sh_hook ("cat > {D}/state");
  cleanup_free char *e1 = run ("createRuntime", h);
  cleanup_free char *got = slurp ("state");
  cleanup_free char *e2 = NULL, *e3 = NULL, *e4 = NULL, *environ1 = NULL, *environ2 = NULL;
  cleanup_free char *argv = NULL, *expect = NULL;

  ok (e1 == NULL && strcmp (got, state) == 0, "the hook reads the state JSON on stdin (%s)",
      e1 ? e1 : got);

  h = sh_hook ("tr '\\0' '\\n' < /proc/$$/environ > {D}/environ");
  h.env = env;
  h.env_len = 2;
  e2 = run ("createRuntime", h);
  environ1 = slurp ("environ");
  ok (e2 == NULL && strcmp (environ1, "FOO=bar\nHAKO_X=1 2") == 0,
      "the environment is exactly hook.env");

  h = sh_hook ("tr '\\0' '\\n' < /proc/$$/environ > {D}/environ2");
  e3 = run ("createRuntime", h);
  environ2 = slurp ("environ2");
  ok (e3 == NULL && strcmp (environ2, "") == 0, "no env: an empty environment (got '%s')",
      environ2);

  h = sh_hook ("tr '\\0' '|' < /proc/$$/cmdline > {D}/argv");
  h.args = (char *[]){ "custom-argv0", "-c", h.args[2], "x", "y z" };
  h.args_len = 5;
  e4 = run ("createRuntime", h);
  argv = slurp ("argv");
  expect = hako_strdup_printf ("custom-argv0|-c|%s|x|y z|", h.args[2]);
  ok (e4 == NULL && strcmp (argv, expect) == 0, "args are argv, argv[0] included (%s)", argv);
}

static void
test_no_args (void)
{
  cleanup_free char *script = hako_strdup_printf ("%s/argv0.sh", dir);
  cleanup_free char *body = hako_strdup_printf ("#!/bin/sh\necho \"$0 $#\" > %s/argv0\n", dir);
  int fd = open (script, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  cleanup_free char *msg = NULL, *got = NULL, *expect = NULL;

  if (fd < 0 || hako_write_all (fd, body, strlen (body)) < 0)
    diag ("cannot write %s", script);
  close (fd);
  msg = run ("prestart", (struct oci_hook){ .path = script });
  got = slurp ("argv0");
  expect = hako_strdup_printf ("%s 0", script);
  ok (msg == NULL && strcmp (got, expect) == 0, "without args argv is [path] (%s)", got);
}

static void
test_failures (void)
{
  cleanup_free char *e1 = run ("createRuntime", sh_hook ("echo out; echo oops >&2; exit 3"));
  cleanup_free char *e2 = run ("poststart", sh_hook ("kill -9 $$"));
  cleanup_free char *e3 = run ("createRuntime", (struct oci_hook){ .path = "/nonexistent/hook" });
  cleanup_free char *e4 = run ("createRuntime", (struct oci_hook){ .path = "/etc" });
  cleanup_free char *e5 = run ("createRuntime", (struct oci_hook){ .path = "bin/true" });
  cleanup_free char *e6 = run ("createRuntime", sh_hook ("exit 1"));

  ok (e1
          && strcmp (e1, "createRuntime hook \"/bin/sh\": exit status 3, stdout: out, stderr: oops")
                 == 0,
      "exit status and captured output: %s", e1);
  ok (e2 && strcmp (e2, "poststart hook \"/bin/sh\": killed by signal 9") == 0, "%s", e2);
  ok (e3
          && strcmp (e3,
                     "createRuntime hook \"/nonexistent/hook\": exec: No such file or directory")
                 == 0,
      "%s", e3);
  ok (e4 && strcmp (e4, "createRuntime hook \"/etc\": exec: Permission denied") == 0, "%s", e4);
  ok (e5 && strstr (e5, "path is not absolute"), "%s", e5);
  ok (e6 && strcmp (e6, "createRuntime hook \"/bin/sh\": exit status 1") == 0,
      "no output, no output part: %s", e6);
}

static void
test_timeout (void)
{
  struct oci_hook h = { .path = "/bin/sleep",
                        .args = (char *[]){ "sleep", "100" },
                        .args_len = 2,
                        .timeout = 1,
                        .has_timeout = true };
  double t0 = now_s (), took;
  cleanup_free char *msg = run ("createContainer", h);
  cleanup_free char *bg = NULL, *fast = NULL;

  took = now_s () - t0;
  ok (msg && strcmp (msg, "createContainer hook \"/bin/sleep\": timed out after 1s") == 0, "%s",
      msg);
  ok (took >= 0.9 && took < 3, "killed after about 1s (%.2fs)", took);

  /* A hook leaving a daemon that holds its stdout must not hang us. */
  t0 = now_s ();
  bg = run ("createRuntime", sh_hook ("sleep 3 & echo started"));
  took = now_s () - t0;
  ok (bg == NULL && took < 2, "a background child keeping stdout open does not block (%.2fs)",
      took);

  h = sh_hook ("exit 0");
  h.timeout = 5;
  h.has_timeout = true;
  fast = run ("createRuntime", h);
  ok (fast == NULL, "a hook within its timeout succeeds");
}

static void
test_big_io (void)
{
  size_t len = 1 << 20;
  char *big = hako_xmalloc0 (len + 1);
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_hook ignore = sh_hook ("exit 0"), reader = sh_hook ("wc -c > {D}/wc");
  struct oci_hook noisy = sh_hook ("head -c 200000 /dev/zero | tr '\\0' x; exit 2");
  cleanup_free char *wc = NULL;
  cleanup_free char *msg = NULL;
  int r1, r2;

  memset (big, 'a', len);
  r1 = hako_hook_run ("createRuntime", &ignore, big, len, &err);
  ok (r1 == 0, "a hook not reading a 1 MiB state does not block or SIGPIPE us");
  hako_error_clear (&err);
  r2 = hako_hook_run ("createRuntime", &reader, big, len, &err);
  wc = slurp ("wc");
  ok (r2 == 0 && atol (wc) == (long)len, "a hook reads the whole 1 MiB state (%s)", wc);
  hako_error_clear (&err);
  free (big);
  msg = run ("createRuntime", noisy);
  ok (msg && strlen (msg) < 1200 && strstr (msg, "exit status 2, stdout: xxx")
          && strcmp (msg + strlen (msg) - 4, "x...") == 0,
      "200 KB of output is drained and the message keeps a bounded head");
}

static void
test_no_fd_leak (void)
{
  int low = open ("/dev/null", O_RDONLY), high = dup2 (low, 100); /* deliberately not CLOEXEC */
  cleanup_free char *msg
      = run ("createRuntime", sh_hook ("set -- /proc/$$/fd/*; echo \"$@\" > {D}/fds"));
  cleanup_free char *fds = slurp ("fds");
  pid_t pid;

  /* Keep the fd numbers only.  The glob lists the directory it reads
   * (fd 3, the lowest free one); any leaked fd would add an entry. */
  for (char *p = fds; (p = strstr (p, "/proc/")) != NULL;)
    {
      char *fd = strstr (p, "/fd/");
      memmove (p, fd + 4, strlen (fd + 4) + 1);
    }
  ok (msg == NULL && strcmp (fds, "0 1 2 3") == 0,
      "the hook gets fds 0 1 2 only, plus its glob's own (got %s)", fds);
  close (low);
  close (high);
  pid = waitpid (-1, NULL, WNOHANG);
  ok (pid == -1 && errno == ECHILD, "no child left behind (waitpid: %d)", (int)pid);
}

static int warnings;
static char *last_warning;

static void
count_warning (void *data, const struct hako_error *failure)
{
  (void)data;
  warnings++;
  free (last_warning);
  last_warning = hako_xstrdup (failure->msg);
}

static void
test_lists (void)
{
  struct oci_hook list[2] = { sh_hook ("exit 4"), sh_hook ("touch {D}/second") };
  struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char *second = hako_strdup_printf ("%s/second", dir);
  size_t failed;
  int r;

  r = hako_hooks_run ("createRuntime", list, 2, state, strlen (state), &err);
  ok (r < 0 && access (second, F_OK) < 0 && strstr (err.msg, "exit status 4"),
      "hako_hooks_run stops at the first failure");
  hako_error_clear (&err);
  failed = hako_hooks_run_all ("poststop", list, 2, state, strlen (state), count_warning, NULL);
  ok (failed == 1 && warnings == 1 && access (second, F_OK) == 0,
      "hako_hooks_run_all runs every hook and warns once");
  ok (last_warning && strcmp (last_warning, "poststop hook \"/bin/sh\": exit status 4") == 0,
      "the warning: %s", last_warning);
  ok (hako_hooks_run ("poststart", NULL, 0, state, strlen (state), &err) == 0,
      "an empty list is fine");
  free (last_warning);
}

int
main (void)
{
  if (mkdtemp (dir) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  test_state_env_args ();
  test_no_args ();
  test_failures ();
  test_timeout ();
  test_big_io ();
  test_lists ();
  test_no_fd_leak ();
  {
    cleanup_free char *cmd = hako_strdup_printf ("rm -rf '%s'", dir);
    if (system (cmd) != 0)
      diag ("could not remove %s", dir);
  }
  return tap_done ();
}

/* The state store (src/libhako/status.c): container ids, atomic state.json
 * writes, the per-container lock, listing, removal, process liveness. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "tap.h"
#include "util.h"

static char tmpdir[] = "/tmp/hako-test-status.XXXXXX";

static void
test_ids (void)
{
  char long_ok[HAKO_ID_MAX + 1], too_long[HAKO_ID_MAX + 2];
  static const char *const good[] = { "a", "abc-DEF_1.2+3", ".a", "..a", "a..", "-", "+", NULL };
  static const char *const bad[]
      = { "", ".", "..", "a/b", "a b", "a\n", "caf\xc3\xa9", "a:b", "$x", "a*", "/", NULL };
  struct hako_error err = HAKO_ERROR_INIT;

  for (size_t i = 0; good[i]; i++)
    ok (hako_id_validate (good[i], &err) == 0, "id \"%s\" is valid", good[i]);
  for (size_t i = 0; bad[i]; i++)
    {
      char want[64];
      snprintf (want, sizeof want, "invalid container id \"%s\"", bad[i]);
      ok (hako_id_validate (bad[i], &err) < 0 && strcmp (err.msg, want) == 0,
          "bad id #%zu is invalid, with the message", i);
      hako_error_clear (&err);
    }
  memset (long_ok, 'x', HAKO_ID_MAX);
  long_ok[HAKO_ID_MAX] = '\0';
  memset (too_long, 'x', HAKO_ID_MAX + 1);
  too_long[HAKO_ID_MAX + 1] = '\0';
  ok (hako_id_validate (long_ok, NULL) == 0, "an id of %d bytes is valid", HAKO_ID_MAX);
  ok (hako_id_validate (too_long, NULL) < 0, "an id of %d bytes is not", HAKO_ID_MAX + 1);
}

static char *
path_in_tmp (const char *rel)
{
  return hako_strdup_printf ("%s/%s", tmpdir, rel);
}

static bool
exists (const char *rel)
{
  cleanup_free char *p = path_in_tmp (rel);
  struct stat st;

  return lstat (p, &st) == 0;
}

static void
open_store (struct hako_store *s, const char *rel, bool create)
{
  cleanup_free char *p = path_in_tmp (rel);
  struct hako_error err = HAKO_ERROR_INIT;

  if (hako_store_open (s, p, create, &err) < 0)
    {
      printf ("Bail out! store %s: %s\n", p, err.msg);
      exit (1);
    }
}

static void
test_store_open (void)
{
  struct hako_store s;
  struct stat st;
  cleanup_free char *p = path_in_tmp ("deep/er/root");
  char **ids = NULL;
  size_t n = 99;

  open_store (&s, "missing", false);
  ok (s.dirfd < 0 && !exists ("missing"), "a missing root is not made without CREATE");
  ok (hako_store_list (&s, &ids, &n, NULL) == 0 && n == 0 && ids[0] == NULL,
      "a missing root lists no containers");
  hako_strv_free (ids);
  hako_store_close (&s);

  open_store (&s, "deep/er/root", true);
  ok (s.dirfd >= 0 && stat (p, &st) == 0 && (st.st_mode & 07777) == 0700,
      "CREATE makes the root and its parents, mode 0700 (got %o)", st.st_mode & 07777);
  hako_store_close (&s);
}

static struct oci_hako_status *
sample_status (const char *id, int64_t pid, size_t n_annotations)
{
  struct oci_hako_status *st = hako_xmalloc0 (sizeof *st);

  st->id = hako_xstrdup (id);
  st->bundle = hako_xstrdup ("/tmp/bundle");
  st->rootfs = hako_xstrdup ("/tmp/bundle/rootfs");
  st->created = hako_timestamp_now ();
  st->pid = pid;
  st->has_pid = true;
  st->pid_start_time = 12345;
  st->has_pid_start_time = true;
  st->annotations.keys = hako_xmalloc0 ((n_annotations + 1) * sizeof (char *));
  st->annotations.values = hako_xmalloc0 ((n_annotations + 1) * sizeof (char *));
  for (size_t i = 0; i < n_annotations; i++)
    {
      st->annotations.keys[i] = hako_strdup_printf ("key.%zu", i);
      st->annotations.values[i] = hako_strdup_printf ("value %zu with some padding text", i);
    }
  st->annotations.len = n_annotations;
  return st;
}

static void
test_status_file (void)
{
  struct hako_store s;
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_hako_status *a = sample_status ("c1", 42, 3), *b = sample_status ("c1", 43, 0);
  struct oci_hako_status *back;
  int dirfd;

  open_store (&s, "root", true);
  dirfd = hako_store_create_dir (&s, "c1", &err);
  ok (dirfd >= 0, "create_dir makes <root>/c1");
  ok (hako_store_create_dir (&s, "c1", &err) < 0 && err.errnum == EEXIST
          && strcmp (err.msg, "container \"c1\" already exists") == 0,
      "create_dir again: %s", err.msg);
  hako_error_clear (&err);
  back = hako_status_read (dirfd, &err);
  ok (back == NULL && err.errnum == ENOENT, "reading a missing state.json fails with ENOENT");
  hako_error_clear (&err);

  ok (hako_status_write (dirfd, a, &err) == 0, "write state.json");
  back = hako_status_read (dirfd, &err);
  ok (back && oci_equal (&oci_hako_status_type, a, back),
      "what is read back equals what was written");
  hako_status_free (back);
  ok (!exists ("root/c1/.state.json.tmp"), "no temporary file is left behind");
  ok (hako_status_write (dirfd, b, &err) == 0, "replace state.json");
  back = hako_status_read (dirfd, &err);
  ok (back && oci_equal (&oci_hako_status_type, b, back) && back->annotations.len == 0,
      "the replacement is read back whole");
  hako_status_free (back);
  back = hako_store_read_status (&s, "c1", &err);
  ok (back && back->pid == 43, "read_status finds it by id without the lock");
  hako_status_free (back);
  hako_status_free (a);
  hako_status_free (b);
  close (dirfd);
  hako_store_close (&s);
}

/* A reader that never sees a torn state.json while a writer keeps replacing
 * it with documents of different sizes. */
static void
test_atomic_replace (void)
{
  struct hako_store s;
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_hako_status *big = sample_status ("c2", 1, 200), *small = sample_status ("c2", 2, 0);
  int dirfd, status, bad_writes = 0;
  pid_t reader;

  open_store (&s, "root", true);
  dirfd = hako_store_create_dir (&s, "c2", &err);
  hako_status_write (dirfd, big, &err);
  reader = fork ();
  if (reader == 0)
    {
      int torn = 0;
      for (int i = 0; i < 3000; i++)
        {
          struct hako_error e = HAKO_ERROR_INIT;
          struct oci_hako_status *st = hako_status_read (dirfd, &e);
          if (st == NULL)
            torn++;
          hako_status_free (st);
          hako_error_clear (&e);
        }
      _exit (torn > 0);
    }
  for (int i = 0; i < 300; i++)
    if (hako_status_write (dirfd, i % 2 ? big : small, &err) < 0)
      bad_writes++;
  waitpid (reader, &status, 0);
  ok (bad_writes == 0, "300 replacements written");
  ok (WIFEXITED (status) && WEXITSTATUS (status) == 0,
      "a concurrent reader parsed every version it read (3000 reads)");
  hako_status_free (big);
  hako_status_free (small);
  close (dirfd);
  hako_store_close (&s);
}

/* In a child: try to lock the lock file of ID without blocking. */
static bool
child_can_lock (const char *id)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      cleanup_free char *p = hako_strdup_printf ("%s/root/%s/%s", tmpdir, HAKO_LOCK_DIR, id);
      int fd = open (p, O_RDWR | O_CLOEXEC);
      _exit (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
    }
  waitpid (pid, &status, 0);
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* Fork a child that blocks in hako_store_lock and writes one byte to the
 * returned pipe once it holds the lock (then holds it HOLD_MS). */
static pid_t
spawn_locker (const char *id, int hold_ms, int *readfd)
{
  int p[2];
  pid_t pid;

  if (pipe2 (p, O_CLOEXEC) < 0)
    abort ();
  pid = fork ();
  if (pid == 0)
    {
      struct hako_store s;
      int fd;
      /* Drop the fds inherited from the parent, its lock among them: a
       * flock belongs to the open file, which a forked copy keeps locked. */
      for (int i = 3; i < 1024; i++)
        if (i != p[1])
          close (i);
      open_store (&s, "root", true);
      fd = hako_store_lock (&s, id, NULL);
      if (fd < 0 || write (p[1], "L", 1) != 1)
        _exit (1);
      poll (NULL, 0, hold_ms);
      _exit (0);
    }
  close (p[1]);
  *readfd = p[0];
  return pid;
}

static bool
readable_within (int fd, int ms)
{
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  char c;

  return poll (&pfd, 1, ms) == 1 && read (fd, &c, 1) == 1;
}

static void
test_lock (void)
{
  struct hako_store s;
  struct hako_error err = HAKO_ERROR_INIT;
  int fd, rd, status;
  pid_t child;

  open_store (&s, "root", true);
  fd = hako_store_lock (&s, "locked", &err);
  ok (fd >= 0 && exists ("root/@locks/locked"), "the lock file is <root>/@locks/<id>");
  ok (fcntl (fd, F_GETFD) & FD_CLOEXEC, "the lock fd is close-on-exec");
  ok (!child_can_lock ("locked"), "another process cannot take a held lock (LOCK_NB)");

  child = spawn_locker ("locked", 0, &rd);
  ok (!readable_within (rd, 300), "hako_store_lock blocks while the lock is held");
  hako_store_unlock (&s, "locked", fd, false);
  ok (readable_within (rd, 5000), "and gets the lock once it is released");
  waitpid (child, &status, 0);
  close (rd);
  ok (child_can_lock ("locked"), "the lock is free after its holder exits");

  /* The holder removes the lock file while someone waits: the waiter must
   * end up holding the file the path names, not the unlinked one. */
  fd = hako_store_lock (&s, "removed", &err);
  child = spawn_locker ("removed", 1000, &rd);
  poll (NULL, 0, 200);
  hako_store_unlock (&s, "removed", fd, true);
  ok (readable_within (rd, 5000), "a waiter gets the lock after the file was removed");
  ok (exists ("root/@locks/removed"), "it made a new lock file");
  ok (!child_can_lock ("removed"), "and that file is the one it holds");
  waitpid (child, &status, 0);
  close (rd);
  hako_store_close (&s);
}

static void
make_dir (const char *rel)
{
  cleanup_free char *p = path_in_tmp (rel);
  mkdir (p, 0700);
}

static void
make_file (const char *rel)
{
  cleanup_free char *p = path_in_tmp (rel);
  int fd = open (p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  close (fd);
}

static void
test_list (void)
{
  static const char *const dirs[] = { "list/b",  "list/a",      "list/C",        "list/a.b",
                                      "list/_x", "list/@locks", "list/bad name", NULL };
  struct hako_store s;
  char **ids = NULL;
  size_t n = 0;
  char joined[256] = "";

  make_dir ("list");
  for (size_t i = 0; dirs[i]; i++)
    make_dir (dirs[i]);
  make_file ("list/file");
  open_store (&s, "list", false);
  ok (hako_store_list (&s, &ids, &n, NULL) == 0, "list the store");
  for (size_t i = 0; i < n; i++)
    snprintf (joined + strlen (joined), sizeof joined - strlen (joined), "%s%s", i ? "," : "",
              ids[i]);
  ok (strcmp (joined, "C,_x,a,a.b,b") == 0 && ids[n] == NULL,
      "directories with valid ids only, sorted: %s", joined);
  hako_strv_free (ids);
  hako_store_close (&s);
}

static void
test_entries (void)
{
  struct hako_store s;
  struct hako_entry e;
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_hako_status *st = sample_status ("full", 1, 1);
  cleanup_free char *outside = path_in_tmp ("outside");
  cleanup_free char *link = path_in_tmp ("root/full/link");
  int dirfd;

  open_store (&s, "root", true);
  ok (hako_entry_open (&s, "nope", false, &e, &err) < 0 && err.errnum == ENOENT
          && strcmp (err.msg, "container \"nope\" does not exist") == 0,
      "a missing container: %s", err.msg);
  hako_error_clear (&err);
  ok (!exists ("root/@locks/nope"), "asking for it leaves no lock file");
  ok (hako_entry_open (&s, "../x", false, &e, &err) < 0 && err.errnum == EINVAL,
      "a bad id is refused: %s", err.msg);
  hako_error_clear (&err);

  make_dir ("root/partial");
  ok (hako_entry_open (&s, "partial", false, &e, &err) < 0 && err.errnum == ENOENT,
      "a directory without state.json does not exist as a container");
  hako_error_clear (&err);
  ok (hako_entry_open (&s, "partial", true, &e, &err) == 0 && e.status == NULL,
      "but delete can open it (ALLOW_PARTIAL)");
  ok (hako_entry_destroy (&e, &err) == 0 && !exists ("root/partial")
          && !exists ("root/@locks/partial"),
      "and destroy it, with its lock file");

  dirfd = hako_store_create_dir (&s, "full", &err);
  hako_status_write (dirfd, st, &err);
  close (dirfd);
  make_dir ("outside");
  make_file ("outside/keep");
  make_dir ("root/full/sub");
  make_file ("root/full/sub/f");
  ok (symlink (outside, link) == 0, "a symlink in the container directory points outside");
  ok (hako_entry_open (&s, "full", false, &e, &err) == 0 && e.status && e.status->pid == 1,
      "open an existing container (locked, state read)");
  ok (!child_can_lock ("full"), "an open entry holds the lock");
  ok (hako_entry_destroy (&e, &err) == 0, "destroy it");
  ok (!exists ("root/full") && !exists ("root/@locks/full"), "its directory and lock are gone");
  ok (exists ("outside/keep"), "what the symlink pointed to is untouched");
  hako_status_free (st);
  hako_store_close (&s);
}

static void
test_liveness (void)
{
  struct oci_hako_status *st = sample_status ("live", getpid (), 0);
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_store nostore = { -1, -1, NULL };
  uint64_t start;
  char state;
  pid_t child;

  ok (hako_proc_stat (getpid (), &start, &state, &err) == 0 && start > 0 && state == 'R',
      "read our own start time (%llu) and state (%c)", (unsigned long long)start, state);
  st->pid_start_time = start;
  ok (hako_status_process_alive (st), "a live pid with its start time is alive");
  ok (strcmp (hako_container_status (&nostore, st), "running") == 0,
      "and, without an exec fifo, reported as running");
  st->pid_start_time = start + 1;
  ok (!hako_status_process_alive (st), "another start time means another process");

  child = fork ();
  if (child == 0)
    _exit (0);
  poll (NULL, 0, 100);
  st->pid = child;
  st->has_pid_start_time = false;
  ok (!hako_status_process_alive (st), "a zombie is not alive");
  waitpid (child, NULL, 0);
  ok (!hako_status_process_alive (st), "an exited pid is not alive");
  ok (strcmp (hako_container_status (&nostore, st), "stopped") == 0, "and reported as stopped");
  hako_status_free (st);
}

static void
test_timestamp (void)
{
  cleanup_free char *t = hako_timestamp_now ();
  struct tm tm = { 0 };
  const char *rest = strptime (t, "%Y-%m-%dT%H:%M:%S", &tm);

  ok (rest && rest[0] == '.' && strlen (rest) == 11 && rest[10] == 'Z',
      "timestamps are RFC 3339 with nanoseconds, UTC: %s", t);
}

int
main (void)
{
  char cmd[128];

  if (mkdtemp (tmpdir) == NULL)
    {
      printf ("Bail out! mkdtemp: %s\n", strerror (errno));
      return 1;
    }
  test_ids ();
  test_store_open ();
  test_status_file ();
  test_atomic_replace ();
  test_lock ();
  test_list ();
  test_entries ();
  test_liveness ();
  test_timestamp ();
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system (cmd) != 0)
    diag ("could not remove %s", tmpdir);
  return tap_done ();
}

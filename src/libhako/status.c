#define _GNU_SOURCE
#include "status.h"

#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define STATE_TMP_FILE ".state.json.tmp"
/* A container directory holds a few files and maybe a directory or two;
 * anything deeper than this is not ours. */
#define REMOVE_MAX_DEPTH 16

static bool
id_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
         || c == '+' || c == '.' || c == '-';
}

int
hako_id_validate (const char *id, struct hako_error *err)
{
  size_t len = strlen (id);
  bool ok = len > 0 && len <= HAKO_ID_MAX && strcmp (id, ".") != 0 && strcmp (id, "..") != 0;

  for (size_t i = 0; ok && i < len; i++)
    ok = id_char (id[i]);
  if (!ok)
    return hako_error_set (err, EINVAL, "invalid container id \"%s\"", id);
  return 0;
}

static int
not_exist (struct hako_error *err, const char *id)
{
  return hako_error_set (err, ENOENT, "container \"%s\" does not exist", id);
}

/* mkdir -p PATH with MODE for every directory it makes. */
static int
mkdir_parents (const char *path, mode_t mode, struct hako_error *err)
{
  cleanup_free char *copy = hako_xstrdup (path);

  for (char *p = copy + 1;; p++)
    {
      char saved = *p;
      if (saved != '/' && saved != '\0')
        continue;
      *p = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return hako_error_sys (err, errno, "mkdir `%s`", copy);
      *p = saved;
      if (saved == '\0')
        return 0;
    }
}

int
hako_store_open (struct hako_store *store, const char *root, bool create, struct hako_error *err)
{
  store->dirfd = -1;
  store->lockfd = -1;
  store->path = hako_xstrdup (root);
  if (create && mkdir_parents (root, 0700, err) < 0)
    goto fail;
  store->dirfd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (store->dirfd >= 0 || (errno == ENOENT && !create))
    return 0;
  hako_error_sys (err, errno, "open state root `%s`", root);
fail:
  hako_store_close (store);
  return -1;
}

void
hako_store_close (struct hako_store *store)
{
  hako_closep (&store->dirfd);
  hako_closep (&store->lockfd);
  free (store->path);
  store->path = NULL;
}

static int
open_lock_dir (struct hako_store *store, struct hako_error *err)
{
  if (store->lockfd >= 0)
    return 0;
  if (store->dirfd < 0)
    return hako_error_set (err, ENOENT, "state root `%s` does not exist", store->path);
  if (mkdirat (store->dirfd, HAKO_LOCK_DIR, 0700) < 0 && errno != EEXIST)
    return hako_error_sys (err, errno, "mkdir `%s/%s`", store->path, HAKO_LOCK_DIR);
  store->lockfd
      = openat (store->dirfd, HAKO_LOCK_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (store->lockfd < 0)
    return hako_error_sys (err, errno, "open `%s/%s`", store->path, HAKO_LOCK_DIR);
  return 0;
}

/* After flock returns, is FD still the file the lock path names?  It is not
 * if the holder we waited for removed it (and maybe someone made a new one). */
static bool
lock_is_current (int lockdir, const char *id, int fd)
{
  struct stat held, named;

  if (fstat (fd, &held) < 0 || fstatat (lockdir, id, &named, AT_SYMLINK_NOFOLLOW) < 0)
    return false;
  return held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

int
hako_store_lock (struct hako_store *store, const char *id, struct hako_error *err)
{
  if (open_lock_dir (store, err) < 0)
    return -1;
  for (;;)
    {
      cleanup_fd int fd
          = openat (store->lockfd, id, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
        return hako_error_sys (err, errno, "open lock for container \"%s\"", id);
      while (flock (fd, LOCK_EX) < 0)
        if (errno != EINTR)
          return hako_error_sys (err, errno, "lock container \"%s\"", id);
      if (lock_is_current (store->lockfd, id, fd))
        return hako_steal_fd (&fd);
    }
}

void
hako_store_unlock (struct hako_store *store, const char *id, int lockfd, bool remove)
{
  /* Unlink before unlocking, so no one can lock the old file afterwards
   * and believe it holds the current lock. */
  if (remove && store->lockfd >= 0)
    unlinkat (store->lockfd, id, 0);
  if (lockfd >= 0)
    close (lockfd);
}

int
hako_store_create_dir (struct hako_store *store, const char *id, struct hako_error *err)
{
  int fd;

  if (store->dirfd < 0)
    return hako_error_set (err, ENOENT, "state root `%s` does not exist", store->path);
  if (mkdirat (store->dirfd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return hako_error_set (err, EEXIST, "container \"%s\" already exists", id);
      return hako_error_sys (err, errno, "mkdir `%s/%s`", store->path, id);
    }
  fd = openat (store->dirfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return hako_error_sys (err, errno, "open `%s/%s`", store->path, id);
  return fd;
}

/* Empty the directory FD (which this function closes), never following a
 * symlink: entries are unlinked relative to their parent's fd. */
static int
remove_contents (int fd, int depth, struct hako_error *err)
{
  cleanup_dir DIR *dir = fdopendir (fd);
  struct dirent *de;

  if (dir == NULL)
    {
      close (fd);
      return hako_error_sys (err, errno, "opendir");
    }
  if (depth > REMOVE_MAX_DEPTH)
    return hako_error_set (err, ELOOP, "directory nesting deeper than %d", REMOVE_MAX_DEPTH);
  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      int sub;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (unlinkat (dirfd (dir), de->d_name, 0) == 0 || errno == ENOENT)
        continue;
      if (errno != EISDIR)
        return hako_error_sys (err, errno, "unlink `%s`", de->d_name);
      sub = openat (dirfd (dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0)
        return hako_error_sys (err, errno, "open `%s`", de->d_name);
      if (remove_contents (sub, depth + 1, err) < 0)
        return hako_error_wrap (err, "%s", de->d_name);
      if (unlinkat (dirfd (dir), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return hako_error_sys (err, errno, "rmdir `%s`", de->d_name);
    }
  if (errno != 0)
    return hako_error_sys (err, errno, "readdir");
  return 0;
}

int
hako_store_remove_dir (struct hako_store *store, const char *id, struct hako_error *err)
{
  int fd;

  if (store->dirfd < 0)
    return 0;
  fd = openat (store->dirfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : hako_error_sys (err, errno, "open `%s/%s`", store->path, id);
  if (remove_contents (fd, 0, err) < 0)
    return hako_error_wrap (err, "remove `%s/%s`", store->path, id);
  if (unlinkat (store->dirfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return hako_error_sys (err, errno, "rmdir `%s/%s`", store->path, id);
  return 0;
}

static bool
is_container_dir (int rootfd, const struct dirent *de)
{
  struct stat st;

  if (hako_id_validate (de->d_name, NULL) < 0)
    return false;
  if (de->d_type != DT_UNKNOWN)
    return de->d_type == DT_DIR;
  return fstatat (rootfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode);
}

static int
compare_ids (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

void
hako_strv_free (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

int
hako_store_list (struct hako_store *store, char ***ids, size_t *n, struct hako_error *err)
{
  cleanup_dir DIR *dir = NULL;
  struct dirent *de;
  size_t len = 0, cap = 8;
  char **v = hako_xmalloc0 (cap * sizeof *v);
  int fd;

  if (store->dirfd >= 0)
    {
      /* A fresh fd: readdir's position must not be shared with dirfd. */
      fd = openat (store->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0 || (dir = fdopendir (fd)) == NULL)
        {
          hako_error_sys (err, errno, "open state root `%s`", store->path);
          if (fd >= 0)
            close (fd);
          free (v);
          return -1;
        }
    }
  while (dir && (de = readdir (dir)) != NULL)
    {
      if (!is_container_dir (dirfd (dir), de))
        continue;
      if (len + 1 == cap)
        {
          char **nv = realloc (v, (cap *= 2) * sizeof *v);
          if (nv == NULL)
            {
              hako_strv_free (v);
              return hako_error_set (err, ENOMEM, "out of memory");
            }
          v = nv;
        }
      v[len++] = hako_xstrdup (de->d_name);
      v[len] = NULL;
    }
  qsort (v, len, sizeof *v, compare_ids);
  *ids = v;
  if (n)
    *n = len;
  return 0;
}

/* Write DATA to a temporary file, flush it to disk and rename it over
 * state.json, then flush the directory: a reader or a crash sees the old
 * or the new file, never a torn one. */
static int
write_atomically (int dirfd, const char *data, size_t len, struct hako_error *err)
{
  cleanup_fd int fd
      = openat (dirfd, STATE_TMP_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

  if (fd < 0)
    return hako_error_sys (err, errno, "create `%s`", STATE_TMP_FILE);
  if (hako_write_all (fd, data, len) < 0 || fsync (fd) < 0)
    {
      hako_error_sys (err, errno, "write `%s`", STATE_TMP_FILE);
      goto fail;
    }
  if (close (hako_steal_fd (&fd)) < 0)
    {
      hako_error_sys (err, errno, "close `%s`", STATE_TMP_FILE);
      goto fail;
    }
  if (renameat (dirfd, STATE_TMP_FILE, dirfd, HAKO_STATE_FILE) < 0)
    {
      hako_error_sys (err, errno, "rename `%s` to `%s`", STATE_TMP_FILE, HAKO_STATE_FILE);
      goto fail;
    }
  if (fsync (dirfd) < 0)
    return hako_error_sys (err, errno, "fsync state directory");
  return 0;
fail:
  unlinkat (dirfd, STATE_TMP_FILE, 0);
  return -1;
}

int
hako_status_write (int dirfd, const struct oci_hako_status *status, struct hako_error *err)
{
  size_t len = 0;
  cleanup_free char *json = oci_serialize (&oci_hako_status_type, status, true, &len, err);

  if (json == NULL)
    return hako_error_wrap (err, "serialize %s", HAKO_STATE_FILE);
  return write_atomically (dirfd, json, len, err);
}

struct oci_hako_status *
hako_status_read (int dirfd, struct hako_error *err)
{
  cleanup_fd int fd = openat (dirfd, HAKO_STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_free char *data = NULL;
  size_t len = 0;

  if (fd < 0)
    {
      hako_error_sys (err, errno, "open `%s`", HAKO_STATE_FILE);
      return NULL;
    }
  if (hako_read_all_fd (fd, &data, &len, err) < 0)
    {
      hako_error_wrap (err, "read `%s`", HAKO_STATE_FILE);
      return NULL;
    }
  return oci_parse (&oci_hako_status_type, data, len, HAKO_STATE_FILE, err);
}

struct oci_hako_status *
hako_store_read_status (struct hako_store *store, const char *id, struct hako_error *err)
{
  cleanup_fd int fd = -1;
  struct oci_hako_status *status;

  if (hako_id_validate (id, err) < 0)
    return NULL;
  if (store->dirfd >= 0)
    fd = openat (store->dirfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && (store->dirfd < 0 || errno == ENOENT))
    {
      not_exist (err, id);
      return NULL;
    }
  if (fd < 0)
    {
      hako_error_sys (err, errno, "open `%s/%s`", store->path, id);
      return NULL;
    }
  status = hako_status_read (fd, err);
  /* No state.json yet: a create still running (or one that died) has not
   * made a container anyone can use. */
  if (status == NULL && err && err->errnum == ENOENT)
    not_exist (err, id);
  return status;
}

void
hako_status_free (struct oci_hako_status *status)
{
  oci_free (&oci_hako_status_type, status);
}

static bool
dir_exists (int rootfd, const char *id)
{
  struct stat st;

  return rootfd >= 0 && fstatat (rootfd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode);
}

static int
entry_load (struct hako_entry *entry, bool allow_partial, struct hako_error *err)
{
  struct hako_store *store = entry->store;

  entry->dirfd = openat (store->dirfd, entry->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (entry->dirfd < 0)
    {
      /* Deleted while we waited for the lock. */
      if (errno == ENOENT)
        return not_exist (err, entry->id);
      return hako_error_sys (err, errno, "open `%s/%s`", store->path, entry->id);
    }
  entry->status = hako_status_read (entry->dirfd, err);
  if (entry->status != NULL)
    return 0;
  if (err && err->errnum == ENOENT)
    {
      if (allow_partial)
        {
          hako_error_clear (err);
          return 0;
        }
      return not_exist (err, entry->id);
    }
  return hako_error_wrap (err, "container \"%s\"", entry->id);
}

int
hako_entry_open (struct hako_store *store, const char *id, bool allow_partial,
                 struct hako_entry *entry, struct hako_error *err)
{
  *entry = (struct hako_entry){ .store = store, .lockfd = -1, .dirfd = -1 };
  if (hako_id_validate (id, err) < 0)
    return -1;
  /* Checked before locking too, so asking about a container that is not
   * there leaves no lock file behind. */
  if (!dir_exists (store->dirfd, id))
    return not_exist (err, id);
  entry->lockfd = hako_store_lock (store, id, err);
  if (entry->lockfd < 0)
    return -1;
  entry->id = hako_xstrdup (id);
  if (entry_load (entry, allow_partial, err) == 0)
    return 0;
  hako_store_unlock (store, id, hako_steal_fd (&entry->lockfd), !dir_exists (store->dirfd, id));
  hako_entry_close (entry);
  return -1;
}

void
hako_entry_close (struct hako_entry *entry)
{
  if (entry->lockfd >= 0)
    hako_store_unlock (entry->store, entry->id, hako_steal_fd (&entry->lockfd), false);
  hako_closep (&entry->dirfd);
  hako_status_free (entry->status);
  entry->status = NULL;
  free (entry->id);
  entry->id = NULL;
}

int
hako_entry_destroy (struct hako_entry *entry, struct hako_error *err)
{
  hako_closep (&entry->dirfd);
  if (hako_store_remove_dir (entry->store, entry->id, err) < 0)
    return -1;
  hako_store_unlock (entry->store, entry->id, hako_steal_fd (&entry->lockfd), true);
  hako_entry_close (entry);
  return 0;
}

int
hako_proc_stat (pid_t pid, uint64_t *start_time, char *state, struct hako_error *err)
{
  char path[64];
  cleanup_free char *data = NULL;
  char *p, *end;

  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  if (hako_read_file_at (AT_FDCWD, path, &data, NULL, err) < 0)
    return -1;
  /* The command name (field 2) may hold spaces and ')': skip to the last ')'. */
  p = strrchr (data, ')');
  if (p == NULL || p[1] != ' ' || p[2] == '\0')
    return hako_error_set (err, EINVAL, "%s: unexpected format", path);
  if (state)
    *state = p[2];
  p += 2;
  /* p is at field 3; field 22 is 19 fields further on. */
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p, ' ');
      if (p == NULL)
        return hako_error_set (err, EINVAL, "%s: too few fields", path);
      p++;
    }
  errno = 0;
  *start_time = strtoull (p, &end, 10);
  if (errno != 0 || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
    return hako_error_set (err, EINVAL, "%s: bad start time", path);
  return 0;
}

bool
hako_status_process_alive (const struct oci_hako_status *status)
{
  uint64_t start;
  char state;

  if (!status->has_pid || status->pid <= 0)
    return false;
  if (hako_proc_stat (status->pid, &start, &state, NULL) < 0)
    return false;
  if (state == 'Z' || state == 'X')
    return false;
  return !status->has_pid_start_time || start == status->pid_start_time;
}

static bool
is_frozen (const struct oci_hako_status *status)
{
  cleanup_cgroup struct hako_cgroup *cg = NULL;
  bool frozen = false;

  if (status->cgroup_path == NULL || *status->cgroup_path == '\0')
    return false;
  cg = hako_cgroup_load (status->cgroup_path, NULL);
  return cg && hako_cgroup_is_frozen (cg, &frozen) == 0 && frozen;
}

const char *
hako_container_status (struct hako_store *store, const struct oci_hako_status *status)
{
  char fifo[HAKO_ID_MAX + 32];
  struct stat st;

  if (!hako_status_process_alive (status))
    return "stopped";
  /* create makes the exec fifo, start removes it. */
  snprintf (fifo, sizeof fifo, "%s/exec.fifo", status->id);
  if (store->dirfd >= 0 && fstatat (store->dirfd, fifo, &st, AT_SYMLINK_NOFOLLOW) == 0)
    return "created";
  return is_frozen (status) ? "paused" : "running";
}

char *
hako_entry_owner (struct hako_store *store, const char *id)
{
  struct stat st;
  struct passwd pw, *found = NULL;
  char buf[4096];

  if (store->dirfd < 0 || fstatat (store->dirfd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return hako_xstrdup ("");
  if (getpwuid_r (st.st_uid, &pw, buf, sizeof buf, &found) == 0 && found != NULL)
    return hako_xstrdup (found->pw_name);
  return hako_strdup_printf ("#%u", (unsigned)st.st_uid);
}

char *
hako_timestamp_now (void)
{
  struct timespec ts;
  struct tm tm;
  char date[32];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  return hako_strdup_printf ("%s.%09ldZ", date, ts.tv_nsec);
}

static void
strmap_copy (struct oci_strmap *to, const struct oci_strmap *from)
{
  to->len = from->len;
  to->keys = hako_xmalloc0 (from->len * sizeof *to->keys);
  to->values = hako_xmalloc0 (from->len * sizeof *to->values);
  for (size_t i = 0; i < from->len; i++)
    {
      to->keys[i] = hako_xstrdup (from->keys[i]);
      to->values[i] = hako_xstrdup (from->values[i]);
    }
}

static char *
strdup_or_null (const char *s)
{
  return s ? hako_xstrdup (s) : NULL;
}

struct oci_runtime_state *
hako_runtime_state (struct hako_store *store, const struct oci_hako_status *status)
{
  struct oci_runtime_state *s = hako_xmalloc0 (sizeof *s);
  const char *st = hako_container_status (store, status);

  s->oci_version = hako_xstrdup (OCI_SPEC_VERSION);
  s->id = hako_xstrdup (status->id);
  s->status = hako_xstrdup (st);
  s->pid = strcmp (st, "stopped") == 0 || !status->has_pid ? 0 : status->pid;
  s->has_pid = true;
  s->bundle = hako_xstrdup (status->bundle);
  s->rootfs = strdup_or_null (status->rootfs);
  s->created = strdup_or_null (status->created);
  if (status->annotations.len > 0)
    strmap_copy (&s->annotations, &status->annotations);
  s->owner = hako_entry_owner (store, status->id);
  return s;
}

void
hako_runtime_state_free (struct oci_runtime_state *state)
{
  oci_free (&oci_runtime_state_type, state);
}

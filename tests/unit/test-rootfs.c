/* hako_rootfs_prepare / _pivot / _finalize for real (needs root).
 *
 * Each scenario gets a fresh busybox rootfs under a temporary directory in
 * /tmp, and runs in a child that unshares a mount and a PID namespace and
 * forks PID 1 there: the mounts never reach the host's namespace.  PID 1
 * calls the three functions with a hand-built struct hako_init_ctx and a
 * config parsed from JSON, then inspects the result from inside (mountinfo,
 * stat, writes, a busybox shell) and reports each check over a pipe; the
 * parent turns the reports into TAP and checks the host afterwards (no
 * file created through a symlink outside the rootfs). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "mount-options.h"
#include "rootfs.h"
#include "oci.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

static char base[256];          /* the temporary directory of the whole run */
static int report_fd = -1;      /* PID 1 -> parent: "1 text" / "0 text" lines */
static bool host_cgroup_v2;     /* /sys/fs/cgroup is cgroup2 (else v1 or hybrid) */
static bool host_cgroup_hybrid; /* v1 with the unified hierarchy beside it */
/* The rootfs opened before the namespaces are made, as stage 0 does. */
static int host_rootfs_fd = -1;
static struct stat host_null; /* the host's /dev/null, which a user namespace binds */
static char probe[64];        /* a name unique to this run, for escape probes */

/* ------------------------------------------------------- inside PID 1 */

static void __attribute__ ((format (printf, 2, 3))) check (bool cond, const char *fmt, ...)
{
  char line[1024];
  va_list ap;
  int n = snprintf (line, sizeof line, "%d ", cond ? 1 : 0);

  va_start (ap, fmt);
  n += vsnprintf (line + n, sizeof line - n - 1, fmt, ap);
  va_end (ap);
  if (n > (int)sizeof line - 2)
    n = sizeof line - 2;
  for (int i = 0; i < n; i++)
    if (line[i] == '\n')
      line[i] = ' ';
  line[n++] = '\n';
  if (write (report_fd, line, n) < 0)
    _exit (3);
}

struct mnt
{
  char root[PATH_MAX];
  char opts[256];     /* per-mount options */
  char optional[256]; /* shared:N master:N unbindable */
  char fstype[64];
  char super[512];
};

/* The topmost mount at MOUNTPOINT in /proc/self/mountinfo. */
static bool
find_mount (const char *mountpoint, struct mnt *out)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[4096];
  bool found = false;

  if (f == NULL)
    return false;
  while (fgets (line, sizeof line, f))
    {
      char root[PATH_MAX], mp[PATH_MAX], opts[256], rest[2048], *dash;
      struct mnt m = { 0 };

      if (sscanf (line, "%*d %*d %*s %4095s %4095s %255s %2047[^\n]", root, mp, opts, rest) != 4)
        continue;
      if (strcmp (mp, mountpoint) != 0)
        continue;
      dash = strstr (rest, "- ");
      if (dash == NULL)
        continue;
      snprintf (m.optional, sizeof m.optional, "%.*s", (int)(dash - rest), rest);
      sscanf (dash, "- %63s %*s %511s", m.fstype, m.super);
      snprintf (m.root, sizeof m.root, "%s", root);
      snprintf (m.opts, sizeof m.opts, "%s", opts);
      *out = m;
      found = true;
    }
  fclose (f);
  return found;
}

/* The topmost mount at MOUNTPOINT, or one with an empty fstype. */
static struct mnt
mount_at (const char *mountpoint)
{
  struct mnt m = { 0 };

  if (!find_mount (mountpoint, &m))
    memset (&m, 0, sizeof m);
  return m;
}

static bool
has_opt (const char *opts, const char *o)
{
  size_t n = strlen (o);

  for (const char *p = opts; (p = strstr (p, o)) != NULL; p += n)
    if ((p == opts || p[-1] == ',' || p[-1] == ' ') && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
      return true;
  return false;
}

/* The mount at MP exists and has every option of the comma list WANT. */
static void
check_mount (const char *mp, const char *fstype, const char *want)
{
  struct mnt m;
  char copy[256], *save = NULL;
  bool good;

  if (!find_mount (mp, &m))
    {
      check (false, "%s is mounted", mp);
      return;
    }
  good = fstype == NULL || strcmp (m.fstype, fstype) == 0;
  snprintf (copy, sizeof copy, "%s", want ? want : "");
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    good = good && has_opt (m.opts, t);
  check (good, "%s is %s with %s (got %s %s)", mp, fstype ? fstype : "mounted", want ? want : "-",
         m.fstype, m.opts);
}

static void
check_node (const char *path, mode_t fmt, unsigned maj, unsigned min, mode_t perm, uid_t uid,
            gid_t gid)
{
  struct stat st;
  bool good = lstat (path, &st) == 0 && (st.st_mode & S_IFMT) == fmt
              && (fmt == S_IFIFO || st.st_rdev == makedev (maj, min))
              && (st.st_mode & 07777) == perm && st.st_uid == uid && st.st_gid == gid;

  check (good, "%s is %o %u:%u mode %04o owner %u:%u (got %o %u:%u %04o %u:%u)", path, fmt, maj,
         min, perm, uid, gid, st.st_mode & S_IFMT, major (st.st_rdev), minor (st.st_rdev),
         st.st_mode & 07777, st.st_uid, st.st_gid);
}

static void
check_link (const char *path, const char *target)
{
  char buf[PATH_MAX];
  ssize_t n = readlink (path, buf, sizeof buf - 1);

  buf[n < 0 ? 0 : n] = '\0';
  check (n > 0 && strcmp (buf, target) == 0, "%s -> %s (got %s)", path, target, buf);
}

/* open(PATH, FLAGS) fails with ERRNUM. */
static void
check_open_fails (const char *path, int flags, int errnum)
{
  int fd = open (path, flags | O_CLOEXEC, 0644);
  int saved = errno;

  if (fd >= 0)
    close (fd);
  check (fd < 0 && saved == errnum, "open %s fails with %s (got %s)", path, strerror (errnum),
         fd < 0 ? strerror (saved) : "success");
}

static int
run_sh (const char *script)
{
  int status;
  pid_t pid = fork ();

  if (pid == 0)
    {
      dup2 (2, 1);
      execl ("/bin/busybox", "sh", "-c", script, (char *)NULL);
      _exit (127);
    }
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* ------------------------------------------------------------ scenarios */

struct scenario
{
  const char *name;
  const char *json; /* the config; "@D" is replaced with the bundle directory */
  bool no_pivot;
  bool userns;                     /* in a new user namespace mapping every id to itself */
  bool no_netns;                   /* ... without a network namespace of its own */
  bool host_prepare;               /* stage 0 makes the idmapped trees (hako_rootfs_prepare_host) */
  unsigned long extra_ns;          /* e.g. CLONE_NEWCGROUP */
  const char *fail_step;           /* "prepare", "pivot" or "finalize": must fail there */
  const char *fail_msg;            /* ... with a message containing this */
  void (*setup) (const char *dir); /* in PID 1, before prepare (mounts stay in the namespace) */
  void (*between) (struct hako_init_ctx *ctx); /* after pivot, before finalize */
  void (*inside) (struct hako_init_ctx *ctx);  /* the checks, after finalize */
  void (*after) (const char *dir);             /* in the parent, on the host */
};

#define BASE_MOUNTS                                                                                \
  "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"                             \
  "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                             \
  "\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"                        \
  "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","                       \
  "\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\"]},"          \
  "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","                           \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"                  \
  "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\","                    \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"                                                \
  "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","                             \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"                                         \
  "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\","                 \
  "\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}"

#define MIN_MOUNTS                                                                                 \
  "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"                             \
  "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                             \
  "\"options\":[\"nosuid\",\"mode=755\"]}"

#define CONFIG(mounts, linux_extra, root_extra)                                                    \
  "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"" root_extra "},"                        \
  "\"mounts\":[" mounts "],\"linux\":{" linux_extra "}}"

/* ---- default: the usual container config ---- */

static void
inside_default (struct hako_init_ctx *ctx)
{
  struct statfs sfs;
  struct statvfs svfs;
  struct mnt m;
  char buf[16];
  bool good;
  int fd;

  (void)ctx;
  check_mount ("/", NULL, "ro");
  check_mount ("/proc", "proc", "rw");
  check_mount ("/dev", "tmpfs", "nosuid");
  m = mount_at ("/dev");
  check (m.fstype[0] && !has_opt (m.opts, "relatime") && !has_opt (m.opts, "noatime"),
         "/dev is strictatime (got %s)", m.opts);
  check_mount ("/dev/pts", "devpts", "nosuid,noexec");
  check_mount ("/dev/shm", "tmpfs", "nosuid,nodev,noexec");
  check_mount ("/dev/mqueue", "mqueue", "nosuid,nodev,noexec");
  check_mount ("/sys", "sysfs", "ro,nosuid,nodev,noexec");
  if (host_cgroup_v2)
    check_mount ("/sys/fs/cgroup", "cgroup2", "ro,nosuid,nodev,noexec");
  else
    {
      check_mount ("/sys/fs/cgroup", "tmpfs", "ro,nosuid,nodev,noexec");
      check_mount ("/sys/fs/cgroup/memory", "cgroup", "ro,nosuid,nodev,noexec");
      check_mount ("/sys/fs/cgroup/cpu", "cgroup", "ro");
      if (host_cgroup_hybrid)
        check_mount ("/sys/fs/cgroup/unified", "cgroup2", "ro,nosuid,nodev,noexec");
      m = mount_at ("/sys/fs/cgroup/memory");
      check (m.fstype[0] && has_opt (m.super, "memory"),
             "the memory hierarchy is bound (super options %s)", m.super);
    }
  check_node ("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
  check_node ("/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0);
  check_node ("/dev/full", S_IFCHR, 1, 7, 0666, 0, 0);
  check_node ("/dev/random", S_IFCHR, 1, 8, 0666, 0, 0);
  check_node ("/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0);
  check_node ("/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0);
  check_link ("/dev/ptmx", "pts/ptmx");
  check_link ("/dev/fd", "/proc/self/fd");
  check_link ("/dev/stdin", "/proc/self/fd/0");
  check_link ("/dev/stdout", "/proc/self/fd/1");
  check_link ("/dev/stderr", "/proc/self/fd/2");
  if (access ("/proc/kcore", F_OK) == 0)
    check_link ("/dev/core", "/proc/kcore");
  /* masked: a file shows /dev/null, a directory an empty read-only tmpfs */
  /* (each only where the kernel has it: masking never creates a path) */
  if (access ("/proc/keys", F_OK) == 0)
    {
      check_node ("/proc/keys", S_IFCHR, 1, 3, 0666, 0, 0);
      fd = open ("/proc/keys", O_RDONLY | O_CLOEXEC);
      check (fd >= 0 && read (fd, buf, sizeof buf) == 0, "masked /proc/keys reads empty");
      if (fd >= 0)
        close (fd);
    }
  if (access ("/proc/acpi", F_OK) == 0)
    {
      good = statfs ("/proc/acpi", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC
             && statvfs ("/proc/acpi", &svfs) == 0 && (svfs.f_flag & ST_RDONLY);
      check (good, "masked /proc/acpi is a read-only tmpfs");
    }
  if (access ("/sys/firmware", F_OK) == 0)
    {
      good = statfs ("/sys/firmware", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
      check (good, "masked /sys/firmware is a tmpfs");
      check_open_fails ("/sys/firmware/x", O_WRONLY | O_CREAT, EROFS);
    }
  check (access ("/proc/nosuchfile", F_OK) < 0, "a missing masked path is skipped, not made");
  /* read-only paths */
  check_open_fails ("/proc/sys/kernel/hostname", O_WRONLY, EROFS);
  if (access ("/proc/sysrq-trigger", F_OK) == 0)
    check_open_fails ("/proc/sysrq-trigger", O_WRONLY, EROFS);
  check_mount ("/proc/sys", "proc", "ro");
  /* root.readonly, while /dev stays writable */
  check_open_fails ("/newfile", O_WRONLY | O_CREAT, EROFS);
  fd = open ("/dev/newfile", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  check (fd >= 0, "/dev stays writable");
  if (fd >= 0)
    close (fd);
  check (run_sh ("test -c /dev/null && test \"$(cat /proc/1/cmdline | tr -d '\\0')\" != '' "
                 "&& echo x >/dev/null && ls /dev/pts >/dev/null")
             == 0,
         "busybox runs in the container");
}

/* ---- options: every kind of mount option ---- */

static void
setup_options (const char *dir)
{
  char path[PATH_MAX];
  int fd;

  snprintf (path, sizeof path, "%s/src", dir);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/src/sub", dir);
  mkdir (path, 0755);
  /* A submount, to tell recursive from non-recursive attributes. */
  if (mount ("tmpfs", path, "tmpfs", 0, "size=1m") < 0)
    check (false, "setup: mount tmpfs on %s: %s", path, strerror (errno));
  snprintf (path, sizeof path, "%s/file.txt", dir);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || write (fd, "hello\n", 6) != 6)
    check (false, "setup: write %s", path);
  close (fd);
  for (size_t i = 0; i < 3; i++)
    {
      snprintf (path, sizeof path, "%s/%s", dir, (const char *[]){ "lower", "upper", "work" }[i]);
      mkdir (path, 0755);
    }
  snprintf (path, sizeof path, "%s/lower/fromlower", dir);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  close (fd);
}

static void
after_options (const char *dir)
{
  char path[PATH_MAX];

  snprintf (path, sizeof path, "%s/upper/written", dir);
  ok (access (path, F_OK) == 0, "options: a write to the overlay reached its upperdir");
  snprintf (path, sizeof path, "%s/lower/written", dir);
  ok (access (path, F_OK) < 0, "options: the overlay's lowerdir is untouched");
}

#define OPTIONS_MOUNTS                                                                             \
  MIN_MOUNTS                                                                                       \
  ","                                                                                              \
  "{\"destination\":\"/mnt/ro\",\"type\":\"bind\",\"source\":\"@D/src\","                          \
  "\"options\":[\"bind\",\"ro\",\"nosuid\",\"nodev\",\"noexec\"]},"                                \
  "{\"destination\":\"/mnt/rro\",\"type\":\"bind\",\"source\":\"@D/src\","                         \
  "\"options\":[\"rbind\",\"rro\",\"rnosuid\",\"rnodev\",\"rnoexec\"]},"                           \
  "{\"destination\":\"/mnt/nonrec\",\"type\":\"bind\",\"source\":\"@D/src\","                      \
  "\"options\":[\"rbind\",\"ro\"]},"                                                               \
  "{\"destination\":\"/mnt/shared\",\"type\":\"none\",\"source\":\"@D/src\","                      \
  "\"options\":[\"rbind\",\"rshared\"]},"                                                          \
  "{\"destination\":\"/mnt/private\",\"source\":\"@D/"                                             \
  "src\",\"options\":[\"bind\",\"private\"]},"                                                     \
  "{\"destination\":\"/mnt/unbindable\",\"type\":\"bind\",\"source\":\"src\","                     \
  "\"options\":[\"bind\",\"unbindable\"]},"                                                        \
  "{\"destination\":\"/mnt/slave\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                       \
  "\"options\":[\"rshared\",\"rslave\"]},"                                                         \
  "{\"destination\":\"/mnt/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","                         \
  "\"options\":[\"noatime\",\"nodiratime\",\"nosymfollow\",\"size=1m\",\"mode=700\","              \
  "\"nr_inodes=100\",\"sync\",\"dirsync\",\"lazytime\"]},"                                         \
  "{\"destination\":\"/mnt/ovl\",\"type\":\"overlay\",\"source\":\"overlay\","                     \
  "\"options\":[\"lowerdir=@D/lower\",\"upperdir=@D/upper\",\"workdir=@D/work\",\"nodev\"]},"      \
  "{\"destination\":\"/mnt/strict\",\"type\":\"tmpfs\",\"options\":[\"strictatime\"]},"            \
  "{\"destination\":\"/mnt/norel\",\"type\":\"tmpfs\",\"options\":[\"noatime\",\"atime\"]},"       \
  "{\"destination\":\"mnt/relative\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"                    \
  "{\"destination\":\"/etc/bound.txt\",\"type\":\"bind\",\"source\":\"@D/file.txt\","              \
  "\"options\":[\"bind\",\"ro\"]},"                                                                \
  "{\"destination\":\"/mnt/rotmp\",\"type\":\"tmpfs\",\"options\":[\"ro\",\"mode=755\"]},"         \
  "{\"destination\":\"/mnt/rotmp/inner\",\"type\":\"tmpfs\"},"                                     \
  "{\"destination\":\"/mnt/iv\",\"type\":\"tmpfs\",\"options\":[\"iversion\",\"nodev\"]},"         \
  "{\"destination\":\"/mnt/remount\",\"type\":\"tmpfs\"},"                                         \
  "{\"destination\":\"/mnt/remount\",\"type\":\"tmpfs\",\"options\":[\"remount\",\"ro\"]},"        \
  "{\"destination\":\"/mnt/rebind\",\"source\":\"@D/src\",\"options\":[\"bind\"]},"                \
  "{\"destination\":\"/mnt/rebind\",\"options\":[\"bind\",\"remount\",\"ro\",\"noexec\"]}"

static void
inside_options (struct hako_init_ctx *ctx)
{
  struct statfs sfs;
  struct stat st;
  struct mnt m;
  char buf[16] = { 0 };
  bool good;
  int fd;

  (void)ctx;
  check_mount ("/mnt/ro", NULL, "ro,nosuid,nodev,noexec");
  check_mount ("/mnt/rro", NULL, "ro,nosuid,nodev,noexec");
  check_mount ("/mnt/rro/sub", "tmpfs", "ro,nosuid,nodev,noexec");
  check_mount ("/mnt/nonrec", NULL, "ro");
  check_mount ("/mnt/nonrec/sub", "tmpfs", "rw");
  m = mount_at ("/mnt/shared");
  check (m.fstype[0] && strstr (m.optional, "shared:"), "rshared: %s", m.optional);
  m = mount_at ("/mnt/shared/sub");
  check (m.fstype[0] && strstr (m.optional, "shared:"), "rshared reaches the submount: %s",
         m.optional);
  m = mount_at ("/mnt/private");
  check (m.fstype[0] && !strstr (m.optional, "shared:") && !strstr (m.optional, "master:"),
         "private: '%s'", m.optional);
  m = mount_at ("/mnt/unbindable");
  check (m.fstype[0] && strstr (m.optional, "unbindable"),
         "unbindable (relative bind source): '%s'", m.optional);
  m = mount_at ("/mnt/slave");
  check (m.fstype[0] && !strstr (m.optional, "shared:"), "rshared then rslave leaves no peer: '%s'",
         m.optional);
  check_mount ("/mnt/tmp", "tmpfs", "noatime,nodiratime,nosymfollow");
  m = mount_at ("/mnt/tmp");
  check (m.fstype[0] && has_opt (m.super, "sync") && has_opt (m.super, "dirsync"),
         "sync and dirsync reach the superblock: %s", m.super);
  good = statfs ("/mnt/tmp", &sfs) == 0;
  check (good && sfs.f_files == 100 && sfs.f_blocks * sfs.f_bsize == 1024 * 1024,
         "data options size=1m and nr_inodes=100 reach tmpfs (%llu inodes)",
         (unsigned long long)sfs.f_files);
  good = stat ("/mnt/tmp", &st) == 0;
  check (good && (st.st_mode & 07777) == 0700, "mode=700 (got %o)", st.st_mode & 07777);
  m = mount_at ("/mnt/strict");
  check (m.fstype[0] && !has_opt (m.opts, "relatime") && !has_opt (m.opts, "noatime"),
         "strictatime: %s", m.opts);
  m = mount_at ("/mnt/norel");
  check (m.fstype[0] && has_opt (m.opts, "relatime"), "noatime then atime is relatime: %s", m.opts);
  check_mount ("/mnt/relative", "tmpfs", "rw");
  check_mount ("/mnt/ovl", "overlay", "nodev");
  check (access ("/mnt/ovl/fromlower", F_OK) == 0, "the overlay shows its lowerdir");
  fd = open ("/mnt/ovl/written", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  check (fd >= 0, "the overlay is writable");
  if (fd >= 0)
    close (fd);
  m = mount_at ("/mnt/tmp");
  check (has_opt (m.super, "lazytime"), "lazytime reaches the superblock: %s", m.super);
  fd = open ("/etc/bound.txt", O_RDONLY | O_CLOEXEC);
  check (fd >= 0 && read (fd, buf, sizeof buf - 1) == 6 && strcmp (buf, "hello\n") == 0,
         "a file bind mount creates its mount point as a file");
  if (fd >= 0)
    close (fd);
  check_mount ("/etc/bound.txt", NULL, "ro");
  check_mount ("/mnt/rotmp", "tmpfs", "ro");
  check_mount ("/mnt/rotmp/inner", "tmpfs", "rw");
  check_mount ("/mnt/iv", "tmpfs", "nodev");
  check_mount ("/mnt/remount", "tmpfs", "ro");
  check_mount ("/mnt/rebind", NULL, "ro,noexec");
  check (run_sh ("cat /mnt/ro/../../etc/bound.txt >/dev/null && ! touch /mnt/ro/x 2>/dev/null")
             == 0,
         "busybox sees the read-only bind");
}

/* ---- devices ---- */

#define DEVICES                                                                                    \
  "\"devices\":["                                                                                  \
  "{\"path\":\"/dev/mynull\",\"type\":\"c\",\"major\":1,\"minor\":3,\"fileMode\":384,"             \
  "\"uid\":1000,\"gid\":1001},"                                                                    \
  "{\"path\":\"/dev/myfifo\",\"type\":\"p\",\"fileMode\":416},"                                    \
  "{\"path\":\"/dev/myloop\",\"type\":\"b\",\"major\":7,\"minor\":200,\"fileMode\":432},"          \
  "{\"path\":\"/dev/sub/dir/myzero\",\"type\":\"u\",\"major\":1,\"minor\":5},"                     \
  "{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,\"minor\":3,\"fileMode\":438,\"uid\":7}]"

static void
inside_devices (struct hako_init_ctx *ctx)
{
  (void)ctx;
  check_node ("/dev/mynull", S_IFCHR, 1, 3, 0600, 1000, 1001);
  check_node ("/dev/myfifo", S_IFIFO, 0, 0, 0640, 0, 0);
  check_node ("/dev/myloop", S_IFBLK, 7, 200, 0660, 0, 0);
  check_node ("/dev/sub/dir/myzero", S_IFCHR, 1, 5, 0666, 0, 0);
  check_node ("/dev/null", S_IFCHR, 1, 3, 0666, 7, 0);
  check_node ("/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0);
}

static void
setup_device_clash (const char *dir)
{
  char path[PATH_MAX];
  int fd;

  snprintf (path, sizeof path, "%s/rootfs/dev/mything", dir);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0)
    close (fd);
}

/* ---- symlinks planted in the rootfs ---- */

static void
plant (const char *dir, const char *target, const char *link)
{
  char path[PATH_MAX];

  snprintf (path, sizeof path, "%s/rootfs/%s", dir, link);
  if (symlink (target, path) < 0)
    check (false, "setup: symlink %s: %s", path, strerror (errno));
}

static void
setup_escape (const char *dir)
{
  char target[PATH_MAX];

  plant (dir, "/etc", "evil");
  plant (dir, "../../../../../../../../..", "up");
  snprintf (target, sizeof target, "/etc/%s-file", probe);
  plant (dir, target, "dangling");
  plant (dir, "/proc", "myproc");
  plant (dir, "/tmp", "proc2");
}

static void
inside_escape (struct hako_init_ctx *ctx)
{
  char path[PATH_MAX];
  struct stat st;

  (void)ctx;
  snprintf (path, sizeof path, "/etc/%s", probe);
  check_mount (path, "tmpfs", "rw");
  check_mount ("/uptarget", "tmpfs", "rw");
  snprintf (path, sizeof path, "/etc/%s/deep/er", probe);
  check (stat (path, &st) == 0 && S_ISDIR (st.st_mode), "a missing mount point %s was made", path);
}

static void
after_escape (const char *dir)
{
  char path[PATH_MAX];
  struct stat st;

  snprintf (path, sizeof path, "/etc/%s", probe);
  ok (stat (path, &st) < 0 && errno == ENOENT, "escape: nothing made on the host at %s", path);
  snprintf (path, sizeof path, "/etc/%s-file", probe);
  ok (stat (path, &st) < 0 && errno == ENOENT, "escape: nothing made on the host at %s", path);
  snprintf (path, sizeof path, "%s/rootfs/etc/%s", dir, probe);
  ok (stat (path, &st) == 0 && S_ISDIR (st.st_mode), "escape: the mount point is in the rootfs");
  snprintf (path, sizeof path, "%s/uptarget", dir);
  ok (stat (path, &st) < 0 && errno == ENOENT, "escape: ../ did not climb out of the rootfs");
  ok (stat ("/uptarget", &st) < 0 && errno == ENOENT, "escape: ../ did not reach the host's /");
  snprintf (path, sizeof path, "%s/rootfs/uptarget", dir);
  ok (stat (path, &st) == 0, "escape: ../ resolved to the rootfs root");
}

static void
after_dangling (const char *dir)
{
  char path[PATH_MAX];
  struct stat st;

  (void)dir;
  snprintf (path, sizeof path, "/etc/%s-file", probe);
  ok (stat (path, &st) < 0 && errno == ENOENT, "dangling: nothing made on the host at %s", path);
}

/* /dev/null swapped for a symlink after pivot_root (a racing process). */
static void
between_swap_null (struct hako_init_ctx *ctx)
{
  (void)ctx;
  if (unlink ("/dev/null") < 0 || symlink ("/etc/hostname", "/dev/null") < 0)
    check (false, "between: swap /dev/null: %s", strerror (errno));
}

static void
setup_fake_dev (const char *dir)
{
  char path[PATH_MAX];

  snprintf (path, sizeof path, "%s/fakedev", dir);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/fakedev/null", dir);
  if (symlink ("/etc/hostname", path) < 0)
    check (false, "setup: symlink %s", path);
}

static void
setup_masked_link (const char *dir)
{
  plant (dir, "/etc/hostname", "secret");
}

/* ---- idmapped mounts ---- */

static void
write_owned (const char *path, uid_t uid, gid_t gid)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

  if (fd < 0 || fchown (fd, uid, gid) < 0)
    check (false, "setup: %s: %s", path, strerror (errno));
  if (fd >= 0)
    close (fd);
}

static void
setup_idmap (const char *dir)
{
  char path[PATH_MAX];

  snprintf (path, sizeof path, "%s/idsrc", dir);
  mkdir (path, 0755);
  snprintf (path, sizeof path, "%s/idsrc/file", dir);
  write_owned (path, 0, 0);
  snprintf (path, sizeof path, "%s/idsrc/sub", dir);
  mkdir (path, 0755);
  if (mount ("tmpfs", path, "tmpfs", 0, "size=1m") < 0)
    check (false, "setup: tmpfs on %s: %s", path, strerror (errno));
  snprintf (path, sizeof path, "%s/idsrc/sub/file", dir);
  write_owned (path, 5, 5);
}

#define IDMAP_MOUNTS                                                                               \
  MIN_MOUNTS ","                                                                                   \
             "{\"destination\":\"/mnt/id\",\"type\":\"bind\",\"source\":\"@D/idsrc\","             \
             "\"options\":[\"rbind\",\"idmap\"],"                                                  \
             "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}],"                  \
             "\"gidMappings\":[{\"containerID\":0,\"hostID\":2000,\"size\":10}]},"                 \
             "{\"destination\":\"/mnt/rid\",\"type\":\"bind\",\"source\":\"@D/idsrc\","            \
             "\"options\":[\"rbind\",\"ridmap\"],"                                                 \
             "\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":10}],"                  \
             "\"gidMappings\":[{\"containerID\":0,\"hostID\":2000,\"size\":10}]},"                 \
             "{\"destination\":\"/mnt/cfg\",\"type\":\"bind\",\"source\":\"@D/idsrc\","            \
             "\"options\":[\"bind\",\"idmap\"]}"

#define IDMAP_LINUX                                                                                \
  "\"uidMappings\":[{\"containerID\":0,\"hostID\":3000,\"size\":1}],"                              \
  "\"gidMappings\":[{\"containerID\":0,\"hostID\":4000,\"size\":1}]"

static void
check_owner (const char *path, uid_t uid, gid_t gid)
{
  struct stat st;
  bool good = stat (path, &st) == 0 && st.st_uid == uid && st.st_gid == gid;

  check (good, "%s is owned by %u:%u (got %u:%u)", path, uid, gid, st.st_uid, st.st_gid);
}

static void
inside_idmap (struct hako_init_ctx *ctx)
{
  (void)ctx;
  check_owner ("/mnt/id/file", 1000, 2000);
  check_owner ("/mnt/id/sub/file", 5, 5);
  check_owner ("/mnt/rid/file", 1000, 2000);
  check_owner ("/mnt/rid/sub/file", 1005, 2005);
  check_owner ("/mnt/cfg/file", 3000, 4000);
}

/* ---- no-pivot ---- */

static struct stat rootfs_stat;

static void
setup_no_pivot (const char *dir)
{
  char path[PATH_MAX];

  snprintf (path, sizeof path, "%s/rootfs", dir);
  stat (path, &rootfs_stat);
}

static void
inside_no_pivot (struct hako_init_ctx *ctx)
{
  struct stat st;

  (void)ctx;
  check (stat ("/", &st) == 0 && st.st_dev == rootfs_stat.st_dev && st.st_ino == rootfs_stat.st_ino,
         "no-pivot: / is the rootfs");
  check (stat (base, &st) < 0, "no-pivot: the host's %s is out of sight", base);
  check_mount ("/proc", "proc", "rw");
  check (run_sh ("test -x /bin/busybox && test -c /dev/null") == 0, "no-pivot: busybox runs");
}

/* ---- rootfsPropagation ---- */

static void
inside_shared (struct hako_init_ctx *ctx)
{
  struct mnt m;

  (void)ctx;
  m = mount_at ("/");
  check (m.fstype[0] && strstr (m.optional, "shared:"), "rootfsPropagation shared: %s", m.optional);
}

static void
inside_unbindable (struct hako_init_ctx *ctx)
{
  struct mnt m;

  (void)ctx;
  m = mount_at ("/");
  check (m.fstype[0] && strstr (m.optional, "unbindable"), "rootfsPropagation unbindable: %s",
         m.optional);
}

static void
inside_private (struct hako_init_ctx *ctx)
{
  struct mnt m;

  (void)ctx;
  m = mount_at ("/");
  check (m.fstype[0] && !strstr (m.optional, "shared:") && !strstr (m.optional, "master:"),
         "rootfsPropagation private: '%s'", m.optional);
  check_mount ("/", NULL, "rw");
}

/* ---- console ---- */

static int console_master = -1;

static void
between_console (struct hako_init_ctx *ctx)
{
  console_master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (console_master < 0 || unlockpt (console_master) < 0
      || ptsname_r (console_master, ctx->console_slave_path, sizeof ctx->console_slave_path) != 0)
    check (false, "between: open a pty: %s", strerror (errno));
}

static void
inside_console (struct hako_init_ctx *ctx)
{
  struct stat console, slave;

  check (stat ("/dev/console", &console) == 0 && stat (ctx->console_slave_path, &slave) == 0
             && S_ISCHR (console.st_mode) && console.st_rdev == slave.st_rdev,
         "/dev/console is %s", ctx->console_slave_path);
  check_mount ("/dev/console", "devpts", NULL);
}

/* ---- cgroup namespace ---- */

static void
inside_cgroupns (struct hako_init_ctx *ctx)
{
  struct mnt m;

  (void)ctx;
  if (host_cgroup_v2)
    {
      m = mount_at ("/sys/fs/cgroup");
      check (m.fstype[0] && strcmp (m.root, "/") == 0,
             "cgroupns: cgroup2 rooted at the container's cgroup (%s)", m.root);
      return;
    }
  m = mount_at ("/sys/fs/cgroup/memory");
  check (m.fstype[0] && strcmp (m.fstype, "cgroup") == 0 && strcmp (m.root, "/") == 0,
         "cgroupns: a fresh memory hierarchy rooted at the container's cgroup (%s %s)", m.fstype,
         m.root);
  m = mount_at ("/sys/fs/cgroup/systemd");
  check (m.fstype[0] && has_opt (m.super, "name=systemd"),
         "cgroupns: the named systemd hierarchy (%s)", m.super);
  m = mount_at ("/sys/fs/cgroup/unified");
  check (m.fstype[0] && strcmp (m.fstype, "cgroup2") == 0,
         "cgroupns: the unified hierarchy of a hybrid host (%s)", m.fstype);
}

/* ---- a user namespace: no mknod, locked mounts ---- */

static void
inside_userns (struct hako_init_ctx *ctx)
{
  struct mnt m;

  (void)ctx;
  check_node ("/dev/null", S_IFCHR, 1, 3, 0666, host_null.st_uid, host_null.st_gid);
  check_node ("/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0);
  m = mount_at ("/dev/null");
  check (strcmp (m.fstype, "devtmpfs") == 0, "userns: /dev/null is the host's, bound (%s)",
         m.fstype);
  check_mount ("/proc", "proc", "rw");
  check_mount ("/sys", "sysfs", "ro,nosuid,nodev,noexec");
  check_mount ("/dev/mqueue", "mqueue", "nosuid");
  check_mount ("/proc/sys", "proc", "ro");
  if (access ("/proc/keys", F_OK) == 0)
    check_node ("/proc/keys", S_IFCHR, 1, 3, 0666, host_null.st_uid, host_null.st_gid);
  check_mount ("/", NULL, "ro");
  check_mount ("/mnt/src", NULL, "ro,nosuid");
  if (!host_cgroup_v2)
    check_mount ("/sys/fs/cgroup/memory", "cgroup", "ro");
  check (run_sh ("test -c /dev/null && echo ok >/dev/null && test -d /proc/self") == 0,
         "userns: busybox runs");
}

static void
inside_userns_sysfs (struct hako_init_ctx *ctx)
{
  (void)ctx;
  check_mount ("/sys", "sysfs", "ro,nosuid,nodev,noexec");
  check (access ("/sys/kernel", F_OK) == 0 && mount_at ("/sys/fs/cgroup").fstype[0],
         "userns without netns: the host's /sys is bound, with its submounts");
}

/* ---- /dev read-only, deferred ---- */

static void
inside_ro_dev (struct hako_init_ctx *ctx)
{
  (void)ctx;
  check_mount ("/dev", "tmpfs", "ro");
  check_node ("/dev/null", S_IFCHR, 1, 3, 0666, 0, 0);
  check_open_fails ("/dev/newfile", O_WRONLY | O_CREAT, EROFS);
}

static const struct scenario scenarios[] = {
  { .name = "default",
    .json = CONFIG (BASE_MOUNTS,
                    "\"maskedPaths\":[\"/proc/keys\",\"/proc/acpi\",\"/sys/firmware\","
                    "\"/proc/nosuchfile\"],"
                    "\"readonlyPaths\":[\"/proc/sys\",\"/proc/sysrq-trigger\",\"/proc/nosuch\"]",
                    ",\"readonly\":true"),
    .inside = inside_default },
  { .name = "options",
    .json = CONFIG (OPTIONS_MOUNTS, "", ""),
    .setup = setup_options,
    .inside = inside_options,
    .after = after_options },
  { .name = "devices", .json = CONFIG (MIN_MOUNTS, DEVICES, ""), .inside = inside_devices },
  { .name = "device outside /dev",
    .json
    = CONFIG (MIN_MOUNTS, "\"devices\":[{\"path\":\"/etc/sda\",\"type\":\"b\",\"major\":8}]", ""),
    .fail_step = "prepare",
    .fail_msg = "device /etc/sda: device nodes are only made under /dev" },
  { .name = "device clash",
    .json = CONFIG ("",
                    "\"devices\":[{\"path\":\"/dev/mything\",\"type\":\"c\",\"major\":1,"
                    "\"minor\":3}]",
                    ""),
    .setup = setup_device_clash,
    .fail_step = "prepare",
    .fail_msg = "device /dev/mything: a different file exists there" },
  { .name = "escape",
    .json = CONFIG ("{\"destination\":\"/evil/@P\",\"type\":\"tmpfs\"},"
                    "{\"destination\":\"/evil/@P/deep/er\",\"type\":\"tmpfs\"},"
                    "{\"destination\":\"/up/uptarget\",\"type\":\"tmpfs\"}," MIN_MOUNTS,
                    "", ""),
    .setup = setup_escape,
    .inside = inside_escape,
    .after = after_escape },
  { .name = "dangling symlink",
    .json = CONFIG ("{\"destination\":\"/dangling\",\"type\":\"bind\",\"source\":\"/etc/hostname\","
                    "\"options\":[\"bind\"]}",
                    "", ""),
    .setup = setup_escape,
    .fail_step = "prepare",
    .fail_msg = "mount \"/etc/hostname\" on \"/dangling\": create the mount point: File exists",
    .after = after_dangling },
  { .name = "mount on the rootfs root",
    .json = CONFIG ("{\"destination\":\"/up\",\"type\":\"tmpfs\"}", "", ""),
    .setup = setup_escape,
    .fail_step = "prepare",
    .fail_msg = "mount \"tmpfs\" on \"/up\": the mount point is the root of the rootfs" },
  { .name = "inside /proc",
    .json = CONFIG (MIN_MOUNTS ",{\"destination\":\"/proc/sys\",\"type\":\"tmpfs\"}", "", ""),
    .fail_step = "prepare",
    .fail_msg = "mount \"tmpfs\" on \"/proc/sys\": \"/proc/sys\" cannot be mounted because it is "
                "inside /proc" },
  { .name = "over /proc through a symlink",
    .json = CONFIG (MIN_MOUNTS ",{\"destination\":\"/myproc\",\"type\":\"bind\","
                               "\"source\":\"/etc\",\"options\":[\"rbind\"]}",
                    "", ""),
    .setup = setup_escape,
    .fail_step = "prepare",
    .fail_msg = "\"/myproc\" cannot be mounted because it is not of type proc" },
  { .name = "proc on a symlink",
    .json = CONFIG ("{\"destination\":\"/proc2\",\"type\":\"proc\",\"source\":\"proc\"}", "", ""),
    .setup = setup_escape,
    .fail_step = "prepare",
    .fail_msg
    = "mount \"proc\" on \"/proc2\": proc must be mounted on a directory, not a symlink" },
  { .name = "/dev/null is a symlink",
    .json = CONFIG (MIN_MOUNTS ",{\"destination\":\"/dev\",\"type\":\"bind\",\"source\":"
                               "\"@D/fakedev\",\"options\":[\"bind\"]}",
                    "\"maskedPaths\":[\"/proc/keys\"]", ""),
    .setup = setup_fake_dev,
    .fail_step = "finalize",
    .fail_msg = "mask paths: /dev/null is not the null device 1:3" },
  { .name = "/dev/null swapped before finalize",
    .json = CONFIG (MIN_MOUNTS, "\"maskedPaths\":[\"/proc/keys\"]", ""),
    .between = between_swap_null,
    .fail_step = "finalize",
    .fail_msg = "mask paths: /dev/null is not the null device 1:3" },
  { .name = "masked symlink",
    .json = CONFIG (MIN_MOUNTS, "\"maskedPaths\":[\"/secret\"]", ""),
    .setup = setup_masked_link,
    .fail_step = "finalize",
    .fail_msg = "mask \"/secret\": /secret is a symlink: refusing to follow it" },
  { .name = "read-only path through a symlink",
    .json = CONFIG (MIN_MOUNTS, "\"readonlyPaths\":[\"/secret/x\"]", ""),
    .setup = setup_masked_link,
    .fail_step = "finalize",
    .fail_msg = "make \"/secret/x\" read-only: /secret/x is or goes through a symlink" },
  { .name = "idmap",
    .json = CONFIG (IDMAP_MOUNTS, IDMAP_LINUX, ""),
    .setup = setup_idmap,
    .inside = inside_idmap },
  { .name = "idmap without mappings",
    .json = CONFIG ("{\"destination\":\"/mnt\",\"source\":\"/etc\",\"options\":[\"bind\","
                    "\"idmap\"]}",
                    "", ""),
    .fail_step = "prepare",
    .fail_msg = "mount \"/etc\" on \"/mnt\": idmap: an idmap mount needs uidMappings" },
  { .name = "no-pivot",
    .json = CONFIG (MIN_MOUNTS, "", ""),
    .no_pivot = true,
    .setup = setup_no_pivot,
    .inside = inside_no_pivot },
  { .name = "no-pivot with private propagation",
    .json = CONFIG (MIN_MOUNTS, "\"rootfsPropagation\":\"private\"", ""),
    .no_pivot = true,
    .fail_step = "pivot",
    .fail_msg = "rootfsPropagation private is not safe without pivot_root" },
  { .name = "rootfsPropagation shared",
    .json = CONFIG (MIN_MOUNTS, "\"rootfsPropagation\":\"shared\"", ""),
    .inside = inside_shared },
  { .name = "rootfsPropagation unbindable",
    .json = CONFIG (MIN_MOUNTS, "\"rootfsPropagation\":\"unbindable\"", ""),
    .inside = inside_unbindable },
  { .name = "rootfsPropagation private",
    .json = CONFIG (MIN_MOUNTS, "\"rootfsPropagation\":\"private\"", ",\"readonly\":false"),
    .inside = inside_private },
  { .name = "console",
    .json = CONFIG (BASE_MOUNTS, "", ""),
    .between = between_console,
    .inside = inside_console },
  { .name = "cgroup namespace",
    .json = CONFIG (BASE_MOUNTS, "", ""),
    .extra_ns = CLONE_NEWCGROUP,
    .inside = inside_cgroupns },
  { .name = "user namespace",
    .json = CONFIG (BASE_MOUNTS ",{\"destination\":\"/mnt/src\",\"source\":\"/etc\","
                                "\"options\":[\"rbind\",\"ro\",\"nosuid\"]}",
                    "\"maskedPaths\":[\"/proc/keys\",\"/proc/acpi\"],"
                    "\"readonlyPaths\":[\"/proc/sys\"]",
                    ",\"readonly\":true"),
    .userns = true,
    .inside = inside_userns },
  { .name = "idmap in a user namespace",
    .json = CONFIG (IDMAP_MOUNTS, IDMAP_LINUX, ""),
    .userns = true,
    .host_prepare = true,
    .setup = setup_idmap,
    .inside = inside_idmap },
  { .name = "idmap in a user namespace, without stage 0",
    .json = CONFIG (IDMAP_MOUNTS, IDMAP_LINUX, ""),
    .userns = true,
    .setup = setup_idmap,
    .fail_step = "prepare",
    .fail_msg = "on \"/mnt/id\": idmap: Operation not permitted" },
  { .name = "user namespace without a network namespace",
    .json = CONFIG (MIN_MOUNTS ",{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":"
                               "\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}",
                    "", ""),
    .userns = true,
    .no_netns = true,
    .inside = inside_userns_sysfs },
  { .name = "read-only /dev",
    .json = CONFIG ("{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"options\":[\"ro\"]},"
                    "{\"destination\":\"/proc\",\"type\":\"proc\"}",
                    "", ""),
    .inside = inside_ro_dev },
  { .name = "unknown filesystem",
    .json = CONFIG ("{\"destination\":\"/x\",\"type\":\"nosuchfs\"}", "", ""),
    .fail_step = "prepare",
    .fail_msg = "mount \"nosuchfs\" on \"/x\": No such device" },
  { .name = "missing bind source",
    .json = CONFIG ("{\"destination\":\"/y\",\"source\":\"/nonexistent/hako\",\"options\":"
                    "[\"bind\"]}",
                    "", ""),
    .fail_step = "prepare",
    .fail_msg = "mount \"/nonexistent/hako\" on \"/y\": source: No such file or directory" },
  { .name = "bad filesystem option",
    .json
    = CONFIG ("{\"destination\":\"/z\",\"type\":\"tmpfs\",\"options\":[\"size=lots\"]}", "", ""),
    .fail_step = "prepare",
    .fail_msg = "mount \"tmpfs\" on \"/z\": option \"size=lots\": Invalid argument" },
};

/* ------------------------------------------------------ running PID 1 */

/* The config text with @D (the bundle) and @P (the probe name) filled in. */
static char *
expand (const char *json, const char *dir)
{
  size_t cap = strlen (json) * 2 + 4096, len = 0;
  char *out = malloc (cap);

  for (const char *p = json; *p && len + PATH_MAX < cap; p++)
    {
      if (p[0] == '@' && (p[1] == 'D' || p[1] == 'P'))
        {
          len += snprintf (out + len, cap - len, "%s", p[1] == 'D' ? dir : probe);
          p++;
        }
      else
        out[len++] = *p;
    }
  out[len] = '\0';
  return out;
}

static bool
step_done (const struct scenario *s, const char *step, int r, struct hako_error *err)
{
  bool expected = s->fail_step && strcmp (s->fail_step, step) == 0;

  if (r < 0 && expected)
    check (err->msg && strstr (err->msg, s->fail_msg), "%s fails: %s", step, err->msg);
  else if (r < 0)
    check (false, "%s: %s", step, err->msg ? err->msg : "?");
  else if (expected)
    check (false, "%s succeeded but should fail with \"%s\"", step, s->fail_msg);
  return r >= 0 && !expected;
}

static void __attribute__ ((noreturn)) container_main (const struct scenario *s, const char *dir)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_init_ctx ctx = { 0 };
  char rootfs[PATH_MAX];
  char *json = expand (s->json, dir);
  struct oci_config *config = oci_config_parse (json, strlen (json), &err);

  if (config == NULL)
    {
      check (false, "parse the config: %s", err.msg);
      _exit (1);
    }
  if (s->setup && !s->host_prepare)
    s->setup (dir);
  snprintf (rootfs, sizeof rootfs, "%s/rootfs", dir);
  ctx.config = config;
  ctx.id = "test";
  ctx.bundle = dir;
  ctx.rootfs = rootfs;
  ctx.rootfs_fd = host_rootfs_fd;
  ctx.ns.create = CLONE_NEWNS | CLONE_NEWPID | s->extra_ns;
  ctx.userns = s->userns;
  for (size_t i = 0; i < ARRAY_SIZE (ctx.ns.join_fds); i++)
    ctx.ns.join_fds[i] = -1;
  ctx.no_pivot = s->no_pivot;
  ctx.sync_fd = ctx.fifo_fd = ctx.console_socket_fd = ctx.console_master_fd = -1;
  if (!step_done (s, "prepare", hako_rootfs_prepare (&ctx, &err), &err)
      || !step_done (s, "pivot", hako_rootfs_pivot (&ctx, &err), &err))
    _exit (0);
  if (s->between)
    s->between (&ctx);
  if (!step_done (s, "finalize", hako_rootfs_finalize (&ctx, &err), &err))
    _exit (0);
  if (s->inside)
    s->inside (&ctx);
  _exit (0);
}

/* The parent maps every id of CHILD's new user namespace to itself. */
static int
map_identity (pid_t child)
{
  static const char map[] = "0 0 4294967295\n";
  const char *files[] = { "uid_map", "gid_map" };

  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      char path[64];
      int fd;
      bool written;

      snprintf (path, sizeof path, "/proc/%d/%s", (int)child, files[i]);
      fd = open (path, O_WRONLY | O_CLOEXEC);
      written = fd >= 0 && write (fd, map, sizeof map - 1) == sizeof map - 1;
      if (fd >= 0)
        close (fd);
      if (!written)
        return -1;
    }
  return 0;
}

/* What stage 0 does on the host before the namespaces exist. */
static void
prepare_on_host (const struct scenario *s, const char *dir)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_init_ctx ctx = { 0 };
  char *json = expand (s->json, dir);

  ctx.config = oci_config_parse (json, strlen (json), &err);
  ctx.bundle = dir;
  for (size_t i = 0; i < ARRAY_SIZE (ctx.ns.join_fds); i++)
    ctx.ns.join_fds[i] = -1;
  if (s->setup)
    s->setup (dir);
  if (ctx.config == NULL || hako_rootfs_prepare_host (&ctx, &err) < 0)
    check (false, "prepare on the host: %s", err.msg);
  free (json);
}

static void __attribute__ ((noreturn))
namespaces_main (const struct scenario *s, const char *dir, int wfd, int tell_fd, int wait_fd)
{
  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | s->extra_ns;
  int status;
  pid_t init;
  char c = 0;

  report_fd = wfd;
  /* Stage 0's work happens with the host's privileges; the scenario's own
   * setup mounts must still not reach the host's mount namespace. */
  if (s->host_prepare)
    {
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        {
          check (false, "unshare: %s", strerror (errno));
          _exit (1);
        }
      prepare_on_host (s, dir);
    }
  if (s->userns)
    flags |= CLONE_NEWUSER | CLONE_NEWIPC | (s->no_netns ? 0 : CLONE_NEWNET);
  if (unshare (flags) < 0)
    {
      check (false, "unshare: %s", strerror (errno));
      _exit (1);
    }
  /* Wait until the parent has written the id maps. */
  if (write (tell_fd, &c, 1) != 1 || read (wait_fd, &c, 1) != 1
      || mount (NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
    {
      check (false, "set up the namespaces: %s", strerror (errno));
      _exit (1);
    }
  init = fork ();
  if (init == 0)
    container_main (s, dir);
  if (init < 0 || waitpid (init, &status, 0) < 0)
    _exit (1);
  _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

/* A child in new namespaces (mount, PID, and user for s->userns); its
 * child is PID 1 there. */
static int
run_scenario (const struct scenario *s, const char *dir, int wfd)
{
  char rootfs[PATH_MAX];
  int tell[2], go[2], status;
  pid_t pid;
  char c;

  snprintf (rootfs, sizeof rootfs, "%s/rootfs", dir);
  host_rootfs_fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (host_rootfs_fd < 0 || pipe2 (tell, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0)
    return -1;
  pid = fork ();
  if (pid == 0)
    namespaces_main (s, dir, wfd, tell[1], go[0]);
  close (tell[1]);
  close (go[0]);
  if (pid > 0 && read (tell[0], &c, 1) == 1 && (!s->userns || map_identity (pid) == 0)
      && write (go[1], &c, 1) != 1)
    ok (false, "%s: release the child", s->name);
  close (tell[0]);
  close (go[1]);
  close (host_rootfs_fd);
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* ---------------------------------------------------------- the rootfs */

static int
copy_file (const char *from, const char *to, mode_t mode)
{
  char buf[65536];
  int in = open (from, O_RDONLY | O_CLOEXEC), out;
  ssize_t n;

  if (in < 0)
    return -1;
  out = open (to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (out < 0)
    {
      close (in);
      return -1;
    }
  while ((n = read (in, buf, sizeof buf)) > 0)
    if (write (out, buf, n) != n)
      n = -1;
  close (in);
  close (out);
  return n < 0 ? -1 : 0;
}

static int
make_rootfs (const char *dir)
{
  static const char *const dirs[] = { "",
                                      "/rootfs",
                                      "/rootfs/bin",
                                      "/rootfs/proc",
                                      "/rootfs/sys",
                                      "/rootfs/dev",
                                      "/rootfs/tmp",
                                      "/rootfs/etc",
                                      "/rootfs/mnt" };
  char path[PATH_MAX], path2[PATH_MAX];

  for (size_t i = 0; i < ARRAY_SIZE (dirs); i++)
    {
      snprintf (path, sizeof path, "%s%s", dir, dirs[i]);
      if (mkdir (path, 0755) < 0)
        return -1;
    }
  snprintf (path, sizeof path, "%s/rootfs/bin/busybox", dir);
  if (link ("/bin/busybox", path) < 0 && copy_file ("/bin/busybox", path, 0755) < 0)
    return -1;
  snprintf (path2, sizeof path2, "%s/rootfs/bin/sh", dir);
  if (symlink ("busybox", path2) < 0)
    return -1;
  snprintf (path, sizeof path, "%s/rootfs/etc/hostname", dir);
  return copy_file ("/etc/hostname", path, 0644) < 0 ? copy_file ("/dev/null", path, 0644) : 0;
}

static int
remove_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)ftw;
  if (flag == FTW_DP)
    rmdir (path);
  else
    unlink (path);
  return 0;
}

/* Is anything under DIR mounted in this (the host's) mount namespace? */
static bool
mounted_under (const char *dir)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[4096];
  bool found = false;

  while (f && fgets (line, sizeof line, f))
    found = found || strstr (line, dir) != NULL;
  if (f)
    fclose (f);
  return found;
}

/* Read PID 1's reports into TAP lines; the number of them. */
static int
collect (int rfd, const char *name)
{
  FILE *f = fdopen (rfd, "r");
  char line[1100];
  int n = 0;

  while (f && fgets (line, sizeof line, f))
    {
      line[strcspn (line, "\n")] = '\0';
      ok (line[0] == '1', "%s: %s", name, line + 2);
      n++;
    }
  if (f)
    fclose (f);
  return n;
}

static void
test_option_names (void)
{
  const char *const *names = hako_mount_option_names ();
  static const char *const expected[]
      = { "ro",    "rbind",       "rshared",      "rro",         "ridmap",
          "idmap", "nosymfollow", "rnosymfollow", "strictatime", "lazytime" };
  size_t n = 0;

  while (names[n])
    n++;
  for (size_t i = 0; i < ARRAY_SIZE (expected); i++)
    {
      bool found = false;
      for (size_t j = 0; j < n; j++)
        found = found || strcmp (names[j], expected[i]) == 0;
      ok (found, "hako_mount_option_names lists %s", expected[i]);
    }
}

int
main (void)
{
  struct statfs sfs;

  test_option_names ();
  if (geteuid () != 0)
    {
      printf ("1..%d # SKIP the rootfs scenarios need root\n", tap_n);
      return 0;
    }
  if (access ("/bin/busybox", X_OK) < 0)
    {
      printf ("1..%d # SKIP the rootfs scenarios need /bin/busybox (busybox-static)\n", tap_n);
      return 0;
    }
  stat ("/dev/null", &host_null);
  host_cgroup_v2 = statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
  host_cgroup_hybrid = !host_cgroup_v2 && statfs ("/sys/fs/cgroup/unified", &sfs) == 0
                       && sfs.f_type == CGROUP2_SUPER_MAGIC;
  snprintf (probe, sizeof probe, "hako-probe-%d", (int)getpid ());
  snprintf (base, sizeof base, "/tmp/hako-test-rootfs.XXXXXX");
  if (mkdtemp (base) == NULL)
    {
      ok (false, "mkdtemp: %s", strerror (errno));
      return tap_done ();
    }
  for (size_t i = 0; i < ARRAY_SIZE (scenarios); i++)
    {
      const struct scenario *s = &scenarios[i];
      char dir[512];
      int fds[2], status, n;

      snprintf (dir, sizeof dir, "%s/%zu", base, i);
      if (make_rootfs (dir) < 0 || pipe2 (fds, O_CLOEXEC) < 0)
        {
          ok (false, "%s: make the rootfs in %s: %s", s->name, dir, strerror (errno));
          continue;
        }
      fflush (stdout);
      status = run_scenario (s, dir, fds[1]);
      close (fds[1]);
      n = collect (fds[0], s->name);
      ok (status == 0 && n > 0, "%s: the container exited 0 (%d) after %d checks", s->name, status,
          n);
      if (s->after)
        s->after (dir);
    }
  ok (!mounted_under (base), "no mount reached the host's namespace");
  nftw (base, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  return tap_done ();
}

/* SELinux helpers that can be checked without an SELinux host: the mount
 * data that carries linux.mountLabel, quoted mount option values reaching
 * fsconfig bare, and labels ignored (not applied, not refused) where SELinux
 * is off.  tests/bats/selinux.bats, run again in the VM by
 * tests/vm/selinux.sh, checks the labels against a kernel enforcing them. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "container-internal.h"
#include "mount.h"
#include "selinux.h"
#include "tap.h"
#include "util.h"

#define LABEL "system_u:object_r:container_file_t:s0:c1,c2"

static void
check_data (const char *label, const char *type, const char *data, const char *want)
{
  cleanup_free char *got = hako_selinux_mount_data (label, type, data);

  ok ((got == NULL && want == NULL) || (got && want && strcmp (got, want) == 0),
      "mount data: %s with \"%s\" -> \"%s\"", type, data ? data : "(none)", got ? got : "(none)");
}

static void
test_mount_data (void)
{
  check_data (NULL, "tmpfs", "mode=755", "mode=755");
  check_data (NULL, "tmpfs", NULL, NULL);
  check_data (LABEL, "tmpfs", "mode=755,size=65536k", "mode=755,size=65536k,context=\"" LABEL "\"");
  check_data (LABEL, "tmpfs", NULL, "context=\"" LABEL "\"");
  check_data (LABEL, "devpts", "newinstance,ptmxmode=0666",
              "newinstance,ptmxmode=0666,context=\"" LABEL "\"");
  /* An mqueue superblock is made with its IPC namespace, labelled then. */
  check_data (LABEL, "mqueue", NULL, NULL);
  check_data (LABEL, "proc", NULL, NULL);
  check_data (LABEL, "sysfs", "ro", "ro");
  /* A context the config sets itself wins (two would make the mount fail). */
  check_data (LABEL, "tmpfs", "context=\"a:b:c:s0\",mode=1777", "context=\"a:b:c:s0\",mode=1777");
  check_data (LABEL, "tmpfs", "mode=1777,rootcontext=a:b:c:s0", "mode=1777,rootcontext=a:b:c:s0");
}

/* A quoted value (how a context with commas is written in mount data)
 * reaches the filesystem without its quotes. */
static void
test_quoted_option (void)
{
  struct hako_mount_opts none = { 0 };
  struct hako_error err = HAKO_ERROR_INIT;
  struct statfs sfs;
  int mfd;

  if (geteuid () != 0)
    {
      ok (1, "# SKIP quoted option: fsopen needs root");
      return;
    }
  mfd = hako_fs_new ("tmpfs", "tmpfs", &none, "mode=700,size=\"1m\"", &err);
  ok (mfd >= 0, "quoted option: tmpfs with size=\"1m\" created (%s)", err.msg ? err.msg : "ok");
  ok (mfd >= 0 && fstatfs (mfd, &sfs) == 0 && sfs.f_blocks * sfs.f_bsize == 1 << 20,
      "quoted option: the tmpfs is 1 MiB");
  if (mfd >= 0)
    close (mfd);
  hako_error_clear (&err);
}

/* Where SELinux is off, labels are ignored: create goes on, nothing to
 * apply; where it is on, a context the policy does not know is refused
 * with its JSON path. */
static void
test_lsm_check (void)
{
  struct oci_process p = { .selinux_label = (char *)"system_u:system_r:no_such_t:s0" };
  struct oci_linux lx = { .mount_label = (char *)"system_u:object_r:no_such_file_t:s0" };
  struct hako_init_ctx ctx = { 0 };
  struct hako_error err = HAKO_ERROR_INIT;
  int r = hako_lsm_check (&p, &lx, "config.json", &ctx, &err);

  if (!hako_selinux_enabled ())
    {
      ok (r == 0, "SELinux off: labels accepted (%s)", err.msg ? err.msg : "ok");
      ok (ctx.selinux_process_label == NULL && ctx.selinux_mount_label == NULL,
          "SELinux off: no label to apply");
    }
  else
    {
      ok (r < 0 && err.msg && strstr (err.msg, "config.json: process.selinuxLabel: "),
          "SELinux on: unknown context refused: %s", err.msg ? err.msg : "(accepted)");
      ok (ctx.selinux_mount_label == NULL, "SELinux on: nothing kept after the refusal");
    }
  hako_lsm_release (&ctx);
  hako_error_clear (&err);
}

int
main (void)
{
  test_mount_data ();
  test_quoted_option ();
  test_lsm_check ();
  return tap_done ();
}

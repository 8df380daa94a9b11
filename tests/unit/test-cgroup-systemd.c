/* The systemd cgroup driver's conversions, without systemd: cgroupsPath
 * into unit names, slice expansion, linux.resources into unit properties
 * (and what hako still writes itself) on v1 and v2 layouts, device rules
 * into DevicePolicy/DeviceAllow, cpusets into bitmasks.  The driver itself
 * runs against a real systemd in tests/systemd/. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-systemd.h"
#ifdef HAVE_SYSTEMD
#include "sdbus-loader.h"
#endif
#include "tap.h"
#include "util.h"

static void
check_name (const char *path, bool rootless, const char *want_slice, const char *want_unit)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct hako_sd_name n;
  int r = hako_sd_parse_cgroups_path (path, "c1", rootless, &n, &err);

  if (want_unit[0] == '!')
    ok (r < 0 && err.msg && strstr (err.msg, want_unit + 1), "\"%s\" refused: %s",
        path ? path : "NULL", err.msg ? err.msg : "(accepted)");
  else
    ok (r == 0 && strcmp (n.slice, want_slice) == 0 && strcmp (n.unit, want_unit) == 0,
        "\"%s\"%s -> %s in %s (got %s in %s)", path ? path : "NULL", rootless ? " rootless" : "",
        want_unit, want_slice, r == 0 ? n.unit : err.msg, r == 0 ? n.slice : "-");
  if (r == 0)
    hako_sd_name_clear (&n);
  hako_error_clear (&err);
}

static void
test_names (void)
{
  check_name (NULL, false, "system.slice", "hako-c1.scope");
  check_name ("", false, "system.slice", "hako-c1.scope");
  check_name ("", true, "user.slice", "hako-c1.scope");
  check_name ("system.slice:test:abc", false, "system.slice", "test-abc.scope");
  check_name (":test:abc", false, "system.slice", "test-abc.scope");
  check_name (":test:abc", true, "user.slice", "test-abc.scope");
  check_name ("machine-x.slice::abc", false, "machine-x.slice", "abc.scope");
  check_name ("system.slice:hako:my.slice", false, "system.slice", "my.slice");
  check_name ("system.slice:hako:a-b.slice", false, "system.slice", "a-b.slice");
  check_name ("/hako/c1", false, "", "!expects \"slice:prefix:name\"");
  check_name ("a:b", false, "", "!expects");
  check_name ("a:b:c:d", false, "", "!expects");
  check_name ("system:test:abc", false, "", "!valid slice name");
  check_name ("a--b.slice:test:abc", false, "", "!valid slice name");
  check_name ("-a.slice:test:abc", false, "", "!valid slice name");
  check_name ("system.slice:test:", false, "", "!is empty");
  check_name ("system.slice:te/st:abc", false, "", "!may only hold");
  check_name ("system.slice:test:a b", false, "", "!may only hold");
  check_name ("system.slice:test:-.slice", false, "", "!not a valid slice");
}

static void
check_expand (const char *slice, const char *want)
{
  cleanup_free char *got = NULL;
  int r = hako_sd_expand_slice (slice, &got);

  if (want == NULL)
    ok (r < 0, "slice \"%s\" is invalid", slice);
  else
    ok (r == 0 && strcmp (got, want) == 0, "slice %s -> %s (got %s)", slice, want,
        got ? got : "error");
}

static void
test_expand (void)
{
  check_expand ("-.slice", "/");
  check_expand ("system.slice", "/system.slice");
  check_expand ("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
  check_expand ("a-.slice", NULL);
  check_expand ("a--b.slice", NULL);
  check_expand (".slice", NULL);
  check_expand ("a.scope", NULL);
}

static uint64_t
u64_of (const struct hako_sd_props *p, const char *name)
{
  const struct hako_sd_prop *x = hako_sd_props_find (p, name);
  return x ? x->u64 : 12345;
}

static void
test_resources_v1 (void)
{
  struct oci_memory mem = { .limit = 67108864,
                            .has_limit = true,
                            .swappiness = 10,
                            .has_swappiness = true,
                            .reservation = 1000,
                            .has_reservation = true };
  struct oci_cpu cpu = { .shares = 512,
                         .has_shares = true,
                         .quota = 50000,
                         .has_quota = true,
                         .period = 100000,
                         .has_period = true,
                         .cpus = "0" };
  struct oci_pids pids = { .limit = 32, .has_limit = true };
  struct oci_block_io bio = { .weight = 300, .has_weight = true };
  struct oci_resources r = { .memory = &mem, .cpu = &cpu, .pids = &pids, .block_io = &bio };
  struct hako_sd_props p = { 0 };
  struct hako_sd_rest rest;
  struct hako_error err = HAKO_ERROR_INIT;

  ok (hako_sd_resource_props (&r, HAKO_CGROUP_HYBRID, 0, &p, &rest, &err) == 0, "v1 props");
  ok (u64_of (&p, "MemoryMax") == 67108864, "v1 MemoryMax");
  ok (u64_of (&p, "CPUShares") == 512 && !hako_sd_props_find (&p, "CPUWeight"),
      "v1 CPUShares 512 (no CPUWeight)");
  ok (u64_of (&p, "CPUQuotaPerSecUSec") == 500000, "v1 CPUQuotaPerSecUSec 500000 (50000/100000)");
  ok (u64_of (&p, "CPUQuotaPeriodUSec") == 100000, "v1 CPUQuotaPeriodUSec");
  ok (u64_of (&p, "TasksMax") == 32, "TasksMax 32");
  ok (u64_of (&p, "BlockIOWeight") == 300 && !hako_sd_props_find (&p, "IOWeight"),
      "v1 BlockIOWeight 300");
  ok (!hako_sd_props_find (&p, "MemoryLow") && !hako_sd_props_find (&p, "AllowedCPUs"),
      "v1: no MemoryLow, no AllowedCPUs (systemd manages them on cgroup2 only)");
  ok (rest.r.memory && !rest.r.memory->has_limit && rest.r.memory->has_reservation
          && rest.r.memory->has_swappiness,
      "rest: hako writes reservation and swappiness, not the limit");
  ok (rest.r.cpu && !rest.r.cpu->has_shares && !rest.r.cpu->has_quota
          && strcmp (rest.r.cpu->cpus, "0") == 0,
      "rest: hako writes cpuset.cpus, not shares or quota");
  ok (rest.r.pids == NULL && rest.r.block_io && !rest.r.block_io->has_weight,
      "rest: no pids, no blkio weight");
  ok (mem.has_limit && cpu.has_shares, "the config is untouched");
  hako_sd_props_free (&p);

  mem.swap = 100000000;
  mem.has_swap = true;
  ok (hako_sd_resource_props (&r, HAKO_CGROUP_V1, 0, &p, &rest, &err) == 0
          && rest.r.memory->has_limit && rest.r.memory->has_swap,
      "v1 with swap: hako writes limit and memsw (ordered), systemd gets MemoryMax too");
  hako_sd_props_free (&p);
}

static void
test_resources_v2 (void)
{
  struct oci_memory mem = { .limit = 1 << 30,
                            .has_limit = true,
                            .swap = (1 << 30) + 4096,
                            .has_swap = true,
                            .reservation = -1,
                            .has_reservation = true };
  struct oci_cpu cpu = { .shares = 1024,
                         .has_shares = true,
                         .quota = 33333,
                         .has_quota = true,
                         .cpus = "0-2,9",
                         .mems = "0",
                         .idle = 1,
                         .has_idle = true };
  struct oci_pids pids = { .limit = -1, .has_limit = true };
  struct oci_block_io bio = { .weight = 1000, .has_weight = true };
  struct oci_resources r = { .memory = &mem, .cpu = &cpu, .pids = &pids, .block_io = &bio };
  struct hako_sd_props p = { 0 };
  struct hako_sd_rest rest;
  struct hako_error err = HAKO_ERROR_INIT;
  const struct hako_sd_prop *x;

  ok (hako_sd_resource_props (&r, HAKO_CGROUP_V2, 0, &p, &rest, &err) == 0, "v2 props");
  ok (u64_of (&p, "MemoryMax") == 1 << 30 && u64_of (&p, "MemorySwapMax") == 4096,
      "v2 MemoryMax and MemorySwapMax (swap - limit)");
  ok (u64_of (&p, "MemoryLow") == UINT64_MAX, "v2 MemoryLow -1 -> infinity");
  ok (u64_of (&p, "CPUWeight") == 100, "v2 CPUWeight 100 for 1024 shares");
  ok (u64_of (&p, "CPUQuotaPerSecUSec") == 333330, "v2 quota 33333 per 100 ms -> 333330 us/s");
  ok (!hako_sd_props_find (&p, "CPUQuotaPeriodUSec"), "no period given: none sent");
  ok (u64_of (&p, "TasksMax") == UINT64_MAX, "TasksMax -1 -> infinity");
  ok (u64_of (&p, "IOWeight") == 10000, "v2 IOWeight 10000 for blkio weight 1000");
  x = hako_sd_props_find (&p, "AllowedCPUs");
  ok (x && x->nbytes == 2 && x->bytes[0] == 0x07 && x->bytes[1] == 0x02,
      "AllowedCPUs 0-2,9 -> 07 02");
  ok (rest.r.memory == NULL, "rest: memory entirely systemd's");
  ok (rest.r.cpu && rest.r.cpu->has_idle && !rest.r.cpu->cpus && !rest.r.cpu->mems,
      "rest: cpu.idle stays with hako, cpuset goes to systemd");
  hako_sd_props_free (&p);

  cpu.has_period = false;
  cpu.quota = 50000;
  ok (hako_sd_resource_props (&r, HAKO_CGROUP_V2, 50000, &p, &rest, &err) == 0
          && u64_of (&p, "CPUQuotaPerSecUSec") == 1000000,
      "update of the quota alone uses the period in force (50 ms)");
  hako_sd_props_free (&p);

  mem.swap = 1000;
  ok (hako_sd_resource_props (&r, HAKO_CGROUP_V2, 0, &p, &rest, &err) < 0
          && strstr (err.msg, "linux.resources.memory.swap"),
      "swap below the limit refused: %s", err.msg);
  hako_error_clear (&err);
  hako_sd_props_free (&p);
  cpu.cpus = "3-1";
  mem.swap = -1;
  ok (hako_sd_resource_props (&r, HAKO_CGROUP_V2, 0, &p, &rest, &err) < 0
          && strstr (err.msg, "linux.resources.cpu.cpus"),
      "bad cpuset refused: %s", err.msg);
  hako_error_clear (&err);
  hako_sd_props_free (&p);
  ok (hako_sd_resource_props (NULL, HAKO_CGROUP_V2, 0, &p, &rest, &err) == 0 && p.n == 0,
      "no resources: no properties");
}

static const char proc_devices[] = "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n"
                                   "136 pts\n\nBlock devices:\n  7 loop\n  8 sd\n";

static const struct hako_sd_device *
dev_of (const struct hako_sd_props *p, const char *path)
{
  const struct hako_sd_prop *x = hako_sd_props_find (p, "DeviceAllow");

  for (size_t i = 0; x && i < x->ndev; i++)
    if (strcmp (x->dev[i].path, path) == 0)
      return &x->dev[i];
  return NULL;
}

static void
test_devices (void)
{
  struct hako_dev_rule rules[] = {
    { false, 'a', -1, -1, HAKO_DEV_ACC_ALL },
    { true, 'c', 1, 3, HAKO_DEV_ACC_ALL },
    { true, 'c', 136, -1, HAKO_DEV_ACC_READ | HAKO_DEV_ACC_WRITE },
    { true, 'b', -1, -1, HAKO_DEV_ACC_MKNOD },
    { true, 'c', 4, -1, HAKO_DEV_ACC_READ },
    { true, 'c', 10, 200, HAKO_DEV_ACC_ALL },
    { false, 'c', 10, 200, HAKO_DEV_ACC_WRITE },
  };
  struct hako_sd_props p = { 0 };
  const struct hako_sd_prop *policy;
  const struct hako_sd_device *d;

  hako_sd_device_props (rules, HAKO_ARRAY_SIZE (rules), proc_devices, &p);
  policy = hako_sd_props_find (&p, "DevicePolicy");
  ok (policy && strcmp (policy->str, "strict") == 0, "DevicePolicy strict");
  d = dev_of (&p, "/dev/char/1:3");
  ok (d && strcmp (d->access, "rwm") == 0, "c 1:3 rwm -> /dev/char/1:3 rwm");
  d = dev_of (&p, "char-pts");
  ok (d && strcmp (d->access, "rw") == 0, "c 136:* rw -> char-pts rw");
  d = dev_of (&p, "block-*");
  ok (d && strcmp (d->access, "m") == 0, "b *:* m -> block-* m");
  ok (dev_of (&p, "char-tty") && !dev_of (&p, "char-/dev/vc/0"),
      "c 4:* -> char-tty (names with '/' skipped)");
  d = dev_of (&p, "/dev/char/10:200");
  ok (d && strcmp (d->access, "rm") == 0, "a later deny removes access: /dev/char/10:200 rm");
  hako_sd_props_free (&p);

  rules[3].type = 'a';
  hako_sd_device_props (rules, HAKO_ARRAY_SIZE (rules), proc_devices, &p);
  policy = hako_sd_props_find (&p, "DevicePolicy");
  ok (policy && strcmp (policy->str, "auto") == 0 && !hako_sd_props_find (&p, "DeviceAllow"),
      "a rule allowing every device: DevicePolicy auto, no list");
  hako_sd_props_free (&p);
}

static void
check_mask (const char *list, const char *want_hex)
{
  cleanup_free uint8_t *mask = NULL;
  char hex[64] = "";
  size_t n = 0;
  int r = hako_sd_cpuset_mask (list, &mask, &n);

  for (size_t i = 0; r == 0 && i < n && i < 30; i++)
    snprintf (hex + 2 * i, sizeof hex - 2 * i, "%02x", mask[i]);
  if (want_hex == NULL)
    ok (r < 0, "cpuset \"%s\" is invalid", list);
  else
    ok (r == 0 && strcmp (hex, want_hex) == 0, "cpuset \"%s\" -> %s (got %s)", list, want_hex, hex);
}

static void
test_cpuset (void)
{
  check_mask ("0", "01");
  check_mask ("0-7", "ff");
  check_mask ("1,3, 8-9", "0a03");
  check_mask ("16", "000001");
  check_mask ("", NULL);
  check_mask ("a", NULL);
  check_mask ("3-1", NULL);
  check_mask ("1,,2", NULL);
  check_mask ("99999", NULL);
}

/* libsystemd is dlopen()ed by the driver: a missing library is a clear
 * error, the real one gives every function, once. */
static void
test_loader (void)
{
#ifdef HAVE_SYSTEMD
  struct hako_error err = HAKO_ERROR_INIT;
  const struct hako_sdbus *t = hako_sdbus_load ("libhako-test-missing.so.0", &err);

  ok (t == NULL && err.msg
          && strstr (err.msg, "the systemd cgroup driver needs libhako-test-missing.so.0: "),
      "loader: a missing library is refused: %s", err.msg ? err.msg : "(loaded)");
  hako_error_clear (&err);
  t = hako_sdbus_load (HAKO_SDBUS_SONAME, &err);
  ok (t && t->sd_bus_new && t->sd_bus_open_system && t->sd_bus_error_get_errno,
      "loader: " HAKO_SDBUS_SONAME " gives every function (%s)", t ? "loaded" : err.msg);
  ok (t && hako_sdbus_load ("libhako-test-missing.so.0", &err) == t,
      "loader: loaded once, then reused");
  hako_error_clear (&err);
#else
  ok (1, "loader: # SKIP hako is built with --disable-systemd");
#endif
}

int
main (void)
{
  test_names ();
  test_expand ();
  test_resources_v1 ();
  test_resources_v2 ();
  test_devices ();
  test_cpuset ();
  test_loader ();
  return tap_done ();
}

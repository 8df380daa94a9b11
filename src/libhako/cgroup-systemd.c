/* The systemd cgroup driver: transient units over D-Bus (sd-bus, used
 * nowhere else in hako).  See cgroup-systemd.h for the design.
 *
 * Every exchange with systemd runs on hako's own poll loop with a deadline
 * (HAKO_SYSTEMD_TIMEOUT_SEC): a bus that accepts the connection and never
 * answers, or a job that never finishes, is an error naming what hako
 * waited for, never a hang.  Once systemd failed to answer, later steps of
 * the same command (the undo of a failed create) do not wait again. */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_SYSTEMD
#include "sdbus-loader.h"
#endif

#include "cgroup-systemd.h"
#include "log.h"
#include "mountinfo.h"
#include "util.h"

struct hako_cgroup_systemd
{
  char *unit;    /* "hako-ID.scope" */
  char *slice;   /* its parent slice */
  char *id;      /* for Description= */
  bool is_slice; /* the unit is a slice (no PIDs=, no Delegate=) */
  bool user;     /* the user's service manager (rootless) */
  bool started;  /* StartTransientUnit was accepted: the unit exists */
  bool bus_dead; /* systemd did not answer once: do not wait again */
  /* From create until the unit is started: */
  const struct oci_config *config;
  struct hako_sd_props props;
  struct hako_sd_rest rest;
#ifdef HAVE_SYSTEMD
  sd_bus *bus;
#endif
};

#ifdef HAVE_SYSTEMD
/* libsystemd, loaded by bus_connect: every sd-bus call is on a bus it
 * opened, or on what came from one. */
static const struct hako_sdbus *sdb;
#endif

bool
hako_cgroup_systemd_pending (const struct hako_cgroup *cg)
{
  return cg && cg->sd && !cg->sd->started && cg->sd->config;
}

const char *
hako_cgroup_systemd_unit (const struct hako_cgroup *cg)
{
  return cg && cg->sd ? cg->sd->unit : NULL;
}

void
hako_cgroup_attach_systemd_unit (struct hako_cgroup *cg, const char *unit, bool user)
{
  if (cg == NULL || unit == NULL || *unit == '\0' || cg->sd)
    return;
  cg->sd = hako_xmalloc0 (sizeof *cg->sd);
  cg->sd->unit = hako_xstrdup (unit);
  cg->sd->user = user;
  cg->sd->started = true;
}

void
hako_cgroup_systemd_free (struct hako_cgroup_systemd *sd)
{
  if (sd == NULL)
    return;
#ifdef HAVE_SYSTEMD
  /* Every call was answered (or given up on): nothing is left to flush. */
  if (sd->bus)
    sdb->sd_bus_close_unref (sd->bus);
#endif
  hako_sd_props_free (&sd->props);
  free (sd->unit);
  free (sd->slice);
  free (sd->id);
  free (sd);
}

#ifndef HAVE_SYSTEMD

static int
not_built (struct hako_error *err)
{
  return hako_error_set (err, ENOTSUP,
                         "hako was built without systemd support (configure "
                         "--disable-systemd): the systemd cgroup manager is not available; "
                         "use --cgroup-manager=cgroupfs");
}

int
hako_cgroup_create_systemd (const struct oci_config *config, const char *id, bool rootless,
                            struct hako_cgroup **out, struct hako_error *err)
{
  (void)config, (void)id, (void)rootless;
  *out = NULL;
  return not_built (err);
}

int
hako_cgroup_systemd_start (struct hako_cgroup *cg, pid_t pid, struct hako_error *err)
{
  (void)cg, (void)pid;
  return not_built (err);
}

int
hako_cgroup_systemd_stop (struct hako_cgroup *cg, struct hako_error *err)
{
  (void)err;
  hako_log_warn ("built without systemd support: unit %s is not stopped",
                 hako_cgroup_systemd_unit (cg));
  return 0;
}

int
hako_cgroup_systemd_update (const struct hako_cgroup *cg, const struct oci_resources *r,
                            struct hako_error *err)
{
  (void)cg, (void)r;
  return not_built (err);
}

#else /* HAVE_SYSTEMD */

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define TIMEOUT_USEC ((uint64_t)HAKO_SYSTEMD_TIMEOUT_SEC * 1000000)
#define PRIVATE_SOCKET "/run/systemd/private"

static uint64_t
now_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
message_unrefp (sd_bus_message **m)
{
  if (*m) /* else libsystemd may not be loaded */
    sdb->sd_bus_message_unref (*m);
}
#define cleanup_message __attribute__ ((cleanup (message_unrefp)))

static void
slot_unrefp (sd_bus_slot **s)
{
  if (*s)
    sdb->sd_bus_slot_unref (*s);
}
#define cleanup_slot __attribute__ ((cleanup (slot_unrefp)))

/* ------------------------------------------------------------ the loop */

static const char *
address_of (const struct hako_cgroup_systemd *sd)
{
  const char *a = NULL;

  if (sd->bus && sdb->sd_bus_get_address (sd->bus, &a) >= 0 && a)
    return a;
  if (sd->user)
    return "the user bus";
  a = getenv ("DBUS_SYSTEM_BUS_ADDRESS");
  return a ? a : "unix:path=/run/dbus/system_bus_socket";
}

static int
bus_failed (struct hako_cgroup_systemd *sd, int r, const char *what, struct hako_error *err)
{
  sd->bus_dead = true;
  return hako_error_sys (err, -r, "D-Bus connection to systemd (%s) failed while %s",
                         address_of (sd), what);
}

/* Process the bus until *DONE, giving up at DEADLINE. */
static int
bus_run (struct hako_cgroup_systemd *sd, const bool *done, uint64_t deadline, const char *what,
         struct hako_error *err)
{
  while (!*done)
    {
      uint64_t now;
      int r = sdb->sd_bus_process (sd->bus, NULL);
      if (r < 0)
        return bus_failed (sd, r, what, err);
      if (r > 0)
        continue;
      now = now_usec ();
      if (now >= deadline)
        {
          sd->bus_dead = true;
          return hako_error_set (err, ETIMEDOUT,
                                 "systemd did not answer within %d s while %s (D-Bus %s); is "
                                 "systemd (PID 1) responsive?",
                                 HAKO_SYSTEMD_TIMEOUT_SEC, what, address_of (sd));
        }
      r = sdb->sd_bus_wait (sd->bus, deadline - now);
      if (r < 0 && r != -EINTR)
        return bus_failed (sd, r, what, err);
    }
  return 0;
}

/* ------------------------------------------------------------ calls */

struct call
{
  bool done;
  sd_bus_message *reply;
  sd_bus_error error;
};

static int
on_reply (sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
  struct call *c = data;

  (void)ret_error;
  c->done = true;
  if (sdb->sd_bus_message_is_method_error (m, NULL))
    sdb->sd_bus_error_copy (&c->error, sdb->sd_bus_message_get_error (m));
  else
    c->reply = sdb->sd_bus_message_ref (m);
  return 0;
}

static int
new_call (struct hako_cgroup_systemd *sd, const char *member, sd_bus_message **m,
          struct hako_error *err)
{
  int r = sdb->sd_bus_message_new_method_call (sd->bus, m, SYSTEMD_DEST, SYSTEMD_PATH,
                                               MANAGER_IFACE, member);
  if (r < 0)
    return hako_error_sys (err, -r, "systemd: %s", member);
  return 0;
}

/* An error systemd answered with; "no such unit" becomes ENOENT. */
static int
call_error (const sd_bus_error *e, const char *what, struct hako_error *err)
{
  int errnum = sdb->sd_bus_error_get_errno (e);

  if (sdb->sd_bus_error_has_name (e, "org.freedesktop.systemd1.NoSuchUnit"))
    errnum = ENOENT;
  return hako_error_set (err, errnum ? errnum : EIO, "systemd refused %s: %s", what,
                         e->message ? e->message : e->name);
}

/* Send M, wait for the answer; *REPLY (if not NULL) gets it. */
static int
call (struct hako_cgroup_systemd *sd, sd_bus_message *m, const char *what, sd_bus_message **reply,
      struct hako_error *err)
{
  struct call c = { .error = SD_BUS_ERROR_NULL };
  cleanup_slot sd_bus_slot *slot = NULL;
  int r = sdb->sd_bus_call_async (sd->bus, &slot, m, on_reply, &c, TIMEOUT_USEC);

  if (r < 0)
    return bus_failed (sd, r, what, err);
  r = bus_run (sd, &c.done, now_usec () + TIMEOUT_USEC, what, err);
  if (r == 0 && sdb->sd_bus_error_is_set (&c.error))
    r = call_error (&c.error, what, err);
  if (r == 0 && reply)
    *reply = sdb->sd_bus_message_ref (c.reply);
  sdb->sd_bus_message_unref (c.reply);
  sdb->sd_bus_error_free (&c.error);
  return r;
}

/* A Manager method taking the unit name only. */
static int
call_on_unit (struct hako_cgroup_systemd *sd, const char *member, struct hako_error *err)
{
  cleanup_message sd_bus_message *m = NULL;
  cleanup_free char *what = hako_strdup_printf ("%s %s", member, sd->unit);

  if (new_call (sd, member, &m, err) < 0)
    return -1;
  if (sdb->sd_bus_message_append (m, "s", sd->unit) < 0)
    return hako_error_set (err, ENOMEM, "systemd: %s", what);
  return call (sd, m, what, NULL, err);
}

/* ------------------------------------------------------------ jobs */

#define MAX_SEEN 8

/* The JobRemoved signals for our unit, until the one for our job. */
struct jobs
{
  const char *unit;
  char *seen_job[MAX_SEEN];
  char *seen_result[MAX_SEEN];
  size_t n;
  const char *want;   /* our job's object path, once systemd answered */
  const char *result; /* its result, once it is removed */
  bool done;
};

static void
jobs_check (struct jobs *j)
{
  for (size_t i = 0; j->want && !j->done && i < j->n; i++)
    if (strcmp (j->seen_job[i], j->want) == 0)
      {
        j->result = j->seen_result[i];
        j->done = true;
      }
}

static int
on_job_removed (sd_bus_message *m, void *data, sd_bus_error *ret_error)
{
  struct jobs *j = data;
  const char *job, *unit, *result;
  uint32_t id;

  (void)ret_error;
  if (sdb->sd_bus_message_read (m, "uoss", &id, &job, &unit, &result) < 0
      || strcmp (unit, j->unit) != 0 || j->n == MAX_SEEN)
    return 0;
  j->seen_job[j->n] = hako_xstrdup (job);
  j->seen_result[j->n++] = hako_xstrdup (result);
  jobs_check (j);
  return 0;
}

static void
jobs_clear (struct jobs *j)
{
  for (size_t i = 0; i < j->n; i++)
    {
      free (j->seen_job[i]);
      free (j->seen_result[i]);
    }
}

/* Send M (a method returning a job), wait until the job is done.
 * *ACCEPTED (if not NULL) is set once systemd took the call. */
static int
run_job (struct hako_cgroup_systemd *sd, sd_bus_message *m, const char *what, bool *accepted,
         struct hako_error *err)
{
  struct jobs j = { .unit = sd->unit };
  cleanup_slot sd_bus_slot *match = NULL;
  cleanup_message sd_bus_message *reply = NULL;
  int r = sdb->sd_bus_match_signal_async (sd->bus, &match, NULL, SYSTEMD_PATH, MANAGER_IFACE,
                                          "JobRemoved", on_job_removed, NULL, &j);

  if (r < 0)
    return bus_failed (sd, r, what, err);
  r = call (sd, m, what, &reply, err);
  if (r == 0)
    {
      if (accepted)
        *accepted = true;
      if (sdb->sd_bus_message_read (reply, "o", &j.want) < 0)
        r = hako_error_set (err, EPROTO, "systemd: %s: unexpected answer", what);
    }
  if (r == 0)
    {
      jobs_check (&j);
      r = bus_run (sd, &j.done, now_usec () + TIMEOUT_USEC, what, err);
    }
  if (r == 0 && strcmp (j.result, "done") != 0)
    r = hako_error_set (err, EIO, "systemd: %s: the job ended with \"%s\" (journalctl -u %s)", what,
                        j.result, sd->unit);
  jobs_clear (&j);
  return r;
}

/* ------------------------------------------------------------ connecting */

/* systemd's own socket: no D-Bus daemon needed, what systemctl uses as
 * root. */
static int
open_private (sd_bus **bus)
{
  int r = sdb->sd_bus_new (bus);

  if (r >= 0)
    r = sdb->sd_bus_set_address (*bus, "unix:path=" PRIVATE_SOCKET);
  if (r >= 0)
    r = sdb->sd_bus_start (*bus);
  if (r < 0)
    *bus = sdb->sd_bus_unref (*bus);
  return r;
}

/* Connect and Subscribe (so that systemd sends JobRemoved; it also proves
 * that systemd answers, before anything is created). */
static int
bus_connect (struct hako_cgroup_systemd *sd, struct hako_error *err)
{
  cleanup_message sd_bus_message *m = NULL;
  bool env = getenv ("DBUS_SYSTEM_BUS_ADDRESS") != NULL;
  int r = -ENOTCONN;

  if (sd->bus)
    return 0;
  if (sd->bus_dead)
    return hako_error_set (err, ETIMEDOUT, "systemd did not answer before: not asking again");
  if (!env && !sd->user && access ("/run/systemd/system", F_OK) < 0)
    return hako_error_set (err, ENOENT,
                           "systemd is not running on this host (no /run/systemd/system): the "
                           "systemd cgroup manager needs systemd as the init system; use "
                           "--cgroup-manager=cgroupfs");
  sdb = hako_sdbus_load (HAKO_SDBUS_SONAME, err);
  if (sdb == NULL)
    return -1;
  if (sd->user)
    r = sdb->sd_bus_open_user (&sd->bus);
  else if (!env && geteuid () == 0 && access (PRIVATE_SOCKET, F_OK) == 0)
    r = open_private (&sd->bus);
  if (r < 0 && !sd->user)
    r = sdb->sd_bus_open_system (&sd->bus);
  if (r < 0)
    {
      sd->bus = NULL;
      return hako_error_sys (err, -r, "cannot connect to systemd (%s)", address_of (sd));
    }
  if (new_call (sd, "Subscribe", &m, err) < 0)
    return -1;
  return call (sd, m, "connecting", NULL, err);
}

/* ------------------------------------------------------------ properties */

static int
append_bytes (sd_bus_message *m, const struct hako_sd_prop *p)
{
  int r = sdb->sd_bus_message_open_container (m, 'r', "sv");

  if (r >= 0)
    r = sdb->sd_bus_message_append (m, "s", p->name);
  if (r >= 0)
    r = sdb->sd_bus_message_open_container (m, 'v', "ay");
  if (r >= 0)
    r = sdb->sd_bus_message_append_array (m, 'y', p->bytes, p->nbytes);
  if (r >= 0)
    r = sdb->sd_bus_message_close_container (m);
  if (r >= 0)
    r = sdb->sd_bus_message_close_container (m);
  return r;
}

static int
append_devices (sd_bus_message *m, const struct hako_sd_prop *p)
{
  int r = sdb->sd_bus_message_open_container (m, 'r', "sv");

  if (r >= 0)
    r = sdb->sd_bus_message_append (m, "s", p->name);
  if (r >= 0)
    r = sdb->sd_bus_message_open_container (m, 'v', "a(ss)");
  if (r >= 0)
    r = sdb->sd_bus_message_open_container (m, 'a', "(ss)");
  for (size_t i = 0; r >= 0 && i < p->ndev; i++)
    r = sdb->sd_bus_message_append (m, "(ss)", p->dev[i].path, p->dev[i].access);
  for (int k = 0; r >= 0 && k < 3; k++)
    r = sdb->sd_bus_message_close_container (m);
  return r;
}

static int
append_prop (sd_bus_message *m, const struct hako_sd_prop *p)
{
  switch (p->kind)
    {
    case HAKO_SD_U64: return sdb->sd_bus_message_append (m, "(sv)", p->name, "t", p->u64);
    case HAKO_SD_BOOL: return sdb->sd_bus_message_append (m, "(sv)", p->name, "b", (int)p->u64);
    case HAKO_SD_STRING: return sdb->sd_bus_message_append (m, "(sv)", p->name, "s", p->str);
    case HAKO_SD_STRINGS: return sdb->sd_bus_message_append (m, "(sv)", p->name, "as", 1, p->str);
    case HAKO_SD_BYTES: return append_bytes (m, p);
    case HAKO_SD_DEVICES: return append_devices (m, p);
    }
  return -EINVAL;
}

static int
append_props (sd_bus_message *m, const struct hako_sd_props *props)
{
  int r = 0;

  for (size_t i = 0; r >= 0 && i < props->n; i++)
    r = append_prop (m, &props->v[i]);
  return r;
}

/* What every hako unit has: a scope holds PID and is delegated to hako
 * (so systemd leaves what hako writes there alone); no default
 * dependencies, so that shutdown ordering is hako's business. */
static int
append_unit_props (sd_bus_message *m, const struct hako_cgroup_systemd *sd, pid_t pid)
{
  cleanup_free char *desc = hako_strdup_printf ("hako container %s", sd->id);
  int r = sdb->sd_bus_message_append (m, "(sv)(sv)", "Description", "s", desc,
                                      "DefaultDependencies", "b", 0);

  if (r >= 0 && sd->is_slice)
    r = sdb->sd_bus_message_append (m, "(sv)", "Wants", "as", 1, sd->slice);
  else if (r >= 0)
    r = sdb->sd_bus_message_append (m, "(sv)(sv)(sv)", "Slice", "s", sd->slice, "Delegate", "b", 1,
                                    "PIDs", "au", 1, (uint32_t)pid);
  return r;
}

/* ------------------------------------------------------------ create */

static int
device_props (struct hako_cgroup_systemd *sd, const struct oci_config *config,
              struct hako_error *err)
{
  cleanup_free struct hako_dev_rule *rules = NULL;
  cleanup_free char *proc_devices = NULL;
  struct hako_error ignored = HAKO_ERROR_INIT;
  size_t n;

  if (hako_cgroup_device_rules (config, &rules, &n, err) < 0)
    return -1;
  if (hako_read_file_at (AT_FDCWD, "/proc/devices", &proc_devices, NULL, &ignored) < 0)
    hako_error_clear (&ignored); /* only wildcard-minor rules need it */
  hako_sd_device_props (rules, n, proc_devices, &sd->props);
  return 0;
}

int
hako_cgroup_create_systemd (const struct oci_config *config, const char *id, bool rootless,
                            struct hako_cgroup **out, struct hako_error *err)
{
  const struct oci_linux *l = config->linux;
  struct hako_sd_name name;
  struct hako_cgroup *cg;
  struct hako_cgroup_systemd *sd;
  enum hako_cgroup_layout layout;

  *out = NULL;
  if (hako_cgroup_layout_detect (&layout, err) < 0
      || hako_sd_parse_cgroups_path (l ? l->cgroups_path : NULL, id, rootless, &name, err) < 0)
    return hako_error_wrap (err, "cgroup");
  cg = hako_xmalloc0 (sizeof *cg);
  cg->layout = layout;
  cg->sd = sd = hako_xmalloc0 (sizeof *sd);
  sd->unit = name.unit;
  sd->slice = name.slice;
  sd->is_slice = name.is_slice;
  sd->id = hako_xstrdup (id);
  sd->user = rootless;
  sd->config = config;
  if (hako_sd_resource_props (l ? l->resources : NULL, layout, 0, &sd->props, &sd->rest, err) < 0
      || (!rootless && device_props (sd, config, err) < 0) || bus_connect (sd, err) < 0)
    {
      hako_error_wrap (err, "cgroup: systemd unit %s", sd->unit);
      hako_cgroup_free (cg);
      return -1;
    }
  *out = cg;
  return 0;
}

/* ------------------------------------------------------------ start */

static int
start_unit (struct hako_cgroup_systemd *sd, pid_t pid, struct hako_error *err)
{
  cleanup_message sd_bus_message *m = NULL;
  struct hako_error ignored = HAKO_ERROR_INIT;
  int r;

  /* A failed unit of the same name (an earlier container) blocks the
   * name until it is reset. */
  if (call_on_unit (sd, "ResetFailedUnit", &ignored) < 0)
    hako_error_clear (&ignored);
  if (sd->bus_dead)
    return hako_error_set (err, ETIMEDOUT, "systemd stopped answering");
  if (new_call (sd, "StartTransientUnit", &m, err) < 0)
    return -1;
  r = sdb->sd_bus_message_append (m, "ss", sd->unit, "fail");
  if (r >= 0)
    r = sdb->sd_bus_message_open_container (m, 'a', "(sv)");
  if (r >= 0)
    r = append_unit_props (m, sd, pid);
  if (r >= 0)
    r = append_props (m, &sd->props);
  if (r >= 0)
    r = sdb->sd_bus_message_close_container (m);
  if (r >= 0)
    r = sdb->sd_bus_message_append (m, "a(sa(sv))", 0);
  if (r < 0)
    return hako_error_sys (err, -r, "systemd: StartTransientUnit %s", sd->unit);
  return run_job (sd, m, "starting the unit", &sd->started, err);
}

/* Where systemd put PID: its cgroup in the hierarchy systemd manages
 * (name=systemd on v1 and hybrid hosts, else cgroup2), below the mount
 * hako sees. */
static int
placed_path (const struct hako_cgroup *cg, pid_t pid, char **out, struct hako_error *err)
{
  cleanup_free char *file = hako_strdup_printf ("/proc/%d/cgroup", (int)pid);
  cleanup_free char *text = NULL;
  struct hako_cgroup_mount *m = NULL;
  struct hako_mountinfo mi;
  size_t n = 0;
  int r;

  if (hako_read_file_at (AT_FDCWD, file, &text, NULL, err) < 0
      || hako_mountinfo_read (&mi, err) < 0)
    return -1;
  r = hako_cgroup_mounts_parse (cg->layout, text, &mi, &m, &n, err);
  hako_mountinfo_free (&mi);
  *out = NULL;
  for (size_t i = 0; r == 0 && i < n && *out == NULL; i++)
    if ((cg->layout == HAKO_CGROUP_V2 ? m[i].v2 : strcmp (m[i].controllers, "name=systemd") == 0)
        && m[i].own)
      *out = hako_xstrdup (m[i].own);
  hako_cgroup_mounts_free (m, n);
  if (r == 0 && *out == NULL)
    r = hako_error_set (err, ENOENT, "pid %d is in no cgroup of systemd's hierarchy", (int)pid);
  return r;
}

static int
unit_path (const struct hako_cgroup *cg, pid_t pid, char **out, struct hako_error *err)
{
  const char *unit = cg->sd->unit;
  const char *base;

  if (cg->sd->is_slice)
    {
      if (hako_sd_expand_slice (unit, out) < 0)
        return hako_error_set (err, EINVAL, "invalid slice %s", unit);
      return 0;
    }
  if (placed_path (cg, pid, out, err) < 0)
    return -1;
  base = strrchr (*out, '/');
  if (base == NULL || strcmp (base + 1, unit) != 0)
    return hako_error_set (err, EPROTO, "systemd started %s, but pid %d is in cgroup %s", unit,
                           (int)pid, *out);
  return 0;
}

/* The unit's cgroup as a cgroupfs cgroup at PATH: the hierarchies systemd
 * did not place PID in (v1 freezer, cpuset, net_cls, ...) get the same
 * path, made by hako; the resources systemd does not manage are written;
 * PID joins every hierarchy. */
static int
adopt (struct hako_cgroup *cg, const char *path, pid_t pid, struct hako_error *err)
{
  struct hako_cgroup_systemd *sd = cg->sd;
  struct oci_config c = *sd->config;
  struct oci_linux l = { 0 };
  struct hako_cgroup *inner = NULL;

  if (sd->config->linux)
    l = *sd->config->linux;
  l.cgroups_path = (char *)path;
  l.resources = &sd->rest.r;
  c.linux = &l;
  if (hako_cgroup_create (&c, sd->id, sd->user, &inner, err) < 0)
    return -1;
  if (inner == NULL)
    return 0; /* rootless without access to the cgroup: none, as cgroupfs */
  cg->layout = inner->layout;
  cg->h = inner->h;
  cg->n = inner->n;
  inner->h = NULL;
  inner->n = 0;
  hako_cgroup_free (inner);
  return hako_cgroup_enter (cg, pid, err);
}

int
hako_cgroup_systemd_start (struct hako_cgroup *cg, pid_t pid, struct hako_error *err)
{
  struct hako_cgroup_systemd *sd = cg->sd;
  cleanup_free char *path = NULL;
  int r;

  r = start_unit (sd, pid, err);
  if (r == 0)
    r = unit_path (cg, pid, &path, err);
  if (r == 0)
    r = adopt (cg, path, pid, err);
  hako_log_debug ("cgroup: systemd unit %s: %s", sd->unit, r == 0 ? path : "failed");
  sd->config = NULL;
  hako_sd_props_free (&sd->props);
  if (r < 0)
    return hako_error_wrap (err, "cgroup: systemd unit %s", sd->unit);
  return 0;
}

/* ------------------------------------------------------------ stop */

static int
stop_unit (struct hako_cgroup_systemd *sd, struct hako_error *err)
{
  cleanup_message sd_bus_message *m = NULL;

  if (bus_connect (sd, err) < 0 || new_call (sd, "StopUnit", &m, err) < 0)
    return -1;
  if (sdb->sd_bus_message_append (m, "ss", sd->unit, "replace") < 0)
    return hako_error_set (err, ENOMEM, "systemd: StopUnit");
  return run_job (sd, m, "stopping the unit", NULL, err);
}

int
hako_cgroup_systemd_stop (struct hako_cgroup *cg, struct hako_error *err)
{
  struct hako_cgroup_systemd *sd = cg ? cg->sd : NULL;
  struct hako_error e = HAKO_ERROR_INIT;
  int r;

  if (sd == NULL || !sd->started)
    return 0;
  r = stop_unit (sd, &e);
  if (r < 0 && e.errnum == ENOENT) /* gone with its last process */
    {
      hako_error_clear (&e);
      r = 0;
    }
  /* A unit whose process was killed is "failed": forget it. */
  if (sd->bus && !sd->bus_dead && call_on_unit (sd, "ResetFailedUnit", NULL) < 0)
    hako_log_debug ("cgroup: systemd: reset-failed %s: no such unit", sd->unit);
  if (r < 0)
    {
      hako_error_wrap (&e, "cgroup: systemd unit %s", sd->unit);
      hako_error_set (err, e.errnum, "%s", e.msg);
    }
  hako_error_clear (&e);
  return r;
}

/* ------------------------------------------------------------ update */

/* The CFS period in force, for a quota given alone (0 if unknown). */
static uint64_t
current_period (const struct hako_cgroup *cg)
{
  struct hako_cgroup_hier *h = hako_cgroup_find (cg, "cpu", "cpu");
  cleanup_free char *max = NULL;
  struct hako_error ignored = HAKO_ERROR_INIT;
  uint64_t v = 0;

  if (h && !h->v2)
    hako_cgroup_read_u64 (h->dirfd, "cpu.cfs_period_us", &v, &ignored);
  else if (h && hako_cgroup_read (h->dirfd, "cpu.max", &max, &ignored) == 0 && strchr (max, ' '))
    v = strtoull (strchr (max, ' ') + 1, NULL, 10);
  hako_error_clear (&ignored);
  return v;
}

static int
check_usage (const struct hako_cgroup *cg, const struct oci_memory *m, struct hako_error *err)
{
  struct hako_cgroup_hier *h = m ? hako_cgroup_find (cg, "memory", "memory") : NULL;
  struct hako_cgroup_apply a = { h ? h->dirfd : -1, true, err };

  if (h == NULL)
    return 0;
  return hako_cgroup_memory_check_usage (&a, m, h->v2 ? "memory.current" : "memory.usage_in_bytes");
}

static int
set_properties (struct hako_cgroup_systemd *sd, const struct hako_sd_props *props,
                struct hako_error *err)
{
  cleanup_message sd_bus_message *m = NULL;
  int r;

  if (bus_connect (sd, err) < 0 || new_call (sd, "SetUnitProperties", &m, err) < 0)
    return -1;
  r = sdb->sd_bus_message_append (m, "sb", sd->unit, 1);
  if (r >= 0)
    r = sdb->sd_bus_message_open_container (m, 'a', "(sv)");
  if (r >= 0)
    r = append_props (m, props);
  if (r >= 0)
    r = sdb->sd_bus_message_close_container (m);
  if (r < 0)
    return hako_error_sys (err, -r, "systemd: SetUnitProperties %s", sd->unit);
  return call (sd, m, "setting the unit's properties", NULL, err);
}

int
hako_cgroup_systemd_update (const struct hako_cgroup *cg, const struct oci_resources *r,
                            struct hako_error *err)
{
  struct hako_sd_props props = { 0 };
  struct hako_sd_rest rest;
  int ret = -1;

  if (check_usage (cg, r->memory, err) < 0
      || hako_sd_resource_props (r, cg->layout, current_period (cg), &props, &rest, err) < 0)
    goto out;
  if (props.n && set_properties (cg->sd, &props, err) < 0)
    {
      hako_error_wrap (err, "cgroup: systemd unit %s", cg->sd->unit);
      goto out;
    }
  ret = hako_cgroup_apply (cg, NULL, &rest.r, true, false, err);
out:
  hako_sd_props_free (&props);
  return ret;
}

#endif /* HAVE_SYSTEMD */

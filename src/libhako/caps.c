/* The capability sets of the container process.  The kernel's rules shape
 * the order: the bounding set can only be changed with CAP_SETPCAP in the
 * effective set (so before the uid change clears it), the permitted set can
 * only shrink, effective must be a subset of permitted, inheritable must
 * stay within the bounding set, and an ambient capability must be both
 * permitted and inheritable.  Every refusal names the capability. */
#define _GNU_SOURCE
#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "validate-linux.h"

#define CAP_BIT(c) (UINT64_C (1) << (c))

/* One process's three capget/capset sets. */
struct cap_state
{
  uint64_t effective, permitted, inheritable;
};

/* For messages: the name, or "capability N" for one hako cannot name. */
static const char *
cap_label (int cap, char *buf, size_t size)
{
  const char *name = oci_capability_name (cap);

  if (name)
    return name;
  snprintf (buf, size, "capability %d", cap);
  return buf;
}

int
hako_cap_last_cap (void)
{
  static int last = -1;

  if (last < 0)
    {
      int c = 0;
      /* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability. */
      while (c < 63 && (prctl (PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0 || errno != EINVAL))
        c++;
      last = c;
    }
  return last;
}

static int
caps_get (struct cap_state *s, struct hako_error *err)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];

  if (syscall (SYS_capget, &hdr, d) < 0)
    return hako_error_sys (err, errno, "capget");
  s->effective = d[0].effective | (uint64_t)d[1].effective << 32;
  s->permitted = d[0].permitted | (uint64_t)d[1].permitted << 32;
  s->inheritable = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
  return 0;
}

static int
caps_set (const struct cap_state *s, struct hako_error *err)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2] = {
    { (uint32_t)s->effective, (uint32_t)s->permitted, (uint32_t)s->inheritable },
    { (uint32_t)(s->effective >> 32), (uint32_t)(s->permitted >> 32),
      (uint32_t)(s->inheritable >> 32) },
  };

  if (syscall (SYS_capset, &hdr, d) < 0)
    return hako_error_sys (err, errno, "capset");
  return 0;
}

static int
parse_set (const char *set, char *const *names, size_t n, int last, uint64_t *out,
           struct hako_error *err)
{
  *out = 0;
  for (size_t i = 0; i < n; i++)
    {
      int c = oci_capability_number (names[i]);
      if (c < 0)
        return hako_error_set (err, EINVAL, "process.capabilities.%s: unknown capability \"%s\"",
                               set, names[i]);
      if (c > last)
        {
          hako_log_debug ("capability %s (%s set) is not known to the running kernel: ignored",
                          names[i], set);
          continue;
        }
      *out |= CAP_BIT (c);
    }
  return 0;
}

int
hako_caps_parse (const struct oci_capabilities *caps, struct hako_caps *out, struct hako_error *err)
{
  int last = hako_cap_last_cap ();

  memset (out, 0, sizeof *out);
  if (parse_set ("bounding", caps->bounding, caps->bounding_len, last, &out->bounding, err) < 0
      || parse_set ("effective", caps->effective, caps->effective_len, last, &out->effective, err)
             < 0
      || parse_set ("inheritable", caps->inheritable, caps->inheritable_len, last,
                    &out->inheritable, err)
             < 0
      || parse_set ("permitted", caps->permitted, caps->permitted_len, last, &out->permitted, err)
             < 0
      || parse_set ("ambient", caps->ambient, caps->ambient_len, last, &out->ambient, err) < 0)
    return -1;
  return 0;
}

/* The current bounding set as a mask. */
static int
bounding_read (uint64_t *out, struct hako_error *err)
{
  int last = hako_cap_last_cap ();

  *out = 0;
  for (int c = 0; c <= last; c++)
    {
      int r = prctl (PR_CAPBSET_READ, c, 0, 0, 0);
      if (r < 0)
        return hako_error_sys (err, errno, "read the bounding set");
      if (r)
        *out |= CAP_BIT (c);
    }
  return 0;
}

int
hako_caps_apply_bounding (const struct hako_caps *caps, struct hako_error *err)
{
  int last = hako_cap_last_cap ();
  uint64_t have, missing;
  char buf[32];

  if (bounding_read (&have, err) < 0)
    return -1;
  missing = caps->bounding & ~have;
  if (missing)
    return hako_error_sys (err, EPERM,
                           "cannot keep %s in the bounding set: the runtime's bounding set "
                           "does not have it",
                           cap_label (__builtin_ctzll (missing), buf, sizeof buf));
  for (int c = 0; c <= last; c++)
    if ((have & CAP_BIT (c)) && !(caps->bounding & CAP_BIT (c))
        && prctl (PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
      return hako_error_sys (err, errno, "drop %s from the bounding set",
                             cap_label (c, buf, sizeof buf));
  return 0;
}

/* Explain, before capset does, why the wanted sets cannot be set from CUR
 * (whose effective set equals its permitted set). */
static int
check_sets (const struct hako_caps *want, const struct cap_state *cur, struct hako_error *err)
{
  uint64_t bset, bad;
  char buf[32];

  if (bounding_read (&bset, err) < 0)
    return -1;
  if ((bad = want->permitted & ~cur->permitted))
    return hako_error_sys (err, EPERM,
                           "cannot set %s in the permitted set: the runtime does not hold it",
                           cap_label (__builtin_ctzll (bad), buf, sizeof buf));
  if ((bad = want->effective & ~want->permitted))
    return hako_error_set (err, EINVAL, "capability %s is effective but not permitted",
                           cap_label (__builtin_ctzll (bad), buf, sizeof buf));
  if ((bad = want->inheritable & ~(cur->inheritable | bset)))
    return hako_error_sys (err, EPERM,
                           "cannot set %s in the inheritable set: it is not in the bounding set",
                           cap_label (__builtin_ctzll (bad), buf, sizeof buf));
  /* Without CAP_SETPCAP, inheritable may not grow beyond permitted. */
  if (!(cur->effective & CAP_BIT (CAP_SETPCAP))
      && (bad = want->inheritable & ~(cur->inheritable | cur->permitted)))
    return hako_error_sys (err, EPERM,
                           "cannot set %s in the inheritable set: neither permitted nor "
                           "CAP_SETPCAP held",
                           cap_label (__builtin_ctzll (bad), buf, sizeof buf));
  if ((bad = want->ambient & ~(want->permitted & want->inheritable)))
    return hako_error_set (err, EINVAL,
                           "ambient capability %s must also be permitted and inheritable",
                           cap_label (__builtin_ctzll (bad), buf, sizeof buf));
  return 0;
}

static int
apply_ambient (uint64_t ambient, struct hako_error *err)
{
  int last = hako_cap_last_cap ();
  char buf[32];

  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
    {
      /* EINVAL: a kernel without ambient capabilities (before 4.3). */
      if (errno == EINVAL && ambient == 0)
        return 0;
      return hako_error_sys (err, errno, "clear the ambient set");
    }
  for (int c = 0; c <= last; c++)
    if ((ambient & CAP_BIT (c)) && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return hako_error_sys (err, errno, "raise ambient capability %s",
                             cap_label (c, buf, sizeof buf));
  return 0;
}

int
hako_caps_apply_sets (const struct hako_caps *caps, struct hako_error *err)
{
  struct cap_state cur = { 0 }, want = {
    .effective = caps->effective,
    .permitted = caps->permitted,
    .inheritable = caps->inheritable,
  };

  if (caps_get (&cur, err) < 0)
    return -1;
  /* The uid change cleared the effective set; raise what is still
   * permitted so that CAP_SETPCAP (if kept) lifts the inheritable limit. */
  cur.effective = cur.permitted;
  if (caps_set (&cur, err) < 0 || check_sets (caps, &cur, err) < 0 || caps_set (&want, err) < 0)
    return -1;
  return apply_ambient (caps->ambient, err);
}

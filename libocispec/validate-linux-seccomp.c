/* Level 2 checks of linux.seccomp (config-linux.md "Seccomp"): the
 * errno, listener and argument rules, and what libseccomp and the kernel
 * refuse. */
#define _GNU_SOURCE
#include <string.h>

#include "validate-util.h"

/* sockaddr_un.sun_path holds 108 bytes including the final NUL. */
#define SUN_PATH_MAX 108

/* "Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify
 * the errno code to return." */
static bool
takes_errno (const char *action)
{
  return strcmp (action, "SCMP_ACT_ERRNO") == 0 || strcmp (action, "SCMP_ACT_TRACE") == 0;
}

static bool
is_notify (const char *action)
{
  return strcmp (action, "SCMP_ACT_NOTIFY") == 0;
}

/* errnoRet, defaultErrnoRet: "When the action doesn't support an errno,
 * the runtime MUST print and error and fail."  The value travels in the
 * 16-bit data of the filter's return value. */
static int
check_errno (struct vctx *c, const char *field, const char *action, bool has, uint32_t value)
{
  if (!has)
    return 0;
  if (!takes_errno (action))
    return v_error (c, field, "%s takes no errno; only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do",
                    action);
  if (value > 65535)
    return v_error (c, field, "must be at most 65535, got %u", (unsigned)value);
  return 0;
}

static int
check_arg (struct vctx *c, const struct oci_syscall_arg *a)
{
  /* A system call has at most six arguments. */
  if (a->index > 5)
    return v_error (c, "index", "must be between 0 and 5, got %u", (unsigned)a->index);
  return 0;
}

static int
check_syscall (struct vctx *c, const struct oci_syscall *s)
{
  for (size_t i = 0; i < s->names_len; i++)
    if (s->names[i][0] == '\0')
      {
        v_enter (c, "names");
        v_enter_index (c, i);
        return v_error (c, NULL, "must not be empty");
      }
  if (check_errno (c, "errnoRet", s->action, s->has_errno_ret, s->errno_ret) < 0)
    return -1;
  for (size_t i = 0; i < s->args_len; i++)
    {
      size_t mark = v_enter (c, "args");
      v_enter_index (c, i);
      if (check_arg (c, &s->args[i]) < 0)
        return -1;
      v_leave (c, mark);
    }
  return 0;
}

/* The first syscalls[] entry whose action is SCMP_ACT_NOTIFY, or -1. */
static long
first_notify_rule (const struct oci_seccomp *s)
{
  for (size_t i = 0; i < s->syscalls_len; i++)
    if (is_notify (s->syscalls[i].action))
      return (long)i;
  return -1;
}

static int
check_listener (struct vctx *c, const struct oci_seccomp *s)
{
  long notify = first_notify_rule (s);
  bool path = s->listener_path && s->listener_path[0];

  /* listenerMetadata: "This field MUST NOT be set if listenerPath is not
   * set." */
  if (s->listener_metadata && !path)
    return v_error (c, "listenerMetadata", "must not be set without listenerPath");
  /* The seccomp fd of a SCMP_ACT_NOTIFY rule is sent over listenerPath;
   * without it notified system calls would wait forever. */
  if (notify >= 0 && !path)
    return v_error (c, "listenerPath", "required because syscalls[%ld] uses SCMP_ACT_NOTIFY",
                    notify);
  if (path && strlen (s->listener_path) >= SUN_PATH_MAX)
    return v_error (c, "listenerPath", "is longer than %d bytes, too long for a unix socket",
                    SUN_PATH_MAX - 1);
  /* "If the SCMP_ACT_NOTIFY action is not used this value is ignored." */
  if (path && notify < 0)
    v_warn (c, "listenerPath", "ignored: no rule uses SCMP_ACT_NOTIFY");
  return 0;
}

int
v_check_seccomp (struct vctx *c, const struct oci_seccomp *s)
{
  /* libseccomp refuses SCMP_ACT_NOTIFY as the default action (it would
   * also catch the calls the runtime needs to hand over the listener). */
  if (is_notify (s->default_action))
    return v_error (c, "defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  if (check_errno (c, "defaultErrnoRet", s->default_action, s->has_default_errno_ret,
                   s->default_errno_ret)
      < 0)
    return -1;
  for (size_t i = 0; i < s->syscalls_len; i++)
    {
      size_t mark = v_enter (c, "syscalls");
      v_enter_index (c, i);
      if (check_syscall (c, &s->syscalls[i]) < 0)
        return -1;
      v_leave (c, mark);
    }
  return check_listener (c, s);
}

/* linux.seccomp -> classic BPF (libseccomp, stage 0) -> seccomp(2) (stage 2).
 *
 * The filter is exported from libseccomp rather than loaded by it, so the
 * container's init does not run libseccomp's allocations and the load is a
 * single system call.  A consequence: libseccomp's filter attributes (LOG,
 * SSB, WAITKILL) only change the flags seccomp_load() would pass, not the
 * program, so the kernel flags are computed here from linux.seccomp.flags
 * and kept beside the program. */
#define _GNU_SOURCE
#include "config.h"

#include "seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifdef HAVE_SECCOMP
#include <ctype.h>
#include <limits.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "log.h"

#define SECCOMP_PATH "linux.seccomp"

/* errnoRet's default for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, as runc and
 * crun use. */
#define DEFAULT_ERRNO EPERM

/* The libseccomp action for ACTION; HAS/ERRNO_RET give the errno data of
 * ERRNO and TRACE.  PATH names the field in messages. */
static int
action_of (const char *action, bool has, uint32_t errno_ret, uint32_t *out, const char *path,
           struct hako_error *err)
{
  uint16_t data = has ? (uint16_t)errno_ret : DEFAULT_ERRNO;

  if (has && errno_ret > 0xffff)
    return hako_error_set (err, EINVAL, "%s: errno %u does not fit in 16 bits", path,
                           (unsigned)errno_ret);
  if (strcmp (action, "SCMP_ACT_ERRNO") == 0)
    *out = SCMP_ACT_ERRNO (data);
  else if (strcmp (action, "SCMP_ACT_TRACE") == 0)
    *out = SCMP_ACT_TRACE (data);
  else if (has)
    return hako_error_set (err, EINVAL, "%s: %s takes no errno", path, action);
  else if (strcmp (action, "SCMP_ACT_KILL") == 0 || strcmp (action, "SCMP_ACT_KILL_THREAD") == 0)
    *out = SCMP_ACT_KILL_THREAD;
  else if (strcmp (action, "SCMP_ACT_KILL_PROCESS") == 0)
    *out = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (action, "SCMP_ACT_TRAP") == 0)
    *out = SCMP_ACT_TRAP;
  else if (strcmp (action, "SCMP_ACT_ALLOW") == 0)
    *out = SCMP_ACT_ALLOW;
  else if (strcmp (action, "SCMP_ACT_LOG") == 0)
    *out = SCMP_ACT_LOG;
  else if (strcmp (action, "SCMP_ACT_NOTIFY") == 0)
    *out = SCMP_ACT_NOTIFY;
  else
    return hako_error_set (err, EINVAL, "%s: unknown action \"%s\"", path, action);
  return 0;
}

static int
operator_of (const char *op, enum scmp_compare *out)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE },
    { "SCMP_CMP_LT", SCMP_CMP_LT },
    { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ },
    { "SCMP_CMP_GE", SCMP_CMP_GE },
    { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  };

  for (size_t i = 0; i < HAKO_ARRAY_SIZE (ops); i++)
    if (strcmp (op, ops[i].name) == 0)
      {
        *out = ops[i].op;
        return 0;
      }
  return -1;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64" -> its token; 0 if unknown
 * (the schema lists architectures newer than some libseccomp releases). */
static uint32_t
arch_token (const char *name)
{
  char lower[32];
  size_t i = 0;

  if (strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof lower)
    return 0;
  for (const char *p = name + 10; *p; p++)
    lower[i++] = tolower ((unsigned char)*p);
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

static int
add_architectures (scmp_filter_ctx ctx, const struct oci_seccomp *s, struct hako_error *err)
{
  for (size_t i = 0; i < s->architectures_len; i++)
    {
      uint32_t token = arch_token (s->architectures[i]);
      int r;

      if (token == 0)
        return hako_error_set (
            err, EINVAL, SECCOMP_PATH ".architectures[%zu]: \"%s\" is unknown to libseccomp %u.%u",
            i, s->architectures[i], seccomp_version ()->major, seccomp_version ()->minor);
      /* The native architecture is in the filter already: EEXIST. */
      r = seccomp_arch_add (ctx, token);
      if (r < 0 && r != -EEXIST)
        return hako_error_sys (err, -r, SECCOMP_PATH ".architectures[%zu]: add \"%s\"", i,
                               s->architectures[i]);
    }
  return 0;
}

static bool
uses_notify (const struct oci_seccomp *s)
{
  for (size_t i = 0; i < s->syscalls_len; i++)
    if (s->syscalls[i].action && strcmp (s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
      return true;
  return false;
}

/* linux.seccomp.flags -> seccomp(2) flags.  TSYNC is pointless for the
 * single-threaded init; WAIT_KILLABLE_RECV only means something together
 * with a notify listener (the kernel refuses it alone). */
static int
kernel_flags (const struct oci_seccomp *s, bool notify, unsigned int *out, struct hako_error *err)
{
  *out = notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  for (size_t i = 0; i < s->flags_len; i++)
    {
      const char *f = s->flags[i];
      if (strcmp (f, "SECCOMP_FILTER_FLAG_LOG") == 0)
        *out |= SECCOMP_FILTER_FLAG_LOG;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        *out |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
      else if (notify && strcmp (f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
        *out |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
      else if (strcmp (f, "SECCOMP_FILTER_FLAG_TSYNC") == 0
               || strcmp (f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
        hako_log_debug ("seccomp: %s ignored", f);
      else
        return hako_error_set (err, EINVAL, SECCOMP_PATH ".flags[%zu]: unknown flag \"%s\"", i, f);
    }
  return 0;
}

/* The conditions of syscalls[IDX] into CMPS (MAX entries); *SAME_INDEX
 * tells whether an argument index repeats.  Returns the count. */
static int
conditions_of (const struct oci_syscall *sc, size_t idx, struct scmp_arg_cmp *cmps, size_t max,
               bool *same_index, struct hako_error *err)
{
  unsigned seen = 0;

  *same_index = false;
  if (sc->args_len > max)
    return hako_error_set (err, EINVAL, SECCOMP_PATH ".syscalls[%zu].args: more than %zu", idx,
                           max);
  for (size_t i = 0; i < sc->args_len; i++)
    {
      const struct oci_syscall_arg *a = &sc->args[i];
      enum scmp_compare op;

      if (a->index > 5)
        return hako_error_set (err, EINVAL,
                               SECCOMP_PATH ".syscalls[%zu].args[%zu].index: must be 0 to 5, "
                                            "got %u",
                               idx, i, (unsigned)a->index);
      if (operator_of (a->op, &op) < 0)
        return hako_error_set (err, EINVAL,
                               SECCOMP_PATH ".syscalls[%zu].args[%zu].op: unknown operator "
                                            "\"%s\"",
                               idx, i, a->op);
      if (seen & (1u << a->index))
        *same_index = true;
      seen |= 1u << a->index;
      /* MASKED_EQ: value is the mask, valueTwo the expected result, as
       * runc passes them (Docker's clone rule relies on it). */
      cmps[i] = (struct scmp_arg_cmp){
        .arg = a->index, .op = op, .datum_a = a->value, .datum_b = a->value_two
      };
    }
  return (int)sc->args_len;
}

/* Conditions on different arguments must all hold (one rule).  Several
 * conditions on the same argument are one rule each, so any of them
 * matching is enough: libseccomp refuses two comparisons of one argument
 * in a rule, and runc splits them the same way. */
static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct scmp_arg_cmp *cmps, int n,
          bool same_index)
{
  int r;

  if (!same_index)
    return seccomp_rule_add_array (ctx, action, nr, n, cmps);
  for (int i = 0; i < n; i++)
    if ((r = seccomp_rule_add_array (ctx, action, nr, 1, &cmps[i])) < 0)
      return r;
  return 0;
}

static int
add_syscall (scmp_filter_ctx ctx, const struct oci_syscall *sc, size_t idx, uint32_t def_action,
             struct hako_error *err)
{
  struct scmp_arg_cmp cmps[64];
  cleanup_free char *path = hako_strdup_printf (SECCOMP_PATH ".syscalls[%zu]", idx);
  uint32_t action;
  bool same_index;
  int n;

  if (action_of (sc->action, sc->has_errno_ret, sc->errno_ret, &action, path, err) < 0)
    return -1;
  n = conditions_of (sc, idx, cmps, HAKO_ARRAY_SIZE (cmps), &same_index, err);
  if (n < 0)
    return -1;
  /* libseccomp refuses a rule whose action is the default (EACCES): it
   * would change nothing. */
  if (action == def_action)
    return 0;
  for (size_t i = 0; i < sc->names_len; i++)
    {
      int nr = seccomp_syscall_resolve_name (sc->names[i]), r;

      if (nr == __NR_SCMP_ERROR)
        {
          hako_log_debug ("seccomp: unknown syscall \"%s\" ignored", sc->names[i]);
          continue;
        }
      r = add_rule (ctx, action, nr, cmps, n, same_index);
      if (r < 0)
        return hako_error_sys (err, -r, "%s: add a rule for \"%s\"", path, sc->names[i]);
    }
  return 0;
}

/* The program libseccomp generates, read back through a memfd
 * (seccomp_export_bpf_mem needs libseccomp 2.6; Debian 12 has 2.5). */
static int
export_bpf (scmp_filter_ctx ctx, struct hako_seccomp_prog *out, struct hako_error *err)
{
  cleanup_fd int fd = memfd_create ("hako-seccomp", MFD_CLOEXEC);
  struct stat st;
  size_t n;
  int r;

  if (fd < 0)
    return hako_error_sys (err, errno, "seccomp: memfd_create");
  if ((r = seccomp_export_bpf (ctx, fd)) < 0)
    return hako_error_sys (err, -r, "seccomp: export the filter");
  if (fstat (fd, &st) < 0)
    return hako_error_sys (err, errno, "seccomp: fstat");
  n = (size_t)st.st_size / sizeof (struct sock_filter);
  if (n == 0 || n > USHRT_MAX || n * sizeof (struct sock_filter) != (size_t)st.st_size)
    return hako_error_set (err, E2BIG, "seccomp: the filter has an unusable size of %lld bytes",
                           (long long)st.st_size);
  out->bpf = hako_xmalloc0 (st.st_size);
  if (pread (fd, out->bpf, st.st_size, 0) != st.st_size)
    return hako_error_sys (err, errno ? errno : EIO, "seccomp: read the exported filter");
  out->len = (unsigned short)n;
  return 0;
}

static void
release_ctx (scmp_filter_ctx *ctx)
{
  if (*ctx)
    seccomp_release (*ctx);
}

int
hako_seccomp_compile (const struct oci_seccomp *s, struct hako_seccomp_prog *out,
                      struct hako_error *err)
{
  __attribute__ ((cleanup (release_ctx))) scmp_filter_ctx ctx = NULL;
  uint32_t def;

  memset (out, 0, sizeof *out);
  out->notify = uses_notify (s);
  if (action_of (s->default_action, s->has_default_errno_ret, s->default_errno_ret, &def,
                 SECCOMP_PATH ".defaultAction", err)
          < 0
      || kernel_flags (s, out->notify, &out->flags, err) < 0)
    return -1;
  ctx = seccomp_init (def);
  if (ctx == NULL)
    return hako_error_set (err, EINVAL, "seccomp: libseccomp refused the default action");
  /* The filter is loaded by us, with the flags computed above. */
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (add_architectures (ctx, s, err) < 0)
    return -1;
  for (size_t i = 0; i < s->syscalls_len; i++)
    if (add_syscall (ctx, &s->syscalls[i], i, def, err) < 0)
      return -1;
  if (export_bpf (ctx, out, err) < 0)
    {
      hako_seccomp_prog_release (out);
      return -1;
    }
  return 0;
}

#else /* !HAVE_SECCOMP */

int
hako_seccomp_compile (const struct oci_seccomp *s, struct hako_seccomp_prog *out,
                      struct hako_error *err)
{
  (void)s;
  memset (out, 0, sizeof *out);
  return hako_error_set (err, ENOTSUP,
                         "linux.seccomp: hako was built without libseccomp (--disable-seccomp); "
                         "remove linux.seccomp or rebuild with libseccomp");
}

#endif

int
hako_seccomp_load (const struct hako_seccomp_prog *p, int *listener, struct hako_error *err)
{
  struct sock_fprog prog = { .len = p->len, .filter = p->bpf };
  long r = syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);

  *listener = -1;
  if (r >= 0 && (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
    *listener = (int)r;
  if (r >= 0)
    return 0;
  /* Kernels before 3.17 have only the prctl, which takes no flags. */
  if (errno == ENOSYS && p->flags == 0
      && prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
    return 0;
  return hako_error_sys (err, errno, "load the seccomp filter (flags 0x%x)", p->flags);
}

void
hako_seccomp_prog_release (struct hako_seccomp_prog *p)
{
  free (p->bpf);
  memset (p, 0, sizeof *p);
}

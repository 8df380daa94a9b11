/* The device cgroup of cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program,
 * assembled here from the rule list (no compiler, no libbpf) and attached
 * to the container's cgroup2 directory.
 *
 * The kernel runs the program on every open and mknod of a device node with
 * a context of { access_type = access << 16 | type, major, minor } and
 * allows the access when it returns 1.  The rules are checked last to
 * first and the first that matches decides, which is what v1's sequence of
 * devices.allow / devices.deny writes amounts to:
 *   - an "a" rule matches everything (v1 resets the whole list for it);
 *   - an allow rule matches when the requested access is within its own;
 *   - a deny rule matches when the requested access overlaps its own.
 * Nothing matching: deny (the list always starts with "deny all"). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "util.h"

/* A rule compiles to at most 9 instructions; see rule_block. */
#define BLOCK_MAX 12
#define NEXT_RULE INT16_MIN /* jump target placeholder: the next rule */

/* Registers the prologue fills. */
enum
{
  R_CTX = 1,
  R_TYPE = 3,
  R_ACCESS = 4,
  R_MAJOR = 5,
  R_MINOR = 6,
  R_TMP = 7,
};

static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  struct bpf_insn i;

  memset (&i, 0, sizeof i);
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

static struct bpf_insn
ld_u32 (uint8_t dst, int16_t off)
{
  return insn (BPF_LDX | BPF_MEM | BPF_W, dst, R_CTX, off, 0);
}

static struct bpf_insn
alu_imm (uint8_t op, uint8_t dst, int32_t imm)
{
  return insn (BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

static struct bpf_insn
mov_reg (uint8_t dst, uint8_t src)
{
  return insn (BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

/* 32-bit compare: majors and minors are u32, an imm is s32. */
static struct bpf_insn
jmp32_imm (uint8_t op, uint8_t dst, uint32_t imm)
{
  return insn (BPF_JMP32 | op | BPF_K, dst, 0, NEXT_RULE, (int32_t)imm);
}

static struct bpf_insn
exit_insn (void)
{
  return insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* access_type, major and minor into registers (prologue, 6 instructions). */
static size_t
prologue (struct bpf_insn *p)
{
  size_t n = 0;

  p[n++] = ld_u32 (R_TYPE, offsetof (struct bpf_cgroup_dev_ctx, access_type));
  p[n++] = mov_reg (R_ACCESS, R_TYPE);
  p[n++] = alu_imm (BPF_AND, R_TYPE, 0xffff);
  p[n++] = alu_imm (BPF_RSH, R_ACCESS, 16);
  p[n++] = ld_u32 (R_MAJOR, offsetof (struct bpf_cgroup_dev_ctx, major));
  p[n++] = ld_u32 (R_MINOR, offsetof (struct bpf_cgroup_dev_ctx, minor));
  return n;
}

/* The access test: allow needs request & ~access == 0, deny needs
 * request & access != 0; otherwise on to the next rule. */
static size_t
access_test (const struct hako_dev_rule *r, struct bpf_insn *b)
{
  size_t n = 0;

  if (r->access == HAKO_DEV_ACC_ALL)
    return 0;
  b[n++] = mov_reg (R_TMP, R_ACCESS);
  if (r->allow)
    {
      b[n++] = alu_imm (BPF_AND, R_TMP, (int32_t)(~r->access & HAKO_DEV_ACC_ALL));
      b[n++] = jmp32_imm (BPF_JNE, R_TMP, 0);
    }
  else
    {
      b[n++] = alu_imm (BPF_AND, R_TMP, (int32_t)r->access);
      b[n++] = jmp32_imm (BPF_JEQ, R_TMP, 0);
    }
  return n;
}

/* One rule: tests that jump to the next rule on mismatch, then "return
 * allow".  NEXT_RULE offsets are resolved once the block's length is known. */
static size_t
rule_block (const struct hako_dev_rule *r, struct bpf_insn *b)
{
  size_t n = 0;

  if (r->type != 'a')
    {
      b[n++]
          = jmp32_imm (BPF_JNE, R_TYPE, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
      if (r->major >= 0)
        b[n++] = jmp32_imm (BPF_JNE, R_MAJOR, (uint32_t)r->major);
      if (r->minor >= 0)
        b[n++] = jmp32_imm (BPF_JNE, R_MINOR, (uint32_t)r->minor);
      n += access_test (r, b + n);
    }
  b[n++] = alu_imm (BPF_MOV, BPF_REG_0, r->allow ? 1 : 0);
  b[n++] = exit_insn ();
  for (size_t i = 0; i < n; i++)
    if ((BPF_CLASS (b[i].code) == BPF_JMP32) && b[i].off == NEXT_RULE)
      b[i].off = (int16_t)(n - i - 1);
  return n;
}

/* The whole program; malloc'ed. */
static struct bpf_insn *
assemble (const struct hako_dev_rule *rules, size_t nrules, size_t *len)
{
  struct bpf_insn *p = hako_xmalloc0 ((8 + nrules * BLOCK_MAX) * sizeof *p);
  size_t n = prologue (p);
  bool catch_all = false;

  for (size_t k = nrules; k-- > 0 && !catch_all;)
    {
      n += rule_block (&rules[k], p + n);
      /* An "a" rule always decides: what would follow is unreachable, and
       * the verifier refuses unreachable code. */
      catch_all = rules[k].type == 'a';
    }
  if (!catch_all)
    {
      p[n++] = alu_imm (BPF_MOV, BPF_REG_0, 0);
      p[n++] = exit_insn ();
    }
  *len = n;
  return p;
}

static long
bpf (int cmd, union bpf_attr *attr)
{
  return syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

static int
load (const struct bpf_insn *p, size_t n, struct hako_error *err)
{
  static char vlog[4096];
  union bpf_attr attr;
  int fd;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uintptr_t)p;
  attr.insn_cnt = (uint32_t)n;
  attr.license = (uintptr_t) "Apache-2.0";
  attr.log_buf = (uintptr_t)vlog;
  attr.log_size = sizeof vlog;
  attr.log_level = 1;
  vlog[0] = 0;
  fd = (int)bpf (BPF_PROG_LOAD, &attr);
  if (fd < 0)
    return hako_error_sys (err, errno, "load the device filter (BPF_PROG_LOAD)%s%s",
                           vlog[0] ? ": " : "", vlog);
  return fd;
}

/* The ids of the device programs attached to DIRFD itself (at most 64). */
static int
attached (int dirfd, uint32_t *ids, uint32_t *n)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = dirfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uintptr_t)ids;
  attr.query.prog_cnt = *n;
  if (bpf (BPF_PROG_QUERY, &attr) < 0)
    return -1;
  *n = attr.query.prog_cnt;
  return 0;
}

static void
detach (int dirfd, uint32_t id)
{
  union bpf_attr attr;
  cleanup_fd int fd = -1;

  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  fd = (int)bpf (BPF_PROG_GET_FD_BY_ID, &attr);
  if (fd < 0)
    return;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = dirfd;
  attr.attach_bpf_fd = fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  bpf (BPF_PROG_DETACH, &attr);
}

int
hako_cgroup_bpf_devices (int dirfd, const struct hako_dev_rule *rules, size_t n,
                         struct hako_error *err)
{
  cleanup_free struct bpf_insn *prog = NULL;
  cleanup_fd int fd = -1;
  uint32_t old[64], nold = HAKO_ARRAY_SIZE (old);
  union bpf_attr attr;
  size_t len;

  if (attached (dirfd, old, &nold) < 0)
    nold = 0;
  prog = assemble (rules, n, &len);
  fd = load (prog, len, err);
  if (fd < 0)
    return -1;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = dirfd;
  attr.attach_bpf_fd = fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf (BPF_PROG_ATTACH, &attr) < 0)
    return hako_error_sys (err, errno, "attach the device filter (BPF_PROG_ATTACH)");
  /* The new filter is in place before the old ones go: no gap. */
  for (uint32_t i = 0; i < nold && i < HAKO_ARRAY_SIZE (old); i++)
    detach (dirfd, old[i]);
  return 0;
}

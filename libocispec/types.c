/* The field tables: types.def expanded into struct oci_field arrays, and
 * the enumerations the schema allows. */
#include <stddef.h>

#include "oci.h"
#include "patterns.h"

#define ENUM(name, ...) const char *const oci_enum_##name[] = { __VA_ARGS__, NULL }

ENUM (ioprio_class, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");
ENUM (sched_policy, "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO",
      "SCHED_IDLE", "SCHED_DEADLINE");
ENUM (sched_flag, "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
      "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
      "SCHED_FLAG_UTIL_CLAMP_MAX");
ENUM (namespace_type, "mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time");
ENUM (rootfs_propagation, "private", "shared", "slave", "unbindable");
ENUM (seccomp_action, "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
      "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
      "SCMP_ACT_NOTIFY");
ENUM (seccomp_operator, "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
      "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
ENUM (seccomp_arch, "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
      "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS",
      "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
      "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE",
      "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB", "SCMP_ARCH_PARISC",
      "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64");
ENUM (seccomp_flag, "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
      "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
ENUM (mpol_mode, "MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
      "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL");
ENUM (mpol_flag, "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES");
ENUM (personality_domain, "LINUX", "LINUX32");
ENUM (windows_id_type, "class");
ENUM (vm_image_format, "raw", "qcow2", "vdi", "vmdk", "vhd");
ENUM (zos_namespace_type, "mount", "pid", "uts", "ipc");
ENUM (sharing_mode, "disable", "new", "inherit");
ENUM (sharing_mode_no_disable, "new", "inherit");
ENUM (state_status, "creating", "created", "running", "stopped");

#define FIELD(T, m, j, fl, K, SH, W, AUX, TY, EN, PA, MI, MA)                                      \
  { .json = j,                                                                                     \
    .kind = K,                                                                                     \
    .shape = SH,                                                                                   \
    .flags = fl,                                                                                   \
    .width = W,                                                                                    \
    .offset = offsetof (struct oci_##T, m),                                                        \
    .aux = AUX,                                                                                    \
    .type = TY,                                                                                    \
    .enums = EN,                                                                                   \
    .pattern = PA,                                                                                 \
    .min = MI,                                                                                     \
    .max = MA },
#define HAS(T, m) offsetof (struct oci_##T, has_##m)
#define LEN(T, m) offsetof (struct oci_##T, m##_len)

#define OCI_TYPE_BEGIN(T) static const struct oci_field oci_##T##_fields[] = {
#define OCI_TYPE_END(T)                                                                            \
  }                                                                                                \
  ;                                                                                                \
  const struct oci_type oci_##T##_type = { #T, sizeof (struct oci_##T), oci_##T##_fields,          \
                                           sizeof oci_##T##_fields / sizeof oci_##T##_fields[0] };
#define OCI_STRING(T, m, j, fl)                                                                    \
  FIELD (T, m, j, fl, OCI_KIND_STRING, OCI_SHAPE_ONE, 0, 0, NULL, NULL, NULL, 0, 0)
#define OCI_ENUM(T, m, j, fl, E)                                                                   \
  FIELD (T, m, j, fl, OCI_KIND_STRING, OCI_SHAPE_ONE, 0, 0, NULL, oci_enum_##E, NULL, 0, 0)
#define OCI_PATTERN(T, m, j, fl, P)                                                                \
  FIELD (T, m, j, fl, OCI_KIND_STRING, OCI_SHAPE_ONE, 0, 0, NULL, NULL, &oci_pattern_##P, 0, 0)
#define OCI_BOOL(T, m, j, fl)                                                                      \
  FIELD (T, m, j, fl, OCI_KIND_BOOL, OCI_SHAPE_ONE, sizeof (bool), HAS (T, m), NULL, NULL, NULL,   \
         0, 0)
#define OCI_INT(T, m, j, fl, ctype, lo, hi)                                                        \
  FIELD (T, m, j, fl, OCI_KIND_INT, OCI_SHAPE_ONE, sizeof (ctype), HAS (T, m), NULL, NULL, NULL,   \
         lo, (uint64_t)(hi))
#define OCI_UINT(T, m, j, fl, ctype, hi)                                                           \
  FIELD (T, m, j, fl, OCI_KIND_UINT, OCI_SHAPE_ONE, sizeof (ctype), HAS (T, m), NULL, NULL, NULL,  \
         0, hi)
#define OCI_OBJECT(T, m, j, fl, S)                                                                 \
  FIELD (T, m, j, fl, OCI_KIND_OBJECT, OCI_SHAPE_ONE, 0, 0, &oci_##S##_type, NULL, NULL, 0, 0)
#define OCI_RAW(T, m, j, fl)                                                                       \
  FIELD (T, m, j, fl, OCI_KIND_RAW, OCI_SHAPE_ONE, 0, 0, NULL, NULL, NULL, 0, 0)
#define OCI_STRINGS(T, m, j, fl)                                                                   \
  FIELD (T, m, j, fl, OCI_KIND_STRING, OCI_SHAPE_ARRAY, 0, LEN (T, m), NULL, NULL, NULL, 0, 0)
#define OCI_ENUMS(T, m, j, fl, E)                                                                  \
  FIELD (T, m, j, fl, OCI_KIND_STRING, OCI_SHAPE_ARRAY, 0, LEN (T, m), NULL, oci_enum_##E, NULL,   \
         0, 0)
#define OCI_PATTERNS(T, m, j, fl, P)                                                               \
  FIELD (T, m, j, fl, OCI_KIND_STRING, OCI_SHAPE_ARRAY, 0, LEN (T, m), NULL, NULL,                 \
         &oci_pattern_##P, 0, 0)
#define OCI_UINTS(T, m, j, fl, ctype, hi)                                                          \
  FIELD (T, m, j, fl, OCI_KIND_UINT, OCI_SHAPE_ARRAY, sizeof (ctype), LEN (T, m), NULL, NULL,      \
         NULL, 0, hi)
#define OCI_OBJECTS(T, m, j, fl, S)                                                                \
  FIELD (T, m, j, fl, OCI_KIND_OBJECT, OCI_SHAPE_ARRAY, 0, LEN (T, m), &oci_##S##_type, NULL,      \
         NULL, 0, 0)
#define OCI_STRMAP(T, m, j, fl)                                                                    \
  FIELD (T, m, j, fl, OCI_KIND_STRING, OCI_SHAPE_MAP, 0, 0, NULL, NULL, NULL, 0, 0)
#define OCI_OBJMAP(T, m, j, fl, S)                                                                 \
  FIELD (T, m, j, fl, OCI_KIND_OBJECT, OCI_SHAPE_MAP, 0, 0, &oci_##S##_type, NULL, NULL, 0, 0)
#include "types.def"
#include "types-undef.h"

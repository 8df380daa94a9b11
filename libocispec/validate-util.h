/* Internal helpers shared by the validate-linux*.c files: where in the
 * document a check is (a JSON path built as the checks descend), how it
 * fails or warns, and small parsers for the value syntaxes the spec uses. */
#ifndef OCI_VALIDATE_UTIL_H
#define OCI_VALIDATE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci.h"
#include "validate-linux.h"

#define V_PATH_MAX 1024
#define V_QUOTE_MAX 160
#define V_QUOTE_SLOTS 4

struct vctx
{
  const char *doc;                 /* "config.json", "process.json" */
  struct hako_error *err;          /* the first error */
  struct oci_warnings *warnings;   /* may be NULL: warnings are dropped */
  const struct oci_config *config; /* NULL when validating a lone process */
  char path[V_PATH_MAX];           /* e.g. "linux.resources.devices[3]" */
  size_t len;
  char quoted[V_QUOTE_SLOTS][V_QUOTE_MAX];
  unsigned next_quote;
};

/* Descend: append ".key" (or "key" at the top), "[i]" or ["key"]; each
 * returns a mark to pass to v_leave. */
size_t v_enter (struct vctx *c, const char *key);
size_t v_enter_index (struct vctx *c, size_t index);
size_t v_enter_mapkey (struct vctx *c, const char *key);
void v_leave (struct vctx *c, size_t mark);

/* Report at the current path, or at path.FIELD when FIELD is not NULL:
 * "config.json: process.cwd: must be an absolute path, got \"tmp\"".
 * v_error returns -1; v_warn appends to the warning list. */
int v_error (struct vctx *c, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
void v_warn (struct vctx *c, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* S as a short printable JSON-like string literal, quotes included. The
 * result lives in C and stays valid for the next V_QUOTE_SLOTS - 1 calls. */
const char *v_quote (struct vctx *c, const char *s);

bool v_is_absolute (const char *path);
bool v_has_string (char *const *list, size_t n, const char *s);

/* A list like "0-3,7" (cpus, memory nodes): comma-separated numbers or
 * ranges N-M with N <= M, blanks allowed around items, numbers below
 * V_LIST_MAX.  "" is a valid, empty list.  On success *COUNT (may be NULL)
 * is the number of ids listed; on failure *WHY says what is wrong. */
#define V_LIST_MAX 65536
bool v_parse_id_list (const char *s, size_t *count, const char **why);

/* A network interface name the kernel accepts (dev_valid_name): 1 to 15
 * bytes, not "." or "..", no '/', ':' or whitespace. */
bool v_valid_ifname (const char *name, const char **why);

/* A single path component: non-empty, not "." or "..", no '/'. */
bool v_valid_filename (const char *name);

/* Descend into the object FIELD when OBJ is present, run CHECK (an
 * expression, < 0 on failure) there, and come back; returns -1 from the
 * calling function when CHECK fails. */
#define V_SUB(c, field, obj, check)                                                                \
  do                                                                                               \
    {                                                                                              \
      if ((obj) != NULL)                                                                           \
        {                                                                                          \
          size_t sub_mark_ = v_enter ((c), (field));                                               \
          if ((check) < 0)                                                                         \
            return -1;                                                                             \
          v_leave ((c), sub_mark_);                                                                \
        }                                                                                          \
    }                                                                                              \
  while (0)

/* Checks shared by config.json and process.json. */
int v_check_process (struct vctx *c, const struct oci_process *p);
int v_check_env (struct vctx *c, char *const *env, size_t n);
int v_check_scheduler (struct vctx *c, const struct oci_scheduler *s);
/* config.json's linux object, by area. */
int v_check_linux_namespaces (struct vctx *c, const struct oci_linux *lx);
int v_check_linux_devices (struct vctx *c, const struct oci_linux *lx);
int v_check_linux_misc (struct vctx *c, const struct oci_linux *lx);
int v_check_resources (struct vctx *c, const struct oci_resources *r);
int v_check_seccomp (struct vctx *c, const struct oci_seccomp *s);
int v_check_id_mappings (struct vctx *c, const char *field, const struct oci_id_mapping *m,
                         size_t n);

/* The namespace entry of TYPE in the config, or NULL. */
const struct oci_namespace *v_namespace (const struct vctx *c, const char *type);

#endif

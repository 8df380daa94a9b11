/* OCI lifecycle hooks: run a program with the container state on stdin.
 * hako_hooks_run (declared in init.h) stops at the first failure, which is
 * what createRuntime, createContainer, startContainer, prestart and
 * poststart need; hako_hooks_run_all keeps going (poststop, where the spec
 * asks for a warning and no change to the lifecycle). */
#ifndef HAKO_HOOKS_H
#define HAKO_HOOKS_H

#include <stddef.h>

#include "error.h"
#include "oci.h"

/* Run one hook: fork, execve HOOK->path (absolute, no PATH search) with
 * HOOK->args (or just the path) and exactly HOOK->env, the state JSON on
 * stdin, no other fd inherited.  Its stdout and stderr are captured (as
 * runc does) and their first bytes end the error message.  Killed with
 * SIGKILL after HOOK->timeout seconds.  Always reaps the child.  Errors
 * read `<stage> hook "<path>": exit status 3` (or "killed by signal 9",
 * "timed out after 5s", "exec: No such file or directory"). */
int hako_hook_run (const char *stage, const struct oci_hook *hook, const char *state_json,
                   size_t state_len, struct hako_error *err);

/* Called once per failed hook by hako_hooks_run_all. */
typedef void (*hako_hook_warn_fn) (void *data, const struct hako_error *failure);

/* Run every hook in order whatever happens; each failure goes to WARN (if
 * not NULL).  Returns how many hooks failed. */
size_t hako_hooks_run_all (const char *stage, const struct oci_hook *hooks, size_t n,
                           const char *state_json, size_t state_len, hako_hook_warn_fn warn,
                           void *data);

#endif

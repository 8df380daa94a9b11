/* SCMP_ACT_NOTIFY: the listener fd of a loaded filter goes to the agent
 * listening at linux.seccomp.listenerPath (config-linux.md, "The Container
 * Process State").  Stage 2 (or the exec child) loads the filter and sends
 * the fd up the sync socket; stage 0, in the host's namespaces where the
 * path means what the config says, passes it on. */
#define _GNU_SOURCE
#include "seccomp.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "terminal.h"
#include "util.h"

#define SECCOMP_FD_NAME "seccompFd"

static char *
process_state_json (const struct oci_config *config, const char *id, const char *bundle,
                    const char *status, pid_t init_pid, pid_t pid, struct hako_error *err)
{
  char *fds[] = { (char *)SECCOMP_FD_NAME };
  struct oci_state state = { 0 };
  struct oci_container_process_state ps = { 0 };
  size_t len = 0;

  state.oci_version = (char *)OCI_SPEC_VERSION;
  state.id = (char *)id;
  state.status = (char *)status;
  state.pid = init_pid;
  state.has_pid = init_pid > 0;
  state.bundle = (char *)bundle;
  state.annotations = config->annotations;
  ps.oci_version = (char *)OCI_SPEC_VERSION;
  ps.fds = fds;
  ps.fds_len = 1;
  ps.pid = pid;
  ps.has_pid = true;
  ps.metadata = config->linux->seccomp->listener_metadata;
  ps.state = &state;
  return oci_serialize (&oci_container_process_state_type, &ps, false, &len, err);
}

int
hako_seccomp_send_listener (const struct oci_config *config, const char *id, const char *bundle,
                            const char *status, pid_t init_pid, pid_t pid, int listener,
                            struct hako_error *err)
{
  const struct oci_seccomp *s = config->linux ? config->linux->seccomp : NULL;
  cleanup_free char *json = NULL;
  cleanup_fd int sock = -1;

  if (s == NULL || s->listener_path == NULL || *s->listener_path == '\0')
    return hako_error_set (err, EINVAL, "linux.seccomp.listenerPath: not set");
  json = process_state_json (config, id, bundle, status, init_pid, pid, err);
  if (json == NULL)
    return -1;
  sock = hako_console_socket_connect (s->listener_path, err);
  if (sock < 0 || hako_send_fd_payload (sock, listener, json, err) < 0)
    return hako_error_wrap (err, "linux.seccomp.listenerPath %s", s->listener_path);
  return 0;
}

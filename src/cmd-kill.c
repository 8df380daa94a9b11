/* hako kill ID [SIGNAL]: signal a container's init (SIGTERM by default). */
#define _GNU_SOURCE
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hako.h"
#include "processes.h"
#include "pidref.h"
#include "util.h"

static struct
{
  bool all;
} opt;

static const struct hako_option options[] = {
  { "all a", HAKO_OPT_BOOL, &opt.all, "send the signal to every process of the container", NULL },
};

const struct hako_command hako_cmd_kill = {
  .name = "kill",
  .summary = "send a signal (default: SIGTERM) to the container's init process",
  .args_usage = "<container-id> [signal]",
  .description = "   The signal is a number or a name, with or without SIG: 9, KILL, SIGKILL.",
  .min_args = 1,
  .max_args = 2,
  .run = cmd_kill,
};

/* "9", "KILL", "sigkill", "SIGKILL": as runc reads a signal. */
static int
parse_signal (const char *text, struct hako_error *err)
{
  const char *name = text;
  char *end;
  long n;

  errno = 0;
  n = strtol (text, &end, 10);
  if (*text != '\0' && *end == '\0' && errno == 0)
    {
      if (n > 0 && n < NSIG)
        return (int)n;
      return hako_error_set (err, EINVAL, "invalid signal number %s", text);
    }
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  for (int sig = 1; sig < NSIG; sig++)
    {
      const char *abbrev = sigabbrev_np (sig);
      if (abbrev != NULL && strcasecmp (abbrev, name) == 0)
        return sig;
    }
  return hako_error_set (err, EINVAL, "unknown signal \"%s\"", text);
}

static int
do_kill (struct hako_global *g, const char *id, const char *signal_name, struct hako_error *err)
{
  struct hako_store store;
  struct hako_entry entry;
  cleanup_fd int pidfd = -1;
  int sig, r = -1;

  if (hako_open_container (g, id, &store, &entry, err) < 0)
    return -1;
  sig = parse_signal (signal_name ? signal_name : "SIGTERM", err);
  if (sig < 0)
    goto out;
  if (opt.all)
    {
      r = hako_container_signal_all (&entry, sig, err);
      goto out;
    }
  pidfd = hako_pidref_open (entry.status->pid, entry.status->has_pid_start_time,
                            entry.status->pid_start_time, err);
  if (pidfd < 0)
    {
      hako_error_set (err, ESRCH, "container not running");
      goto out;
    }
  r = hako_pidref_signal (pidfd, sig, err);
out:
  hako_entry_close (&entry);
  hako_store_close (&store);
  return r;
}

int
cmd_kill (struct hako_global *g, int argc, char **argv)
{
  cleanup_error struct hako_error err = HAKO_ERROR_INIT;
  cleanup_free char **args = NULL;
  int nargs, status;

  if (hako_command_parse (&hako_cmd_kill, options, HAKO_ARRAY_SIZE (options), argc, argv, &args,
                          &nargs, &status))
    status = hako_finish (do_kill (g, args[0], nargs > 1 ? args[1] : NULL, &err), &err);
  return status;
}

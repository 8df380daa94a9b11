/* libsystemd's sd-bus, loaded on first use: see sdbus-loader.h. */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>

#include "sdbus-loader.h"

static struct hako_sdbus table;
static bool loaded;

/* Every pointer of TABLE from HANDLE; the name of the first one missing
 * (an older libsystemd) in *MISSING. */
static int
resolve (void *handle, const char **missing)
{
#define HAKO_SDBUS_RESOLVE(name)                                                                   \
  table.name = (__typeof__ (table.name))dlsym (handle, #name);                                     \
  if (table.name == NULL)                                                                          \
    {                                                                                              \
      *missing = #name;                                                                            \
      return -1;                                                                                   \
    }
  HAKO_SDBUS_FUNCTIONS (HAKO_SDBUS_RESOLVE)
#undef HAKO_SDBUS_RESOLVE
  return 0;
}

const struct hako_sdbus *
hako_sdbus_load (const char *soname, struct hako_error *err)
{
  const char *missing = NULL;
  void *handle;

  if (loaded)
    return &table;
  /* RTLD_LOCAL: nothing else in hako may bind to libsystemd by accident. */
  handle = dlopen (soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    {
      hako_error_set (err, ELIBACC, "the systemd cgroup driver needs %s: %s", soname, dlerror ());
      return NULL;
    }
  if (resolve (handle, &missing) < 0)
    {
      hako_error_set (err, ELIBACC,
                      "the systemd cgroup driver needs %s with %s (libsystemd too old?)", soname,
                      missing);
      dlclose (handle);
      return NULL;
    }
  /* The handle stays open: the table points into it until hako exits. */
  loaded = true;
  return &table;
}

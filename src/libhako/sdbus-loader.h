/* libsystemd's sd-bus, loaded on first use.  Only the systemd cgroup
 * driver needs it, and mapping libsystemd with its dependencies (libgcrypt,
 * liblzma, libzstd, liblz4, ...) at every start of hako cost more than the
 * rest of a short command (hako execs itself once per container start, so
 * twice).  hako is therefore not linked with libsystemd: the driver
 * dlopen()s it and calls it through the table below, whose pointers have
 * the types <systemd/sd-bus.h> declares, so calls stay type-checked. */
#ifndef HAKO_SDBUS_LOADER_H
#define HAKO_SDBUS_LOADER_H

#include <systemd/sd-bus.h>

#include "error.h"

#define HAKO_SDBUS_SONAME "libsystemd.so.0"

/* Every sd-bus function the driver calls. */
#define HAKO_SDBUS_FUNCTIONS(X)                                                                    \
  X (sd_bus_new)                                                                                   \
  X (sd_bus_set_address)                                                                           \
  X (sd_bus_start)                                                                                 \
  X (sd_bus_open_system)                                                                           \
  X (sd_bus_open_user)                                                                             \
  X (sd_bus_get_address)                                                                           \
  X (sd_bus_unref)                                                                                 \
  X (sd_bus_close_unref)                                                                           \
  X (sd_bus_process)                                                                               \
  X (sd_bus_wait)                                                                                  \
  X (sd_bus_call_async)                                                                            \
  X (sd_bus_match_signal_async)                                                                    \
  X (sd_bus_slot_unref)                                                                            \
  X (sd_bus_message_new_method_call)                                                               \
  X (sd_bus_message_ref)                                                                           \
  X (sd_bus_message_unref)                                                                         \
  X (sd_bus_message_append)                                                                        \
  X (sd_bus_message_append_array)                                                                  \
  X (sd_bus_message_open_container)                                                                \
  X (sd_bus_message_close_container)                                                               \
  X (sd_bus_message_read)                                                                          \
  X (sd_bus_message_is_method_error)                                                               \
  X (sd_bus_message_get_error)                                                                     \
  X (sd_bus_error_copy)                                                                            \
  X (sd_bus_error_free)                                                                            \
  X (sd_bus_error_is_set)                                                                          \
  X (sd_bus_error_has_name)                                                                        \
  X (sd_bus_error_get_errno)

#define HAKO_SDBUS_MEMBER(name) __typeof__ (name) *name;
struct hako_sdbus
{
  HAKO_SDBUS_FUNCTIONS (HAKO_SDBUS_MEMBER)
};
#undef HAKO_SDBUS_MEMBER

/* The table, loading libsystemd (SONAME) the first time; NULL with ERR
 * set when it or one of the functions is missing.  Later calls return the
 * same table (or load again after a failure). */
const struct hako_sdbus *hako_sdbus_load (const char *soname, struct hako_error *err);

#endif

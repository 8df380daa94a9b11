/* linux.sysctl keys: which namespace makes a key safe to write, and how a
 * key maps to a file under /proc/sys.  hako_kernel_settings_apply (init.h)
 * uses these in stage 2; stage 0 may call hako_sysctl_check_all first so a
 * bad key fails before anything is created. */
#ifndef HAKO_SYSCTL_H
#define HAKO_SYSCTL_H

#include <stddef.h>

#include "error.h"
#include "oci.h"

/* Check that KEY ("net.ipv4.ip_forward" or "net/ipv4/ip_forward") belongs
 * to a namespace in NS (CLONE_NEW* bits of the namespaces the container
 * creates or joins; CLONE_NEWUSER when it runs in a user namespace). */
int hako_sysctl_check (const char *key, unsigned long ns, struct hako_error *err);

/* hako_sysctl_check for every key of CONFIG->linux.sysctl. */
int hako_sysctl_check_all (const struct oci_config *config, unsigned long ns,
                           struct hako_error *err);

/* Convert KEY to its path below /proc/sys ("net/ipv4/ip_forward") in BUF;
 * a key in slash form may name a component containing dots (an interface
 * "eth0.1").  Rejects empty, "." and ".." components. */
int hako_sysctl_path (const char *key, char *buf, size_t size, struct hako_error *err);

#endif

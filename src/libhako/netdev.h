/* linux.netDevices (runtime-spec v1.3.0): host network interfaces moved
 * into the container's network namespace, renamed, with their permanent
 * global addresses re-added, and set up. */
#ifndef HAKO_NETDEV_H
#define HAKO_NETDEV_H

#include <sys/types.h>

#include "error.h"
#include "oci.h"

/* Move every linux.netDevices entry of CONFIG into the network namespace of
 * INIT_PID (/proc/INIT_PID/ns/net).  Called by stage 0, in the host's
 * namespaces, as root, once that namespace exists; a config without
 * netDevices makes it return 0 at once.
 *
 * All entries are checked before any device moves: the host interface
 * exists, is not the loopback nor netns-immutable, no two entries name the
 * same interface or the same fixed name, and no fixed name already exists
 * in the container.  Entries with a fixed name then move in map order,
 * followed by the "%d" templates (so a template cannot take a name a
 * fixed entry asked for).  Each device keeps its attributes (the kernel
 * moves MTU, MAC, ... with it); its permanent addresses of global scope
 * are re-added (the kernel drops addresses on a move); it is set up.
 *
 * On failure, the devices already moved are moved back to the host under
 * their old names, with their addresses and their up/down state (best
 * effort: what could not be undone is added to the message).  Nothing is
 * ever moved back later: when the namespace dies the kernel returns
 * physical devices to the initial namespace and destroys virtual ones.
 *
 * The calling thread enters the container's namespace briefly (to open a
 * netlink socket there) and is back in its own on return, error or not. */
int hako_netdevs_move (const struct oci_config *config, pid_t init_pid, struct hako_error *err);

#endif

/* The starter config.json is written as JSON text and read back through
 * libocispec, so what `hako spec` prints has passed the same validation as
 * any config hako runs. */
#define _GNU_SOURCE
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A format: %1$s devpts options after mode, %2$s the /sys mount, %3$s id mappings,
 * %4$s device cgroup rules, %5$s the namespaces. */
#define CONFIG_TEMPLATE                                                                            \
  "{\n"                                                                                            \
  "  \"ociVersion\": \"" OCI_SPEC_VERSION "\",\n"                                                  \
  "  \"process\": {\n"                                                                             \
  "    \"terminal\": true,\n"                                                                      \
  "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"                                                    \
  "    \"args\": [ \"sh\" ],\n"                                                                    \
  "    \"env\": [ \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"        \
  "               \"TERM=xterm\" ],\n"                                                             \
  "    \"cwd\": \"/\",\n"                                                                          \
  "    \"capabilities\": {\n"                                                                      \
  "      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"         \
  "      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"        \
  "      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"         \
  "    },\n"                                                                                       \
  "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"        \
  "    \"noNewPrivileges\": true\n"                                                                \
  "  },\n"                                                                                         \
  "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"                                    \
  "  \"hostname\": \"hako\",\n"                                                                    \
  "  \"mounts\": [\n"                                                                              \
  "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"                \
  "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"                 \
  "      \"options\": [ \"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"         \
  "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"           \
  "      \"options\": [ \"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", "              \
  "\"mode=0620\"%1$s ] },\n"                                                                       \
  "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"               \
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"  \
  "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"        \
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\" ] },\n"                                  \
  "    %2$s,\n"                                                                                    \
  "    { \"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"     \
  "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\" ] }\n"             \
  "  ],\n"                                                                                         \
  "  \"linux\": {\n"                                                                               \
  "%3$s%4$s"                                                                                       \
  "    \"namespaces\": [ %5$s ],\n"                                                                \
  "    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"    \
  "      \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n"                  \
  "      \"/proc/sched_debug\", \"/proc/scsi\", \"/sys/firmware\",\n"                              \
  "      \"/sys/devices/virtual/powercap\" ],\n"                                                   \
  "    \"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\",\n"          \
  "      \"/proc/sysrq-trigger\" ]\n"                                                              \
  "  }\n"                                                                                          \
  "}\n"

/* A new sysfs cannot be mounted without owning the network namespace, so
 * a rootless container gets the host's /sys, bound read-only. */
static const char sysfs_mount[]
    = "{ \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
      "      \"options\": [ \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }";
static const char sysfs_bind[]
    = "{ \"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
      "      \"options\": [ \"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }";

static const char deny_all_devices[]
    = "    \"resources\": { \"devices\": [ { \"allow\": false, \"access\": \"rwm\" } ] },\n";

static const char namespaces[] = "{ \"type\": \"pid\" }, { \"type\": \"network\" }, "
                                 "{ \"type\": \"ipc\" }, { \"type\": \"uts\" }, "
                                 "{ \"type\": \"mount\" }, { \"type\": \"cgroup\" }";
/* Rootless: no network namespace (an unprivileged user could not connect it
 * to anything), a user namespace instead. */
static const char rootless_namespaces[] = "{ \"type\": \"pid\" }, { \"type\": \"ipc\" }, "
                                          "{ \"type\": \"uts\" }, { \"type\": \"mount\" }, "
                                          "{ \"type\": \"cgroup\" }, { \"type\": \"user\" }";

struct oci_config *
hako_spec_default (bool rootless, uid_t uid, gid_t gid, struct hako_error *err)
{
  cleanup_free char *mappings = NULL;
  cleanup_free char *json = NULL;
  struct oci_config *config;

  if (rootless)
    mappings = hako_strdup_printf (
        "    \"uidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n"
        "    \"gidMappings\": [ { \"containerID\": 0, \"hostID\": %u, \"size\": 1 } ],\n",
        (unsigned)uid, (unsigned)gid);
  /* The devpts gid=5 (tty) exists only when the host's gid 5 is mapped. */
  json = hako_strdup_printf (CONFIG_TEMPLATE, rootless ? "" : ", \"gid=5\"",
                             rootless ? sysfs_bind : sysfs_mount, rootless ? mappings : "",
                             rootless ? "" : deny_all_devices,
                             rootless ? rootless_namespaces : namespaces);
  config = oci_config_parse (json, strlen (json), err);
  if (config == NULL)
    hako_error_wrap (err, "default config");
  return config;
}

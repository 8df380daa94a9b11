/* Level 2 validation (libocispec/validate-linux*.c): every rule accepts a
 * valid config and rejects (or warns about) a broken one with the exact
 * message.  Configs are written with ' for " to keep them readable.
 * Also gives the spec's own good examples a verdict ($SPEC_DIR). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "tap.h"
#include "oci.h"
#include "validate-linux.h"

#define HEAD "'ociVersion':'1.0.0','root':{'path':'rootfs'}"
#define PROC "'process':{'cwd':'/','args':['sh']}"
/* A valid config plus top-level members. */
#define CFG(...) "{" HEAD "," PROC "," __VA_ARGS__ "}"
/* ... plus process members. */
#define P(...) "{" HEAD ",'process':{'cwd':'/','args':['sh']," __VA_ARGS__ "}}"
/* ... plus linux members, or linux.resources members. */
#define L(...) CFG ("'linux':{" __VA_ARGS__ "}")
#define R(...) L ("'resources':{" __VA_ARGS__ "}")
#define SC(...) L ("'seccomp':{" __VA_ARGS__ "}")
#define NS(type) "{'type':'" type "'}"
#define USERNS "'namespaces':[" NS ("user") "]"
#define MAPS                                                                                       \
  "'uidMappings':[{'containerID':0,'hostID':1000,'size':10}],"                                     \
  "'gidMappings':[{'containerID':0,'hostID':1000,'size':10}]"

struct vcase
{
  const char *json;
  const char *error;   /* NULL: accepted */
  const char *warning; /* the one warning expected, or NULL for none */
};

static const struct vcase cases[] = {
  /* ---- ociVersion: SemVer 2.0.0 ---- */
  { "{'ociVersion':'1.2.0-rc.1+build.05','root':{'path':'rootfs'}," PROC "}", NULL, NULL },
  { "{'ociVersion':'1.0','root':{'path':'r'}," PROC "}",
    "config.json: ociVersion: must be a SemVer 2.0.0 version like \"1.3.0\", got \"1.0\"", NULL },
  { "{'ociVersion':'01.0.0','root':{'path':'r'}," PROC "}",
    "config.json: ociVersion: must be a SemVer 2.0.0 version like \"1.3.0\", got \"01.0.0\"",
    NULL },
  { "{'ociVersion':'1.0.0-01','root':{'path':'r'}," PROC "}",
    "config.json: ociVersion: must be a SemVer 2.0.0 version like \"1.3.0\", got \"1.0.0-01\"",
    NULL },
  { "{'ociVersion':'1.0.0+','root':{'path':'r'}," PROC "}",
    "config.json: ociVersion: must be a SemVer 2.0.0 version like \"1.3.0\", got \"1.0.0+\"",
    NULL },
  { "{'ociVersion':'2.0.0','root':{'path':'r'}," PROC "}", NULL,
    "config.json: ociVersion: \"2.0.0\" is not compatible with 1.3.0, the version hako "
    "implements" },
  /* ---- root ---- */
  { "{'ociVersion':'1.0.0','root':{'path':'/abs/rootfs'}," PROC "}", NULL, NULL },
  { "{'ociVersion':'1.0.0'," PROC "}", "config.json: root: required on Linux", NULL },
  { "{'ociVersion':'1.0.0','root':{'path':''}," PROC "}",
    "config.json: root.path: must not be empty", NULL },
  /* ---- process, args, cwd, env ---- */
  /* process "is REQUIRED when start is called" (start refuses). */
  { "{" HEAD "}", NULL, NULL },
  { "{" HEAD ",'process':{'cwd':'/'}}", "config.json: process.args: must have at least one entry",
    NULL },
  { "{" HEAD ",'process':{'cwd':'/','args':[]}}",
    "config.json: process.args: must have at least one entry", NULL },
  { P ("'args':['']"),
    "config.json: process.args[0]: must not be empty (it names the program to run)", NULL },
  { P ("'cwd':'tmp'"), "config.json: process.cwd: must be an absolute path, got \"tmp\"", NULL },
  { P ("'env':['A=','B=c=d','PATH=/bin']"), NULL, NULL },
  { P ("'env':['A=1','FOO']"),
    "config.json: process.env[1]: must have the form NAME=VALUE, got \"FOO\"", NULL },
  { P ("'env':['=x']"), "config.json: process.env[0]: variable name must not be empty, got \"=x\"",
    NULL },
  { P ("'commandLine':'sh'"), NULL,
    "config.json: process.commandLine: is Windows-only and ignored on Linux" },
  /* ---- user ---- */
  { P ("'user':{'uid':1,'gid':1,'additionalGids':[5]}"), NULL, NULL },
  { P ("'user':{'gid':0}"), "config.json: process.user.uid: required on Linux", NULL },
  { P ("'user':{'uid':0}"), "config.json: process.user.gid: required on Linux", NULL },
  { P ("'user':{'uid':0,'gid':0,'username':'x'}"), NULL,
    "config.json: process.user.username: is Windows-only and ignored on Linux" },
  /* ---- consoleSize ---- */
  { P ("'terminal':true,'consoleSize':{'height':25,'width':80}"), NULL, NULL },
  { P ("'consoleSize':{'height':25,'width':80}"), NULL,
    "config.json: process.consoleSize: ignored because terminal is not true" },
  /* ---- capabilities ---- */
  { P ("'capabilities':{'bounding':['CAP_PERFMON','CAP_BPF','CAP_CHECKPOINT_RESTORE'],"
       "'effective':['CAP_CHOWN'],'permitted':['CAP_KILL'],'inheritable':['CAP_KILL'],"
       "'ambient':['CAP_KILL']}"),
    NULL, NULL },
  { P ("'capabilities':{'bounding':['CAP_CHOWN','CAP_FOO']}"),
    "config.json: process.capabilities.bounding[1]: unknown capability \"CAP_FOO\"", NULL },
  { P ("'capabilities':{'ambient':['cap_chown']}"),
    "config.json: process.capabilities.ambient[0]: unknown capability \"cap_chown\"", NULL },
  /* ---- rlimits ---- */
  { P ("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1024,'hard':4096},"
       "{'type':'RLIMIT_RTTIME','soft':1,'hard':1}]"),
    NULL, NULL },
  { P ("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
    "config.json: process.rlimits[0].type: unknown resource limit \"RLIMIT_FOO\"", NULL },
  { P ("'rlimits':[{'type':'RLIMIT_CORE','soft':1,'hard':1},{'type':'RLIMIT_CORE','soft':2,"
       "'hard':2}]"),
    "config.json: process.rlimits[1].type: RLIMIT_CORE is already set by rlimits[0]", NULL },
  { P ("'rlimits':[{'type':'RLIMIT_NOFILE','soft':2048,'hard':1024}]"),
    "config.json: process.rlimits[0].soft: 2048 is above the hard limit 1024", NULL },
  /* ---- oomScoreAdj ---- */
  { P ("'oomScoreAdj':-1000"), NULL, NULL },
  { P ("'oomScoreAdj':1001"),
    "config.json: process.oomScoreAdj: must be between -1000 and 1000, got 1001", NULL },
  /* ---- scheduler ---- */
  { P ("'scheduler':{'policy':'SCHED_OTHER','nice':-20}"), NULL, NULL },
  { P ("'scheduler':{'policy':'SCHED_FIFO','priority':99}"), NULL, NULL },
  { P ("'scheduler':{'policy':'SCHED_DEADLINE','runtime':10000,'deadline':20000,'period':30000}"),
    NULL, NULL },
  { P ("'scheduler':{'policy':'SCHED_ISO'}"),
    "config.json: process.scheduler.policy: SCHED_ISO is not supported by Linux", NULL },
  { P ("'scheduler':{'policy':'SCHED_BATCH','nice':20}"),
    "config.json: process.scheduler.nice: must be between -20 and 19, got 20", NULL },
  { P ("'scheduler':{'policy':'SCHED_RR'}"),
    "config.json: process.scheduler.priority: SCHED_RR needs a priority between 1 and 99, got 0",
    NULL },
  { P ("'scheduler':{'policy':'SCHED_OTHER','priority':5}"),
    "config.json: process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority, "
    "policy is SCHED_OTHER",
    NULL },
  { P ("'scheduler':{'policy':'SCHED_IDLE','period':5}"),
    "config.json: process.scheduler.period: only SCHED_DEADLINE uses period, policy is SCHED_IDLE",
    NULL },
  { P ("'scheduler':{'policy':'SCHED_DEADLINE','runtime':10000}"),
    "config.json: process.scheduler.deadline: SCHED_DEADLINE needs a deadline above 0", NULL },
  { P ("'scheduler':{'policy':'SCHED_DEADLINE','runtime':100,'deadline':20000}"),
    "config.json: process.scheduler.runtime: SCHED_DEADLINE needs a runtime of at least 1024 ns",
    NULL },
  { P ("'scheduler':{'policy':'SCHED_DEADLINE','runtime':30000,'deadline':20000}"),
    "config.json: process.scheduler.runtime: 30000 is above the deadline 20000", NULL },
  { P ("'scheduler':{'policy':'SCHED_DEADLINE','runtime':10000,'deadline':20000,'period':15000}"),
    "config.json: process.scheduler.period: 15000 is below the deadline 20000", NULL },
  { P ("'scheduler':{'policy':'SCHED_DEADLINE','runtime':10000,'deadline':9223372036854775808}"),
    "config.json: process.scheduler.deadline: must be below 2^63", NULL },
  /* ---- ioPriority ---- */
  { P ("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':7}"), NULL, NULL },
  { P ("'ioPriority':{'class':'IOPRIO_CLASS_RT'}"),
    "config.json: process.ioPriority.priority: required field is missing", NULL },
  { P ("'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}"),
    "config.json: process.ioPriority.priority: must be between 0 and 7, got 8", NULL },
  /* ---- execCPUAffinity ---- */
  { P ("'execCPUAffinity':{'initial':'7','final':'0-3, 7'}"), NULL, NULL },
  { P ("'execCPUAffinity':{'initial':'3-1'}"),
    "config.json: process.execCPUAffinity.initial: invalid CPU list \"3-1\": range end is below "
    "its start",
    NULL },
  { P ("'execCPUAffinity':{'final':'1,,2'}"),
    "config.json: process.execCPUAffinity.final: invalid CPU list \"1,,2\": empty item", NULL },
  { P ("'execCPUAffinity':{'final':'65536'}"),
    "config.json: process.execCPUAffinity.final: invalid CPU list \"65536\": expected a number "
    "below 65536",
    NULL },
  { P ("'execCPUAffinity':{'final':'1-'}"),
    "config.json: process.execCPUAffinity.final: invalid CPU list \"1-\": expected a number below "
    "65536 after '-'",
    NULL },
  /* ---- hostname, domainname ---- */
  { CFG ("'hostname':'box','domainname':'example.test','linux':{'namespaces':[" NS ("uts") "]}"),
    NULL, NULL },
  { CFG ("'hostname':'box'"), "config.json: hostname: needs a uts namespace in linux.namespaces",
    NULL },
  { CFG ("'domainname':'example.test'"),
    "config.json: domainname: needs a uts namespace in linux.namespaces", NULL },
  { CFG ("'hostname':'"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "'"),
    "config.json: hostname: is longer than 64 bytes", NULL },
  /* ---- hooks ---- */
  { CFG ("'hooks':{'createRuntime':[{'path':'/bin/true','env':['A=b'],'timeout':1}]}"), NULL,
    NULL },
  { CFG ("'hooks':{'poststop':[{'path':'/bin/true'},{'path':'true'}]}"),
    "config.json: hooks.poststop[1].path: must be an absolute path, got \"true\"", NULL },
  { CFG ("'hooks':{'startContainer':[{'path':'/bin/true','env':['NOEQUALS']}]}"),
    "config.json: hooks.startContainer[0].env[0]: must have the form NAME=VALUE, got "
    "\"NOEQUALS\"",
    NULL },
  { CFG ("'hooks':{'prestart':[{'path':'/bin/true'}]}"), NULL,
    "config.json: hooks.prestart: is deprecated; use createRuntime, createContainer or "
    "startContainer" },
  /* ---- annotations ---- */
  { CFG ("'annotations':{'com.example.key':''}"), NULL, NULL },
  { CFG ("'annotations':{'':'v'}"), "config.json: annotations[\"\"]: key must not be empty", NULL },
  /* ---- mounts ---- */
  { CFG ("'mounts':[{'destination':'/proc','type':'proc','source':'proc'}]"), NULL, NULL },
  { CFG ("'mounts':[{'destination':'data','type':'tmpfs'}]"), NULL,
    "config.json: mounts[0].destination: relative path \"data\" is deprecated; it is taken "
    "relative to \"/\"" },
  { CFG ("'mounts':[{'destination':''}]"), "config.json: mounts[0].destination: must not be empty",
    NULL },
  { CFG ("'mounts':[{'destination':'/a','options':['bind','idmap'],"
         "'uidMappings':[{'containerID':0,'hostID':1000,'size':1}]}]"),
    "config.json: mounts[0].uidMappings: must be given together with gidMappings", NULL },
  { CFG ("'mounts':[{'destination':'/a','options':['rbind','ridmap']," MAPS "}]"), NULL, NULL },
  { CFG ("'mounts':[{'destination':'/a','options':['rbind']," MAPS "}]"), NULL,
    "config.json: mounts[0].options: has neither idmap nor ridmap though uidMappings are given" },
  { CFG ("'mounts':[{'destination':'/a','options':['idmap'],'uidMappings':[],'gidMappings':[]}]"),
    "config.json: mounts[0].uidMappings: must have at least one entry", NULL },
  { CFG ("'mounts':[{'destination':'/a','options':['bind','idmap']}]"),
    "config.json: mounts[0].options: idmap needs uidMappings and gidMappings or a user namespace",
    NULL },
  { CFG ("'mounts':[{'destination':'/a','options':['bind','idmap']}],'linux':{" USERNS "," MAPS
         "}"),
    NULL, NULL },
  /* ---- namespaces ---- */
  { L ("'namespaces':[" NS ("pid") "," NS ("mount") ",{'type':'network','path':'/run/netns/a'}]"),
    NULL, NULL },
  { L ("'namespaces':[" NS ("pid") "," NS ("mount") "," NS ("pid") "]"),
    "config.json: linux.namespaces[2].type: pid is already listed at namespaces[0]", NULL },
  { L ("'namespaces':[{'type':'network','path':'run/netns/a'}]"),
    "config.json: linux.namespaces[0].path: must be an absolute path, got \"run/netns/a\"", NULL },
  /* ---- user namespace mappings ---- */
  { L (USERNS "," MAPS), NULL, NULL },
  { L (MAPS), "config.json: linux.uidMappings: given, but linux.namespaces has no user namespace",
    NULL },
  { L (USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':10}]"),
    "config.json: linux.gidMappings: required to create a user namespace (with uidMappings and "
    "gidMappings)",
    NULL },
  { L ("'namespaces':[{'type':'user','path':'/proc/1/ns/user'}]," MAPS), NULL,
    "config.json: linux.uidMappings: ignored: the user namespace is joined, its mappings are "
    "already set" },
  { L (USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':0}],'gidMappings':[]"),
    "config.json: linux.uidMappings[0].size: must be at least 1", NULL },
  { L (USERNS ",'uidMappings':[{'containerID':0,'hostID':4294967290,'size':10}]"),
    "config.json: linux.uidMappings[0].size: hostID + size must not exceed 4294967295", NULL },
  { L (USERNS ",'uidMappings':[{'containerID':0,'hostID':1000,'size':10}],"
              "'gidMappings':[{'containerID':0,'hostID':1000,'size':10},"
              "{'containerID':5,'hostID':5000,'size':10}]"),
    "config.json: linux.gidMappings[1].containerID: range overlaps that of entry [0]", NULL },
  /* ---- timeOffsets ---- */
  { L ("'namespaces':[" NS (
        "time") "],'timeOffsets':{'monotonic':{'secs':10,'nanosecs':999999999}}"),
    NULL, NULL },
  { L ("'timeOffsets':{'boottime':{'secs':10}}"),
    "config.json: linux.timeOffsets: given, but linux.namespaces has no time namespace", NULL },
  { L ("'namespaces':[{'type':'time','path':'/proc/1/ns/time'}],'timeOffsets':{}"),
    "config.json: linux.timeOffsets: cannot be applied to a time namespace that is joined (path "
    "\"/proc/1/ns/time\")",
    NULL },
  { L ("'namespaces':[" NS ("time") "],'timeOffsets':{'boottime':{'nanosecs':1000000000}}"),
    "config.json: linux.timeOffsets.boottime.nanosecs: must be below 1000000000, got 1000000000",
    NULL },
  /* ---- devices ---- */
  { L ("'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':438},"
       "{'path':'/dev/fifo','type':'p'}]"),
    NULL, NULL },
  /* podman's fileMode: the host node's st_mode, type bits included. */
  { L ("'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,'fileMode':8630},"
       "{'path':'/dev/loop0','type':'b','major':7,'minor':0,'fileMode':25008},"
       "{'path':'/dev/p','type':'p','fileMode':4516}]"),
    NULL, NULL },
  { L ("'devices':[{'path':'/dev/sda','type':'b','major':8,'minor':0,'fileMode':8630}]"),
    "config.json: linux.devices[0].fileMode: 8630 has the file type bits 020000, not those of "
    "type b (060000)",
    NULL },
  { L ("'devices':[{'path':'/dev/fuse','type':'c','minor':229}]"),
    "config.json: linux.devices[0].major: required for a device of type c", NULL },
  { L ("'devices':[{'path':'/dev/sda','type':'b','major':8}]"),
    "config.json: linux.devices[0].minor: required for a device of type b", NULL },
  { L ("'devices':[{'path':'dev/fuse','type':'u','major':10,'minor':229}]"),
    "config.json: linux.devices[0].path: must be an absolute path, got \"dev/fuse\"", NULL },
  { L ("'devices':[{'path':'/dev/x','type':'c','major':4096,'minor':0}]"),
    "config.json: linux.devices[0].major: must be between 0 and 4095, got 4096", NULL },
  { L ("'devices':[{'path':'/dev/x','type':'c\\n','major':1,'minor':3}]"),
    "config.json: linux.devices[0].type: must be \"c\", \"b\", \"u\" or \"p\", got \"c\\x0a\"",
    NULL },
  { L ("'devices':[{'path':'/dev/x','type':'c','major':1,'minor':3},"
       "{'path':'/dev/x','type':'c','major':1,'minor':5}]"),
    "config.json: linux.devices[1].path: \"/dev/x\" is already a different device at "
    "devices[0]",
    NULL },
  { L ("'devices':[{'path':'/dev/x','type':'c','major':1,'minor':3},"
       "{'path':'/dev/y','type':'c','major':1,'minor':3}]"),
    NULL, "config.json: linux.devices[1]: same type, major and minor as devices[0]" },
  /* ---- netDevices ---- */
  { L ("'namespaces':[" NS ("network") "],'netDevices':{'eth0':{'name':'ctr%d'},'eth1':{'name':"
                                       "'ctr%d'},'ens4':{}}"),
    NULL, NULL },
  { L ("'netDevices':{'eth0':{}}"),
    "config.json: linux.netDevices: given, but linux.namespaces has no network namespace", NULL },
  { L ("'namespaces':[" NS ("network") "],'netDevices':{'eth0':{'name':'abcdefghijklmnop'}}"),
    "config.json: linux.netDevices[\"eth0\"].name: invalid interface name \"abcdefghijklmnop\": is "
    "longer than 15 bytes",
    NULL },
  { L ("'namespaces':[" NS ("network") "],'netDevices':{'..':{}}"),
    "config.json: linux.netDevices[\"..\"]: invalid interface name: must not be \".\" or \"..\"",
    NULL },
  { L ("'namespaces':[" NS ("network") "],'netDevices':{'eth0':{'name':'a b'}}"),
    "config.json: linux.netDevices[\"eth0\"].name: invalid interface name \"a b\": must not "
    "contain '/', ':' or whitespace",
    NULL },
  { L ("'namespaces':[" NS ("network") "],'netDevices':{'eth0':{'name':'ens4'},'ens4':{}}"),
    "config.json: linux.netDevices[\"ens4\"]: the name \"ens4\" is also given to "
    "netDevices[\"eth0\"]",
    NULL },
  /* ---- sysctl ---- */
  { L ("'namespaces':[" NS ("network") "," NS ("ipc") "," NS (
        "uts") "],'sysctl':{"
               "'net.ipv4.ip_forward':'1','net/ipv4/conf/eth0.100/"
               "rp_filter':'1','kernel.shmmax':'1',"
               "'fs.mqueue.msg_max':'10','kernel.domainname':'x'}"),
    NULL, NULL },
  { L ("'sysctl':{'net.ipv4.ip_forward':'1'}"),
    "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: needs a network namespace in "
    "linux.namespaces",
    NULL },
  { L ("'namespaces':[" NS ("network") "],'sysctl':{'vm.swappiness':'1'}"),
    "config.json: linux.sysctl[\"vm.swappiness\"]: not namespaced: setting it would change the "
    "host",
    NULL },
  { L ("'namespaces':[" NS ("network") "],'sysctl':{'net..ipv4':'1'}"),
    "config.json: linux.sysctl[\"net..ipv4\"]: not a sysctl name like \"net.ipv4.ip_forward\"",
    NULL },
  { L ("'namespaces':[" NS ("network") "],'sysctl':{'net/../kernel/x':'1'}"),
    "config.json: linux.sysctl[\"net/../kernel/x\"]: not a sysctl name like "
    "\"net.ipv4.ip_forward\"",
    NULL },
  { L ("'sysctl':{'':'1'}"),
    "config.json: linux.sysctl[\"\"]: not a sysctl name like \"net.ipv4.ip_forward\"", NULL },
  { CFG ("'hostname':'a','linux':{'namespaces':[" NS ("uts") "],'sysctl':{'kernel.hostname':'b'}}"),
    "config.json: linux.sysctl[\"kernel.hostname\"]: conflicts with the hostname field", NULL },
  { L ("'sysctl':{'user.max_user_namespaces':'0'}"),
    "config.json: linux.sysctl[\"user.max_user_namespaces\"]: needs a user namespace in "
    "linux.namespaces",
    NULL },
  { L ("'sysctl':{'kernel.msgmax':'1'}"),
    "config.json: linux.sysctl[\"kernel.msgmax\"]: needs a ipc namespace in linux.namespaces",
    NULL },
  /* ---- maskedPaths, readonlyPaths ---- */
  { L ("'namespaces':[" NS ("mount") "],'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/"
                                     "sys']"),
    NULL, NULL },
  { L ("'namespaces':[" NS ("mount") "],'maskedPaths':['/proc/kcore','proc/x']"),
    "config.json: linux.maskedPaths[1]: must be an absolute path, got \"proc/x\"", NULL },
  /* Without a mount namespace they apply below the rootfs chroot. */
  { L ("'readonlyPaths':['/proc/sys']"), NULL, NULL },
  /* ---- resources.devices ---- */
  { R ("'devices':[{'allow':false,'access':'rwm'},{'allow':true,'type':'c','major':-1,"
       "'minor':-1,'access':''},{'allow':true,'type':'a'}]"),
    NULL, NULL },
  { R ("'devices':[{'allow':true,'type':'u'}]"),
    "config.json: linux.resources.devices[0].type: must be \"a\", \"c\" or \"b\", got \"u\"",
    NULL },
  { R ("'devices':[{'allow':true,'access':'rwx'}]"),
    "config.json: linux.resources.devices[0].access: must be made of the letters r, w and m, got "
    "\"rwx\"",
    NULL },
  { R ("'devices':[{'allow':true,'major':-2}]"),
    "config.json: linux.resources.devices[0].major: must be a device number or -1 (all), got -2",
    NULL },
  /* ---- resources.memory ---- */
  { R ("'memory':{'limit':1048576,'swap':2097152,'reservation':-1,'swappiness':100}"), NULL, NULL },
  { R ("'memory':{'swappiness':101}"),
    "config.json: linux.resources.memory.swappiness: must be between 0 and 100, got 101", NULL },
  { R ("'memory':{'limit':-2}"),
    "config.json: linux.resources.memory.limit: must be a number of bytes or -1 (unlimited), got "
    "-2",
    NULL },
  { R ("'memory':{'limit':2097152,'swap':1048576}"),
    "config.json: linux.resources.memory.swap: 1048576 is below limit 2097152 (swap limits memory "
    "plus swap)",
    NULL },
  /* ---- resources.cpu ---- */
  { R ("'cpu':{'quota':100000,'burst':50000,'cpus':'0-3,7','mems':'','idle':1,"
       "'realtimeRuntime':950000,'realtimePeriod':1000000}"),
    NULL, NULL },
  { R ("'cpu':{'cpus':'0-'}"),
    "config.json: linux.resources.cpu.cpus: invalid CPU list \"0-\": expected a number below 65536 "
    "after '-'",
    NULL },
  { R ("'cpu':{'mems':'0,'}"),
    "config.json: linux.resources.cpu.mems: invalid memory node list \"0,\": empty item", NULL },
  { R ("'cpu':{'quota':1000,'burst':2000}"),
    "config.json: linux.resources.cpu.burst: 2000 is above quota 1000", NULL },
  { R ("'cpu':{'idle':2}"), "config.json: linux.resources.cpu.idle: must be 0 or 1, got 2", NULL },
  { R ("'cpu':{'realtimeRuntime':2000,'realtimePeriod':1000}"),
    "config.json: linux.resources.cpu.realtimeRuntime: 2000 is above realtimePeriod 1000", NULL },
  /* ---- resources.pids ---- */
  { R ("'pids':{'limit':0}"), NULL, NULL },
  { R ("'pids':{'limit':-2}"),
    "config.json: linux.resources.pids.limit: must be -1 (no limit) or a number of tasks, got -2",
    NULL },
  /* ---- resources.blockIO ---- */
  { R ("'blockIO':{'weight':10,'leafWeight':1000,'weightDevice':[{'major':8,'minor':0,"
       "'leafWeight':300}],'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}]}"),
    NULL, NULL },
  { R ("'blockIO':{'weight':5}"),
    "config.json: linux.resources.blockIO.weight: must be between 10 and 1000, got 5", NULL },
  { R ("'blockIO':{'weightDevice':[{'major':8,'minor':0}]}"),
    "config.json: linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight", NULL },
  { R ("'blockIO':{'throttleWriteIOPSDevice':[{'major':-1,'minor':0,'rate':1}]}"),
    "config.json: linux.resources.blockIO.throttleWriteIOPSDevice[0].major: must be between 0 and "
    "4095, got -1",
    NULL },
  /* ---- resources.hugepageLimits ---- */
  { R ("'hugepageLimits':[{'pageSize':'2MB','limit':1},{'pageSize':'1GB','limit':1}]"), NULL,
    NULL },
  { R ("'hugepageLimits':[{'pageSize':'3MB','limit':1}]"),
    "config.json: linux.resources.hugepageLimits[0].pageSize: \"3MB\" is not a power of two",
    NULL },
  { R ("'hugepageLimits':[{'pageSize':'2MB\\n','limit':1}]"),
    "config.json: linux.resources.hugepageLimits[0].pageSize: \"2MB\\x0a\" must have the form "
    "<size>KB, <size>MB or <size>GB",
    NULL },
  { R ("'hugepageLimits':[{'pageSize':'2MB','limit':1},{'pageSize':'2MB','limit':2}]"),
    "config.json: linux.resources.hugepageLimits[1].pageSize: \"2MB\" is already limited by "
    "hugepageLimits[0]",
    NULL },
  /* ---- resources.network, rdma, unified ---- */
  { R ("'network':{'classID':1,'priorities':[{'name':'eth0','priority':5}]}"), NULL, NULL },
  { R ("'network':{'priorities':[{'name':'','priority':5}]}"),
    "config.json: linux.resources.network.priorities[0].name: invalid interface name \"\": must "
    "not be empty",
    NULL },
  { R ("'rdma':{'mlx5_1':{'hcaHandles':3},'mlx4_0':{'hcaObjects':1000}}"), NULL, NULL },
  { R ("'rdma':{'mlx5_1':{}}"),
    "config.json: linux.resources.rdma[\"mlx5_1\"]: needs hcaHandles or hcaObjects", NULL },
  { R ("'rdma':{'mlx5 1':{'hcaHandles':1}}"),
    "config.json: linux.resources.rdma[\"mlx5 1\"]: invalid device name", NULL },
  { R ("'unified':{'memory.max':'max','io.max':'8:0 rbps=1\\n8:16 rbps=1'}"), NULL, NULL },
  { R ("'unified':{'../cgroup.procs':'1'}"),
    "config.json: linux.resources.unified[\"../cgroup.procs\"]: not a cgroup file name", NULL },
  /* ---- seccomp ---- */
  { SC ("'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'syscalls':[{'names':['ptrace'],"
        "'action':'SCMP_ACT_TRACE','errnoRet':1,'args':[{'index':5,'value':1,'op':'SCMP_CMP_EQ'}]},"
        "{'names':['mount'],'action':'SCMP_ACT_NOTIFY'}],'listenerPath':'/run/agent.sock',"
        "'listenerMetadata':'x'"),
    NULL, NULL },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':1"),
    "config.json: linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no errno; only "
    "SCMP_ACT_ERRNO and SCMP_ACT_TRACE do",
    NULL },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['kill'],'action':'SCMP_ACT_KILL',"
        "'errnoRet':1}]"),
    "config.json: linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no errno; only "
    "SCMP_ACT_ERRNO and SCMP_ACT_TRACE do",
    NULL },
  { SC ("'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':70000"),
    "config.json: linux.seccomp.defaultErrnoRet: must be at most 65535, got 70000", NULL },
  { SC ("'defaultAction':'SCMP_ACT_NOTIFY','listenerPath':'/run/a.sock'"),
    "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
    NULL },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['a'],'action':'SCMP_ACT_LOG'},"
        "{'names':['mount'],'action':'SCMP_ACT_NOTIFY'}]"),
    "config.json: linux.seccomp.listenerPath: required because syscalls[1] uses SCMP_ACT_NOTIFY",
    NULL },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','listenerMetadata':'m'"),
    "config.json: linux.seccomp.listenerMetadata: must not be set without listenerPath", NULL },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mount'],'action':'SCMP_ACT_NOTIFY'"
        "}"
        "],'listenerPath':'/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"),
    "config.json: linux.seccomp.listenerPath: is longer than 107 bytes, too long for a unix socket",
    NULL },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','listenerPath':'/run/a.sock'"), NULL,
    "config.json: linux.seccomp.listenerPath: ignored: no rule uses SCMP_ACT_NOTIFY" },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],'action':'SCMP_ACT_LOG',"
        "'args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]"),
    "config.json: linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5, got 6", NULL },
  { SC ("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read',''],'action':'SCMP_ACT_LOG'}"
        "]"),
    "config.json: linux.seccomp.syscalls[0].names[1]: must not be empty", NULL },
  /* ---- intelRdt ---- */
  { L ("'intelRdt':{'closID':'/','schemata':['L3:0=7f0;1=1f','MB:0=20'],'l3CacheSchema':'L3:0=f',"
       "'memBwSchema':'MB:0=20'}"),
    NULL, NULL },
  { L ("'intelRdt':{'closID':'a/b'}"),
    "config.json: linux.intelRdt.closID: must be \"/\" or a directory name, got \"a/b\"", NULL },
  { L ("'intelRdt':{'closID':'..'}"),
    "config.json: linux.intelRdt.closID: must be \"/\" or a directory name, got \"..\"", NULL },
  { L ("'intelRdt':{'schemata':['L3:0=f','MB:0=20\\nL3:0=1']}"),
    "config.json: linux.intelRdt.schemata[1]: must not contain newlines", NULL },
  { L ("'intelRdt':{'memBwSchema':'MB:0=20\\n'}"),
    "config.json: linux.intelRdt.memBwSchema: must not contain newlines", NULL },
  { L ("'intelRdt':{'l3CacheSchema':'0=f'}"), NULL,
    "config.json: linux.intelRdt.l3CacheSchema: does not start with \"L3:\"" },
  /* ---- memoryPolicy ---- */
  { L ("'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0-3','flags':['MPOL_F_STATIC_NODES']}"),
    NULL, NULL },
  { L ("'memoryPolicy':{'mode':'MPOL_LOCAL'}"), NULL, NULL },
  { L ("'memoryPolicy':{'nodes':'0'}"),
    "config.json: linux.memoryPolicy.mode: required field is missing", NULL },
  { L ("'memoryPolicy':{'mode':'MPOL_BIND','nodes':''}"),
    "config.json: linux.memoryPolicy.nodes: MPOL_BIND needs at least one node", NULL },
  { L ("'memoryPolicy':{'mode':'MPOL_DEFAULT','nodes':'1'}"),
    "config.json: linux.memoryPolicy.nodes: must be empty for MPOL_DEFAULT", NULL },
  { L ("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'x'}"),
    "config.json: linux.memoryPolicy.nodes: invalid node list \"x\": expected a number below "
    "65536",
    NULL },
  { L ("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0','flags':['MPOL_F_STATIC_NODES',"
       "'MPOL_F_RELATIVE_NODES']}"),
    "config.json: linux.memoryPolicy.flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude "
    "each other",
    NULL },
  { L ("'memoryPolicy':{'mode':'MPOL_LOCAL','flags':['MPOL_F_RELATIVE_NODES']}"),
    "config.json: linux.memoryPolicy.flags: MPOL_LOCAL takes neither MPOL_F_STATIC_NODES nor "
    "MPOL_F_RELATIVE_NODES",
    NULL },
  { L ("'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0','flags':['MPOL_F_NUMA_BALANCING']}"),
    "config.json: linux.memoryPolicy.flags: MPOL_F_NUMA_BALANCING needs mode MPOL_BIND or "
    "MPOL_PREFERRED_MANY",
    NULL },
  /* ---- personality ---- */
  { L ("'personality':{'domain':'LINUX32'}"), NULL, NULL },
  { L ("'personality':{}"), "config.json: linux.personality.domain: required field is missing",
    NULL },
  { L ("'personality':{'domain':'LINUX','flags':['ADDR_NO_RANDOMIZE']}"),
    "config.json: linux.personality.flags: no personality flags are supported, got "
    "\"ADDR_NO_RANDOMIZE\"",
    NULL },
  /* ---- other platforms ---- */
  { CFG ("'solaris':{}"), NULL, "config.json: solaris: ignored on Linux" },
};

/* S with every ' turned into ". */
static char *
json_of (const char *s)
{
  char *out = strdup (s);

  for (char *p = out; p && *p; p++)
    if (*p == '\'')
      *p = '"';
  return out;
}

static void
run_case (const struct vcase *vc)
{
  char *text = json_of (vc->json);
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_warnings w = { 0 };
  struct oci_config *config = oci_config_parse (text, strlen (text), &err);
  int r;

  if (config == NULL)
    {
      ok (0, "parses: %s", text);
      diag ("parse error: %s", err.msg);
      goto out;
    }
  r = oci_config_validate_linux (config, &w, &err);
  if (vc->error)
    ok (r < 0 && strcmp (err.msg, vc->error) == 0, "rejects: %s", vc->error);
  else
    ok (r == 0, "accepts: %s", text);
  if (r < 0 && (!vc->error || strcmp (err.msg, vc->error) != 0))
    diag ("got error: %s\n#  for: %s", err.msg, text);
  if (!vc->error)
    {
      bool want = vc->warning != NULL;
      bool same = want ? w.len == 1 && strcmp (w.msgs[0], vc->warning) == 0 : w.len == 0;
      ok (same, "%s", want ? vc->warning : "and warns about nothing");
      for (size_t i = 0; !same && i < w.len; i++)
        diag ("got warning: %s", w.msgs[i]);
    }
  oci_config_free (config);
out:
  oci_warnings_free (&w);
  hako_error_clear (&err);
  free (text);
}

/* process.json (exec --process): the same checks, paths relative to it. */
static void
test_process_document (void)
{
  char *text = json_of ("{'cwd':'tmp','args':['sh']}");
  char *good = json_of ("{'cwd':'/','args':['sh'],'rlimits':[{'type':'RLIMIT_CPU','soft':1,"
                        "'hard':1}]}");
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_process *p = oci_parse (&oci_process_type, text, strlen (text), "process.json", &err);
  struct oci_process *q = oci_parse (&oci_process_type, good, strlen (good), "process.json", &err);

  ok (p && oci_process_validate_linux (p, NULL, NULL, &err) < 0
          && strcmp (err.msg, "process.json: cwd: must be an absolute path, got \"tmp\"") == 0,
      "process.json: relative cwd rejected with a path relative to the document");
  ok (q && oci_process_validate_linux (q, "exec.json", NULL, &err) == 0,
      "process.json: valid process accepted");
  oci_process_free (p);
  oci_process_free (q);
  hako_error_clear (&err);
  free (text);
  free (good);
}

/* Limits too large to write by hand: 65537 additional gids, 341 id
 * mappings. */
static char *
repeat_json (const char *head, bool mappings, size_t n, const char *tail)
{
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);

  fputs (head, f);
  for (size_t i = 0; i < n; i++)
    if (mappings)
      fprintf (f, "%s{\"containerID\":%zu,\"hostID\":%zu,\"size\":1}", i ? "," : "", i, i);
    else
      fprintf (f, "%s%zu", i ? "," : "", i);
  fputs (tail, f);
  fclose (f);
  return out;
}

static void
expect_generated (char *text, const char *want_error, const char *name)
{
  struct hako_error err = HAKO_ERROR_INIT;
  struct oci_config *c = oci_config_parse (text, strlen (text), &err);
  int r = c ? oci_config_validate_linux (c, NULL, &err) : -1;

  if (want_error)
    ok (r < 0 && strcmp (err.msg, want_error) == 0, "rejects: %s", want_error);
  else
    ok (r == 0, "accepts: %s", name);
  if (err.msg && (!want_error || strcmp (err.msg, want_error) != 0))
    diag ("got: %s", err.msg);
  oci_config_free (c);
  hako_error_clear (&err);
  free (text);
}

static void
test_generated_limits (void)
{
  const char *gids = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{"
                     "\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0,"
                     "\"additionalGids\":[";
  const char *maps = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{"
                     "\"cwd\":\"/\",\"args\":[\"sh\"]},\"linux\":{\"namespaces\":[{\"type\":"
                     "\"user\"}],\"gidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":1}],"
                     "\"uidMappings\":[";

  expect_generated (repeat_json (gids, false, 65536, "]}}}"), NULL, "65536 additional gids");
  expect_generated (repeat_json (gids, false, 65537, "]}}}"),
                    "config.json: process.user.additionalGids: has 65537 entries, the kernel "
                    "allows at most 65536",
                    NULL);
  expect_generated (repeat_json (maps, true, 340, "]}}"), NULL, "340 uid mappings");
  expect_generated (
      repeat_json (maps, true, 341, "]}}"),
      "config.json: linux.uidMappings: has 341 entries, the kernel allows at most 340", NULL);
}

static void
test_lookup_tables (void)
{
  ok (oci_capability_number ("CAP_CHOWN") == 0, "CAP_CHOWN is 0");
  ok (oci_capability_number ("CAP_SYS_ADMIN") == 21, "CAP_SYS_ADMIN is 21");
  ok (oci_capability_number ("CAP_CHECKPOINT_RESTORE") == OCI_CAP_LAST,
      "CAP_CHECKPOINT_RESTORE is the last, 40");
  ok (oci_capability_number ("CAP_NOPE") == -1 && oci_capability_name (41) == NULL,
      "unknown capability names and numbers");
  ok (strcmp (oci_capability_name (39), "CAP_BPF") == 0, "39 is CAP_BPF");
  ok (oci_rlimit_resource ("RLIMIT_NOFILE") == RLIMIT_NOFILE
          && oci_rlimit_resource ("RLIMIT_STACK") == RLIMIT_STACK
          && oci_rlimit_resource ("RLIMIT_nofile") == -1,
      "rlimit names map to this architecture's numbers");
}

/* The spec's good Linux examples, and why a `create` takes or refuses each. */
static const struct
{
  const char *file;
  const char *error;
} examples[] = {
  { "spec-example.json", NULL },
  { "minimal-for-start.json", NULL },
  { "minimal.json", NULL },
  { "linux-netdevice.json",
    "config.json: linux.netDevices: given, but linux.namespaces has no network namespace" },
  { "linux-rdma.json", NULL },
};

static void
test_spec_examples (void)
{
  const char *dir = getenv ("SPEC_DIR");

  for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
    {
      char *path = NULL;
      struct hako_error err = HAKO_ERROR_INIT;
      struct oci_warnings w = { 0 };
      struct oci_config *c;
      int r = -1;

      if (dir == NULL || *dir == '\0')
        {
          printf ("ok %d - # SKIP %s: SPEC_DIR is not set\n", ++tap_n, examples[i].file);
          continue;
        }
      if (asprintf (&path, "%s/schema/test/config/good/%s", dir, examples[i].file) < 0)
        abort ();
      c = oci_config_parse_file (path, &err);
      if (c)
        r = oci_config_validate_linux (c, &w, &err);
      if (examples[i].error)
        ok (c && r < 0 && strcmp (err.msg, examples[i].error) == 0, "%s: %s", examples[i].file,
            examples[i].error);
      else
        ok (r == 0, "%s: accepted", examples[i].file);
      if (err.msg && (!examples[i].error || strcmp (err.msg, examples[i].error) != 0))
        diag ("got: %s", err.msg);
      for (size_t j = 0; j < w.len; j++)
        diag ("%s warns: %s", examples[i].file, w.msgs[j]);
      oci_config_free (c);
      oci_warnings_free (&w);
      hako_error_clear (&err);
      free (path);
    }
}

int
main (void)
{
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    run_case (&cases[i]);
  test_process_document ();
  test_lookup_tables ();
  test_generated_limits ();
  test_spec_examples ();
  return tap_done ();
}

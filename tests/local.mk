# Tests: every test speaks TAP and runs under automake's TAP driver.
#   C unit tests:      tests/unit/*.c   -> check_PROGRAMS, added to TESTS
#   script tests:      tests/**/*.sh    -> run with bash
#   integration tests: tests/bats/*.bats -> run with bats --tap
TAP_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_DRIVER = $(TAP_DRIVER)
TEST_EXTENSIONS = .sh .bats
SH_LOG_DRIVER = $(TAP_DRIVER)
SH_LOG_COMPILER = $(BASH)
BATS_LOG_DRIVER = $(TAP_DRIVER)
BATS_LOG_COMPILER = $(BATS) --tap
# What tests may need to find: the built binaries, the sources, the shared spec material.
AM_TESTS_ENVIRONMENT = \
	export HAKO_BUILDDIR='$(abs_top_builddir)' HAKO_SRCDIR='$(abs_top_srcdir)' \
	HAKO='$(abs_top_builddir)/hako' PYTHON3='/usr/bin/python3' \
	SPEC_DIR='$(SPEC_DIR)';
EXTRA_DIST += tests/lib/tap.h

# The spec checkout is found by configure (--with-spec-dir, absolute path);
# distcheck's copy of the sources has no ../shared beside it, so pass it on.
AM_DISTCHECK_CONFIGURE_FLAGS = --with-spec-dir='$(SPEC_DIR)'

# Fuzzing (tests/fuzz/): a libFuzzer target built with clang by
# contrib/fuzz.sh; make check replays the regression inputs through the same
# entry point built with the ordinary compiler.
check_PROGRAMS += tests/fuzz/replay
tests_fuzz_replay_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz-config.c
tests_fuzz_replay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_fuzz_replay_LDADD = $(LIBOCISPEC_LIBS)
TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/replay.sh tests/fuzz/make-dict.sh tests/fuzz/regressions \
	build-aux/tap-driver.sh
FUZZ_SECONDS = 60
fuzz:
	cd $(top_builddir) && HAKO_SRCDIR='$(abs_top_srcdir)' SPEC_DIR='$(SPEC_DIR)' \
	  CLANG='$(CLANG)' FUZZ_SECONDS='$(FUZZ_SECONDS)' \
	  LIBOCISPEC_SOURCES='$(filter %.c,$(libocispec_libocispec_a_SOURCES))' \
	  $(BASH) $(abs_top_srcdir)/contrib/fuzz.sh
.PHONY: fuzz

# Schema agreement (tests/schema/): libocispec's verdicts against the OCI
# runtime-spec JSON schema, checked with oci-validate and python3-jsonschema.
check_PROGRAMS += tests/oci-validate tests/unit/test-libocispec
tests_oci_validate_SOURCES = tests/oci-validate.c
tests_oci_validate_LDADD = $(LIBOCISPEC_LIBS)
tests_unit_test_libocispec_SOURCES = tests/unit/test-libocispec.c
tests_unit_test_libocispec_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_libocispec_LDADD = $(LIBOCISPEC_LIBS)
TESTS += tests/unit/test-libocispec tests/schema/schema-agreement.sh \
	tests/schema/differential.sh tests/schema/roundtrip.sh
EXTRA_DIST += tests/schema/schema-agreement.sh tests/schema/differential.sh \
	tests/schema/differential.py tests/schema/roundtrip.sh tests/schema/schemaref.py \
	tests/schema/schematypes.py tests/schema/mutations.py \
	tests/schema/full-linux-config.json tests/schema/allowed-disagreements.txt

# bats integration tests and the rootfs/bundle helpers they share.
# A test that hangs fails after BATS_TEST_TIMEOUT seconds instead of stalling CI.
AM_TESTS_ENVIRONMENT += export BATS_TEST_TIMEOUT="$${BATS_TEST_TIMEOUT:-300}";
TESTS += tests/bats/rootfs.bats
EXTRA_DIST += tests/bats/rootfs.bats tests/bats/helpers.bash tests/lib/make-rootfs.sh

# Level 2 validation (libocispec/validate-linux*.c): the spec's prose rules.
check_PROGRAMS += tests/unit/test-validate-linux
tests_unit_test_validate_linux_SOURCES = tests/unit/test-validate-linux.c
tests_unit_test_validate_linux_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_validate_linux_LDADD = $(LIBOCISPEC_LIBS)
TESTS += tests/unit/test-validate-linux

# Hooks and terminals (hooks.c, terminal*.c, console-socket.c); the console
# receiver is the far end of --console-socket for the bats tests.
check_PROGRAMS += tests/unit/test-hooks tests/unit/test-terminal tests/console-receiver
tests_unit_test_hooks_SOURCES = tests/unit/test-hooks.c
tests_unit_test_hooks_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_hooks_LDADD = $(LIBHAKO_LIBS)
tests_unit_test_terminal_SOURCES = tests/unit/test-terminal.c
tests_unit_test_terminal_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_terminal_LDADD = $(LIBHAKO_LIBS)
tests_console_receiver_SOURCES = tests/console-receiver.c tests/lib/test-listen.c \
	tests/lib/test-listen.h
tests_console_receiver_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_console_receiver_LDADD = $(LIBHAKO_LIBS)
# The far end of linux.seccomp.listenerPath for seccomp.bats (SCMP_ACT_NOTIFY).
check_PROGRAMS += tests/seccomp-agent
tests_seccomp_agent_SOURCES = tests/seccomp-agent.c tests/lib/test-listen.c tests/lib/test-listen.h
tests_seccomp_agent_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_seccomp_agent_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-hooks tests/unit/test-terminal

# The container process and kernel settings (process*.c, caps.c, sysctl.c,
# procfs.c): forked children apply a config and report what the kernel says.
check_PROGRAMS += tests/unit/test-process
tests_unit_test_process_SOURCES = tests/unit/test-process.c
tests_unit_test_process_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_process_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-process

# The command line and the state store (src/*.c, status.c, log.c, options).
check_PROGRAMS += tests/unit/test-status tests/unit/test-log tests/unit/test-options
tests_unit_test_status_SOURCES = tests/unit/test-status.c
tests_unit_test_status_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_status_LDADD = $(LIBHAKO_LIBS)
tests_unit_test_log_SOURCES = tests/unit/test-log.c
tests_unit_test_log_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_log_LDADD = $(LIBHAKO_LIBS)
tests_unit_test_options_SOURCES = tests/unit/test-options.c src/options.c src/options.h
tests_unit_test_options_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib -I$(top_srcdir)/src
tests_unit_test_options_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-status tests/unit/test-log tests/unit/test-options tests/bats/cli.bats
EXTRA_DIST += tests/bats/cli.bats

# The root filesystem: mounts, /dev, pivot_root, masked and read-only paths,
# symlink-escape attempts (root; each scenario in its own namespaces).
check_PROGRAMS += tests/unit/test-rootfs
tests_unit_test_rootfs_SOURCES = tests/unit/test-rootfs.c
tests_unit_test_rootfs_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_rootfs_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-rootfs
check_PROGRAMS += tests/unit/test-selinux
tests_unit_test_selinux_SOURCES = tests/unit/test-selinux.c
tests_unit_test_selinux_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_selinux_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-selinux

# Containers that run (issue 3): every command and config field as the
# container sees it; RUNTIME=runc checks the tests against the reference.
TESTS += tests/bats/lifecycle.bats tests/bats/config.bats
EXTRA_DIST += tests/bats/lifecycle.bats tests/bats/config.bats

# Control groups (cgroup*.c): paths, conversions and the v1/v2 writers on
# fake directories; then the real driver on this host's hierarchies (root).
check_PROGRAMS += tests/unit/test-cgroup-pure tests/unit/test-cgroup
tests_unit_test_cgroup_pure_SOURCES = tests/unit/test-cgroup-pure.c
tests_unit_test_cgroup_pure_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_cgroup_pure_LDADD = $(LIBHAKO_LIBS)
tests_unit_test_cgroup_SOURCES = tests/unit/test-cgroup.c
tests_unit_test_cgroup_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_cgroup_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-cgroup-pure tests/unit/test-cgroup

# seccomp (seccomp.c): profiles compiled from JSON and loaded in forked
# children; a real container under a Docker-style profile.
check_PROGRAMS += tests/unit/test-seccomp
tests_unit_test_seccomp_SOURCES = tests/unit/test-seccomp.c
tests_unit_test_seccomp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_seccomp_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-seccomp tests/bats/seccomp.bats
EXTRA_DIST += tests/bats/seccomp.bats

# linux.netDevices (netdev.c, netlink.c): veth interfaces moved between
# private network namespaces (root; the host's interfaces are never touched).
check_PROGRAMS += tests/unit/test-netdev
tests_unit_test_netdev_SOURCES = tests/unit/test-netdev.c
tests_unit_test_netdev_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_netdev_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-netdev

# hako events and exec --cgroup (cgroup-stats*.c, cgroup-oom.c, events.c,
# cgroup-sub.c): durations, the statistics parsers and runc's JSON on fake
# v1 and v2 directories; then real containers with limits, OOM kills and
# sub-cgroups (root).
check_PROGRAMS += tests/unit/test-events
tests_unit_test_events_SOURCES = tests/unit/test-events.c src/options.c src/options.h
tests_unit_test_events_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib -I$(top_srcdir)/src
tests_unit_test_events_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-events tests/bats/events.bats
EXTRA_DIST += tests/bats/events.bats

# Attacks from a container (issue 5, docs/security.md): CVE-2019-5736,
# CVE-2024-21626, symlinks planted in the rootfs, setuid, each mounted
# against a real container.
TESTS += tests/bats/security.bats
EXTRA_DIST += tests/bats/security.bats

# Control groups through containers (issue 4): every resource read back from
# the file this host's layout uses, limits enforced (pids, memory OOM kill,
# devices), pause/resume/update/ps/kill --all/delete on the kernel's files;
# then the same bats file and test-cgroup inside a qemu VM booted with pure
# cgroup v2 and every controller (tests/vm/, TCG: no KVM needed).
TESTS += tests/bats/cgroup.bats tests/vm/cgroup-v2.sh
EXTRA_DIST += tests/bats/cgroup.bats tests/vm/cgroup-v2.sh tests/vm/init \
	tests/vm/guest-cgroup.sh tests/vm/tap-merge.awk
EXTRA_DIST += tests/vm/lib.sh

# AppArmor (issue 5): features, "unconfined" and the refusal where AppArmor
# is off on the build host; then, in the same VM booted with apparmor=1
# security=apparmor, a profile loaded with apparmor_parser confines the
# container and exec --apparmor, and one not loaded fails create.
TESTS += tests/bats/apparmor.bats tests/vm/apparmor.sh
EXTRA_DIST += tests/bats/apparmor.bats tests/vm/apparmor.sh tests/vm/guest-apparmor.sh

# SELinux: features and labels ignored where SELinux is off on the build
# host; then, in the same VM booted with security=selinux and a tiny policy
# of our own (tests/vm/selinux/hako-test.cil, compiled with secilc at test
# time) in enforcing mode: process.selinuxLabel, linux.mountLabel on the
# config's mounts, a read the policy denies, exec --process-label, invalid
# contexts refused before anything exists.
TESTS += tests/bats/selinux.bats tests/vm/selinux.sh
EXTRA_DIST += tests/bats/selinux.bats tests/vm/selinux.sh tests/vm/guest-selinux.sh \
	tests/vm/selinux/hako-test.cil

# Rootless containers, run by a real unprivileged user the test creates
# (hako-rootless, with /etc/subuid and /etc/subgid ranges): single
# mapping, several ranges through newuidmap/newgidmap, state under
# $XDG_RUNTIME_DIR/hako, no cgroup without delegation, limits in a
# delegated cgroup (also in the cgroup v2 VM: tests/vm/cgroup-v2.sh).
TESTS += tests/bats/rootless.bats
EXTRA_DIST += tests/bats/rootless.bats

# Real engines driving hako (tests/engines/): podman 4 with conmon and
# containerd 1.6 with the runc v2 shim, each with private storage, state and
# cgroup parent; RUNTIME=runc checks the tests against the reference.
TESTS += tests/engines/podman.bats tests/engines/containerd.bats
EXTRA_DIST += tests/engines/podman.bats tests/engines/containerd.bats tests/engines/lib.bash

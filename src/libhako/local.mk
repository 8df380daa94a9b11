# libhako: the runtime library (one concern per file).
noinst_LIBRARIES += src/libhako/libhako.a
src_libhako_libhako_a_CFLAGS = $(AM_CFLAGS) $(LIBCAP_CFLAGS) $(SECCOMP_CFLAGS) \
	$(SELINUX_CFLAGS) $(SYSTEMD_CFLAGS)
src_libhako_libhako_a_SOURCES = \
	src/libhako/version.c src/libhako/version.h \
	src/libhako/util.c src/libhako/util.h \
	src/libhako/sync.c src/libhako/sync.h \
	src/libhako/idmap.c src/libhako/idmap.h \
	src/libhako/init.h \
	src/libhako/nsexec.c src/libhako/nsexec.h \
	src/libhako/container.c src/libhako/container.h src/libhako/container-internal.h \
	src/libhako/container-create.c src/libhako/container-run.c \
	src/libhako/exec.c src/libhako/exec.h \
	src/libhako/processes.c src/libhako/processes.h \
	src/libhako/notify.c src/libhako/notify.h
# Hooks, the container's pty, console sockets, the terminal proxy.
src_libhako_libhako_a_SOURCES += src/libhako/hooks.c src/libhako/hooks.h \
	src/libhako/terminal.c src/libhako/terminal.h src/libhako/terminal-proxy.c \
	src/libhako/console-socket.c
# The container process (user, caps, rlimits, ..., exec), kernel settings, /proc access.
src_libhako_libhako_a_SOURCES += src/libhako/process.c src/libhako/process.h \
	src/libhako/process-attrs.c src/libhako/process-exec.c \
	src/libhako/caps.c src/libhako/caps.h \
	src/libhako/sysctl.c src/libhako/sysctl.h \
	src/libhako/procfs.c src/libhako/procfs.h \
	src/libhako/apparmor.c src/libhako/apparmor.h \
	src/libhako/selinux.c src/libhako/selinux.h
# The state store (state.json, locks), logging, pidfd references, and what
# `spec` and `features` print.
src_libhako_libhako_a_SOURCES += src/libhako/status.c src/libhako/status.h \
	src/libhako/log.c src/libhako/log.h \
	src/libhako/pidref.c src/libhako/pidref.h \
	src/libhako/spec.c src/libhako/spec.h \
	src/libhako/features.c src/libhako/features.h
# The root filesystem: mounts (new mount API, fd-based), /dev, pivot_root,
# masked and read-only paths.
src_libhako_libhako_a_SOURCES += src/libhako/rootfs.c \
	src/libhako/mount.c src/libhako/mount.h \
	src/libhako/mount-options.c src/libhako/mount-options.h \
	src/libhako/mount-cgroup.c src/libhako/mount-idmap.c \
	src/libhako/copy-tree.c src/libhako/copy-tree.h \
	src/libhako/rootfs.h src/libhako/masked.c src/libhako/dev.c src/libhako/dev.h \
	src/libhako/inroot.c src/libhako/inroot.h \
	src/libhako/mountinfo.c src/libhako/mountinfo.h
LIBHAKO_LIBS = src/libhako/libhako.a $(LIBOCISPEC_LIBS) $(LIBCAP_LIBS) $(SECCOMP_LIBS)

# The commit is read at build time, so a rebuild after a commit reports it;
# a release tarball carries it in .tarball-commit.
BUILT_SOURCES = src/libhako/commit.h
nodist_src_libhako_libhako_a_SOURCES = src/libhako/commit.h
CLEANFILES += src/libhako/commit.h
src/libhako/commit.h: FORCE
	@$(MKDIR_P) src/libhako; \
	c=$$(cd $(top_srcdir) && git rev-parse --verify -q HEAD 2>/dev/null \
	     || cat $(top_srcdir)/.tarball-commit 2>/dev/null || echo unknown); \
	echo "#define HAKO_COMMIT \"$$c\"" > $@.tmp; \
	if cmp -s $@ $@.tmp; then rm -f $@.tmp; else mv $@.tmp $@; fi
FORCE:
dist-hook:
	(cd $(top_srcdir) && git rev-parse --verify -q HEAD || echo unknown) > $(distdir)/.tarball-commit
# Control groups: the cgroupfs driver for v1, v2 and hybrid hosts (layout,
# paths, per-version resource writers, conversions, the v2 device filter,
# freeze/kill/removal).  libm: the shares -> weight mapping.
src_libhako_libhako_a_SOURCES += src/libhako/cgroup.c src/libhako/cgroup.h \
	src/libhako/cgroup-internal.h src/libhako/cgroup-paths.c src/libhako/cgroup-io.c \
	src/libhako/cgroup-apply.c src/libhako/cgroup-v1.c src/libhako/cgroup-v2.c \
	src/libhako/cgroup-resources.c src/libhako/cgroup-bpf.c src/libhako/cgroup-ops.c
LIBHAKO_LIBS += -lm
# The systemd cgroup driver: transient units over sd-bus (cgroup-systemd.c,
# the only user of libsystemd; stubs when configured --disable-systemd)
# and its pure name and property conversions.
src_libhako_libhako_a_SOURCES += src/libhako/cgroup-systemd.c src/libhako/cgroup-systemd.h \
	src/libhako/cgroup-systemd-props.c
# libsystemd is dlopen()ed by the driver on first use, not linked: it and
# its libraries cost most of a short command's start (sdbus-loader.h).
src_libhako_libhako_a_SOURCES += src/libhako/sdbus-loader.c src/libhako/sdbus-loader.h
# linux.netDevices: host interfaces moved into the container's network
# namespace over a small rtnetlink client.
src_libhako_libhako_a_SOURCES += src/libhako/netdev.c src/libhako/netdev.h \
	src/libhako/netlink.c src/libhako/netlink.h
# linux.seccomp: compiled with libseccomp in stage 0, loaded in stage 2.
src_libhako_libhako_a_SOURCES += src/libhako/seccomp.c src/libhako/seccomp.h \
	src/libhako/seccomp-notify.c
# CVE-2019-5736: commands that enter a container run from a read-only or
# sealed copy of the binary.
src_libhako_libhako_a_SOURCES += src/libhako/selfexe.c src/libhako/selfexe.h
# hako events and exec --cgroup: statistics of every controller (parsed
# from the cgroup files, written as runc's events JSON), OOM notices
# (eventfd on v1, inotify on cgroup2), the events loop, sub-cgroups.
src_libhako_libhako_a_SOURCES += src/libhako/cgroup-stats.c src/libhako/cgroup-stats.h \
	src/libhako/cgroup-stats-parse.c src/libhako/cgroup-stats-json.c \
	src/libhako/cgroup-oom.c src/libhako/cgroup-sub.c \
	src/libhako/events.c src/libhako/events.h

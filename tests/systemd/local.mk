# The systemd cgroup driver (cgroup-systemd*.c): names and properties
# checked directly; then hako --systemd-cgroup against systemd 252 booted
# as PID 1 of a throw-away testbed (tests/systemd/testbed.sh), with cgroup
# v1 controllers (hybrid: limits enforced) and plain cgroup2 (unified).
check_PROGRAMS += tests/unit/test-cgroup-systemd
tests_unit_test_cgroup_systemd_SOURCES = tests/unit/test-cgroup-systemd.c
tests_unit_test_cgroup_systemd_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/lib
tests_unit_test_cgroup_systemd_LDADD = $(LIBHAKO_LIBS)
TESTS += tests/unit/test-cgroup-systemd
TESTS += tests/systemd/host.bats tests/systemd/hybrid.bats tests/systemd/unified.bats
EXTRA_DIST += tests/systemd/host.bats tests/systemd/hybrid.bats tests/systemd/unified.bats \
	tests/systemd/helpers.bash tests/systemd/testbed.sh
# Whether the driver is built in (configure --disable-systemd leaves it out).
if HAVE_SYSTEMD
AM_TESTS_ENVIRONMENT += export HAKO_WITH_SYSTEMD=yes;
else
AM_TESTS_ENVIRONMENT += export HAKO_WITH_SYSTEMD=no;
endif

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
	SPEC_DIR="$${SPEC_DIR:-$$(cd '$(abs_top_srcdir)/..' && pwd)/shared/runtime-spec-v1.3.0}";
EXTRA_DIST += tests/lib/tap.h

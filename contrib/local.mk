# contrib
EXTRA_DIST += contrib/setup.sh contrib/fuzz.sh contrib/demo.sh contrib/test.sh

# Startup benchmark (contrib/bench/, not a test): `run` of /bin/true, hako vs
# crun vs runc, interleaved.  Needs root, crun and runc (setup.sh --vm).
BENCH_RUNS = 100
bench: hako$(EXEEXT)
	CC='$(CC)' $(BASH) $(abs_top_srcdir)/contrib/bench/run-bench.sh -n $(BENCH_RUNS) \
	  $(abs_top_builddir)/hako$(EXEEXT)
.PHONY: bench
EXTRA_DIST += contrib/bench/run-bench.sh contrib/bench/bare.c contrib/bench/measure.c \
	contrib/bench/README.md
# What the CVE-2019-5736 protection costs per start (docs/security.md).
EXTRA_DIST += contrib/bench/exe-protection.sh

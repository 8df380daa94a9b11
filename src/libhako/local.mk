# libhako: the runtime library (one concern per file).
noinst_LIBRARIES += src/libhako/libhako.a
src_libhako_libhako_a_CFLAGS = $(AM_CFLAGS) $(LIBCAP_CFLAGS) $(SECCOMP_CFLAGS) \
	$(SELINUX_CFLAGS) $(SYSTEMD_CFLAGS)
src_libhako_libhako_a_SOURCES = \
	src/libhako/version.c src/libhako/version.h \
	src/libhako/util.c src/libhako/util.h
LIBHAKO_LIBS = src/libhako/libhako.a $(LIBOCISPEC_LIBS) $(LIBCAP_LIBS) $(SECCOMP_LIBS) \
	$(SELINUX_LIBS) $(SYSTEMD_LIBS)

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

# libocispec: OCI types, parse/validate/serialize. yajl is linked here only.
noinst_LIBRARIES += libocispec/libocispec.a
libocispec_libocispec_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
libocispec_libocispec_a_SOURCES = \
	libocispec/error.c libocispec/error.h \
	libocispec/json.c libocispec/json.h libocispec/json-check.c libocispec/json-write.c \
	libocispec/schema.h libocispec/oci.h \
	libocispec/types.def libocispec/types-undef.h libocispec/types-nofields.h \
	libocispec/types.c \
	libocispec/patterns.c libocispec/patterns.h \
	libocispec/parse.c libocispec/emit.c libocispec/documents.c \
	libocispec/validate-linux.c libocispec/validate-linux.h \
	libocispec/validate-util.c libocispec/validate-util.h \
	libocispec/validate-linux-process.c libocispec/validate-linux-ns.c \
	libocispec/validate-linux-misc.c libocispec/validate-linux-resources.c \
	libocispec/validate-linux-seccomp.c
LIBOCISPEC_LIBS = libocispec/libocispec.a $(YAJL_LIBS)

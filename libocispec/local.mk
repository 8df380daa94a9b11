# libocispec: OCI types, parse/validate/serialize. yajl is linked here only.
noinst_LIBRARIES += libocispec/libocispec.a
libocispec_libocispec_a_CFLAGS = $(AM_CFLAGS) $(YAJL_CFLAGS)
libocispec_libocispec_a_SOURCES = \
	libocispec/error.c libocispec/error.h \
	libocispec/json.c libocispec/json.h \
	libocispec/schema.h libocispec/oci.h \
	libocispec/types.def libocispec/types-undef.h libocispec/types-nofields.h \
	libocispec/types.c \
	libocispec/patterns.c libocispec/patterns.h \
	libocispec/parse.c libocispec/emit.c libocispec/documents.c
LIBOCISPEC_LIBS = libocispec/libocispec.a $(YAJL_LIBS)

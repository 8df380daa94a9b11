# The hako CLI: argument parsing only, one file per command.
bin_PROGRAMS += hako
hako_SOURCES = src/hako.c
hako_LDADD = $(LIBHAKO_LIBS)

# The hako CLI: argument parsing only, one file per command.
bin_PROGRAMS += hako
hako_SOURCES = src/hako.c src/hako.h src/cli.c src/options.c src/options.h \
	src/cmd-create.c src/cmd-start.c src/cmd-state.c src/cmd-kill.c src/cmd-delete.c \
	src/cmd-run.c src/cmd-exec.c src/cmd-list.c src/cmd-ps.c src/cmd-pause.c \
	src/cmd-resume.c src/cmd-update.c src/cmd-events.c src/cmd-spec.c src/cmd-features.c \
	src/cmd-checkpoint.c src/cmd-restore.c
hako_LDADD = $(LIBHAKO_LIBS)

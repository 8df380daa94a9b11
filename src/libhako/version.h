#ifndef HAKO_VERSION_H
#define HAKO_VERSION_H

/* "+SYSTEMD +SELINUX +SECCOMP +CAP +YAJL": what this build was made with. */
const char *hako_build_features (void);
const char *hako_version (void);
const char *hako_commit (void);

#endif

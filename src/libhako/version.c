#include "config.h"

#include "version.h"
#include "src/libhako/commit.h"

const char *
hako_build_features (void)
{
  return
#ifdef HAVE_SYSTEMD
      "+SYSTEMD"
#else
      "-SYSTEMD"
#endif
#ifdef HAVE_SELINUX
      " +SELINUX"
#else
      " -SELINUX"
#endif
#ifdef HAVE_SECCOMP
      " +SECCOMP"
#else
      " -SECCOMP"
#endif
      " +APPARMOR +CAP +YAJL";
}

const char *
hako_version (void)
{
  return PACKAGE_VERSION;
}

const char *
hako_commit (void)
{
  return HAKO_COMMIT;
}

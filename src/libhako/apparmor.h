/* AppArmor: process.apparmorProfile (and exec --apparmor).  Stage 0 checks
 * that the host can enforce the profile; the container process asks the
 * kernel to switch to it at its execve. */
#ifndef HAKO_APPARMOR_H
#define HAKO_APPARMOR_H

#include "error.h"

/* Stage 0: can PROFILE be applied here?  "unconfined" always can; any
 * other name needs AppArmor enabled and the profile loaded (listed in
 * securityfs).  NULL or "" means no profile. */
int hako_apparmor_check (const char *profile, struct hako_error *err);

/* In the container process: confine the next execve by PROFILE ("exec
 * NAME" written to its LSM exec attribute through the current root's
 * /proc, checked by procfs.h).  NULL or "" does nothing. */
int hako_apparmor_apply_on_exec (const char *profile, struct hako_error *err);

#endif

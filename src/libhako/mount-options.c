#define _GNU_SOURCE
#include "mount-options.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum option_kind
{
  OPT_FLAG,        /* an MS_* flag: set, or cleared when `clear` */
  OPT_PROPAGATION, /* an MS_* propagation type (with MS_REC for the r* ones) */
  OPT_RECURSIVE,   /* a MOUNT_ATTR_* applied with mount_setattr(AT_RECURSIVE) */
  OPT_IDMAP,       /* idmap (value 0) or ridmap (value 1) */
  OPT_NOOP,        /* "defaults": mount(8)'s placeholder */
  OPT_COPYUP,      /* tmpcopyup (value 1) or notmpcopyup (value 0) */
};

struct mount_option
{
  const char *name;
  unsigned char kind;
  bool clear;
  uint64_t value;
};

/* The one table of options.  `hako features` lists exactly these names. */
static const struct mount_option options[] = {
  { "defaults", OPT_NOOP, false, 0 },
  { "ro", OPT_FLAG, false, MS_RDONLY },
  { "rw", OPT_FLAG, true, MS_RDONLY },
  { "nosuid", OPT_FLAG, false, MS_NOSUID },
  { "suid", OPT_FLAG, true, MS_NOSUID },
  { "nodev", OPT_FLAG, false, MS_NODEV },
  { "dev", OPT_FLAG, true, MS_NODEV },
  { "noexec", OPT_FLAG, false, MS_NOEXEC },
  { "exec", OPT_FLAG, true, MS_NOEXEC },
  { "sync", OPT_FLAG, false, MS_SYNCHRONOUS },
  { "async", OPT_FLAG, true, MS_SYNCHRONOUS },
  { "dirsync", OPT_FLAG, false, MS_DIRSYNC },
  { "remount", OPT_FLAG, false, MS_REMOUNT },
  { "mand", OPT_FLAG, false, MS_MANDLOCK },
  { "nomand", OPT_FLAG, true, MS_MANDLOCK },
  { "noatime", OPT_FLAG, false, MS_NOATIME },
  { "atime", OPT_FLAG, true, MS_NOATIME },
  { "nodiratime", OPT_FLAG, false, MS_NODIRATIME },
  { "diratime", OPT_FLAG, true, MS_NODIRATIME },
  { "relatime", OPT_FLAG, false, MS_RELATIME },
  { "norelatime", OPT_FLAG, true, MS_RELATIME },
  { "strictatime", OPT_FLAG, false, MS_STRICTATIME },
  { "nostrictatime", OPT_FLAG, true, MS_STRICTATIME },
  { "lazytime", OPT_FLAG, false, MS_LAZYTIME },
  { "nolazytime", OPT_FLAG, true, MS_LAZYTIME },
  { "silent", OPT_FLAG, false, MS_SILENT },
  { "loud", OPT_FLAG, true, MS_SILENT },
  { "iversion", OPT_FLAG, false, MS_I_VERSION },
  { "noiversion", OPT_FLAG, true, MS_I_VERSION },
  { "nosymfollow", OPT_FLAG, false, MS_NOSYMFOLLOW },
  { "symfollow", OPT_FLAG, true, MS_NOSYMFOLLOW },
  { "bind", OPT_FLAG, false, MS_BIND },
  { "rbind", OPT_FLAG, false, MS_BIND | MS_REC },
  { "private", OPT_PROPAGATION, false, MS_PRIVATE },
  { "rprivate", OPT_PROPAGATION, false, MS_PRIVATE | MS_REC },
  { "shared", OPT_PROPAGATION, false, MS_SHARED },
  { "rshared", OPT_PROPAGATION, false, MS_SHARED | MS_REC },
  { "slave", OPT_PROPAGATION, false, MS_SLAVE },
  { "rslave", OPT_PROPAGATION, false, MS_SLAVE | MS_REC },
  { "unbindable", OPT_PROPAGATION, false, MS_UNBINDABLE },
  { "runbindable", OPT_PROPAGATION, false, MS_UNBINDABLE | MS_REC },
  { "rro", OPT_RECURSIVE, false, MOUNT_ATTR_RDONLY },
  { "rrw", OPT_RECURSIVE, true, MOUNT_ATTR_RDONLY },
  { "rnosuid", OPT_RECURSIVE, false, MOUNT_ATTR_NOSUID },
  { "rsuid", OPT_RECURSIVE, true, MOUNT_ATTR_NOSUID },
  { "rnodev", OPT_RECURSIVE, false, MOUNT_ATTR_NODEV },
  { "rdev", OPT_RECURSIVE, true, MOUNT_ATTR_NODEV },
  { "rnoexec", OPT_RECURSIVE, false, MOUNT_ATTR_NOEXEC },
  { "rexec", OPT_RECURSIVE, true, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", OPT_RECURSIVE, false, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", OPT_RECURSIVE, true, MOUNT_ATTR_NODIRATIME },
  { "rrelatime", OPT_RECURSIVE, false, MOUNT_ATTR_RELATIME },
  { "rnorelatime", OPT_RECURSIVE, true, MOUNT_ATTR_RELATIME },
  { "rnoatime", OPT_RECURSIVE, false, MOUNT_ATTR_NOATIME },
  { "ratime", OPT_RECURSIVE, true, MOUNT_ATTR_NOATIME },
  { "rstrictatime", OPT_RECURSIVE, false, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", OPT_RECURSIVE, true, MOUNT_ATTR_STRICTATIME },
  { "rnosymfollow", OPT_RECURSIVE, false, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", OPT_RECURSIVE, true, MOUNT_ATTR_NOSYMFOLLOW },
  { "idmap", OPT_IDMAP, false, 0 },
  { "ridmap", OPT_IDMAP, false, 1 },
  { "tmpcopyup", OPT_COPYUP, false, 1 },
  { "notmpcopyup", OPT_COPYUP, false, 0 },
};

#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

static const struct mount_option *
find_option (const char *name)
{
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (options); i++)
    if (strcmp (options[i].name, name) == 0)
      return &options[i];
  return NULL;
}

static void
apply_flag (struct hako_mount_opts *o, const struct mount_option *opt)
{
  unsigned long v = opt->value;

  if (opt->clear)
    {
      o->flags &= ~v;
      o->clear |= v;
    }
  else
    {
      /* The atime modes exclude each other: the last one given wins. */
      if (v & ATIME_FLAGS)
        {
          o->flags &= ~ATIME_FLAGS;
          o->clear &= ~ATIME_FLAGS;
        }
      o->flags |= v;
      o->clear &= ~v;
    }
  if (v == MS_I_VERSION)
    o->legacy_only = true;
}

static void
apply_recursive (struct hako_mount_opts *o, const struct mount_option *opt)
{
  uint64_t v = opt->value;

  /* The atime values form an enum under MOUNT_ATTR__ATIME (relatime is 0):
   * mount_setattr wants the whole field cleared and one value set. */
  if (v == MOUNT_ATTR_RELATIME || (v & MOUNT_ATTR__ATIME) == v)
    {
      o->rec_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
      o->rec_clr |= MOUNT_ATTR__ATIME;
      /* "rnorelatime" means every access updates the atime, as
       * "norelatime" does; clearing another mode falls back to relatime,
       * the kernel default (MOUNT_ATTR_RELATIME is 0). */
      if (!opt->clear)
        o->rec_set |= v;
      else if (v == MOUNT_ATTR_RELATIME)
        o->rec_set |= MOUNT_ATTR_STRICTATIME;
      return;
    }
  if (opt->clear)
    {
      o->rec_clr |= v;
      o->rec_set &= ~v;
    }
  else
    {
      o->rec_set |= v;
      o->rec_clr &= ~v;
    }
}

static void
append_data (char **data, const char *item)
{
  char *joined = *data ? hako_strdup_printf ("%s,%s", *data, item) : hako_xstrdup (item);

  free (*data);
  *data = joined;
}

void
hako_mount_opts_parse (char *const *opts, size_t n, struct hako_mount_opts *o)
{
  memset (o, 0, sizeof *o);
  o->propagation = hako_xmalloc0 ((n ? n : 1) * sizeof *o->propagation);
  for (size_t i = 0; i < n; i++)
    {
      const struct mount_option *opt = find_option (opts[i]);

      if (opt == NULL)
        {
          append_data (&o->data, opts[i]);
          continue;
        }
      switch (opt->kind)
        {
        case OPT_FLAG: apply_flag (o, opt); break;
        case OPT_PROPAGATION: o->propagation[o->n_propagation++] = opt->value; break;
        case OPT_RECURSIVE: apply_recursive (o, opt); break;
        case OPT_IDMAP:
          o->idmap = true;
          o->idmap_recursive = opt->value != 0;
          break;
        case OPT_COPYUP: o->tmpcopyup = opt->value != 0; break;
        case OPT_NOOP: break;
        }
    }
}

void
hako_mount_opts_free (struct hako_mount_opts *o)
{
  free (o->propagation);
  free (o->data);
  o->propagation = NULL;
  o->data = NULL;
}

/* The atime mode the options ask for, as a MOUNT_ATTR_* value, or -1 when
 * they say nothing about it.  "norelatime" means every access updates the
 * atime (strictatime); "atime" and "nostrictatime" fall back to relatime. */
static int64_t
atime_mode (const struct hako_mount_opts *o)
{
  if (o->flags & MS_NOATIME)
    return MOUNT_ATTR_NOATIME;
  if (o->flags & MS_STRICTATIME)
    return MOUNT_ATTR_STRICTATIME;
  if (o->flags & MS_RELATIME)
    return MOUNT_ATTR_RELATIME;
  if (o->clear & MS_RELATIME)
    return MOUNT_ATTR_STRICTATIME;
  if (o->clear & (MS_NOATIME | MS_STRICTATIME))
    return MOUNT_ATTR_RELATIME;
  return -1;
}

bool
hako_mount_opts_attr (const struct hako_mount_opts *o, struct mount_attr *attr)
{
  static const struct
  {
    unsigned long ms;
    uint64_t attr;
  } map[] = {
    { MS_RDONLY, MOUNT_ATTR_RDONLY },         { MS_NOSUID, MOUNT_ATTR_NOSUID },
    { MS_NODEV, MOUNT_ATTR_NODEV },           { MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
  };
  int64_t atime = atime_mode (o);

  memset (attr, 0, sizeof *attr);
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (map); i++)
    {
      if (o->flags & map[i].ms)
        attr->attr_set |= map[i].attr;
      else if (o->clear & map[i].ms)
        attr->attr_clr |= map[i].attr;
    }
  if (atime >= 0)
    {
      attr->attr_clr |= MOUNT_ATTR__ATIME;
      attr->attr_set |= (uint64_t)atime;
    }
  return attr->attr_set != 0 || attr->attr_clr != 0;
}

void
hako_mount_opts_sb_flags (const struct hako_mount_opts *o, const char **names)
{
  size_t n = 0;

  if (o->flags & MS_SYNCHRONOUS)
    names[n++] = "sync";
  if (o->flags & MS_DIRSYNC)
    names[n++] = "dirsync";
  if (o->flags & MS_LAZYTIME)
    names[n++] = "lazytime";
  if (o->flags & MS_MANDLOCK)
    names[n++] = "mand";
  names[n] = NULL;
}

const char *const *
hako_mount_option_names (void)
{
  static const char *names[HAKO_ARRAY_SIZE (options) + 1];

  if (names[0] == NULL)
    for (size_t i = 0; i < HAKO_ARRAY_SIZE (options); i++)
      names[i] = options[i].name;
  return names;
}

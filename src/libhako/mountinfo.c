#define _GNU_SOURCE
#include "mountinfo.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Decode the kernel's octal escapes (\040 for a space) in place. */
static void
unescape (char *s)
{
  char *out = s;

  for (; *s; s++)
    {
      if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
          && s[3] <= '7')
        {
          *out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
          s += 3;
        }
      else
        *out++ = *s;
    }
  *out = '\0';
}

/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
static int
parse_line (char *line, struct hako_mountinfo_entry *e)
{
  char *field[6], *save = NULL, *p;
  size_t n = 0;

  for (p = strtok_r (line, " ", &save); p && n < 6; p = strtok_r (NULL, " ", &save))
    field[n++] = p;
  if (n < 6)
    return -1;
  /* Optional fields up to the "-" separator. */
  while (p && strcmp (p, "-") != 0)
    p = strtok_r (NULL, " ", &save);
  if (p == NULL)
    return -1;
  e->root = field[3];
  e->mountpoint = field[4];
  e->fstype = strtok_r (NULL, " ", &save);
  e->source = strtok_r (NULL, " ", &save);
  e->super_opts = strtok_r (NULL, " ", &save);
  if (e->fstype == NULL || e->source == NULL)
    return -1;
  if (e->super_opts == NULL)
    e->super_opts = "";
  unescape (field[3]);
  unescape (field[4]);
  unescape ((char *)e->source);
  return 0;
}

int
hako_mountinfo_read (struct hako_mountinfo *mi, struct hako_error *err)
{
  char *save = NULL;
  size_t lines = 1;

  memset (mi, 0, sizeof *mi);
  if (hako_read_file_at (AT_FDCWD, "/proc/self/mountinfo", &mi->text, NULL, err) < 0)
    return -1;
  for (const char *c = mi->text; *c; c++)
    lines += *c == '\n';
  mi->entries = hako_xmalloc0 (lines * sizeof *mi->entries);
  for (char *l = strtok_r (mi->text, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    if (parse_line (l, &mi->entries[mi->n]) == 0)
      mi->n++;
  return 0;
}

void
hako_mountinfo_free (struct hako_mountinfo *mi)
{
  free (mi->entries);
  free (mi->text);
  memset (mi, 0, sizeof *mi);
}

/* The cgroup statistics files, parsed from their text.  Pure functions, so
 * the unit tests can feed them sample contents of every kernel format. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-stats.h"
#include "util.h"

/* A decimal number of LEN bytes at S.  As runc reads cgroup files: a
 * negative value (the memory controller has reported some) is 0. */
static int
parse_num (const char *s, size_t len, uint64_t *out)
{
  bool neg = len > 0 && s[0] == '-';
  uint64_t v = 0;
  size_t i = neg ? 1 : 0;

  if (i == len)
    return -1;
  for (; i < len; i++)
    {
      unsigned d = (unsigned char)s[i] - '0';
      if (d > 9)
        return -1;
      if (!neg && v > (UINT64_MAX - d) / 10)
        return -1;
      v = neg ? 0 : v * 10 + d;
    }
  *out = v;
  return 0;
}

/* The next line of *P (without its '\n'), or NULL at the end. */
static const char *
next_line (const char **p, size_t *len)
{
  const char *line = *p;

  if (*line == '\0')
    return NULL;
  *len = strcspn (line, "\n");
  *p = line + *len + (line[*len] == '\n');
  return line;
}

/* The next field of LINE separated by any of SEP: *LEN bytes at the
 * return value; NULL when none is left before END. */
static const char *
next_field (const char **p, const char *end, const char *sep, size_t *len)
{
  const char *s = *p;

  while (s < end && strchr (sep, *s))
    s++;
  if (s >= end)
    return NULL;
  *len = 0;
  while (s + *len < end && !strchr (sep, s[*len]))
    (*len)++;
  *p = s + *len;
  return s;
}

static void
u64s_push (struct hako_stats_u64s *l, uint64_t v)
{
  uint64_t *p = realloc (l->v, (l->n + 1) * sizeof *p);

  if (p == NULL)
    abort ();
  p[l->n++] = v;
  l->v = p;
}

static int
bad_line (struct hako_error *err, const char *line, size_t len, const char *want)
{
  return hako_error_set (err, EINVAL, "malformed line \"%.*s\" (expected %s)", (int)len, line,
                         want);
}

int
hako_stats_parse_u64 (const char *text, uint64_t *out, struct hako_error *err)
{
  size_t len = strcspn (text, "\n");

  if (len == 3 && strncmp (text, "max", 3) == 0)
    return *out = UINT64_MAX, 0;
  if (parse_num (text, len, out) < 0)
    return hako_error_set (err, EINVAL, "not a number: \"%.*s\"", (int)len, text);
  return 0;
}

void
hako_stats_kv_free (struct hako_stats_kv *kv, size_t n)
{
  for (size_t i = 0; kv && i < n; i++)
    free (kv[i].key);
  free (kv);
}

int
hako_stats_parse_kv (const char *text, struct hako_stats_kv **out, size_t *n,
                     struct hako_error *err)
{
  const char *p = text, *line;
  size_t len;

  *out = NULL;
  *n = 0;
  while ((line = next_line (&p, &len)) != NULL)
    {
      const char *sp = memchr (line, ' ', len);
      struct hako_stats_kv *kv;
      uint64_t v;
      if (len == 0)
        continue;
      if (sp == NULL || sp == line || parse_num (sp + 1, len - (size_t)(sp + 1 - line), &v) < 0)
        {
          hako_stats_kv_free (*out, *n);
          *out = NULL;
          *n = 0;
          return bad_line (err, line, len, "\"key value\"");
        }
      kv = realloc (*out, (*n + 1) * sizeof *kv);
      if (kv == NULL)
        abort ();
      kv[*n].key = strndup (line, (size_t)(sp - line));
      kv[(*n)++].value = v;
      *out = kv;
    }
  return 0;
}

uint64_t
hako_stats_kv_get (const struct hako_stats_kv *kv, size_t n, const char *key)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (kv[i].key, key) == 0)
      return kv[i].value;
  return 0;
}

int
hako_stats_parse_u64s (const char *text, struct hako_stats_u64s *out, struct hako_error *err)
{
  const char *p = text, *end = text + strlen (text), *f;
  size_t len;

  while ((f = next_field (&p, end, " \t\n", &len)) != NULL)
    {
      uint64_t v;
      if (parse_num (f, len, &v) < 0)
        return hako_error_set (err, EINVAL, "not a number: \"%.*s\"", (int)len, f);
      u64s_push (out, v);
    }
  return 0;
}

int
hako_stats_parse_usage_all (const char *text, struct hako_stats_u64s *kernel,
                            struct hako_stats_u64s *user, struct hako_error *err)
{
  const char *p = text, *line = NULL;
  size_t len = 0;

  line = next_line (&p, &len);
  if (line == NULL || len < 15 || strncmp (line, "cpu user system", 15) != 0)
    return bad_line (err, line ? line : "", line ? len : 0, "header \"cpu user system\"");
  while ((line = next_line (&p, &len)) != NULL)
    {
      const char *q = line, *f[3];
      size_t flen[3];
      uint64_t u, k;
      int i;
      for (i = 0; i < 3 && (f[i] = next_field (&q, line + len, " ", &flen[i])); i++)
        ;
      if (i < 3)
        continue; /* as runc: lines without three columns are skipped */
      if (parse_num (f[1], flen[1], &u) < 0 || parse_num (f[2], flen[2], &k) < 0)
        return bad_line (err, line, len, "\"cpu user system\"");
      u64s_push (user, u);
      u64s_push (kernel, k);
    }
  return 0;
}

int
hako_stats_parse_cpuacct_stat (const char *text, long ticks_per_sec, uint64_t *user,
                               uint64_t *kernel, struct hako_error *err)
{
  struct hako_stats_kv *kv = NULL;
  size_t n = 0;
  int r = 0;

  if (hako_stats_parse_kv (text, &kv, &n, err) < 0)
    return -1;
  if (ticks_per_sec <= 0)
    ticks_per_sec = 100;
  if (n < 2 || strcmp (kv[0].key, "user") != 0 || strcmp (kv[1].key, "system") != 0)
    r = hako_error_set (err, EINVAL, "expected \"user N\" and \"system N\"");
  else
    {
      *user = kv[0].value * 1000000000ULL / (uint64_t)ticks_per_sec;
      *kernel = kv[1].value * 1000000000ULL / (uint64_t)ticks_per_sec;
    }
  hako_stats_kv_free (kv, n);
  return r;
}

/* One item of a list: "N" or "A-B". */
static int
parse_range (const char *s, size_t len, struct hako_stats_u64s *out)
{
  const char *dash = memchr (s, '-', len);
  uint64_t a, b;

  if (dash == NULL)
    {
      if (parse_num (s, len, &a) < 0 || a > UINT16_MAX)
        return -1;
      u64s_push (out, a);
      return 0;
    }
  if (dash == s || parse_num (s, (size_t)(dash - s), &a) < 0
      || parse_num (dash + 1, len - (size_t)(dash + 1 - s), &b) < 0 || a > b || b > UINT16_MAX)
    return -1;
  for (uint64_t i = a; i <= b; i++)
    u64s_push (out, i);
  return 0;
}

int
hako_stats_parse_id_list (const char *text, struct hako_stats_u64s *out, struct hako_error *err)
{
  size_t total = strcspn (text, "\n");
  const char *p = text, *end = text + total, *f;
  size_t len;

  if (total == 0)
    return hako_error_set (err, EINVAL, "empty list");
  while ((f = next_field (&p, end, ",", &len)) != NULL)
    if (parse_range (f, len, out) < 0)
      return hako_error_set (err, EINVAL, "malformed list \"%.*s\"", (int)total, text);
  return 0;
}

void
hako_stats_blkio_list_free (struct hako_stats_blkio_list *l)
{
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

static void
blkio_push (struct hako_stats_blkio_list *l, uint64_t major, uint64_t minor, const char *op,
            size_t oplen, uint64_t value)
{
  struct hako_stats_blkio_entry *v = realloc (l->v, (l->n + 1) * sizeof *v);

  if (v == NULL)
    abort ();
  v[l->n] = (struct hako_stats_blkio_entry){ .major = major, .minor = minor, .value = value };
  if (oplen >= sizeof v[l->n].op)
    oplen = sizeof v[l->n].op - 1;
  memcpy (v[l->n].op, op, oplen);
  l->v = v;
  l->n++;
}

int
hako_stats_parse_blkio (const char *text, struct hako_stats_blkio_list *out, struct hako_error *err)
{
  const char *p = text, *line;
  size_t len;

  while ((line = next_line (&p, &len)) != NULL)
    {
      const char *q = line, *f[4];
      size_t flen[4], nf = 0;
      uint64_t major, minor, value;
      while (nf < 4 && (f[nf] = next_field (&q, line + len, " :", &flen[nf])))
        nf++;
      if (nf == 0 || (nf == 2 && flen[0] == 5 && strncmp (f[0], "Total", 5) == 0))
        continue;
      if (nf < 3 || parse_num (f[0], flen[0], &major) < 0 || parse_num (f[1], flen[1], &minor) < 0
          || parse_num (f[nf - 1], flen[nf - 1], &value) < 0)
        return bad_line (err, line, len, "\"MAJ:MIN [OP] VALUE\"");
      blkio_push (out, major, minor, nf == 4 ? f[2] : "", nf == 4 ? flen[2] : 0, value);
    }
  return 0;
}

/* One "key=value" of an io.stat line into the v1-style tables. */
static int
io_stat_item (const char *f, size_t len, uint64_t major, uint64_t minor,
              struct hako_stats_blkio_list *bytes, struct hako_stats_blkio_list *serviced)
{
  static const struct
  {
    const char *key;
    const char *op;
    bool bytes;
  } map[] = {
    { "rbytes", "Read", true },
    { "wbytes", "Write", true },
    { "rios", "Read", false },
    { "wios", "Write", false },
  };
  const char *eq = memchr (f, '=', len);
  uint64_t v;

  if (eq == NULL)
    return 0;
  for (size_t i = 0; i < HAKO_ARRAY_SIZE (map); i++)
    if (strlen (map[i].key) == (size_t)(eq - f) && strncmp (f, map[i].key, (size_t)(eq - f)) == 0)
      {
        if (parse_num (eq + 1, len - (size_t)(eq + 1 - f), &v) < 0)
          return -1;
        blkio_push (map[i].bytes ? bytes : serviced, major, minor, map[i].op, strlen (map[i].op),
                    v);
      }
  return 0; /* dbytes, dios, cost.*: not in runc's tables */
}

int
hako_stats_parse_io_stat (const char *text, struct hako_stats_blkio_list *bytes,
                          struct hako_stats_blkio_list *serviced, struct hako_error *err)
{
  const char *p = text, *line;
  size_t len;

  while ((line = next_line (&p, &len)) != NULL)
    {
      const char *q = line, *dev, *colon, *f;
      size_t dlen, flen;
      uint64_t major, minor;
      if ((dev = next_field (&q, line + len, " ", &dlen)) == NULL)
        continue;
      colon = memchr (dev, ':', dlen);
      if (colon == NULL || parse_num (dev, (size_t)(colon - dev), &major) < 0
          || parse_num (colon + 1, dlen - (size_t)(colon + 1 - dev), &minor) < 0)
        return bad_line (err, line, len, "\"MAJ:MIN key=value...\"");
      while ((f = next_field (&q, line + len, " ", &flen)) != NULL)
        if (io_stat_item (f, flen, major, minor, bytes, serviced) < 0)
          return bad_line (err, line, len, "\"MAJ:MIN key=value...\"");
    }
  return 0;
}

/* "avg10=0.00 avg60=1.50 avg300=0.00 total=1234" */
static int
psi_line (const char *s, const char *end, struct hako_stats_psi_data *d)
{
  const char *f;
  size_t len;

  while ((f = next_field (&s, end, " ", &len)) != NULL)
    {
      cleanup_free char *v = NULL;
      const char *eq = memchr (f, '=', len);
      char *stop;
      double x;
      if (eq == NULL)
        return -1;
      v = strndup (eq + 1, len - (size_t)(eq + 1 - f));
      if ((size_t)(eq - f) == 5 && strncmp (f, "total", 5) == 0)
        {
          if (parse_num (v, strlen (v), &d->total) < 0)
            return -1;
          continue;
        }
      errno = 0;
      x = strtod (v, &stop);
      if (errno || *stop || stop == v)
        return -1;
      if ((size_t)(eq - f) == 5 && strncmp (f, "avg10", 5) == 0)
        d->avg10 = x;
      else if ((size_t)(eq - f) == 5 && strncmp (f, "avg60", 5) == 0)
        d->avg60 = x;
      else if ((size_t)(eq - f) == 6 && strncmp (f, "avg300", 6) == 0)
        d->avg300 = x;
    }
  return 0;
}

int
hako_stats_parse_psi (const char *text, struct hako_stats_psi *out, struct hako_error *err)
{
  const char *p = text, *line;
  size_t len;

  while ((line = next_line (&p, &len)) != NULL)
    {
      struct hako_stats_psi_data *d = NULL;
      if (len >= 5 && strncmp (line, "some ", 5) == 0)
        d = &out->some, out->has_some = true;
      else if (len >= 5 && strncmp (line, "full ", 5) == 0)
        d = &out->full, out->has_full = true;
      if (d && psi_line (line + 5, line + len, d) < 0)
        return bad_line (err, line, len, "\"some|full avg10=N avg60=N avg300=N total=N\"");
    }
  out->present = true;
  return 0;
}

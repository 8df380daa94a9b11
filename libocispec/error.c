#define _GNU_SOURCE
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
fallback_message (void)
{
  /* If even the message cannot be allocated, report that. */
  return strdup ("out of memory");
}

int
hako_error_vset (struct hako_error *e, int errnum, const char *fmt, va_list ap)
{
  char *msg = NULL;

  if (e == NULL)
    return -1;
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = fallback_message ();
  free (e->msg);
  e->msg = msg;
  e->errnum = errnum;
  return -1;
}

int
hako_error_set (struct hako_error *e, int errnum, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  hako_error_vset (e, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
hako_error_sys (struct hako_error *e, int errnum, const char *fmt, ...)
{
  va_list ap;
  char *head = NULL;

  va_start (ap, fmt);
  if (vasprintf (&head, fmt, ap) < 0)
    head = NULL;
  va_end (ap);
  hako_error_set (e, errnum, "%s: %s", head ? head : "?", strerror (errnum));
  free (head);
  return -1;
}

int
hako_error_wrap (struct hako_error *e, const char *fmt, ...)
{
  va_list ap;
  char *head = NULL, *msg = NULL;

  if (e == NULL)
    return -1;
  va_start (ap, fmt);
  if (vasprintf (&head, fmt, ap) < 0)
    head = NULL;
  va_end (ap);
  if (head && asprintf (&msg, "%s: %s", head, e->msg ? e->msg : "unknown error") >= 0)
    {
      free (e->msg);
      e->msg = msg;
    }
  free (head);
  return -1;
}

void
hako_error_clear (struct hako_error *e)
{
  if (e == NULL)
    return;
  free (e->msg);
  e->msg = NULL;
  e->errnum = 0;
}

void
hako_error_move (struct hako_error *to, struct hako_error *from)
{
  free (to->msg);
  *to = *from;
  from->msg = NULL;
  from->errnum = 0;
}

/* hako's one error convention: a function that fails returns < 0 and fills a
 * struct hako_error; callers add context with hako_error_wrap() and one place
 * prints it.  It lives at the bottom layer so libocispec and libhako share it. */
#ifndef HAKO_ERROR_H
#define HAKO_ERROR_H

#include <stdarg.h>

struct hako_error
{
  int errnum; /* errno value, or 0 when the failure has no errno */
  char *msg;  /* heap string; NULL while no error is set */
};

/* Set the error (replacing any previous one) and return -1. */
int hako_error_set (struct hako_error *e, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
/* Like hako_error_set, with ": strerror(errnum)" appended. */
int hako_error_sys (struct hako_error *e, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int hako_error_vset (struct hako_error *e, int errnum, const char *fmt, va_list ap)
    __attribute__ ((format (printf, 3, 0)));
/* Prefix the current message with "context: " and return -1. */
int hako_error_wrap (struct hako_error *e, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
void hako_error_clear (struct hako_error *e);
/* Move the error out of *from into *to. */
void hako_error_move (struct hako_error *to, struct hako_error *from);

#define HAKO_ERROR_INIT                                                                            \
  {                                                                                                \
    0, NULL                                                                                        \
  }
#define cleanup_error __attribute__ ((cleanup (hako_error_clear)))

#endif

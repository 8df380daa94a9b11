/* hako's log: one record per line, text (logfmt, as runc's logrus writes it)
 * or JSON (what containerd's shim parses from --log FILE), to a file opened
 * for append or to stderr.  Each record is written with a single write(2),
 * so records from several processes sharing the file never interleave. */
#ifndef HAKO_LOG_H
#define HAKO_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <time.h>

#include "error.h"

enum hako_log_format
{
  HAKO_LOG_FORMAT_TEXT,
  HAKO_LOG_FORMAT_JSON,
};

/* Ordered by verbosity: a record is written when its level <= the threshold. */
enum hako_log_level
{
  HAKO_LOG_ERROR,
  HAKO_LOG_WARN,
  HAKO_LOG_INFO,
  HAKO_LOG_DEBUG,
};

/* "text" or "json"; < 0 with `invalid log-format: NAME` otherwise. */
int hako_log_format_parse (const char *name, enum hako_log_format *out, struct hako_error *err);

/* Direct the log to PATH (created 0644 and appended to; NULL means stderr).
 * DEBUG lowers the threshold from info to debug.  May be called again. */
int hako_log_init (const char *path, enum hako_log_format format, bool debug,
                   struct hako_error *err);
/* True when records land on this process's stderr (no --log, or a --log
 * naming the same file as fd 2). */
bool hako_log_to_stderr (void);
enum hako_log_format hako_log_get_format (void);
/* The fd records go to (2 when logging to stderr): children may inherit a dup. */
int hako_log_fd (void);
bool hako_log_enabled (enum hako_log_level level);

void hako_log (enum hako_log_level level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
void hako_vlog (enum hako_log_level level, const char *fmt, va_list ap)
    __attribute__ ((format (printf, 2, 0)));

#define hako_log_error(...) hako_log (HAKO_LOG_ERROR, __VA_ARGS__)
#define hako_log_warn(...) hako_log (HAKO_LOG_WARN, __VA_ARGS__)
#define hako_log_info(...) hako_log (HAKO_LOG_INFO, __VA_ARGS__)
#define hako_log_debug(...) hako_log (HAKO_LOG_DEBUG, __VA_ARGS__)

/* One record as text, ending in '\n' (malloc'ed; NULL on out of memory).
 * Exposed so tests can check the format without touching files. */
char *hako_log_format_record (enum hako_log_format format, enum hako_log_level level, time_t when,
                              const char *msg);

#endif

/* pt-log.c: structured log lines (pt-log.h).  One call per line worth naming a subject:
 * camera state changes, signed events, sync errors; nothing on a per-frame path. */
#include "pt-log.h"

void
pt_log(GLogLevelFlags level, PtLogSubject subject, const char *format, ...)
{
  va_list ap;
  va_start(ap, format);
  g_autofree char *message = g_strdup_vprintf(format, ap);
  va_end(ap);
  /* syslog(3) priorities as GLib gives them to its own structured lines. */
  const char *priority = (level & G_LOG_LEVEL_ERROR)                              ? "3"
                         : (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) ? "4"
                         : (level & G_LOG_LEVEL_MESSAGE)                          ? "5"
                         : (level & G_LOG_LEVEL_INFO)                             ? "6"
                                                                                  : "7";
  GLogField fields[5];
  gsize n = 0;
  fields[n++] = (GLogField){"MESSAGE", message, -1};
  fields[n++] = (GLogField){"PRIORITY", priority, -1};
  if (subject.camera)
    fields[n++] = (GLogField){"PACKTRACE_CAMERA", subject.camera, -1};
  if (subject.batch)
    fields[n++] = (GLogField){"PACKTRACE_BATCH", subject.batch, -1};
  if (subject.event)
    fields[n++] = (GLogField){"PACKTRACE_EVENT", subject.event, -1};
  g_log_structured_array(level, fields, n);
}

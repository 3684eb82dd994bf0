/* pt-log.h: log lines that name what they are about.  Under systemd the journal receives the
 * subject as its own fields, so a technician asks `journalctl -u packtrace
 * PACKTRACE_CAMERA=dock` or `PACKTRACE_BATCH=LOT-7` instead of grepping text; anywhere else
 * (a terminal, a pipe) the line reads exactly as g_message() would print it.
 *
 * Fields: PACKTRACE_CAMERA (a camera's name from station.ini), PACKTRACE_BATCH (a batch's
 * lot), PACKTRACE_EVENT (a signed event's eventID).  GLib's journal writer sends them with
 * MESSAGE and PRIORITY when stderr is the journal (g_log_writer_is_journald()). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a line is about; every member is nullable and borrowed for the call. */
typedef struct {
  const char *camera;
  const char *batch;
  const char *event;
} PtLogSubject;

/* Logs the printf-style message at @level (G_LOG_LEVEL_MESSAGE, _WARNING, _INFO, _DEBUG), in
 * the default domain as g_message() does, with @subject's fields. */
void pt_log(GLogLevelFlags level, PtLogSubject subject, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

#define pt_log_camera(level, camera_name, ...)                                                     \
  pt_log((level), (PtLogSubject){.camera = (camera_name)}, __VA_ARGS__)
#define pt_log_batch(level, lot, event_id, ...)                                                    \
  pt_log((level), (PtLogSubject){.batch = (lot), .event = (event_id)}, __VA_ARGS__)

G_END_DECLS

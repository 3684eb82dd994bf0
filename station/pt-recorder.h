/* pt-recorder.h: the cameras of a running station.  Owns one PtCamera per configured camera
 * (or the three demo cameras), writes what they report into the store (segments, gaps),
 * recovers segments a crash left open, keeps the recordings within their retention policy,
 * restarts a camera that a full disk stopped once space returns, and feeds the frame tap of
 * grading cameras to the grader (pt-grading-tap.h) at [grading] fps.
 *
 * Lifecycle (main thread, the GMainContext that runs the station's loop):
 *   pt_recorder_new() -> pt_recorder_start() -> [main loop runs] -> pt_recorder_stop() ->
 *   pt_recorder_free().
 * pt_recorder_start() returns at once: recovery and demo footage run on a worker thread and
 * the cameras start on the main loop when it is done.  pt_recorder_status() may be called
 * from any thread (the HTTP workers). */
#pragma once

#include "pt-pipeline.h"
#include "pt-station.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct _PtRecorder PtRecorder;

/* Reads the cameras and [recording] of station.ini (GStreamer must be initialised unless
 * @disabled_reason is given).  With @disabled_reason (e.g. missing GStreamer elements) the
 * recorder records nothing and reports the reason as an alert.  @station is borrowed and
 * must outlive the recorder.  Returns: (transfer full). */
PtRecorder *pt_recorder_new(PtStation *station, const char *disabled_reason, GError **error);
void pt_recorder_start(PtRecorder *recorder);
/* Stops the cameras (open segments are closed and hashed), then waits for the worker and
 * any recovery probe. */
void pt_recorder_stop(PtRecorder *recorder);
void pt_recorder_free(PtRecorder *recorder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtRecorder, pt_recorder_free)

/* Returns: (transfer full): {"cameras": [{name, role, source, state, restarts,
 * since (when the state last changed), current_segment, current_start, last_error, alert; loading
 * cameras also dock and the QR counters qr_read, qr_loaded, qr_foreign, qr_malformed, qr_refused}],
 * "alerts": [text], "grading" (only while a grading camera is fed): pt_grading_tap_status()}. */
json_t *pt_recorder_status(PtRecorder *recorder);

/* The camera's live thumbnail (pt-thumbs.h): JPEG, transfer full.  PT_ERROR_NOT_FOUND for
 * an unknown camera, PT_ERROR_BUSY (503) while it has no frame yet (the first request
 * opens its tap).  @utc_ns: (out) (optional) capture time, or -1.  Any thread. */
GBytes *pt_recorder_thumbnail(PtRecorder *recorder, const char *camera, gint64 *utc_ns,
                              GError **error);

/* The live view of @camera (pt-camera.h, PtCamera's live view): with @touch, someone
 * watches now, so its branch runs (or starts).  @dir: (out) (transfer full) the folder of its
 * playlist and segments; @role: (out) (optional) the camera's role, for the access check.
 * PT_ERROR_NOT_FOUND for an unknown camera, PT_ERROR_BUSY (503) with the reason when the
 * camera is not recording (stopped, failed, reconnecting).  Any thread. */
gboolean pt_recorder_live(PtRecorder *recorder, const char *camera, gboolean touch, char **dir,
                          PtCameraRole *role, GError **error);

/* Probes a segment left open (crash, or a muxer that could not finalize it), repairs it and
 * records it as recovered, or as lost with the reason.  @why prefixes the reason. */
gboolean pt_recorder_recover_segment(PtStore *store, const char *camera, const char *path,
                                     gint64 start_ns, const char *why, GError **error);

G_END_DECLS

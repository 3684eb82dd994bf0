/* pt-grading-tap.h: hands the grading camera's tap frames to the grader without ever making
 * the camera's streaming thread wait for SQLite or the grader.
 *
 *   streaming thread: pt_grading_tap_push(tap, frame)  -> queue of PT_GRADE_TAP_QUEUE frames,
 *                                                         the oldest dropped (and counted)
 *   worker thread:    pt_grading_feed_frame() for each queued frame (grades into the open
 *                     grading, writes fruit rows)
 *
 * Lifecycle (main thread): pt_grading_tap_new() -> cameras run -> cameras stopped ->
 * pt_grading_tap_stop() (grades what is queued, records the fruit still in view, joins the
 * worker) -> pt_grading_tap_free(). */
#pragma once

#include "pt-grading.h"

#include <jansson.h>

G_BEGIN_DECLS

typedef struct _PtGradingTap PtGradingTap;

/* @station: (transfer none): must outlive the tap.  @fps is only reported.  Starts the worker.
 * Returns: (transfer full). */
PtGradingTap *pt_grading_tap_new(PtStation *station, double fps);
/* Any thread, returns at once.  @frame: (transfer none): referenced while queued. */
void pt_grading_tap_push(PtGradingTap *tap, PtTapFrame *frame);
/* Grades the queued frames, flushes the feed and joins the worker; later pushes are dropped.
 * Idempotent. */
void pt_grading_tap_stop(PtGradingTap *tap);
/* Returns: (transfer full): {fps, frames_received, frames_graded, frames_dropped,
 * fruit_recorded, last_error}.  Any thread. */
json_t *pt_grading_tap_status(PtGradingTap *tap);
void pt_grading_tap_free(PtGradingTap *tap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtGradingTap, pt_grading_tap_free)

G_END_DECLS

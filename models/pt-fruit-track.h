/* pt-fruit-track.h: following fruit along the belt from frame to frame, so that each fruit is
 * counted once and its views are combined into one record.  Part of models/ (plain C, no
 * GStreamer) so that the packgrade element and the station's grading feed share it.
 *
 *   g_autoptr(PtFruitTracker) tracker = pt_fruit_tracker_new(profile, &options);
 *   g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(pt_tracked_fruit_free);
 *   for each frame:
 *     result = pt_fruit_tracker_grade(tracker, grader, &frame, NULL, 0, pts, ids, done, &error);
 *   pt_fruit_tracker_flush(tracker, done);   at the end of the stream
 *
 * Matching is nearest centroid to the predicted position (last position plus the fruit's own
 * belt speed), accepted only inside a gate of a fraction of the fruit's size, and, when the
 * belt direction is known, only for moves along it: two fruit in a row never swap.
 * Combining: the view with the largest defect area (the worst defect view) gives the defect
 * measures; diameter, length and area are the medians over the full views, the colour
 * fractions their means; class, rule and size code are then decided again from that record
 * (pt_grader_decide()).  Views cut by the frame edge are followed but never graded; a track
 * never seen in full is dropped, not reported: it cannot be graded, and a blob only ever seen
 * at the edge of the view is as likely belt dirt or a shadow as a fruit. */
#pragma once

#include "pt-grader.h"

G_BEGIN_DECLS

typedef enum {
  PT_BELT_ANY,   /* direction unknown: any move within the gate */
  PT_BELT_RIGHT, /* fruit move towards +x */
  PT_BELT_LEFT,
  PT_BELT_DOWN, /* towards +y */
  PT_BELT_UP,
} PtBeltDirection;

typedef struct {
  PtBeltDirection direction;
  guint max_missed;     /* graded frames a fruit may go unseen before its track ends */
  gboolean keep_stills; /* keep an annotated RGB crop of each fruit's worst view */
} PtFruitTrackerOptions;

typedef struct {
  guint64 id;      /* 1, 2, ... in order of first sight */
  PtFruit fruit;   /* the combined record; box, outline and defects are those of the worst
                    * view, in that frame's pixels */
  guint n_views;   /* full (graded) views combined, at least 1 */
  guint n_seen;    /* frames the fruit was seen in, partial views included */
  gint64 first_ts; /* caller's timestamps of the first and last view */
  gint64 last_ts;
  PtImage *still; /* (nullable) (owned): the worst view cropped and annotated */
} PtTrackedFruit;

void pt_tracked_fruit_free(gpointer fruit);

typedef struct _PtFruitTracker PtFruitTracker;

/* @profile: (transfer none): copied.  @options: (nullable): NULL = any direction, 2 missed
 * frames, no stills.  Returns: (transfer full) */
PtFruitTracker *pt_fruit_tracker_new(const PtGradeProfile *profile,
                                     const PtFruitTrackerOptions *options);
void pt_fruit_tracker_free(PtFruitTracker *tracker);

/* Matches the fruit of @result (graded from @frame, taken at @ts) to the open tracks, opens
 * tracks for new fruit and ends the tracks that were not seen for more than max_missed
 * frames.  @ids_out: (nullable): result->n_fruit entries, each fruit's track id.  Ended
 * tracks with a full view are appended to @finished (element-type PtTrackedFruit) (transfer full),
 * oldest first.  @frame, @result: (transfer none); @frame is read only for stills. */
void pt_fruit_tracker_push(PtFruitTracker *tracker, const PtFrame *frame,
                           const PtGradeResult *result, gint64 ts, guint64 *ids_out,
                           GPtrArray *finished);

/* Grade, then track: grades @frame (or its @n_rois regions @rois, nullable, as
 * pt_grader_grade() does) with @grader and pushes the result (as pt_fruit_tracker_push() does), the
 * one step per frame that the packgrade element and the station's grading feed share, so both count
 * and combine fruit the same way.  @ids_out and
 * @finished as for pt_fruit_tracker_push().  @grader, @frame: (transfer none).
 * Returns: (transfer full): the frame's own grades, for per-frame output; NULL with @error
 * set when the grader refuses the frame, and the tracker is then left as it was. */
PtGradeResult *pt_fruit_tracker_grade(PtFruitTracker *tracker, PtGrader *grader,
                                      const PtFrame *frame, const PtRoi *rois, guint n_rois,
                                      gint64 ts, guint64 *ids_out, GPtrArray *finished,
                                      GError **error);

/* Ends every open track (end of stream, a new batch), appending those with a full view to
 * @finished. */
void pt_fruit_tracker_flush(PtFruitTracker *tracker, GPtrArray *finished);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtFruitTracker, pt_fruit_tracker_free)

G_END_DECLS

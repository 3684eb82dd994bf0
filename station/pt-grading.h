/* pt-grading.h: vision grading of a batch, shared by `packtrace grade` and the grading camera.
 *
 * A grading is opened on a batch with a grade profile, a calibration (mm per pixel) and the
 * class the lot is declared as.  Graded fruit accumulate on it (one row each, plus a few
 * evidence stills of fruit below the declared class under DATA/stills/); closing it writes
 * one signed EPCIS `inspecting` event whose disposition (conformant / non_conformant) follows
 * the profile's lot tolerances, with the grade and size distributions, defect statistics,
 * profile, model version and calibration as "pt:" extensions, and the size, colour and defect
 * measurements of the lot and of each class as EPCIS sensor reports (sensorElementList).
 *
 * The grading camera: `packtrace run` creates one PtGradingFeed and the camera whose role is
 * grading calls pt_grading_feed_frame() from its PtCameraCallbacks.frame callback with each
 * tap frame, and pt_grading_feed_flush() once the camera has stopped:
 *
 *   static void on_frame(PtCamera *cam, PtTapFrame *frame, gpointer feed)
 *   { g_autoptr(GError) e = NULL; if (!pt_grading_feed_frame(feed, frame, &e)) g_warning(...); }
 *
 * The feed grades for whichever grading was opened last on the station (`packtrace grade
 * open`), re-reading it once a second, so opening and closing gradings needs no restart. */
#pragma once

#include "pt-batch.h"
#include "pt-pipeline.h"
#include "pt-store-grading.h"

G_BEGIN_DECLS

#define PT_GRADE_DEFAULT_PROFILE   "orange-unece"
#define PT_GRADE_DEFAULT_MM_PER_PX 0.3
#define PT_GRADE_DEFAULT_CLASS     "I"
#define PT_GRADE_DEFAULT_FPS       5.0

/* [grading] of station.ini:
 *   fps=5          frames a second the grading camera's tap hands to the grader (0: none)
 *   profile=       default grade profile of `packtrace grade open` (empty: orange-unece)
 *   mm_per_px=     default calibration of `packtrace grade open` (empty: 0.3) */
typedef struct {
  double fps;
  char *profile;    /* nullable: PT_GRADE_DEFAULT_PROFILE */
  double mm_per_px; /* 0: PT_GRADE_DEFAULT_MM_PER_PX */
} PtGradingSettings;

/* Reads and checks [grading]; the error names the key and what is wrong. */
gboolean pt_grading_settings_load(const PtConfig *config, PtGradingSettings *out, GError **error);
void pt_grading_settings_clear(PtGradingSettings *settings);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtGradingSettings, pt_grading_settings_clear)

/* Loads a grade profile by name; an unknown name fails with PT_ERROR_NOT_FOUND and the
 * error lists the profiles there are.  Returns: (transfer full). */
PtGradeProfile *pt_grading_load_profile(const char *name, GError **error);

typedef struct {
  const char *profile;        /* nullable: PT_GRADE_DEFAULT_PROFILE */
  double mm_per_px;           /* 0: PT_GRADE_DEFAULT_MM_PER_PX */
  const char *declared_class; /* nullable: PT_GRADE_DEFAULT_CLASS; Extra, I or II */
} PtGradingSpec;

/* Opens a grading on @batch.  With @reuse, an open grading whose settings agree with @spec
 * (fields left unset agree with anything) is returned instead; without it, or when they
 * differ, an open grading is PT_ERROR_CONFLICT.  Returns: (transfer full). */
PtGradingRow *pt_grading_open(PtStation *station, PtStore *store, const PtBatch *batch,
                              const PtGradingSpec *spec, gboolean reuse, GError **error);

/* Adds @fruit (element-type PtTrackedFruit) to @grading in one transaction and keeps the
 * stills of fruit below the declared class while the grading has fewer than
 * PT_GRADE_STILLS_MAX.  @source names the image or camera.  Fails with PT_ERROR_CONFLICT
 * (nothing written) when the grading was closed meanwhile. */
gboolean pt_grading_record(PtStation *station, PtStore *store, const PtGradingRow *grading,
                           const char *source, GPtrArray *fruit, GError **error);

/* Closes @batch's open grading: writes the inspecting event (@out, nullable, receives it)
 * and marks the grading closed, in one transaction.  Fails when no fruit was graded or the
 * profile gives no tolerance for the declared class. */
gboolean pt_grading_close(PtStation *station, PtStore *store, PtBatch *batch, PtEventRow *out,
                          GError **error);

/* Returns: (transfer full): @grading with its counts and statistics, as the close event
 * would record them (disposition only once closed). */
json_t *pt_grading_to_json(PtStore *store, const PtGradingRow *grading, GError **error);

typedef struct _PtGradingFeed PtGradingFeed;

/* @station: (transfer none): must outlive the feed.  Returns: (transfer full). */
PtGradingFeed *pt_grading_feed_new(PtStation *station);
/* Grades @frame for the open grading (if any) and records the fruit that left the view.
 * Any thread, one frame at a time (calls are serialised).  @frame: (transfer none). */
gboolean pt_grading_feed_frame(PtGradingFeed *feed, const PtTapFrame *frame, GError **error);
/* Records the fruit still in view (the camera stopped). */
gboolean pt_grading_feed_flush(PtGradingFeed *feed, GError **error);
/* Fruit recorded by this feed so far. */
guint64 pt_grading_feed_n_recorded(PtGradingFeed *feed);
void pt_grading_feed_free(PtGradingFeed *feed);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtGradingFeed, pt_grading_feed_free)

G_END_DECLS

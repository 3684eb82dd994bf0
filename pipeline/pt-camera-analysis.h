/* pt-camera-analysis.h (private to pipeline/): the analysis pipeline of a camera with a
 * substream (analysis_source): the tap and scan branches on the substream, in a pipeline of
 * its own beside the recording's, so that a substream that fails, stalls or ends restarts
 * itself (with the camera's stall bound and backoff) and never touches the recording.
 *
 * Threading: every function but pt_camera_analysis_get_stats() and every hook run on the
 * camera's main context; streaming threads only count frames and wake the main context
 * once per start.
 *
 * Lifecycle: pt_camera_analysis_new() -> pt_camera_analysis_start() -> [running, restarting
 * by itself] -> pt_camera_analysis_stop() or _rest() (may start again) ->
 * pt_camera_analysis_free().  The camera starts it only while its frames are wanted and rests
 * it when they have not been for a while (pt-camera.c). */
#pragma once

#include "pt-analysis-state.h"
#include "pt-camera-graph.h"

G_BEGIN_DECLS

typedef struct _PtCameraAnalysis PtCameraAnalysis;

typedef struct {
  /* Builds the pipeline into @graph (pt_camera_graph_build_analysis() plus the gates). */
  gboolean (*build)(PtCameraGraph *graph, gpointer data, GError **error);
  /* The state changed; @error says why for RECONNECTING, and for STOPPED when a rebuild
   * found a plugin missing (else NULL). */
  void (*state_changed)(PtAnalysisState state, const GError *error, gpointer data);
  /* zbar's "barcode" element message (@s: transfer none), with its frame's UTC ns. */
  void (*barcode)(const GstStructure *s, gint64 utc_ns, gpointer data);
} PtCameraAnalysisHooks;

/* @config: (transfer none) must outlive the analysis (the camera's own copy): its name, stall
 * bound and backoff.  @hooks is copied; @data is passed to each.  Returns: (transfer full) */
PtCameraAnalysis *pt_camera_analysis_new(const PtCameraConfig *config,
                                         const PtCameraAnalysisHooks *hooks, gpointer data);
/* Builds and plays the pipeline; a failure to build or start is a restart after a backoff,
 * like the camera's own source.  FALSE only when no retry can fix it (a missing plugin). */
gboolean pt_camera_analysis_start(PtCameraAnalysis *analysis, GError **error);
/* Tears the pipeline down (nothing to drain: it records nothing) and cancels any restart. */
void pt_camera_analysis_stop(PtCameraAnalysis *analysis);
/* Like pt_camera_analysis_stop(), but the state is PT_ANALYSIS_IDLE: nothing wants its frames,
 * which is normal, not a fault. */
void pt_camera_analysis_rest(PtCameraAnalysis *analysis);
/* Started and not stopped or rested since: running, starting or waiting to restart. */
gboolean pt_camera_analysis_active(PtCameraAnalysis *analysis);
/* Stops if needed and frees.  Safe on NULL. */
void pt_camera_analysis_free(PtCameraAnalysis *analysis);

/* What the station shows (PtAnalysisStats).  Any thread. */
void pt_camera_analysis_get_stats(PtCameraAnalysis *analysis, PtAnalysisStats *out);

G_END_DECLS

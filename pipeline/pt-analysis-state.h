/* pt-analysis-state.h: where a camera's analysis substream is (analysis_source), as the
 * camera (pt-camera.h) reports it and its analysis pipeline (pt-camera-analysis.h) keeps it.
 * A header of its own so that neither of the two needs the other's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A camera with an analysis substream (config analysis_location): where that stream is. */
typedef enum {
  PT_ANALYSIS_NONE,         /* no substream: the tap and scan read the main stream */
  PT_ANALYSIS_WAITING,      /* for the main stream's frame size, which regions are in */
  PT_ANALYSIS_STARTING,     /* pipeline built, no frame yet */
  PT_ANALYSIS_RUNNING,      /* frames arrive */
  PT_ANALYSIS_RECONNECTING, /* failed, stalled or ended; restarting after a backoff */
  PT_ANALYSIS_STOPPED,      /* the camera stopped */
  PT_ANALYSIS_IDLE,         /* not connected: nothing wants its frames (the camera's gates) */
} PtAnalysisState;

typedef struct {
  PtAnalysisState state;
  guint restarts;    /* rebuilds after a failure, since the camera was made */
  guint64 frames;    /* substream frames received, since the camera was made */
  int width, height; /* the substream's frame size (0: none seen yet) */
} PtAnalysisStats;

/* "none", "waiting", "starting", "running", "reconnecting", "stopped", "idle".
 * Returns: (transfer none) */
const char *pt_analysis_state_to_string(PtAnalysisState state);

G_END_DECLS

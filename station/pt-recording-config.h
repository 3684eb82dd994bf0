/* pt-recording-config.h: the cameras and the recording policy of station.ini:
 *
 *   [camera picking-1]             one section per camera; the name names folders and files
 *   role=picking                   picking | grading | loading
 *   source=v4l2:/dev/video0        v4l2:DEVICE | rtsp://URL | file:PATH | test[:PATTERN]
 *   segment_seconds=60             length of each recorded file
 *   width=1280 height=720 fps=25   raw sources only (v4l2, test); optional
 *   timestamp_overlay=none         raw sources: qr burns each frame's UTC ms in, top left
 *   live_idle_seconds=10           the live view stops this long after its last viewer
 *   privacy_mask=X,Y,W,H;...       rectangles (camera pixels, at most 8) covered wherever
 *                                  people see the camera, never in the recording
 *   privacy_mask_style=black       black | blur
 *   analysis_source=rtsp://URL     H.264 main sources: the substream (or file:PATH) that the
 *                                  frame tap and the scan read instead of the main stream
 *
 *   [recording]
 *   quota_bytes=0                  recordings may use this much (0: no quota); K/M/G/T suffix
 *   min_free_bytes=1G              keep this much free on the recordings' file system
 *   evidence_retention_days=730    evidence clips are kept this long
 *   demo=auto                      auto: demo cameras when no camera is configured; off
 *
 * Recordings go to DATA/recordings/<camera>/<UTC date>/, clips to DATA/clips/, demo footage
 * to DATA/demo/, the live view's playlist and segments (while watched) to DATA/live/<camera>/. */
#pragma once

#include "pt-pipeline.h"
#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *recordings_dir;
  char *clips_dir;
  char *demo_dir;
  char *live_dir;         /* each camera's live view is a folder in it */
  guint64 quota_bytes;    /* 0 = none */
  guint64 min_free_bytes; /* 0 = none */
  int evidence_days;
  gboolean demo;      /* no camera configured and demo=auto */
  GPtrArray *cameras; /* (element-type PtCameraConfig) in file order */
} PtRecordingConfig;

/* Reads @station's station.ini; the error names the section, key and what is wrong.
 * Cameras are validated except for their GStreamer elements (pt_camera_start checks those).
 * Returns: (transfer full). */
PtRecordingConfig *pt_recording_config_load(PtStation *station, GError **error);
void pt_recording_config_free(PtRecordingConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtRecordingConfig, pt_recording_config_free)

/* Adds the demo cameras (picking, grading, loading) that play DATA/demo/demo-<role>.mkv. */
void pt_recording_config_add_demo(PtRecordingConfig *config);

/* Reads @station's station.ini for the privacy mask of the camera called @name into @mask
 * (no rectangles: none, or no such camera).  Fails when station.ini does not load. */
gboolean pt_recording_camera_mask(PtStation *station, const char *name, PtMask *mask,
                                  GError **error);

/* Returns: (transfer none) (nullable): the camera called @name. */
const PtCameraConfig *pt_recording_config_camera(const PtRecordingConfig *config, const char *name);

G_END_DECLS

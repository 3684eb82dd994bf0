/* pt-camera.h: one camera = one GStreamer pipeline that records H.264 segments and feeds the
 * frame tap, with a watchdog that restarts it after errors and stalls.  The station creates
 * one PtCamera per configured camera and learns what happened only through the callbacks
 * below; it never touches the pipeline.
 *
 *   camera -> [decode/encode] -> tee -> queue -> splitmuxsink(matroskamux, filesink)
 *                                   \-> leaky tap branch -> appsink -> frame callback
 *                                   \-> [live view, while watched: hlssink2]
 * With an analysis substream the tap and scan branches read it instead, in a second pipeline
 * (pt-camera-analysis.h) that fails and restarts on its own, and the main stream is never
 * decoded.  That pipeline runs only while the gates below want its frames: it connects when
 * they do (pt_camera_wake_analysis() says they may) and disconnects once they have not for
 * the config's analysis_hold_ns, so an idle camera does not receive its substream at all.
 * (pt-camera-graph.c has the exact graph per kind of source.)
 *
 * Threading: every PtCamera function but the three that say otherwise must be called from the
 * thread that runs the GMainContext that was thread-default when the camera was created; all
 * callbacks except `frame` and the gates are invoked there.  `frame` runs on a streaming
 * thread.
 *
 * Lifecycle: pt_camera_new() -> pt_camera_start() -> [running, restarting by itself] ->
 * pt_camera_stop() (may start again) -> pt_camera_free().  pt_camera_stop() returns after the
 * last segment is closed and every pending callback has been delivered. */
#pragma once

#include "pt-analysis-state.h"
#include "pt-camera-config.h"
#include "pt-tap-frame.h"
#include "pt-segment.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _PtCamera PtCamera;

typedef enum {
  PT_CAMERA_STOPPED,      /* not started, stopped by the station, or the source ended */
  PT_CAMERA_STARTING,     /* pipeline built, waiting for the first segment */
  PT_CAMERA_RECORDING,    /* a segment is open */
  PT_CAMERA_RECONNECTING, /* source failed or stalled; restarting after a backoff */
  PT_CAMERA_FAILED,       /* stopped for good (disk full, write error); pt_camera_start() again */
} PtCameraState;

typedef struct {
  const char *path;   /* absolute file path */
  gint64 start_ns;    /* UTC ns of the first frame */
  gint64 end_ns;      /* closed only: UTC ns of the end of the last frame */
  guint64 bytes;      /* closed only */
  const char *sha256; /* closed only: lowercase hex of the file as closed */
  gboolean complete;  /* closed only: FALSE when the muxer could not finalize the file
                       * (write error, drain timeout); pt_segment_probe() can repair it */
} PtSegmentInfo;

typedef struct {
  /* A new segment file was opened (recording into it has begun). */
  void (*segment_opened)(PtCamera *camera, const PtSegmentInfo *segment, gpointer user_data);
  /* A segment file is finished and hashed.  It may arrive after the next one opened. */
  void (*segment_closed)(PtCamera *camera, const PtSegmentInfo *segment, gpointer user_data);
  /* Recording stopped at @from_ns (UTC ns) because of @reason: a gap is open.  The same gap
   * is reported by `gap` when recording resumes, or at pt_camera_stop() if it never did. */
  void (*gap_opened)(PtCamera *camera, gint64 from_ns, const char *reason, gpointer user_data);
  /* Nothing was recorded from @from_ns to @to_ns (UTC ns) because of @reason; reported when
   * recording resumes, or at pt_camera_stop() if it never did. */
  void (*gap)(PtCamera *camera, gint64 from_ns, gint64 to_ns, const char *reason,
              gpointer user_data);
  /* The camera changed state; @error says why for RECONNECTING and FAILED (else NULL):
   * PT_CAMERA_ERROR_SOURCE / _STALLED (restarting), _DISK_FULL / _WRITE (stopped). */
  void (*state_changed)(PtCamera *camera, PtCameraState state, const GError *error,
                        gpointer user_data);
  /* Newest frame from the tap, at most config tap_fps per second, on a streaming thread.
   * @frame: (transfer none); pt_tap_frame_ref() it to keep it.  Return quickly: while this runs
   * the tap drops frames (the recording never waits). */
  void (*frame)(PtCamera *camera, PtTapFrame *frame, gpointer user_data);
  /* Optional gate in front of the tap, asked on a streaming thread for each source frame:
   * FALSE drops the frame before the tap decodes, scales or converts it (nobody needs frames
   * now).  When it turns TRUE again, frames are dropped up to the next keyframe so a
   * passthrough source's decoder never starts on a broken reference.  NULL: always TRUE.
   * Must return at once (an atomic read).  With an analysis substream it is also asked on the
   * camera's main context, whether to connect the substream at all: call
   * pt_camera_wake_analysis() when its answer turns TRUE. */
  gboolean (*frames_wanted)(PtCamera *camera, gpointer user_data);
  /* Optional gate in front of the scan branch (loading cameras with `qr`), asked on a
   * streaming thread for each source frame: FALSE drops the frame before it is decoded or
   * scanned (no load is open at the camera's dock), with the same keyframe rule as
   * frames_wanted.  NULL: always TRUE.  Must return at once (an atomic read).  Asked on the
   * main context too, like frames_wanted. */
  gboolean (*scan_wanted)(PtCamera *camera, gpointer user_data);
  /* Loading cameras only: a code read by the scan branch.  @symbology: (transfer none) zbar's
   * name for it ("QR-Code", "CODE-128", ...); @payload: (transfer none) as decoded, untrusted
   * (parse it strictly); @utc_ns: when its frame was captured.  On the camera's main context,
   * once per frame the code is in: deduplicate in the receiver. */
  void (*qr)(PtCamera *camera, const char *symbology, const char *payload, gint64 utc_ns,
             gpointer user_data);
  /* Optional: something the camera works around but a person must fix, e.g. a privacy mask
   * that does not fit the stream's frame (the whole frame is covered meanwhile).  @message:
   * (transfer none) names the camera.  On the camera's main context. */
  void (*problem)(PtCamera *camera, const char *message, gpointer user_data);
  /* Optional, cameras with an analysis substream: its state changed; @error says why for
   * RECONNECTING (PT_CAMERA_ERROR_SOURCE / _STALLED), else NULL.  The recording goes on
   * whatever the substream does.  On the camera's main context. */
  void (*analysis_changed)(PtCamera *camera, PtAnalysisState state, const GError *error,
                           gpointer user_data);
} PtCameraCallbacks;

/* Validates and copies @config.  @callbacks is copied; @user_data is passed to each.
 * Returns: (transfer full) (nullable) */
PtCamera *pt_camera_new(const PtCameraConfig *config, const PtCameraCallbacks *callbacks,
                        gpointer user_data, GError **error);
/* Builds the pipeline and starts recording.  Fails only when the camera can never work as
 * configured (missing plugin, bad config); a source that is down now is retried. */
gboolean pt_camera_start(PtCamera *camera, GError **error);
/* Drains the pipeline (the open segment is finalized), tears it down, reports any open gap,
 * waits for the hashes of closed segments and delivers all pending callbacks. */
void pt_camera_stop(PtCamera *camera);
/* Stops if needed and frees.  Safe on NULL. */
void pt_camera_free(PtCamera *camera);

PtCameraState pt_camera_get_state(PtCamera *camera);
/* Path of the segment being written, for retention (never delete it).
 * Returns: (transfer full) (nullable) */
char *pt_camera_dup_current_segment(PtCamera *camera);
/* How many times the pipeline was rebuilt after a failure. */
guint pt_camera_get_restarts(PtCamera *camera);
/* What a loading camera's scan branch did since the camera was made: frames decoded for it,
 * frames the motion gate held back (nothing moved), frames the readers got.  All 0 for a
 * camera without one. */
typedef struct {
  guint decoded, still, scanned;
} PtScanStats;
void pt_camera_get_scan_stats(PtCamera *camera, PtScanStats *out);
/* The analysis substream's state and counters (state PT_ANALYSIS_NONE without one).  Like
 * pt_camera_wake_analysis() and pt_camera_live_touch(), any thread may call it. */
void pt_camera_get_analysis(PtCamera *camera, PtAnalysisStats *out);
/* Any thread: what frames_wanted or scan_wanted answer may have changed (a load or grading
 * opened or closed, a thumbnail asked for).  The camera asks them again on its main context:
 * an analysis substream that is now wanted connects (its first frames come once the RTSP
 * session is up and a keyframe arrives), one that is not any more disconnects after
 * analysis_hold_ns.  A burst of calls is one wake-up; a camera without a substream ignores
 * it. */
void pt_camera_wake_analysis(PtCamera *camera);
/* ---- live view (HLS, hlssink2): on demand ----
 * The branch is attached to the running pipeline while someone watches, and detached when
 * nobody has touched it for the config's live_idle_ns; a restarted pipeline gets it again if
 * someone still watches.  Its files are the playlist PT_LIVE_PLAYLIST_NAME and segments named by
 * PT_LIVE_SEGMENT_PATTERN in the config's live_dir. */
#define PT_LIVE_PLAYLIST_NAME   "index.m3u8"
#define PT_LIVE_SEGMENT_PATTERN "seg%05d.ts"

/* Any thread: someone watches now.  Attaches the branch on the camera's main context if it
 * is not (the playlist appears within a segment's length).  FALSE with PT_CAMERA_ERROR_CONFIG
 * when the camera has no live_dir. */
gboolean pt_camera_live_touch(PtCamera *camera, GError **error);
/* Main context: the live branch is in the pipeline now. */
gboolean pt_camera_live_attached(PtCamera *camera);
/* How many times the branch was attached since the camera was made (tests, diagnostics). */
guint pt_camera_live_attaches(PtCamera *camera);

/* The running pipeline, for tests and diagnostics only.  Returns: (transfer full) (nullable) */
GstElement *pt_camera_dup_pipeline(PtCamera *camera);

const char *pt_camera_state_to_string(PtCameraState state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtCamera, pt_camera_free)

G_END_DECLS

/* pt-camera-config.h: what one camera is: name, role, source, segment length, output root,
 * frame-tap settings.  Plain data that the station fills from station.ini and the camera
 * copies at creation, so the station may free its own copy at once. */
#pragma once

#include "pt-mask.h"

#include <gst/gst.h>

G_BEGIN_DECLS

#define PT_CAMERA_ERROR (pt_camera_error_quark())
GQuark pt_camera_error_quark(void);

typedef enum {
  PT_CAMERA_ERROR_CONFIG,    /* the configuration cannot work (bad name, location, ...) */
  PT_CAMERA_ERROR_PLUGIN,    /* a GStreamer element this camera needs is not installed */
  PT_CAMERA_ERROR_SOURCE,    /* the source failed (device gone, server down, bad stream) */
  PT_CAMERA_ERROR_STALLED,   /* the source produced nothing for too long */
  PT_CAMERA_ERROR_DISK_FULL, /* writing a segment failed: no space, quota, file size limit */
  PT_CAMERA_ERROR_WRITE,     /* writing a segment failed for another reason */
  PT_CAMERA_ERROR_STATE,     /* called in the wrong lifecycle state */
} PtCameraError;

typedef enum {
  PT_CAMERA_ROLE_PICKING,
  PT_CAMERA_ROLE_GRADING,
  PT_CAMERA_ROLE_LOADING,
} PtCameraRole;

typedef enum {
  PT_SOURCE_V4L2, /* location: device path, e.g. /dev/video0 */
  PT_SOURCE_RTSP, /* location: rtsp:// URL; the stream must be H.264, recorded as is */
  PT_SOURCE_FILE, /* location: an H.264 file (mkv, mp4), played in a loop, recorded as is */
  PT_SOURCE_TEST, /* location: a videotestsrc pattern nick ("ball", "smpte", ...) or NULL */
} PtSourceKind;

typedef enum {
  PT_TAP_FORMAT_RGB,
  PT_TAP_FORMAT_I420,
} PtTapFormat;

typedef enum {
  PT_TIMESTAMP_OVERLAY_NONE,
  PT_TIMESTAMP_OVERLAY_QR, /* raw sources: a QR code of the frame's UTC ms, top left */
} PtTimestampOverlay;

typedef struct {
  char *name; /* [A-Za-z0-9_-]{1,32}; names folders and files */
  PtCameraRole role;
  PtSourceKind kind;
  char *location;          /* see PtSourceKind */
  char *output_root;       /* segments go to <root>/<name>/<YYYY-MM-DD UTC>/ */
  GstClockTime segment_ns; /* default PT_SEGMENT_DEFAULT_NS */
  /* Raw sources (test, v4l2): wanted size and rate; 0 = the source's own (test: defaults) */
  int width, height, fps;
  /* Test sources only: stop after this many frames (0 = never); for tests and demos */
  int num_buffers;
  /* Watchdog: restart when no buffer for this long (ms) */
  guint stall_ms;
  guint backoff_initial_ms, backoff_max_ms;
  /* Frame tap: frames per second handed to the tap callback (0 = no tap branch) */
  double tap_fps;
  PtTapFormat tap_format;
  int tap_width, tap_height; /* 0 = source size */
  /* Code scanning (loading cameras): frames a second zbar reads, and the widest frame it gets
   * (wider frames are scaled down, keeping their shape) */
  int scan_fps, scan_width;
  /* The dock region in the source's pixels (scan_w 0: the whole frame): only it is scanned and
   * watched for motion */
  int scan_x, scan_y, scan_w, scan_h;
  /* The motion gate: frames are scanned only while something moves in the region and for
   * scan_hold_ms after (FALSE: every frame at scan_fps) */
  gboolean scan_motion;
  guint scan_hold_ms;
  /* Raw sources (test, v4l2): the capture time burned into every frame (recorded and live) */
  PtTimestampOverlay timestamp_overlay;
  /* The live view's folder for this camera (NULL: no live view); emptied at every attach,
   * detach and start, so it must be the camera's own */
  char *live_dir;
  /* The live view is detached when nobody asked for it for this long (PT_LIVE_IDLE_NS) */
  GstClockTime live_idle_ns;
  /* Privacy mask (n_rects 0: none): covered in the live view, clips, the tap's frames (the
   * dashboard's thumbnails, grading stills); never in the recording */
  PtMask mask;
  /* The analysis substream (analysis_location NULL: none): an H.264 stream of the same scene,
   * usually the camera's lower-resolution one (rtsp or file only, and only beside an H.264
   * main source).  When set, the frame tap and the scan branch read and decode it, in a
   * pipeline of its own, and the main stream is only recorded (pt-camera-analysis.h). */
  PtSourceKind analysis_kind;
  char *analysis_location;
  /* The analysis pipeline runs only while the camera's gates want its frames, and stops when
   * they have not for this long (PT_ANALYSIS_HOLD_NS) */
  GstClockTime analysis_hold_ns;
  /* The frame size that scan_region and privacy_mask's pixel rectangles are in, when the
   * analysed frames are not that size (0: they are).  The camera sets it to the main
   * stream's size for its analysis pipeline; the scan region is scaled and pixel rectangles
   * become fractions of the frame, and tap frames carry the scale for grading in mm. */
  int ref_width, ref_height;
} PtCameraConfig;

/* Fills @config with defaults (no name, test source, 60 s segments, no tap). */
void pt_camera_config_init(PtCameraConfig *config);
/* Frees the strings @config owns and resets it to defaults. */
void pt_camera_config_clear(PtCameraConfig *config);
/* Deep copy.  Returns: (transfer full) */
PtCameraConfig *pt_camera_config_copy(const PtCameraConfig *config);
void pt_camera_config_free(PtCameraConfig *config);
/* Checks every field; the error says which one is wrong and why. */
gboolean pt_camera_config_validate(const PtCameraConfig *config, GError **error);

/* Names as they appear in station.ini ("picking", "rtsp", ...).  Returns: (transfer none) */
const char *pt_camera_role_to_string(PtCameraRole role);
const char *pt_source_kind_to_string(PtSourceKind kind);
gboolean pt_camera_role_from_string(const char *text, PtCameraRole *role, GError **error);
gboolean pt_source_kind_from_string(const char *text, PtSourceKind *kind, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtCameraConfig, pt_camera_config_free)

G_END_DECLS

/* pt-tap-frame.h: one video frame handed out by a camera's frame tap (for the grader, QR reading,
 * thumbnails).  Pixels are read-only and stay mapped as long as the frame is referenced. */
#pragma once

#include "pt-camera-config.h"

#include <gst/gst.h>

G_BEGIN_DECLS

#define PT_TAP_FRAME_MAX_PLANES 3

typedef struct {
  const char *camera; /* camera name, valid while the frame lives */
  PtTapFormat format; /* RGB (packed, 1 plane) or I420 (3 planes) */
  int width, height;
  int n_planes;
  int stride[PT_TAP_FRAME_MAX_PLANES];
  const guint8 *plane[PT_TAP_FRAME_MAX_PLANES]; /* start of each plane */
  gsize size;                                   /* bytes from plane[0] to the end of the image */
  gint64 utc_ns; /* capture time: the frame's running time on the realtime clock */
  /* Pixels of the camera's main stream per pixel of this frame, across: 1 unless the frame
   * comes from a smaller analysis substream (or was scaled), so a calibration in the main
   * stream's pixels (mm per pixel) holds for it times this. */
  double px_scale;
} PtTapFrame;

/* Returns: (transfer full) @frame with one more reference. */
PtTapFrame *pt_tap_frame_ref(PtTapFrame *frame);
void pt_tap_frame_unref(PtTapFrame *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtTapFrame, pt_tap_frame_unref)

G_END_DECLS

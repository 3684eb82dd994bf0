/* pt-frame-tap.h (private to pipeline/): builds the frame-tap branch of a camera pipeline.
 *
 * Raw sources:  tee. ! queue leaky=downstream max-size-buffers=1 ! videorate drop-only=true
 *                 max-rate=R ! videoscale ! videoconvert ! video/x-raw,format=RGB|I420 !
 *                 appsink max-buffers=1 drop=true sync=false
 * H.264 passthrough sources decode for the tap only, never for the recording:
 *               tee. ! queue leaky=downstream max-size-time=2s ! h264parse ! <decoder> ! <raw tail>
 * The compressed queue drops its oldest frames when the decoder falls behind; after a drop,
 * frames are discarded until the next keyframe so the decoder never sees a broken reference.
 * Either way the recording branch never waits for the tap. */
#pragma once

#include "pt-camera-config.h"
#include "pt-tap-frame.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef void (*PtFrameTapFunc)(PtTapFrame *frame, gpointer user_data);

/* Adds the tap branch to @bin and returns its first element (transfer none), ready to be
 * linked from a tee.  @compressed: the tee carries H.264 rather than raw video.  @func is
 * called on a streaming thread with a frame at most @config->tap_fps times per second.
 * @notify releases @user_data when the branch is gone (also when this fails). */
GstElement *pt_frame_tap_add(GstBin *bin, const PtCameraConfig *config, gboolean compressed,
                             PtFrameTapFunc func, gpointer user_data, GDestroyNotify notify,
                             GError **error);

G_END_DECLS

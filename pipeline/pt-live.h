/* pt-live.h (private to pipeline/): the live view branch of one camera's pipeline, attached
 * while someone watches and detached when nobody does.
 *
 *   h264 tee -> queue (leaky) -> h264parse (SPS/PPS in band) -> hlssink2 -> DIR/index.m3u8,
 *                                                                          DIR/seg%05d.ts
 *
 * It takes the H.264 the recording takes (a passthrough source's own, a raw source's one
 * encoding), so watching never encodes again.  A camera with a privacy mask is the exception
 * (the recording stays unmasked, the viewer must not see the rectangles):
 *
 *   H.264 tee -> queue (leaky) -> h264parse -> decoder -> videoconvert -> ptmask -> encoder
 *                -> h264parse -> hlssink2
 *   raw tee   -> queue (leaky, a few frames) -> videoconvert -> ptmask -> encoder -> ...
 *
 * Only the camera (pt-camera.c) uses it, on its main context. */
#pragma once

#include "pt-camera-config.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _PtLive PtLive;

/* Builds the branch in @pipeline, links it to a new request pad of @tee and brings it to the
 * pipeline's state; asks upstream for a keyframe so the first segment starts at once.  @tee
 * carries H.264, or raw video when @tee_raw (a masked raw camera's source tee: only with a
 * mask).  @config (transfer none, read now): the camera's live_dir, emptied (made if
 * missing), receives the playlist and segments; its mask, when it has rectangles, is applied
 * and the stream encoded with a keyframe every @key_int_frames.
 * Returns: (transfer full) (nullable) */
PtLive *pt_live_attach(GstElement *pipeline, GstElement *tee, gboolean tee_raw, int key_int_frames,
                       const PtCameraConfig *config, GError **error);
/* Takes the branch out of the running pipeline without disturbing the other branches: waits
 * (bounded) for the tee's pad to be idle, unlinks it, sends EOS into the branch and waits
 * (bounded) for it to reach the sink, then sets the branch to NULL, removes it, releases the
 * pad and deletes the folder.  Frees @live.  Safe on NULL. */
void pt_live_detach(PtLive *live);
/* For a pipeline that is being torn down as a whole (set to NULL already): releases the
 * branch's references and deletes the folder.  Frees @live.  Safe on NULL. */
void pt_live_drop(PtLive *live);
/* Empties and removes @dir (the live folder of a camera); missing is fine. */
void pt_live_remove_dir(const char *dir);
G_END_DECLS

/* pt-live.h (private to pipeline/): the live view branch of one camera's pipeline, attached
 * while someone watches and detached when nobody does.
 *
 *   h264 tee -> queue (leaky) -> h264parse (SPS/PPS in band) -> hlssink2 -> DIR/index.m3u8,
 *                                                                          DIR/seg%05d.ts
 *
 * It takes the H.264 the recording takes (a passthrough source's own, a raw source's one
 * encoding), so watching never encodes again.  Only the camera (pt-camera.c) uses it, on its
 * main context. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _PtLive PtLive;

/* Builds the branch in @pipeline, links it to a new request pad of @tee (which carries
 * H.264) and brings it to the pipeline's state; asks upstream for a keyframe so the first
 * segment starts at once.  @dir is emptied (made if missing) and receives the playlist and
 * segments.  Both (transfer none).  Returns: (transfer full) (nullable) */
PtLive *pt_live_attach(GstElement *pipeline, GstElement *tee, const char *dir, GError **error);
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

/* pt-thumbs.h: live JPEG thumbnails of the cameras for the operator dashboard.
 *
 * One PtThumb per camera.  A request marks the camera watched for PT_THUMB_WATCH_US; only
 * while it is watched does the camera's tap let frames through (pt_thumb_watched() is the
 * camera's frames_wanted gate) and does the thumb keep the newest one.  The JPEG is encoded
 * on the requesting thread, at most once per PT_THUMB_INTERVAL_US per camera, and shared by
 * every request in that interval: nobody watching costs nothing, many watchers cost one
 * encode a second.
 *
 *   streaming thread: pt_thumb_watched() (atomic read), pt_thumb_offer(frame)
 *   HTTP thread:      pt_thumb_jpeg() */
#pragma once

#include "pt-tap-frame.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtThumb PtThumb;

/* Returns: (transfer full). */
PtThumb *pt_thumb_new(void);
void pt_thumb_free(PtThumb *thumb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtThumb, pt_thumb_free)

/* TRUE while a request came in the last PT_THUMB_WATCH_US.  Any thread. */
gboolean pt_thumb_watched(PtThumb *thumb);
/* Keeps @frame (transfer none; referenced) as the newest when watched.  Any thread. */
void pt_thumb_offer(PtThumb *thumb, PtTapFrame *frame);
/* Marks the camera watched and returns its newest JPEG, at most PT_THUMB_WIDTH wide
 * (transfer full), encoding a newer frame when the last JPEG is older than
 * PT_THUMB_INTERVAL_US.  NULL without error while no frame has come yet.  @utc_ns: (out)
 * (optional) capture time of the JPEG's frame, or -1. */
GBytes *pt_thumb_jpeg(PtThumb *thumb, gint64 *utc_ns, GError **error);

G_END_DECLS

/* pt-live-view.h: what the live view of a camera serves and to whom.  The branch itself is
 * the camera's (pipeline/pt-camera.h: HLS by hlssink2, on demand); this is the station's
 * side: who may watch a camera of which role, the playlist (waiting, bounded, for the first
 * one of a viewer who just arrived) and the segments, their names checked strictly.
 *
 * Any thread (the HTTP workers): every call reads files of DATA/live/<camera>/ that the
 * camera's branch writes, replaces and deletes as it goes. */
#pragma once

#include "pt-recorder.h"

#include <glib.h>

G_BEGIN_DECLS

/* Who asks.  Which role of camera each may watch is decided by pt_live_view_allowed()
 * alone; which load a buyer may watch is pt-load-video.h's, before it asks here. */
typedef enum {
  PT_LIVE_VIEWER_OPERATOR, /* the shed's staff, on the dashboard: every camera */
  PT_LIVE_VIEWER_BUYER,    /* the buyer portal (pt-load-video.h): loading cameras only */
  PT_LIVE_VIEWER_PUBLIC,   /* consumers: never */
} PtLiveViewer;

/* May @viewer watch a camera of @role live? */
gboolean pt_live_view_allowed(PtCameraRole role, PtLiveViewer viewer);

/* A segment's file name as the camera writes them (seg, 5 to 10 digits, .ts): nothing else
 * is ever served from the folder, so no path can leave it. */
gboolean pt_live_view_segment_name_ok(const char *name);

/* The playlist of @camera for @viewer; the camera's branch runs on (or starts) for it.
 * Waits at most PT_LIVE_FIRST_WAIT_MS for the first segment.  PT_ERROR_NOT_FOUND (unknown
 * camera), PT_ERROR_FORBIDDEN, PT_ERROR_BUSY (not recording, or no segment in time: 503).
 * Returns: (transfer full) */
GBytes *pt_live_view_playlist(PtRecorder *recorder, const char *camera, PtLiveViewer viewer,
                              GError **error);
/* One segment @name of @camera's live view.  PT_ERROR_NOT_FOUND for a name that is not a
 * segment's or a segment no longer (or not yet) there.  Returns: (transfer full) */
GBytes *pt_live_view_segment(PtRecorder *recorder, const char *camera, const char *name,
                             PtLiveViewer viewer, GError **error);

G_END_DECLS

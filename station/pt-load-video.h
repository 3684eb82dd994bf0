/* pt-load-video.h: what a buyer may watch of a load: the loading cameras at its dock, live
 * while the truck is being loaded, and afterwards the recorded span of the loading, from the
 * load's opening to its closing widened by PT_LOAD_VIDEO_MARGIN_NS on each side, as MP4 clips
 * with their SHA-256.  Every decision of who sees which load, camera and moment is made here,
 * so the station's buyer routes (http/pt-http-buyer-video.c) and a hub relaying them later
 * call this module and nothing else:
 *
 *   v = pt_load_video_open(station, store, "12", scope_gln)  the load, cameras, window
 *   pt_load_video_live(v, recorder, camera, "index.m3u8")     HLS while it is open
 *   pt_load_video_clip(station, store, v, camera, 1, ...)    part 1 of its recording, closed
 *
 * Refusals: a load that does not exist or goes to another GLN is PT_ERROR_NOT_FOUND (the
 * buyer routes hide others' data as if it did not exist), and so is a camera that is not one
 * of the load's loading cameras; live video of a closed load and a recording of an open one
 * are PT_ERROR_CONFLICT; a recording whose end is not yet recorded is PT_ERROR_BUSY.  The
 * live view itself is pt-live-view.h's, asked for as PT_LIVE_VIEWER_BUYER, which serves
 * loading cameras only.
 *
 * Any thread (the HTTP workers), each with its own store connection.  Cuts are serialised in
 * the process: one stream copy at a time, and a clip asked for twice is cut once. */
#pragma once

#include "pt-recorder.h"
#include "pt-station.h"
#include "pt-store-load.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct {
  PtLoad *load;       /* (owned) */
  GPtrArray *cameras; /* (owned) (element-type utf8) the loading cameras at its dock */
  gint64 from_ns;     /* what a buyer may see of them: from the opening - the margin */
  gint64 to_ns;       /* to the closing + the margin; 0 while the load is open */
} PtLoadVideo;

void pt_load_video_free(PtLoadVideo *video);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtLoadVideo, pt_load_video_free)

/* Load @id ("12", untrusted) as a viewer scoped to @scope_gln (nullable: every load) sees it.
 * Returns: (transfer full): NULL with PT_ERROR_NOT_FOUND for a load that is not there or goes
 * to another GLN. */
PtLoadVideo *pt_load_video_open(PtStation *station, PtStore *store, const char *id,
                                const char *scope_gln, GError **error);

/* The loads to @scope_gln (nullable: every load), newest first, @limit from @offset; @more_out
 * is set when more follow.  Returns: (transfer full) (element-type PtLoadVideo). */
GPtrArray *pt_load_video_list(PtStation *station, PtStore *store, const char *scope_gln, int limit,
                              int offset, gboolean *more_out, GError **error);

/* How many clips the recording of a closed load is served as (0 while it is open): parts of
 * PT_LOAD_VIDEO_PART_NS, at most PT_LOAD_VIDEO_PARTS_MAX; @truncated_out (nullable) is set
 * when the window is longer than those parts cover. */
guint pt_load_video_parts(const PtLoadVideo *video, gboolean *truncated_out);
/* The window of part @part (1-based, < pt_load_video_parts()). */
void pt_load_video_part_window(const PtLoadVideo *video, guint part, gint64 *from_ns,
                               gint64 *to_ns);

/* The live view of @camera for a buyer of this load: @file is the playlist
 * (PT_LIVE_PLAYLIST_NAME) or one of its segments, as pt_live_view_playlist() and
 * pt_live_view_segment() answer them (404 for a name of another form, 503 for a camera down).
 * Returns: (transfer full). */
GBytes *pt_load_video_live(const PtLoadVideo *video, PtRecorder *recorder, const char *camera,
                           const char *file, GError **error);

/* A clip of the load's recording, as served. */
typedef struct {
  guint part;              /* 1-based */
  gint64 from_ns, to_ns;   /* the part's window */
  gint64 start_ns, end_ns; /* the clip's: its first frame is the keyframe at or before from */
  guint64 bytes;
  char sha256[64 + 1];
} PtLoadClip;

/* Part @part of @camera's recording of the closed load, cut on first use into
 * DATA/clips/loads/ (pt_evidence_cut(): stream copy, MP4, SHA-256 of the file) and kept there
 * among the newest PT_LOAD_VIDEO_CLIPS_KEPT.  A window whose end is not yet recorded is
 * PT_ERROR_BUSY while the camera records (its segment closes soon), else the clip ends where
 * the recording does.  PT_ERROR_NOT_FOUND when nothing of the part was recorded (or retention
 * deleted it).  @fd_out (nullable): an open descriptor of the clip, for the caller to serve
 * and close.  Needs GStreamer initialised. */
gboolean pt_load_video_clip(PtStation *station, PtStore *store, const PtLoadVideo *video,
                            const char *camera, guint part, PtLoadClip *out, int *fd_out,
                            GError **error);

/* What a buyer is told of a load and its video, the same from the station's portal and
 * through a hub's relay (each adds its own URLs):
 *   pt_load_video_load_json(): {id, seal, state (loading, departed), lots: [{batch_id, lot,
 *     gtin}], destination, destination_gln, bol, desadv, po, opened, closed, cameras: [names]}
 *   pt_load_video_json(): {load, window: {from, to (null while loading), margin_seconds},
 *     cameras: [{name, live (TRUE while loading), recorded: [{part, from, to}] (empty while
 *     loading), truncated}]}
 *   pt_load_clip_json(): {part, camera, from, to, start, end, *_ns, bytes, sha256}
 * Returns: (transfer full). */
json_t *pt_load_video_load_json(PtStore *store, const PtLoadVideo *video, GError **error);
json_t *pt_load_video_json(PtStore *store, const PtLoadVideo *video, GError **error);
json_t *pt_load_clip_json(const char *camera, const PtLoadClip *clip);

G_END_DECLS

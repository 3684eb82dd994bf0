/* pt-timeline.h: a camera's recordings as a person reviews them: a day's bar of recorded
 * spans (adjacent segments merged), the gaps with their reasons, the batch and load events
 * this camera filmed, and what is kept how long; the segment and offset that play a given
 * instant; and a range exported as a clip.
 *
 * Every read is a bounded range on an index (pt-store-timeline.h, pt-store-video.h); the
 * camera must be one of station.ini (or a demo camera), so a name the station never had is
 * 404 rather than an empty day.  Times are UTC ns; the local day is the caller's. */
#pragma once

#include "pt-station.h"
#include "pt-store-video.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Returns: (transfer full): {camera, role, from, to, now, spans: [{from, to, from_ns, to_ns,
 * segments, recording}], gaps: [{from, to, from_ns, to_ns, reason, kind: "gap" | "deleted" |
 * "lost"}], events: [{time, time_ns, seq, step, batch_id, lot, load_id, evidence: "clip" |
 * "pending"}], retention: {segment_seconds, quota_bytes, min_free_bytes, oldest, oldest_ns,
 * kept_days, evidence_days}, truncated} for [@from_ns, @to_ns) of @camera.  The window is at
 * most PT_TIMELINE_WINDOW_MAX_NS.  PT_ERROR_NOT_FOUND for a camera the station does not have. */
json_t *pt_timeline_day(PtStation *station, PtStore *store, const char *camera, gint64 from_ns,
                        gint64 to_ns, gint64 now_ns, GError **error);

/* What the player loads to show an instant: a readable segment, or, for a camera with a
 * privacy mask, one piece of it (PT_TIMELINE_PIECE_NS of the segment from its start, the last
 * one shorter), masked at its first request.  Pieces rather than the whole segment because
 * a seek must start playing within a second: encoding a 60 s segment (an hour at most)
 * through the mask cannot. */
typedef struct {
  gint64 segment_id;
  int piece;               /* -1: the segment whole; else its piece, 0-based */
  gint64 start_ns, end_ns; /* UTC span it holds: the segment's, or the piece's */
} PtTimelinePlay;

typedef struct {
  PtTimelinePlay play; /* what holds the instant */
  gint64 offset_ns;    /* into it, from its first frame */
  gboolean in_gap;     /* the instant was not recorded: @play is the next that was */
  gboolean has_next;   /* @next is set */
  PtTimelinePlay next; /* what follows it, to chain: the next piece or readable segment */
} PtTimelineSpot;

/* Where @at_ns of @camera plays: the readable segment (or piece) holding it and the offset,
 * or, when the instant falls in a gap, the next recorded moment.  PT_ERROR_NOT_FOUND when
 * nothing readable was recorded at or after it (a segment still being written is not
 * readable). */
gboolean pt_timeline_locate(PtStation *station, PtStore *store, const char *camera, gint64 at_ns,
                            PtTimelineSpot *out, GError **error);

/* Segment @id, to be served: it must be readable (closed or recovered) and its file the size
 * recorded.  @piece -1 asks for the recording itself, refused (PT_ERROR_CONFLICT) on a camera
 * with a privacy mask in station.ini; @piece >= 0 asks for that piece of a masked camera's
 * segment (PT_ERROR_NOT_FOUND past its last piece, or on a camera without a mask): an MP4
 * made at its first request (the caller waits for the encode of a few seconds), kept in
 * DATA/clips/masked, newest PT_TIMELINE_MASKED_KEPT.  Returns: (transfer full): the row;
 * @fd_out an open descriptor of the file to serve, @size_out its size. */
PtSegmentRow *pt_timeline_segment_open(PtStation *station, PtStore *store, gint64 id, int piece,
                                       int *fd_out, guint64 *size_out, GError **error);

typedef struct {
  char name[32 + 4 + 1]; /* "<32 hex>.mp4" in DATA/clips/exports/ */
  gint64 start_ns, end_ns;
  guint64 bytes;
  char sha256[64 + 1];
} PtTimelineExport;

/* Cuts [@from_ns, @to_ns) of @camera (at most PT_TIMELINE_EXPORT_MAX_NS) from its readable
 * segments into a new file of DATA/clips/exports/ (the existing clip export: stream copy,
 * MP4, SHA-256 of the file written), keeping the newest PT_TIMELINE_EXPORTS_KEPT.  Needs
 * GStreamer initialised. */
gboolean pt_timeline_export(PtStation *station, PtStore *store, const char *camera, gint64 from_ns,
                            gint64 to_ns, PtTimelineExport *out, GError **error);

/* An exported clip by @name (untrusted: "<32 hex>.mp4" only).  Returns: the open descriptor,
 * -1 with PT_ERROR_NOT_FOUND (or PT_ERROR_INVALID for a name of another form); @size_out
 * its size. */
int pt_timeline_export_open(PtStation *station, const char *name, guint64 *size_out,
                            GError **error);

G_END_DECLS

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

typedef struct {
  PtSegmentRow *segment; /* (owned) the readable segment to play */
  gint64 offset_ns;      /* into it, from its first frame */
  gboolean in_gap;       /* the instant was not recorded: @segment is the next that was */
  PtSegmentRow *next;    /* (owned) (nullable) the readable segment after it, to chain */
} PtTimelineSpot;

void pt_timeline_spot_clear(PtTimelineSpot *spot);

/* Where @at_ns of @camera plays: the readable segment holding it and the offset, or, when the
 * instant falls in a gap, the next recorded moment.  PT_ERROR_NOT_FOUND when nothing readable
 * was recorded at or after it (a segment still being written is not readable). */
gboolean pt_timeline_locate(PtStation *station, PtStore *store, const char *camera, gint64 at_ns,
                            PtTimelineSpot *out, GError **error);

/* Segment @id, to be served: it must be readable (closed or recovered) and its file the size
 * recorded.  A camera with a privacy mask in station.ini is served a masked rendition (MP4,
 * made at the first request: the caller waits for an encode of the segment) instead, and
 * @masked_out says so.  Returns: (transfer full): the row; @fd_out an open descriptor of the
 * file to serve, @size_out its size. */
PtSegmentRow *pt_timeline_segment_open(PtStation *station, PtStore *store, gint64 id, int *fd_out,
                                       guint64 *size_out, gboolean *masked_out, GError **error);

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

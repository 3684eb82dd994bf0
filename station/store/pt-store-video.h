/* pt-store-video.h: the store's rows for recorded video: segments (one per file the
 * cameras write, open -> closed, or recovered / lost after a crash, deleted by retention),
 * gaps (time no camera recorded, with the reason) and evidence clips (one per batch event
 * that carries a clip).  Times are UTC nanoseconds since the epoch. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Segment states as stored. */
#define PT_SEGSTATE_OPEN      "open"
#define PT_SEGSTATE_CLOSED    "closed"
#define PT_SEGSTATE_RECOVERED "recovered"
#define PT_SEGSTATE_LOST      "lost"
#define PT_SEGSTATE_DELETED   "deleted"

typedef struct {
  gint64 id;
  char *camera;
  char *path;
  gint64 start_ns;
  gint64 end_ns; /* 0 while open */
  guint64 bytes; /* 0 while open */
  char *sha256;  /* nullable: NULL while open or when lost */
  char *state;
  char *reason;     /* nullable */
  gboolean in_clip; /* retention listing only: a kept evidence clip overlaps it */
} PtSegmentRow;

void pt_segment_row_free(PtSegmentRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtSegmentRow, pt_segment_row_free)

/* A new file is being written.  Idempotent for the same @path. */
gboolean pt_store_segment_open(PtStore *store, const char *camera, const char *path,
                               gint64 start_ns, GError **error);
/* A segment is finished: @state is closed, recovered or lost.  Inserts the row when its
 * open was never recorded.  @sha256 and @reason are nullable. */
gboolean pt_store_segment_finish(PtStore *store, const char *camera, const char *path,
                                 gint64 start_ns, gint64 end_ns, guint64 bytes, const char *sha256,
                                 const char *state, const char *reason, GError **error);
/* Retention removed the file. */
gboolean pt_store_segment_mark_deleted(PtStore *store, gint64 id, const char *reason,
                                       GError **error);

/* Returns: (transfer full) (element-type PtSegmentRow): rows left open, oldest first. */
GPtrArray *pt_store_segments_open(PtStore *store, GError **error);
/* Segments of @camera (NULL: all) overlapping [@from_ns, @to_ns), oldest first, at most
 * @limit.  Returns: (transfer full) (element-type PtSegmentRow). */
GPtrArray *pt_store_segments_list(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns,
                                  int limit, GError **error);
/* Readable segments (closed or recovered) of @camera overlapping [@from_ns, @to_ns), for a
 * clip, oldest first.  Returns: (transfer full) (element-type PtSegmentRow). */
GPtrArray *pt_store_segments_for_clip(PtStore *store, const char *camera, gint64 from_ns,
                                      gint64 to_ns, GError **error);
/* End of the newest readable segment of @camera (0 when none). */
gboolean pt_store_segments_readable_end(PtStore *store, const char *camera, gint64 *end_out,
                                        GError **error);
/* Readable segments, oldest first, each with in_clip set; and their total size.
 * Returns: (transfer full) (element-type PtSegmentRow). */
GPtrArray *pt_store_segments_for_retention(PtStore *store, guint64 *total_bytes_out,
                                           GError **error);

/* A gap of @camera that is over: [@from_ns, @to_ns). */
gboolean pt_store_gap_insert(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns,
                             const char *reason, GError **error);
/* @camera stopped recording at @from_ns: an open gap (to_ns NULL).  When @camera already has
 * one open, that one is kept: it started earlier and covers this one. */
gboolean pt_store_gap_open(PtStore *store, const char *camera, gint64 from_ns, const char *reason,
                           GError **error);
/* Recording of @camera resumed at @to_ns: ends its open gap.  @closed_out (nullable) says
 * whether there was one. */
gboolean pt_store_gap_close(PtStore *store, const char *camera, gint64 to_ns, gboolean *closed_out,
                            GError **error);
/* At start-up, before any camera records: opens a gap "station stopped" for every camera
 * from the end of its last finished segment, unless it has a gap open already, which then
 * reads "station stopped while camera down: <its reason>".  Own transaction. */
gboolean pt_store_gaps_station_stopped(PtStore *store, GError **error);

typedef struct {
  gint64 id;
  char *camera;
  gint64 from_ns;
  gint64 to_ns; /* 0 while open (the camera has not recorded since) */
  char *reason;
} PtGapRow;

void pt_gap_row_free(PtGapRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtGapRow, pt_gap_row_free)

/* Gaps of @camera (NULL: all) overlapping [@from_ns, @to_ns), oldest first, at most @limit;
 * an open gap overlaps everything after its start.
 * Returns: (transfer full) (element-type PtGapRow). */
GPtrArray *pt_store_gaps_list(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns,
                              int limit, GError **error);

typedef struct {
  gint64 id;
  gint64 batch_id;
  gint64 event_seq;
  char *camera;
  gint64 from_ns, to_ns; /* what the file holds: first frame to end of last frame */
  char *path;
  char sha256[64 + 1]; /* lowercase hex */
  guint64 bytes;
  gint64 created_ns;
  gint64 expired_ns; /* 0 while kept */
} PtClipRow;

void pt_clip_row_free(PtClipRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtClipRow, pt_clip_row_free)

/* Sets row->id.  Runs inside the transaction that appends the event it belongs to. */
gboolean pt_store_clip_insert(PtStore *store, PtClipRow *row, GError **error);
/* The clip of the @position-th event (1-based, log order) of @batch_id.
 * Returns: (transfer full): NULL with PT_ERROR_NOT_FOUND when that event has no clip. */
PtClipRow *pt_store_clip_get(PtStore *store, gint64 batch_id, gint64 position, GError **error);
/* Kept clips created before @before_ns.  Returns: (transfer full) (element-type PtClipRow). */
GPtrArray *pt_store_clips_to_expire(PtStore *store, gint64 before_ns, GError **error);
gboolean pt_store_clip_mark_expired(PtStore *store, gint64 id, gint64 when_ns, GError **error);

G_END_DECLS

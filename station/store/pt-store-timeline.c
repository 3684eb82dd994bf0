/* pt-store-timeline.c: the SQL of a camera's recordings timeline (see pt-store-timeline.h).
 *
 * Workload: a few reads per dashboard view of a camera's day, from the HTTP workers, and one
 * instant lookup per seek.  Every statement is a range on an index: segments_by_camera
 * (camera, start_ns), segments_by_state (state, start_ns), clips_by_camera (camera, from_ns),
 * evidence_pending_by_end (to_ns), and the events, batches and load_batches rows by key. */
#include "pt-store-timeline.h"

#include "pt-error.h"
#include "pt-store-private.h"

#define SEGMENT_COLUMNS "id, camera, path, start_ns, end_ns, bytes, sha256, state, reason"
#define READABLE        "state IN ('closed', 'recovered')"

/* ?1 camera, ?2 from, ?3 to, ?4 limit, ?5 how long before its event a clip may start.  A
 * clip of a loading (cut at once, or later by the follow-up record of pt-evidence-followup.h)
 * stands for the loading event itself: the batch's loading on a load whose scan falls in the
 * clip.  A loading event's clip may still be pending (its window was being recorded): that
 * window ends at most ?5 after the event. */
static const char sql_events[] =
    "SELECT seq, step, t, batch_id, lot, load_id, pending FROM ("
    "  SELECT coalesce(le.seq, e.seq) AS seq, coalesce(le.step, e.step) AS step,"
    "    coalesce(le.event_time_ns, e.event_time_ns) AS t, c.batch_id, b.lot, lb.load_id,"
    "    0 AS pending"
    "  FROM clips c JOIN events e ON e.seq = c.event_seq JOIN batches b ON b.id = c.batch_id"
    "  LEFT JOIN load_batches lb ON lb.batch_id = c.batch_id"
    "    AND lb.added_ns BETWEEN c.from_ns AND c.to_ns"
    "  LEFT JOIN events le ON le.seq = lb.event_seq"
    "  WHERE c.camera = ?1 AND c.from_ns >= ?2 - ?5 AND c.from_ns < ?3"
    "  UNION ALL"
    "  SELECT e.seq, e.step, e.event_time_ns, p.batch_id, b.lot, p.load_id, 1"
    "  FROM evidence_pending p JOIN events e ON e.seq = p.event_seq"
    "  JOIN batches b ON b.id = p.batch_id"
    "  WHERE p.to_ns >= ?2 AND p.to_ns < ?3 + ?5 AND p.camera = ?1) "
    "WHERE t >= ?2 AND t < ?3 ORDER BY t, seq LIMIT ?4";
/* Per readable state, its oldest segment of the camera: each a walk of segments_by_state
 * that stops at the camera's first row. */
static const char sql_oldest[] =
    "SELECT coalesce(min(t), 0) FROM ("
    "  SELECT (SELECT start_ns FROM segments WHERE state = 'closed' AND camera = ?1 "
    "          ORDER BY start_ns LIMIT 1) AS t "
    "  UNION ALL SELECT (SELECT start_ns FROM segments WHERE state = 'recovered' AND camera = ?1 "
    "          ORDER BY start_ns LIMIT 1))";
static const char sql_segment_at[] =
    "SELECT " SEGMENT_COLUMNS " FROM segments WHERE camera = ?1 AND start_ns <= ?2 "
    "AND start_ns > ?2 - ?3 AND " READABLE " AND end_ns > ?2 ORDER BY start_ns DESC LIMIT 1";
static const char sql_segment_after[] =
    "SELECT " SEGMENT_COLUMNS " FROM segments WHERE camera = ?1 AND start_ns > ?2 "
    "AND " READABLE " ORDER BY start_ns LIMIT 1";
static const char sql_segment_get[] = "SELECT " SEGMENT_COLUMNS " FROM segments WHERE id = ?";

void
pt_timeline_event_row_free(PtTimelineEventRow *row)
{
  if (!row)
    return;
  g_free(row->step);
  g_free(row->lot);
  g_free(row);
}

GPtrArray *
pt_store_timeline_events(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns,
                         gint64 clip_span_ns, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_events, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, from_ns);
  sqlite3_bind_int64(s, 3, to_ns);
  sqlite3_bind_int(s, 4, limit);
  sqlite3_bind_int64(s, 5, clip_span_ns);
  g_autoptr(GPtrArray) rows =
      g_ptr_array_new_with_free_func((GDestroyNotify)pt_timeline_event_row_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtTimelineEventRow *r = g_new0(PtTimelineEventRow, 1);
    r->seq = sqlite3_column_int64(s, 0);
    r->step = pt_store_column_dup(s, 1);
    r->event_time_ns = sqlite3_column_int64(s, 2);
    r->batch_id = sqlite3_column_int64(s, 3);
    r->lot = pt_store_column_dup(s, 4);
    r->load_id = sqlite3_column_int64(s, 5);
    r->pending = sqlite3_column_int(s, 6) != 0;
    g_ptr_array_add(rows, r);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read the timeline's events", error);
    return NULL;
  }
  return g_steal_pointer(&rows);
}

gboolean
pt_store_timeline_oldest(PtStore *store, const char *camera, gint64 *start_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_oldest, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  return pt_store_step_int64(store, s, "read the oldest segment", start_out, error);
}

/* Steps @s (bound) for at most one segment row. */
static PtSegmentRow *
one_segment(PtStore *store, sqlite3_stmt *s, GError **error)
{
  PtSegmentRow *row = NULL;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    row = pt_store_segment_from_row(s);
    rc = SQLITE_DONE;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    pt_store_set_sqlite_error(store, rc, "read a segment", error);
  return row;
}

PtSegmentRow *
pt_store_timeline_segment_at(PtStore *store, const char *camera, gint64 at_ns, gint64 max_len_ns,
                             GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segment_at, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, at_ns);
  sqlite3_bind_int64(s, 3, max_len_ns);
  return one_segment(store, s, error);
}

PtSegmentRow *
pt_store_timeline_segment_after(PtStore *store, const char *camera, gint64 at_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segment_after, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, at_ns);
  return one_segment(store, s, error);
}

PtSegmentRow *
pt_store_timeline_segment_get(PtStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segment_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, id);
  g_autoptr(GError) local = NULL;
  PtSegmentRow *row = one_segment(store, s, &local);
  if (!row && !local)
    g_set_error(&local, PT_ERROR, PT_ERROR_NOT_FOUND, "no segment %" G_GINT64_FORMAT, id);
  if (!row)
    g_propagate_error(error, g_steal_pointer(&local));
  return row;
}

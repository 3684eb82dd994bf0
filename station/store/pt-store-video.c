/* pt-store-video.c: the SQL of the video tables (segments, gaps, clips; schema in
 * pt-store-private.h).
 *
 * Workload: per camera one open and one finish per segment (default every 60 s), one
 * retention listing after each finish, a few clip reads and inserts a day, and segment
 * listings from the HTTP workers.  All are single statements on indexed columns. */
#include "pt-store-video.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

#define SEGMENT_COLUMNS "id, camera, path, start_ns, end_ns, bytes, sha256, state, reason"
#define READABLE        "state IN ('closed', 'recovered')"
#define CLIP_COLUMNS                                                                               \
  "id, batch_id, event_seq, camera, from_ns, to_ns, path, sha256, bytes, created_ns, expired_ns"

static const char sql_segment_open[] =
    "INSERT INTO segments (camera, path, start_ns, state) VALUES (?, ?, ?, 'open') "
    "ON CONFLICT (path) DO NOTHING";
static const char sql_segment_finish[] =
    "INSERT INTO segments (camera, path, start_ns, end_ns, bytes, sha256, state, reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET end_ns = excluded.end_ns, "
    "bytes = excluded.bytes, sha256 = excluded.sha256, state = excluded.state, "
    "reason = excluded.reason";
static const char sql_segment_deleted[] =
    "UPDATE segments SET state = 'deleted', reason = ? WHERE id = ?";
static const char sql_segments_open[] =
    "SELECT " SEGMENT_COLUMNS " FROM segments WHERE state = 'open' ORDER BY start_ns";
/* An open segment has no end yet: it overlaps everything after its start. */
static const char sql_segments_list[] =
    "SELECT " SEGMENT_COLUMNS " FROM segments WHERE (?1 IS NULL OR camera = ?1) "
    "AND coalesce(end_ns, ?3) > ?2 AND start_ns < ?3 ORDER BY start_ns LIMIT ?4";
static const char sql_segments_clip[] =
    "SELECT " SEGMENT_COLUMNS " FROM segments WHERE camera = ? AND " READABLE
    " AND end_ns > ? AND start_ns < ? ORDER BY start_ns";
static const char sql_segments_end[] =
    "SELECT coalesce(max(end_ns), 0) FROM segments WHERE camera = ? AND " READABLE;
static const char sql_segments_retention[] =
    "SELECT " SEGMENT_COLUMNS ", EXISTS (SELECT 1 FROM clips c WHERE c.camera = s.camera "
    "AND c.expired_ns IS NULL AND c.from_ns < s.end_ns AND c.to_ns > s.start_ns) "
    "FROM segments s WHERE " READABLE " ORDER BY start_ns";
static const char sql_gap_insert[] =
    "INSERT INTO gaps (camera, from_ns, to_ns, reason) VALUES (?, ?, ?, ?)";
/* gaps_one_open: a camera whose gap is already open keeps that one (its earlier start). */
static const char sql_gap_open[] = "INSERT INTO gaps (camera, from_ns, to_ns, reason) "
                                   "VALUES (?, ?, NULL, ?) ON CONFLICT DO NOTHING";
static const char sql_gap_close[] = "UPDATE gaps SET to_ns = max(?2, from_ns) "
                                    "WHERE camera = ?1 AND to_ns IS NULL";
/* At start-up, before any camera runs: nothing records now, so every camera's time since its
 * last footage (the end of its newest finished segment -- a lost one ends where it started --
 * or of its last gap, when it was down at a clean stop) is a gap until it records again.  An
 * outage left open says the camera was down too.  One scan of both tables per start. */
static const char sql_gaps_stopped_open[] =
    "UPDATE gaps SET reason = 'station stopped while camera down: ' || reason "
    "WHERE to_ns IS NULL AND reason NOT GLOB 'station stopped*'";
static const char sql_gaps_stopped_new[] =
    "INSERT INTO gaps (camera, from_ns, to_ns, reason) "
    "SELECT camera, max(t), NULL, 'station stopped' FROM ("
    "  SELECT camera, end_ns AS t FROM segments WHERE state <> 'open' AND end_ns IS NOT NULL"
    "  UNION ALL SELECT camera, to_ns FROM gaps WHERE to_ns IS NOT NULL) "
    "WHERE camera NOT IN (SELECT camera FROM gaps WHERE to_ns IS NULL) GROUP BY camera";
static const char sql_gaps_list[] =
    "SELECT id, camera, from_ns, to_ns, reason FROM gaps WHERE (?1 IS NULL OR camera = ?1) "
    "AND coalesce(to_ns, ?3) > ?2 AND from_ns < ?3 ORDER BY from_ns LIMIT ?4";
static const char sql_clip_insert[] =
    "INSERT INTO clips (batch_id, event_seq, camera, from_ns, to_ns, path, sha256, bytes, "
    "created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_clip_get[] =
    "SELECT " CLIP_COLUMNS " FROM clips WHERE batch_id = ?1 AND event_seq = "
    "(SELECT seq FROM events WHERE batch_id = ?1 ORDER BY seq LIMIT 1 OFFSET ?2 - 1)";
static const char sql_clips_expire[] =
    "SELECT " CLIP_COLUMNS " FROM clips WHERE expired_ns IS NULL AND created_ns < ? ORDER BY id";
static const char sql_clip_expired[] = "UPDATE clips SET expired_ns = ? WHERE id = ?";

void
pt_segment_row_free(PtSegmentRow *row)
{
  if (!row)
    return;
  g_free(row->camera);
  g_free(row->path);
  g_free(row->sha256);
  g_free(row->state);
  g_free(row->reason);
  g_free(row);
}

gboolean
pt_store_segment_open(PtStore *store, const char *camera, const char *path, gint64 start_ns,
                      GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segment_open, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, start_ns);
  return pt_store_step_done(store, s, "record segment", error);
}

gboolean
pt_store_segment_finish(PtStore *store, const char *camera, const char *path, gint64 start_ns,
                        gint64 end_ns, guint64 bytes, const char *sha256, const char *state,
                        const char *reason, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segment_finish, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, start_ns);
  sqlite3_bind_int64(s, 4, end_ns);
  sqlite3_bind_int64(s, 5, (sqlite3_int64)bytes);
  pt_store_bind_text_or_null(s, 6, sha256);
  sqlite3_bind_text(s, 7, state, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 8, reason);
  return pt_store_step_done(store, s, "finish segment", error);
}

gboolean
pt_store_segment_mark_deleted(PtStore *store, gint64 id, const char *reason, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segment_deleted, error);
  if (!s)
    return FALSE;
  pt_store_bind_text_or_null(s, 1, reason);
  sqlite3_bind_int64(s, 2, id);
  return pt_store_step_done(store, s, "mark segment deleted", error);
}

PtSegmentRow *
pt_store_segment_from_row(sqlite3_stmt *s)
{
  PtSegmentRow *r = g_new0(PtSegmentRow, 1);
  r->id = sqlite3_column_int64(s, 0);
  r->camera = pt_store_column_dup(s, 1);
  r->path = pt_store_column_dup(s, 2);
  r->start_ns = sqlite3_column_int64(s, 3);
  r->end_ns = sqlite3_column_int64(s, 4);
  r->bytes = (guint64)sqlite3_column_int64(s, 5);
  r->sha256 = pt_store_column_dup(s, 6);
  r->state = pt_store_column_dup(s, 7);
  r->reason = pt_store_column_dup(s, 8);
  return r;
}

/* Collects every row of @s (already bound); @with_in_clip reads column 9 as in_clip. */
static GPtrArray *
collect_segments(PtStore *store, sqlite3_stmt *s, gboolean with_in_clip, GError **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)pt_segment_row_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtSegmentRow *r = pt_store_segment_from_row(s);
    if (with_in_clip)
      r->in_clip = sqlite3_column_int(s, 9) != 0;
    g_ptr_array_add(rows, r);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read segments", error);
    return NULL;
  }
  return g_steal_pointer(&rows);
}

GPtrArray *
pt_store_segments_open(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segments_open, error);
  return s ? collect_segments(store, s, FALSE, error) : NULL;
}

GPtrArray *
pt_store_segments_list(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns, int limit,
                       GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segments_list, error);
  if (!s)
    return NULL;
  pt_store_bind_text_or_null(s, 1, camera);
  sqlite3_bind_int64(s, 2, from_ns);
  sqlite3_bind_int64(s, 3, to_ns);
  sqlite3_bind_int(s, 4, limit);
  return collect_segments(store, s, FALSE, error);
}

GPtrArray *
pt_store_segments_for_clip(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns,
                           GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segments_clip, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, from_ns);
  sqlite3_bind_int64(s, 3, to_ns);
  return collect_segments(store, s, FALSE, error);
}

gboolean
pt_store_segments_readable_end(PtStore *store, const char *camera, gint64 *end_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segments_end, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  return pt_store_step_int64(store, s, "read segments", end_out, error);
}

GPtrArray *
pt_store_segments_for_retention(PtStore *store, guint64 *total_bytes_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_segments_retention, error);
  if (!s)
    return NULL;
  GPtrArray *rows = collect_segments(store, s, TRUE, error);
  if (rows && total_bytes_out) {
    *total_bytes_out = 0;
    for (guint i = 0; i < rows->len; i++)
      *total_bytes_out += ((PtSegmentRow *)g_ptr_array_index(rows, i))->bytes;
  }
  return rows;
}

gboolean
pt_store_gap_insert(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns,
                    const char *reason, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_gap_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, from_ns);
  sqlite3_bind_int64(s, 3, to_ns);
  sqlite3_bind_text(s, 4, reason, -1, SQLITE_TRANSIENT);
  return pt_store_step_done(store, s, "record gap", error);
}

gboolean
pt_store_gap_open(PtStore *store, const char *camera, gint64 from_ns, const char *reason,
                  GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_gap_open, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, from_ns);
  sqlite3_bind_text(s, 3, reason, -1, SQLITE_TRANSIENT);
  return pt_store_step_done(store, s, "record open gap", error);
}

gboolean
pt_store_gap_close(PtStore *store, const char *camera, gint64 to_ns, gboolean *closed_out,
                   GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_gap_close, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, to_ns);
  if (!pt_store_step_done(store, s, "close gap", error))
    return FALSE;
  if (closed_out)
    *closed_out = sqlite3_changes(pt_store_db(store)) > 0;
  return TRUE;
}

gboolean
pt_store_gaps_station_stopped(PtStore *store, GError **error)
{
  if (!pt_store_begin(store, error))
    return FALSE;
  sqlite3_stmt *s = pt_store_stmt(store, sql_gaps_stopped_open, error);
  if (!s || !pt_store_step_done(store, s, "record station stop", error))
    goto fail;
  s = pt_store_stmt(store, sql_gaps_stopped_new, error);
  if (!s || !pt_store_step_done(store, s, "record station stop", error))
    goto fail;
  return pt_store_commit(store, error);
fail:
  pt_store_rollback(store);
  return FALSE;
}

void
pt_gap_row_free(PtGapRow *row)
{
  if (!row)
    return;
  g_free(row->camera);
  g_free(row->reason);
  g_free(row);
}

GPtrArray *
pt_store_gaps_list(PtStore *store, const char *camera, gint64 from_ns, gint64 to_ns, int limit,
                   GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_gaps_list, error);
  if (!s)
    return NULL;
  pt_store_bind_text_or_null(s, 1, camera);
  sqlite3_bind_int64(s, 2, from_ns);
  sqlite3_bind_int64(s, 3, to_ns);
  sqlite3_bind_int(s, 4, limit);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)pt_gap_row_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtGapRow *r = g_new0(PtGapRow, 1);
    r->id = sqlite3_column_int64(s, 0);
    r->camera = pt_store_column_dup(s, 1);
    r->from_ns = sqlite3_column_int64(s, 2);
    r->to_ns = sqlite3_column_type(s, 3) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 3);
    r->reason = pt_store_column_dup(s, 4);
    g_ptr_array_add(rows, r);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read gaps", error);
    return NULL;
  }
  return g_steal_pointer(&rows);
}

void
pt_clip_row_free(PtClipRow *row)
{
  if (!row)
    return;
  g_free(row->camera);
  g_free(row->path);
  g_free(row);
}

gboolean
pt_store_clip_insert(PtStore *store, PtClipRow *row, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clip_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, row->batch_id);
  sqlite3_bind_int64(s, 2, row->event_seq);
  sqlite3_bind_text(s, 3, row->camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 4, row->from_ns);
  sqlite3_bind_int64(s, 5, row->to_ns);
  sqlite3_bind_text(s, 6, row->path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 7, row->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 8, (sqlite3_int64)row->bytes);
  sqlite3_bind_int64(s, 9, row->created_ns);
  if (!pt_store_step_done(store, s, "record clip", error))
    return FALSE;
  row->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

static PtClipRow *
clip_from_row(sqlite3_stmt *s)
{
  PtClipRow *r = g_new0(PtClipRow, 1);
  r->id = sqlite3_column_int64(s, 0);
  r->batch_id = sqlite3_column_int64(s, 1);
  r->event_seq = sqlite3_column_int64(s, 2);
  r->camera = pt_store_column_dup(s, 3);
  r->from_ns = sqlite3_column_int64(s, 4);
  r->to_ns = sqlite3_column_int64(s, 5);
  r->path = pt_store_column_dup(s, 6);
  g_strlcpy(r->sha256, (const char *)sqlite3_column_text(s, 7), sizeof r->sha256);
  r->bytes = (guint64)sqlite3_column_int64(s, 8);
  r->created_ns = sqlite3_column_int64(s, 9);
  r->expired_ns = sqlite3_column_int64(s, 10);
  return r;
}

PtClipRow *
pt_store_clip_get(PtStore *store, gint64 batch_id, gint64 position, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clip_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_int64(s, 2, position);
  int rc = sqlite3_step(s);
  PtClipRow *r = NULL;
  if (rc == SQLITE_ROW)
    r = clip_from_row(s);
  else if (rc == SQLITE_DONE)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "event %" G_GINT64_FORMAT " of batch %" G_GINT64_FORMAT " has no clip", position,
                batch_id);
  else
    pt_store_set_sqlite_error(store, rc, "read clip", error);
  sqlite3_reset(s);
  return r;
}

GPtrArray *
pt_store_clips_to_expire(PtStore *store, gint64 before_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clips_expire, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, before_ns);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)pt_clip_row_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(rows, clip_from_row(s));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read clips", error);
    return NULL;
  }
  return g_steal_pointer(&rows);
}

gboolean
pt_store_clip_mark_expired(PtStore *store, gint64 id, gint64 when_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clip_expired, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, when_ns);
  sqlite3_bind_int64(s, 2, id);
  return pt_store_step_done(store, s, "mark clip expired", error);
}

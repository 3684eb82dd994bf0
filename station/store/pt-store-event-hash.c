/* pt-store-event-hash.c: the SQL of lookups by GS1 Event Hash ID and of the one-time fill of
 * hash_id for events stored before it existed.
 *
 * Workload: a lookup is one indexed read per request from a buyer or a resolver; the fill
 * runs once per old event, after the migration to schema 15, then finds nothing (one read of
 * the events_without_hash_id index per store opening). */
#include "pt-store-event-hash.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

/* By events_by_hash_key (schema 22); the unary + keeps SQLite 3.40's planner from scanning
 * the log for the full ID's equality instead (EXPLAIN QUERY PLAN). */
static const char sql_find[] =
    "SELECT e.seq, e.batch_id, e.event_id, e.step, e.event_time_ns, e.record_time_ns, e.body, "
    "e.hash_id, b.lot, b.gtin FROM events e JOIN batches b ON b.id = e.batch_id "
    "WHERE substr(e.hash_id, 15, 12) = substr(?1, 15, 12) AND +e.hash_id = ?1 "
    "ORDER BY e.seq LIMIT 1";
static const char sql_missing[] =
    "SELECT seq, body FROM events WHERE hash_id IS NULL AND seq > ? ORDER BY seq LIMIT ?";
static const char sql_set[] = "UPDATE events SET hash_id = ?2 WHERE seq = ?1 AND hash_id IS NULL";

static char *
column_dup(sqlite3_stmt *s, int i)
{
  return g_strdup((const char *)sqlite3_column_text(s, i));
}

gboolean
pt_store_event_find_by_hash_id(PtStore *store, const char *hash_id, PtEventRow *row, char **lot,
                               char **gtin, GError **error)
{
  memset(row, 0, sizeof *row);
  sqlite3_stmt *s = pt_store_stmt(store, sql_find, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, hash_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    row->seq = sqlite3_column_int64(s, 0);
    row->batch_id = sqlite3_column_int64(s, 1);
    row->event_id = column_dup(s, 2);
    row->step = column_dup(s, 3);
    row->event_time_ns = sqlite3_column_int64(s, 4);
    row->record_time_ns = sqlite3_column_int64(s, 5);
    row->body = column_dup(s, 6);
    row->body_len = (gsize)sqlite3_column_bytes(s, 6);
    row->hash_id = column_dup(s, 7);
    *lot = column_dup(s, 8);
    *gtin = column_dup(s, 9);
  }
  sqlite3_reset(s);
  if (rc == SQLITE_DONE) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no event has the hash ID %s", hash_id);
    return FALSE;
  }
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "find event by hash ID", error);
  return TRUE;
}

static void
row_free(gpointer data)
{
  pt_event_row_clear(data);
  g_free(data);
}

GPtrArray *
pt_store_events_missing_hash_id(PtStore *store, gint64 after, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_missing, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, after);
  sqlite3_bind_int(s, 2, limit);
  GPtrArray *rows = g_ptr_array_new_with_free_func(row_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtEventRow *row = g_new0(PtEventRow, 1);
    row->seq = sqlite3_column_int64(s, 0);
    row->body = column_dup(s, 1);
    row->body_len = (gsize)sqlite3_column_bytes(s, 1);
    g_ptr_array_add(rows, row);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(rows);
    pt_store_set_sqlite_error(store, rc, "read events without hash ID", error);
    return NULL;
  }
  return rows;
}

gboolean
pt_store_event_set_hash_id(PtStore *store, gint64 seq, const char *hash_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_set, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, seq);
  sqlite3_bind_text(s, 2, hash_id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "set event hash ID", error);
  return TRUE;
}

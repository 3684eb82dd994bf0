/* pt-store-signed.c: the SQL behind a batch's signed facts (pt-batch-signed.h) and the
 * checks of the database file that `audit` runs.
 *
 * Workload: one indexed read of at most three events per batch decision (load add, load
 * close, label print, driver scan) and per consumer page render; the events_by_batch index
 * (batch_id, seq) bounds each subquery to the batch's own events.  The integrity check and
 * the batch walk run once per `audit`. */
#include "pt-store-signed.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

/* The status events are the ones pt-batch.c signs (they carry pt:action); a hand-recorded
 * "holding" step and a copy declaring an earlier event in error change nothing. */
static const char sql_fact_events[] =
    "SELECT seq, batch_id, event_id, step, event_time_ns, record_time_ns, body, hash, "
    "prev_batch_hash, prev_station_hash, signature, hash_id FROM events WHERE seq IN ("
    " (SELECT min(seq) FROM events WHERE batch_id = ?1 AND step = 'commissioning'),"
    " (SELECT max(seq) FROM events WHERE batch_id = ?1 AND step = 'holding'"
    "   AND json_valid(body) AND json_extract(body, '$.\"pt:action\"') IS NOT NULL"
    "   AND json_extract(body, '$.errorDeclaration') IS NULL),"
    " (SELECT max(seq) FROM events WHERE batch_id = ?1 AND step = 'inspecting'"
    "   AND json_valid(body) AND json_extract(body, '$.\"pt:declaredClass\"') IS NOT NULL"
    "   AND json_extract(body, '$.errorDeclaration') IS NULL))"
    " ORDER BY seq";

static const char sql_batches_all[] =
    "SELECT id, lot, gtin, product, variety, origin, grower, harvest_date, pack_date, quantity, "
    "uom, status, status_reason, created_ns, demo FROM batches ORDER BY id";

gboolean
pt_store_batch_fact_events(PtStore *store, gint64 batch_id, PtEventFunc fn, gpointer user_data,
                           GError **error)
{
  /* @fn may read the store (a foreach inside a foreach): pt_store_walk_stmt(). */
  sqlite3_stmt *s = pt_store_walk_stmt(store, sql_fact_events, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  return pt_store_events_each(store, s, fn, user_data, "read a batch's signed facts", error);
}

gboolean
pt_store_integrity_check(PtStore *store, gboolean quick, GPtrArray **problems_out, GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(pt_store_db(store),
                              quick ? "PRAGMA quick_check(100)" : "PRAGMA integrity_check(100)", -1,
                              &s, NULL);
  if (rc != SQLITE_OK)
    return pt_store_set_sqlite_error(store, rc, "integrity check", error);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *line = (const char *)sqlite3_column_text(s, 0);
    if (line && strcmp(line, "ok") != 0)
      g_ptr_array_add(problems, g_strdup(line));
  }
  sqlite3_finalize(s);
  /* A file damaged enough stops the check itself: that is its finding. */
  if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
    g_ptr_array_add(problems, g_strdup(sqlite3_errstr(rc)));
  else if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "integrity check", error);
  *problems_out = g_steal_pointer(&problems);
  return TRUE;
}

gboolean
pt_store_batches_foreach(PtStore *store, PtBatchFunc fn, gpointer user_data, GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(pt_store_db(store), sql_batches_all, -1, &s, NULL);
  if (rc != SQLITE_OK)
    return pt_store_set_sqlite_error(store, rc, "prepare", error);
  gboolean ok = TRUE;
  while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtBatch b = {0};
    b.id = sqlite3_column_int64(s, 0);
    b.lot = (char *)sqlite3_column_text(s, 1);
    b.gtin = (char *)sqlite3_column_text(s, 2);
    b.product = (char *)sqlite3_column_text(s, 3);
    b.variety = (char *)sqlite3_column_text(s, 4);
    b.origin = (char *)sqlite3_column_text(s, 5);
    b.grower = (char *)sqlite3_column_text(s, 6);
    b.harvest_date = (char *)sqlite3_column_text(s, 7);
    b.pack_date = (char *)sqlite3_column_text(s, 8);
    b.has_quantity = sqlite3_column_type(s, 9) != SQLITE_NULL;
    b.quantity = sqlite3_column_double(s, 9);
    b.uom = (char *)sqlite3_column_text(s, 10);
    b.status = (char *)sqlite3_column_text(s, 11);
    b.status_reason = (char *)sqlite3_column_text(s, 12);
    b.created_ns = sqlite3_column_int64(s, 13);
    b.demo = sqlite3_column_int(s, 14) != 0;
    ok = fn(&b, user_data, error);
  }
  if (ok && rc != SQLITE_DONE)
    ok = pt_store_set_sqlite_error(store, rc, "read batches", error);
  sqlite3_finalize(s);
  return ok;
}

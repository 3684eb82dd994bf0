/* pt-store-sync.c: every statement of the sync outbox (see pt-store-sync.h).
 *
 * Workload: one outbox INSERT per event, inside the event's transaction; the sync
 * worker queues new rows every poll, reads a few hundred due rows per request and
 * changes their state in one transaction per request.  Status reads are rare. */
#include "pt-store-sync.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

/* ?5 filter kind, ?6 filter value; b is the batch */
#define FILTER_SQL                                                                                 \
  "(?5 = 'all' OR (?5 = 'product' AND b.product = ?6) OR (?5 = 'gtin' AND b.gtin = ?6) OR "        \
  "(?5 = 'grower' AND b.grower = ?6))"

/* A demo batch's events and changes are never queued: no platform may receive them. */
#define NOT_DEMO "WHERE NOT (SELECT demo FROM batches WHERE id = ?1)"
static const char sql_outbox_event[] = "INSERT INTO outbox (batch_id, kind, event_seq, key, "
                                       "created_ns) SELECT ?1, 'event', ?2, ?3, ?4 " NOT_DEMO;
static const char sql_outbox_batch[] = "INSERT INTO outbox (batch_id, kind, key, status, reason, "
                                       "created_ns) SELECT ?1, 'batch', ?2, ?3, ?4, ?5 " NOT_DEMO;
static const char sql_outbox_max[] = "SELECT coalesce(max(id), 0) FROM outbox";
static const char sql_conn_ensure[] =
    "INSERT OR IGNORE INTO sync_connectors (name, cursor) VALUES "
    "(?1, CASE WHEN ?2 THEN 0 ELSE (SELECT coalesce(max(id), 0) FROM outbox) END)";
static const char sql_conn_delete_deliveries[] = "DELETE FROM sync_deliveries WHERE connector = ?";
static const char sql_conn_delete[] = "DELETE FROM sync_connectors WHERE name = ?";
static const char sql_conn_get[] = "SELECT cursor, retry_gen FROM sync_connectors WHERE name = ?";
static const char sql_queue[] =
    "INSERT INTO sync_deliveries (connector, outbox_id, batch_id, state, created_ns) "
    "SELECT ?1, o.id, o.batch_id, 'pending', o.created_ns FROM outbox o "
    "JOIN batches b ON b.id = o.batch_id "
    "WHERE o.id > ?2 AND o.id <= ?3 AND (?4 OR o.kind = 'event') AND " FILTER_SQL " ORDER BY o.id";
static const char sql_cursor_set[] =
    "UPDATE sync_connectors SET cursor = ?2 WHERE name = ?1 AND cursor < ?2";
static const char sql_ready[] =
    "SELECT d.outbox_id, d.batch_id, d.attempts, d.solo, o.kind, o.key, o.status, o.reason, "
    "o.created_ns, e.seq, e.step, e.event_time_ns, e.body, e.hash, e.signature, b.lot, b.gtin, "
    "b.product, b.variety, b.origin, b.grower "
    "FROM sync_deliveries d JOIN outbox o ON o.id = d.outbox_id "
    "JOIN batches b ON b.id = d.batch_id LEFT JOIN events e ON e.seq = o.event_seq "
    "WHERE d.connector = ?1 AND d.state = 'pending' AND d.next_ns <= ?2 AND d.batch_id NOT IN ("
    "  SELECT batch_id FROM sync_deliveries WHERE connector = ?1 AND state IN ('sending', 'failed')"
    "  UNION SELECT batch_id FROM sync_deliveries"
    "  WHERE connector = ?1 AND state = 'pending' AND next_ns > ?2) "
    "ORDER BY d.outbox_id LIMIT ?3";
static const char sql_next_due[] = "SELECT coalesce(min(next_ns), 0) FROM sync_deliveries "
                                   "WHERE connector = ? AND state = 'pending' AND next_ns > ?";
static const char sql_mark_sending[] =
    "UPDATE sync_deliveries SET state = 'sending' WHERE connector = ? AND outbox_id = ?";
static const char sql_delivered[] =
    "DELETE FROM sync_deliveries WHERE connector = ? AND outbox_id = ?";
static const char sql_delivered_count[] =
    "UPDATE sync_connectors SET delivered = delivered + ?2, last_ok_ns = ?3 WHERE name = ?1";
static const char sql_release[] =
    "UPDATE sync_deliveries SET state = 'pending', attempts = attempts + (?3 > 0), "
    "next_ns = ?3, http_status = coalesce(?4, http_status), last_error = coalesce(?5, last_error) "
    "WHERE connector = ?1 AND outbox_id = ?2";
static const char sql_solo[] =
    "UPDATE sync_deliveries SET state = 'pending', solo = 1, next_ns = 0 "
    "WHERE connector = ? AND outbox_id = ?";
static const char sql_fail[] =
    "UPDATE sync_deliveries SET state = 'failed', attempts = attempts + 1, http_status = ?3, "
    "last_error = ?4 WHERE connector = ?1 AND outbox_id = ?2";
static const char sql_quarantine[] =
    "UPDATE sync_deliveries SET state = 'quarantined', attempts = attempts + 1, http_status = ?3, "
    "last_error = ?4 WHERE connector = ?1 AND outbox_id = ?2";
static const char sql_note_error[] =
    "UPDATE sync_connectors SET last_error = ?2, last_error_ns = ?3 WHERE name = ?1";
static const char sql_recover[] =
    "UPDATE sync_deliveries SET state = 'pending' WHERE state = 'sending'";
static const char sql_retry[] =
    "UPDATE sync_deliveries SET state = 'pending', next_ns = 0, "
    "attempts = CASE WHEN state IN ('failed', 'quarantined') THEN 0 ELSE attempts END "
    "WHERE (?1 IS NULL OR connector = ?1) "
    "AND (state = 'pending' OR (?2 AND state IN ('failed', 'quarantined')))";
static const char sql_retry_gen[] =
    "UPDATE sync_connectors SET retry_gen = retry_gen + 1 WHERE ?1 IS NULL OR name = ?1";
static const char sql_counts[] =
    "SELECT (SELECT count(*) FROM sync_deliveries WHERE connector = ?1 AND state = 'pending'), "
    "(SELECT count(*) FROM sync_deliveries WHERE connector = ?1 AND state = 'sending'), "
    "(SELECT count(*) FROM sync_deliveries WHERE connector = ?1 AND state = 'failed'), "
    "(SELECT min(created_ns) FROM sync_deliveries WHERE connector = ?1 "
    "  AND state NOT IN ('failed', 'quarantined')), "
    "c.delivered, c.last_ok_ns, c.last_error, c.last_error_ns, c.cursor, "
    "(SELECT count(*) FROM sync_deliveries WHERE connector = ?1 AND state = 'quarantined') "
    "FROM sync_connectors c WHERE c.name = ?1";
static const char sql_unqueued[] =
    "SELECT count(*), min(o.created_ns) FROM outbox o JOIN batches b ON b.id = o.batch_id "
    "WHERE o.id > ?2 AND (?4 OR o.kind = 'event') AND " FILTER_SQL;
static const char sql_failures[] =
    "SELECT d.outbox_id, o.key, b.lot, d.http_status, d.attempts, d.last_error, "
    "d.state = 'quarantined' "
    "FROM sync_deliveries d JOIN outbox o ON o.id = d.outbox_id JOIN batches b ON b.id = "
    "d.batch_id "
    "WHERE d.connector = ? AND d.state IN ('failed', 'quarantined') ORDER BY d.outbox_id LIMIT ?";

gboolean
pt_store_outbox_add_event(PtStore *store, const PtEventRow *row, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_outbox_event, error);
  if (!s)
    return FALSE;
  /* The key is the idempotency key platforms see.  An errorDeclaration repeats the
   * eventID of the event it corrects, so it needs a key of its own or a platform
   * would drop it as a repeat.  The record is canonical JSON: a quote inside a
   * string is escaped, so this text can only be a member name. */
  gboolean declaration = strstr(row->body, PT_STORE_DECLARATION_MARK) != NULL;
  g_autofree char *key =
      declaration ? g_strconcat(row->event_id, PT_STORE_DECLARATION_KEY_SUFFIX, NULL) : NULL;
  sqlite3_bind_int64(s, 1, row->batch_id);
  sqlite3_bind_int64(s, 2, row->seq);
  sqlite3_bind_text(s, 3, declaration ? key : row->event_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 4, row->record_time_ns);
  return pt_store_step_done(store, s, "queue event for sync", error);
}

gboolean
pt_store_outbox_add_batch(PtStore *store, gint64 batch_id, const char *status, const char *reason,
                          GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_outbox_batch, error);
  if (!s)
    return FALSE;
  /* The change has no eventID of its own; a random one, stored, keeps retries
   * idempotent. */
  g_autofree char *uuid = g_uuid_string_random();
  g_autofree char *key = g_strconcat("urn:uuid:", uuid, NULL);
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
  if (reason)
    sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 5, g_get_real_time() * 1000);
  return pt_store_step_done(store, s, "queue batch change for sync", error);
}

gboolean
pt_store_outbox_max(PtStore *store, gint64 *max_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_outbox_max, error);
  if (!s)
    return FALSE;
  return pt_store_step_int64(store, s, "read outbox", max_out, error);
}

gboolean
pt_store_sync_connector_ensure(PtStore *store, const char *name, gboolean from_start,
                               GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_conn_ensure, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, from_start);
  return pt_store_step_done(store, s, "add sync connector", error);
}

gboolean
pt_store_sync_connector_delete(PtStore *store, const char *name, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_conn_delete_deliveries, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  if (!pt_store_step_done(store, s, "remove sync deliveries", error))
    return FALSE;
  s = pt_store_stmt(store, sql_conn_delete, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  return pt_store_step_done(store, s, "remove sync connector", error);
}

static gboolean
connector_get(PtStore *store, const char *name, gint64 *cursor, gint64 *gen, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_conn_get, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *cursor = sqlite3_column_int64(s, 0);
    *gen = sqlite3_column_int64(s, 1);
  }
  sqlite3_reset(s);
  if (rc == SQLITE_DONE) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no sync state for connector %s", name);
    return FALSE;
  }
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "read sync connector", error);
  return TRUE;
}

gboolean
pt_store_sync_retry_gen(PtStore *store, const char *name, gint64 *gen_out, GError **error)
{
  gint64 cursor;
  return connector_get(store, name, &cursor, gen_out, error);
}

gboolean
pt_store_sync_next_due(PtStore *store, const char *name, gint64 now_ns, gint64 *next_ns_out,
                       GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_next_due, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, now_ns);
  return pt_store_step_int64(store, s, "read the next delivery due", next_ns_out, error);
}

static void
bind_spec(sqlite3_stmt *s, const PtSyncQueueSpec *spec)
{
  sqlite3_bind_text(s, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 4, spec->summaries);
  sqlite3_bind_text(s, 5, spec->filter_kind, -1, SQLITE_STATIC);
  if (spec->filter_value)
    sqlite3_bind_text(s, 6, spec->filter_value, -1, SQLITE_STATIC);
}

gboolean
pt_store_sync_queue(PtStore *store, const PtSyncQueueSpec *spec, gint64 upto, GError **error)
{
  gint64 cursor, gen;
  if (!connector_get(store, spec->name, &cursor, &gen, error))
    return FALSE;
  if (cursor >= upto)
    return TRUE;
  sqlite3_stmt *s = pt_store_stmt(store, sql_queue, error);
  if (!s)
    return FALSE;
  bind_spec(s, spec);
  sqlite3_bind_int64(s, 2, cursor);
  sqlite3_bind_int64(s, 3, upto);
  if (!pt_store_step_done(store, s, "queue for sync", error))
    return FALSE;
  s = pt_store_stmt(store, sql_cursor_set, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, spec->name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, upto);
  return pt_store_step_done(store, s, "advance sync cursor", error);
}

gboolean
pt_store_sync_ready(PtStore *store, const char *name, gint64 now_ns, int limit, PtSyncItemFunc fn,
                    gpointer user_data, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_ready, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, now_ns);
  sqlite3_bind_int(s, 3, limit);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtSyncItem it = {
        .outbox_id = sqlite3_column_int64(s, 0),
        .batch_id = sqlite3_column_int64(s, 1),
        .attempts = sqlite3_column_int(s, 2),
        .solo = sqlite3_column_int(s, 3) != 0,
        .is_event = strcmp((const char *)sqlite3_column_text(s, 4), "event") == 0,
        .key = (const char *)sqlite3_column_text(s, 5),
        .status = (const char *)sqlite3_column_text(s, 6),
        .reason = (const char *)sqlite3_column_text(s, 7),
        .created_ns = sqlite3_column_int64(s, 8),
        .seq = sqlite3_column_int64(s, 9),
        .step = (const char *)sqlite3_column_text(s, 10),
        .event_time_ns = sqlite3_column_int64(s, 11),
        .body = (const char *)sqlite3_column_text(s, 12),
        .body_len = (gsize)sqlite3_column_bytes(s, 12),
        .lot = (const char *)sqlite3_column_text(s, 15),
        .gtin = (const char *)sqlite3_column_text(s, 16),
        .product = (const char *)sqlite3_column_text(s, 17),
        .variety = (const char *)sqlite3_column_text(s, 18),
        .origin = (const char *)sqlite3_column_text(s, 19),
        .grower = (const char *)sqlite3_column_text(s, 20),
    };
    if (it.is_event) {
      if (!it.body || sqlite3_column_bytes(s, 13) != PT_HASH_LEN ||
          sqlite3_column_bytes(s, 14) != PT_SIG_LEN) {
        sqlite3_reset(s);
        return pt_store_set_sqlite_error(store, SQLITE_CORRUPT, "read outbox event", error);
      }
      it.hash = sqlite3_column_blob(s, 13);
      it.signature = sqlite3_column_blob(s, 14);
    }
    if (!fn(&it, user_data)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read sync queue", error);
  return TRUE;
}

/* Runs @sql once per id with ?1 = @name, ?2 = id. */
static gboolean
for_ids(PtStore *store, const char *sql, const char *name, const gint64 *ids, guint n,
        const char *what, GError **error)
{
  for (guint i = 0; i < n; i++) {
    sqlite3_stmt *s = pt_store_stmt(store, sql, error);
    if (!s)
      return FALSE;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, ids[i]);
    if (!pt_store_step_done(store, s, what, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
pt_store_sync_mark_sending(PtStore *store, const char *name, const gint64 *ids, guint n,
                           GError **error)
{
  return for_ids(store, sql_mark_sending, name, ids, n, "mark sending", error);
}

gboolean
pt_store_sync_delivered(PtStore *store, const char *name, const gint64 *ids, guint n, gint64 now_ns,
                        GError **error)
{
  if (!for_ids(store, sql_delivered, name, ids, n, "mark delivered", error))
    return FALSE;
  sqlite3_stmt *s = pt_store_stmt(store, sql_delivered_count, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, n);
  sqlite3_bind_int64(s, 3, now_ns);
  return pt_store_step_done(store, s, "count delivered", error);
}

static void
bind_error(sqlite3_stmt *s, int i_status, int i_text, int http_status, const char *error_text)
{
  if (http_status)
    sqlite3_bind_int(s, i_status, http_status);
  if (error_text)
    sqlite3_bind_text(s, i_text, error_text, -1, SQLITE_STATIC);
}

gboolean
pt_store_sync_release(PtStore *store, const char *name, const gint64 *ids, guint n, gint64 next_ns,
                      int http_status, const char *error_text, GError **error)
{
  for (guint i = 0; i < n; i++) {
    sqlite3_stmt *s = pt_store_stmt(store, sql_release, error);
    if (!s)
      return FALSE;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, ids[i]);
    sqlite3_bind_int64(s, 3, next_ns);
    bind_error(s, 4, 5, http_status, error_text);
    if (!pt_store_step_done(store, s, "release delivery", error))
      return FALSE;
  }
  return TRUE;
}

gboolean
pt_store_sync_set_solo(PtStore *store, const char *name, const gint64 *ids, guint n, GError **error)
{
  return for_ids(store, sql_solo, name, ids, n, "split delivery", error);
}

gboolean
pt_store_sync_quarantine(PtStore *store, const char *name, gint64 id, int http_status,
                         const char *error_text, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_quarantine, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, id);
  bind_error(s, 3, 4, http_status, error_text);
  return pt_store_step_done(store, s, "quarantine", error);
}

gboolean
pt_store_sync_fail(PtStore *store, const char *name, gint64 id, int http_status,
                   const char *error_text, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_fail, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, id);
  bind_error(s, 3, 4, http_status, error_text);
  return pt_store_step_done(store, s, "mark failed", error);
}

gboolean
pt_store_sync_note_error(PtStore *store, const char *name, const char *error_text, gint64 now_ns,
                         GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_note_error, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, error_text, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, now_ns);
  return pt_store_step_done(store, s, "note sync error", error);
}

gboolean
pt_store_sync_recover(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_recover, error);
  return s && pt_store_step_done(store, s, "recover deliveries", error);
}

gboolean
pt_store_sync_retry(PtStore *store, const char *name, gboolean failed, gint64 *n_out,
                    GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_retry, error);
  if (!s)
    return FALSE;
  if (name)
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, failed);
  if (!pt_store_step_done(store, s, "retry deliveries", error))
    return FALSE;
  if (n_out)
    *n_out = sqlite3_changes64(pt_store_db(store));
  s = pt_store_stmt(store, sql_retry_gen, error);
  if (!s)
    return FALSE;
  if (name)
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  return pt_store_step_done(store, s, "retry deliveries", error);
}

void
pt_sync_counts_clear(PtSyncCounts *counts)
{
  g_free(counts->last_error);
  memset(counts, 0, sizeof *counts);
}

gboolean
pt_store_sync_counts(PtStore *store, const PtSyncQueueSpec *spec, PtSyncCounts *c, GError **error)
{
  memset(c, 0, sizeof *c);
  sqlite3_stmt *s = pt_store_stmt(store, sql_counts, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, spec->name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  gint64 cursor = 0;
  if (rc == SQLITE_ROW) {
    c->pending = sqlite3_column_int64(s, 0);
    c->sending = sqlite3_column_int64(s, 1);
    c->failed = sqlite3_column_int64(s, 2);
    c->oldest_ns = sqlite3_column_int64(s, 3);
    c->delivered = sqlite3_column_int64(s, 4);
    c->last_ok_ns = sqlite3_column_int64(s, 5);
    const unsigned char *t = sqlite3_column_text(s, 6);
    c->last_error = t ? g_strdup((const char *)t) : NULL;
    c->last_error_ns = sqlite3_column_int64(s, 7);
    cursor = sqlite3_column_int64(s, 8);
    c->quarantined = sqlite3_column_int64(s, 9);
  }
  sqlite3_reset(s);
  if (rc == SQLITE_DONE) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no sync state for connector %s", spec->name);
    return FALSE;
  }
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "read sync status", error);

  s = pt_store_stmt(store, sql_unqueued, error);
  if (!s)
    return FALSE;
  bind_spec(s, spec);
  sqlite3_bind_int64(s, 2, cursor);
  rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    c->unqueued = sqlite3_column_int64(s, 0);
    gint64 oldest = sqlite3_column_int64(s, 1);
    if (c->unqueued && (!c->oldest_ns || oldest < c->oldest_ns))
      c->oldest_ns = oldest;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "read sync status", error);
  return TRUE;
}

void
pt_sync_failure_free(PtSyncFailure *f)
{
  if (!f)
    return;
  g_free(f->key);
  g_free(f->lot);
  g_free(f->error);
  g_free(f);
}

GPtrArray *
pt_store_sync_failures(PtStore *store, const char *name, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_failures, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, limit);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_sync_failure_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtSyncFailure *f = g_new0(PtSyncFailure, 1);
    f->outbox_id = sqlite3_column_int64(s, 0);
    f->key = g_strdup((const char *)sqlite3_column_text(s, 1));
    f->lot = g_strdup((const char *)sqlite3_column_text(s, 2));
    f->http_status = sqlite3_column_int(s, 3);
    f->attempts = sqlite3_column_int(s, 4);
    f->error = g_strdup((const char *)sqlite3_column_text(s, 5));
    f->quarantined = sqlite3_column_int(s, 6) != 0;
    g_ptr_array_add(list, f);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read sync failures", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}

gboolean
pt_store_set_relaxed_durability(PtStore *store, GError **error)
{
  int rc = sqlite3_exec(pt_store_db(store), "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return pt_store_set_sqlite_error(store, rc, "set synchronous", error);
  return TRUE;
}

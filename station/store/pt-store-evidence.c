/* pt-store-evidence.c: the SQL of pending loading evidence (see pt-store-evidence.h).
 *
 * Workload: one INSERT per camera-loaded batch, one indexed range read and one min() after
 * each commit to station.db and each window's deadline (usually empty), one DELETE per
 * settled window. */
#include "pt-store-evidence.h"

#include "pt-error.h"
#include "pt-store-private.h"

static const char sql_insert[] =
    "INSERT INTO evidence_pending (event_seq, batch_id, load_id, camera, from_ns, to_ns, "
    "created_ns) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_due[] =
    "SELECT p.event_seq, e.event_id, p.batch_id, p.load_id, p.camera, p.from_ns, p.to_ns, "
    "p.created_ns FROM evidence_pending p JOIN events e ON e.seq = p.event_seq "
    "WHERE p.to_ns < ? ORDER BY p.to_ns LIMIT ?";
static const char sql_delete[] = "DELETE FROM evidence_pending WHERE event_seq = ?";
static const char sql_next[] = "SELECT coalesce(min(to_ns), 0) FROM evidence_pending";

void
pt_pending_evidence_free(PtPendingEvidence *p)
{
  if (!p)
    return;
  g_free(p->event_id);
  g_free(p->camera);
  g_free(p);
}

gboolean
pt_store_evidence_pending_insert(PtStore *store, const PtPendingEvidence *p, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, p->event_seq);
  sqlite3_bind_int64(s, 2, p->batch_id);
  sqlite3_bind_int64(s, 3, p->load_id);
  sqlite3_bind_text(s, 4, p->camera, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 5, p->from_ns);
  sqlite3_bind_int64(s, 6, p->to_ns);
  sqlite3_bind_int64(s, 7, p->created_ns);
  return pt_store_step_done(store, s, "record pending evidence", error);
}

GPtrArray *
pt_store_evidence_pending_due(PtStore *store, gint64 before_ns, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_due, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, before_ns);
  sqlite3_bind_int(s, 2, limit);
  g_autoptr(GPtrArray) rows =
      g_ptr_array_new_with_free_func((GDestroyNotify)pt_pending_evidence_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtPendingEvidence *p = g_new0(PtPendingEvidence, 1);
    p->event_seq = sqlite3_column_int64(s, 0);
    p->event_id = pt_store_column_dup(s, 1);
    p->batch_id = sqlite3_column_int64(s, 2);
    p->load_id = sqlite3_column_int64(s, 3);
    p->camera = pt_store_column_dup(s, 4);
    p->from_ns = sqlite3_column_int64(s, 5);
    p->to_ns = sqlite3_column_int64(s, 6);
    p->created_ns = sqlite3_column_int64(s, 7);
    g_ptr_array_add(rows, p);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read pending evidence", error);
    return NULL;
  }
  return g_steal_pointer(&rows);
}

gboolean
pt_store_evidence_pending_delete(PtStore *store, gint64 event_seq, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_delete, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, event_seq);
  if (!pt_store_step_done(store, s, "settle pending evidence", error))
    return FALSE;
  if (sqlite3_changes(pt_store_db(store)) == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "evidence of event %" G_GINT64_FORMAT " was already settled", event_seq);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_store_evidence_pending_next(PtStore *store, gint64 *to_ns_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_next, error);
  return s && pt_store_step_int64(store, s, "read the next pending evidence", to_ns_out, error);
}

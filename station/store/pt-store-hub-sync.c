/* pt-store-hub-sync.c: every statement of the hub connector's state (see pt-store-hub-sync.h).
 *
 * Workload: one read of up to max_batch events and one small transaction per request to the
 * hub; evidence lookups once per piece the hub asks for; status reads are rare. */
#include "pt-store-hub-sync.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

static const char sql_ensure_conn[] =
    "INSERT OR IGNORE INTO sync_connectors (name, cursor) VALUES (?1, 0)";
static const char sql_ensure_hub[] = "INSERT OR IGNORE INTO hub_sync (connector) VALUES (?1)";
static const char sql_state[] =
    "SELECT c.cursor, h.head_seq, c.retry_gen, (SELECT coalesce(max(seq), 0) FROM events) "
    "FROM sync_connectors c JOIN hub_sync h ON h.connector = c.name WHERE c.name = ?1";
static const char sql_events[] =
    "SELECT " PT_STORE_EVENT_COLUMNS " FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";
static const char sql_advance[] =
    "UPDATE sync_connectors SET cursor = ?2, delivered = delivered + ?3, "
    "last_ok_ns = CASE WHEN ?3 > 0 THEN ?4 ELSE last_ok_ns END WHERE name = ?1";
static const char sql_head_set[] = "UPDATE hub_sync SET head_seq = ?2 WHERE connector = ?1";
static const char sql_view_set[] =
    "UPDATE hub_sync SET view = ?2, view_ns = ?3 WHERE connector = ?1";
static const char sql_clock_set[] =
    "UPDATE hub_sync SET clock_skew_ms = ?2, clock_ns = ?3 WHERE connector = ?1";
static const char sql_clocks[] = "SELECT connector, clock_skew_ms, clock_ns FROM hub_sync "
                                 "WHERE clock_ns > 0 ORDER BY connector";
static const char sql_quarantine[] =
    "INSERT INTO hub_quarantine (connector, seq, reason, at_ns) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (connector, seq) DO UPDATE SET reason = ?3, at_ns = ?4";
static const char sql_is_quarantined[] =
    "SELECT count(*) FROM hub_quarantine WHERE connector = ?1 AND seq = ?2";
static const char sql_want[] =
    "INSERT INTO hub_evidence (connector, sha256, state, at_ns) VALUES (?1, ?2, 'wanted', ?3) "
    "ON CONFLICT (connector, sha256) DO UPDATE SET state = 'wanted', error = NULL, at_ns = ?3 "
    "WHERE state <> 'wanted'";
static const char sql_evidence_retry[] = "UPDATE hub_evidence SET state = 'wanted', error = NULL "
                                         "WHERE connector = ?1 AND state IN ('missing', 'refused')";
static const char sql_next_wanted[] =
    "SELECT sha256 FROM hub_evidence WHERE connector = ?1 AND state = 'wanted' "
    "ORDER BY at_ns, sha256 LIMIT 1";
static const char sql_evidence_set[] = "UPDATE hub_evidence SET state = ?3, error = ?4, at_ns = ?5 "
                                       "WHERE connector = ?1 AND sha256 = ?2";
static const char sql_counts[] =
    "SELECT c.cursor, h.head_seq, (SELECT coalesce(max(seq), 0) FROM events), "
    "(SELECT count(*) FROM hub_quarantine WHERE connector = ?1), "
    "(SELECT count(*) FROM hub_evidence WHERE connector = ?1 AND state = 'wanted'), "
    "(SELECT count(*) FROM hub_evidence WHERE connector = ?1 AND state = 'sent'), "
    "(SELECT count(*) FROM hub_evidence WHERE connector = ?1 AND state = 'missing'), "
    "(SELECT count(*) FROM hub_evidence WHERE connector = ?1 AND state = 'refused'), "
    "h.view, h.view_ns, (SELECT record_time_ns FROM events WHERE seq = c.cursor + 1) "
    "FROM sync_connectors c JOIN hub_sync h ON h.connector = c.name WHERE c.name = ?1";
static const char sql_quarantined[] =
    "SELECT q.seq, e.event_id, q.reason, q.at_ns, b.lot FROM hub_quarantine q "
    "LEFT JOIN events e ON e.seq = q.seq LEFT JOIN batches b ON b.id = e.batch_id WHERE "
    "q.connector = ?1 ORDER BY q.seq DESC LIMIT ?2";
static const char sql_problems[] =
    "SELECT sha256, state, error FROM hub_evidence WHERE connector = ?1 "
    "AND state IN ('missing', 'refused') ORDER BY at_ns DESC LIMIT ?2";
static const char sql_find_clip[] = "SELECT path FROM clips WHERE sha256 = ?1 UNION ALL "
                                    "SELECT path FROM driver_photos WHERE sha256 = ?1 UNION ALL "
                                    "SELECT path FROM attachments WHERE sha256 = ?1 LIMIT 1";
/* A still's hash is only in its signed inspecting event (pt-grading.c), next to its file. */
static const char sql_find_still[] =
    "SELECT body FROM events WHERE step = 'inspecting' AND instr(body, ?1) > 0 "
    "ORDER BY seq DESC LIMIT 1";

gboolean
pt_store_hub_sync_ensure(PtStore *store, const char *name, GError **error)
{
  const char *sqls[] = {sql_ensure_conn, sql_ensure_hub};
  for (guint i = 0; i < G_N_ELEMENTS(sqls); i++) {
    sqlite3_stmt *s = pt_store_stmt(store, sqls[i], error);
    if (!s)
      return FALSE;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (!pt_store_step_done(store, s, "add hub connector", error))
      return FALSE;
  }
  return TRUE;
}

gboolean
pt_store_hub_sync_state(PtStore *store, const char *name, PtHubSyncState *out, GError **error)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s = pt_store_stmt(store, sql_state, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    out->cursor = sqlite3_column_int64(s, 0);
    out->head_seq = sqlite3_column_int64(s, 1);
    out->retry_gen = sqlite3_column_int64(s, 2);
    out->max_seq = sqlite3_column_int64(s, 3);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
                                     "read hub connector", error);
  return TRUE;
}

gboolean
pt_store_hub_sync_events(PtStore *store, gint64 after_seq, int limit, PtEventFunc fn,
                         gpointer user_data, GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(pt_store_db(store), sql_events, -1, &s, NULL);
  if (rc != SQLITE_OK)
    return pt_store_set_sqlite_error(store, rc, "read events for the hub", error);
  sqlite3_bind_int64(s, 1, after_seq);
  sqlite3_bind_int(s, 2, limit);
  return pt_store_events_each(store, s, fn, user_data, "read events for the hub", error);
}

gboolean
pt_store_hub_sync_advance(PtStore *store, const char *name, gint64 seq, gint64 n_delivered,
                          gint64 now_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_advance, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, seq);
  sqlite3_bind_int64(s, 3, n_delivered);
  sqlite3_bind_int64(s, 4, now_ns);
  return pt_store_step_done(store, s, "advance hub cursor", error);
}

gboolean
pt_store_hub_sync_head_set(PtStore *store, const char *name, gint64 seq, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_head_set, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, seq);
  return pt_store_step_done(store, s, "record hub head", error);
}

gboolean
pt_store_hub_sync_view_set(PtStore *store, const char *name, const char *view_json, gint64 now_ns,
                           GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_view_set, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, view_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, now_ns);
  return pt_store_step_done(store, s, "record hub view", error);
}

gboolean
pt_store_hub_sync_clock_set(PtStore *store, const char *name, gint64 skew_ms, gint64 now_ns,
                            GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clock_set, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, skew_ms);
  sqlite3_bind_int64(s, 3, now_ns);
  return pt_store_step_done(store, s, "record hub clock", error);
}

void
pt_hub_clock_free(PtHubClock *clock)
{
  g_free(clock->connector);
  g_free(clock);
}

GPtrArray *
pt_store_hub_clocks(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clocks, error);
  if (!s)
    return NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_clock_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtHubClock *c = g_new0(PtHubClock, 1);
    c->connector = pt_store_column_dup(s, 0);
    c->skew_ms = sqlite3_column_int64(s, 1);
    c->at_ns = sqlite3_column_int64(s, 2);
    g_ptr_array_add(out, c);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read hub clocks", error);
    return NULL;
  }
  return g_steal_pointer(&out);
}

gboolean
pt_store_hub_sync_quarantine(PtStore *store, const char *name, gint64 seq, const char *reason,
                             gint64 now_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_quarantine, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, seq);
  sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 4, now_ns);
  return pt_store_step_done(store, s, "record hub quarantine", error);
}

gboolean
pt_store_hub_sync_is_quarantined(PtStore *store, const char *name, gint64 seq, gboolean *out,
                                 GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_is_quarantined, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, seq);
  gint64 n = 0;
  if (!pt_store_step_int64(store, s, "read hub quarantine", &n, error))
    return FALSE;
  *out = n > 0;
  return TRUE;
}

gboolean
pt_store_hub_sync_want(PtStore *store, const char *name, const char *sha256, gint64 now_ns,
                       GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_want, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, sha256, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, now_ns);
  return pt_store_step_done(store, s, "record wanted evidence", error);
}

gboolean
pt_store_hub_sync_evidence_retry(PtStore *store, const char *name, gint64 *n_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_evidence_retry, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  if (!pt_store_step_done(store, s, "retry evidence", error))
    return FALSE;
  *n_out = sqlite3_changes64(pt_store_db(store));
  return TRUE;
}

char *
pt_store_hub_sync_next_wanted(PtStore *store, const char *name, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_next_wanted, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  char *sha = rc == SQLITE_ROW ? pt_store_column_dup(s, 0) : NULL;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    pt_store_set_sqlite_error(store, rc, "read wanted evidence", error);
  return sha;
}

gboolean
pt_store_hub_sync_evidence_set(PtStore *store, const char *name, const char *sha256,
                               const char *state, const char *error_text, gint64 now_ns,
                               GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_evidence_set, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, sha256, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
  pt_store_bind_text_or_null(s, 4, error_text);
  sqlite3_bind_int64(s, 5, now_ns);
  return pt_store_step_done(store, s, "record evidence state", error);
}

void
pt_hub_sync_counts_clear(PtHubSyncCounts *counts)
{
  g_free(counts->view);
  memset(counts, 0, sizeof *counts);
}

gboolean
pt_store_hub_sync_counts(PtStore *store, const char *name, PtHubSyncCounts *c, GError **error)
{
  memset(c, 0, sizeof *c);
  sqlite3_stmt *s = pt_store_stmt(store, sql_counts, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    c->cursor = sqlite3_column_int64(s, 0);
    c->head_seq = sqlite3_column_int64(s, 1);
    c->max_seq = sqlite3_column_int64(s, 2);
    c->quarantined = sqlite3_column_int64(s, 3);
    c->evidence_wanted = sqlite3_column_int64(s, 4);
    c->evidence_sent = sqlite3_column_int64(s, 5);
    c->evidence_missing = sqlite3_column_int64(s, 6);
    c->evidence_refused = sqlite3_column_int64(s, 7);
    c->view = pt_store_column_dup(s, 8);
    c->view_ns = sqlite3_column_int64(s, 9);
    c->oldest_ns = sqlite3_column_int64(s, 10);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
                                     "read hub connector", error);
  return TRUE;
}

void
pt_hub_quarantined_free(PtHubQuarantined *q)
{
  if (!q)
    return;
  g_free(q->event_id);
  g_free(q->lot);
  g_free(q->reason);
  g_free(q);
}

GPtrArray *
pt_store_hub_sync_quarantined(PtStore *store, const char *name, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_quarantined, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, limit);
  g_autoptr(GPtrArray) list =
      g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_quarantined_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtHubQuarantined *q = g_new0(PtHubQuarantined, 1);
    q->seq = sqlite3_column_int64(s, 0);
    q->event_id = pt_store_column_dup(s, 1);
    q->reason = pt_store_column_dup(s, 2);
    q->at_ns = sqlite3_column_int64(s, 3);
    q->lot = pt_store_column_dup(s, 4);
    g_ptr_array_add(list, q);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read hub quarantine", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}

void
pt_hub_evidence_problem_free(PtHubEvidenceProblem *p)
{
  if (!p)
    return;
  g_free(p->sha256);
  g_free(p->state);
  g_free(p->error);
  g_free(p);
}

GPtrArray *
pt_store_hub_sync_evidence_problems(PtStore *store, const char *name, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_problems, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 2, limit);
  g_autoptr(GPtrArray) list =
      g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_evidence_problem_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtHubEvidenceProblem *p = g_new0(PtHubEvidenceProblem, 1);
    p->sha256 = pt_store_column_dup(s, 0);
    p->state = pt_store_column_dup(s, 1);
    p->error = pt_store_column_dup(s, 2);
    g_ptr_array_add(list, p);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read evidence problems", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}

static gboolean
find_one(PtStore *store, const char *sql, const char *sha256, char **out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  *out = rc == SQLITE_ROW ? pt_store_column_dup(s, 0) : NULL;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "find evidence", error);
  return TRUE;
}

gboolean
pt_store_evidence_find(PtStore *store, const char *sha256, char **path_out, char **still_event_out,
                       GError **error)
{
  *path_out = NULL;
  *still_event_out = NULL;
  if (!find_one(store, sql_find_clip, sha256, path_out, error))
    return FALSE;
  if (*path_out)
    return TRUE;
  return find_one(store, sql_find_still, sha256, still_event_out, error);
}

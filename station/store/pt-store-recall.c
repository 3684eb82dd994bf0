/* pt-store-recall.c: the statements of recalls: the impact list's reads by batch and the
 * recalls with their notices (pt-store-recall.h says the workload). */
#include "pt-store-recall.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <sqlite3.h>

static const char sql_batches_where[] =
    "SELECT id FROM batches WHERE (?1 IS NULL OR gtin = ?1) AND (?2 IS NULL OR grower = ?2) "
    "AND (?3 IS NULL OR pack_date >= ?3) AND (?4 IS NULL OR pack_date <= ?4) AND NOT demo "
    "ORDER BY id LIMIT ?5";
static const char sql_batches_to[] =
    "SELECT DISTINCT lb.batch_id FROM loads l JOIN load_batches lb ON lb.load_id = l.id "
    "WHERE l.destination_gln = ?1 ORDER BY lb.batch_id LIMIT ?2";
/* The type of a record is in its body only; the batch's own events are few. */
static const char sql_transformations[] =
    "SELECT body FROM events WHERE batch_id = ?1 "
    "AND instr(body, '\"type\":\"TransformationEvent\"') > 0 ORDER BY seq";
static const char sql_first_event[] =
    "SELECT body FROM events WHERE batch_id = ?1 ORDER BY seq LIMIT 1";
static const char sql_loads[] =
    "SELECT l.id AS load_id, l.plate, l.seal, l.destination, l.destination_gln, l.opened_ns, "
    "coalesce(l.closed_ns, 0) AS departed_ns, lb.added_ns AS loaded_ns, e.event_id, "
    "lb.quantity AS loose_quantity, "
    "coalesce((SELECT sum(pc.cases) FROM pallets p JOIN pallet_cases pc ON pc.pallet_id = p.id "
    "WHERE p.load_id = l.id AND pc.batch_id = lb.batch_id), 0) AS cases "
    "FROM load_batches lb JOIN loads l ON l.id = lb.load_id JOIN events e ON e.seq = lb.event_seq "
    "WHERE lb.batch_id = ?1 ORDER BY lb.event_seq";
static const char sql_pallets[] =
    "SELECT p.sscc, pc.cases, coalesce(p.load_id, 0) AS load_id FROM pallet_cases pc "
    "JOIN pallets p ON p.id = pc.pallet_id WHERE pc.batch_id = ?1 ORDER BY p.id";
static const char sql_clips[] =
    "SELECT e.step, e.event_id, c.camera, c.sha256, c.from_ns, c.to_ns FROM clips c "
    "JOIN events e ON e.seq = c.event_seq WHERE c.batch_id = ?1 ORDER BY c.event_seq";
static const char sql_stills[] =
    "SELECT f.still FROM gradings g JOIN graded_fruit f ON f.grading_id = g.id "
    "WHERE g.batch_id = ?1 AND f.still IS NOT NULL ORDER BY f.id LIMIT ?2";

static const char sql_buyers[] =
    "SELECT 'user' AS account, name, scope_gln FROM users WHERE role = 'buyer' AND scope_gln = ?1 "
    "UNION ALL SELECT 'api_key', name, scope_gln FROM api_keys WHERE role = 'buyer' "
    "AND scope_gln = ?1 AND revoked_ns IS NULL ORDER BY 1, 2";

static const char sql_recall_insert[] =
    "INSERT INTO recalls (batch_id, kind, reason, event_id, created_ns) VALUES (?, ?, ?, ?, ?)";
static const char sql_notice_insert[] =
    "INSERT INTO recall_notices (recall_id, recipient, gln, name, connector, quantity, uom, "
    "state, delivery, body, created_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'sent', "
    "iif(?5 IS NULL, 'none', 'queued'), ?8, ?9)";
static const char sql_notice_body[] = "UPDATE recall_notices SET body = ?2 WHERE id = ?1";
static const char sql_notices_due[] =
    "SELECT id, connector, body, escalation, attempts FROM recall_notices "
    "WHERE delivery = 'queued' AND next_ns <= ?1 ORDER BY id LIMIT ?2";
static const char sql_notice_done[] =
    "UPDATE recall_notices SET delivery = 'done', attempts = attempts + 1, http_status = ?2, "
    "last_error = NULL, delivered_ns = coalesce(delivered_ns, ?3), "
    "state = iif(state = 'sent', 'delivered', state) WHERE id = ?1";
static const char sql_notice_retry[] =
    "UPDATE recall_notices SET delivery = iif(?4 = 0, 'failed', 'queued'), attempts = attempts + "
    "1, "
    "http_status = ?2, last_error = ?3, next_ns = ?4 WHERE id = ?1";
static const char sql_notices_escalate[] =
    "UPDATE recall_notices SET state = 'escalated', escalated_ns = ?2, escalation = 1, "
    "delivery = iif(connector IS NULL, 'none', 'queued'), next_ns = 0 "
    "WHERE recipient = 'buyer' AND state IN ('sent', 'delivered') AND created_ns < ?1";
static const char sql_notices_overdue[] =
    "SELECT EXISTS (SELECT 1 FROM recall_notices WHERE recipient = 'buyer' "
    "AND state IN ('sent', 'delivered') AND created_ns < ?1)";
/* When the notice worker has something to do next: a delivery due, or a buyer's notice
 * reaching its deadline; and whether a buyer's notice is open (a hub may hold its ack). */
static const char sql_notices_next[] =
    "SELECT min(t), (SELECT EXISTS (SELECT 1 FROM recall_notices WHERE recipient = 'buyer' "
    "AND gln IS NOT NULL AND state != 'acknowledged')) FROM ("
    "SELECT min(next_ns) AS t FROM recall_notices WHERE delivery = 'queued' UNION ALL "
    "SELECT min(created_ns) + ?1 FROM recall_notices WHERE recipient = 'buyer' "
    "AND state IN ('sent', 'delivered'))";
static const char sql_notice_ack[] =
    "UPDATE recall_notices SET state = 'acknowledged', acked_ns = ?2, ack_by = ?3, "
    "ack_on_hand = ?4, ack_action = ?5 WHERE id = ?1 AND acked_ns IS NULL";

#define NOTICE_COLUMNS                                                                             \
  "n.id, n.recall_id, r.kind, b.lot, b.gtin, r.reason, n.recipient, n.gln, n.name, n.connector, "  \
  "n.quantity, n.uom, n.state, n.delivery, n.attempts, n.http_status, n.last_error, "              \
  "n.created_ns, n.delivered_ns, n.acked_ns, n.escalated_ns, n.ack_by, n.ack_on_hand, "            \
  "n.ack_action, r.kind = 'drill' AS drill "                                                       \
  "FROM recall_notices n JOIN recalls r ON r.id = n.recall_id JOIN batches b ON b.id = "           \
  "r.batch_id "
static const char sql_notice_get[] = "SELECT " NOTICE_COLUMNS "WHERE n.id = ?1";
static const char sql_notices_list[] =
    "SELECT " NOTICE_COLUMNS "WHERE (?1 = 0 OR n.recall_id = ?1) AND (?2 IS NULL OR n.gln = ?2) "
    "ORDER BY n.id DESC LIMIT ?3";
static const char sql_recalls_list[] =
    "SELECT r.id, r.batch_id, b.lot, r.kind, r.reason, r.event_id, r.created_ns, "
    "count(n.id) AS notices, "
    "coalesce(sum(n.recipient = 'buyer'), 0) AS buyers, "
    "coalesce(sum(n.recipient = 'buyer' AND n.state = 'acknowledged'), 0) AS acknowledged, "
    "coalesce(sum(n.delivered_ns IS NOT NULL), 0) AS delivered, "
    "coalesce(sum(n.escalated_ns IS NOT NULL), 0) AS escalated, "
    "coalesce(sum(n.recipient = 'platform' AND n.delivered_ns IS NOT NULL), 0) "
    "AS platforms_delivered "
    "FROM recalls r JOIN batches b ON b.id = r.batch_id "
    "LEFT JOIN recall_notices n ON n.recall_id = r.id WHERE (?1 = 0 OR r.id = ?1) "
    "GROUP BY r.id ORDER BY r.id DESC LIMIT ?2";

/* Steps @s (bound, reset here) into an array of objects named by the columns. */
static json_t *
rows_json(PtStore *store, sqlite3_stmt *s, const char *what, GError **error)
{
  json_t *rows = json_array();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    json_t *row = json_object();
    for (int i = 0; i < sqlite3_column_count(s); i++) {
      json_t *v;
      switch (sqlite3_column_type(s, i)) {
      case SQLITE_INTEGER:
        v = json_integer(sqlite3_column_int64(s, i));
        break;
      case SQLITE_FLOAT:
        v = json_real(sqlite3_column_double(s, i));
        break;
      case SQLITE_NULL:
        v = json_null();
        break;
      default:
        v = json_stringn((const char *)sqlite3_column_text(s, i),
                         (size_t)sqlite3_column_bytes(s, i));
      }
      json_object_set_new(row, sqlite3_column_name(s, i), v ? v : json_null());
    }
    json_array_append_new(rows, row);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    json_decref(rows);
    pt_store_set_sqlite_error(store, rc, what, error);
    return NULL;
  }
  return rows;
}

static GArray *
ids(PtStore *store, sqlite3_stmt *s, const char *what, GError **error)
{
  g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(gint64));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(s, 0);
    g_array_append_val(out, id);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, what, error);
    return NULL;
  }
  return g_steal_pointer(&out);
}

GArray *
pt_store_recall_batches_where(PtStore *store, const char *gtin, const char *grower,
                              const char *from, const char *to, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_batches_where, error);
  if (!s)
    return NULL;
  pt_store_bind_text_or_null(s, 1, gtin);
  pt_store_bind_text_or_null(s, 2, grower);
  pt_store_bind_text_or_null(s, 3, from);
  pt_store_bind_text_or_null(s, 4, to);
  sqlite3_bind_int(s, 5, limit);
  return ids(store, s, "find the batches of a recall", error);
}

GArray *
pt_store_recall_batches_to(PtStore *store, const char *gln, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_batches_to, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, gln, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 2, limit);
  return ids(store, s, "find the batches shipped to a GLN", error);
}

GPtrArray *
pt_store_recall_transformations(PtStore *store, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_transformations, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(out, pt_store_column_dup(s, 0));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read a batch's transformations", error);
    return NULL;
  }
  return g_steal_pointer(&out);
}

char *
pt_store_recall_first_event(PtStore *store, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_first_event, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  int rc = sqlite3_step(s);
  char *body = rc == SQLITE_ROW ? pt_store_column_dup(s, 0) : NULL;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    pt_store_set_sqlite_error(store, rc, "read a batch's first event", error);
  return body;
}

json_t *
pt_store_recall_loads(PtStore *store, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_loads, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  return rows_json(store, s, "read a batch's loads", error);
}

json_t *
pt_store_recall_pallets(PtStore *store, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_pallets, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  return rows_json(store, s, "read a batch's pallets", error);
}

json_t *
pt_store_recall_evidence(PtStore *store, gint64 batch_id, int stills_max, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clips, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  json_t *clips = rows_json(store, s, "read a batch's clips", error);
  if (!clips)
    return NULL;
  s = pt_store_stmt(store, sql_stills, error);
  json_t *stills = s ? (sqlite3_bind_int64(s, 1, batch_id), sqlite3_bind_int(s, 2, stills_max),
                        rows_json(store, s, "read a batch's stills", error))
                     : NULL;
  if (!stills) {
    json_decref(clips);
    return NULL;
  }
  return json_pack("{soso}", "clips", clips, "stills", stills);
}

json_t *
pt_store_recall_buyers(PtStore *store, const char *gln, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_buyers, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, gln, -1, SQLITE_TRANSIENT);
  return rows_json(store, s, "read the buyers of a GLN", error);
}

gboolean
pt_store_recall_insert(PtStore *store, const PtRecallSpec *spec, gint64 *id_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_recall_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, spec->batch_id);
  sqlite3_bind_text(s, 2, spec->kind, -1, SQLITE_STATIC);
  pt_store_bind_text_or_null(s, 3, spec->reason);
  pt_store_bind_text_or_null(s, 4, spec->event_id);
  sqlite3_bind_int64(s, 5, spec->created_ns);
  if (!pt_store_step_done(store, s, "record a recall", error))
    return FALSE;
  *id_out = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

gboolean
pt_store_notice_insert(PtStore *store, const PtNoticeSpec *spec, gint64 *id_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notice_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, spec->recall_id);
  sqlite3_bind_text(s, 2, spec->recipient, -1, SQLITE_STATIC);
  pt_store_bind_text_or_null(s, 3, spec->gln);
  sqlite3_bind_text(s, 4, spec->name, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 5, spec->connector);
  sqlite3_bind_double(s, 6, spec->quantity);
  pt_store_bind_text_or_null(s, 7, spec->uom);
  sqlite3_bind_text(s, 8, spec->body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 9, spec->created_ns);
  if (!pt_store_step_done(store, s, "record a recall notice", error))
    return FALSE;
  if (id_out)
    *id_out = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

gboolean
pt_store_notice_set_body(PtStore *store, gint64 id, const char *body, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notice_body, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_text(s, 2, body, -1, SQLITE_TRANSIENT);
  return pt_store_step_done(store, s, "write a notice", error);
}

json_t *
pt_store_notices_due(PtStore *store, gint64 now_ns, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notices_due, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, now_ns);
  sqlite3_bind_int(s, 2, limit);
  return rows_json(store, s, "read the notices due", error);
}

gboolean
pt_store_notice_delivery(PtStore *store, gint64 id, gboolean ok, int http_status, const char *why,
                         gint64 now_ns, gint64 next_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, ok ? sql_notice_done : sql_notice_retry, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, id);
  if (http_status)
    sqlite3_bind_int(s, 2, http_status);
  if (ok) {
    sqlite3_bind_int64(s, 3, now_ns);
  } else {
    pt_store_bind_text_or_null(s, 3, why);
    sqlite3_bind_int64(s, 4, next_ns);
  }
  return pt_store_step_done(store, s, "record a notice's delivery", error);
}

gboolean
pt_store_notices_escalate(PtStore *store, gint64 before_ns, gint64 now_ns, int *n_out,
                          GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notices_escalate, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, before_ns);
  sqlite3_bind_int64(s, 2, now_ns);
  if (!pt_store_step_done(store, s, "escalate notices", error))
    return FALSE;
  *n_out = sqlite3_changes(pt_store_db(store));
  return TRUE;
}

gboolean
pt_store_notices_overdue(PtStore *store, gint64 before_ns, gboolean *any_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notices_overdue, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, before_ns);
  gint64 any = 0;
  if (!pt_store_step_int64(store, s, "look for overdue notices", &any, error))
    return FALSE;
  *any_out = any != 0;
  return TRUE;
}

gboolean
pt_store_notices_next(PtStore *store, gint64 deadline_ns, gint64 *next_ns_out, gboolean *open_out,
                      GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notices_next, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, deadline_ns);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *next_ns_out = sqlite3_column_type(s, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 0);
    *open_out = sqlite3_column_int(s, 1) != 0;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "look for the next notice to send", error);
  return TRUE;
}

json_t *
pt_store_notice_get(PtStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notice_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, id);
  json_t *rows = rows_json(store, s, "read a notice", error);
  if (!rows)
    return NULL;
  json_t *row = json_incref(json_array_get(rows, 0));
  json_decref(rows);
  if (!row)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no notice %" G_GINT64_FORMAT, id);
  return row;
}

json_t *
pt_store_notices_list(PtStore *store, gint64 recall_id, const char *gln, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notices_list, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, recall_id);
  pt_store_bind_text_or_null(s, 2, gln);
  sqlite3_bind_int(s, 3, limit);
  return rows_json(store, s, "list notices", error);
}

gboolean
pt_store_notice_ack(PtStore *store, gint64 id, const char *by, double on_hand, const char *action,
                    gint64 now_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_notice_ack, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, id);
  sqlite3_bind_int64(s, 2, now_ns);
  sqlite3_bind_text(s, 3, by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 4, on_hand);
  pt_store_bind_text_or_null(s, 5, action);
  if (!pt_store_step_done(store, s, "acknowledge a notice", error))
    return FALSE;
  if (sqlite3_changes(pt_store_db(store)) == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "notice %" G_GINT64_FORMAT " is already acknowledged", id);
    return FALSE;
  }
  return TRUE;
}

json_t *
pt_store_recalls_list(PtStore *store, gint64 recall_id, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_recalls_list, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, recall_id);
  sqlite3_bind_int(s, 2, limit);
  return rows_json(store, s, "list recalls", error);
}

/* pt-hub-store-web.c: the public pages' reads (see pt-hub-store-web.h). */
#include "pt-hub-store-web.h"

#include "pt-hub-store-private.h"

#include "pt-error.h"
#include "pt-keys.h"
#include "pt-time.h"

#include <string.h>

/* Runs the read @sql as the prepared statement @name on the read connection: the hot reads of a
 * scan peak are planned once per connection, not per request (planning costs several times
 * the indexed execution).  A connection that was reset has lost its statements: a missing one
 * is prepared and the call retried.  Returns: (transfer full). */
static PGresult *
exec_prepared(PtHubStore *store, const char *name, const char *sql, int n,
              const char *const *params, GError **error)
{
  PGconn *conn = store->r;
  if (PQstatus(conn) == CONNECTION_BAD)
    PQreset(conn);
  PGresult *res = PQexecPrepared(conn, name, n, params, NULL, NULL, 0);
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  if (state && strcmp(state, "26000") == 0) { /* invalid_sql_statement_name */
    PQclear(res);
    res = PQprepare(conn, name, sql, n, NULL);
    gboolean prepared = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    res = prepared ? PQexecPrepared(conn, name, n, params, NULL, NULL, 0) : NULL;
  }
  if (res && PQresultStatus(res) == PGRES_TUPLES_OK)
    return res;
  g_autofree char *msg = g_strdup(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  g_strchomp(msg);
  g_set_error(error, PT_ERROR, PQstatus(conn) == CONNECTION_OK ? PT_ERROR_FAILED : PT_ERROR_BUSY,
              "database: %s: %s", name, msg);
  PQclear(res);
  return NULL;
}

void
pt_hub_lot_head_free(PtHubLotHead *head)
{
  if (!head)
    return;
  g_free(head->station_id);
  g_free(head->station_name);
  g_free(head->last_hash);
  g_free(head->product);
  g_free(head->first_time);
  g_free(head->last_time);
  g_free(head->profile_sha256);
  g_free(head);
}

/* One row per station: the count and the last hash change with every stored event of the
 * batch, also one that fills a gap below the last seq. */
static const char sql_lot_heads[] =
    "SELECT k.station_id, s.name, encode(s.public_key, 'hex'), b.id, count(*),"
    " encode((array_agg(k.hash ORDER BY k.seq DESC))[1], 'hex'), " PT_HUB_SQL_TS(
        "max(k.event_time)") ", b.product,"
                             " min(k.event_time)::text, max(k.event_time)::text,"
                             " encode(p.sha256, 'hex')"
                             " FROM batches b JOIN event_keys k ON k.batch_id = b.id"
                             " JOIN stations s ON s.id = k.station_id"
                             " LEFT JOIN station_profiles p ON p.station_id = k.station_id"
                             " WHERE b.gtin = $1 AND b.lot = $2"
                             " GROUP BY k.station_id, s.name, s.public_key, b.id, b.product,"
                             " p.sha256"
                             " ORDER BY s.name, k.station_id";

GPtrArray *
pt_hub_store_lot_heads(PtHubStore *store, const char *gtin, const char *lot, GError **error)
{
  const char *params[] = {gtin, lot};
  PGresult *res = exec_prepared(store, "pt_hub_lot_heads", sql_lot_heads, 2, params, error);
  if (!res)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_lot_head_free);
  for (int i = 0; i < PQntuples(res); i++) {
    PtHubLotHead *h = g_new0(PtHubLotHead, 1);
    h->station_id = pt_hub_pq_text(res, i, 0);
    h->station_name = pt_hub_pq_text(res, i, 1);
    pt_hub_pq_hex(res, i, 2, h->public_key, PT_PUB_LEN);
    h->batch_id = pt_hub_pq_int(res, i, 3);
    h->n_events = pt_hub_pq_int(res, i, 4);
    h->last_hash = pt_hub_pq_text(res, i, 5);
    g_autofree char *last = pt_hub_pq_text(res, i, 6);
    if (!last || !pt_time_parse(last, &h->last_event_ns, NULL))
      h->last_event_ns = 0;
    h->product = pt_hub_pq_text(res, i, 7);
    h->first_time = pt_hub_pq_text(res, i, 8);
    h->last_time = pt_hub_pq_text(res, i, 9);
    h->profile_sha256 = pt_hub_pq_text(res, i, 10);
    g_ptr_array_add(out, h);
  }
  PQclear(res);
  return out;
}

static const char sql_batch_events[] =
    "SELECT seq, event_id, step, body, encode(hash, 'hex'), encode(prev_batch_hash, 'hex'),"
    " encode(prev_station_hash, 'hex'), encode(signature, 'hex'), hash_id"
    " FROM events WHERE batch_id = $1::bigint AND station_id = $2"
    " AND event_time BETWEEN $3::timestamptz AND $4::timestamptz ORDER BY seq";

gboolean
pt_hub_store_head_events(PtHubStore *store, const PtHubLotHead *head, PtHubEventFunc fn,
                         gpointer user_data, GError **error)
{
  char id[32];
  g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, head->batch_id);
  /* The bounds prune the months at execution, also in the prepared (generic) plan: without
   * them every monthly partition's index is probed. */
  const char *params[] = {id, head->station_id, head->first_time, head->last_time};
  PGresult *res = exec_prepared(store, "pt_hub_batch_events", sql_batch_events, 4, params, error);
  if (!res)
    return FALSE;
  gboolean ok = TRUE;
  for (int i = 0; ok && i < PQntuples(res); i++) {
    PtEventRow row = {0};
    row.seq = pt_hub_pq_int(res, i, 0);
    row.batch_id = head->batch_id;
    row.event_id = PQgetvalue(res, i, 1);
    row.step = PQgetvalue(res, i, 2);
    row.body = PQgetvalue(res, i, 3);
    row.body_len = (gsize)PQgetlength(res, i, 3);
    pt_hub_pq_hex(res, i, 4, row.hash, PT_HASH_LEN);
    row.has_prev_batch = pt_hub_pq_hex(res, i, 5, row.prev_batch_hash, PT_HASH_LEN);
    row.has_prev_station = pt_hub_pq_hex(res, i, 6, row.prev_station_hash, PT_HASH_LEN);
    pt_hub_pq_hex(res, i, 7, row.signature, PT_SIG_LEN);
    row.hash_id = PQgetisnull(res, i, 8) ? NULL : PQgetvalue(res, i, 8);
    /* The strings are the result's: borrowed for the call, never freed through the row. */
    ok = fn(&row, user_data, error);
  }
  PQclear(res);
  return ok;
}

static const char sql_gtin_summary[] =
    "SELECT count(*), max(product) FROM batches b WHERE gtin = $1"
    " AND EXISTS (SELECT 1 FROM event_keys k WHERE k.batch_id = b.id)";

gboolean
pt_hub_store_gtin_summary(PtHubStore *store, const char *gtin, gint64 *n_out, char **product_out,
                          GError **error)
{
  const char *params[] = {gtin};
  PGresult *res = pt_hub_pq_exec(store, TRUE, "gtin summary", sql_gtin_summary, 1, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  *n_out = pt_hub_pq_int(res, 0, 0);
  *product_out = pt_hub_pq_text(res, 0, 1);
  PQclear(res);
  return TRUE;
}

static const char sql_evidence_referrers[] =
    "SELECT e.body FROM evidence_refs r JOIN events e ON e.station_id = r.station_id"
    " AND e.seq = r.seq WHERE r.sha256 = decode($1, 'hex') LIMIT $2::integer";

GPtrArray *
pt_hub_store_evidence_referrers(PtHubStore *store, const char *sha256, guint max, GError **error)
{
  char lim[16];
  g_snprintf(lim, sizeof lim, "%u", max);
  const char *params[] = {sha256, lim};
  PGresult *res = pt_hub_pq_exec(store, TRUE, "evidence referrers", sql_evidence_referrers, 2,
                                 params, PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; i < PQntuples(res); i++)
    g_ptr_array_add(out, pt_hub_pq_text(res, i, 0));
  PQclear(res);
  return out;
}

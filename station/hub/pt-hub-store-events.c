/* pt-hub-store-events.c: the hub's ingest statements (event keys, events, batches, monthly
 * partitions, quarantine, the weekly quality counters), evidence and chain heads (see
 * pt-hub-store.h).  A request's events go in as a handful of multi-row statements whose
 * parameters are PostgreSQL arrays unnested server-side, never one INSERT per event. */
#include "pt-hub-store-private.h"

#include "pt-error.h"
#include "pt-keys.h"

#include <string.h>

void
pt_hub_key_free(PtHubKey *key)
{
  if (!key)
    return;
  g_free(key->station_id);
  g_free(key->event_id);
  g_free(key);
}

void
pt_hub_event_free(PtHubEvent *event)
{
  if (!event)
    return;
  pt_event_row_clear(&event->row);
  g_free(event->event_time);
  g_free(event->record_time);
  g_free(event->event_type);
  g_free(event->biz_step);
  g_free(event->action);
  g_free(event->disposition);
  g_free(event->biz_location);
  g_free(event->read_point);
  g_free(event->status_action);
  g_free(event->epc_classes);
  g_free(event->grower);
  g_free(event->product);
  g_free(event->variety);
  g_free(event->gtin);
  g_free(event->lot);
  if (event->evidence)
    g_ptr_array_unref(event->evidence);
  g_free(event);
}

/* A PostgreSQL array literal of @values (element-type utf8).  Returns: (transfer full). */
static char *
text_array(GPtrArray *values)
{
  GString *s = g_string_new("{");
  for (guint i = 0; values && i < values->len; i++)
    pt_hub_pq_array_add(s, values->pdata[i]);
  g_string_append_c(s, '}');
  return g_string_free(s, FALSE);
}

#define KEY_COLS                                                                                   \
  "station_id, seq, encode(hash, 'hex'), event_id, batch_id, encode(prev_batch_hash, 'hex'), "     \
  "encode(prev_station_hash, 'hex')"

/* Five kinds of index probe joined by UNION: an OR over them would scan event_keys.  Each
 * probe is a LATERAL subquery with LIMIT 1 (every key probed is unique), so it stays a
 * nested loop of index probes whatever the statistics say: planned from a young table's,
 * `seq = ANY(600 values)` and the hash joins were sequential scans of event_keys. */
static const char sql_keys_find[] =
    "WITH s AS (SELECT DISTINCT x FROM unnest($2::bigint[]) x), "
    "h AS (SELECT DISTINCT decode(x, 'hex') AS b FROM unnest($3::text[]) x), "
    "i AS (SELECT DISTINCT x FROM unnest($4::text[]) x) "
    "SELECT " KEY_COLS " FROM s, LATERAL (SELECT * FROM event_keys "
    "  WHERE station_id = $1 AND seq = s.x LIMIT 1) k "
    "UNION SELECT " KEY_COLS " FROM h, LATERAL (SELECT * FROM event_keys "
    "  WHERE hash = h.b LIMIT 1) k "
    "UNION SELECT " KEY_COLS " FROM h, LATERAL (SELECT * FROM event_keys "
    "  WHERE prev_batch_hash = h.b LIMIT 1) k "
    "UNION SELECT " KEY_COLS " FROM h, LATERAL (SELECT * FROM event_keys "
    "  WHERE prev_station_hash = h.b LIMIT 1) k "
    "UNION SELECT " KEY_COLS " FROM i, LATERAL (SELECT * FROM event_keys "
    "  WHERE event_id = i.x LIMIT 1) k";

GPtrArray *
pt_hub_store_keys_find(PtHubStore *store, const char *station_id, const gint64 *seqs, guint n_seqs,
                       GPtrArray *hashes, GPtrArray *event_ids, GError **error)
{
  GString *s = g_string_new("{");
  for (guint i = 0; i < n_seqs; i++)
    g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i ? "," : "", seqs[i]);
  g_string_append_c(s, '}');
  g_autofree char *seq_arr = g_string_free(s, FALSE);
  g_autofree char *hash_arr = text_array(hashes);
  g_autofree char *id_arr = text_array(event_ids);
  const char *params[] = {station_id, seq_arr, hash_arr, id_arr};
  /* Planned for each request, never prepared: a generic plan made while event_keys was small
   * scans it (200 event IDs compared per row), and it stays cached while the table grows. */
  PGresult *res = pt_hub_pq_exec(store, FALSE, "find held events", sql_keys_find, 4, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_key_free);
  for (int i = 0; i < PQntuples(res); i++) {
    PtHubKey *k = g_new0(PtHubKey, 1);
    k->station_id = pt_hub_pq_text(res, i, 0);
    k->seq = pt_hub_pq_int(res, i, 1);
    pt_hub_pq_hex(res, i, 2, k->hash, PT_HASH_LEN);
    k->event_id = pt_hub_pq_text(res, i, 3);
    k->batch_id = pt_hub_pq_int(res, i, 4);
    k->has_prev_batch = pt_hub_pq_hex(res, i, 5, k->prev_batch_hash, PT_HASH_LEN);
    k->has_prev_station = pt_hub_pq_hex(res, i, 6, k->prev_station_hash, PT_HASH_LEN);
    g_ptr_array_add(out, k);
  }
  PQclear(res);
  return out;
}

static const char sql_batch_id[] =
    "INSERT INTO batches AS b (gtin, lot, product, variety, grower) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (gtin, lot) DO UPDATE SET product = coalesce(b.product, EXCLUDED.product), "
    "variety = coalesce(b.variety, EXCLUDED.variety), grower = coalesce(b.grower, "
    "EXCLUDED.grower) RETURNING id";

gint64
pt_hub_store_batch_id(PtHubStore *store, const char *gtin, const char *lot, const char *product,
                      const char *variety, const char *grower, GError **error)
{
  const char *params[] = {gtin, lot, product, variety, grower};
  PGresult *res =
      pt_hub_pq_exec_prepared(store, "batch", sql_batch_id, 5, params, PGRES_TUPLES_OK, error);
  if (!res)
    return 0;
  gint64 id = pt_hub_pq_int(res, 0, 0);
  PQclear(res);
  return id;
}

static const char sql_partition[] = "SELECT hub_events_partition($1::timestamptz)";

gboolean
pt_hub_store_partitions_ensure(PtHubStore *store, GPtrArray *times, GError **error)
{
  for (guint i = 0; i < times->len; i++) {
    const char *t = times->pdata[i];
    g_autofree char *month = g_strndup(t, 7); /* YYYY-MM of RFC 3339 UTC */
    if (g_hash_table_contains(store->months, month))
      continue;
    const char *params[] = {t};
    PGresult *res = pt_hub_pq_exec(store, FALSE, "events partition", sql_partition, 1, params,
                                   PGRES_TUPLES_OK, error);
    if (!res)
      return FALSE;
    PQclear(res);
    g_hash_table_add(store->months, g_steal_pointer(&month));
  }
  return TRUE;
}

/* Parameters of the events insert, one array per column; $1 is the station. */
enum {
  COL_SEQ,
  COL_EVENT_ID,
  COL_HASH,
  COL_HASH_ID,
  COL_STEP,
  COL_BIZ_STEP,
  COL_TYPE,
  COL_ACTION,
  COL_DISPOSITION,
  COL_STATUS_ACTION,
  COL_EVENT_TIME,
  COL_RECORD_TIME,
  COL_BATCH,
  COL_GTIN,
  COL_LOT,
  COL_BIZ_LOCATION,
  COL_READ_POINT,
  COL_EPC_CLASSES,
  COL_QUANTITY,
  COL_BODY,
  COL_PREV_BATCH,
  COL_PREV_STATION,
  COL_SIGNATURE,
  N_COLS,
};

/* event_keys, events, evidence_refs and quality_weekly in one statement: the CTE feeds each
 * table from the same unnested arrays, sent in binary (PtHubPqArray). */
static const char sql_events_insert[] =
    "WITH e AS (SELECT * FROM unnest($2::bigint[], $3::text[], $4::bytea[], $5::text[], "
    "  $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], "
    "  $12::timestamptz[], $13::timestamptz[], $14::bigint[], $15::text[], $16::text[], "
    "  $17::text[], $18::text[], $19::text[], $20::float8[], $21::text[], $22::bytea[], "
    "  $23::bytea[], $24::bytea[]) AS t(seq, event_id, hash, hash_id, step, biz_step, event_type, "
    "  action, disposition, status_action, event_time, record_time, batch_id, gtin, lot, "
    "  biz_location, read_point, epc_classes, quantity, body, prev_batch_hash, prev_station_hash, "
    "  signature)), "
    "k AS (INSERT INTO event_keys (station_id, seq, hash, event_id, event_time, batch_id, "
    "  prev_batch_hash, prev_station_hash) SELECT $1, seq, hash, event_id, event_time, batch_id, "
    "  prev_batch_hash, prev_station_hash FROM e), "
    "v AS (INSERT INTO events (station_id, seq, event_id, hash, hash_id, step, biz_step, "
    "  event_type, action, disposition, status_action, event_time, record_time, batch_id, gtin, "
    "  lot, biz_location, read_point, epc_classes, quantity, body, prev_batch_hash, "
    "  prev_station_hash, signature) SELECT $1, seq, event_id, hash, hash_id, "
    "  step, biz_step, event_type, action, disposition, status_action, event_time, record_time, "
    "  batch_id, gtin, lot, biz_location, read_point, "
    "  CASE WHEN epc_classes = '' THEN '{}'::text[] ELSE string_to_array(epc_classes, E'\\n') END,"
    "  quantity, body, prev_batch_hash, prev_station_hash, signature FROM e), "
    "q AS (INSERT INTO quality_weekly AS w (week, station_id, batch_id, events, inspections, "
    "  conformant, non_conformant, holds, recalls, quantity_inspected) "
    "  SELECT date_trunc('week', event_time AT TIME ZONE 'UTC')::date, $1, batch_id, count(*), "
    "  count(*) FILTER (WHERE biz_step = 'inspecting'), "
    "  count(*) FILTER (WHERE biz_step = 'inspecting' AND disposition = 'conformant'), "
    "  count(*) FILTER (WHERE biz_step = 'inspecting' AND disposition = 'non_conformant'), "
    "  count(*) FILTER (WHERE status_action = 'hold'), "
    "  count(*) FILTER (WHERE status_action = 'recall'), "
    "  coalesce(sum(quantity) FILTER (WHERE biz_step = 'inspecting'), 0) "
    "  FROM e WHERE batch_id IS NOT NULL GROUP BY 1, 3 "
    "  ON CONFLICT (week, station_id, batch_id) DO UPDATE SET "
    "  events = w.events + EXCLUDED.events, inspections = w.inspections + EXCLUDED.inspections, "
    "  conformant = w.conformant + EXCLUDED.conformant, "
    "  non_conformant = w.non_conformant + EXCLUDED.non_conformant, "
    "  holds = w.holds + EXCLUDED.holds, recalls = w.recalls + EXCLUDED.recalls, "
    "  quantity_inspected = w.quantity_inspected + EXCLUDED.quantity_inspected) "
    "INSERT INTO evidence_refs (sha256, station_id, seq) "
    "  SELECT DISTINCT decode(r, 'hex'), $1, seq::bigint FROM unnest($25::text[], $26::bigint[]) "
    "  AS x(r, seq) ON CONFLICT DO NOTHING";

static void
add_int(GString *s, gint64 v, gboolean present)
{
  char buf[32];
  g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, v);
  pt_hub_pq_array_add(s, present ? buf : NULL);
}

/* The contiguous prefix moves on past the seqs just stored.  Over the run of seqs ingest
 * knows are held ($2: the request's and their neighbours found held) it moves without a
 * probe: sorted and above the prefix n, the i-th of them continues the run while it is n + i.
 * From there one index probe a seq, as far as the held events go (an earlier gap filled).
 * A probe per seq stored was 8 us an event. */
static const char sql_contiguous[] =
    "WITH RECURSIVE c AS (SELECT contiguous_seq AS n FROM stations WHERE id = $1), "
    "known AS (SELECT x, row_number() OVER (ORDER BY x) AS i "
    "  FROM (SELECT DISTINCT x FROM unnest($2::bigint[]) x, c WHERE x > c.n) d), "
    "walk(seq) AS ("
    "  SELECT coalesce((SELECT max(x) FROM known, c WHERE x - i = c.n), (SELECT n FROM c))"
    "  UNION ALL SELECT w.seq + 1 FROM walk w WHERE EXISTS ("
    "    SELECT 1 FROM event_keys k WHERE k.station_id = $1 AND k.seq = w.seq + 1)) "
    "UPDATE stations SET contiguous_seq = (SELECT max(seq) FROM walk) WHERE id = $1";

/* Every hub process's page cache drops the batches' answers when this transaction commits
 * (pt-hub-cache.h): NOTIFY is delivered at commit, and not at all on rollback. */
static const char sql_notify_batches[] =
    "SELECT pg_notify('" PT_HUB_BATCH_CHANNEL "', b::text)"
    " FROM (SELECT DISTINCT b FROM unnest($1::bigint[]) b WHERE b > 0) s";

static gboolean
notify_batches(PtHubStore *store, GPtrArray *events, GError **error)
{
  g_autoptr(GString) ids = g_string_new("{");
  for (guint i = 0; i < events->len; i++) {
    const PtHubEvent *e = events->pdata[i];
    if (e->batch_id > 0)
      add_int(ids, e->batch_id, TRUE);
  }
  if (ids->len == 1)
    return TRUE;
  g_string_append_c(ids, '}');
  const char *params[] = {ids->str};
  PGresult *res = pt_hub_pq_exec_prepared(store, "notify batches", sql_notify_batches, 1, params,
                                          PGRES_TUPLES_OK, error);
  PQclear(res);
  return res != NULL;
}

gboolean
pt_hub_store_events_insert(PtHubStore *store, const char *station_id, GPtrArray *events,
                           const gint64 *held_seqs, guint n_held_seqs, GError **error)
{
  if (events->len == 0)
    return TRUE;
  static const guint32 oids[N_COLS] = {
      [COL_SEQ] = PT_HUB_OID_INT8,
      [COL_EVENT_ID] = PT_HUB_OID_TEXT,
      [COL_HASH] = PT_HUB_OID_BYTEA,
      [COL_HASH_ID] = PT_HUB_OID_TEXT,
      [COL_STEP] = PT_HUB_OID_TEXT,
      [COL_BIZ_STEP] = PT_HUB_OID_TEXT,
      [COL_TYPE] = PT_HUB_OID_TEXT,
      [COL_ACTION] = PT_HUB_OID_TEXT,
      [COL_DISPOSITION] = PT_HUB_OID_TEXT,
      [COL_STATUS_ACTION] = PT_HUB_OID_TEXT,
      [COL_EVENT_TIME] = PT_HUB_OID_TIMESTAMPTZ,
      [COL_RECORD_TIME] = PT_HUB_OID_TIMESTAMPTZ,
      [COL_BATCH] = PT_HUB_OID_INT8,
      [COL_GTIN] = PT_HUB_OID_TEXT,
      [COL_LOT] = PT_HUB_OID_TEXT,
      [COL_BIZ_LOCATION] = PT_HUB_OID_TEXT,
      [COL_READ_POINT] = PT_HUB_OID_TEXT,
      [COL_EPC_CLASSES] = PT_HUB_OID_TEXT,
      [COL_QUANTITY] = PT_HUB_OID_FLOAT8,
      [COL_BODY] = PT_HUB_OID_TEXT,
      [COL_PREV_BATCH] = PT_HUB_OID_BYTEA,
      [COL_PREV_STATION] = PT_HUB_OID_BYTEA,
      [COL_SIGNATURE] = PT_HUB_OID_BYTEA,
  };
  PtHubPqArray cols[N_COLS], refs, ref_seqs;
  for (int c = 0; c < N_COLS; c++)
    pt_hub_pq_array_init(&cols[c], oids[c]);
  pt_hub_pq_array_init(&refs, PT_HUB_OID_TEXT);
  pt_hub_pq_array_init(&ref_seqs, PT_HUB_OID_INT8);
  for (guint i = 0; i < events->len; i++) {
    const PtHubEvent *e = events->pdata[i];
    const PtEventRow *row = &e->row;
    pt_hub_pq_array_add_int(&cols[COL_SEQ], row->seq, TRUE);
    pt_hub_pq_array_add_text(&cols[COL_EVENT_ID], row->event_id);
    pt_hub_pq_array_add_bin(&cols[COL_HASH], row->hash, PT_HASH_LEN);
    pt_hub_pq_array_add_text(&cols[COL_HASH_ID], row->hash_id);
    pt_hub_pq_array_add_text(&cols[COL_STEP], row->step);
    pt_hub_pq_array_add_text(&cols[COL_BIZ_STEP], e->biz_step);
    pt_hub_pq_array_add_text(&cols[COL_TYPE], e->event_type);
    pt_hub_pq_array_add_text(&cols[COL_ACTION], e->action);
    pt_hub_pq_array_add_text(&cols[COL_DISPOSITION], e->disposition);
    pt_hub_pq_array_add_text(&cols[COL_STATUS_ACTION], e->status_action);
    pt_hub_pq_array_add_time(&cols[COL_EVENT_TIME], e->event_time_ns);
    pt_hub_pq_array_add_time(&cols[COL_RECORD_TIME], e->record_time_ns);
    pt_hub_pq_array_add_int(&cols[COL_BATCH], e->batch_id, e->batch_id > 0);
    pt_hub_pq_array_add_text(&cols[COL_GTIN], e->gtin);
    pt_hub_pq_array_add_text(&cols[COL_LOT], e->lot);
    pt_hub_pq_array_add_text(&cols[COL_BIZ_LOCATION], e->biz_location);
    pt_hub_pq_array_add_text(&cols[COL_READ_POINT], e->read_point);
    pt_hub_pq_array_add_text(&cols[COL_EPC_CLASSES], e->epc_classes ? e->epc_classes : "");
    pt_hub_pq_array_add_double(&cols[COL_QUANTITY], e->quantity);
    pt_hub_pq_array_add_bin(&cols[COL_BODY], row->body, row->body_len);
    pt_hub_pq_array_add_bin(&cols[COL_PREV_BATCH],
                            row->has_prev_batch ? row->prev_batch_hash : NULL, PT_HASH_LEN);
    pt_hub_pq_array_add_bin(&cols[COL_PREV_STATION],
                            row->has_prev_station ? row->prev_station_hash : NULL, PT_HASH_LEN);
    pt_hub_pq_array_add_bin(&cols[COL_SIGNATURE], row->signature, PT_SIG_LEN);
    for (guint r = 0; e->evidence && r < e->evidence->len; r++) {
      pt_hub_pq_array_add_text(&refs, e->evidence->pdata[r]);
      pt_hub_pq_array_add_int(&ref_seqs, row->seq, TRUE);
    }
  }
  enum { N_PARAMS = N_COLS + 3 };
  const char *params[N_PARAMS];
  int lengths[N_PARAMS], formats[N_PARAMS];
  guint8 *bytes[N_PARAMS] = {NULL};
  params[0] = station_id;
  lengths[0] = 0;
  formats[0] = 0;
  for (int c = 0; c < N_COLS; c++)
    bytes[c + 1] = pt_hub_pq_array_finish(&cols[c], &lengths[c + 1]);
  bytes[N_COLS + 1] = pt_hub_pq_array_finish(&refs, &lengths[N_COLS + 1]);
  bytes[N_COLS + 2] = pt_hub_pq_array_finish(&ref_seqs, &lengths[N_COLS + 2]);
  for (int p = 1; p < N_PARAMS; p++) {
    params[p] = (const char *)bytes[p];
    formats[p] = 1;
  }
  PGresult *res = pt_hub_pq_exec_prepared_bin(store, "store events", sql_events_insert, N_PARAMS,
                                              params, lengths, formats, PGRES_COMMAND_OK, error);
  for (int p = 0; p < N_PARAMS; p++)
    g_free(bytes[p]);
  if (!res)
    return FALSE;
  PQclear(res);
  GString *known = g_string_new("{");
  for (guint i = 0; i < n_held_seqs; i++)
    g_string_append_printf(known, "%s%" G_GINT64_FORMAT, i ? "," : "", held_seqs[i]);
  g_string_append_c(known, '}');
  g_autofree char *known_text = g_string_free(known, FALSE);
  const char *p2[] = {station_id, known_text};
  /* Not prepared either, for the same reason as the held-events lookup. */
  res = pt_hub_pq_exec(store, FALSE, "contiguous seq", sql_contiguous, 2, p2, PGRES_COMMAND_OK,
                       error);
  PQclear(res);
  return res && notify_batches(store, events, error);
}

static const char sql_quarantine_add[] =
    "INSERT INTO quarantine (station_id, seq, event_id, received, reason) "
    "VALUES ($1, $2::bigint, $3, $4, $5)";

gboolean
pt_hub_store_quarantine_add(PtHubStore *store, const char *station_id, gint64 seq,
                            const char *event_id, const char *received, const char *reason,
                            GError **error)
{
  char seq_text[32];
  g_snprintf(seq_text, sizeof seq_text, "%" G_GINT64_FORMAT, seq);
  const char *params[] = {station_id, seq > 0 ? seq_text : NULL, event_id, received, reason};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "quarantine", sql_quarantine_add, 5, params,
                                 PGRES_COMMAND_OK, error);
  PQclear(res);
  return res != NULL;
}

static const char sql_evidence_missing[] =
    "SELECT DISTINCT x FROM unnest($1::text[]) x WHERE NOT EXISTS ("
    "  SELECT 1 FROM evidence WHERE sha256 = decode(x, 'hex')) ORDER BY x";

GPtrArray *
pt_hub_store_evidence_missing(PtHubStore *store, GPtrArray *hashes, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  if (hashes->len == 0)
    return out;
  g_autofree char *arr = text_array(hashes);
  const char *params[] = {arr};
  PGresult *res = pt_hub_pq_exec_prepared(store, "evidence wanted", sql_evidence_missing, 1, params,
                                          PGRES_TUPLES_OK, error);
  if (!res) {
    g_ptr_array_unref(out);
    return NULL;
  }
  for (int i = 0; i < PQntuples(res); i++)
    g_ptr_array_add(out, pt_hub_pq_text(res, i, 0));
  PQclear(res);
  return out;
}

static const char sql_heard[] = "UPDATE stations SET last_heard = now() WHERE id = $1";

gboolean
pt_hub_store_station_heard(PtHubStore *store, const char *station_id, GError **error)
{
  const char *params[] = {station_id};
  PGresult *res =
      pt_hub_pq_exec_prepared(store, "last heard", sql_heard, 1, params, PGRES_COMMAND_OK, error);
  PQclear(res);
  return res != NULL;
}

/* Evidence ------------------------------------------------------------------------------- */

static const char sql_evidence_referenced[] =
    "SELECT EXISTS (SELECT 1 FROM evidence_refs WHERE sha256 = decode($1, 'hex') "
    "AND station_id = $2)";

gboolean
pt_hub_store_evidence_referenced(PtHubStore *store, const char *station_id, const char *sha256,
                                 gboolean *referenced, GError **error)
{
  const char *params[] = {sha256, station_id};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "evidence reference", sql_evidence_referenced, 2,
                                 params, PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  *referenced = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  return TRUE;
}

static const char sql_evidence_put[] =
    "INSERT INTO evidence (sha256, station_id, media_type, size, data) "
    "VALUES (decode($1, 'hex'), $2, $3, $4::bigint, $5::bytea) ON CONFLICT DO NOTHING";

gboolean
pt_hub_store_evidence_put(PtHubStore *store, const char *sha256, const char *station_id,
                          const char *media_type, const void *data, gsize len, gboolean *stored_out,
                          GError **error)
{
  char size[32];
  g_snprintf(size, sizeof size, "%" G_GSIZE_FORMAT, len);
  /* The bytes travel in binary: text bytea would double them. */
  const char *params[] = {sha256, station_id, media_type, size, data ? data : ""};
  int lengths[] = {0, 0, 0, 0, (int)len};
  int formats[] = {0, 0, 0, 0, 1};
  PGresult *res = pt_hub_pq_exec_bin(store, FALSE, "store evidence", sql_evidence_put, 5, params,
                                     lengths, formats, PGRES_COMMAND_OK, error);
  if (!res)
    return FALSE;
  *stored_out = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  return TRUE;
}

static const char sql_evidence_get[] =
    "SELECT media_type, data FROM evidence WHERE sha256 = decode($1, 'hex')";

GBytes *
pt_hub_store_evidence_get(PtHubStore *store, const char *sha256, char **media_type_out,
                          GError **error)
{
  const char *params[] = {sha256};
  /* Binary results: the bytes come back as they are. */
  if (PQstatus(store->r) == CONNECTION_BAD)
    PQreset(store->r);
  PGresult *res = PQexecParams(store->r, sql_evidence_get, 1, NULL, params, NULL, NULL, 1);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY, "database: read evidence: %s",
                PQresultErrorMessage(res));
    PQclear(res);
    return NULL;
  }
  GBytes *out = NULL;
  if (PQntuples(res) == 1) {
    *media_type_out = g_strndup(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0));
    out = g_bytes_new(PQgetvalue(res, 0, 1), PQgetlength(res, 0, 1));
  } else {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no evidence %s", sha256);
  }
  PQclear(res);
  return out;
}

/* Heads ---------------------------------------------------------------------------------- */

static const char sql_head_last[] =
    "SELECT head_seq, encode(head_hash, 'hex') FROM stations WHERE id = $1";
static const char sql_head_held[] =
    "SELECT encode(hash, 'hex') FROM event_keys WHERE station_id = $1 AND seq = $2::bigint";
static const char sql_head_set[] =
    "UPDATE stations SET head_seq = $2::bigint, head_hash = decode($3, 'hex'), head_at = now(), "
    "last_heard = now() WHERE id = $1";
static const char sql_head_history[] =
    "INSERT INTO heads (station_id, seq, hash, alert) VALUES ($1, $2::bigint, decode($3, 'hex'), "
    "$4)";
static const char sql_alert_add[] =
    "INSERT INTO alerts (station_id, kind, message) VALUES ($1, $2, $3)";

gboolean
pt_hub_store_alert_add(PtHubStore *store, const char *station_id, const char *kind,
                       const char *message, GError **error)
{
  const char *params[] = {station_id, kind, message};
  PGresult *res =
      pt_hub_pq_exec(store, FALSE, "alert", sql_alert_add, 3, params, PGRES_COMMAND_OK, error);
  gboolean ok = res != NULL;
  PQclear(res);
  return ok;
}

gboolean
pt_hub_store_head_record(PtHubStore *store, const char *station_id, gint64 seq,
                         const guint8 hash[PT_HASH_LEN], char **alert_out, GError **error)
{
  g_autofree char *hex = pt_hex_encode(hash, PT_HASH_LEN);
  char seq_text[32];
  g_snprintf(seq_text, sizeof seq_text, "%" G_GINT64_FORMAT, seq);
  *alert_out = NULL;

  const char *p1[] = {station_id};
  PGresult *res =
      pt_hub_pq_exec(store, FALSE, "last head", sql_head_last, 1, p1, PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  gboolean had = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
  gint64 last_seq = had ? pt_hub_pq_int(res, 0, 0) : 0;
  g_autofree char *last_hash = had ? pt_hub_pq_text(res, 0, 1) : NULL;
  PQclear(res);

  const char *p2[] = {station_id, seq_text};
  res = pt_hub_pq_exec(store, FALSE, "held head", sql_head_held, 2, p2, PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  g_autofree char *held = PQntuples(res) == 1 ? pt_hub_pq_text(res, 0, 0) : NULL;
  PQclear(res);

  char *alert = NULL;
  if (had && seq < last_seq)
    alert = g_strdup_printf("head rewinds: seq %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT
                            " (events removed from the station's log?)",
                            seq, last_seq);
  else if (had && seq == last_seq && g_strcmp0(hex, last_hash) != 0)
    alert = g_strdup_printf("head forks: seq %" G_GINT64_FORMAT " now has hash %s, was %s", seq,
                            hex, last_hash);
  else if (held && strcmp(held, hex) != 0)
    alert = g_strdup_printf("head at seq %" G_GINT64_FORMAT " is %s, but the hub holds %s there",
                            seq, hex, held);

  /* A head that rewinds is recorded in the history, not made the station's head: the next
   * honest head is compared with the highest one seen. */
  gboolean ok = TRUE;
  if (!alert || seq > last_seq) {
    const char *p3[] = {station_id, seq_text, hex};
    res = pt_hub_pq_exec(store, FALSE, "set head", sql_head_set, 3, p3, PGRES_COMMAND_OK, error);
    ok = res != NULL;
    PQclear(res);
  }
  if (ok) {
    const char *p4[] = {station_id, seq_text, hex, alert};
    res = pt_hub_pq_exec(store, FALSE, "head history", sql_head_history, 4, p4, PGRES_COMMAND_OK,
                         error);
    ok = res != NULL;
    PQclear(res);
  }
  if (ok && alert)
    ok = pt_hub_store_alert_add(store, station_id, "head", alert, error);
  if (ok)
    *alert_out = alert;
  else
    g_free(alert);
  return ok;
}

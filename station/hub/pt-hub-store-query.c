/* pt-hub-store-query.c: the hub's read statements for the EPCIS query interface, bearer
 * tokens, the buyer search and the quality index (see pt-hub-store-query.h). */
#include "pt-hub-store-query.h"

#include "pt-error.h"
#include "pt-hub-store-private.h"
#include "pt-keys.h"

#include <string.h>

void
pt_hub_event_query_clear(PtHubEventQuery *q)
{
  GPtrArray **lists[] = {&q->event_types, &q->biz_steps,   &q->dispositions, &q->biz_locations,
                         &q->read_points, &q->epc_classes, &q->class_gtins,  &q->epcs};
  for (gsize i = 0; i < G_N_ELEMENTS(lists); i++)
    g_clear_pointer(lists[i], g_ptr_array_unref);
  g_free(q->ge_event_time);
  g_free(q->lt_event_time);
  g_free(q->ge_record_time);
  g_free(q->lt_record_time);
  g_free(q->after_time);
  g_free(q->after_station);
  memset(q, 0, sizeof *q);
}

void
pt_hub_query_row_free(PtHubQueryRow *row)
{
  if (!row)
    return;
  g_free(row->station_id);
  g_free(row->event_time);
  g_free(row->body);
  g_free(row);
}

/* A statement being built: SQL text of constant fragments and its parameters. */
typedef struct {
  GString *sql;
  GPtrArray *params; /* (element-type utf8) owned */
} Stmt;

static void
stmt_init(Stmt *st, const char *head)
{
  st->sql = g_string_new(head);
  st->params = g_ptr_array_new_with_free_func(g_free);
}

static void
stmt_clear(Stmt *st)
{
  g_string_free(st->sql, TRUE);
  g_ptr_array_unref(st->params);
}

/* Appends @fragment with each '?' replaced by the next parameter's $n, taking @value
 * (transfer full, nullable). */
static void
stmt_add(Stmt *st, const char *fragment, char *value)
{
  g_ptr_array_add(st->params, value);
  for (const char *p = fragment; *p; p++) {
    if (*p == '?')
      g_string_append_printf(st->sql, "$%u", st->params->len);
    else
      g_string_append_c(st->sql, *p);
  }
}

static char *
array_text(GPtrArray *values)
{
  GString *s = g_string_new("{");
  for (guint i = 0; i < values->len; i++)
    pt_hub_pq_array_add(s, values->pdata[i]);
  g_string_append_c(s, '}');
  return g_string_free(s, FALSE);
}

static gboolean
has(GPtrArray *list)
{
  return list && list->len > 0;
}

static PGresult *
stmt_run(PtHubStore *store, const char *what, Stmt *st, GError **error)
{
  return pt_hub_pq_exec(store, TRUE, what, st->sql->str, (int)st->params->len,
                        (const char *const *)st->params->pdata, PGRES_TUPLES_OK, error);
}

#define EVENT_TIME_US "to_char(event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

static void
events_query_sql(Stmt *st, const PtHubEventQuery *q, guint limit, gboolean explain)
{
  stmt_init(st, explain ? "EXPLAIN " : "");
  g_string_append(st->sql,
                  "SELECT station_id, seq, " EVENT_TIME_US ", body FROM events WHERE TRUE");
  if (has(q->event_types))
    stmt_add(st, " AND event_type = ANY(?::text[])", array_text(q->event_types));
  if (q->ge_event_time)
    stmt_add(st, " AND event_time >= ?::timestamptz", g_strdup(q->ge_event_time));
  if (q->lt_event_time)
    stmt_add(st, " AND event_time < ?::timestamptz", g_strdup(q->lt_event_time));
  if (q->ge_record_time)
    stmt_add(st, " AND record_time >= ?::timestamptz", g_strdup(q->ge_record_time));
  if (q->lt_record_time)
    stmt_add(st, " AND record_time < ?::timestamptz", g_strdup(q->lt_record_time));
  if (has(q->biz_steps))
    stmt_add(st, " AND biz_step = ANY(?::text[])", array_text(q->biz_steps));
  if (has(q->dispositions))
    stmt_add(st, " AND disposition = ANY(?::text[])", array_text(q->dispositions));
  if (has(q->biz_locations))
    stmt_add(st, " AND biz_location = ANY(?::text[])", array_text(q->biz_locations));
  if (has(q->read_points))
    stmt_add(st, " AND read_point = ANY(?::text[])", array_text(q->read_points));
  /* An exact class through the GIN index on epc_classes, a GTIN pattern through gtin. */
  if (has(q->epc_classes) && has(q->class_gtins)) {
    stmt_add(st, " AND (epc_classes && ?::text[]", array_text(q->epc_classes));
    stmt_add(st, " OR gtin = ANY(?::text[]))", array_text(q->class_gtins));
  } else if (has(q->epc_classes)) {
    stmt_add(st, " AND epc_classes && ?::text[]", array_text(q->epc_classes));
  } else if (has(q->class_gtins)) {
    stmt_add(st, " AND gtin = ANY(?::text[])", array_text(q->class_gtins));
  }
  /* Station events name classes, not instances: no column holds instance EPCs, so this
   * one filters the rows the other conditions and the keyset order select. */
  if (has(q->epcs)) {
    stmt_add(st,
             " AND (jsonb_exists_any(CASE WHEN jsonb_typeof(body::jsonb->'epcList') = 'array'"
             " THEN body::jsonb->'epcList' END, ?::text[])",
             array_text(q->epcs));
    stmt_add(st,
             " OR jsonb_exists_any(CASE WHEN jsonb_typeof(body::jsonb->'childEPCs') = 'array'"
             " THEN body::jsonb->'childEPCs' END, ?::text[]))",
             array_text(q->epcs));
  }
  if (q->after_time) {
    stmt_add(st, " AND (event_time, station_id, seq) > (?::timestamptz", g_strdup(q->after_time));
    stmt_add(st, ", ?", g_strdup(q->after_station));
    stmt_add(st, ", ?::bigint)", g_strdup_printf("%" G_GINT64_FORMAT, q->after_seq));
  }
  stmt_add(st, " ORDER BY event_time, station_id, seq LIMIT ?::integer",
           g_strdup_printf("%u", limit));
}

GPtrArray *
pt_hub_store_events_query(PtHubStore *store, const PtHubEventQuery *query, guint limit,
                          GError **error)
{
  Stmt st;
  events_query_sql(&st, query, limit, FALSE);
  PGresult *res = stmt_run(store, "EPCIS query", &st, error);
  stmt_clear(&st);
  if (!res)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_query_row_free);
  for (int i = 0; i < PQntuples(res); i++) {
    PtHubQueryRow *row = g_new0(PtHubQueryRow, 1);
    row->station_id = pt_hub_pq_text(res, i, 0);
    row->seq = pt_hub_pq_int(res, i, 1);
    row->event_time = pt_hub_pq_text(res, i, 2);
    row->body_len = (gsize)PQgetlength(res, i, 3);
    row->body = g_strndup(PQgetvalue(res, i, 3), row->body_len);
    g_ptr_array_add(out, row);
  }
  PQclear(res);
  return out;
}

char *
pt_hub_store_events_explain(PtHubStore *store, const PtHubEventQuery *query, guint limit,
                            GError **error)
{
  Stmt st;
  events_query_sql(&st, query, limit, TRUE);
  PGresult *res = stmt_run(store, "EPCIS query plan", &st, error);
  stmt_clear(&st);
  if (!res)
    return NULL;
  GString *plan = g_string_new(NULL);
  for (int i = 0; i < PQntuples(res); i++)
    g_string_append_printf(plan, "%s\n", PQgetvalue(res, i, 0));
  PQclear(res);
  return g_string_free(plan, FALSE);
}

/* Bearer tokens --------------------------------------------------------------------------- */

static const char sql_token_add[] = "INSERT INTO hub_tokens (name, role, gln, token_hash) "
                                    "VALUES ($1, $2, $3, decode($4, 'hex'))";
static const char sql_token_find[] = "SELECT role, gln, name FROM hub_tokens WHERE token_hash = "
                                     "decode($1, 'hex') AND revoked_at IS NULL";

gboolean
pt_hub_store_token_add(PtHubStore *store, const char *name, PtHubRole role, const char *gln,
                       const guint8 hash[PT_HASH_LEN], GError **error)
{
  g_autofree char *hex = pt_hex_encode(hash, PT_HASH_LEN);
  const char *params[] = {name, role == PT_HUB_ROLE_ADMIN ? "admin" : "buyer", gln, hex};
  PGresult *res =
      pt_hub_pq_exec(store, FALSE, "add token", sql_token_add, 4, params, PGRES_COMMAND_OK, error);
  PQclear(res);
  return res != NULL;
}

gboolean
pt_hub_store_token_find(PtHubStore *store, const guint8 hash[PT_HASH_LEN], PtHubRole *role_out,
                        char **gln_out, char **name_out, GError **error)
{
  g_autofree char *hex = pt_hex_encode(hash, PT_HASH_LEN);
  const char *params[] = {hex};
  PGresult *res =
      pt_hub_pq_exec(store, FALSE, "find token", sql_token_find, 1, params, PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  gboolean found = PQntuples(res) == 1;
  if (found) {
    *role_out = strcmp(PQgetvalue(res, 0, 0), "admin") == 0 ? PT_HUB_ROLE_ADMIN : PT_HUB_ROLE_BUYER;
    *gln_out = pt_hub_pq_text(res, 0, 1);
    if (name_out)
      *name_out = pt_hub_pq_text(res, 0, 2);
  } else {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "unknown or revoked token");
  }
  PQclear(res);
  return found;
}

/* Buyer search ----------------------------------------------------------------------------- */

/* LIKE pattern matching @s anywhere, its own % _ \ taken literally.  Returns: (transfer full). */
static char *
like_anywhere(const char *s)
{
  GString *p = g_string_new("%");
  for (const char *c = s; *c; c++) {
    if (*c == '%' || *c == '_' || *c == '\\')
      g_string_append_c(p, '\\');
    g_string_append_c(p, *c);
  }
  g_string_append_c(p, '%');
  return g_string_free(p, FALSE);
}

/* The fruit per class of the batch's last grading decision at its station (alias g, column
 * dist): one index read of its records, newest first, for each row of a page of results. */
#define LAST_GRADING                                                                               \
  " LEFT JOIN LATERAL (SELECT e.body::jsonb -> 'pt:gradeDistribution' AS dist FROM events e"       \
  " WHERE e.batch_id = b.id AND e.station_id = f.station_id AND e.step = 'inspecting'"             \
  " AND e.body::jsonb ->> 'pt:declaredClass' IS NOT NULL ORDER BY e.seq DESC LIMIT 1) g ON TRUE"

/* The share of that grading's fruit below the declared class f.grade, in percent to one decimal
 * (what "outside tolerance" means to a buyer), as the station's portal says it
 * (http/pt-http-buyer.c): classes ranked Extra, I, II, out; an unknown one counts as below. */
#define BELOW_CLASS_PERCENT                                                                        \
  "(SELECT round(1000.0 * sum(CASE WHEN coalesce(array_position(ARRAY['Extra','I','II','out'],"    \
  " x.key), 5) > coalesce(array_position(ARRAY['Extra','I','II','out'], f.grade), 5)"              \
  " THEN x.value::numeric ELSE 0 END) / nullif(sum(x.value::numeric), 0)) / 10"                    \
  " FROM jsonb_each_text(CASE WHEN jsonb_typeof(g.dist) = 'object' THEN g.dist END) x)"

char *
pt_hub_store_batches_json(PtHubStore *store, const PtHubBatchQuery *q, GError **error)
{
  Stmt st;
  stmt_init(&st, "SELECT coalesce(json_agg(json_build_object('lot', b.lot, 'gtin', b.gtin,"
                 " 'product', b.product, 'variety', b.variety, 'grower', b.grower,"
                 " 'station', f.station_id, 'station_name', s.name, 'pack_date',"
                 " to_char(f.pack_date, 'YYYY-MM-DD'), 'grade', f.grade, 'verdict', f.verdict,"
                 " 'below_class_percent', " BELOW_CLASS_PERCENT ", 'state',"
                 " coalesce(f.state, 'active')) ORDER BY f.pack_date DESC NULLS LAST, b.id DESC),"
                 " '[]'::json)::text FROM (SELECT b.* FROM batches b"
                 " LEFT JOIN batch_facts f ON f.batch_id = b.id WHERE TRUE");
  if (q->scope_gln)
    stmt_add(&st, " AND b.id IN (SELECT batch_id FROM batch_buyers WHERE gln = ?)",
             g_strdup(q->scope_gln));
  if (q->lot)
    stmt_add(&st, " AND b.lot ILIKE ?", like_anywhere(q->lot));
  if (q->gtin)
    stmt_add(&st, " AND b.gtin = ?", g_strdup(q->gtin));
  if (q->grower)
    stmt_add(&st, " AND b.grower ILIKE ?", like_anywhere(q->grower));
  /* A buyer knows a shed by its name, a platform by its id. */
  if (q->station) {
    stmt_add(&st, " AND f.station_id IN (SELECT id FROM stations WHERE id = ?",
             g_strdup(q->station));
    stmt_add(&st, " OR name ILIKE ?)", like_anywhere(q->station));
  }
  if (q->from)
    stmt_add(&st, " AND f.pack_date >= ?::date", g_strdup(q->from));
  if (q->to)
    stmt_add(&st, " AND f.pack_date <= ?::date", g_strdup(q->to));
  if (q->grade)
    stmt_add(&st, " AND f.grade = ?", g_strdup(q->grade));
  if (q->verdict)
    stmt_add(&st, " AND f.verdict = ?", g_strdup(q->verdict));
  stmt_add(&st, " ORDER BY f.pack_date DESC NULLS LAST, b.id DESC LIMIT ?::integer",
           g_strdup_printf("%u", q->limit));
  stmt_add(&st,
           " OFFSET ?::integer) b LEFT JOIN batch_facts f ON f.batch_id = b.id"
           " LEFT JOIN stations s ON s.id = f.station_id" LAST_GRADING,
           g_strdup_printf("%u", q->offset));
  PGresult *res = stmt_run(store, "batch search", &st, error);
  stmt_clear(&st);
  if (!res)
    return NULL;
  char *out = pt_hub_pq_text(res, 0, 0);
  PQclear(res);
  return out;
}

/* Quality index ----------------------------------------------------------------------------- */

/* The group key of a row of quality_weekly or quality_facets (alias t) with batches b. */
static const char *
group_key(PtHubQualityGroup group)
{
  switch (group) {
  case PT_HUB_QUALITY_BY_STATION:
    return "t.station_id";
  case PT_HUB_QUALITY_BY_GROWER:
    return "coalesce(b.grower, '')";
  case PT_HUB_QUALITY_BY_VARIETY:
    return "coalesce(b.variety, '')";
  case PT_HUB_QUALITY_BY_WEEK:
  default:
    return "to_char(t.week, 'IYYY-\"W\"IW')";
  }
}

/* The filters, the same for both tables: @t is a table of week, station_id and batch_id. */
static void
quality_from(Stmt *st, const char *table, const PtHubQualityQuery *q)
{
  g_string_append_printf(st->sql, " FROM %s t JOIN batches b ON b.id = t.batch_id WHERE TRUE",
                         table);
  if (q->station)
    stmt_add(st, " AND t.station_id = ?", g_strdup(q->station));
  if (q->grower)
    stmt_add(st, " AND b.grower = ?", g_strdup(q->grower));
  if (q->variety)
    stmt_add(st, " AND b.variety = ?", g_strdup(q->variety));
  if (q->from_week)
    stmt_add(st, " AND t.week >= ?::date", g_strdup(q->from_week));
  if (q->to_week)
    stmt_add(st, " AND t.week <= ?::date", g_strdup(q->to_week));
}

char *
pt_hub_store_quality_json(PtHubStore *store, const PtHubQualityQuery *q, GError **error)
{
  const char *key = group_key(q->group);
  Stmt st;
  stmt_init(&st, "WITH w AS (SELECT ");
  g_string_append_printf(st.sql,
                         "%s AS k, sum(t.events) AS events, sum(t.inspections) AS inspections,"
                         " sum(t.conformant) AS conformant, sum(t.non_conformant) AS"
                         " non_conformant, sum(t.holds) AS holds, sum(t.recalls) AS recalls",
                         key);
  quality_from(&st, "quality_weekly", q);
  g_string_append_printf(st.sql,
                         " GROUP BY 1), f AS (SELECT %s AS k, t.facet, t.key,"
                         " sum(t.amount) AS amount",
                         key);
  quality_from(&st, "quality_facets", q);
  g_string_append(
      st.sql,
      " GROUP BY 1, 2, 3), o AS (SELECT k, facet, jsonb_object_agg(key, amount) AS obj,"
      " sum(amount) AS total FROM f GROUP BY k, facet)"
      " SELECT coalesce(json_agg(json_build_object('key', w.k, 'events', w.events,"
      " 'inspections', w.inspections, 'conformant', w.conformant, 'non_conformant',"
      " w.non_conformant, 'holds', w.holds, 'recalls', w.recalls,"
      " 'fruit', coalesce((SELECT total FROM o WHERE o.k = w.k AND facet = 'fruit'), 0),"
      " 'fruit_with_defects', coalesce((SELECT total FROM o WHERE o.k = w.k"
      "   AND facet = 'fruit_with_defects'), 0),"
      " 'weight_kg', coalesce((SELECT total FROM o WHERE o.k = w.k AND facet = 'weight_kg'), 0),"
      " 'grades', coalesce((SELECT obj FROM o WHERE o.k = w.k AND facet = 'grade'), '{}'),"
      " 'sizes', coalesce((SELECT obj FROM o WHERE o.k = w.k AND facet = 'size'), '{}'),"
      " 'defects', coalesce((SELECT obj FROM o WHERE o.k = w.k AND facet = 'defect'), '{}'),"
      " 'declared', coalesce((SELECT obj FROM o WHERE o.k = w.k AND facet = 'declared'), '{}'))"
      " ORDER BY w.k), '[]'::json)::text FROM w");
  PGresult *res = stmt_run(store, "quality index", &st, error);
  stmt_clear(&st);
  if (!res)
    return NULL;
  char *out = pt_hub_pq_text(res, 0, 0);
  PQclear(res);
  return out;
}

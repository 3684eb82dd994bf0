/* pt-store-buyer-stats.c: the SQL of the buyer portal's views across batches (see
 * pt-store-buyer-stats.h).
 *
 * Workload: a buyer opening the views, a few times an hour; a station holds thousands of
 * batches.  One statement counts everything: each selected batch's last grading decision is
 * read once (a correlated subquery on the events_by_batch index, into a materialized CTE) and
 * the counts come out of its signed body with json_each; no batch's other events are read,
 * except its holding steps for the holds and recalls. */
#include "pt-store-buyer-stats.h"

#include "pt-error.h"
#include "pt-limits.h"
#include "pt-store-private.h"

/* ?1 from, ?2 to (pack date), ?3 grower pattern, ?4 GTIN, ?5 scope GLN, ?6 row cap.  The
 * grading decision is the event pt-batch-signed.h reads: the last inspecting event carrying
 * pt:declaredClass that declares no earlier one in error. */
static const char sql_stats[] =
    "WITH s AS MATERIALIZED (SELECT b.id AS id, coalesce(b.grower, '') AS grower, "
    "date(b.pack_date, 'weekday 0', '-6 days') AS week, b.quantity AS quantity, b.uom AS uom, "
    "(SELECT e.body FROM events e WHERE e.batch_id = b.id AND e.step = 'inspecting' "
    "AND json_valid(e.body) AND json_extract(e.body, '$.\"pt:declaredClass\"') IS NOT NULL "
    "AND json_extract(e.body, '$.errorDeclaration') IS NULL ORDER BY e.seq DESC LIMIT 1) AS v "
    "FROM batches b WHERE (?1 IS NULL OR b.pack_date >= ?1) AND (?2 IS NULL OR b.pack_date <= ?2) "
    "AND (?3 IS NULL OR b.grower LIKE ?3 ESCAPE '\\') AND (?4 IS NULL OR b.gtin = ?4) "
    "AND (?5 IS NULL OR EXISTS (SELECT 1 FROM load_batches lb JOIN loads l ON l.id = lb.load_id "
    "WHERE lb.batch_id = b.id AND l.destination_gln = ?5))), "
    "c(facet, week, grower, key, amount) AS ("
    "SELECT 'batches', week, grower, '', count(*) FROM s GROUP BY 2, 3 "
    "UNION ALL SELECT 'verdict', week, grower, CASE WHEN json_extract(v, '$.disposition') LIKE "
    "'%non_conformant' THEN 'non_conformant' ELSE 'conformant' END, count(*) FROM s "
    "WHERE json_extract(v, '$.disposition') LIKE '%conformant' GROUP BY 2, 3, 4 "
    "UNION ALL SELECT 'declared', week, grower, json_extract(v, '$.\"pt:declaredClass\"'), "
    "count(*) FROM s WHERE v IS NOT NULL GROUP BY 2, 3, 4 "
    "UNION ALL SELECT 'class', week, grower, j.key, sum(j.value) FROM s, "
    "json_each(s.v, '$.\"pt:gradeDistribution\"') j GROUP BY 2, 3, 4 "
    "UNION ALL SELECT 'size', week, grower, j.key, sum(j.value) FROM s, "
    "json_each(s.v, '$.\"pt:sizeDistribution\"') j GROUP BY 2, 3, 4 "
    "UNION ALL SELECT 'defect', week, grower, j.key, sum(j.value) FROM s, "
    "json_each(s.v, '$.\"pt:defects\".fruitByKind') j GROUP BY 2, 3, 4 "
    "UNION ALL SELECT 'quantity', week, grower, coalesce(uom, ''), sum(quantity) FROM s "
    "WHERE quantity IS NOT NULL GROUP BY 2, 3, 4 "
    "UNION ALL SELECT 'action', s.week, s.grower, json_extract(e.body, '$.\"pt:action\"'), "
    "count(*) FROM s JOIN events e ON e.batch_id = s.id AND e.step = 'holding' "
    "WHERE json_valid(e.body) AND json_extract(e.body, '$.\"pt:action\"') IN ('hold', 'recall') "
    "AND json_extract(e.body, '$.errorDeclaration') IS NULL GROUP BY 2, 3, 4) "
    "SELECT facet, week, grower, key, amount FROM c WHERE week IS NOT NULL "
    "ORDER BY facet, week, grower, key LIMIT ?6";

void
pt_buyer_stat_free(PtBuyerStat *stat)
{
  if (!stat)
    return;
  g_free(stat->facet);
  g_free(stat->week);
  g_free(stat->grower);
  g_free(stat->key);
  g_free(stat);
}

GPtrArray *
pt_store_buyer_stats(PtStore *store, const PtBuyerStatsQuery *query, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_stats, error);
  if (!s)
    return NULL;
  g_autofree char *grower = pt_store_like_contains(query->grower);
  pt_store_bind_text_or_null(s, 1, query->from);
  pt_store_bind_text_or_null(s, 2, query->to);
  pt_store_bind_text_or_null(s, 3, grower);
  pt_store_bind_text_or_null(s, 4, query->gtin);
  pt_store_bind_text_or_null(s, 5, query->scope_gln);
  /* One row past the cap says the answer would be too large. */
  sqlite3_bind_int64(s, 6, (gint64)PT_BUYER_STATS_ROWS_MAX + 1);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)pt_buyer_stat_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtBuyerStat *r = g_new0(PtBuyerStat, 1);
    r->facet = pt_store_column_dup(s, 0);
    r->week = pt_store_column_dup(s, 1);
    r->grower = pt_store_column_dup(s, 2);
    r->key = pt_store_column_dup(s, 3);
    r->amount = sqlite3_column_double(s, 4);
    g_ptr_array_add(rows, r);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "count the batches across", error);
    return NULL;
  }
  if (rows->len > PT_BUYER_STATS_ROWS_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "more than %d counts: narrow the dates, the grower or the GTIN",
                PT_BUYER_STATS_ROWS_MAX);
    return NULL;
  }
  return g_steal_pointer(&rows);
}

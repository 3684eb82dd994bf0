/* pt-store-buyer.c: the SQL of the buyer portal: the batch search, a batch's loads and
 * evidence clips, and a scoped buyer's view (only batches on loads to their GLN).
 *
 * Workload: a few searches a minute at most, from people and buyers' platforms; a station
 * holds thousands of batches, so a search may scan the batches table (the grading verdict is
 * a correlated subquery on the events_by_batch index).  Every criterion is a bound parameter of
 * one static statement; text searched with LIKE is escaped here, so '%' and '_' in what a
 * buyer types match themselves. */
#include "pt-store-buyer.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

/* The body of the batch's last grading decision: the inspecting event pt-grading.c signs
 * (it carries pt:declaredClass), not a copy declaring an earlier one in error; the same event
 * pt-batch-signed.h reads, found by the events_by_batch index. */
#define VERDICT_BODY                                                                               \
  "(SELECT e.body FROM events e WHERE e.batch_id = b.id AND e.step = 'inspecting' "                \
  "AND json_valid(e.body) AND json_extract(e.body, '$.\"pt:declaredClass\"') IS NOT NULL "         \
  "AND json_extract(e.body, '$.errorDeclaration') IS NULL ORDER BY e.seq DESC LIMIT 1)"

#define ON_LOAD_TO(batch, gln)                                                                     \
  "EXISTS (SELECT 1 FROM load_batches lb JOIN loads l ON l.id = lb.load_id WHERE lb.batch_id "     \
  "= " batch " AND l.destination_gln = " gln ")"

/* ?1 lot pattern, ?2 GTIN, ?3 grower pattern, ?4 date kind (PtBuyerDate), ?5 from, ?6 to,
 * ?7 declared class, ?8 scope GLN, ?9 limit, ?10 offset, ?11 verdict. */
static const char sql_search[] =
    "SELECT id, grade, verdict FROM (SELECT id, day, json_extract(v, '$.\"pt:declaredClass\"') "
    "AS grade, CASE WHEN json_extract(v, '$.disposition') LIKE '%non_conformant' THEN "
    "'non_conformant' WHEN json_extract(v, '$.disposition') LIKE '%conformant' THEN 'conformant' "
    "END AS verdict FROM (SELECT b.id AS id, " VERDICT_BODY " AS v, "
    "CASE ?4 WHEN 1 THEN b.harvest_date WHEN 2 THEN date(b.created_ns / 1000000000, 'unixepoch') "
    "ELSE b.pack_date END AS day FROM batches b "
    "WHERE (?1 IS NULL OR b.lot LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR b.gtin = ?2) "
    "AND (?3 IS NULL OR b.grower LIKE ?3 ESCAPE '\\') "
    "AND (?8 IS NULL OR " ON_LOAD_TO(
        "b.id", "?8") "))) "
                      "WHERE (?5 IS NULL OR day >= ?5) AND (?6 IS NULL OR day <= ?6) AND (?7 IS "
                      "NULL OR grade = ?7) "
                      "AND (?11 IS NULL OR verdict = ?11) ORDER BY id DESC LIMIT ?9 OFFSET ?10";
static const char sql_in_scope[] = "SELECT ?2 IS NULL OR " ON_LOAD_TO("?1", "?2");
static const char sql_loads[] =
    "SELECT l.id, l.destination, l.destination_gln, l.seal, l.bol, l.desadv, l.opened_ns, "
    "l.closed_ns, lb.added_ns, e.event_id, l.po FROM load_batches lb JOIN loads l ON l.id = "
    "lb.load_id "
    "JOIN events e ON e.seq = lb.event_seq WHERE lb.batch_id = ?1 "
    "AND (?2 IS NULL OR l.destination_gln = ?2) ORDER BY lb.event_seq";
/* The position counts the batch's events up to the clip's, as /clips/N numbers them. */
static const char sql_clips[] =
    "SELECT (SELECT count(*) FROM events e2 WHERE e2.batch_id = c.batch_id AND e2.seq <= "
    "c.event_seq), e.step, e.event_id, c.camera, c.from_ns, c.to_ns, c.sha256, c.bytes, "
    "c.expired_ns FROM clips c JOIN events e ON e.seq = c.event_seq WHERE c.batch_id = ? "
    "ORDER BY c.event_seq";

void
pt_buyer_load_free(PtBuyerLoad *load)
{
  if (!load)
    return;
  g_free(load->destination);
  g_free(load->destination_gln);
  g_free(load->seal);
  g_free(load->bol);
  g_free(load->desadv);
  g_free(load->po);
  g_free(load->event_id);
  g_free(load);
}

void
pt_buyer_hit_free(PtBuyerHit *hit)
{
  if (!hit)
    return;
  pt_batch_free(hit->batch);
  g_free(hit->grade);
  g_free(hit->verdict);
  if (hit->loads)
    g_ptr_array_unref(hit->loads);
  g_free(hit);
}

void
pt_buyer_clip_free(PtBuyerClip *clip)
{
  if (!clip)
    return;
  g_free(clip->step);
  g_free(clip->event_id);
  g_free(clip->camera);
  g_free(clip->sha256);
  g_free(clip);
}

GPtrArray *
pt_store_buyer_search(PtStore *store, const PtBuyerQuery *query, gboolean *more_out, GError **error)
{
  g_return_val_if_fail(query->limit > 0 && query->offset >= 0, NULL);
  sqlite3_stmt *s = pt_store_stmt(store, sql_search, error);
  if (!s)
    return NULL;
  g_autofree char *lot = pt_store_like_contains(query->lot);
  g_autofree char *grower = pt_store_like_contains(query->grower);
  pt_store_bind_text_or_null(s, 1, lot);
  pt_store_bind_text_or_null(s, 2, query->gtin);
  pt_store_bind_text_or_null(s, 3, grower);
  sqlite3_bind_int(s, 4, (int)query->date);
  pt_store_bind_text_or_null(s, 5, query->from);
  pt_store_bind_text_or_null(s, 6, query->to);
  pt_store_bind_text_or_null(s, 7, query->grade);
  pt_store_bind_text_or_null(s, 8, query->scope_gln);
  /* One row past the page says whether another page follows. */
  sqlite3_bind_int64(s, 9, (gint64)query->limit + 1);
  sqlite3_bind_int64(s, 10, query->offset);
  pt_store_bind_text_or_null(s, 11, query->verdict);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GPtrArray) grades = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) verdicts = g_ptr_array_new_with_free_func(g_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(s, 0);
    g_array_append_val(ids, id);
    g_ptr_array_add(grades, pt_store_column_dup(s, 1));
    g_ptr_array_add(verdicts, pt_store_column_dup(s, 2));
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "search batches", error);
    return NULL;
  }
  *more_out = ids->len > (guint)query->limit;
  guint n = MIN(ids->len, (guint)query->limit);
  /* The page is read whole before these lookups: the statements are cached per
   * connection and each must be reset before the next use. */
  g_autoptr(GPtrArray) hits = g_ptr_array_new_with_free_func((GDestroyNotify)pt_buyer_hit_free);
  for (guint i = 0; i < n; i++) {
    g_autoptr(PtBuyerHit) hit = g_new0(PtBuyerHit, 1);
    hit->batch = pt_store_batch_get(store, g_array_index(ids, gint64, i), error);
    if (!hit->batch)
      return NULL;
    hit->grade = g_strdup(g_ptr_array_index(grades, i));
    hit->verdict = g_strdup(g_ptr_array_index(verdicts, i));
    hit->loads = pt_store_buyer_loads(store, hit->batch->id, query->scope_gln, error);
    if (!hit->loads)
      return NULL;
    g_ptr_array_add(hits, g_steal_pointer(&hit));
  }
  return g_steal_pointer(&hits);
}

gboolean
pt_store_buyer_in_scope(PtStore *store, gint64 batch_id, const char *scope_gln,
                        gboolean *visible_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_in_scope, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  pt_store_bind_text_or_null(s, 2, scope_gln);
  gint64 visible = 0;
  if (!pt_store_step_int64(store, s, "check a buyer's scope", &visible, error))
    return FALSE;
  *visible_out = visible != 0;
  return TRUE;
}

GPtrArray *
pt_store_buyer_loads(PtStore *store, gint64 batch_id, const char *scope_gln, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_loads, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  pt_store_bind_text_or_null(s, 2, scope_gln);
  g_autoptr(GPtrArray) loads = g_ptr_array_new_with_free_func((GDestroyNotify)pt_buyer_load_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtBuyerLoad *l = g_new0(PtBuyerLoad, 1);
    l->id = sqlite3_column_int64(s, 0);
    l->destination = pt_store_column_dup(s, 1);
    l->destination_gln = pt_store_column_dup(s, 2);
    l->seal = pt_store_column_dup(s, 3);
    l->bol = pt_store_column_dup(s, 4);
    l->desadv = pt_store_column_dup(s, 5);
    l->opened_ns = sqlite3_column_int64(s, 6);
    l->closed_ns = sqlite3_column_int64(s, 7);
    l->loaded_ns = sqlite3_column_int64(s, 8);
    l->event_id = pt_store_column_dup(s, 9);
    l->po = pt_store_column_dup(s, 10);
    g_ptr_array_add(loads, l);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read a batch's loads", error);
    return NULL;
  }
  return g_steal_pointer(&loads);
}

GPtrArray *
pt_store_buyer_clips(PtStore *store, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_clips, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, batch_id);
  g_autoptr(GPtrArray) clips = g_ptr_array_new_with_free_func((GDestroyNotify)pt_buyer_clip_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtBuyerClip *c = g_new0(PtBuyerClip, 1);
    c->position = sqlite3_column_int64(s, 0);
    c->step = pt_store_column_dup(s, 1);
    c->event_id = pt_store_column_dup(s, 2);
    c->camera = pt_store_column_dup(s, 3);
    c->from_ns = sqlite3_column_int64(s, 4);
    c->to_ns = sqlite3_column_int64(s, 5);
    c->sha256 = pt_store_column_dup(s, 6);
    c->bytes = (guint64)sqlite3_column_int64(s, 7);
    c->expired_ns = sqlite3_column_int64(s, 8);
    g_ptr_array_add(clips, c);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read a batch's clips", error);
    return NULL;
  }
  return g_steal_pointer(&clips);
}

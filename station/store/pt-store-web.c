/* pt-store-web.c: the SQL of the consumer page: scan counts per batch (in all and per UTC
 * day, for the buyer portal's counterfeit signal) and what a GTIN-level page says about a
 * product.
 *
 * Workload: two UPSERTs per batch viewed, about once a second, from pt-scan-tally.c's writer
 * (page views are counted in memory in between); one indexed SELECT of the page's cache key
 * per page view, thousands a second; the daily series is read per batch a buyer searches for. */
#include "pt-store-web.h"

#include "pt-error.h"
#include "pt-store-private.h"

static const char sql_scan_count[] =
    "INSERT INTO scans (batch_id, count, first_ns, last_ns) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (batch_id) DO UPDATE SET count = count + ?2, last_ns = max(last_ns, ?4)";
static const char sql_scan_day[] =
    "INSERT INTO scan_days (batch_id, day, count) VALUES (?1, ?2 / 86400000000000, ?3) "
    "ON CONFLICT (batch_id, day) DO UPDATE SET count = count + ?3";
static const char sql_scan_days[] =
    "SELECT day, count FROM scan_days WHERE batch_id = ? AND day >= ? ORDER BY day";
static const char sql_scan_get[] = "SELECT count FROM scans WHERE batch_id = ?";
static const char sql_scan_summary[] = "SELECT count, first_ns FROM scans WHERE batch_id = ?";
static const char sql_gtin_summary[] =
    "SELECT count(*), (SELECT product FROM batches WHERE gtin = ?1 ORDER BY id DESC LIMIT 1) "
    "FROM batches WHERE gtin = ?1";

static const char sql_public_rev[] = "SELECT b.id, b.gtin, coalesce(r.rev, 0) FROM batches b "
                                     "LEFT JOIN public_revs r ON r.batch_id = b.id WHERE b.lot = ?";
/* The lot first, the id only when no batch has that lot (pt_batch_lookup()'s order): at most
 * one row, since lots are unique. */
static const char sql_public_rev_ref[] =
    "SELECT b.id, b.gtin, coalesce(r.rev, 0) FROM batches b "
    "LEFT JOIN public_revs r ON r.batch_id = b.id WHERE b.lot = ?1 "
    "UNION ALL SELECT b.id, b.gtin, coalesce(r.rev, 0) FROM batches b "
    "LEFT JOIN public_revs r ON r.batch_id = b.id "
    "WHERE b.id = ?2 AND NOT EXISTS (SELECT 1 FROM batches WHERE lot = ?1)";
static const char sql_read_begin[] = "BEGIN DEFERRED";
static const char sql_read_end[] = "COMMIT";

gboolean
pt_store_scan_count(PtStore *store, gint64 batch_id, gint64 n, gint64 first_ns, gint64 last_ns,
                    GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_scan_count, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_int64(s, 2, n);
  sqlite3_bind_int64(s, 3, first_ns);
  sqlite3_bind_int64(s, 4, last_ns);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "count a scan", error);
  /* The tally keeps a day's views apart from the next day's, so last_ns names their day. */
  if (!(s = pt_store_stmt(store, sql_scan_day, error)))
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_int64(s, 2, last_ns);
  sqlite3_bind_int64(s, 3, n);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "count a scan", error);
  return TRUE;
}

gboolean
pt_store_scan_days(PtStore *store, gint64 batch_id, gint64 first_day, GArray **days_out,
                   GArray **counts_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_scan_days, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_int64(s, 2, first_day);
  g_autoptr(GArray) days = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GArray) counts = g_array_new(FALSE, FALSE, sizeof(gint64));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    gint64 day = sqlite3_column_int64(s, 0), n = sqlite3_column_int64(s, 1);
    g_array_append_val(days, day);
    g_array_append_val(counts, n);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read daily scans", error);
  *days_out = g_steal_pointer(&days);
  *counts_out = g_steal_pointer(&counts);
  return TRUE;
}

gboolean
pt_store_scan_get(PtStore *store, gint64 batch_id, gint64 *count_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_scan_get, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  int rc = sqlite3_step(s);
  *count_out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read scans", error);
  return TRUE;
}

gboolean
pt_store_scan_summary(PtStore *store, gint64 batch_id, gint64 *count_out, gint64 *first_ns_out,
                      GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_scan_summary, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  int rc = sqlite3_step(s);
  *count_out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  *first_ns_out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read scans", error);
  return TRUE;
}

gboolean
pt_store_gtin_summary(PtStore *store, const char *gtin, gint64 *n_out, char **product_out,
                      GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_gtin_summary, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, gtin, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *n_out = sqlite3_column_int64(s, 0);
    const char *product = (const char *)sqlite3_column_text(s, 1);
    *product_out = g_strdup(product);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "look up a GTIN", error);
  return TRUE;
}

/* Steps @s, bound, into @out; @lot, else @id, names the batch in the not-found error (made
 * only then: a reader's hot path formats nothing). */
static gboolean
public_rev_row(PtStore *store, sqlite3_stmt *s, const char *lot, gint64 id, PtPublicRev *out,
               GError **error)
{
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    out->batch_id = sqlite3_column_int64(s, 0);
    const char *gtin = (const char *)sqlite3_column_text(s, 1);
    g_strlcpy(out->gtin, gtin ? gtin : "", sizeof out->gtin);
    out->rev = sqlite3_column_int64(s, 2);
  }
  sqlite3_reset(s);
  if (rc == SQLITE_DONE) {
    if (lot)
      g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no batch with lot %s", lot);
    else
      g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no batch with id %" G_GINT64_FORMAT, id);
    return FALSE;
  }
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "look up a lot", error);
  return TRUE;
}

gboolean
pt_store_public_rev(PtStore *store, const char *lot, PtPublicRev *out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_public_rev, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, lot, -1, SQLITE_STATIC);
  return public_rev_row(store, s, lot, 0, out, error);
}

gboolean
pt_store_public_rev_ref(PtStore *store, const char *lot, gint64 id, PtPublicRev *out,
                        GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_public_rev_ref, error);
  if (!s)
    return FALSE;
  if (lot)
    sqlite3_bind_text(s, 1, lot, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(s, 1);
  if (id > 0)
    sqlite3_bind_int64(s, 2, id);
  else
    sqlite3_bind_null(s, 2);
  return public_rev_row(store, s, lot, id, out, error);
}

gboolean
pt_store_read_begin(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_read_begin, error);
  return s && pt_store_step_done(store, s, "begin a read", error);
}

void
pt_store_read_end(PtStore *store)
{
  if (sqlite3_get_autocommit(pt_store_db(store)))
    return;
  /* Ending a read-only transaction cannot lose anything; a failure leaves the next BEGIN
   * to report it. */
  sqlite3_stmt *s = pt_store_stmt(store, sql_read_end, NULL);
  if (s)
    pt_store_step_done(store, s, "end a read", NULL);
}

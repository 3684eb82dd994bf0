/* pt-store-export.c: the SQL behind a regulator's export over a date range: the batches
 * harvested or packed in it, and those on a load that closed in it.
 *
 * Workload: a few times a year, on request (an FSMA 204 records request, an inspection); one
 * scan of `batches` (thousands of rows a season, not the event log) and of `loads`. */
#include "pt-store-export.h"

#include "pt-error.h"
#include "pt-store-private.h"

static const char sql_batches_between[] =
    "SELECT id FROM batches WHERE (harvest_date BETWEEN ?1 AND ?2) OR (pack_date BETWEEN ?1 AND ?2)"
    " UNION SELECT lb.batch_id FROM load_batches lb JOIN loads l ON l.id = lb.load_id"
    " WHERE l.closed_ns >= ?3 AND l.closed_ns < ?4"
    " ORDER BY 1 LIMIT ?5";

gboolean
pt_store_export_batches_between(PtStore *store, const char *from_date, const char *to_date,
                                gint64 from_ns, gint64 to_ns, guint max, GArray **ids_out,
                                GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_batches_between, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, from_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, to_date, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, from_ns);
  sqlite3_bind_int64(s, 4, to_ns);
  /* One more than allowed, to tell "exactly max" from "over". */
  sqlite3_bind_int64(s, 5, (sqlite3_int64)max + 1);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(s, 0);
    g_array_append_val(ids, id);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "find the batches of a date range", error);
  if (ids->len > max) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "more than %u lots in that date range; export a narrower range", max);
    return FALSE;
  }
  *ids_out = g_steal_pointer(&ids);
  return TRUE;
}

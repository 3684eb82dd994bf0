/* pt-store-metrics.c: SQL of the /metrics counts (see pt-store-metrics.h).  A scrape every
 * 15-60 s reads max(seq) from the primary key and one pass over the batches table. */
#include "pt-store-metrics.h"

#include "pt-store-private.h"

#include <string.h>

/* The log is append-only and contiguous from 1 (audit checks it), so max(seq) counts it. */
static const char sql_events[] = "SELECT coalesce(max(seq), 0) FROM events";
static const char sql_batches[] = "SELECT status, count(*) FROM batches GROUP BY status";

gboolean
pt_store_log_counts(PtStore *store, PtStoreLogCounts *out, GError **error)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s = pt_store_stmt(store, sql_events, error);
  if (!s || !pt_store_step_int64(store, s, "count events", &out->events, error))
    return FALSE;
  if (!(s = pt_store_stmt(store, sql_batches, error)))
    return FALSE;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *status = (const char *)sqlite3_column_text(s, 0);
    gint64 n = sqlite3_column_int64(s, 1);
    if (g_strcmp0(status, "held") == 0)
      out->held = n;
    else if (g_strcmp0(status, "recalled") == 0)
      out->recalled = n;
    else
      out->active += n;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "count batches", error);
  return TRUE;
}

/* pt-store-signed.h: the few signed events a batch's facts are derived from (pt-batch-signed.h):
 * its commissioning event, its latest status change and its latest grading decision, found by
 * SQL so that no request reads a batch's whole log for them; and the database checks `audit`
 * runs beside the log walk. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Calls @fn, in log order, for each of @batch_id's events that its signed facts come from:
 * the first commissioning event, the last holding event that changed its status (one with
 * pt:action, not a copy declaring an earlier one in error) and the last inspecting event that
 * is not an error declaration.  At most three rows; @row is valid during the call only. */
gboolean pt_store_batch_fact_events(PtStore *store, gint64 batch_id, PtEventFunc fn,
                                    gpointer user_data, GError **error);

/* Runs SQLite's PRAGMA integrity_check (or quick_check with @quick) and returns its lines in
 * @problems_out (transfer full) (element-type utf8): empty when the file is sound. */
gboolean pt_store_integrity_check(PtStore *store, gboolean quick, GPtrArray **problems_out,
                                  GError **error);

/* Calls @fn for every batch row, in id order (for `audit`).  @fn returns FALSE to stop. */
typedef gboolean (*PtBatchFunc)(const PtBatch *batch, gpointer user_data, GError **error);
gboolean pt_store_batches_foreach(PtStore *store, PtBatchFunc fn, gpointer user_data,
                                  GError **error);

G_END_DECLS

/* pt-store-event-hash.h: the event log by GS1 Event Hash ID: finding an event by it, and
 * filling it in for events stored before the column existed.  The ID itself is computed
 * above store/ (trace/pt-event-hash.h); here it is only a stored, indexed string. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* The event whose hash_id is @hash_id (the first in log order), with its batch's lot and
 * GTIN.  Fails with PT_ERROR_NOT_FOUND when no event has it.  Clear @row with
 * pt_event_row_clear(); @lot and @gtin are (transfer full). */
gboolean pt_store_event_find_by_hash_id(PtStore *store, const char *hash_id, PtEventRow *row,
                                        char **lot, char **gtin, GError **error);

/* Up to @limit events after seq @after without a hash_id, in log order: seq and body filled.
 * Returns: (transfer full) (element-type PtEventRow): free with g_ptr_array_unref(). */
GPtrArray *pt_store_events_missing_hash_id(PtStore *store, gint64 after, int limit, GError **error);

/* Sets the hash_id of event @seq if it has none yet (a set one cannot change). */
gboolean pt_store_event_set_hash_id(PtStore *store, gint64 seq, const char *hash_id,
                                    GError **error);

G_END_DECLS

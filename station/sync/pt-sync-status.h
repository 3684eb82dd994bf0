/* pt-sync-status.h: what the operator sees and does about sync, shared by
 * `packtrace sync status|retry` and GET /api/v1/sync, POST /api/v1/sync/retry. */
#pragma once

#include "pt-config.h"
#include "pt-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Per connector of station.ini: pending (queued and not yet queued), in_flight,
 * failed (with the first PT_SYNC_FAILURES_SHOWN and their bodies), delivered,
 * oldest_pending_age_s, last_ok, last_error.  @name (nullable) picks one.
 * Returns: (transfer full): {"connectors": [...]}. */
json_t *pt_sync_status_json(const PtConfig *config, const char *data_dir, PtStore *store,
                            const char *name, GError **error);

/* Makes pending deliveries of @name (nullable: all) due now and, with @failed, failed
 * ones pending again.  Returns: the number of deliveries changed, or -1. */
gint64 pt_sync_retry(const PtConfig *config, const char *data_dir, PtStore *store, const char *name,
                     gboolean failed, GError **error);

G_END_DECLS

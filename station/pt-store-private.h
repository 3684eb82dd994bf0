/* pt-store-private.h: what the store's topic files (pt-store-<topic>.c) share with
 * pt-store.c: the connection, the error mapping and a per-connection cache of
 * prepared statements keyed by their (static) SQL text.  Nothing outside the
 * store module includes this. */
#pragma once

#include "pt-store.h"

#include <sqlite3.h>

G_BEGIN_DECLS

/* Returns: (transfer none). */
sqlite3 *pt_store_db(PtStore *store);

/* Maps an SQLite result code onto a PT_ERROR.  Returns: FALSE. */
gboolean pt_store_sqlite_error(PtStore *store, int rc, const char *what, GError **error);

/* Prepares @sql once per connection (@sql must be a string literal: its address
 * is the cache key) and returns it reset, with bindings cleared.
 * Returns: (transfer none) (nullable). */
sqlite3_stmt *pt_store_stmt(PtStore *store, const char *sql, GError **error);

/* Hooks of pt-store-sync.c that pt-store.c calls inside the writer's transaction. */
gboolean pt_store_outbox_add_event(PtStore *store, const PtEventRow *row, GError **error);
gboolean pt_store_outbox_add_batch(PtStore *store, gint64 batch_id, const char *status,
                                   const char *reason, GError **error);

G_END_DECLS

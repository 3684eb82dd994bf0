/* pt-store-private.h: what the topic files of the store (pt-store-<topic>.c) share
 * with pt-store.c: the connection, a per-connection cache of prepared statements
 * keyed by their (static) SQL text, and the SQLite -> PT_ERROR mapping. */
#pragma once

#include "pt-store.h"

#include <sqlite3.h>

G_BEGIN_DECLS

/* Returns: (transfer none): the connection. */
sqlite3 *pt_store_db(PtStore *store);

/* Prepares @sql once per connection (it must be a string literal: its address is the
 * cache key) and returns it reset with no bindings.  Returns: (transfer none). */
sqlite3_stmt *pt_store_stmt(PtStore *store, const char *sql, GError **error);

/* Sets @error from SQLite result @rc (busy, full, constraint, ...).  Returns: FALSE. */
gboolean pt_store_set_error(PtStore *store, int rc, const char *what, GError **error);

G_END_DECLS

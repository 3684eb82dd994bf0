/* pt-store-private.h: what pt-store-<topic>.c files share with pt-store.c and nothing else
 * sees: the connection, the statement cache and the SQLite error mapping. */
#pragma once

#include "pt-store.h"

#include <sqlite3.h>

G_BEGIN_DECLS

/* A cached statement for @sql, which must be a string constant: its address is the cache
 * key.  Reset and unbound when handed out again.  Returns: (transfer none). */
sqlite3_stmt *pt_store_stmt(PtStore *store, const char *sql, GError **error);

/* Maps @rc to a PT_ERROR code and message.  Returns: FALSE. */
gboolean pt_store_sqlite_error(PtStore *store, int rc, const char *what, GError **error);

/* Returns: (transfer none). */
sqlite3 *pt_store_db(PtStore *store);

G_END_DECLS

/* pt-store.h: the station's SQLite store: opening and migrating the database, transactions,
 * batches and the append-only event log.  Every SQL statement of the station lives in store/,
 * one file per concern (pt-store-*.c, each with its own header); every statement is prepared
 * once per connection and bound, never built from input.  One PtStore is one connection: the CLI
 * has one, each HTTP worker thread has its own (WAL lets readers and one writer work at once). */
#pragma once

#include "pt-record.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtStore PtStore;

/* The schema version this build writes (PRAGMA user_version). */
#define PT_STORE_SCHEMA_VERSION 23

/* Opens (and with @create, creates) the database at @path and migrates it to
 * PT_STORE_SCHEMA_VERSION.  A database newer than this build is refused.
 * Returns: (transfer full). */
PtStore *pt_store_open(const char *path, gboolean create, int busy_timeout_ms, GError **error);
/* Opens @path read-only for an audit: never migrates or writes, works on a copy in a folder
 * that cannot take a -shm or -journal file.  Refuses a zero-length or schema-less file (a
 * station's `init` always creates the schema) and a schema other than this build's.
 * Returns: (transfer full). */
PtStore *pt_store_open_readonly(const char *path, GError **error);
void pt_store_close(PtStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtStore, pt_store_close)

int pt_store_schema_version(PtStore *store);

/* Write transactions take the write lock up front (BEGIN IMMEDIATE) so that the
 * chain heads read inside cannot change before the append; the connection keeps the heads
 * it read or wrote until the transaction ends, so a burst of appends reads each once. */
gboolean pt_store_begin(PtStore *store, GError **error);
gboolean pt_store_commit(PtStore *store, GError **error);
void pt_store_rollback(PtStore *store);

/* Batches */
gboolean pt_store_batch_insert(PtStore *store, PtBatch *batch, GError **error);
/* Returns: (transfer full) (nullable): NULL with PT_ERROR_NOT_FOUND when absent. */
PtBatch *pt_store_batch_get(PtStore *store, gint64 id, GError **error);
PtBatch *pt_store_batch_get_by_lot(PtStore *store, const char *lot, GError **error);
/* Returns: (transfer full) (element-type PtBatch): newest first. */
GPtrArray *pt_store_batch_list(PtStore *store, int limit, int offset, GError **error);
gboolean pt_store_batch_set_status(PtStore *store, gint64 id, const char *status,
                                   const char *reason, GError **error);
/* Highest counter N among lots "@prefix<digits>" (0 when none). */
gboolean pt_store_lot_counter_max(PtStore *store, const char *prefix, int *max_out, GError **error);

/* Events: append-only (triggers refuse UPDATE and DELETE).
 * The heads of the station's chain and of @batch_id's, for the next event: @heads->seq (the
 * next), prev_station_hash, prev_batch_hash (with their has_ flags) and record_time_ns, the
 * last event's record time (0 for an empty log).  Inside pt_store_begin() they come from
 * memory after the first read; outside a transaction they are read every time. */
gboolean pt_store_chain_heads(PtStore *store, gint64 batch_id, PtEventRow *heads, GError **error);
gboolean pt_store_event_insert(PtStore *store, const PtEventRow *row, GError **error);
/* TRUE inside pt_store_begin()/pt_store_commit() while the database still holds the
 * transaction (an I/O error or a full disk can end it on its own). */
gboolean pt_store_in_write(PtStore *store);
/* Notes @row (seq, record time, hash) as the log's head for the rest of the transaction, as
 * pt_store_event_insert() does, for a row that will be inserted later in the same transaction
 * (pt_store_owe()).  Outside a write transaction it forgets the heads. */
void pt_store_heads_note(PtStore *store, const PtEventRow *row);
/* The events appended in this write transaction so far (0 outside one). */
guint pt_store_appended(PtStore *store);

/* The key that signs appends and the time it signs from, as the appender worked them out from
 * the key rotations in this write transaction (pt-trace.c): kept with the heads, forgotten with
 * them and when a rotation is inserted.  _known() is FALSE when none is noted. */
gboolean pt_store_signer_known(PtStore *store, guint8 key[PT_PUB_LEN], gint64 *from_ns);
void pt_store_signer_note(PtStore *store, const guint8 key[PT_PUB_LEN], gint64 from_ns);
void pt_store_signer_forget(PtStore *store);

/* A write owed to the database: rows a write transaction has made but not yet inserted, because
 * another thread is finishing them (pt-trace.c signs an event on the second core while the
 * caller goes on).  The store runs @write before any other statement of the connection (any
 * statement it prepares or hands out, pt_store_db(), the commit), so every statement sees the
 * rows, and the transaction commits only once @write succeeded: a failure stays with the store
 * (every statement and the commit fail with it) until the rollback.  A rollback or close calls
 * @drop instead.  @write and @drop each own @data.  One write is owed at a time: _owe() runs the
 * one owed before, and when that fails it drops @data and returns FALSE.  Only inside
 * pt_store_begin()/pt_store_commit(). */
typedef gboolean (*PtStoreOwedWrite)(PtStore *store, gpointer data, GError **error);
gboolean pt_store_owe(PtStore *store, PtStoreOwedWrite write, GDestroyNotify drop, gpointer data,
                      GError **error);
/* Takes back the data of the owed write when it is @write, which then is no longer owed (the
 * caller owes it again or runs it).  NULL when nothing or another write is owed. */
gpointer pt_store_owed_take(PtStore *store, PtStoreOwedWrite write);
/* Runs the owed write now.  FALSE with its error (or the earlier one's) when it failed. */
gboolean pt_store_settle(PtStore *store, GError **error);

/* Calls @fn for each event of @batch_id (or of the whole log when @batch_id is 0) in
 * log order.  @row is valid during the call only.  @fn returns FALSE to stop with
 * its error. */
typedef gboolean (*PtEventFunc)(const PtEventRow *row, gpointer user_data, GError **error);
gboolean pt_store_events_foreach(PtStore *store, gint64 batch_id, PtEventFunc fn,
                                 gpointer user_data, GError **error);

/* A read transaction: the page is rendered from one snapshot, the one its key was read in.
 * _end() is safe to call when _begin() failed. */
gboolean pt_store_read_begin(PtStore *store, GError **error);
void pt_store_read_end(PtStore *store);

G_END_DECLS

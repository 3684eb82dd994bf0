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

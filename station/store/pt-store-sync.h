/* pt-store-sync.h: the sync outbox in the store.
 *
 * Every event (and every batch status change) gets an outbox row in the
 * transaction that records it (pt-store.c calls the hooks), so nothing is recorded
 * but not queued.  The outbox is never trimmed: a connector added later can start
 * from its beginning.  Each connector has a cursor (outbox rows up to it have been
 * queued for it) and one delivery row per queued item that is not yet delivered:
 * pending, sending (in a request now), failed (refused for good; retried only on
 * request; its batch waits behind it) or quarantined (an event the platform refused on its
 * own: kept and shown like a failure, but the rest of its batch goes on without it).  Delivered
 * rows are deleted and counted, so the table holds only what is still to do. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;
  gboolean summaries;       /* queue batch status changes too (webhooks) */
  const char *filter_kind;  /* "all", "product", "gtin" or "grower" */
  const char *filter_value; /* nullable for "all" */
} PtSyncQueueSpec;

/* One queued item with what is needed to send it; valid during a callback only. */
typedef struct {
  gint64 outbox_id;
  gint64 batch_id;
  int attempts;
  gboolean solo;
  gboolean is_event;           /* else a batch status change */
  const char *key;             /* eventID, or urn:uuid of the status change: the idempotency key */
  const char *status, *reason; /* status changes */
  gint64 created_ns;
  /* events */
  gint64 seq;
  const char *step;
  gint64 event_time_ns;
  const char *body;
  gsize body_len;
  const guint8 *hash, *signature;
  /* the batch */
  const char *lot, *gtin, *product, *variety, *origin, *grower;
} PtSyncItem;

/* Returns FALSE to stop the walk (not an error). */
typedef gboolean (*PtSyncItemFunc)(const PtSyncItem *item, gpointer user_data);

typedef struct {
  gint64 pending, sending, failed, quarantined;
  gint64 unqueued;   /* outbox rows past the cursor that match the filter */
  gint64 oldest_ns;  /* created_ns of the oldest undelivered, not failed or quarantined; 0 =
                      * none */
  gint64 delivered;  /* total delivered since the connector was added */
  gint64 last_ok_ns; /* 0 = never */
  char *last_error;  /* nullable */
  gint64 last_error_ns;
} PtSyncCounts;

void pt_sync_counts_clear(PtSyncCounts *counts);

typedef struct {
  gint64 outbox_id;
  char *key;
  char *lot;
  int http_status; /* 0 = none */
  int attempts;
  char *error;
  gboolean quarantined; /* else failed */
} PtSyncFailure;

void pt_sync_failure_free(PtSyncFailure *failure);

/* Outbox position of the newest row (0 when empty). */
gboolean pt_store_outbox_max(PtStore *store, gint64 *max_out, GError **error);

/* Creates the connector's state when absent: its cursor starts at the beginning of
 * the outbox with @from_start, else at its end (only what comes next is sent). */
gboolean pt_store_sync_connector_ensure(PtStore *store, const char *name, gboolean from_start,
                                        GError **error);
/* Forgets the connector's state (cursor, deliveries, counters). */
gboolean pt_store_sync_connector_delete(PtStore *store, const char *name, GError **error);
/* Reads the retry generation (bumped by pt_store_sync_retry). */
gboolean pt_store_sync_retry_gen(PtStore *store, const char *name, gint64 *gen_out, GError **error);

/* Queues outbox rows after the cursor up to @upto that match @spec. */
gboolean pt_store_sync_queue(PtStore *store, const PtSyncQueueSpec *spec, gint64 upto,
                             GError **error);

/* Walks pending, due (next_ns <= @now_ns) deliveries of @name in outbox order,
 * leaving out every batch that has a delivery in flight, failed or waiting to be
 * retried (a batch goes in order), at most @limit rows. */
gboolean pt_store_sync_ready(PtStore *store, const char *name, gint64 now_ns, int limit,
                             PtSyncItemFunc fn, gpointer user_data, GError **error);

/* When the first of @name's pending deliveries waiting past @now_ns is due, into
 * *@next_ns_out (0: none waits). */
gboolean pt_store_sync_next_due(PtStore *store, const char *name, gint64 now_ns,
                                gint64 *next_ns_out, GError **error);

/* State changes of the deliveries @ids (outbox ids) of @name. */
gboolean pt_store_sync_mark_sending(PtStore *store, const char *name, const gint64 *ids, guint n,
                                    GError **error);
gboolean pt_store_sync_delivered(PtStore *store, const char *name, const gint64 *ids, guint n,
                                 gint64 now_ns, GError **error);
/* Back to pending: @next_ns > 0 counts an attempt and waits until then; 0 leaves
 * attempts alone (the request never reached a verdict about these items). */
gboolean pt_store_sync_release(PtStore *store, const char *name, const gint64 *ids, guint n,
                               gint64 next_ns, int http_status, const char *error_text,
                               GError **error);
/* Pending and due now, each to be sent alone (a multi-event request was refused
 * and the culprit is unknown). */
gboolean pt_store_sync_set_solo(PtStore *store, const char *name, const gint64 *ids, guint n,
                                GError **error);
/* Failed for good (shown to the operator, retried only on request). */
gboolean pt_store_sync_fail(PtStore *store, const char *name, gint64 id, int http_status,
                            const char *error_text, GError **error);
/* Quarantined: refused on its own, shown to the operator and retried only on request like a
 * failed one, but no longer holding back the deliveries of its batch. */
gboolean pt_store_sync_quarantine(PtStore *store, const char *name, gint64 id, int http_status,
                                  const char *error_text, GError **error);
/* Connector-wide last error (link down, 429, 503...). */
gboolean pt_store_sync_note_error(PtStore *store, const char *name, const char *error_text,
                                  gint64 now_ns, GError **error);

/* At start: deliveries left "sending" by a process that died go back to pending
 * (they are sent again, with the same idempotency keys). */
gboolean pt_store_sync_recover(PtStore *store, GError **error);

/* Makes pending deliveries of @name (all connectors when NULL) due now, and with
 * @failed also failed and quarantined ones pending again; bumps the retry generation so a running
 * station drops its back-off.  @n_out (nullable) receives the rows changed. */
gboolean pt_store_sync_retry(PtStore *store, const char *name, gboolean failed, gint64 *n_out,
                             GError **error);

gboolean pt_store_sync_counts(PtStore *store, const PtSyncQueueSpec *spec, PtSyncCounts *counts,
                              GError **error);
/* Failed and quarantined deliveries.  Returns: (transfer full) (element-type PtSyncFailure): at
 * most @limit, oldest first. */
GPtrArray *pt_store_sync_failures(PtStore *store, const char *name, int limit, GError **error);

/* The sync worker's own connection may lose its last state changes on power loss
 * (they are redone: deliveries are at-least-once), so it skips the fsync per
 * commit that event writes need. */
gboolean pt_store_set_relaxed_durability(PtStore *store, GError **error);

/* Queue a signed event, or a batch's status change, for every connector.  The writer calls
 * them inside the transaction that writes the event or the change (pt-trace.c, pt-batch.c),
 * so nothing is recorded without being queued. */
gboolean pt_store_outbox_add_event(PtStore *store, const PtEventRow *row, GError **error);
gboolean pt_store_outbox_add_batch(PtStore *store, gint64 batch_id, const char *status,
                                   const char *reason, GError **error);

G_END_DECLS

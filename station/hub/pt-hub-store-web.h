/* pt-hub-store-web.h: the hub store's reads for the public pages (pt-hub-web.c): which
 * stations hold a (GTIN, lot) and how far, a batch's stored records in log order, a GTIN's
 * product, and the evidence a public event references.  All on the read connection (a
 * replica when read_dsn is set): a page may lag the primary by the replica's delay, and its
 * ETag, derived from the same read, lags with it, never ahead of it.
 *
 * Workload: one lot_heads per page view or revalidation (an index read of batches and of
 * event_keys by batch_id), the rest only when a page is rendered afresh. */
#pragma once

#include "pt-hub-store.h"

G_BEGIN_DECLS

/* One station's part of a (GTIN, lot): what a page and its ETag are made of. */
typedef struct {
  char *station_id;
  char *station_name;
  guint8 public_key[PT_PUB_LEN];
  gint64 batch_id;
  gint64 n_events;      /* events of the batch held from this station */
  char *last_hash;      /* hex of the highest-seq one held: the batch's head at the hub */
  gint64 last_event_ns; /* the latest event_time among them: the documents' creationDate */
  char *first_time;     /* their earliest and latest event_time, exact (timestamptz text): */
  char *last_time;      /* bounds that let a read of the records skip other months */
  char *product;        /* nullable, from the commissioning event (batches row) */
  char *profile_sha256; /* nullable: the station's public profile's (pt-hub-store-profile.h) */
} PtHubLotHead;

void pt_hub_lot_head_free(PtHubLotHead *head);

/* The stations holding events of (@gtin, @lot), by station name then id.  Empty when none.
 * Returns: (transfer full) (element-type PtHubLotHead). */
GPtrArray *pt_hub_store_lot_heads(PtHubStore *store, const char *gtin, const char *lot,
                                  GError **error);

/* Called per stored record; @row (transfer none) is valid during the call.  FALSE stops with
 * @error set. */
typedef gboolean (*PtHubEventFunc)(const PtEventRow *row, gpointer user_data, GError **error);

/* The records of @head's batch from its station in seq order, bodies verbatim.  Only the
 * monthly partitions between @head's first and last event_time are read. */
gboolean pt_hub_store_head_events(PtHubStore *store, const PtHubLotHead *head, PtHubEventFunc fn,
                                  gpointer user_data, GError **error);

/* How many batches of @gtin the hub holds (0: none) and a product name of them
 * (@product_out, transfer full, nullable). */
gboolean pt_hub_store_gtin_summary(PtHubStore *store, const char *gtin, gint64 *n_out,
                                   char **product_out, GError **error);

/* The bodies of the held events that reference evidence @sha256 (hex), at most @max.
 * Returns: (transfer full) (element-type utf8). */
GPtrArray *pt_hub_store_evidence_referrers(PtHubStore *store, const char *sha256, guint max,
                                           GError **error);

G_END_DECLS

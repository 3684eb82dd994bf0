/* pt-hub-store-recall.h: what a recall's impact list across the co-op's stations reads from
 * the hub's events (pt-hub-recall.h walks it).  Every statement finds its events through the
 * GIN index on events.epc_classes, by one lot's class (its GS1 Digital Link URI, as stations
 * write it in quantity lists), so a list costs a few index probes per lot concerned whatever
 * the number of events held. */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The (gtin, lot) pairs the hub holds for @lot, of @gtin (nullable: any GTIN).
 * Returns: (transfer full): [[gtin, lot], ...]. */
json_t *pt_hub_store_recall_seeds(PtHubStore *store, const char *lot, const char *gtin,
                                  GError **error);

/* The classes the transformation events that took @cls as an input made (forward), or that
 * made @cls took as inputs (@backward).  Returns: (transfer full): [class, ...], distinct. */
json_t *pt_hub_store_recall_next(PtHubStore *store, const char *cls, gboolean backward,
                                 GError **error);

/* One lot of the list: {product, grower, station, station_name, state, pack_date} of its
 * batch (null when the hub holds none of its events but a transformation's), and its loads:
 * [{station, step (loading, departing), time, event_id, load_id, plate, seal, destination,
 * destination_gln, quantity, uom}] in time order.  Returns: (transfer full). */
json_t *pt_hub_store_recall_lot(PtHubStore *store, const char *cls, const char *gtin,
                                const char *lot, GError **error);

/* The buyers' tokens (names) scoped to each GLN of @glns: {gln: [name, ...]}.
 * Returns: (transfer full). */
json_t *pt_hub_store_recall_buyers(PtHubStore *store, json_t *glns, GError **error);

/* The GLNs' lots: every lot a loading or departing event named for @gln (backward from a
 * customer).  Returns: (transfer full): [class, ...]. */
json_t *pt_hub_store_recall_received(PtHubStore *store, const char *gln, GError **error);

G_END_DECLS

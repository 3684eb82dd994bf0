/* pt-hub-recall.h: a recall's impact list across every station of the co-op, from what the
 * hub holds (issue 19: "the same in the dashboard and the hub").  A station's list
 * (station/pt-recall.h) sees its own shed; the hub's follows a lot into every shed that
 * repacked it (a transformation at another station names the same lot as an input), and
 * lists every load of each lot concerned from every station, its destinations and the buyers'
 * tokens scoped to them.
 *
 *   GET /api/v1/recalls/impact?lot=L[&gtin=G]   forward: the lot, what was made of it, loads
 *   GET /api/v1/recalls/impact?gln=GLN          backward: a customer's lots and their sources
 *
 * An admin token only (a buyer gets 403: the list names other buyers). */
#pragma once

#include "pt-hub-routes.h"
#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The impact list of @lot (of @gtin, nullable: any) forward, or with @gln (and @lot NULL)
 * backward.  PT_ERROR_NOT_FOUND when the hub holds none; PT_ERROR_TOO_LARGE past
 * PT_RECALL_BATCHES_MAX lots.  Returns: (transfer full): {query, direction, lots, loads,
 * destinations, buyers, stations, totals, generated, elapsed_us}. */
json_t *pt_hub_recall_impact(PtHubStore *store, const char *lot, const char *gtin, const char *gln,
                             GError **error);

/* GET /api/v1/recalls/impact (pt-hub-routes.c lists it). */
extern const PtHubRouteTable pt_hub_recall_routes;

G_END_DECLS

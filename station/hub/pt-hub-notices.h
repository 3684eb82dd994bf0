/* pt-hub-notices.h: recall and hold notices through the hub (station/sync/RECALL-NOTICES.md,
 * "Through the hub").  A shed's station is behind its router: a buyer cannot reach its portal
 * to acknowledge.  So the station also sends each recall's buyers' notices to the hub, signed
 * like every station request; the buyer reads and acknowledges them on the hub with its token,
 * and the station asks the hub for the acknowledgements of its open notices.
 *
 *   POST /hub/v1/notices              (station) one recall's notices to buyers
 *   POST /hub/v1/notices/acks         (station) {"notices": [N, ...]}: their acknowledgements
 *   GET  /api/v1/buyer/notices        (buyer or admin token) the notices to the buyer's GLN
 *   POST /api/v1/buyer/notices/{station}/{N}/ack   (buyer token)
 *                                     {"quantity_on_hand": 10, "action": "..."} */
#pragma once

#include "pt-hub-routes.h"
#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* POST /hub/v1/notices from @station (authenticated): @body is the station's hub notice, one
 * recall with a part per buyer ({..., "buyers": [{notice, notice_id, gln, name, lots,
 * shipped}]}).  Each part is stored as the notice that buyer is shown; a part held already is
 * kept.  PT_ERROR_MALFORMED names what is wrong.  Returns: (transfer full): {"stored": N,
 * "notices": M}. */
json_t *pt_hub_notices_ingest(PtHubStore *store, const PtHubStation *station, const char *body,
                              gsize len, GError **error);

/* POST /hub/v1/notices/acks from @station: {"notices": [N, ...]} (at most
 * PT_RECALL_NOTICES_MAX).  Returns: (transfer full): {"acks": [...]} as
 * pt_hub_store_notice_acks() gives them. */
json_t *pt_hub_notices_acks(PtHubStore *store, const PtHubStation *station, const char *body,
                            gsize len, GError **error);

/* The buyers' routes (pt-hub-routes.c lists them). */
extern const PtHubRouteTable pt_hub_notice_routes;

G_END_DECLS

/* pt-hub-store-notices.h: buyers' recall and hold notices that stations send through the hub
 * (station/sync/RECALL-NOTICES.md, "Through the hub"), and the buyers' acknowledgements.
 *
 * Workload: a recall writes one row per buyer that received the lot (tens, at most
 * PT_RECALL_NOTICES_MAX) in one statement; a buyer lists its own notices by GLN (indexed);
 * each station with open notices asks for their acknowledgements every
 * PT_RECALL_HUB_ACK_POLL_S, by primary key. */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* One buyer's notice as its station numbered it.  All borrowed. */
typedef struct {
  gint64 notice;    /* the station's notice number, >= 1 */
  const char *gln;  /* the buyer's, 13 digits */
  const char *kind; /* "recall" or "hold" */
  gboolean drill;
  const char *lot;
  const char *body; /* the notice as the buyer is shown it (JSON text) */
} PtHubNoticeSpec;

/* Stores @n notices of @station_id in one statement; a notice already held (same station and
 * number: the station sent it again) stays as it was.  @stored_out: how many were new. */
gboolean pt_hub_store_notices_add(PtHubStore *store, const char *station_id,
                                  const PtHubNoticeSpec *specs, guint n, guint *stored_out,
                                  GError **error);

/* The acknowledgements among @station_id's notices @ids (@n): [{notice, gln, acknowledged,
 * by, quantity_on_hand, action}] for those acknowledged.  Returns: (transfer full). */
json_t *pt_hub_store_notice_acks(PtHubStore *store, const char *station_id, const gint64 *ids,
                                 guint n, GError **error);

/* The notices to @gln (NULL: every buyer's, for an admin), newest first, at most @limit: each
 * {station, station_name, notice, gln, kind, drill, lot, received, acknowledged, by,
 * quantity_on_hand, action, body}.  Returns: (transfer full). */
json_t *pt_hub_store_notices_list(PtHubStore *store, const char *gln, int limit, GError **error);

/* Records the acknowledgement of notice @notice of @station_id by the buyer of @gln: @by (who),
 * @on_hand (>= 0, in the notice's unit) and @action.  PT_ERROR_NOT_FOUND when there is no such
 * notice, PT_ERROR_FORBIDDEN when it is another GLN's, PT_ERROR_CONFLICT when it is
 * acknowledged already.  Returns: (transfer full): the notice as listed. */
json_t *pt_hub_store_notice_ack(PtHubStore *store, const char *station_id, gint64 notice,
                                const char *gln, const char *by, double on_hand, const char *action,
                                GError **error);

G_END_DECLS

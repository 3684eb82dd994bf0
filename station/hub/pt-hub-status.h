/* pt-hub-status.h: per-station status for the co-op's admin.
 *
 *   GET /hub/v1/status   (Authorization: Bearer STATUS_TOKEN, hub.ini's status_token)
 *   {"now": TIME, "stations": [{station, name, revoked, last_heard, events, last_seq,
 *     contiguous_seq, head: {seq, hash} | null, gaps: [[from, to], ...], quarantined, alerts,
 *     recent_alerts: [{station, kind, message, created_at}, ...]}, ...]}
 *
 * 403 when no status_token is set, 401 without the right one.  The page /hub/status
 * (web-ui/hub-status.html, served by pt-hub-web.c) shows it. */
#pragma once

#include "pt-hub-routes.h"

G_BEGIN_DECLS

extern const PtHubRouteTable pt_hub_status_routes;

G_END_DECLS

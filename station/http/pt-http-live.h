/* pt-http-live.h: the cameras' live view, HLS for the dashboard's player (pt-http-live.c),
 * and the answer every live route gives (the buyer's of pt-http-buyer-video.c too). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_live_routes;

/* Answers live file @file: @body (transfer none) as the playlist or an MPEG-TS segment with
 * their caching, or, when NULL, @error (a camera down: 503 with its reason, not logged). */
enum MHD_Result pt_http_live_respond(struct MHD_Connection *c, const char *file, GBytes *body,
                                     const GError *error);

G_END_DECLS

/* pt-http-buyer-video.h: the buyer portal's loads and the video of their loading
 * (pt-http-buyer-video.c, over pt-load-video.h).  Buyers, operators and admins only. */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_buyer_video_routes;

G_END_DECLS

/* pt-http-live.h: the cameras' live view, HLS for the dashboard's player (pt-http-live.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_live_routes;

G_END_DECLS

/* pt-http-timeline.h: a camera's recordings timeline in the station API (pt-http-timeline.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_timeline_routes;

G_END_DECLS

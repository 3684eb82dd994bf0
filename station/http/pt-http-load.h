/* pt-http-load.h: the loads of the station API (pt-http-load.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_load_routes;

G_END_DECLS

/* pt-http-station.h: the routes about the station itself (pt-http-station.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_station_routes;

G_END_DECLS

/* pt-http-ns.h: the context document of the station's EPCIS extensions (pt-http-ns.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_ns_routes;

G_END_DECLS

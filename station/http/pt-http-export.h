/* pt-http-export.h: the regulators' exports of the station API (pt-http-export.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_export_routes;

G_END_DECLS

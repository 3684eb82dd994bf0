/* pt-http-dash.h: the operator dashboard's live routes (pt-http-dash.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_dash_routes;

G_END_DECLS

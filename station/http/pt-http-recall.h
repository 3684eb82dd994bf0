/* pt-http-recall.h: recalls in the station API (pt-http-recall.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_recall_routes;

G_END_DECLS

/* pt-http-batch.h: the batch routes of the station API (pt-http-batch.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_batch_routes;

G_END_DECLS

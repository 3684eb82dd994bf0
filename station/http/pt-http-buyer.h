/* pt-http-buyer.h: the buyer portal's routes (pt-http-buyer.c): the batch search
 * (GET /api/v1/search, JSON or CSV) and a batch's evidence clips and loads
 * (GET /api/v1/batches/{id}/clips, /loads).  Buyers, operators and admins only. */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_buyer_routes;

G_END_DECLS

/* pt-http-pallet.h: the pallets of the station API (pt-http-pallet.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_pallet_routes;

G_END_DECLS

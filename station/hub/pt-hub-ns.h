/* pt-hub-ns.h: the context document of the stations' EPCIS extensions, served by the hub
 * too (pt-hub-ns.c). */
#pragma once

#include "pt-hub-routes.h"

G_BEGIN_DECLS

extern const PtHubRouteTable pt_hub_ns_routes;

G_END_DECLS

/* pt-http-driver.h: the routes of drivers' phones and of their logins (pt-http-driver.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_driver_routes;

G_END_DECLS

/* pt-http-routes.h: every route of the station's HTTP server, as the route files' tables
 * (pt-http-routes.c).  The server hands them to pt_http_dispatch(). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

/* The tables in the order they are tried; a path is in one table only. */
extern const PtHttpRouteTable *const pt_http_routes[];
extern const gsize pt_http_n_routes;

G_END_DECLS

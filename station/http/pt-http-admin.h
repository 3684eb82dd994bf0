/* pt-http-admin.h: the admins' routes: users and API keys (pt-http-admin.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_admin_routes;

G_END_DECLS

/* pt-http-dispatch.h: answers a request from route tables (pt-http-dispatch.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

/* Answers the request to @url with the first route of @tables whose path and method match:
 * 413 for a body over its limit, 414 for a target too long, 404 when no path matches, 405
 * with Allow (the methods of the routes whose path matches) when no method does, the answer
 * of the access check when it refuses, else the handler's. */
enum MHD_Result pt_http_dispatch(PtHttp *http, const PtHttpRouteTable *const *tables,
                                 gsize n_tables, struct MHD_Connection *c, const char *url,
                                 const char *method, PtHttpRequest *req);

/* The largest body a request to @url may have: the most any route of that path allows. */
gsize pt_http_dispatch_body_max(const PtHttpRouteTable *const *tables, gsize n_tables,
                                const char *url);

G_END_DECLS

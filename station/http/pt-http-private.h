/* pt-http-private.h: the route files the server still calls by name (pt-http-driver.c,
 * pt-http-dash.c).  What every file of http/ shares is in pt-http-types.h (types),
 * pt-http-respond.h (answers) and pt-http-auth.h (access). */
#pragma once

#include "pt-http-auth.h"
#include "pt-http-respond.h"
#include "pt-http-tls.h"

G_BEGIN_DECLS

/* pt-http-driver.c: drivers' phones.  The largest body a request to @url may have:
 * PT_HTTP_BODY_MAX, more for photo uploads. */
gsize pt_http_body_max(const char *url);
gboolean pt_http_driver_handles(const char *url);
enum MHD_Result pt_http_driver_route(PtHttp *http, struct MHD_Connection *c, const char *url,
                                     const char *method, PtHttpRequest *req);
/* pt-http-dash.c: the dashboard's live routes (status and alerts, camera thumbnails, bulk
 * print jobs). */
gboolean pt_http_dash_handles(const char *url);
enum MHD_Result pt_http_dash_route(PtHttp *http, struct MHD_Connection *c, const char *url,
                                   const char *method, PtHttpRequest *req);

G_END_DECLS

/* pt-http-metrics.h: the HTTP server's own Prometheus series: requests by route, method and
 * status, and their duration as a histogram by route.  Routes are the route tables' paths
 * ("/api/v1/batches/{id}"), never the URL asked for, so the series stay few whatever clients
 * send; a request no route matched counts under "unmatched". */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtHttpMetrics PtHttpMetrics;

/* Returns: (transfer full). */
PtHttpMetrics *pt_http_metrics_new(void);
void pt_http_metrics_free(PtHttpMetrics *metrics);

/* Counts one answered request (any HTTP worker thread).  @route and @method are static or
 * interned strings; NULL @route: "unmatched". */
void pt_http_metrics_observe(PtHttpMetrics *metrics, const char *route, const char *method,
                             unsigned status, double seconds);

/* Counts one view of a page for a lot this station never packed, of a GTIN it packs: a label
 * that may be fake (the counterfeit signal).  Any thread. */
void pt_http_metrics_unknown_lot(PtHttpMetrics *metrics);

/* Appends packtrace_unknown_lot_views_total, packtrace_http_requests_total and
 * packtrace_http_request_duration_seconds to @out. */
void pt_http_metrics_render(PtHttpMetrics *metrics, GString *out);

G_END_DECLS

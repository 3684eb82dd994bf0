/* pt-http-private.h: what the route files of the HTTP server share (pt-http.c owns the
 * daemon; pt-http-<topic>.c files hold the handlers of one group of routes each).
 *
 * Every handler runs on an MHD worker thread: it takes the thread's own store from
 * pt_http_worker_store() and answers with exactly one pt_http_respond*() call. */
#pragma once

#include "pt-http.h"
#include "pt-scan-tally.h"
#include "pt-store.h"

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>

G_BEGIN_DECLS

struct _PtHttp {
  struct MHD_Daemon *daemon;
  PtStation *station;
  guint16 port;
  PtRecorder *recorder; /* borrowed, nullable; set before requests need it */
  PtScanTally *scans;   /* owned: consumer page views, written once a second */
};

/* One request being read: its body, capped at PT_HTTP_BODY_MAX. */
typedef struct {
  GString *body;
  gboolean too_large;
} PtHttpRequest;

/* The calling worker thread's connection, opened on first use.  Returns: (transfer none). */
PtStore *pt_http_worker_store(PtHttp *http, GError **error);

/* Queues @body (malloc'ed, stolen) with the station's common headers; @allow is the Allow
 * header of a 405, or NULL. */
enum MHD_Result pt_http_respond(struct MHD_Connection *c, unsigned status, const char *type,
                                char *body, gsize len, const char *allow);
/* Sends @value (stolen) as JSON; @type NULL means application/json. */
enum MHD_Result pt_http_respond_json(struct MHD_Connection *c, unsigned status, json_t *value,
                                     const char *type);
/* {"error": message}. */
enum MHD_Result pt_http_respond_error(struct MHD_Connection *c, unsigned status,
                                      const char *message, const char *allow);
/* @error mapped through pt_error_http_status(); 5xx are logged. */
enum MHD_Result pt_http_respond_gerror(struct MHD_Connection *c, const GError *error);

/* TRUE when the request carries the operator's Bearer token. */
gboolean pt_http_operator(PtHttp *http, struct MHD_Connection *c);

/* Reads the query argument @name into @out when present (untouched when absent). */
gboolean pt_http_query_int(struct MHD_Connection *c, const char *name, int lo, int hi, int *out,
                           GError **error);

/* The client's address as text ("127.0.0.1", "::1"), for rate limits and logs.
 * Returns: (transfer full). */
char *pt_http_client_address(struct MHD_Connection *c);

/* pt-http-dash.c: the dashboard's live routes (status and alerts, camera thumbnails, bulk
 * print jobs). */
gboolean pt_http_dash_handles(const char *url);
enum MHD_Result pt_http_dash_route(PtHttp *http, struct MHD_Connection *c, const char *url,
                                   const char *method, PtHttpRequest *req);

G_END_DECLS

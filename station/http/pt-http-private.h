/* pt-http-private.h: what the route files of the HTTP server share (pt-http.c owns the
 * daemon; pt-http-<topic>.c files hold the handlers of one group of routes each).
 *
 * Every handler runs on an MHD worker thread: it takes the thread's own store from
 * pt_http_worker_store() and answers with exactly one pt_http_respond*() call. */
#pragma once

#include "pt-http.h"
#include "pt-rate.h"
#include "pt-scan-tally.h"
#include "pt-store.h"

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>

G_BEGIN_DECLS

typedef struct _PtHttpAuth PtHttpAuth; /* pt-http-auth.c: session lifetimes, rate limits */

struct _PtHttp {
  struct MHD_Daemon *daemon;
  PtStation *station;
  guint16 port;
  PtRecorder *recorder;     /* borrowed, nullable; set before requests need it */
  PtHttpAuth *auth;         /* owned */
  gboolean tls;             /* [http] tls_cert and tls_key: cookies get Secure */
  char *tls_pem[2];         /* owned: certificate and key, given to the daemon for its lifetime */
  PtRateLimit *driver_rate; /* owned: requests per driver token (pt-http-driver.c) */
  PtScanTally *scans;       /* owned: consumer page views, written once a second */
};

/* One request being read: its body, capped at @max (pt_http_body_max()). */
typedef struct {
  GString *body;
  gsize max;
  gboolean too_large;
} PtHttpRequest;

/* The calling worker thread's connection, opened on first use.  Returns: (transfer none). */
PtStore *pt_http_worker_store(PtHttp *http, GError **error);

/* Queues @body (malloc'ed, stolen) with the station's common headers; @allow is the Allow
 * header of a 405, or NULL. */
enum MHD_Result pt_http_respond(struct MHD_Connection *c, unsigned status, const char *type,
                                char *body, gsize len, const char *allow);
/* The same with one more header @name: @value (@name NULL: none). */
enum MHD_Result pt_http_respond_with(struct MHD_Connection *c, unsigned status, const char *type,
                                     char *body, gsize len, const char *name, const char *value);
/* 429 with Retry-After: @value (stolen), a JSON object saying what was limited, gains
 * "retry_after" (seconds). */
enum MHD_Result pt_http_respond_too_many(struct MHD_Connection *c, guint retry_after_s,
                                         json_t *value);
/* Sends @value (stolen) as JSON; @type NULL means application/json. */
enum MHD_Result pt_http_respond_json(struct MHD_Connection *c, unsigned status, json_t *value,
                                     const char *type);
/* {"error": message}. */
enum MHD_Result pt_http_respond_error(struct MHD_Connection *c, unsigned status,
                                      const char *message, const char *allow);
/* @error mapped through pt_error_http_status(); 5xx are logged. */
enum MHD_Result pt_http_respond_gerror(struct MHD_Connection *c, const GError *error);

/* TRUE when the request carries station.ini's operator token as its Bearer token.  Routes
 * check access with pt_http_require(), which takes this token as one of its credentials. */
gboolean pt_http_operator(PtHttp *http, struct MHD_Connection *c);

/* Access: who is asking (pt-http-auth.c).  Credentials: station.ini's operator token as
 * Bearer (role operator, for scripts), an API key as Bearer, or the pt_session cookie of a
 * signed-in user; Bearer wins when both are sent.  Roles are ordered: each includes the
 * ones before it. */
typedef enum {
  PT_ROLE_PUBLIC,
  PT_ROLE_DRIVER,
  PT_ROLE_BUYER,
  PT_ROLE_OPERATOR,
  PT_ROLE_ADMIN
} PtRole;
typedef struct {
  PtRole role;
  char *name;
  char *scope_gln; /* buyer: NULL = all batches */
  gboolean via_cookie;
} PtPrincipal;

/* Returns: (transfer full): never NULL; PUBLIC when there are no (valid) credentials. */
PtPrincipal *pt_http_principal(PtHttp *http, struct MHD_Connection *c);
void pt_principal_free(PtPrincipal *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPrincipal, pt_principal_free)

/* Lets the request through when its principal has at least role @min; @write marks a
 * state-changing request: buyers are refused, and a cookie session must send its CSRF token
 * as X-CSRF-Token.  FALSE: *@response is already queued (401 without valid credentials, 403
 * for a role too low or a bad CSRF token).  @out (nullable): the principal (transfer full). */
gboolean pt_http_require(PtHttp *http, struct MHD_Connection *c, PtRole min, gboolean write,
                         PtPrincipal **out, enum MHD_Result *response);

/* *@yes: @p may read batch @batch_id (buyers scoped to a GLN: only batches on loads to it). */
gboolean pt_http_batch_in_scope(PtStore *store, const PtPrincipal *p, gint64 batch_id,
                                gboolean *yes, GError **error);

/* Per client address, for the routes anyone may call (consumer pages, /healthz): FALSE when
 * over [http] public_per_second, with a 429 already queued in *@response. */
gboolean pt_http_public_limit(PtHttp *http, struct MHD_Connection *c, enum MHD_Result *response);

/* /api/v1/session: POST signs in, GET says who is signed in, DELETE signs out. */
enum MHD_Result pt_http_route_session(PtHttp *http, struct MHD_Connection *c, const char *method,
                                      PtHttpRequest *req);

/* [http] tls_cert and tls_key: paths (relative ones to the data directory), both or
 * neither.  Reads both PEM files and checks that the key belongs to the certificate; TRUE
 * with *@cert_out NULL when TLS is off.  Outs: (transfer full). */
gboolean pt_http_tls_load(PtStation *station, char **cert_out, char **key_out, GError **error);

/* Reads [http] session and rate settings of @config.  Returns: (transfer full). */
PtHttpAuth *pt_http_auth_new(const PtConfig *config, GError **error);
void pt_http_auth_free(PtHttpAuth *auth);

/* Reads the query argument @name into @out when present (untouched when absent). */
gboolean pt_http_query_int(struct MHD_Connection *c, const char *name, int lo, int hi, int *out,
                           GError **error);

/* The client's address as text ("127.0.0.1", "::1"), for rate limits and logs.
 * Returns: (transfer full). */
char *pt_http_client_address(struct MHD_Connection *c);

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

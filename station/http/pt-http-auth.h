/* pt-http-auth.h: who is asking and may they (pt-http-auth.c).  Credentials: station.ini's
 * operator token as Bearer (role operator, for scripts), an API key as Bearer, or the
 * pt_session cookie of a signed-in user; Bearer wins when both are sent. */
#pragma once

#include "pt-config.h"
#include "pt-http-route.h"
#include "pt-http-types.h"
#include "pt-store-driver.h"
#include "pt-store.h"

#include <glib.h>
#include <microhttpd.h>

G_BEGIN_DECLS

void pt_principal_free(PtPrincipal *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPrincipal, pt_principal_free)

/* Lets the request through when its principal has at least role @min; @write marks a
 * state-changing request: buyers are refused, and a cookie session must send its CSRF token
 * as X-CSRF-Token.  FALSE: *@response is already queued (401 without valid credentials, 403
 * for a role too low or a bad CSRF token).  @out (nullable): the principal (transfer full). */
gboolean pt_http_require(PtHttp *http, struct MHD_Connection *c, PtRole min, gboolean write,
                         PtPrincipal **out, enum MHD_Result *response);

/* The same for the one write a buyer makes (acknowledging a recall notice): any principal of
 * role buyer or above, a cookie session with its CSRF token. */
gboolean pt_http_require_buyer_write(PtHttp *http, struct MHD_Connection *c, PtPrincipal **out,
                                     enum MHD_Result *response);

/* *@yes: @p may read batch @batch_id (buyers scoped to a GLN: only batches on loads to it). */
gboolean pt_http_batch_in_scope(PtStore *store, const PtPrincipal *p, gint64 batch_id,
                                gboolean *yes, GError **error);

/* Per client address, for the routes anyone may call (consumer pages, /healthz): FALSE when
 * over [http] public_per_second, with a 429 already queued in *@response. */
gboolean pt_http_public_limit(PtHttp *http, struct MHD_Connection *c, enum MHD_Result *response);

/* Lets a driver's phone through: its `Authorization: Bearer ID.SECRET` is a valid driver
 * token (pt-driver.h) within the token's rate (PT_DRIVER_RATE_*).  FALSE: *@response is
 * already queued (401 with the reason, 429 with Retry-After).  Outs: the token's row and
 * @driver_out (transfer full). */
gboolean pt_http_require_driver(PtHttp *http, struct MHD_Connection *c, PtDriverToken *token_out,
                                PtDriver **driver_out, enum MHD_Result *response);

/* /api/v1/session: POST signs in, GET says who is signed in, DELETE signs out. */
extern const PtHttpRouteTable pt_http_session_routes;

/* Reads [http] session, rate and password-pool settings of @config; with @pool, sign-ins
 * check passwords on a pool of [http] hash_threads threads (the connection suspended, which
 * needs a daemon with MHD_ALLOW_SUSPEND_RESUME), else on the calling thread.
 * Returns: (transfer full) (nullable): NULL with @error set. */
PtHttpAuth *pt_http_auth_new(const PtConfig *config, gboolean pool, GError **error);
/* Answers the sign-ins waiting for their password check and refuses new ones: called before
 * the daemon stops, which it must not do with a connection suspended.  Safe on NULL. */
void pt_http_auth_drain(PtHttpAuth *auth);
void pt_http_auth_free(PtHttpAuth *auth);

G_END_DECLS

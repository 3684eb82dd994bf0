/* pt-hub-buyer.h: buyers and admins on the hub: bearer tokens (`packtrace hub buyer add`),
 * the check every reader route makes, and the buyer portal's batch search across stations
 * (GET /api/v1/batches) and its page (GET /buyer, web-ui/buyer.html as the hub's), route table
 * pt_hub_buyer_routes.
 *
 * A token is 32 random bytes shown once as 64 hex digits; the hub keeps only its SHA-256.
 * A buyer is scoped to its GLN as on the station: it finds only batches loaded for that GLN,
 * and no event of a load to another buyer reaches it (pt_bundle_event_shown()). */
#pragma once

#include "pt-hub-reply.h"
#include "pt-hub-store-query.h"

G_BEGIN_DECLS

/* Makes a token for @name with @role (@gln: 13 digits, required for a buyer, NULL for an
 * admin) and stores its hash.  Fails with PT_ERROR_INVALID on a bad GLN.
 * Returns: (transfer full): the token, to be shown once. */
char *pt_hub_token_new(PtHubStore *store, const char *name, PtHubRole role, const char *gln,
                       GError **error);

/* Who @call is: its bearer token's @role_out and @gln_out (transfer full, NULL for an admin).
 * On FALSE @reply holds the answer (401 with WWW-Authenticate, or 503). */
gboolean pt_hub_authorize(const PtHubCall *call, PtHubReply *reply, PtHubRole *role_out,
                          char **gln_out);

/* The holder of a token, when what it does is recorded under its name. */
typedef struct {
  PtHubRole role;
  char *gln;  /* NULL for an admin */
  char *name; /* as `hub buyer add` named it */
} PtHubCaller;
/* pt_hub_authorize() with the token's name too; @who is cleared by pt_hub_caller_clear(). */
gboolean pt_hub_authorize_as(const PtHubCall *call, PtHubReply *reply, PtHubCaller *who);
void pt_hub_caller_clear(PtHubCaller *who);

/* TRUE when @gln (nullable) is 13 digits, as a buyer's scope is. */
gboolean pt_hub_gln_valid(const char *gln);

/* FALSE, with a 400 in @reply naming it, when @args hold one not in @known (NULL-ended) or
 * one of them twice. */
gboolean pt_hub_args_check(GPtrArray *args, const char *const *known, PtHubReply *reply);

/* GET /api/v1/batches and the portal page GET /buyer (pt-hub-routes.c lists them). */
extern const PtHubRouteTable pt_hub_buyer_routes;

G_END_DECLS

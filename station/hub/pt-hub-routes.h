/* pt-hub-routes.h: every reader route of the hub in one place (the tables of
 * pt-hub-route.h), and their adapter to a libmicrohttpd connection for pt-hub-server.c. */
#pragma once

#include "pt-hub-route.h"

#include <microhttpd.h>

G_BEGIN_DECLS

/* The route for @method and @path; NULL when none.  @path_known_out (nullable) is set when
 * the path is a route's under another method (405). */
const PtHubRoute *pt_hub_routes_find(const char *method, const char *path,
                                     gboolean *path_known_out);

/* Runs @call through its route (404 or 405 when there is none) into @reply. */
void pt_hub_routes_dispatch(const PtHubCall *call, PtHubReply *reply);

/* TRUE when @path is one of these routes' (the server sends the rest to its own). */
gboolean pt_hub_routes_handles(const char *path);

/* Answers a request on @conn: reads its query and Authorization, dispatches with @store,
 * queues the reply (HEAD without its body). */
enum MHD_Result pt_hub_routes_respond(struct MHD_Connection *conn, PtHubStore *store,
                                      const char *method, const char *url);

G_END_DECLS

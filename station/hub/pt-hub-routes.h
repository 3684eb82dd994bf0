/* pt-hub-routes.h: the hub's routes for consumers, buyers and admins, beside the station
 * protocol that pt-hub-server.c answers itself.  Each module (pt-hub-web.c, ...) describes its
 * routes as one PtHubRouteTable; pt-hub-routes.c lists the tables in one place and finds the
 * route of a request.  A route is a literal path, or a prefix ending in '/' whose rest the
 * handler reads from PtHubCall.url. */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>
#include <microhttpd.h>

G_BEGIN_DECLS

typedef struct _PtHubWeb PtHubWeb;

/* One request matched to its route.  All (transfer none), valid while the handler runs. */
typedef struct {
  const PtHubWeb *web; /* the serving context: keys, public host, tokens */
  struct MHD_Connection *c;
  const char *url;     /* decoded path, without the query */
  const char *raw_url; /* the request target as sent (path and query, not decoded) */
  const char *method;  /* GET or HEAD; OPTIONS or POST on a route that answers it */
  PtHubStore *store;   /* the worker thread's */
  const char *body;    /* a POST's body (not NUL-terminated), else NULL */
  gsize body_len;
} PtHubCall;

typedef enum MHD_Result (*PtHubHandler)(const PtHubCall *call);

typedef struct {
  const char *path; /* literal, or a prefix when it ends in '/' */
  PtHubHandler handler;
  gboolean options; /* answers OPTIONS too (the resolver's CORS preflight) */
  gboolean post;    /* answers POST too (at most PT_HUB_BODY_MAX), its body in the call */
  /* nullable: a further test of the decoded path (the resolver's compressed links) */
  gboolean (*accepts)(const char *url);
} PtHubRoute;

typedef struct {
  const PtHubRoute *routes;
  gsize n_routes;
} PtHubRouteTable;

/* The route of @url (decoded path), or NULL when no table has it.  Every route here is GET
 * (and HEAD), and OPTIONS or POST where it says so; the caller answers 405 for another method
 * on a matched path.  Returns: (transfer none). */
const PtHubRoute *pt_hub_routes_find(const char *url);

G_END_DECLS

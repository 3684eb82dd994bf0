/* pt-http-route.h: the route table.  Each route file (pt-http-batch.c, pt-http-buyer.c, ...)
 * describes its routes as one PtHttpRouteTable; pt-http-routes.c lists the tables and
 * pt-http-dispatch.c answers a request from them: 404 when no path matches, 405 with Allow
 * when a path matches but no method does, the access check, then the handler.
 *
 * Paths are literal except for {name} segments, which match one non-empty segment and are
 * handed to the handler in order (PtHttpCall.args), and a final '*', which matches any
 * rest (the pages under /static/ and /01/, which answer their own 404). */
#pragma once

#include "pt-http-types.h"
#include "pt-store-driver.h"

#include <glib.h>
#include <microhttpd.h>

G_BEGIN_DECLS

/* The {name} segments a path may have. */
#define PT_HTTP_ROUTE_ARGS_MAX 3

typedef enum {
  PT_HTTP_GET = 1 << 0, /* and HEAD */
  PT_HTTP_POST = 1 << 1,
  PT_HTTP_DELETE = 1 << 2,
  PT_HTTP_OPTIONS = 1 << 3, /* a CORS preflight: the resolver's routes only (pt-web.c) */
} PtHttpMethod;

/* Who may call a route, checked before its handler runs. */
typedef enum {
  PT_HTTP_PUBLIC,      /* anyone, limited per client address (pt_http_public_limit()) */
  PT_HTTP_OPEN,        /* anyone; the handler decides (signing in and out) */
  PT_HTTP_DRIVER,      /* a driver's token, limited per token (pt_http_require_driver()) */
  PT_HTTP_BUYER,       /* buyers and up (pt_http_require()) */
  PT_HTTP_BUYER_WRITE, /* buyers and up, writing (a buyer's acknowledgement of a notice) */
  PT_HTTP_OPERATOR,    /* operators and up; a method other than GET is a write */
  PT_HTTP_ADMIN,       /* admins only (users and API keys) */
} PtHttpAccess;

typedef struct _PtHttpRoute PtHttpRoute;

/* One request matched to its route.  All (transfer none), valid while the handler runs. */
typedef struct {
  PtHttp *http;
  struct MHD_Connection *c;
  const char *url;
  const char *method;
  PtHttpRequest *req;
  const PtHttpRoute *route;
  const char *args[PT_HTTP_ROUTE_ARGS_MAX]; /* the {name} segments, in order */
  PtStore *store;       /* the worker's store for PT_HTTP_DRIVER, _BUYER(_WRITE) and _OPERATOR; the
                         * other routes open it when they need it */
  PtPrincipal *who;     /* PT_HTTP_BUYER(_WRITE), PT_HTTP_OPERATOR and PT_HTTP_ADMIN */
  PtDriverToken *token; /* PT_HTTP_DRIVER */
  PtDriver *driver;     /* PT_HTTP_DRIVER */
} PtHttpCall;

typedef enum MHD_Result (*PtHttpHandler)(const PtHttpCall *call);

struct _PtHttpRoute {
  const char *path;
  PtHttpMethod method;
  PtHttpAccess access;
  PtHttpHandler handler;
  int tag;        /* for a handler that serves several routes: which one */
  gsize body_max; /* the largest request body; 0: PT_HTTP_BODY_MAX */
  /* nullable: a further test of the decoded path, for a pattern the syntax above cannot say
   * (the resolver's compressed links: one segment of base64 at the root) */
  gboolean (*accepts)(const char *url);
};

typedef struct {
  const PtHttpRoute *routes;
  gsize n_routes;
} PtHttpRouteTable;

G_END_DECLS

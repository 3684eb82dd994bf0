/* pt-http-dispatch.c: one request against the route tables.  The only place that answers
 * 404 and 405 for the API, and that checks who may call a route before its handler runs; it
 * also tells the scan tally who is asking for a public page (pt_scan_viewer_set()).
 *
 * Every request walks the tables once (a few dozen short string compares, no allocation
 * but the {name} segments): cheap next to the SQLite read that follows. */
#include "pt-http-dispatch.h"

#include "pt-http-auth.h"
#include "pt-http-respond.h"

#include "pt-batch.h"
#include "pt-error.h"
#include "pt-limits.h"
#include "pt-scan-tally.h"

#include <string.h>

typedef struct {
  const char *at;
  gsize len;
} Segment;

/* TRUE when @url is a path of the pattern @path; its {name} segments go to @args. */
static gboolean
match(const char *path, const char *url, Segment args[PT_HTTP_ROUTE_ARGS_MAX])
{
  guint n = 0;
  while (*path) {
    if (path[0] == '*' && path[1] == '\0')
      return TRUE;
    if (*path == '{') {
      gsize len = strcspn(url, "/");
      g_assert(n < PT_HTTP_ROUTE_ARGS_MAX);
      if (len == 0)
        return FALSE;
      args[n++] = (Segment){url, len};
      url += len;
      path = strchr(path, '}') + 1;
      continue;
    }
    if (*path++ != *url++)
      return FALSE;
  }
  return *url == '\0';
}

static PtHttpMethod
method_of(const char *method)
{
  if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
    return PT_HTTP_GET;
  if (strcmp(method, "POST") == 0)
    return PT_HTTP_POST;
  if (strcmp(method, "DELETE") == 0)
    return PT_HTTP_DELETE;
  if (strcmp(method, "OPTIONS") == 0)
    return PT_HTTP_OPTIONS;
  return 0;
}

/* The first route whose path and method match (NULL: none); when there is none, @allowed
 * holds the methods of all routes whose path matches (the 405's Allow).  A request that is
 * answered stops at its route rather than matching every route of every table. */
static const PtHttpRoute *
find(const PtHttpRouteTable *const *tables, gsize n_tables, const char *url, PtHttpMethod method,
     Segment args[PT_HTTP_ROUTE_ARGS_MAX], PtHttpMethod *allowed)
{
  for (gsize t = 0; t < n_tables; t++)
    for (gsize i = 0; i < tables[t]->n_routes; i++) {
      const PtHttpRoute *route = &tables[t]->routes[i];
      Segment seen[PT_HTTP_ROUTE_ARGS_MAX] = {{0}};
      if (!match(route->path, url, seen) || (route->accepts && !route->accepts(url)))
        continue;
      *allowed |= route->method;
      if (route->method & method) {
        memcpy(args, seen, sizeof seen);
        return route;
      }
    }
  return NULL;
}

/* The Allow header of a 405.  Returns: (transfer full). */
static char *
allow_text(PtHttpMethod allowed)
{
  static const struct {
    PtHttpMethod method;
    const char *text;
  } names[] = {{PT_HTTP_GET, "GET, HEAD"},
               {PT_HTTP_POST, "POST"},
               {PT_HTTP_DELETE, "DELETE"},
               {PT_HTTP_OPTIONS, "OPTIONS"}};
  GString *out = g_string_new(NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
    if (allowed & names[i].method)
      g_string_append_printf(out, "%s%s", out->len ? ", " : "", names[i].text);
  return g_string_free(out, FALSE);
}

/* A buyer scoped to a GLN asks for a batch by number or lot: one out of its scope answers
 * exactly as one that does not exist, 404 "no such batch", so neither the status nor the
 * body tells which numbers or lots exist, and no body names a lot the buyer may not see.
 * TRUE: the batch is in scope (or the route or principal is not a scoped buyer's). */
static gboolean
scoped_batch_visible(PtStore *store, struct MHD_Connection *c, const PtHttpRoute *route,
                     const PtPrincipal *who, const char *id, enum MHD_Result *response)
{
  if (!who || who->role != PT_ROLE_BUYER || !who->scope_gln ||
      !g_str_has_prefix(route->path, "/api/v1/batches/{id}"))
    return TRUE;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, id, &error);
  gboolean yes = FALSE;
  if (batch && !pt_http_batch_in_scope(store, who, batch->id, &yes, &error))
    batch = NULL;
  if (!batch && !g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    *response = pt_http_respond_gerror(c, error);
    return FALSE;
  }
  if (!yes)
    *response = pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such batch", NULL);
  return yes;
}

enum MHD_Result
pt_http_dispatch(PtHttp *http, const PtHttpRouteTable *const *tables, gsize n_tables,
                 struct MHD_Connection *c, const char *url, const char *method, PtHttpRequest *req)
{
  if (req->too_large)
    return pt_http_respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body is too large", NULL);
  if (strlen(url) > PT_HTTP_URL_MAX)
    return pt_http_respond_error(c, MHD_HTTP_URI_TOO_LONG, "request target is too long", NULL);
  Segment args[PT_HTTP_ROUTE_ARGS_MAX] = {{0}};
  PtHttpMethod allowed = 0;
  PtHttpMethod asked = method_of(method);
  const PtHttpRoute *route = find(tables, n_tables, url, asked, args, &allowed);
  if (route)
    req->route = route->path;
  if (!route && !allowed)
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such resource", NULL);
  if (!route) {
    g_autofree char *allow = allow_text(allowed);
    return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", allow);
  }

  enum MHD_Result response;
  g_autoptr(PtPrincipal) who = NULL;
  g_autoptr(PtDriver) driver = NULL;
  PtDriverToken token = {0};
  switch (route->access) {
  case PT_HTTP_PUBLIC:
    if (!pt_http_public_limit(http, c, &response))
      return response;
    break;
  case PT_HTTP_OPEN:
    break;
  case PT_HTTP_DRIVER:
    if (!pt_http_require_driver(http, c, &token, &driver, &response))
      return response;
    break;
  case PT_HTTP_BUYER_WRITE:
    if (!pt_http_require_buyer_write(http, c, &who, &response))
      return response;
    break;
  case PT_HTTP_BUYER:
  case PT_HTTP_OPERATOR:
  case PT_HTTP_ADMIN:
    if (!pt_http_require(http, c,
                         route->access == PT_HTTP_BUYER      ? PT_ROLE_BUYER
                         : route->access == PT_HTTP_OPERATOR ? PT_ROLE_OPERATOR
                                                             : PT_ROLE_ADMIN,
                         asked != PT_HTTP_GET, &who, &response))
      return response;
    break;
  }

  g_autoptr(GError) error = NULL;
  PtStore *store = NULL;
  if (route->access != PT_HTTP_PUBLIC && route->access != PT_HTTP_OPEN &&
      !(store = pt_http_worker_store(http, &error)))
    return pt_http_respond_gerror(c, error);

  g_autofree char *arg0 = g_strndup(args[0].at, args[0].len);
  g_autofree char *arg1 = g_strndup(args[1].at, args[1].len);
  g_autofree char *arg2 = g_strndup(args[2].at, args[2].len);
  if (!scoped_batch_visible(store, c, route, who, arg0, &response))
    return response;
  PtHttpCall call = {.http = http,
                     .c = c,
                     .url = url,
                     .method = method,
                     .req = req,
                     .route = route,
                     .store = store,
                     .args = {arg0, arg1, arg2},
                     .who = who,
                     .token = driver ? &token : NULL,
                     .driver = driver};
  if (route->access != PT_HTTP_PUBLIC)
    return route->handler(&call);
  /* A consumer page counts its view as a scan of the label: once per client and window, and
   * only for a GET (pt-scan-tally.h). */
  g_autofree char *client = pt_http_client_address(c);
  pt_scan_viewer_set(client, strcmp(method, "GET") == 0);
  enum MHD_Result ret = route->handler(&call);
  pt_scan_viewer_clear();
  return ret;
}

gsize
pt_http_dispatch_body_max(const PtHttpRouteTable *const *tables, gsize n_tables, const char *url)
{
  gsize max = PT_HTTP_BODY_MAX;
  for (gsize t = 0; t < n_tables; t++)
    for (gsize i = 0; i < tables[t]->n_routes; i++) {
      const PtHttpRoute *route = &tables[t]->routes[i];
      Segment args[PT_HTTP_ROUTE_ARGS_MAX];
      if (route->body_max > max && match(route->path, url, args))
        max = route->body_max;
    }
  return max;
}

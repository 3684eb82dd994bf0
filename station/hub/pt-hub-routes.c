/* pt-hub-routes.c: the registry of the hub's reader routes, the reply helpers, and the
 * adapter to libmicrohttpd (see pt-hub-routes.h). */
#include "pt-hub-routes.h"

#include "pt-error.h"

#include <string.h>

/* Every module's table: add a module's here, nowhere else. */
static const PtHubRoute *const tables[] = {
    pt_hub_query_routes,
    pt_hub_buyer_routes,
    pt_hub_quality_routes,
};

const char *
pt_hub_call_arg(const PtHubCall *call, const char *name)
{
  for (guint i = 0; call->args && i < call->args->len; i++) {
    const PtHubArg *a = call->args->pdata[i];
    if (strcmp(a->name, name) == 0)
      return a->value;
  }
  return NULL;
}

void
pt_hub_reply_init(PtHubReply *reply)
{
  memset(reply, 0, sizeof *reply);
  reply->headers = g_ptr_array_new_with_free_func(g_free);
}

void
pt_hub_reply_clear(PtHubReply *reply)
{
  g_free(reply->content_type);
  if (reply->body)
    g_bytes_unref(reply->body);
  if (reply->headers)
    g_ptr_array_unref(reply->headers);
  memset(reply, 0, sizeof *reply);
}

void
pt_hub_reply_take(PtHubReply *reply, guint status, const char *type, char *text)
{
  reply->status = status;
  g_free(reply->content_type);
  reply->content_type = g_strdup(type);
  if (reply->body)
    g_bytes_unref(reply->body);
  reply->body = g_bytes_new_take(text, strlen(text));
}

void
pt_hub_reply_json(PtHubReply *reply, guint status, json_t *value)
{
  char *text = json_dumps(value, JSON_COMPACT);
  json_decref(value);
  /* jansson's allocator is malloc, GLib's g_free is free. */
  pt_hub_reply_take(reply, status, "application/json", text);
}

void
pt_hub_reply_error(PtHubReply *reply, guint status, const char *message)
{
  pt_hub_reply_json(reply, status, json_pack("{ss}", "error", message));
}

guint
pt_hub_reply_status_of(const GError *error)
{
  if (error->domain != PT_ERROR)
    return 500;
  switch (error->code) {
  case PT_ERROR_INVALID:
  case PT_ERROR_MALFORMED:
    return 400;
  case PT_ERROR_TAMPERED:
    return 401;
  case PT_ERROR_NOT_FOUND:
    return 404;
  case PT_ERROR_CONFLICT:
    return 409;
  case PT_ERROR_BUSY:
  case PT_ERROR_IO:
    return 503;
  default:
    return 500;
  }
}

void
pt_hub_reply_header(PtHubReply *reply, const char *name, const char *value)
{
  g_ptr_array_add(reply->headers, g_strdup(name));
  g_ptr_array_add(reply->headers, g_strdup(value));
}

const PtHubRoute *
pt_hub_routes_find(const char *method, const char *path, gboolean *path_known_out)
{
  gboolean known = FALSE;
  const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
  for (gsize t = 0; t < G_N_ELEMENTS(tables); t++) {
    for (const PtHubRoute *r = tables[t]; r->path; r++) {
      if (strcmp(r->path, path) != 0)
        continue;
      known = TRUE;
      if (strcmp(r->method, want) == 0) {
        if (path_known_out)
          *path_known_out = TRUE;
        return r;
      }
    }
  }
  if (path_known_out)
    *path_known_out = known;
  return NULL;
}

gboolean
pt_hub_routes_handles(const char *path)
{
  gboolean known = FALSE;
  pt_hub_routes_find("GET", path, &known);
  return known;
}

void
pt_hub_routes_dispatch(const PtHubCall *call, PtHubReply *reply)
{
  gboolean known = FALSE;
  const PtHubRoute *route = pt_hub_routes_find(call->method, call->path, &known);
  if (route) {
    route->handler(call, reply);
    return;
  }
  if (known) {
    pt_hub_reply_error(reply, 405, "method not allowed");
    pt_hub_reply_header(reply, "Allow", "GET, HEAD");
    return;
  }
  pt_hub_reply_error(reply, 404, "no such route");
}

static void
arg_free(PtHubArg *a)
{
  g_free(a->name);
  g_free(a->value);
  g_free(a);
}

static enum MHD_Result
collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  GPtrArray *args = cls;
  PtHubArg *a = g_new0(PtHubArg, 1);
  a->name = g_strdup(key);
  a->value = g_strdup(value ? value : "");
  g_ptr_array_add(args, a);
  return MHD_YES;
}

enum MHD_Result
pt_hub_routes_respond(struct MHD_Connection *conn, PtHubStore *store, const char *method,
                      const char *url)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func((GDestroyNotify)arg_free);
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, args);
  PtHubCall call = {
      .method = method,
      .path = url,
      .args = args,
      .authorization =
          MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
      .store = store,
  };
  g_auto(PtHubReply) reply;
  pt_hub_reply_init(&reply);
  pt_hub_routes_dispatch(&call, &reply);
  gsize len = 0;
  const void *data = reply.body ? g_bytes_get_data(reply.body, &len) : NULL;
  gboolean head = strcmp(method, "HEAD") == 0;
  struct MHD_Response *r =
      MHD_create_response_from_buffer(head ? 0 : len, (void *)data, MHD_RESPMEM_MUST_COPY);
  if (reply.content_type)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, reply.content_type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  for (guint i = 0; i + 1 < reply.headers->len; i += 2)
    MHD_add_response_header(r, reply.headers->pdata[i], reply.headers->pdata[i + 1]);
  enum MHD_Result ret = MHD_queue_response(conn, reply.status, r);
  MHD_destroy_response(r);
  return ret;
}

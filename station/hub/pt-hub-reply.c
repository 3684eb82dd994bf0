/* pt-hub-reply.c: query arguments and in-memory answers of the readers' routes (see
 * pt-hub-reply.h). */
#include "pt-hub-reply.h"

#include "pt-error.h"

#include <gio/gio.h>
#include <string.h>

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
  PtHubArg *a = g_new0(PtHubArg, 1);
  a->name = g_strdup(key);
  a->value = g_strdup(value ? value : "");
  g_ptr_array_add(cls, a);
  return MHD_YES;
}

GPtrArray *
pt_hub_call_args(const PtHubCall *call)
{
  GPtrArray *args = g_ptr_array_new_with_free_func((GDestroyNotify)arg_free);
  MHD_get_connection_values(call->c, MHD_GET_ARGUMENT_KIND, collect_arg, args);
  return args;
}

const char *
pt_hub_args_get(GPtrArray *args, const char *name)
{
  for (guint i = 0; args && i < args->len; i++) {
    const PtHubArg *a = args->pdata[i];
    if (strcmp(a->name, name) == 0)
      return a->value;
  }
  return NULL;
}

const char *
pt_hub_call_authorization(const PtHubCall *call)
{
  return MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
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
  case PT_ERROR_FORBIDDEN:
    return 403;
  case PT_ERROR_NOT_FOUND:
    return 404;
  case PT_ERROR_CONFLICT:
    return 409;
  case PT_ERROR_TOO_LARGE:
    return 413;
  case PT_ERROR_BUSY:
  case PT_ERROR_IO:
    return 503;
  default:
    return 500;
  }
}

void
pt_hub_reply_resource(PtHubReply *reply, const char *resource, const char *type, const char *csp)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data(resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (!bytes) {
    pt_hub_reply_error(reply, 500, "the page is missing from this build");
    return;
  }
  pt_hub_reply_take(reply, 200, type,
                    g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes)));
  pt_hub_reply_header(reply, "Content-Security-Policy", csp);
  pt_hub_reply_header(reply, "Referrer-Policy", "no-referrer");
}

void
pt_hub_reply_header(PtHubReply *reply, const char *name, const char *value)
{
  g_ptr_array_add(reply->headers, g_strdup(name));
  g_ptr_array_add(reply->headers, g_strdup(value));
}

enum MHD_Result
pt_hub_reply_send(const PtHubCall *call, const PtHubReply *reply)
{
  gsize len = 0;
  const void *data = reply->body ? g_bytes_get_data(reply->body, &len) : NULL;
  gboolean head = strcmp(call->method, "HEAD") == 0;
  struct MHD_Response *r =
      MHD_create_response_from_buffer(head ? 0 : len, (void *)data, MHD_RESPMEM_MUST_COPY);
  if (reply->content_type)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, reply->content_type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  for (guint i = 0; i + 1 < reply->headers->len; i += 2)
    MHD_add_response_header(r, reply->headers->pdata[i], reply->headers->pdata[i + 1]);
  enum MHD_Result ret = MHD_queue_response(call->c, reply->status, r);
  MHD_destroy_response(r);
  return ret;
}

enum MHD_Result
pt_hub_reply_run(const PtHubCall *call, PtHubReplyFn fn)
{
  g_autoptr(GPtrArray) args = pt_hub_call_args(call);
  g_auto(PtHubReply) reply;
  pt_hub_reply_init(&reply);
  fn(call, args, &reply);
  return pt_hub_reply_send(call, &reply);
}

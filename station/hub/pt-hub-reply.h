/* pt-hub-reply.h: what the readers' routes (pt-hub-query.c, pt-hub-buyer.c, pt-hub-quality.c)
 * share: a request's query arguments in order, and an answer built in memory (status, type,
 * body, headers) then queued on the connection in one place, so the handlers' logic has no
 * libmicrohttpd in it.  Their route tables are listed in pt-hub-routes.c. */
#pragma once

#include "pt-hub-routes.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* One query argument as sent (decoded), in order; a name may repeat. */
typedef struct {
  char *name;
  char *value; /* "" for a bare name */
} PtHubArg;

/* The query arguments of @call.  Returns: (transfer full) (element-type PtHubArg). */
GPtrArray *pt_hub_call_args(const PtHubCall *call);
/* The value of the first @name of @args, NULL when absent. */
const char *pt_hub_args_get(GPtrArray *args, const char *name);
/* The Authorization header of @call, NULL when absent. */
const char *pt_hub_call_authorization(const PtHubCall *call);

typedef struct {
  guint status;
  char *content_type;
  GBytes *body;
  GPtrArray *headers; /* (element-type utf8) name, value, name, value, ... */
} PtHubReply;

void pt_hub_reply_init(PtHubReply *reply);
void pt_hub_reply_clear(PtHubReply *reply);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtHubReply, pt_hub_reply_clear)

/* Sets the body to @text (transfer full, NUL-terminated, malloc'd) of @type. */
void pt_hub_reply_take(PtHubReply *reply, guint status, const char *type, char *text);
/* The body is @value (transfer full) as compact JSON. */
void pt_hub_reply_json(PtHubReply *reply, guint status, json_t *value);
/* A compiled-in page or script (web-ui/, its GResource path @resource) of @type, under the
 * page's own Content-Security-Policy @csp; 500 when the build lacks it. */
void pt_hub_reply_resource(PtHubReply *reply, const char *resource, const char *type,
                           const char *csp);
/* {"error": MESSAGE} with @status. */
void pt_hub_reply_error(PtHubReply *reply, guint status, const char *message);
/* The status an error of the store maps to (400, 401, 403, 404, 409, 413, 503, 500). */
guint pt_hub_reply_status_of(const GError *error);
void pt_hub_reply_header(PtHubReply *reply, const char *name, const char *value);

/* Queues @reply on @call's connection (no body for HEAD), Cache-Control: no-store: what a
 * token sees is never for a shared cache. */
enum MHD_Result pt_hub_reply_send(const PtHubCall *call, const PtHubReply *reply);

/* A reader route's logic: @args are the call's, @reply is to be filled (an error too). */
typedef void (*PtHubReplyFn)(const PtHubCall *call, GPtrArray *args, PtHubReply *reply);
/* Runs @fn on @call and sends what it made: the body of each reader route's handler. */
enum MHD_Result pt_hub_reply_run(const PtHubCall *call, PtHubReplyFn fn);

G_END_DECLS

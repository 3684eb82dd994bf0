/* pt-hub-route.h: the hub's routes for readers (buyers, admins, platforms, the co-op page):
 * one request in (PtHubCall), one answer out (PtHubReply), no libmicrohttpd in the handlers.
 * Each module keeps its own route table (pt-hub-query.c, pt-hub-buyer.c, pt-hub-quality.c);
 * pt-hub-routes.c registers them all in one place and adapts them to the server's
 * connections.  The station protocol (/hub/v1/, PROTOCOL.md) is the server's own. */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* One query argument as sent (decoded), in order; a name may repeat. */
typedef struct {
  char *name;
  char *value; /* "" for a bare name */
} PtHubArg;

typedef struct {
  const char *method;
  const char *path;          /* without the query */
  GPtrArray *args;           /* (element-type PtHubArg) */
  const char *authorization; /* the Authorization header, nullable */
  PtHubStore *store;         /* this worker's connection */
} PtHubCall;

/* The value of the only @name argument, NULL when absent. */
const char *pt_hub_call_arg(const PtHubCall *call, const char *name);

typedef struct {
  guint status;
  char *content_type;
  GBytes *body;
  GPtrArray *headers; /* (element-type utf8) name, value, name, value, ... */
} PtHubReply;

void pt_hub_reply_init(PtHubReply *reply);
void pt_hub_reply_clear(PtHubReply *reply);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtHubReply, pt_hub_reply_clear)

/* Sets the body to @text (transfer full: a GString's text or g_malloc'd) of @type. */
void pt_hub_reply_take(PtHubReply *reply, guint status, const char *type, char *text);
/* The body is @value (transfer full) as compact JSON. */
void pt_hub_reply_json(PtHubReply *reply, guint status, json_t *value);
/* {"error": MESSAGE} with @status. */
void pt_hub_reply_error(PtHubReply *reply, guint status, const char *message);
/* The status an error of the store or a check maps to (400, 401, 404, 409, 503, 500). */
guint pt_hub_reply_status_of(const GError *error);
void pt_hub_reply_header(PtHubReply *reply, const char *name, const char *value);

/* Handles @call, always filling @reply (an error is an answer too). */
typedef void (*PtHubHandler)(const PtHubCall *call, PtHubReply *reply);

typedef struct {
  const char *method; /* GET; HEAD is answered as GET without the body */
  const char *path;   /* exact */
  PtHubHandler handler;
} PtHubRoute;

/* The route tables of the modules, each ended by a {NULL} entry. */
extern const PtHubRoute pt_hub_query_routes[];
extern const PtHubRoute pt_hub_buyer_routes[];
extern const PtHubRoute pt_hub_quality_routes[];

G_END_DECLS

/* pt-http-recall.c: recalls in the station API: the impact list (admins), the progress of
 * recalls for the dashboard (operators), and the buyer portal's notices with their
 * acknowledgement (buyers, each only the notices to their own GLN).
 *
 *   GET  /api/v1/recalls/impact?lot=L | gtin=G | from=D&to=D | grower=G | gln=G   admin
 *   GET  /api/v1/recalls                  every recall, hold and drill: "N of M acknowledged",
 *                                         quantities shipped and accounted for   operator
 *   GET  /api/v1/recalls/{id}             one with each recipient's notice       operator
 *   GET  /api/v1/buyer/notices            the notices to the buyer's GLN         buyer
 *   POST /api/v1/buyer/notices/{id}/ack   {"quantity_on_hand": N, "action": TEXT}: the buyer's
 *                                         acknowledgement (200); another buyer's notice 403 and
 *                                         nothing changes; acknowledged already 409 */
#include "pt-http-recall.h"

#include "pt-http-respond.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-recall.h"

#include <string.h>

static const char *
query(const PtHttpCall *call, const char *name)
{
  const char *v = MHD_lookup_connection_value(call->c, MHD_GET_ARGUMENT_KIND, name);
  return v && *v ? v : NULL;
}

static enum MHD_Result
impact(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store ? call->store : pt_http_worker_store(call->http, &error);
  if (!store)
    return pt_http_respond_gerror(call->c, error);
  PtRecallQuery q = {.lot = query(call, "lot"),
                     .gtin = query(call, "gtin"),
                     .from = query(call, "from"),
                     .to = query(call, "to"),
                     .grower = query(call, "grower"),
                     .gln = query(call, "gln")};
  json_t *out = pt_recall_impact(call->http->station, store, &q, &error);
  if (!out)
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK, out, NULL);
}

static enum MHD_Result
progress(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  guint64 id = 0;
  if (call->args[0] && !g_ascii_string_to_unsigned(call->args[0], 10, 1, G_MAXINT64, &id, NULL))
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such recall", NULL);
  json_t *out = pt_recall_progress(call->store, (gint64)id, &error);
  if (!out)
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK, out, NULL);
}

static enum MHD_Result
notices(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  json_t *out = pt_recall_notices_for(call->store, call->who->scope_gln, &error);
  if (!out)
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK, out, NULL);
}

static enum MHD_Result
acknowledge(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  guint64 id = 0;
  if (!g_ascii_string_to_unsigned(call->args[0], 10, 1, G_MAXINT64, &id, NULL))
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such notice", NULL);
  json_t *body = pt_http_body_json(call->req, FALSE, &error);
  if (!body)
    return pt_http_respond_gerror(call->c, error);
  json_t *on_hand = json_object_get(body, "quantity_on_hand");
  const char *action = json_string_value(json_object_get(body, "action"));
  const char *k;
  json_t *v;
  json_object_foreach(body, k, v)
  {
    if (strcmp(k, "quantity_on_hand") != 0 && strcmp(k, "action") != 0) {
      g_autofree char *why =
          g_strdup_printf("unknown member '%.32s' (quantity_on_hand, action)", k);
      json_decref(body);
      return pt_http_respond_error(call->c, MHD_HTTP_BAD_REQUEST, why, NULL);
    }
  }
  if (!json_is_number(on_hand) || !action) {
    json_decref(body);
    return pt_http_respond_error(call->c, MHD_HTTP_BAD_REQUEST,
                                 "an acknowledgement needs quantity_on_hand (a number, 0 when "
                                 "none is left) and action (what was done)",
                                 NULL);
  }
  json_t *out =
      pt_recall_acknowledge(call->store, (gint64)id, call->who->name,
                            call->who->role == PT_ROLE_BUYER ? call->who->scope_gln : NULL,
                            json_number_value(on_hand), action, &error);
  json_decref(body);
  if (!out)
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK, out, NULL);
}

static const PtHttpRoute routes[] = {
    {"/api/v1/recalls/impact", PT_HTTP_GET, PT_HTTP_ADMIN, impact},
    {"/api/v1/recalls", PT_HTTP_GET, PT_HTTP_OPERATOR, progress},
    {"/api/v1/recalls/{id}", PT_HTTP_GET, PT_HTTP_OPERATOR, progress},
    {"/api/v1/buyer/notices", PT_HTTP_GET, PT_HTTP_BUYER, notices},
    {"/api/v1/buyer/notices/{id}/ack", PT_HTTP_POST, PT_HTTP_BUYER_WRITE, acknowledge},
};

const PtHttpRouteTable pt_http_recall_routes = {routes, G_N_ELEMENTS(routes)};

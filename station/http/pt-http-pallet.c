/* pt-http-pallet.c: the pallets of the station API: SSCCs allocated, cases packed onto them
 * and taken off (signed AggregationEvents).  Operator only.
 *
 *   GET  /api/v1/pallets                  the newest pallets (?limit=N)
 *   POST /api/v1/pallets                  a new pallet with the next SSCC (201)
 *   GET  /api/v1/pallets/{sscc}           one pallet: its lots and cases
 *   POST /api/v1/pallets/{sscc}/cases     {"batch": LOT or "#ID", "cases": N (default 1)}:
 *                                         packs them on (201, AggregationEvent ADD)
 *   POST /api/v1/pallets/{sscc}/remove    {"batch": ..., "cases": N (default all), "reason":
 *                                         TEXT (optional)}: takes them off (DELETE)
 *   GET  /api/v1/pallets/{sscc}/label     its GS1 logistic label, ?format=png|pdf|svg&dpi=N */
#include "pt-http-pallet.h"

#include "pt-http-respond.h"

#include "pt-batch.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-label-batch.h"
#include "pt-labels-limits.h"
#include "pt-limits.h"
#include "pt-pallet.h"

static enum MHD_Result
list_pallets(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  int limit, offset;
  if (!pt_http_query_page(call->c, &limit, &offset, &error))
    return pt_http_respond_gerror(call->c, error);
  g_autoptr(GPtrArray) list = pt_store_pallet_list(call->store, limit, &error);
  if (!list)
    return pt_http_respond_gerror(call->c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < list->len; i++) {
    json_t *o = pt_pallet_to_json(call->store, g_ptr_array_index(list, i), &error);
    if (!o) {
      json_decref(arr);
      return pt_http_respond_gerror(call->c, error);
    }
    json_array_append_new(arr, o);
  }
  return pt_http_respond_json(call->c, MHD_HTTP_OK, json_pack("{so}", "pallets", arr), NULL);
}

static enum MHD_Result
create_pallet(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  json_t *body = pt_http_body_json(call->req, TRUE, &error);
  if (!body)
    return pt_http_respond_gerror(call->c, error);
  gsize n = json_object_size(body);
  json_decref(body);
  if (n)
    return pt_http_respond_error(call->c, MHD_HTTP_BAD_REQUEST,
                                 "a new pallet takes no members: the station allocates its SSCC",
                                 NULL);
  g_autoptr(PtPallet) pallet = pt_pallet_new(call->http->station, call->store, &error);
  json_t *o = pallet ? pt_pallet_to_json(call->store, pallet, &error) : NULL;
  return o ? pt_http_respond_json(call->c, MHD_HTTP_CREATED, o, NULL)
           : pt_http_respond_gerror(call->c, error);
}

static enum MHD_Result
get_pallet(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPallet) pallet = pt_pallet_lookup(call->store, call->args[0], &error);
  json_t *o = pallet ? pt_pallet_to_json(call->store, pallet, &error) : NULL;
  return o ? pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL)
           : pt_http_respond_gerror(call->c, error);
}

/* {"batch", "cases", "reason"} of a move; @reason_out NULL where no reason is taken. */
static gboolean
read_move(json_t *body, const char **lot_out, gint64 *cases_out, const char **reason_out,
          GError **error)
{
  json_t *batch = json_object_get(body, "batch");
  json_t *cases = json_object_get(body, "cases");
  json_t *reason = json_object_get(body, "reason");
  gsize known = 1 + (cases != NULL) + (reason != NULL && reason_out != NULL);
  if (!json_is_string(batch) || (cases && !json_is_integer(cases)) ||
      (reason && reason_out && !json_is_string(reason)) || json_object_size(body) != known) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "body is {\"batch\": \"LOT\" (or \"#ID\"), \"cases\": N%s}",
                reason_out ? ", \"reason\": \"TEXT\"" : "");
    return FALSE;
  }
  *lot_out = json_string_value(batch);
  *cases_out = cases ? json_integer_value(cases) : (reason_out ? 0 : 1);
  if (reason_out)
    *reason_out = json_string_value(reason);
  return TRUE;
}

static enum MHD_Result
move_cases(const PtHttpCall *call, gboolean add)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtPallet) pallet = pt_pallet_lookup(store, call->args[0], &error);
  json_t *body = pallet ? pt_http_body_json(call->req, FALSE, &error) : NULL;
  const char *lot = NULL, *reason = NULL;
  gint64 cases = 0;
  g_autoptr(PtBatch) batch = NULL;
  if (body && read_move(body, &lot, &cases, add ? NULL : &reason, &error))
    batch = pt_batch_lookup(store, lot, &error);
  g_autofree char *event_id = NULL;
  gboolean ok = batch && (add ? pt_pallet_add(call->http->station, store, pallet, batch, cases,
                                              "api", &event_id, &error)
                              : pt_pallet_remove(call->http->station, store, pallet, batch, cases,
                                                 reason, &event_id, &error));
  json_decref(body);
  json_t *o = ok ? pt_pallet_to_json(store, pallet, &error) : NULL;
  if (!o)
    return pt_http_respond_gerror(call->c, error);
  json_object_set_new(o, "event_id", json_string(event_id));
  return pt_http_respond_json(call->c, add ? MHD_HTTP_CREATED : MHD_HTTP_OK, o, NULL);
}

static enum MHD_Result
add_cases(const PtHttpCall *call)
{
  return move_cases(call, TRUE);
}

static enum MHD_Result
remove_cases(const PtHttpCall *call)
{
  return move_cases(call, FALSE);
}

static enum MHD_Result
get_label(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  const char *f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
  PtLabelFormat format = PT_LABEL_PNG;
  int dpi = 0;
  g_autoptr(GError) error = NULL;
  /* ZPL is for printers, which the station feeds itself. */
  if (f && (!pt_label_format_from_string(f, &format) || format == PT_LABEL_ZPL))
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "format must be png, pdf or svg", NULL);
  if (!pt_http_query_int(c, "dpi", PT_LABEL_DPI_MIN, PT_LABEL_DPI_MAX, &dpi, &error))
    return pt_http_respond_gerror(c, error);
  g_autoptr(PtPallet) pallet = pt_pallet_lookup(call->store, call->args[0], &error);
  g_autoptr(GBytes) bytes =
      pallet ? pt_pallet_label(call->http->station, call->store, pallet, format, (guint)dpi, &error)
             : NULL;
  if (!bytes)
    return pt_http_respond_gerror(c, error);
  gsize len;
  const void *data = g_bytes_get_data(bytes, &len);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  g_autofree char *file_name = pt_pallet_label_file_name(pallet, format);
  g_autofree char *disposition = g_strdup_printf("inline; filename=\"%s\"", file_name);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, pt_label_content_type(format));
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

static const PtHttpRoute pallet_routes[] = {
    {"/api/v1/pallets", PT_HTTP_GET, PT_HTTP_OPERATOR, list_pallets},
    {"/api/v1/pallets", PT_HTTP_POST, PT_HTTP_OPERATOR, create_pallet},
    {"/api/v1/pallets/{sscc}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_pallet},
    {"/api/v1/pallets/{sscc}/cases", PT_HTTP_POST, PT_HTTP_OPERATOR, add_cases},
    {"/api/v1/pallets/{sscc}/remove", PT_HTTP_POST, PT_HTTP_OPERATOR, remove_cases},
    {"/api/v1/pallets/{sscc}/label", PT_HTTP_GET, PT_HTTP_OPERATOR, get_label},
};

const PtHttpRouteTable pt_http_pallet_routes = {pallet_routes, G_N_ELEMENTS(pallet_routes)};

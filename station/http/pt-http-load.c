/* pt-http-load.c: the loads of the station API (a truck's load: its plate, seal and the
 * batches on it).  Operator only, reads too: they show plates and drivers' phones.
 *
 *   GET  /api/v1/loads?limit=N&offset=N   a page of loads
 *   POST /api/v1/loads                    a new load (201) from a PtLoadSpec body
 *   GET  /api/v1/loads/{id}               one load with its batches
 *   POST /api/v1/loads/{id}/batches       {"batch": LOT or "#ID"}: puts it on the load (201;
 *                                         200 when it already was)
 *   DELETE /api/v1/loads/{id}/batches/{batch}  takes it off (a signed unloading event); the
 *                                         batch is its lot, or #ID (%23ID)
 *   POST /api/v1/loads/{id}/pallets       {"sscc": SSCC}: puts a pallet on the load, a loading
 *                                         event per lot on it (201; 200 when it already was)
 *   DELETE /api/v1/loads/{id}/pallets/{sscc}  takes it off (an unloading event per lot)
 *   POST /api/v1/loads/{id}/close         the load departs: one departing event per batch
 *   GET  /api/v1/loads/{id}/photos        the driver's photos of plate and seal (kind, hash,
 *                                         size, when), oldest first
 *   GET  /api/v1/loads/{id}/photos/{photo}  one of them, the stored JPEG */
#include "pt-http-load.h"

#include "pt-http-respond.h"

#include "pt-batch.h"
#include "pt-driver.h"
#include "pt-error.h"
#include "pt-limits.h"
#include "pt-load.h"
#include "pt-pallet.h"
#include "pt-time.h"

static enum MHD_Result
list_loads(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  int limit, offset;
  if (!pt_http_query_page(c, &limit, &offset, &error))
    return pt_http_respond_gerror(c, error);
  g_autoptr(GPtrArray) list = pt_store_load_list(store, limit, offset, &error);
  if (!list)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < list->len; i++)
    json_array_append_new(arr, pt_load_to_json(store, g_ptr_array_index(list, i), FALSE, NULL));
  return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{so}", "loads", arr), NULL);
}

static enum MHD_Result
create_load(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(call->req, FALSE, &error);
  PtLoadSpec spec;
  g_autoptr(PtLoad) load = NULL;
  if (body && pt_load_spec_from_json(body, &spec, &error))
    load = pt_load_create(store, &spec, &error);
  json_decref(body);
  json_t *o = load ? pt_load_to_json(store, load, TRUE, &error) : NULL;
  return o ? pt_http_respond_json(call->c, MHD_HTTP_CREATED, o, NULL)
           : pt_http_respond_gerror(call->c, error);
}

static enum MHD_Result
get_load(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtLoad) load = pt_load_lookup(store, call->args[0], &error);
  json_t *o = load ? pt_load_to_json(store, load, TRUE, &error) : NULL;
  return o ? pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL)
           : pt_http_respond_gerror(call->c, error);
}

static enum MHD_Result
close_load(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtLoad) load = pt_load_lookup(store, call->args[0], &error);
  guint n_events = 0;
  if (!load || !pt_load_close(call->http->station, store, load->id, &n_events, &error))
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(
      call->c, MHD_HTTP_OK,
      json_pack("{sIsi}", "id", (json_int_t)load->id, "departing_events", (int)n_events), NULL);
}

static enum MHD_Result
add_batch(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtLoad) load = pt_load_lookup(store, call->args[0], &error);
  if (!load)
    return pt_http_respond_gerror(c, error);
  json_t *body = pt_http_body_json(req, FALSE, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  json_t *id = json_object_get(body, "batch");
  json_t *quantity = json_object_get(body, "quantity");
  if (!json_is_string(id) || (quantity && !json_is_number(quantity)) ||
      json_object_size(body) != 1 + (quantity != NULL)) {
    json_decref(body);
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST,
                                 "body is {\"batch\": \"LOT\"} (or \"#ID\" for a batch id), and "
                                 "\"quantity\": N for part of a loose lot",
                                 NULL);
  }
  double q = quantity ? json_number_value(quantity) : 0;
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, json_string_value(id), &error);
  json_decref(body);
  g_autoptr(PtLoadItem) item = NULL;
  gboolean existed = FALSE;
  if (!batch || !pt_load_add_batch(call->http->station, store, load->id, batch, q, "api",
                                   pt_now_ns(), &item, &existed, &error))
    return pt_http_respond_gerror(c, error);
  json_t *o = pt_load_item_to_json(item);
  json_object_set_new(o, "existed", json_boolean(existed));
  return pt_http_respond_json(c, existed ? MHD_HTTP_OK : MHD_HTTP_CREATED, o, NULL);
}

static enum MHD_Result
remove_batch(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtLoad) load = pt_load_lookup(store, call->args[0], &error);
  g_autoptr(PtBatch) batch = load ? pt_batch_lookup(store, call->args[1], &error) : NULL;
  if (!batch ||
      !pt_load_remove_batch(call->http->station, store, load->id, batch, "api", NULL, &error))
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(
      call->c, MHD_HTTP_OK,
      json_pack("{sIsssb}", "load", (json_int_t)load->id, "lot", batch->lot, "removed", TRUE),
      NULL);
}

static enum MHD_Result
add_pallet(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtLoad) load = pt_load_lookup(store, call->args[0], &error);
  json_t *body = load ? pt_http_body_json(call->req, FALSE, &error) : NULL;
  if (!body)
    return pt_http_respond_gerror(c, error);
  json_t *sscc = json_object_get(body, "sscc");
  if (!json_is_string(sscc) || json_object_size(body) != 1) {
    json_decref(body);
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "body is {\"sscc\": \"SSCC\"}", NULL);
  }
  g_autoptr(PtPallet) pallet = pt_pallet_lookup(store, json_string_value(sscc), &error);
  json_decref(body);
  guint n = 0;
  gboolean existed = FALSE;
  if (!pallet || !pt_load_add_pallet(call->http->station, store, load->id, pallet->sscc, "api",
                                     pt_now_ns(), &n, &existed, &error))
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, existed ? MHD_HTTP_OK : MHD_HTTP_CREATED,
                              json_pack("{sIsssisb}", "load", (json_int_t)load->id, "sscc",
                                        pallet->sscc, "events", (int)n, "existed", existed),
                              NULL);
}

static enum MHD_Result
remove_pallet(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtLoad) load = pt_load_lookup(store, call->args[0], &error);
  g_autoptr(PtPallet) pallet = load ? pt_pallet_lookup(store, call->args[1], &error) : NULL;
  guint n = 0;
  if (!pallet || !pt_load_remove_pallet(call->http->station, store, load->id, pallet->sscc, "api",
                                        NULL, &n, &error))
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK,
                              json_pack("{sIsssisb}", "load", (json_int_t)load->id, "sscc",
                                        pallet->sscc, "events", (int)n, "removed", TRUE),
                              NULL);
}

static enum MHD_Result
list_photos(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtLoad) load = pt_load_lookup(call->store, call->args[0], &error);
  g_autoptr(GPtrArray) photos = load ? pt_store_driver_photos(call->store, load->id, &error) : NULL;
  if (!photos)
    return pt_http_respond_gerror(call->c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < photos->len; i++) {
    json_t *o = pt_driver_photo_to_json(g_ptr_array_index(photos, i));
    /* Where it is on disk is the station's business; the page asks by id. */
    json_object_del(o, "path");
    json_array_append_new(arr, o);
  }
  return pt_http_respond_json(call->c, MHD_HTTP_OK, json_pack("{so}", "photos", arr), NULL);
}

/* The JPEG of photo {photo} of load {id}: a photo of another load is a 404 too. */
static enum MHD_Result
get_photo(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtLoad) load = pt_load_lookup(call->store, call->args[0], &error);
  g_autoptr(GPtrArray) photos = load ? pt_store_driver_photos(call->store, load->id, &error) : NULL;
  if (!photos)
    return pt_http_respond_gerror(call->c, error);
  guint64 id = 0;
  const PtDriverPhoto *photo = NULL;
  if (g_ascii_string_to_unsigned(call->args[1], 10, 1, G_MAXINT64, &id, NULL)) {
    for (guint i = 0; i < photos->len && !photo; i++) {
      const PtDriverPhoto *p = g_ptr_array_index(photos, i);
      if (p->id == (gint64)id)
        photo = p;
    }
  }
  if (!photo)
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such photo on this load", NULL);
  g_autofree char *full = g_build_filename(call->http->station->dir, photo->path, NULL);
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(full, &data, &len, &error))
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, error->message, NULL);
  return pt_http_respond(call->c, MHD_HTTP_OK, "image/jpeg", data, len, NULL);
}

static const PtHttpRoute load_routes[] = {
    {"/api/v1/loads", PT_HTTP_GET, PT_HTTP_OPERATOR, list_loads},
    {"/api/v1/loads", PT_HTTP_POST, PT_HTTP_OPERATOR, create_load},
    {"/api/v1/loads/{id}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_load},
    {"/api/v1/loads/{id}/batches", PT_HTTP_POST, PT_HTTP_OPERATOR, add_batch},
    {"/api/v1/loads/{id}/batches/{batch}", PT_HTTP_DELETE, PT_HTTP_OPERATOR, remove_batch},
    {"/api/v1/loads/{id}/pallets", PT_HTTP_POST, PT_HTTP_OPERATOR, add_pallet},
    {"/api/v1/loads/{id}/pallets/{sscc}", PT_HTTP_DELETE, PT_HTTP_OPERATOR, remove_pallet},
    {"/api/v1/loads/{id}/close", PT_HTTP_POST, PT_HTTP_OPERATOR, close_load},
    {"/api/v1/loads/{id}/photos", PT_HTTP_GET, PT_HTTP_OPERATOR, list_photos},
    {"/api/v1/loads/{id}/photos/{photo}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_photo},
};

const PtHttpRouteTable pt_http_load_routes = {load_routes, G_N_ELEMENTS(load_routes)};

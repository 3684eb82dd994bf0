/* pt-http-station.c: the routes about the station itself.
 *
 *   GET  /healthz             anyone: the server answers
 *   GET  /api/v1/station      anyone: its id, name, public key and version
 *   GET  /api/v1/cameras      operator: the cameras and their alerts
 *   GET  /api/v1/segments     operator: recorded segments and the gaps between them
 *   GET  /api/v1/sync         operator: the sync connectors' queues
 *   POST /api/v1/sync/retry   operator: queue again what failed
 *   GET  /metrics             operator: Prometheus series (pt-metrics.h; Prometheus scrapes
 *                             with the operator token as its bearer credentials) */
#include "pt-http-station.h"

#include "pt-http-respond.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-metrics.h"
#include "pt-prom.h"
#include "pt-recorder.h"
#include "pt-store-video.h"
#include "pt-sync-status.h"
#include "pt-time.h"

/* GET /healthz: the server answers. */
static enum MHD_Result
get_health(const PtHttpCall *call)
{
  return pt_http_respond_json(call->c, MHD_HTTP_OK, json_pack("{ss}", "status", "ok"), NULL);
}

/* GET /api/v1/station: who this station is: "public_key" is its anchor, the key its bundles
 * name and `packtrace verify --key` takes; "signing_key" the one that signs now (another
 * after a key rotation, pt-key-chain.h). */
static enum MHD_Result
get_station(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  const PtConfig *config = http->station->config;
  g_autofree char *pub = pt_hex_encode(http->station->keys->anchor_key, PT_PUB_LEN);
  g_autofree char *signing = pt_hex_encode(http->station->keys->public_key, PT_PUB_LEN);
  return pt_http_respond_json(c, MHD_HTTP_OK,
                              json_pack("{ss"
                                        "ss"
                                        "ss"
                                        "ss"
                                        "ss"
                                        "ss"
                                        "ss}",
                                        "id", config->station_id, "name", config->name,
                                        "public_key", pub, "signing_key", signing, "key_algorithm",
                                        "Ed25519", "public_host", config->public_host, "version",
                                        PACKTRACE_VERSION),
                              NULL);
}

/* GET /api/v1/cameras: the recorder's cameras and their alerts. */
static enum MHD_Result
get_cameras(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  PtRecorder *recorder = g_atomic_pointer_get(&call->http->recorder);
  json_t *status =
      recorder ? pt_recorder_status(recorder) : json_pack("{s[]s[]}", "cameras", "alerts");
  return pt_http_respond_json(c, MHD_HTTP_OK, status, NULL);
}

static gboolean
query_time(struct MHD_Connection *c, const char *name, gint64 *out, GError **error)
{
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  return !v || pt_time_parse(v, out, error);
}

static json_t *
segment_to_json(const PtSegmentRow *r)
{
  g_autofree char *start = pt_time_format(r->start_ns);
  g_autofree char *end = r->end_ns ? pt_time_format(r->end_ns) : NULL;
  json_t *o = json_pack("{sIsssssssIsI}", "id", (json_int_t)r->id, "camera", r->camera, "path",
                        r->path, "state", r->state, "start_ns", (json_int_t)r->start_ns, "bytes",
                        (json_int_t)r->bytes);
  json_object_set_new(o, "start", json_string(start));
  json_object_set_new(o, "end", pt_json_string_or_null(end));
  json_object_set_new(o, "end_ns", r->end_ns ? json_integer(r->end_ns) : json_null());
  json_object_set_new(o, "sha256", pt_json_string_or_null(r->sha256));
  json_object_set_new(o, "reason", pt_json_string_or_null(r->reason));
  return o;
}

static json_t *
gap_to_json(const PtGapRow *r)
{
  g_autofree char *from = pt_time_format(r->from_ns);
  g_autofree char *to = r->to_ns ? pt_time_format(r->to_ns) : NULL;
  json_t *o = json_pack("{sIsssssIss}", "id", (json_int_t)r->id, "camera", r->camera, "from", from,
                        "from_ns", (json_int_t)r->from_ns, "reason", r->reason);
  json_object_set_new(o, "to", pt_json_string_or_null(to));
  json_object_set_new(o, "to_ns", r->to_ns ? json_integer(r->to_ns) : json_null());
  return o;
}

/* GET /api/v1/segments?camera=NAME&from=RFC3339&to=RFC3339&limit=N: the segments and the
 * gaps (time not recorded, with the reason; "to" null while still open) in the window. */
static enum MHD_Result
list_segments(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  const char *camera = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "camera");
  gint64 from = 0, to = G_MAXINT64;
  int limit = PT_SEGMENTS_LIST_DEFAULT;
  if (!query_time(c, "from", &from, &error) || !query_time(c, "to", &to, &error) ||
      !pt_http_query_int(c, "limit", 1, PT_SEGMENTS_LIST_MAX, &limit, &error))
    return pt_http_respond_gerror(c, error);
  g_autoptr(GPtrArray) rows = pt_store_segments_list(store, camera, from, to, limit, &error);
  if (!rows)
    return pt_http_respond_gerror(c, error);
  g_autoptr(GPtrArray) gaps = pt_store_gaps_list(store, camera, from, to, limit, &error);
  if (!gaps)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < rows->len; i++)
    json_array_append_new(arr, segment_to_json(g_ptr_array_index(rows, i)));
  json_t *gap_arr = json_array();
  for (guint i = 0; i < gaps->len; i++)
    json_array_append_new(gap_arr, gap_to_json(g_ptr_array_index(gaps, i)));
  return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{soso}", "segments", arr, "gaps", gap_arr),
                              NULL);
}

/* GET /api/v1/sync?connector=NAME: each connector's queue and the platforms' last answers
 * (operator only: they show what the platforms said). */
static enum MHD_Result
get_sync(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "connector");
  json_t *status = pt_sync_status_json(call->http->station->config, call->http->station->dir, store,
                                       name, &error);
  return status ? pt_http_respond_json(c, MHD_HTTP_OK, status, NULL)
                : pt_http_respond_gerror(c, error);
}

/* POST /api/v1/sync/retry {"connector": NAME, "failed": bool}: queues again what waits or
 * failed. */
static enum MHD_Result
retry_sync(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(req, TRUE, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  json_t *name = json_object_get(body, "connector");
  json_t *failed = json_object_get(body, "failed");
  if ((name && !json_is_string(name)) || (failed && !json_is_boolean(failed)) ||
      json_object_size(body) != (gsize)(name != NULL) + (gsize)(failed != NULL)) {
    json_decref(body);
    return pt_http_respond_error(
        c, MHD_HTTP_BAD_REQUEST,
        "body is {\"connector\": NAME, \"failed\": true|false}, both optional", NULL);
  }
  gint64 n = pt_sync_retry(http->station->config, http->station->dir, store,
                           json_string_value(name), json_is_true(failed), &error);
  json_decref(body);
  if (n < 0)
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{sI}", "requeued", (json_int_t)n), NULL);
}

/* GET /metrics: the station's series and the HTTP server's own, in the text format. */
static enum MHD_Result
get_metrics(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  g_autoptr(GString) out = g_string_sized_new(8192);
  g_autoptr(GError) error = NULL;
  PtRecorder *recorder = g_atomic_pointer_get(&http->recorder);
  if (!pt_metrics_render(http->station, call->store, recorder, out, &error))
    return pt_http_respond_gerror(call->c, error);
  pt_http_metrics_render(http->metrics, out);
  gsize len = out->len;
  return pt_http_respond(call->c, MHD_HTTP_OK, PT_PROM_CONTENT_TYPE,
                         g_string_free(g_steal_pointer(&out), FALSE), len, NULL);
}

static const PtHttpRoute station_routes[] = {
    {"/healthz", PT_HTTP_GET, PT_HTTP_PUBLIC, get_health},
    {"/api/v1/station", PT_HTTP_GET, PT_HTTP_PUBLIC, get_station},
    {"/api/v1/cameras", PT_HTTP_GET, PT_HTTP_OPERATOR, get_cameras},
    {"/api/v1/segments", PT_HTTP_GET, PT_HTTP_OPERATOR, list_segments},
    {"/api/v1/sync", PT_HTTP_GET, PT_HTTP_OPERATOR, get_sync},
    {"/api/v1/sync/retry", PT_HTTP_POST, PT_HTTP_OPERATOR, retry_sync},
    {"/metrics", PT_HTTP_GET, PT_HTTP_OPERATOR, get_metrics},
};

const PtHttpRouteTable pt_http_station_routes = {station_routes, G_N_ELEMENTS(station_routes)};

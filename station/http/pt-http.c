/* pt-http.c: request reading, routing and JSON responses of the station API.
 *
 * Read requests (GET /api/v1/batches/{id}) dominate; they run on the worker
 * threads with a per-thread SQLite connection and no shared lock.  Bodies are
 * read into a buffer capped at PT_HTTP_BODY_MAX; over it the request gets 413
 * without buffering the rest. */
#include "pt-http.h"

#include "pt-http-private.h"

#include "pt-auth.h"
#include "pt-batch.h"
#include "pt-bundle.h"
#include "pt-canon.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-grading.h"
#include "pt-http-buyer.h"
#include "pt-label-batch.h"
#include "pt-limits.h"
#include "pt-load.h"
#include "pt-store-auth.h"
#include "pt-store-video.h"
#include "pt-sync-status.h"
#include "pt-web.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-labels-limits.h"

static PtStore *
web_store(gpointer http, GError **error)
{
  return pt_http_worker_store(http, error);
}

static enum MHD_Result
get_station(PtHttp *http, struct MHD_Connection *c)
{
  const PtConfig *config = http->station->config;
  g_autofree char *pub = pt_hex_encode(http->station->keys->public_key, PT_PUB_LEN);
  return pt_http_respond_json(
      c, MHD_HTTP_OK,
      json_pack("{ss"
                "ss"
                "ss"
                "ss"
                "ss"
                "ss}",
                "id", config->station_id, "name", config->name, "public_key", pub, "key_algorithm",
                "Ed25519", "public_host", config->public_host, "version", PACKTRACE_VERSION),
      NULL);
}

/* Returns: (transfer full): the page of batches a buyer scoped to @gln may see. */
static GPtrArray *
list_scoped(PtStore *store, const char *gln, int limit, int offset, GError **error)
{
  g_autoptr(GArray) ids = pt_store_batch_ids_to(store, gln, limit, offset, error);
  if (!ids)
    return NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_batch_free);
  for (guint i = 0; i < ids->len; i++) {
    PtBatch *b = pt_store_batch_get(store, g_array_index(ids, gint64, i), error);
    if (!b)
      return NULL;
    g_ptr_array_add(list, b);
  }
  return g_steal_pointer(&list);
}

static enum MHD_Result
list_batches(PtHttp *http, PtStore *store, struct MHD_Connection *c, const PtPrincipal *p)
{
  g_autoptr(GError) error = NULL;
  int limit = PT_LIST_LIMIT_DEFAULT, offset = 0;
  if (!pt_http_query_int(c, "limit", 1, PT_LIST_LIMIT_MAX, &limit, &error) ||
      !pt_http_query_int(c, "offset", 0, G_MAXINT, &offset, &error))
    return pt_http_respond_gerror(c, error);
  g_autoptr(GPtrArray) list = p->role == PT_ROLE_BUYER && p->scope_gln
                                  ? list_scoped(store, p->scope_gln, limit, offset, &error)
                                  : pt_store_batch_list(store, limit, offset, &error);
  if (!list)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < list->len; i++)
    json_array_append_new(arr, pt_batch_to_json(http->station->config, g_ptr_array_index(list, i)));
  return pt_http_respond_json(
      c, MHD_HTTP_OK, json_pack("{sosisi}", "batches", arr, "limit", limit, "offset", offset),
      NULL);
}

static enum MHD_Result
create_batch(PtHttp *http, PtStore *store, struct MHD_Connection *c, PtHttpRequest *req)
{
  enum MHD_Result response;
  if (!pt_http_require(http, c, PT_ROLE_OPERATOR, TRUE, NULL, &response))
    return response;
  /* The body is JSON whatever Content-Type says: `curl -d` sends form encoding. */
  g_autoptr(GError) error = NULL;
  json_t *body = pt_json_parse(req->body->str, req->body->len, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  PtBatchSpec spec;
  g_autoptr(PtBatch) batch = NULL;
  if (pt_batch_spec_from_json(body, &spec, &error))
    batch = pt_batch_create(http->station, store, &spec, &error);
  json_decref(body);
  if (!batch)
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, MHD_HTTP_CREATED, pt_batch_to_json(http->station->config, batch),
                              NULL);
}

/* POST /api/v1/batches/{id}/hold|release|recall {"reason": TEXT} (required for hold and
 * recall; release takes an empty body too) and POST /api/v1/batches/{id}/events with a
 * PtEventSpec body.  Operator only. */
static enum MHD_Result
batch_action(PtHttp *http, PtStore *store, struct MHD_Connection *c, const char *id,
             const char *action, PtHttpRequest *req)
{
  enum MHD_Result response;
  if (!pt_http_require(http, c, PT_ROLE_OPERATOR, TRUE, NULL, &response))
    return response;
  g_autoptr(GError) error = NULL;
  /* An empty body is an empty object, so `curl -X POST .../release` works. */
  json_t *body =
      req->body->len == 0 ? json_object() : pt_json_parse(req->body->str, req->body->len, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  g_autoptr(PtBatch) batch = NULL;
  json_t *out = NULL;
  unsigned status = MHD_HTTP_OK;
  if (strcmp(action, "events") == 0) {
    PtEventSpec spec;
    PtEventRow row = {0};
    if (pt_event_spec_from_json(body, &spec, &error) &&
        (batch = pt_batch_lookup(store, id, &error)) &&
        pt_batch_add_event(http->station, store, batch, &spec, &row, &error)) {
      out = pt_event_row_to_json(&row, &error);
      status = MHD_HTTP_CREATED;
    }
    pt_event_row_clear(&row);
  } else {
    PtBatchAction a = strcmp(action, "hold") == 0      ? PT_BATCH_HOLD
                      : strcmp(action, "release") == 0 ? PT_BATCH_RELEASE
                                                       : PT_BATCH_RECALL;
    const char *reason = NULL;
    const PtJsonField fields[] = {{"reason", &reason}};
    if (pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error) &&
        (batch = pt_batch_lookup(store, id, &error)) &&
        pt_batch_change_status(http->station, store, batch, a, reason, &error))
      out = pt_batch_to_json(http->station->config, batch);
  }
  json_decref(body);
  return out ? pt_http_respond_json(c, status, out, NULL) : pt_http_respond_gerror(c, error);
}

/* Buyers and up read batches; a buyer scoped to a GLN only the ones on loads to it. */
static gboolean
batch_readable(PtStore *store, struct MHD_Connection *c, const PtPrincipal *p, const PtBatch *batch,
               enum MHD_Result *response)
{
  g_autoptr(GError) error = NULL;
  gboolean yes = FALSE;
  if (!pt_http_batch_in_scope(store, p, batch->id, &yes, &error)) {
    *response = pt_http_respond_gerror(c, error);
    return FALSE;
  }
  if (!yes) {
    g_autofree char *msg =
        g_strdup_printf("batch %s is not on a load to %s", batch->lot, p->scope_gln);
    *response = pt_http_respond_error(c, MHD_HTTP_FORBIDDEN, msg, NULL);
  }
  return yes;
}

/* GET /api/v1/batches/{id}/label?template=case|pallet&format=png|pdf|svg[&dpi=N] */
static enum MHD_Result
get_label(PtHttp *http, PtStore *store, struct MHD_Connection *c, const char *id,
          const PtPrincipal *p)
{
  const PtLabelSettings *settings = http->station->config->labels;
  const char *t = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "template");
  const char *f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
  PtLabelTemplate template_ = settings->template_;
  PtLabelFormat format = PT_LABEL_PNG;
  int dpi = 0;
  g_autoptr(GError) error = NULL;
  if (t && !pt_label_template_from_string(t, &template_))
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "template must be case or pallet", NULL);
  /* ZPL is for printers, which the station feeds itself. */
  if (f && (!pt_label_format_from_string(f, &format) || format == PT_LABEL_ZPL))
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "format must be png, pdf or svg", NULL);
  if (!pt_http_query_int(c, "dpi", PT_LABEL_DPI_MIN, PT_LABEL_DPI_MAX, &dpi, &error))
    return pt_http_respond_gerror(c, error);
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, id, &error);
  if (!batch)
    return pt_http_respond_gerror(c, error);
  enum MHD_Result response;
  if (!batch_readable(store, c, p, batch, &response))
    return response;
  g_autoptr(GBytes) bytes =
      pt_batch_label_render(http->station->config, batch, template_, format, (guint)dpi, 0, &error);
  if (!bytes)
    return pt_http_respond_gerror(c, error);
  gsize len;
  const void *data = g_bytes_get_data(bytes, &len);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  g_autofree char *file_name = pt_label_file_name(batch, template_, format);
  g_autofree char *disposition = g_strdup_printf("inline; filename=\"%s\"", file_name);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, pt_label_content_type(format));
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

typedef enum { VIEW_BATCH, VIEW_EPCIS, VIEW_BUNDLE, VIEW_LABEL, VIEW_GRADING } BatchView;

/* @p: (nullable): NULL for the bundle, which the consumer page loads for anyone. */
static enum MHD_Result
get_batch(PtHttp *http, PtStore *store, struct MHD_Connection *c, const char *id, BatchView view,
          const PtPrincipal *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, id, &error);
  if (!batch)
    return pt_http_respond_gerror(c, error);
  enum MHD_Result response;
  if (p && !batch_readable(store, c, p, batch, &response))
    return response;
  json_t *out = NULL;
  const char *type = NULL;
  switch (view) {
  case VIEW_BATCH: {
    gsize len;
    char *text = pt_batch_show_json(http->station->config, store, batch, &len, &error);
    if (!text)
      break;
    /* g_malloc and malloc are one allocator since GLib 2.46. */
    return pt_http_respond(c, MHD_HTTP_OK, "application/json; charset=utf-8", text, len, NULL);
  }
  case VIEW_EPCIS:
    out = pt_bundle_epcis(store, http->station->config, batch, &error);
    type = "application/ld+json";
    break;
  case VIEW_BUNDLE:
    out = pt_bundle_export(store, http->station->config, http->station->keys, batch, &error);
    break;
  case VIEW_GRADING: {
    /* The open grading, else the latest: counts per class and size code, defect statistics,
     * state, and once closed the inspecting event's id and disposition. */
    g_autoptr(PtGradingRow) grading = pt_store_grading_get_newest(store, batch->id, &error);
    if (!grading && !error)
      g_set_error(&error, PT_ERROR, PT_ERROR_NOT_FOUND, "batch %s has never been graded",
                  batch->lot);
    out = grading ? pt_grading_to_json(store, grading, &error) : NULL;
    break;
  }
  case VIEW_LABEL:
    g_assert_not_reached();
  }
  if (!out)
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, MHD_HTTP_OK, out, type);
}

/* GET /api/v1/sync, POST /api/v1/sync/retry {"connector": NAME, "failed": bool}:
 * operator only (they show the platforms' answers). */
static enum MHD_Result
route_sync(PtHttp *http, struct MHD_Connection *c, gboolean retry, gboolean is_get,
           gboolean is_post, PtHttpRequest *req)
{
  if (retry ? !is_post : !is_get)
    return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                 retry ? "POST" : "GET, HEAD");
  enum MHD_Result response;
  if (!pt_http_require(http, c, PT_ROLE_OPERATOR, retry, NULL, &response))
    return response;
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(http, &error);
  if (!store)
    return pt_http_respond_gerror(c, error);
  if (!retry) {
    const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "connector");
    json_t *status = pt_sync_status_json(http->station, store, name, &error);
    return status ? pt_http_respond_json(c, MHD_HTTP_OK, status, NULL)
                  : pt_http_respond_gerror(c, error);
  }
  json_t *body =
      req->body->len ? pt_json_parse(req->body->str, req->body->len, &error) : json_object();
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
  gint64 n =
      pt_sync_retry(http->station, store, json_string_value(name), json_is_true(failed), &error);
  json_decref(body);
  if (n < 0)
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{sI}", "requeued", (json_int_t)n), NULL);
}

static enum MHD_Result
get_cameras(PtHttp *http, struct MHD_Connection *c)
{
  PtRecorder *recorder = g_atomic_pointer_get(&http->recorder);
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
list_segments(PtStore *store, struct MHD_Connection *c)
{
  g_autoptr(GError) error = NULL;
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

/* GET /api/v1/batches/{id}/clips/{n}: the evidence clip of the batch's n-th event (1-based,
 * as `packtrace batch show` numbers them), streamed from its file. */
static enum MHD_Result
get_clip(PtStore *store, struct MHD_Connection *c, const char *id, const char *position)
{
  g_autoptr(GError) error = NULL;
  guint64 n;
  if (!g_ascii_string_to_unsigned(position, 10, 1, G_MAXINT64, &n, NULL))
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "clip number must be 1, 2, 3, ...", NULL);
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, id, &error);
  g_autoptr(PtClipRow) clip = batch ? pt_store_clip_get(store, batch->id, (gint64)n, &error) : NULL;
  if (!clip)
    return pt_http_respond_gerror(c, error);
  if (clip->expired_ns)
    return pt_http_respond_error(c, MHD_HTTP_GONE,
                                 "the clip was deleted after its retention period", NULL);
  int fd = open(clip->path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || (guint64)st.st_size != clip->bytes) {
    if (fd >= 0)
      close(fd);
    g_warning("http: clip %s is missing or changed", clip->path);
    return pt_http_respond_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                 "the clip file is missing or changed", NULL);
  }
  /* MHD owns @fd from here and closes it with the response. */
  struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "video/mp4");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  /* The hash signed in the event, so a buyer can compare without parsing the record. */
  g_autofree char *etag = g_strdup_printf("\"%s\"", clip->sha256);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  MHD_add_response_header(r, "X-Clip-SHA256", clip->sha256);
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

/* /api/v1/loads[/{id}[/batches|/close]]: operator only, reads too (plates, drivers' phones). */
static enum MHD_Result
route_loads(PtHttp *http, struct MHD_Connection *c, const char *rest, gboolean is_get,
            gboolean is_post, PtHttpRequest *req)
{
  g_auto(GStrv) parts = g_strsplit(rest, "/", 4);
  guint n = g_strv_length(parts);
  /* "" -> collection; "", ID -> one load; "", ID, ACTION */
  if (n > 3 || (n >= 1 && parts[0][0] != '\0') || (n >= 2 && parts[1][0] == '\0') ||
      (n == 3 && strcmp(parts[2], "batches") != 0 && strcmp(parts[2], "close") != 0))
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such resource", NULL);
  gboolean allowed = n <= 1 ? is_get || is_post : n == 2 ? is_get : is_post;
  if (!allowed)
    return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                 n <= 1   ? "GET, HEAD, POST"
                                 : n == 2 ? "GET, HEAD"
                                          : "POST");
  enum MHD_Result response;
  if (!pt_http_require(http, c, PT_ROLE_OPERATOR, is_post, NULL, &response))
    return response;
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(http, &error);
  if (!store)
    return pt_http_respond_gerror(c, error);
  if (n <= 1 && is_get) {
    int limit = PT_LIST_LIMIT_DEFAULT, offset = 0;
    if (!pt_http_query_int(c, "limit", 1, PT_LIST_LIMIT_MAX, &limit, &error) ||
        !pt_http_query_int(c, "offset", 0, G_MAXINT, &offset, &error))
      return pt_http_respond_gerror(c, error);
    g_autoptr(GPtrArray) list = pt_store_load_list(store, limit, offset, &error);
    if (!list)
      return pt_http_respond_gerror(c, error);
    json_t *arr = json_array();
    for (guint i = 0; i < list->len; i++)
      json_array_append_new(arr, pt_load_to_json(store, g_ptr_array_index(list, i), FALSE, NULL));
    return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{so}", "loads", arr), NULL);
  }
  json_t *body = NULL;
  if (n <= 1) {
    body = pt_json_parse(req->body->str, req->body->len, &error);
    PtLoadSpec spec;
    g_autoptr(PtLoad) load = NULL;
    if (body && pt_load_spec_from_json(body, &spec, &error))
      load = pt_load_create(store, &spec, &error);
    json_decref(body);
    json_t *o = load ? pt_load_to_json(store, load, TRUE, &error) : NULL;
    return o ? pt_http_respond_json(c, MHD_HTTP_CREATED, o, NULL)
             : pt_http_respond_gerror(c, error);
  }
  g_autoptr(PtLoad) load = pt_load_lookup(store, parts[1], &error);
  if (!load)
    return pt_http_respond_gerror(c, error);
  if (n == 2) {
    json_t *o = pt_load_to_json(store, load, TRUE, &error);
    return o ? pt_http_respond_json(c, MHD_HTTP_OK, o, NULL) : pt_http_respond_gerror(c, error);
  }
  if (strcmp(parts[2], "close") == 0) {
    guint n_events = 0;
    if (!pt_load_close(http->station, store, load->id, &n_events, &error))
      return pt_http_respond_gerror(c, error);
    return pt_http_respond_json(
        c, MHD_HTTP_OK,
        json_pack("{sIsi}", "id", (json_int_t)load->id, "departing_events", (int)n_events), NULL);
  }
  body = pt_json_parse(req->body->str, req->body->len, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  json_t *id = json_object_get(body, "batch");
  if (!json_is_string(id) || json_object_size(body) != 1) {
    json_decref(body);
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "body is {\"batch\": \"ID or lot\"}",
                                 NULL);
  }
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, json_string_value(id), &error);
  json_decref(body);
  g_autoptr(PtLoadItem) item = NULL;
  gboolean existed = FALSE;
  if (!batch || !pt_load_add_batch(http->station, store, load->id, batch, "api", pt_now_ns(), &item,
                                   &existed, &error))
    return pt_http_respond_gerror(c, error);
  json_t *o = pt_load_item_to_json(item);
  json_object_set_new(o, "existed", json_boolean(existed));
  return pt_http_respond_json(c, existed ? MHD_HTTP_OK : MHD_HTTP_CREATED, o, NULL);
}

static enum MHD_Result
route(PtHttp *http, struct MHD_Connection *c, const char *url, const char *method,
      PtHttpRequest *req)
{
  gboolean is_get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  gboolean is_post = strcmp(method, "POST") == 0;

  if (req->too_large)
    return pt_http_respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body is too large", NULL);
  if (strlen(url) > PT_HTTP_URL_MAX)
    return pt_http_respond_error(c, MHD_HTTP_URI_TOO_LONG, "request target is too long", NULL);

  enum MHD_Result response;
  /* Routes anyone may call are limited per client address. */
  if ((strcmp(url, "/healthz") == 0 || strcmp(url, "/api/v1/station") == 0 ||
       pt_web_handles(url)) &&
      !pt_http_public_limit(http, c, &response))
    return response;
  if (strcmp(url, "/api/v1/session") == 0)
    return pt_http_route_session(http, c, method, req);
  if (strcmp(url, "/healthz") == 0) {
    if (!is_get)
      return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                   "GET, HEAD");
    return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{ss}", "status", "ok"), NULL);
  }
  if (strcmp(url, "/api/v1/station") == 0) {
    if (!is_get)
      return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                   "GET, HEAD");
    return get_station(http, c);
  }
  if (strcmp(url, "/api/v1/cameras") == 0) {
    if (!is_get)
      return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                   "GET, HEAD");
    if (!pt_http_require(http, c, PT_ROLE_OPERATOR, FALSE, NULL, &response))
      return response;
    return get_cameras(http, c);
  }
  if (strcmp(url, "/api/v1/segments") == 0) {
    if (!is_get)
      return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                   "GET, HEAD");
    if (!pt_http_require(http, c, PT_ROLE_OPERATOR, FALSE, NULL, &response))
      return response;
    g_autoptr(GError) error = NULL;
    PtStore *store = pt_http_worker_store(http, &error);
    return store ? list_segments(store, c) : pt_http_respond_gerror(c, error);
  }
  if (strcmp(url, "/api/v1/sync") == 0 || strcmp(url, "/api/v1/sync/retry") == 0)
    return route_sync(http, c, strcmp(url, "/api/v1/sync/retry") == 0, is_get, is_post, req);
  if (strcmp(url, "/api/v1/loads") == 0 || g_str_has_prefix(url, "/api/v1/loads/"))
    return route_loads(http, c, url + strlen("/api/v1/loads"), is_get, is_post, req);
  if (pt_http_buyer_handles(url))
    return pt_http_buyer_route(http, c, url, method);
  if (pt_http_driver_handles(url))
    return pt_http_driver_route(http, c, url, method, req);
  if (pt_http_dash_handles(url))
    return pt_http_dash_route(http, c, url, method, req);
  if (pt_web_handles(url))
    return pt_web_respond(http->station, c, url, method, http->scans, web_store, http);
  if (!g_str_has_prefix(url, "/api/v1/batches"))
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such resource", NULL);

  g_auto(GStrv) parts = g_strsplit(url + strlen("/api/v1/batches"), "/", 5);
  guint n = g_strv_length(parts);
  /* "", ID, "clips", N -> an evidence clip, public: the consumer page plays it */
  if (n == 4 && parts[0][0] == '\0' && parts[1][0] != '\0' && strcmp(parts[2], "clips") == 0) {
    if (!is_get)
      return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                   "GET, HEAD");
    if (!pt_http_public_limit(http, c, &response))
      return response;
    g_autoptr(GError) error = NULL;
    PtStore *store = pt_http_worker_store(http, &error);
    return store ? get_clip(store, c, parts[1], parts[3]) : pt_http_respond_gerror(c, error);
  }
  /* "", ID, ACTION -> an operator's write */
  if (n == 3 && parts[0][0] == '\0' && parts[1][0] != '\0' &&
      (strcmp(parts[2], "hold") == 0 || strcmp(parts[2], "release") == 0 ||
       strcmp(parts[2], "recall") == 0 || strcmp(parts[2], "events") == 0)) {
    if (!is_post)
      return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed", "POST");
    g_autoptr(GError) error = NULL;
    PtStore *store = pt_http_worker_store(http, &error);
    return store ? batch_action(http, store, c, parts[1], parts[2], req)
                 : pt_http_respond_gerror(c, error);
  }
  /* "" -> collection; "", ID -> batch; "", ID, VIEW -> view */
  if (n > 3 || (n >= 1 && parts[0][0] != '\0') || (n >= 2 && parts[1][0] == '\0'))
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such resource", NULL);
  BatchView view = VIEW_BATCH;
  if (n == 3) {
    if (strcmp(parts[2], "epcis") == 0)
      view = VIEW_EPCIS;
    else if (strcmp(parts[2], "bundle") == 0)
      view = VIEW_BUNDLE;
    else if (strcmp(parts[2], "label") == 0)
      view = VIEW_LABEL;
    else if (strcmp(parts[2], "grading") == 0)
      view = VIEW_GRADING;
    else
      return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such resource", NULL);
  }
  if (n <= 1 ? !is_get && !is_post : !is_get)
    return pt_http_respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed",
                                 n <= 1 ? "GET, HEAD, POST" : "GET, HEAD");

  /* The signed bundle is public (the consumer page verifies it); other reads are for
   * buyers and up. */
  g_autoptr(PtPrincipal) p = NULL;
  if (view == VIEW_BUNDLE
          ? !pt_http_public_limit(http, c, &response)
          : !is_post && !pt_http_require(http, c, PT_ROLE_BUYER, FALSE, &p, &response))
    return response;
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(http, &error);
  if (!store)
    return pt_http_respond_gerror(c, error);
  if (n <= 1)
    return is_post ? create_batch(http, store, c, req) : list_batches(http, store, c, p);
  if (view == VIEW_LABEL)
    return get_label(http, store, c, parts[1], p);
  return get_batch(http, store, c, parts[1], view, p);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  PtHttp *http = cls;
  PtHttpRequest *req = *con_cls;
  if (!req) {
    req = g_new0(PtHttpRequest, 1);
    req->body = g_string_new(NULL);
    req->max = pt_http_body_max(url);
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    guint64 n;
    if (len && g_ascii_string_to_unsigned(len, 10, 0, G_MAXUINT64, &n, NULL) && n > req->max)
      req->too_large = TRUE;
    *con_cls = req;
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (!req->too_large && req->body->len + *upload_data_size <= req->max)
      g_string_append_len(req->body, upload_data, (gssize)*upload_data_size);
    else
      req->too_large = TRUE;
    *upload_data_size = 0;
    return MHD_YES;
  }
  return route(http, c, url, method, req);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  PtHttpRequest *req = *con_cls;
  if (!req)
    return;
  g_string_free(req->body, TRUE);
  g_free(req);
  *con_cls = NULL;
}

/* libmicrohttpd's format strings, checked as such. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  g_strchomp(msg);
  g_message("http: %s", msg);
}

/* Percent-decodes @s in place like libmicrohttpd's default, except that %00 stays as it
 * is: a decoded NUL would cut the path short ("/static/app.js%00.png" naming app.js). */
static size_t
unescape_keep_nul(void *cls, struct MHD_Connection *c, char *s)
{
  char *out = s;
  for (const char *in = s; *in;) {
    int hi, lo;
    if (in[0] == '%' && (hi = g_ascii_xdigit_value(in[1])) >= 0 &&
        (lo = g_ascii_xdigit_value(in[2])) >= 0 && (hi | lo) != 0) {
      *out++ = (char)(hi * 16 + lo);
      in += 3;
    } else {
      *out++ = *in++;
    }
  }
  *out = '\0';
  return (size_t)(out - s);
}

/* The server's state without its daemon: access settings, TLS files, rate limits, the scan
 * tally.  Returns: (transfer full), freed with pt_http_stop(). */
static PtHttp *
http_new(PtStation *station, GError **error)
{
  char *cert = NULL, *key = NULL;
  PtHttpAuth *auth = pt_http_auth_new(station->config, error);
  if (!auth || !pt_http_tls_load(station, &cert, &key, error)) {
    pt_http_auth_free(auth);
    return NULL;
  }
  if (cert && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[http] tls_cert is set but this libmicrohttpd has no TLS support");
    pt_http_auth_free(auth);
    g_free(cert);
    g_free(key);
    return NULL;
  }
  PtHttp *http = g_new0(PtHttp, 1);
  http->station = station;
  http->auth = auth;
  http->tls = cert != NULL;
  http->tls_pem[0] = cert;
  http->tls_pem[1] = key;
  http->driver_rate =
      pt_rate_limit_new(PT_DRIVER_RATE_PER_S, PT_DRIVER_RATE_BURST, PT_DRIVER_RATE_KEYS);
  http->scans = pt_scan_tally_new(station);
  return http;
}

PtHttp *
pt_http_start(PtStation *station, const char *host, guint16 port, GError **error)
{
  struct addrinfo hints = {
      .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
  struct addrinfo *ai = NULL;
  g_autofree char *service = g_strdup_printf("%u", port);
  int gai = getaddrinfo(host, service, &hints, &ai);
  if (gai != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "cannot resolve listen address %s: %s", host,
                gai_strerror(gai));
    return NULL;
  }
  PtHttp *http = http_new(station, error);
  if (!http) {
    freeaddrinfo(ai);
    return NULL;
  }
  char *cert = http->tls_pem[0], *key = http->tls_pem[1]; /* owned by @http */
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                   (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0) | (http->tls ? MHD_USE_TLS : 0);
  /* Without TLS the two certificate options are skipped: MHD_OPTION_ARRAY ends at them. */
  struct MHD_OptionItem tls_options[] = {
      {http->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
      {MHD_OPTION_END, 0, NULL}};
  http->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, http, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http,
      MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)PT_HTTP_THREADS,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)PT_HTTP_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)station->config->http_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)PT_HTTP_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
      MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, http, MHD_OPTION_ARRAY, tls_options,
      MHD_OPTION_END);
  freeaddrinfo(ai);
  if (!http->daemon) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO,
                "cannot listen on %s:%u (address in use or not available)", host, port);
    pt_http_stop(http);
    return NULL;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
  http->port = info ? info->port : port;
  return http;
}

PtHttp *
pt_http_start_unthreaded(PtStation *station, GError **error)
{
  PtHttp *http = http_new(station, error);
  if (!http)
    return NULL;
  http->daemon = MHD_start_daemon(
      MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, http,
      MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)PT_HTTP_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)station->config->http_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)PT_HTTP_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
      MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul, http, MHD_OPTION_END);
  if (!http->daemon) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_IO, "cannot start the HTTP daemon");
    pt_http_stop(http);
    return NULL;
  }
  return http;
}

gboolean
pt_http_add_connection(PtHttp *http, int fd, GError **error)
{
  struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  /* MHD closes @fd even when it refuses it. */
  if (MHD_add_connection(http->daemon, fd, (const struct sockaddr *)&peer, sizeof peer) !=
      MHD_YES) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_IO, "the HTTP daemon refused a connection");
    return FALSE;
  }
  return TRUE;
}

guint
pt_http_poll(PtHttp *http)
{
  MHD_run(http->daemon);
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info ? info->num_connections : 0;
}

void
pt_http_set_recorder(PtHttp *http, PtRecorder *recorder)
{
  g_atomic_pointer_set(&http->recorder, recorder);
}

guint16
pt_http_port(PtHttp *http)
{
  return http->port;
}

gboolean
pt_http_tls(PtHttp *http)
{
  return http->tls;
}

void
pt_http_stop(PtHttp *http)
{
  if (!http)
    return;
  if (http->daemon)
    MHD_stop_daemon(http->daemon);
  pt_http_auth_free(http->auth);
  pt_rate_limit_free(http->driver_rate);
  for (gsize i = 0; i < G_N_ELEMENTS(http->tls_pem); i++)
    if (http->tls_pem[i]) {
      sodium_memzero(http->tls_pem[i], strlen(http->tls_pem[i]));
      g_free(http->tls_pem[i]);
    }
  /* After the daemon: no request counts a view any more. */
  pt_scan_tally_free(http->scans);
  g_free(http);
}

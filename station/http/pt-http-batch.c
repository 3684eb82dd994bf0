/* pt-http-batch.c: the batch routes of the station API.
 *
 *   GET  /api/v1/batches                        buyers and up: a page of batches (a buyer
 *                                               scoped to a GLN: those on loads to it)
 *   POST /api/v1/batches                        operator: a new batch (201)
 *   GET  /api/v1/batches/{id}                   buyers and up: the batch and its timeline
 *   GET  /api/v1/batches/{id}/epcis|grading     buyers and up: its EPCIS document, grading
 *   GET  /api/v1/batches/{id}/label             buyers and up: its label (PNG, PDF, SVG)
 *   GET  /api/v1/batches/{id}/bundle            buyers and up: the signed bundle (the public
 *                                               one is at the batch's Digital Link, pt-web.c)
 *   GET  /api/v1/batches/{id}/clips/{n}         buyers and up: an evidence clip (the public
 *                                               one, of a public event, is at the batch's
 *                                               Digital Link ?linkType=pt:clip&n=N, pt-web.c)
 *   POST /api/v1/batches/{id}/hold|release|recall|events   operator
 *   POST /api/v1/batches/{id}/attachments       admin: a product photo or a certificate as
 *                                               signed evidence (pt-attachment.h); the file is
 *                                               the raw body, its facts the query: ?role=photo,
 *                                               or ?role=certificate&kind=&title=[&title_zh=]
 *                                               [&issuer=][&issued=][&valid_until=]; &private=1
 *                                               keeps it from the public (201)
 *   POST /api/v1/batches/{id}/repack            operator: {"outputs": [{"lot", "quantity"}],
 *                                               "step", "note"}: new lots from it and a signed
 *                                               TransformationEvent (201)
 *   GET  /api/v1/events/{hashid}                buyers and up: the event with that GS1 Event
 *                                               Hash ID (URL-encoded) and its batch's lot/GTIN
 *
 * Read requests (GET /api/v1/batches/{id}) dominate; they run on the worker threads with a
 * per-thread SQLite connection and no shared lock.  The buyer portal's views of a batch
 * (clips list, loads) are in pt-http-buyer.c. */
#include "pt-http-batch.h"

#include "pt-http-auth.h"
#include "pt-http-respond.h"
#include "pt-text-cache.h"

#include "pt-attachment.h"
#include "pt-batch.h"
#include "pt-error.h"
#include "pt-grading.h"
#include "pt-json.h"
#include "pt-label-batch.h"
#include "pt-transform.h"
#include "pt-limits.h"
#include "pt-store-auth.h"
#include "pt-store-grading.h"
#include "pt-store-video.h"
#include "pt-store-web.h"
#include "pt-trace.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt-labels-limits.h"

/* The tag of the events route; the others of batch_action() are a PtBatchAction. */
#define ACTION_EVENTS (-1)

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

/* GET /api/v1/batches?limit=N&offset=N */
static enum MHD_Result
list_batches(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  const PtPrincipal *p = call->who;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  int limit, offset;
  if (!pt_http_query_page(c, &limit, &offset, &error))
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

/* POST /api/v1/batches with a PtBatchSpec body. */
static enum MHD_Result
create_batch(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(req, FALSE, &error);
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

static enum MHD_Result
repack_batch(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, call->args[0], &error);
  json_t *body = batch ? pt_http_body_json(call->req, FALSE, &error) : NULL;
  if (!body)
    return pt_http_respond_gerror(c, error);
  PtTransformSpec spec;
  g_autofree PtTransformOutput *outputs = NULL;
  g_autoptr(GPtrArray) made = NULL;
  g_autofree char *id = NULL;
  gboolean ok = pt_transform_spec_from_json(body, &spec, &outputs, &error) &&
                pt_transform_run(call->http->station, store, batch, &spec, &made, &id, &error);
  json_decref(body);
  if (!ok)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < made->len; i++)
    json_array_append_new(arr, pt_batch_to_json(call->http->station->config, made->pdata[i]));
  return pt_http_respond_json(
      c, MHD_HTTP_CREATED,
      json_pack("{ssssso}", "transformation_id", id, "input", batch->lot, "outputs", arr), NULL);
}

/* POST /api/v1/batches/{id}/hold|release|recall {"reason": TEXT} (required for hold and
 * recall; release takes an empty body too) and POST /api/v1/batches/{id}/events with a
 * PtEventSpec body.  Operator only. */
static enum MHD_Result
batch_action(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  const char *id = call->args[0];
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(req, TRUE, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  g_autoptr(PtBatch) batch = NULL;
  json_t *out = NULL;
  unsigned status = MHD_HTTP_OK;
  if (call->route->tag == ACTION_EVENTS) {
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
    PtBatchAction a = (PtBatchAction)call->route->tag;
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

/* A query argument as given, NULL when absent or empty. */
static const char *
arg(struct MHD_Connection *c, const char *name)
{
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  return v && *v ? v : NULL;
}

/* POST /api/v1/batches/{id}/attachments: the raw body is the file, the query its facts.  The
 * file's kind is read from its bytes, never from Content-Type. */
static enum MHD_Result
attach(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  const char *role = arg(c, "role"), *priv = arg(c, "private");
  if (g_strcmp0(role, "photo") != 0 && g_strcmp0(role, "certificate") != 0)
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST,
                                 "role is photo or certificate (?role=...)", NULL);
  if (priv && strcmp(priv, "1") != 0 && strcmp(priv, "true") != 0 && strcmp(priv, "0") != 0 &&
      strcmp(priv, "false") != 0)
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "private is 1 or 0", NULL);
  PtAttachSpec spec = {.role = role[0] == 'p' ? PT_ATTACH_PHOTO : PT_ATTACH_CERTIFICATE,
                       .kind = arg(c, "kind"),
                       .title = arg(c, "title"),
                       .title_zh = arg(c, "title_zh"),
                       .issuer = arg(c, "issuer"),
                       .issued = arg(c, "issued"),
                       .valid_until = arg(c, "valid_until"),
                       .private_ = priv && (priv[0] == '1' || priv[0] == 't')};
  PtStore *store = call->store ? call->store : pt_http_worker_store(call->http, &error);
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, call->args[0], &error) : NULL;
  json_t *a = batch ? pt_attachment_add(call->http->station, store, batch, &spec,
                                        (const guint8 *)call->req->body->str, call->req->body->len,
                                        NULL, &error)
                    : NULL;
  if (!a)
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, MHD_HTTP_CREATED, a, NULL);
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
get_label(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  const PtPrincipal *p = call->who;
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
  PtStore *store = call->store;
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, call->args[0], &error);
  if (!batch)
    return pt_http_respond_gerror(c, error);
  enum MHD_Result response;
  if (!batch_readable(store, c, p, batch, &response))
    return response;
  g_autoptr(PtBatch) facts =
      pt_batch_label_facts(store, http->station->keys->anchor_key, batch, &error);
  g_autoptr(GBytes) bytes = facts ? pt_batch_label_render(http->station->config, facts, template_,
                                                          format, (guint)dpi, 0, &error)
                                  : NULL;
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

typedef enum { VIEW_BATCH, VIEW_EPCIS, VIEW_BUNDLE, VIEW_GRADING } BatchView;

/* Each worker thread's rendered batch answers by revision (pt-text-cache.h): a view of an
 * unchanged batch is not verified and built again. */
static GPrivate thread_texts = G_PRIVATE_INIT((GDestroyNotify)pt_text_cache_free);

static PtTextCache *
worker_texts(void)
{
  PtTextCache *cache = g_private_get(&thread_texts);
  if (!cache) {
    cache = pt_text_cache_new(PT_BATCH_TEXT_CACHE_ENTRIES, PT_BATCH_TEXT_CACHE_BYTES);
    g_private_set(&thread_texts, cache);
  }
  return cache;
}

/* Returns: (transfer full): the cache key of batch @batch_id's @which as @view shows it to
 * @gln (nullable). */
static char *
text_key(gint64 batch_id, BatchView which, PtBundleView view, const char *gln)
{
  return g_strdup_printf("%" G_GINT64_FORMAT "/%d/%d/%s", batch_id, which, view, gln ? gln : "");
}

/* The JSON (VIEW_BATCH) or EPCIS document of @batch as @view shows it to @gln, from the
 * worker's cache while the batch's revision is the one it was made at.
 * Returns: (transfer full) (nullable). */
static GBytes *
batch_text(PtHttp *http, PtStore *store, const PtBatch *batch, BatchView which, PtBundleView view,
           const char *gln, GError **error)
{
  PtPublicRev rev;
  if (!pt_store_public_rev(store, batch->lot, &rev, error))
    return NULL;
  g_autofree char *key = text_key(batch->id, which, view, gln);
  PtTextCache *cache = worker_texts();
  GBytes *text = pt_text_cache_get(cache, key, rev.rev);
  if (text)
    return text;
  gsize len = 0;
  char *body = which == VIEW_BATCH
                   ? pt_batch_show_json(http->station->config, http->station->keys->anchor_key,
                                        store, batch, view, gln, &len, error)
                   : pt_trace_epcis(store, http->station->config, batch, view, gln, &len, error);
  if (!body)
    return NULL;
  text = g_bytes_new_take(body, len);
  pt_text_cache_put(cache, key, rev.rev, text);
  return text;
}

/* The answer of @call's batch (JSON or EPCIS) from the worker's cache, found with one read of
 * the store (the batch its reference names and that batch's revision, pt_store_public_rev_ref())
 * where building it reads the batch twice and the revision once more; a scoped buyer's check
 * of its loads stays as it is.  Returns: (transfer full) (nullable): NULL when not cached at
 * the batch's revision now, or anything else than a readable batch, which the full path
 * answers (its responses, errors included, are the ones this one would give). */
static GBytes *
cached_text(const PtHttpCall *call, PtStore *store, BatchView which, PtBundleView view)
{
  const char *ref = call->args[0];
  const char *lot = ref;
  guint64 id = 0;
  /* pt_batch_lookup()'s reading of a reference: "#N" is an id only; otherwise the lot, and a
   * bare number the id when no lot has that text. */
  if (ref[0] == '#') {
    if (!g_ascii_string_to_unsigned(ref + 1, 10, 1, G_MAXINT64, &id, NULL))
      return NULL;
    lot = NULL;
  } else if (!g_ascii_string_to_unsigned(ref, 10, 1, G_MAXINT64, &id, NULL)) {
    id = 0;
  }
  PtPublicRev rev;
  gboolean yes = FALSE;
  if (!pt_store_public_rev_ref(store, lot, (gint64)id, &rev, NULL) ||
      !pt_http_batch_in_scope(store, call->who, rev.batch_id, &yes, NULL) || !yes)
    return NULL;
  g_autofree char *key = text_key(rev.batch_id, which, view, call->who->scope_gln);
  return pt_text_cache_get(worker_texts(), key, rev.rev);
}

/* Answers @text (transfer none), the JSON or EPCIS document of a batch. */
static enum MHD_Result
respond_text(struct MHD_Connection *c, BatchView which, GBytes *text)
{
  return pt_http_respond_bytes(
      c, MHD_HTTP_OK,
      which == VIEW_EPCIS ? "application/ld+json" : "application/json; charset=utf-8", text);
}

/* GET /api/v1/batches/{id}[/VIEW]: the route's tag is the view; buyers and up only (a
 * sequential id is no name for the public: it finds batches by GTIN and lot, pt-web.c). */
static enum MHD_Result
get_batch(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  const PtPrincipal *p = call->who;
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(http, &error);
  /* A buyer sees its own loads only; an operator sees everything. */
  PtBundleView view = p->role == PT_ROLE_BUYER ? PT_BUNDLE_BUYER : PT_BUNDLE_FULL;
  BatchView which = (BatchView)call->route->tag;
  if (store && (which == VIEW_BATCH || which == VIEW_EPCIS)) {
    g_autoptr(GBytes) text = cached_text(call, store, which, view);
    if (text)
      return respond_text(c, which, text);
  }
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, call->args[0], &error) : NULL;
  if (!batch)
    return pt_http_respond_gerror(c, error);
  enum MHD_Result response;
  if (!batch_readable(store, c, p, batch, &response))
    return response;
  json_t *out = NULL;
  /* Text, not JSON: the stored records leave byte for byte (pt-bundle.h). */
  switch (which) {
  case VIEW_BATCH:
  case VIEW_EPCIS: {
    g_autoptr(GBytes) text = batch_text(http, store, batch, which, view, p->scope_gln, &error);
    if (!text)
      break;
    return respond_text(c, which, text);
  }
  case VIEW_BUNDLE: {
    /* Signed now, by the key in force: never kept. */
    gsize len = 0;
    char *text = pt_trace_bundle(store, http->station->config, http->station->keys, batch, view,
                                 p->scope_gln, &len, &error);
    if (!text)
      break;
    return pt_http_respond(c, MHD_HTTP_OK, "application/json; charset=utf-8", text, len, NULL);
  }
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
  }
  if (!out)
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, MHD_HTTP_OK, out, NULL);
}

enum MHD_Result
pt_http_batch_respond_clip(struct MHD_Connection *c, PtStore *store, gint64 batch_id, gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtClipRow) clip = pt_store_clip_get(store, batch_id, n, &error);
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
  /* A phone's player asks for ranges; the hash is the one signed in the event, so a buyer
   * can compare without parsing the record. */
  return pt_http_respond_file(c, fd, (guint64)st.st_size, "video/mp4", clip->sha256);
}

/* GET /api/v1/batches/{id}/clips/{n}: the evidence clip of the batch's n-th event (buyers in
 * scope and operators; the dispatcher checks a scoped buyer's batch). */
static enum MHD_Result
get_clip(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(call->http, &error);
  if (!store)
    return pt_http_respond_gerror(c, error);
  guint64 n;
  if (!g_ascii_string_to_unsigned(call->args[1], 10, 1, G_MAXINT64, &n, NULL))
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "clip number must be 1, 2, 3, ...", NULL);
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, call->args[0], &error);
  if (!batch)
    return pt_http_respond_gerror(c, error);
  return pt_http_batch_respond_clip(c, store, batch->id, (gint64)n);
}

#define EVENTS_PREFIX "/api/v1/events/"

/* GET /api/v1/events/{hashid}: the hash ID holds '/' and '?', which arrive decoded, so the
 * route takes the rest of the path.  A client that left '?ver=CBV2.0' unencoded sent it as
 * the query; it is put back. */
static enum MHD_Result
get_event(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(call->http, &error);
  if (!store)
    return pt_http_respond_gerror(c, error);
  const char *ver = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ver");
  g_autofree char *hash_id = g_strdup(call->url + strlen(EVENTS_PREFIX));
  if (ver && !strchr(hash_id, '?')) {
    char *full = g_strconcat(hash_id, "?ver=", ver, NULL);
    g_free(hash_id);
    hash_id = full;
  }
  /* The record byte for byte; a buyer sees the events the bundle shows it (pt-bundle.h). */
  const PtPrincipal *p = call->who;
  gint64 batch_id = 0;
  gsize len = 0;
  char *text = pt_trace_event_text(store, hash_id,
                                   p->role == PT_ROLE_BUYER ? PT_BUNDLE_BUYER : PT_BUNDLE_FULL,
                                   p->scope_gln, &batch_id, &len, &error);
  if (!text)
    return pt_http_respond_gerror(c, error);
  g_autoptr(PtBatch) batch = pt_store_batch_get(store, batch_id, &error);
  enum MHD_Result response;
  if (!batch) {
    g_free(text);
    return pt_http_respond_gerror(c, error);
  }
  if (!batch_readable(store, c, p, batch, &response)) {
    g_free(text);
    return response;
  }
  return pt_http_respond(c, MHD_HTTP_OK, "application/json; charset=utf-8", text, len, NULL);
}

static const PtHttpRoute batch_routes[] = {
    {"/api/v1/batches", PT_HTTP_GET, PT_HTTP_BUYER, list_batches},
    {"/api/v1/batches", PT_HTTP_POST, PT_HTTP_OPERATOR, create_batch},
    {"/api/v1/batches/{id}", PT_HTTP_GET, PT_HTTP_BUYER, get_batch, VIEW_BATCH},
    {"/api/v1/batches/{id}/epcis", PT_HTTP_GET, PT_HTTP_BUYER, get_batch, VIEW_EPCIS},
    {"/api/v1/batches/{id}/grading", PT_HTTP_GET, PT_HTTP_BUYER, get_batch, VIEW_GRADING},
    {"/api/v1/batches/{id}/bundle", PT_HTTP_GET, PT_HTTP_BUYER, get_batch, VIEW_BUNDLE},
    {"/api/v1/batches/{id}/label", PT_HTTP_GET, PT_HTTP_BUYER, get_label},
    {"/api/v1/batches/{id}/clips/{n}", PT_HTTP_GET, PT_HTTP_BUYER, get_clip},
    {"/api/v1/batches/{id}/hold", PT_HTTP_POST, PT_HTTP_OPERATOR, batch_action, PT_BATCH_HOLD},
    {"/api/v1/batches/{id}/release", PT_HTTP_POST, PT_HTTP_OPERATOR, batch_action,
     PT_BATCH_RELEASE},
    {"/api/v1/batches/{id}/recall", PT_HTTP_POST, PT_HTTP_OPERATOR, batch_action, PT_BATCH_RECALL},
    {"/api/v1/batches/{id}/events", PT_HTTP_POST, PT_HTTP_OPERATOR, batch_action, ACTION_EVENTS},
    {"/api/v1/batches/{id}/repack", PT_HTTP_POST, PT_HTTP_OPERATOR, repack_batch},
    {"/api/v1/batches/{id}/attachments", PT_HTTP_POST, PT_HTTP_ADMIN, attach, 0,
     PT_ATTACH_BODY_MAX},
    {EVENTS_PREFIX "*", PT_HTTP_GET, PT_HTTP_BUYER, get_event},
};

const PtHttpRouteTable pt_http_batch_routes = {batch_routes, G_N_ELEMENTS(batch_routes)};

/* pt-web.c: static assets of web-ui/ and the GS1 Digital Link resolver (the consumer page).
 *
 * The resolver's decisions are labels/pt-gs1-resolver.h's, shared with the hub: which links
 * a batch offers, what a linkType answers (404 for one it does not offer), the linkset, the
 * Link header, the description file at /.well-known/gs1resolver, compressed links (one base64
 * segment at the root, answered in place with rel="owl:sameAs" naming the uncompressed link).
 * Every resolver answer carries Access-Control-Allow-Origin: * and Vary: Accept; OPTIONS is the
 * CORS preflight (204).  An unknown lot answers 303 to its product, the query passed on.
 *
 * The consumer page is what a shopper's phone opens from the QR: its HTML shell is a
 * compiled-in asset with the batch's public facts embedded as JSON, so the first view is
 * one request plus three cached assets.  Only public fields leave here: no notes, phone
 * numbers, quantities or prices (those stay in the operator API).  A batch's Digital Link with
 * ?linkType=gs1:epcis answers its public EPCIS document and with ?linkType=pt:traceBundle its
 * public signed bundle (pt-bundle.h): the events with private members redacted, the others
 * their stored records byte for byte; with ?linkType=pt:clip&n=N the evidence clip of its N-th
 * event, when the public view shows that event.  The public names a batch by GTIN and lot
 * only: the sequential ids of /api/v1/ are for buyers and operators.  /evidence/{sha256}
 * answers the file of a product photo, a certificate or a grading still that a record the
 * public sees names (pt-attachment.h), as the hub does, so the page's links are the same on
 * both. */
#include "pt-web.h"

#include "pt-http-batch.h"
#include "pt-http-metrics.h"
#include "pt-http-respond.h"

#include "pt-attachment.h"
#include "pt-batch-signed.h"
#include "pt-consumer-page.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-gs1-dl-compress.h"
#include "pt-gs1-dl.h"
#include "pt-gs1-resolver.h"
#include "pt-gzip.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-page-evidence.h"
#include "pt-store-grading.h"
#include "pt-store-web.h"
#include "pt-time.h"
#include "pt-trace.h"
#include "pt-web-cache.h"
#include "pt-web-view.h"
#include "pt-web-resources.h"

#include <gio/gio.h>
#include <string.h>
#include <unistd.h>

/* The linkType of a batch's Digital Link that answers its public signed bundle; with the
 * query pair below, its page's view of it (pt-web-view.h). */
#define PT_WEB_BUNDLE_LINK_TYPE "pt:traceBundle"
#define PT_WEB_VIEW_QUERY       "view=page"
#define STATIC_MAX_AGE          "public, max-age=3600"
/* blob: images are the dashboard's camera thumbnails, fetched with the operator's credentials. */
#define PAGE_CSP                                                                                   \
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "          \
  "media-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; "              \
  "frame-ancestors 'none'"

typedef struct {
  const char *url;      /* "/static/NAME" */
  const char *resource; /* path in the GResource */
  const char *type;
  GBytes *bytes; /* static data of the resource, kept for the process's life */
  GBytes *gz;    /* nullable: the same gzipped, for text; kept as long */
  char *gz_etag; /* its ETag (a strong tag names one encoding) */
  char *etag;    /* "\"sha256-prefix\"" */
} Asset;

static Asset assets[] = {
    /* What every page shares, loaded before the page's own script. */
    {"/static/ui-kit.js", "/packtrace/web/ui-kit.js", "text/javascript; charset=utf-8"},
    {"/static/consumer.js", "/packtrace/web/consumer.js", "text/javascript; charset=utf-8"},
    /* The bundle check of the consumer page and the buyer portal. */
    {"/static/pt-verify.js", "/packtrace/web/pt-verify.js", "text/javascript; charset=utf-8"},
    /* The one translation table, for scripts (the server renders from the same). */
    {"/static/i18n.json", "/packtrace/web/i18n.json", "application/json; charset=utf-8"},
    {"/static/consumer.css", "/packtrace/web/consumer.css", "text/css; charset=utf-8"},
    {"/static/favicon.svg", "/packtrace/web/favicon.svg", "image/svg+xml"},
    {"/static/favicon.png", "/packtrace/web/favicon.png", "image/png"},
    {"/favicon.ico", "/packtrace/web/favicon.png", "image/png"},
    {"/static/style.css", "/packtrace/web/style.css", "text/css; charset=utf-8"},
    {"/static/station.js", "/packtrace/web/station.js", "text/javascript; charset=utf-8"},
    {"/static/station-live.js", "/packtrace/web/station-live.js", "text/javascript; charset=utf-8"},
    {"/static/station-loads.js", "/packtrace/web/station-loads.js",
     "text/javascript; charset=utf-8"},
    {"/static/station-admin.js", "/packtrace/web/station-admin.js",
     "text/javascript; charset=utf-8"},
    {"/static/station-recall.js", "/packtrace/web/station-recall.js",
     "text/javascript; charset=utf-8"},
    {"/static/station-timeline.js", "/packtrace/web/station-timeline.js",
     "text/javascript; charset=utf-8"},
    /* Loaded by the consumer page only where WebCrypto lacks Ed25519 (ES modules). */
    {"/static/ed25519-fallback.js", "/packtrace/web/ed25519-fallback.js",
     "text/javascript; charset=utf-8"},
    {"/static/vendor/noble-ed25519/index.js", "/packtrace/web/vendor/noble-ed25519/index.js",
     "text/javascript; charset=utf-8"},
    {"/static/vendor/noble-hashes/sha2.js", "/packtrace/web/vendor/noble-hashes/sha2.js",
     "text/javascript; charset=utf-8"},
    {"/static/vendor/noble-hashes/_md.js", "/packtrace/web/vendor/noble-hashes/_md.js",
     "text/javascript; charset=utf-8"},
    {"/static/vendor/noble-hashes/_u64.js", "/packtrace/web/vendor/noble-hashes/_u64.js",
     "text/javascript; charset=utf-8"},
    {"/static/vendor/noble-hashes/utils.js", "/packtrace/web/vendor/noble-hashes/utils.js",
     "text/javascript; charset=utf-8"},
    {"/station", "/packtrace/web/station.html", "text/html; charset=utf-8"},
    {"/static/buyer.js", "/packtrace/web/buyer.js", "text/javascript; charset=utf-8"},
    {"/static/buyer-charts.js", "/packtrace/web/buyer-charts.js", "text/javascript; charset=utf-8"},
    {"/static/buyer-notices.js", "/packtrace/web/buyer-notices.js",
     "text/javascript; charset=utf-8"},
    {"/static/buyer-loads.js", "/packtrace/web/buyer-loads.js", "text/javascript; charset=utf-8"},
    {"/static/buyer-hub.js", "/packtrace/web/buyer-hub.js", "text/javascript; charset=utf-8"},
    {"/buyer", "/packtrace/web/buyer.html", "text/html; charset=utf-8"},
    {"/driver", "/packtrace/web/driver.html", "text/html; charset=utf-8"},
    {"/static/driver.js", "/packtrace/web/driver.js", "text/javascript; charset=utf-8"},
    {"/static/driver.css", "/packtrace/web/driver.css", "text/css; charset=utf-8"},
    {"/static/jsQR.js", "/packtrace/web/jsQR.js", "text/javascript; charset=utf-8"},
    /* GS1-128 and GS1 DataMatrix where the browser has no BarcodeDetector (vendor/README). */
    {"/static/zxing.js", "/packtrace/web/zxing.js", "text/javascript; charset=utf-8"},
    /* The live view player of the dashboard and the buyer portal (vendor/README), loaded when
     * a camera or a load is watched. */
    {"/static/hls.js", "/packtrace/web/hls.js", "text/javascript; charset=utf-8"},
    /* At the root so that its scope can be /driver (a worker's scope lies under its path). */
    {"/driver-sw.js", "/packtrace/web/driver-sw.js", "text/javascript; charset=utf-8"},
};

/* The translation table (web-ui/i18n.json), parsed once: the consumer page is rendered from
 * it; its style sheet, put inline, and the policy that allows that style alone. */
static json_t *i18n;
static char *page_css, *page_csp;

static gpointer
assets_load(gpointer unused)
{
  GResource *res = pt_web_get_resource();
  for (gsize i = 0; i < G_N_ELEMENTS(assets); i++) {
    /* Built in at compile time: a missing entry is a build error, not a run-time state. */
    assets[i].bytes =
        g_resource_lookup_data(res, assets[i].resource, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    g_assert(assets[i].bytes);
    g_autofree char *sum = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, assets[i].bytes);
    assets[i].etag = g_strdup_printf("\"%.32s\"", sum);
    if (g_str_has_prefix(assets[i].type, "text/") ||
        g_str_has_prefix(assets[i].type, "application/json") ||
        g_str_has_prefix(assets[i].type, "image/svg")) {
      assets[i].gz = pt_gzip(assets[i].bytes);
      assets[i].gz_etag = g_strdup_printf("\"%.32s-gz\"", sum);
    }
  }
  g_autoptr(GBytes) table =
      g_resource_lookup_data(res, "/packtrace/web/i18n.json", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize len = 0;
  const char *text = g_bytes_get_data(table, &len);
  i18n = pt_json_parse(text, len, NULL);
  /* Compiled in and checked by its test: a broken table is a build error. */
  g_assert(json_is_object(i18n));
  g_autoptr(GBytes) css = g_resource_lookup_data(res, "/packtrace/web/consumer.css",
                                                 G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  page_css = g_strndup(g_bytes_get_data(css, NULL), g_bytes_get_size(css));
  page_csp = pt_consumer_page_csp(page_css);
  return NULL;
}

static void
assets_init(void)
{
  static GOnce once = G_ONCE_INIT;
  g_once(&once, assets_load, NULL);
}

static void
common_headers(struct MHD_Response *r, const char *type, const char *cache)
{
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result
queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

/* What every answer of the resolver carries: any page may read it (it is public, and no
 * credentials are involved), and one URL answers HTML or JSON by Accept. */
static void
cors_headers(struct MHD_Response *r)
{
  MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
  MHD_add_response_header(r, "Access-Control-Expose-Headers", PT_GS1_RESOLVER_CORS_EXPOSE);
  MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept");
}

/* Returns: (transfer full): a response sending @body (taken; malloc'd or g_malloc'd, one
 * allocator since GLib 2.46). */
static struct MHD_Response *
text_response(const char *type, char *body, gsize len)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  common_headers(r, type, "no-store");
  if (g_str_has_prefix(type, "text/html"))
    MHD_add_response_header(r, "Content-Security-Policy", PAGE_CSP);
  cors_headers(r);
  return r;
}

/* Sends @body (taken, as text_response()). */
static enum MHD_Result
respond_text(struct MHD_Connection *c, unsigned status, const char *type, char *body, gsize len)
{
  return queue(c, status, text_response(type, body, len));
}

/* Returns: (transfer full): @value (taken) as compact JSON, g_malloc'd. */
static char *
json_text(json_t *value)
{
  char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(value);
  char *copy = g_strdup(text);
  free(text);
  return copy;
}

static gboolean
wants_json(struct MHD_Connection *c)
{
  const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  return accept && (strstr(accept, "application/json") || strstr(accept, "application/ld+json")) &&
         !strstr(accept, "text/html");
}

/* Errors answer in the form the client asked for: a line of HTML for a phone, JSON for
 * an app. */
static enum MHD_Result
respond_error(struct MHD_Connection *c, unsigned status, const char *message)
{
  /* Messages quote the request, which need not be UTF-8; JSON and the markup escaper need
   * it to be. */
  g_autofree char *valid = g_utf8_make_valid(message, -1);
  if (wants_json(c)) {
    json_t *value = json_pack("{ss}", "error", valid);
    char *text = json_dumps(value, JSON_COMPACT);
    json_decref(value);
    char *copy = g_strdup(text);
    free(text);
    return respond_text(c, status, "application/json; charset=utf-8", copy, strlen(copy));
  }
  g_autofree char *escaped = g_markup_escape_text(valid, -1);
  char *html = g_strdup_printf("<!doctype html><meta charset=\"utf-8\">"
                               "<meta name=\"viewport\" content=\"width=device-width\">"
                               "<title>packtrace</title><p>%s</p>\n",
                               escaped);
  return respond_text(c, status, "text/html; charset=utf-8", html, strlen(html));
}

static enum MHD_Result
respond_gerror(struct MHD_Connection *c, const GError *error)
{
  unsigned status = pt_error_http_status(error);
  if (status >= 500)
    g_warning("http: %s", error->message);
  return respond_error(c, status, error->message);
}

static enum MHD_Result
respond_asset(struct MHD_Connection *c, const Asset *a)
{
  const char *match =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
  gboolean gz = a->gz && pt_gzip_accepted(MHD_lookup_connection_value(
                             c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
  const char *etag = gz ? a->gz_etag : a->etag;
  gboolean fresh = match && strcmp(match, etag) == 0;
  gsize len = 0;
  const void *data = g_bytes_get_data(gz ? a->gz : a->bytes, &len);
  /* The resource's data is static and held for the process's life. */
  struct MHD_Response *r =
      fresh ? MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
  common_headers(r, a->type, STATIC_MAX_AGE);
  if (g_str_has_prefix(a->type, "text/html"))
    MHD_add_response_header(r, "Content-Security-Policy", PAGE_CSP);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  if (a->gz) {
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (gz)
      MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  }
  return queue(c, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
}

/* One request to the resolver: the Digital Link it names (pt-gs1-resolver.h). */
typedef struct {
  PtStation *station;
  PtStore *store;
  PtScanTally *scans;
  PtHttpMetrics *metrics;
  PtDocCache *docs;
  struct MHD_Connection *c;
  PtDlRequest dl;
} Resolve;

/* Each HTTP worker thread's consumer pages (facts, JSON answers, rendered HTML): no lock on
 * the hot path. */
static GPrivate thread_cache = G_PRIVATE_INIT((GDestroyNotify)pt_web_cache_free);

static PtWebCache *
worker_cache(void)
{
  PtWebCache *cache = g_private_get(&thread_cache);
  if (!cache) {
    cache = pt_web_cache_new(PT_WEB_CACHE_ENTRIES, PT_WEB_CACHE_BYTES);
    g_private_set(&thread_cache, cache);
  }
  return cache;
}

/* The page and the signed bundle are made per view, most of the first view's bytes: sent
 * gzipped to a client that takes it (pt-gzip.h). */
static gboolean
gzipped(struct MHD_Connection *c)
{
  return pt_gzip_accepted(
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
}

/* Returns: (transfer full): a response sending @text (transfer none) gzipped, with its
 * Content-Encoding. */
static struct MHD_Response *
gzip_response(const char *text, gsize len)
{
  g_autoptr(GBytes) plain = g_bytes_new_static(text, len);
  g_autoptr(GBytes) gz = pt_gzip_level(plain, 1);
  gsize n = 0;
  const void *data = g_bytes_get_data(gz, &n);
  struct MHD_Response *r = MHD_create_response_from_buffer(n, (void *)data, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  return r;
}

/* The reader's language: ?lang= (the page's switch), the cookie it set, Accept-Language. */
static PtLang
reader_lang(struct MHD_Connection *c)
{
  return pt_consumer_lang(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang"),
                          MHD_lookup_connection_value(c, MHD_COOKIE_KIND, PT_CONSUMER_LANG_COOKIE),
                          MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language"));
}

/* Returns: (transfer full): the consumer page of @data (transfer none) as a response in the
 * reader's language; the switch's choice (?lang=) is kept in a cookie for a year.
 * @path: the page's path without its query; @scans, @first_ns: its views so far.  @cache
 * (nullable): the worker's cache holding @data's batch, where the page is kept and served
 * again for the same views; NULL for a page of no batch (a product, an unknown lot). */
static struct MHD_Response *
page_response(Resolve *rq, PtWebCache *cache, const json_t *data, const char *path, gint64 scans,
              gint64 first_ns)
{
  PtStation *station = rq->station;
  const PtPublicConfig *pub = station->config->public_;
  PtLang lang = reader_lang(rq->c);
  /* The page of these facts in this language, as rendered for the view before when no new
   * view has been counted since (a reader's reloads, a scan peak within the tally's second);
   * the cache is the worker's own, so no lock. */
  gsize len = 0;
  const char *kept =
      cache ? pt_web_cache_html(cache, rq->dl.link.lot, lang, scans, first_ns, &len) : NULL;
  struct MHD_Response *r;
  if (kept && gzipped(rq->c)) {
    r = gzip_response(kept, len);
  } else if (kept) {
    r = MHD_create_response_from_buffer(len, (void *)kept, MHD_RESPMEM_MUST_COPY);
  } else {
    g_autofree char *origin = g_strdup_printf("https://%s", station->config->public_host);
    PtConsumerPage page = {.lang = lang,
                           .strings = i18n,
                           .data = data,
                           .pub = pub,
                           .station_name = station->config->name,
                           .origin = origin,
                           .path = path,
                           .logo_url = pub && pub->logo ? "/static/coop-logo" : NULL,
                           .scans = scans,
                           .first_scan_ns = first_ns,
                           .css = page_css,
                           .has_location = station->config->has_location,
                           .latitude = station->config->latitude,
                           .longitude = station->config->longitude};
    char *html = pt_consumer_page_render(&page, &len);
    r = gzipped(rq->c) ? gzip_response(html, len)
                       : MHD_create_response_from_buffer(len, html, MHD_RESPMEM_MUST_COPY);
    if (cache)
      pt_web_cache_set_html(cache, rq->dl.link.lot, lang, scans, first_ns, html, len);
    else
      g_free(html);
  }
  common_headers(r, "text/html; charset=utf-8", "no-store");
  MHD_add_response_header(r, "Content-Security-Policy", page_csp);
  cors_headers(r);
  MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Language, Cookie, Accept-Encoding");
  const char *chosen = MHD_lookup_connection_value(rq->c, MHD_GET_ARGUMENT_KIND, "lang");
  if (chosen && (strcmp(chosen, "zh") == 0 || strcmp(chosen, "en") == 0)) {
    g_autofree char *cookie = g_strdup_printf(
        PT_CONSUMER_LANG_COOKIE "=%s; Path=/; Max-Age=31536000; SameSite=Lax", chosen);
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
  }
  return r;
}

/* The Digital Link this request names, as the printed QR spells it: the station's host and
 * the request target as the client sent it.  libmicrohttpd's decoded path would turn the
 * lot "A/B" (A%2FB) into two segments; the shared reader splits on the raw '/'. */
static gboolean
parse_link(Resolve *rq, const char *raw_url, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (raw_url &&
      pt_gs1_resolver_request(rq->station->config->public_host, raw_url, &rq->dl, &local))
    return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "not a valid GS1 Digital Link%s%s",
              local ? ": " : "", local ? local->message : "");
  return FALSE;
}

/* The linkType of a batch's Digital Link that answers an evidence clip (&n=N: its N-th
 * event's), for an event the public view shows. */
#define PT_WEB_CLIP_LINK_TYPE "pt:clip"

/* Returns: (transfer full): the public facts of @batch, as its signed events state them
 * (pt-batch-signed.h): identity from the commissioning event, status from the last status
 * change, the grade from the last grading decision.  Where the batches row says otherwise,
 * "facts_verified" is false and "fact_warnings" names the fields, so the page warns instead
 * of showing the verified mark; the row's values are never shown. */
static json_t *
public_batch(PtStation *station, PtStore *store, const PtBatch *batch, GError **error)
{
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, error))
    return NULL;
  g_autofree char *link_lot = g_uri_escape_string(batch->lot, NULL, FALSE);
  g_autofree char *link = g_strdup_printf("/01/%s/10/%s", batch->gtin, link_lot);
  /* Two walks: one chooses the records the page lists, the other reads those alone, so a
   * batch of any length costs the page a bounded number of entries. */
  g_autoptr(PtPageView) view = pt_web_view_select(store, batch->id, error);
  if (!view)
    return NULL;
  g_autoptr(GArray) shown = pt_page_view_numbers(view);
  g_autofree char *clip_link = g_strdup_printf("%s?linkType=" PT_WEB_CLIP_LINK_TYPE, link);
  PtPageEntries pe = {.clip_link = clip_link, .events = json_array(), .shown = shown};
  if (!pt_store_events_foreach(store, batch->id, pt_page_entries_take, &pe, error)) {
    json_decref(pe.events);
    return NULL;
  }
  json_t *warnings = json_array();
  for (guint i = 0; i < st.mismatches->len; i++) {
    const PtFactMismatch *m = g_ptr_array_index(st.mismatches, i);
    json_array_append_new(warnings, json_string(m->field));
  }
  const PtBatch *f = st.facts;
  g_autofree char *key = pt_hex_encode(station->keys->anchor_key, PT_PUB_LEN);
  /* By GTIN and lot, as the label names it: a sequential id is not for the public. */
  g_autofree char *lot = g_uri_escape_string(batch->lot, NULL, FALSE);
  g_autofree char *whole =
      g_strdup_printf("/01/%s/10/%s?linkType=" PT_WEB_BUNDLE_LINK_TYPE, batch->gtin, lot);
  /* A page that lists fewer than all records checks the view of exactly those. */
  gsize count = pt_page_view_count(view);
  gboolean partial = shown->len < count;
  g_autofree char *bundle =
      partial ? g_strconcat(whole, "&" PT_WEB_VIEW_QUERY, NULL) : g_strdup(whole);
  json_t *out = json_pack(
      "{ss ss ss ss so so so so ss ss so so ss ss ss}", "kind", "batch", "gtin", f->gtin, "lot",
      f->lot, "product", f->product ? f->product : "", "variety",
      pt_json_string_or_null(f->variety), "origin", pt_json_string_or_null(f->origin), "grower",
      pt_json_string_or_null(f->grower), "harvest_date", pt_json_string_or_null(f->harvest_date),
      "pack_date", f->pack_date ? f->pack_date : "", "status", f->status, "grading",
      st.grading ? json_incref(st.grading) : json_null(), "events", pe.events, "station",
      station->config->name, "public_key", key, "bundle", bundle);
  json_object_set_new(out, "facts_verified", json_boolean(st.mismatches->len == 0));
  json_object_set_new(out, "fact_warnings", warnings);
  json_object_set_new(out, "records", json_integer((json_int_t)count));
  if (partial)
    json_object_set_new(out, "bundle_all", json_string(whole));
  pt_page_view_set_evidence(view, out);
  /* What a held or recalled lot's banner says: the signed status change's reason and time. */
  if (st.status_known && strcmp(f->status, "active") != 0) {
    pt_json_set_string_or_null(out, "status_reason", f->status_reason);
    pt_json_set_string_or_null(out, "status_since", st.status_time);
  }
  return out;
}

/* Adds the resolver's headers of @rq to @r (transfer none) and sends it. */
static enum MHD_Result
queue_resolved(Resolve *rq, unsigned status, struct MHD_Response *r)
{
  MHD_add_response_header(r, MHD_HTTP_HEADER_LINK, rq->dl.link_header);
  return queue(rq->c, status, r);
}

/* A redirect to @location (taken), Cache-Control no-store; with the item's Link header when
 * @linked (an unknown lot has no linkset to name). */
static enum MHD_Result
respond_redirect(Resolve *rq, unsigned status, char *location, gboolean linked)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  common_headers(r, "text/plain; charset=utf-8", "no-store");
  cors_headers(r);
  MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
  g_free(location);
  return linked ? queue_resolved(rq, status, r) : queue(rq->c, status, r);
}

/* A link whose href is the page: a redirect to it, with the request's other query pairs. */
static enum MHD_Result
respond_to_page(Resolve *rq)
{
  g_autofree char *query = pt_gs1_resolver_passed_query(rq->dl.target);
  return respond_redirect(rq, MHD_HTTP_TEMPORARY_REDIRECT, g_strconcat(rq->dl.anchor, query, NULL),
                          TRUE);
}

/* ?linkType=linkset: the item's links (RFC 9264), named @description (nullable). */
static enum MHD_Result
respond_linkset(Resolve *rq, PtDlItem item, const char *description)
{
  const char *ns = PT_EPCIS_NAMESPACE;
  json_t *set = pt_gs1_resolver_linkset(item, rq->dl.anchor, description, ns);
  char *text = json_text(set);
  struct MHD_Response *r = text_response(PT_GS1_LINKSET_TYPE, text, strlen(text));
  g_autofree char *context = pt_gs1_resolver_link_header(rq->dl.anchor, rq->dl.same_as, TRUE);
  MHD_add_response_header(r, MHD_HTTP_HEADER_LINK, context);
  return queue(rq->c, MHD_HTTP_OK, r);
}

/* A linkType the item does not offer: 404, naming where its links are. */
static enum MHD_Result
respond_no_link(Resolve *rq, const char *link_type)
{
  g_autofree char *msg = g_strdup_printf("no link of type %s for this item; its links: "
                                         "?linkType=linkset",
                                         link_type);
  g_autofree char *valid = g_utf8_make_valid(msg, -1);
  struct MHD_Response *r;
  if (wants_json(rq->c)) {
    json_t *value = json_pack("{ss}", "error", valid);
    char *text = json_text(value);
    r = text_response("application/json; charset=utf-8", text, strlen(text));
  } else {
    g_autofree char *escaped = g_markup_escape_text(valid, -1);
    char *html = g_strdup_printf("<!doctype html><meta charset=\"utf-8\">"
                                 "<title>packtrace</title><p>%s</p>\n",
                                 escaped);
    r = text_response("text/html; charset=utf-8", html, strlen(html));
  }
  return queue_resolved(rq, MHD_HTTP_NOT_FOUND, r);
}

/* The product's page, its links, or a 404 when this station never packed the GTIN. */
static enum MHD_Result
respond_product(Resolve *rq)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 0;
  g_autofree char *product = NULL;
  if (!pt_store_gtin_summary(rq->store, rq->dl.link.gtin, &n, &product, &error))
    return respond_gerror(rq->c, error);
  if (n == 0)
    return respond_error(rq->c, MHD_HTTP_NOT_FOUND, "this station packs no product with that GTIN");
  const PtDlLink *link = NULL;
  g_autofree char *link_type = pt_gs1_resolver_query_value(rq->dl.target, "linkType");
  const char *accept = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  switch (pt_gs1_resolver_pick(PT_DL_ITEM_PRODUCT, link_type, accept, &link)) {
  case PT_DL_PICK_UNKNOWN:
    return respond_no_link(rq, link_type);
  case PT_DL_PICK_LINKSET:
    return respond_linkset(rq, PT_DL_ITEM_PRODUCT, product);
  case PT_DL_PICK_LINK:
    return respond_to_page(rq);
  case PT_DL_PICK_DEFAULT:
    break;
  }
  g_autoptr(json_t) data = json_pack("{ss ss ss sI}", "kind", "product", "gtin", rq->dl.link.gtin,
                                     "product", product, "batches", (json_int_t)n);
  if (wants_json(rq->c)) {
    char *json = json_text(json_incref(data));
    return queue_resolved(rq, MHD_HTTP_OK,
                          text_response("application/json; charset=utf-8", json, strlen(json)));
  }
  g_autofree char *path = g_strdup_printf("/01/%s", rq->dl.link.gtin);
  return queue_resolved(rq, MHD_HTTP_OK, page_response(rq, NULL, data, path, 0, 0));
}

static gboolean
wants_html(struct MHD_Connection *c)
{
  const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  return accept && strstr(accept, "text/html");
}

/* 404 with the page that warns of a lot never packed here (a GTIN packed here: @product). */
static enum MHD_Result
respond_unknown_lot(Resolve *rq, const char *product)
{
  pt_http_metrics_unknown_lot(rq->metrics);
  g_autoptr(json_t) data =
      json_pack("{ss ss ss ss}", "kind", "unknown_lot", "gtin", rq->dl.link.gtin, "lot",
                rq->dl.link.lot, "product", product ? product : "");
  g_autofree char *lot = pt_gs1_dl_encode_value(rq->dl.link.lot);
  g_autofree char *path = g_strdup_printf("/01/%s/10/%s", rq->dl.link.gtin, lot);
  return queue(rq->c, MHD_HTTP_NOT_FOUND, page_response(rq, NULL, data, path, 0, 0));
}

/* Inside the read transaction: the key again (this snapshot's), then the page's facts at it
 * (@data, transfer full) and their JSON answer (@json, transfer full). */
static gboolean
read_in_snapshot(PtStation *station, PtStore *store, const PtDigitalLink *link, PtPublicRev *key,
                 const char *link_header, json_t **data_out, struct MHD_Response **json,
                 gsize *bytes, GError **error)
{
  if (!pt_store_public_rev(store, link->lot, key, error))
    return FALSE;
  if (strcmp(key->gtin, link->gtin) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "lot %s is not a batch of GTIN %s", link->lot,
                link->gtin);
    return FALSE;
  }
  g_autoptr(PtBatch) batch = pt_store_batch_get(store, key->batch_id, error);
  if (!batch)
    return FALSE;
  json_t *data = public_batch(station, store, batch, error);
  if (!data)
    return FALSE;
  char *text = json_dumps(data, JSON_COMPACT | JSON_REAL_PRECISION(15));
  gsize json_len = strlen(text);
  *json = text_response("application/json; charset=utf-8", g_strdup(text), json_len);
  free(text);
  /* The same for every request of the lot, so it can be kept with the cached facts. */
  MHD_add_response_header(*json, MHD_HTTP_HEADER_LINK, link_header);
  *data_out = data;
  /* The facts held in memory are about the size of their text again. */
  *bytes = 2 * json_len;
  return TRUE;
}

/* Reads @link's batch page's facts (@data, transfer full) and JSON answer (@json, transfer
 * full) from one snapshot of the store, with the Link header @link_header; @key gets the
 * revision they show. */
static gboolean
read_batch(PtStation *station, PtStore *store, const PtDigitalLink *link, PtPublicRev *key,
           const char *link_header, json_t **data, struct MHD_Response **json, gsize *bytes,
           GError **error)
{
  gboolean ok = pt_store_read_begin(store, error) &&
                read_in_snapshot(station, store, link, key, link_header, data, json, bytes, error);
  pt_store_read_end(store);
  return ok;
}

/* A batch's page comes from the worker's cache when the store's revision of the batch's
 * public facts is the one it was rendered at: one indexed SELECT per view.  The revision is
 * raised in the same transaction as every write the page shows (pt-store-private.h), and is
 * read before (or in the same snapshot as) the facts, so a cached page is never older than
 * the store. */

typedef struct {
  gint64 want, seen;
  gboolean found, shown;
} NthEvent;

static gboolean
nth_event(const PtEventRow *row, gpointer user_data, GError **error)
{
  NthEvent *nth = user_data;
  if (++nth->seen != nth->want)
    return TRUE;
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return FALSE;
  nth->found = TRUE;
  nth->shown = pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL);
  json_decref(event);
  return TRUE;
}

/* ?linkType=pt:clip&n=N: the evidence clip of the batch's N-th event, when the public view
 * shows that event; any other answers as a clip that does not exist, so nothing tells a
 * private step's clip apart from none. */
static enum MHD_Result
respond_public_clip(PtStore *store, struct MHD_Connection *c, gint64 batch_id)
{
  const char *n_text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "n");
  guint64 n = 0;
  if (!n_text || !g_ascii_string_to_unsigned(n_text, 10, 1, G_MAXINT64, &n, NULL))
    return respond_error(c, MHD_HTTP_BAD_REQUEST, "n must be an event number: 1, 2, 3, ...");
  g_autoptr(GError) error = NULL;
  NthEvent nth = {.want = (gint64)n};
  if (!pt_store_events_foreach(store, batch_id, nth_event, &nth, &error))
    return respond_gerror(c, error);
  if (!nth.found || !nth.shown)
    return respond_error(c, MHD_HTTP_NOT_FOUND, "no such clip");
  return pt_http_batch_respond_clip(c, store, batch_id, (gint64)n);
}

/* ?linkType=gs1:recallStatus: the batch's status as its last signed status change states it
 * (pt-batch-signed.h), never the batches row. */
static enum MHD_Result
respond_recall(Resolve *rq, gint64 batch_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_store_batch_get(rq->store, batch_id, &error);
  g_auto(PtBatchSigned) st = {0};
  if (!batch || !pt_batch_signed_read(rq->store, rq->station->keys->anchor_key, batch, &st, &error))
    return respond_gerror(rq->c, error);
  g_autofree char *station_id = pt_keys_station_id(rq->station->keys->anchor_key);
  PtDlRecall recall = {.gtin = rq->dl.link.gtin,
                       .lot = rq->dl.link.lot,
                       .verified = st.status_known,
                       .status = st.facts->status,
                       .reason = st.facts->status_reason,
                       .since = st.status_time,
                       .hash_id = st.status_hash_id,
                       .station = station_id};
  char *text = json_text(pt_gs1_resolver_recall_json(&recall));
  return queue_resolved(rq, MHD_HTTP_OK,
                        text_response("application/json; charset=utf-8", text, strlen(text)));
}

/* gs1:epcis and pt:traceBundle: the public view (pt-bundle.h), no private member in clear,
 * every record byte for byte, or with &view=page the consumer page's view of the bundle (the
 * records it lists, pt-web-view.h); written once per batch revision and sent from its file
 * (pt-doc-cache.h), gzipped to a client that takes it, so a request holds no copy. */
static enum MHD_Result
respond_document(Resolve *rq, const PtPublicRev *key, gboolean epcis)
{
  g_autoptr(GError) error = NULL;
  gboolean gz = gzipped(rq->c);
  guint64 size = 0;
  const char *view = MHD_lookup_connection_value(rq->c, MHD_GET_ARGUMENT_KIND, "view");
  if (view && (epcis || strcmp(view, "page") != 0))
    return respond_error(rq->c, MHD_HTTP_BAD_REQUEST,
                         "view names a view of the signed bundle: view=page");
  PtDocKind kind = epcis ? PT_DOC_EPCIS : view ? PT_DOC_VIEW : PT_DOC_BUNDLE;
  int fd = pt_doc_cache_open(rq->docs, rq->station, rq->store, key, kind, gz, &size, &error);
  if (fd < 0)
    return respond_gerror(rq->c, error);
  const char *type = epcis ? "application/ld+json" : "application/json; charset=utf-8";
  struct MHD_Response *r = MHD_create_response_from_fd64(size, fd);
  if (!r) {
    close(fd);
    return respond_error(rq->c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot send the document");
  }
  if (gz)
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  common_headers(r, type, "no-store");
  cors_headers(r);
  MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
  return queue_resolved(rq, MHD_HTTP_OK, r);
}

/* The batch's page (the default link): its facts from the worker's cache when they are
 * current, the HTML rendered for this view (the reader's language, the scan count).  A
 * compressed request's answer names its uncompressed link, so it is read for it alone. */
static enum MHD_Result
respond_batch_page(Resolve *rq, PtPublicRev *key)
{
  g_autoptr(GError) error = NULL;
  PtWebCache *cache = rq->dl.compressed ? NULL : worker_cache();
  json_t *data = NULL;
  struct MHD_Response *json = NULL;
  gsize bytes = 0;
  gboolean cached =
      cache && pt_web_cache_get(cache, rq->dl.link.lot, key->batch_id, key->rev, &data, &json);
  if (!cached && !read_batch(rq->station, rq->store, &rq->dl.link, key, rq->dl.link_header, &data,
                             &json, &bytes, &error))
    return respond_gerror(rq->c, error);
  /* A view of the page is a scan of the label, counted in memory and written within a
   * second (pt-scan-tally.h); the page counts the views written so far and this one. */
  pt_scan_tally_add(rq->scans, key->batch_id, pt_now_ns());
  enum MHD_Result ret;
  if (wants_json(rq->c)) {
    /* Queued first: the queue holds its own reference, whatever the cache keeps. */
    ret = MHD_queue_response(rq->c, MHD_HTTP_OK, json);
  } else {
    gint64 scans = 0, first_ns = 0;
    if (!pt_store_scan_summary(rq->store, key->batch_id, &scans, &first_ns, &error)) {
      g_warning("http: %s", error->message);
      scans = 0;
    }
    g_autofree char *lot = pt_gs1_dl_encode_value(rq->dl.link.lot);
    g_autofree char *path = g_strdup_printf("/01/%s/10/%s", rq->dl.link.gtin, lot);
    struct MHD_Response *html =
        page_response(rq, cache, data, path, scans + 1, first_ns ? first_ns : pt_now_ns());
    MHD_add_response_header(html, MHD_HTTP_HEADER_LINK, rq->dl.link_header);
    ret = queue(rq->c, MHD_HTTP_OK, html);
  }
  if (cache && !cached) {
    pt_web_cache_put(cache, rq->dl.link.lot, key->batch_id, key->rev, data, json, bytes);
  } else if (!cache) {
    json_decref(data);
    MHD_destroy_response(json);
  }
  return ret;
}

static enum MHD_Result
resolve(Resolve *rq)
{
  g_autoptr(GError) error = NULL;
  if (!rq->dl.link.lot[0])
    return respond_product(rq);
  PtPublicRev key;
  if (!pt_store_public_rev(rq->store, rq->dl.link.lot, &key, &error) &&
      !g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND))
    return respond_gerror(rq->c, error);
  if (error || strcmp(key.gtin, rq->dl.link.gtin) != 0) {
    /* A lot of this station resolves whatever it holds; an unknown one shaped like a path
     * ("..%2F..%2Fstation.ini") is a probe, not a mistyped lot: no walk-up for it. */
    if (!pt_gs1_dl_check_dot_segments("lot", rq->dl.link.lot, NULL))
      return respond_error(rq->c, MHD_HTTP_NOT_FOUND, "no such batch");
    /* As GS1's resolver does: an unknown lot falls back to the product, and the query is
     * passed on (GS1 Resolver 1.0: "SHALL pass on all key=value pairs"); a GTIN never packed
     * here has no product to fall back to. */
    gint64 n = 0;
    g_autofree char *product = NULL;
    if (!pt_store_gtin_summary(rq->store, rq->dl.link.gtin, &n, &product, &error))
      return respond_gerror(rq->c, error);
    if (n == 0)
      return respond_error(rq->c, MHD_HTTP_NOT_FOUND,
                           "this station packs no product with that GTIN");
    /* A person (a browser asking for HTML) is told the label may be fake, never sent on to
     * the product's page as if all were well; it is counted as a counterfeit signal. */
    if (wants_html(rq->c))
      return respond_unknown_lot(rq, product);
    const char *query = strchr(rq->dl.target, '?');
    return respond_redirect(rq, MHD_HTTP_SEE_OTHER,
                            g_strdup_printf("/01/%s%s", rq->dl.link.gtin, query ? query : ""),
                            FALSE);
  }
  const PtDlLink *link = NULL;
  g_autofree char *link_type = pt_gs1_resolver_query_value(rq->dl.target, "linkType");
  const char *accept = MHD_lookup_connection_value(rq->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  switch (pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, link_type, accept, &link)) {
  case PT_DL_PICK_UNKNOWN:
    return respond_no_link(rq, link_type);
  case PT_DL_PICK_LINKSET: {
    g_autoptr(PtBatch) batch = pt_store_batch_get(rq->store, key.batch_id, &error);
    g_auto(PtBatchSigned) st = {0};
    if (!batch ||
        !pt_batch_signed_read(rq->store, rq->station->keys->anchor_key, batch, &st, &error))
      return respond_gerror(rq->c, error);
    return respond_linkset(rq, PT_DL_ITEM_BATCH, st.commissioned ? st.facts->product : NULL);
  }
  case PT_DL_PICK_DEFAULT:
    return respond_batch_page(rq, &key);
  case PT_DL_PICK_LINK:
    break;
  }
  switch (link->answer) {
  case PT_DL_ANSWER_PAGE:
    return respond_to_page(rq);
  case PT_DL_ANSWER_CLIP:
    return respond_public_clip(rq->store, rq->c, key.batch_id);
  case PT_DL_ANSWER_RECALL:
    return respond_recall(rq, key.batch_id);
  case PT_DL_ANSWER_EPCIS:
  case PT_DL_ANSWER_BUNDLE:
    break;
  }
  return respond_document(rq, &key, link->answer == PT_DL_ANSWER_EPCIS);
}

/* OPTIONS on a resolver URL: the CORS preflight (GS1: a resolver SHALL support OPTIONS). */
static enum MHD_Result
respond_preflight(struct MHD_Connection *c)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
  MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, PT_GS1_RESOLVER_METHODS);
  MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
  MHD_add_response_header(r, "Access-Control-Allow-Methods", PT_GS1_RESOLVER_METHODS);
  MHD_add_response_header(r, "Access-Control-Allow-Headers", PT_GS1_RESOLVER_CORS_HEADERS);
  MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
  return queue(c, MHD_HTTP_NO_CONTENT, r);
}

/* /.well-known/gs1resolver: what this resolver is and serves. */
static enum MHD_Result
respond_description(const PtHttpCall *call)
{
  if (strcmp(call->method, "OPTIONS") == 0)
    return respond_preflight(call->c);
  const PtConfig *config = call->http->station->config;
  g_autofree char *origin = g_strdup_printf("https://%s", config->public_host);
  const char *ns = PT_EPCIS_NAMESPACE;
  char *text = json_text(pt_gs1_resolver_description(origin, config->name, ns));
  return respond_text(call->c, MHD_HTTP_OK, "application/json", text, strlen(text));
}

/* A Digital Link, uncompressed (/01/...) or compressed (one segment of base64). */
static enum MHD_Result
respond_link(const PtHttpCall *call)
{
  if (strcmp(call->method, "OPTIONS") == 0)
    return respond_preflight(call->c);
  assets_init();
  g_autoptr(GError) error = NULL;
  Resolve rq = {.station = call->http->station,
                .scans = call->http->scans,
                .metrics = call->http->metrics,
                .docs = call->http->docs,
                .c = call->c};
  enum MHD_Result ret;
  if (!parse_link(&rq, call->req->raw_url, &error))
    ret = respond_gerror(call->c, error);
  else if (!(rq.store = pt_http_worker_store(call->http, &error)))
    ret = respond_gerror(call->c, error);
  else
    ret = resolve(&rq);
  pt_gs1_resolver_request_clear(&rq.dl);
  return ret;
}

/* A page or an asset: only the names in the table, no file system behind this, so no path to
 * traverse. */
static enum MHD_Result
respond_web(const PtHttpCall *call)
{
  assets_init();
  const PtPublicConfig *pub = call->http->station->config->public_;
  if (strcmp(call->url, "/static/coop-logo") == 0 && pub && pub->logo) {
    gsize len = 0;
    const void *bytes = g_bytes_get_data(pub->logo, &len);
    /* The config (and its logo) lives as long as the server. */
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)bytes, MHD_RESPMEM_PERSISTENT);
    common_headers(r, pub->logo_type, STATIC_MAX_AGE);
    /* An SVG logo is an image, never a document that runs scripts. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'");
    return queue(call->c, MHD_HTTP_OK, r);
  }
  for (gsize i = 0; i < G_N_ELEMENTS(assets); i++)
    if (assets[i].url && strcmp(assets[i].url, call->url) == 0)
      return respond_asset(call->c, &assets[i]);
  return respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such resource");
}

/* GET /evidence/{sha256}: the file a record the public sees names (a product photo, a
 * certificate, a grading still); anything else answers alike, as none. */
static enum MHD_Result
respond_evidence(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(call->http, &error);
  int fd = -1;
  guint64 size = 0;
  g_autofree char *type = NULL;
  const char *sha = call->url + strlen(PT_PAGE_EVIDENCE_URL);
  if (!store ||
      !pt_attachment_open_public(call->http->station, store, sha, &fd, &size, &type, &error))
    return respond_gerror(call->c, error);
  return pt_http_respond_evidence(call->c, fd, size, type, sha);
}

/* The compressed form of a Digital Link is one path segment of base64 at the root; any other
 * root path is not the resolver's. */
static gboolean
is_compressed_link(const char *url)
{
  gsize n = strlen(url + 1);
  if (n && url[n] == '/')
    n--;
  return url[0] == '/' && !memchr(url + 1, '/', n) && pt_gs1_dl_is_compressed(url + 1, n);
}

#define RESOLVER (PT_HTTP_GET | PT_HTTP_OPTIONS)
static const PtHttpRoute web_routes[] = {
    {"/static/*", PT_HTTP_GET, PT_HTTP_PUBLIC, respond_web},
    {"/01/*", RESOLVER, PT_HTTP_PUBLIC, respond_link},
    {PT_PAGE_EVIDENCE_URL "*", PT_HTTP_GET, PT_HTTP_PUBLIC, respond_evidence},
    {PT_GS1_RESOLVER_WELL_KNOWN, RESOLVER, PT_HTTP_PUBLIC, respond_description},
    {"/station", PT_HTTP_GET, PT_HTTP_PUBLIC, respond_web},
    {"/buyer", PT_HTTP_GET, PT_HTTP_PUBLIC, respond_web},
    {"/driver", PT_HTTP_GET, PT_HTTP_PUBLIC, respond_web},
    {"/driver-sw.js", PT_HTTP_GET, PT_HTTP_PUBLIC, respond_web},
    {"/favicon.ico", PT_HTTP_GET, PT_HTTP_PUBLIC, respond_web},
    {"/*", RESOLVER, PT_HTTP_PUBLIC, respond_link, .accepts = is_compressed_link},
};

const PtHttpRouteTable pt_web_routes = {web_routes, G_N_ELEMENTS(web_routes)};

/* pt-hub-web.c: the hub's resolver, consumer pages, public documents, evidence and status
 * (see pt-hub-web.h).
 *
 * The page is the station's: the same compiled-in consumer shell with the batch's public facts
 * embedded as JSON, the same consumer.js checking the signed bundle in the browser.  The facts
 * come from the stored signed records only (the hub keeps no other copy of a batch): identity
 * from the commissioning event, status from the last status change (a holding event), the
 * grade from the last grading decision, as pt-batch-signed.h derives them on the station.
 * Every record was verified against the station's registered key at ingest.  Who packed it
 * (the co-op's name and logo, the shed's town, hotline and map) comes from the station's
 * public profile (pt-hub-profile.h), as the station's page takes it from station.ini.
 *
 * A client that takes gzip gets the page, its JSON and the documents gzipped (the cache keeps
 * them compressed, so a hit costs no compression), under an ETag of their own.
 *
 * Two stations holding one (GTIN, lot) (two sheds packing for one co-op lot, or a lot number
 * reused): the link alone answers 300 Multiple Choices listing each station's page
 * (&station=ID); each of those is that station's batch with its own records, key and ETag.
 * Nothing merges two stations' records, whose chains and keys are separate.
 *
 * Workload: scan peaks of one lot (a festival, a recall in the news).  A revalidation costs one
 * indexed read (pt_hub_store_lot_heads()); a render reads the batch's records (tens) once. */
#include "pt-hub-web.h"
#include "pt-hub-cache.h"
#include "pt-hub-profile.h"
#include "pt-hub-respond.h"
#include "pt-hub-store-profile.h"
#include "pt-hub-store-web.h"

#include "pt-bundle.h"
#include "pt-config.h"
#include "pt-consumer-page.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-gs1-dl-compress.h"
#include "pt-gs1-dl.h"
#include "pt-gs1-resolver.h"
#include "pt-gzip.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-page-evidence.h"
#include "pt-page-view.h"
#include "pt-profile-wire.h"
#include "pt-range.h"
#include "pt-time.h"
#include "pt-web-resources.h"

#include <gio/gio.h>
#include <string.h>

#define BUNDLE_LINK     "pt:traceBundle"
#define VIEW_QUERY      "view=page" /* with BUNDLE_LINK: the page's view (pt-page-view.h) */
#define CLIP_LINK       "pt:clip"
#define STATIC_MAX_AGE  "public, max-age=3600"
#define EVIDENCE_PREFIX "/evidence/"
struct _PtHubWeb {
  PtKeys *keys;      /* the hub's: signs the heads of served bundles */
  char *hub_key_hex; /* its public half, named on every page */
  PtConfig doc;      /* what the documents' header needs: public_host only */
  char *status_token;
  PtHubCache *cache; /* nullable, not owned: answers kept by (gtin, lot, station, rep) */
  /* owned, atomic: pages of lots never packed, of GTINs packed (since start); counted by
   * handlers, which hold the web const */
  gint *unknown_lots;
};

PtHubWeb *
pt_hub_web_new(const char *key_dir, const char *public_host, const char *status_token,
               GError **error)
{
  PtKeys *keys = NULL;
  if (!key_dir) {
    g_message("hub: no key_dir: the bundles' heads are signed by a key of this process only");
    keys = pt_keys_new_ephemeral();
  } else {
    g_autofree char *keys_dir = g_build_filename(key_dir, "keys", NULL);
    if (g_file_test(keys_dir, G_FILE_TEST_IS_DIR))
      keys = pt_keys_load(key_dir, error);
    else if (g_mkdir_with_parents(key_dir, 0700) == 0)
      keys = pt_keys_create(key_dir, error);
    else
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create the hub key folder %s", key_dir);
  }
  if (!keys)
    return NULL;
  PtHubWeb *web = g_new0(PtHubWeb, 1);
  web->keys = keys;
  web->hub_key_hex = pt_hex_encode(keys->public_key, PT_PUB_LEN);
  web->doc.public_host = g_strdup(public_host && *public_host ? public_host : "localhost");
  web->doc.tz = g_time_zone_new_utc();
  web->status_token = status_token && *status_token ? g_strdup(status_token) : NULL;
  web->unknown_lots = g_new0(gint, 1);
  return web;
}

void
pt_hub_web_free(PtHubWeb *web)
{
  if (!web)
    return;
  pt_keys_free(web->keys);
  g_free(web->hub_key_hex);
  g_free(web->doc.public_host);
  g_time_zone_unref(web->doc.tz);
  g_free(web->status_token);
  g_free(web->unknown_lots);
  g_free(web);
}

void
pt_hub_web_set_cache(PtHubWeb *web, PtHubCache *cache)
{
  web->cache = cache;
}

guint
pt_hub_web_unknown_lots(const PtHubWeb *web)
{
  return (guint)g_atomic_int_get(web->unknown_lots);
}

const char *
pt_hub_web_status_token(const PtHubWeb *web)
{
  return web->status_token;
}

const PtKeys *
pt_hub_web_keys(const PtHubWeb *web)
{
  return web->keys;
}

/* Assets ---------------------------------------------------------------------------------- */

typedef struct {
  const char *url;
  const char *resource;
  const char *type;
  GBytes *bytes; /* static data of the resource, kept for the process's life */
  GBytes *gz;    /* nullable: the same gzipped, for text; kept as long */
  char *gz_etag; /* its ETag (a strong tag names one encoding) */
  char *etag;
} Asset;

#define JS "text/javascript; charset=utf-8"
static Asset assets[] = {
    {"/static/ui-kit.js", "/packtrace/web/ui-kit.js", JS},
    {"/static/consumer.js", "/packtrace/web/consumer.js", JS},
    {"/static/i18n.json", "/packtrace/web/i18n.json", "application/json; charset=utf-8"},
    {"/static/consumer.css", "/packtrace/web/consumer.css", "text/css; charset=utf-8"},
    {"/static/pt-verify.js", "/packtrace/web/pt-verify.js", JS},
    {"/static/favicon.svg", "/packtrace/web/favicon.svg", "image/svg+xml"},
    {"/static/favicon.png", "/packtrace/web/favicon.png", "image/png"},
    {"/favicon.ico", "/packtrace/web/favicon.png", "image/png"},
    {"/static/style.css", "/packtrace/web/style.css", "text/css; charset=utf-8"},
    {"/static/ed25519-fallback.js", "/packtrace/web/ed25519-fallback.js", JS},
    {"/static/vendor/noble-ed25519/index.js", "/packtrace/web/vendor/noble-ed25519/index.js", JS},
    {"/static/vendor/noble-hashes/sha2.js", "/packtrace/web/vendor/noble-hashes/sha2.js", JS},
    {"/static/vendor/noble-hashes/_md.js", "/packtrace/web/vendor/noble-hashes/_md.js", JS},
    {"/static/vendor/noble-hashes/_u64.js", "/packtrace/web/vendor/noble-hashes/_u64.js", JS},
    {"/static/vendor/noble-hashes/utils.js", "/packtrace/web/vendor/noble-hashes/utils.js", JS},
    {"/static/hub-status.js", "/packtrace/web/hub-status.js", JS},
    {"/hub/status", "/packtrace/web/hub-status.html", "text/html; charset=utf-8"},
    /* The buyers' loads page (pt-hub-video.c serves the page itself, with its media policy). */
    {"/static/buyer-loads.js", "/packtrace/web/buyer-loads.js", JS},
    /* The buyer portal (pt-hub-buyer.c serves the page itself, marked as the hub's). */
    {"/static/buyer.js", "/packtrace/web/buyer.js", JS},
    {"/static/buyer-charts.js", "/packtrace/web/buyer-charts.js", JS},
    {"/static/buyer-notices.js", "/packtrace/web/buyer-notices.js", JS},
    {"/static/buyer-hub.js", "/packtrace/web/buyer-hub.js", JS},
    {"/static/hub-loads.js", "/packtrace/web/hub-loads.js", JS},
    {"/static/hls.js", "/packtrace/web/hls.js", JS},
};
/* What a rendered page depends on besides its records: the words and the checking scripts. */
#define I18N_ASSET      (&assets[2])
#define CONSUMER_SCRIPT (&assets[1])
#define VERIFY_SCRIPT   (&assets[4])

/* The translation table, parsed once: pages are rendered from it (pt-consumer-page.h); their
 * style sheet, put inline, and the policy that allows that style alone. */
static json_t *i18n;
static char *page_css, *page_csp;

static gpointer
assets_load(gpointer unused)
{
  GResource *res = pt_web_get_resource();
  /* The table's order is what the macros above name. */
  g_assert(strcmp(I18N_ASSET->url, "/static/i18n.json") == 0 &&
           strcmp(CONSUMER_SCRIPT->url, "/static/consumer.js") == 0 &&
           strcmp(VERIFY_SCRIPT->url, "/static/pt-verify.js") == 0);
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
  gsize len = 0;
  const char *text = g_bytes_get_data(I18N_ASSET->bytes, &len);
  i18n = pt_json_parse(text, len, NULL);
  /* Compiled in and checked by its test: a broken table is a build error. */
  g_assert(json_is_object(i18n));
  g_autoptr(GBytes) css = g_resource_lookup_data(
      pt_web_get_resource(), "/packtrace/web/consumer.css", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
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

/* The reader's language: ?lang= (the page's switch), the cookie it set, Accept-Language. */
static PtLang
reader_lang(struct MHD_Connection *c)
{
  return pt_consumer_lang(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang"),
                          MHD_lookup_connection_value(c, MHD_COOKIE_KIND, PT_CONSUMER_LANG_COOKIE),
                          MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Language"));
}

/* A page's headers: it varies with the reader's language, and the switch's choice (?lang=) is
 * kept in a cookie for a year. */
static void
page_headers(struct MHD_Connection *c, struct MHD_Response *r)
{
  MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Language, Cookie");
  const char *chosen = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lang");
  if (chosen && (strcmp(chosen, "zh") == 0 || strcmp(chosen, "en") == 0)) {
    g_autofree char *cookie = g_strdup_printf(
        PT_CONSUMER_LANG_COOKIE "=%s; Path=/; Max-Age=31536000; SameSite=Lax", chosen);
    MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
  }
}

/* Responses ------------------------------------------------------------------------------- */

/* What every answer of the resolver carries: any page may read it (public, no credentials),
 * one URL answers HTML or JSON by Accept, and @link (nullable) names the item's linkset. */
static void
resolver_headers(struct MHD_Response *r, const char *link)
{
  MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
  MHD_add_response_header(r, "Access-Control-Expose-Headers", PT_GS1_RESOLVER_CORS_EXPOSE);
  MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept");
  if (link)
    MHD_add_response_header(r, MHD_HTTP_HEADER_LINK, link);
}

/* Sends @body (taken) as respond_bytes() does. */
static enum MHD_Result respond_bytes(struct MHD_Connection *c, const char *type, const char *etag,
                                     GBytes *body, GBytes *gz, const char *cache_state,
                                     const char *link);

static enum MHD_Result
respond_cached(struct MHD_Connection *c, const char *type, const char *etag, char *body, gsize len)
{
  g_autoptr(GBytes) bytes = body ? g_bytes_new_take(body, len) : NULL;
  return respond_bytes(c, type, etag, bytes, NULL, NULL, NULL);
}

/* Whether the client takes gzip (Accept-Encoding). */
static gboolean
takes_gzip(struct MHD_Connection *c)
{
  return pt_gzip_accepted(
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
}

/* Returns: (transfer full): the ETag of the gzipped bytes of the representation tagged @etag
 * (a strong tag names one encoding). */
static char *
gzip_etag(const char *etag)
{
  gsize n = strlen(etag);
  return g_strdup_printf("%.*s-gz\"", (int)(n > 0 ? n - 1 : 0), etag);
}

static void
bytes_release(void *bytes)
{
  g_bytes_unref(bytes);
}

/* Sends @body (transfer none, nullable), or 304 when the client holds @etag, cacheable for a
 * short while: Cache-Control public, max-age=PT_HUB_PAGE_MAX_AGE_S, must-revalidate.  @gz
 * (transfer none, nullable): @body gzipped, sent instead to a client that takes gzip, tagged
 * gzip_etag(@etag); with @body NULL (a revalidation), the tag is chosen the same way.
 * @cache_state (nullable): X-PT-Cache, whether the page cache answered ("hit") or not; @link
 * (nullable) the Link header. */
static enum MHD_Result
respond_bytes(struct MHD_Connection *c, const char *type, const char *etag, GBytes *body,
              GBytes *gz, const char *cache_state, const char *link)
{
  gboolean encodes = gz || !body;
  gboolean zipped = encodes && takes_gzip(c);
  g_autofree char *zip_tag = zipped ? gzip_etag(etag) : NULL;
  if (zipped)
    etag = zip_tag;
  GBytes *sent = zipped ? gz : body;
  gboolean fresh = !sent || pt_hub_etag_matches(c, etag);
  struct MHD_Response *r;
  if (fresh) {
    r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  } else {
    gsize len = 0;
    const void *data = g_bytes_get_data(sent, &len);
    /* The bytes stay referenced while libmicrohttpd sends them, evicted or not. */
    r = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)data, bytes_release,
                                                               g_bytes_ref(sent));
    if (zipped)
      MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  }
  if (cache_state)
    MHD_add_response_header(r, "X-PT-Cache", cache_state);
  char cache[64];
  g_snprintf(cache, sizeof cache, "public, max-age=%d, must-revalidate", PT_HUB_PAGE_MAX_AGE_S);
  if (g_str_has_prefix(type, "text/html"))
    pt_hub_page_headers(r, cache, page_csp);
  else
    pt_hub_headers(r, type, cache);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  resolver_headers(r, link);
  if (g_str_has_prefix(type, "text/html"))
    page_headers(c, r);
  if (encodes)
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
  return pt_hub_queue(c, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
}

static enum MHD_Result
respond_asset(struct MHD_Connection *c, const Asset *a)
{
  gboolean gz = a->gz && pt_gzip_accepted(MHD_lookup_connection_value(
                             c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
  const char *etag = gz ? a->gz_etag : a->etag;
  gboolean fresh = pt_hub_etag_matches(c, etag);
  gsize len = 0;
  const void *data = g_bytes_get_data(gz ? a->gz : a->bytes, &len);
  struct MHD_Response *r =
      fresh ? MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
  pt_hub_headers(r, a->type, STATIC_MAX_AGE);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  if (a->gz) {
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (gz)
      MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  }
  return pt_hub_queue(c, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
}

/* The representation a request asks for: the page in each language, the facts as JSON, the
 * two documents. */
typedef enum {
  REP_HTML,
  REP_HTML_ZH,
  REP_JSON,
  REP_EPCIS,
  REP_BUNDLE,
  REP_VIEW, /* the page's view of the bundle (pt-page-view.h), ?linkType=pt:traceBundle&view=page */
} Rep;

static const char *const rep_names[] = {"html", "html-zh", "json", "epcis", "bundle", "view"};

/* Returns: (transfer full): the consumer page of @data (transfer none) in @lang; @path: the
 * page's path without its query; @profile (nullable): the public profile of the station whose
 * batch it is (its co-op, town, hotline, logo, map).  The hub counts no scans (the stations
 * do). */
static char *
render_page(const PtHubWeb *web, const json_t *data, PtLang lang, const char *path,
            const PtProfileWire *profile, gsize *len_out)
{
  g_autofree char *origin = g_strdup_printf("https://%s", web->doc.public_host);
  const char *station = json_string_value(json_object_get(data, "station"));
  if (profile && profile->name && *profile->name)
    station = profile->name;
  g_autofree char *logo = profile && profile->logo_sha256
                              ? g_strconcat(PT_HUB_LOGO_URL, profile->logo_sha256, NULL)
                              : NULL;
  PtConsumerPage page = {.lang = lang,
                         .strings = i18n,
                         .data = data,
                         .pub = profile ? &profile->pub : NULL,
                         .station_name = station ? station : web->doc.public_host,
                         .origin = origin,
                         .path = path,
                         .logo_url = logo,
                         .css = page_css,
                         .has_location = profile && profile->has_location,
                         .latitude = profile ? profile->latitude : 0,
                         .longitude = profile ? profile->longitude : 0};
  return pt_consumer_page_render(&page, len_out);
}

/* The public profile of @head's station as its page shows it: @wire_out (transfer full,
 * nullable: none sent) and, in @data (nullable), the member "profile": its texts, location and
 * the logo's URL, so that a client reading the JSON says what the page says. */
static gboolean
station_profile(const PtHubCall *call, const PtHubLotHead *head, json_t *data,
                PtProfileWire **wire_out, GError **error)
{
  g_autofree char *text = NULL, *sha = NULL;
  *wire_out = NULL;
  if (!pt_hub_store_profile_get(call->store, head->station_id, TRUE, &text, &sha, error))
    return FALSE;
  if (!text)
    return TRUE;
  g_autoptr(GError) local = NULL;
  /* Checked when it arrived: one that no longer reads (a newer hub's form) is left out. */
  *wire_out = pt_profile_wire_read(text, strlen(text), &local);
  if (!*wire_out) {
    g_warning("hub: the profile of station %s does not read: %s", head->station_id, local->message);
    return TRUE;
  }
  if (!data)
    return TRUE;
  json_t *shown = pt_json_parse(text, strlen(text), NULL);
  json_object_del(shown, "type");
  if ((*wire_out)->logo_sha256) {
    g_autofree char *url = g_strconcat(PT_HUB_LOGO_URL, (*wire_out)->logo_sha256, NULL);
    json_object_set_new(json_object_get(shown, "logo"), "url", json_string(url));
  }
  json_object_set_new(shown, "sha256", json_string(sha));
  json_object_set_new(data, "profile", shown);
  return TRUE;
}

/* Returns: (transfer full): the strong ETag of @rep of the batch at @heads (element-type
 * PtHubLotHead): its heads at the hub and its stations' public profiles, the consumer shell (a
 * new release changes the page), and the hub key (it signs the bundle).  A new event of the batch,
 * a hold or recall among them, changes the count and the last hash: the tag changes with it. */
static char *
batch_etag(const PtHubWeb *web, Rep rep, GPtrArray *heads)
{
  g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(sum, (const guchar *)"packtrace-hub-page-1|", -1);
  g_checksum_update(sum, (const guchar *)rep_names[rep], -1);
  g_checksum_update(sum, (const guchar *)I18N_ASSET->etag, -1);
  g_checksum_update(sum, (const guchar *)CONSUMER_SCRIPT->etag, -1);
  g_checksum_update(sum, (const guchar *)VERIFY_SCRIPT->etag, -1);
  g_checksum_update(sum, (const guchar *)web->hub_key_hex, -1);
  for (guint i = 0; i < heads->len; i++) {
    const PtHubLotHead *h = heads->pdata[i];
    g_autofree char *part = g_strdup_printf("|%s|%" G_GINT64_FORMAT "|%s|%s", h->station_id,
                                            h->n_events, h->last_hash ? h->last_hash : "",
                                            h->profile_sha256 ? h->profile_sha256 : "");
    g_checksum_update(sum, (const guchar *)part, -1);
  }
  return g_strdup_printf("\"%.40s\"", g_checksum_get_string(sum));
}

/* The public facts ------------------------------------------------------------------------- */

typedef struct {
  json_t *events;       /* the timeline: the records the page lists */
  gsize count;          /* the records read */
  json_t *commission;   /* nullable: the commissioning record */
  json_t *status;       /* nullable: the last status change */
  json_t *grading;      /* nullable: the last grading decision */
  char *status_hash_id; /* nullable: the last status change's GS1 Event Hash ID */
  PtPageView *view;     /* nullable: the records the page lists, its photo and certificates */
} Facts;

static void
facts_clear(Facts *f)
{
  json_decref(f->events);
  json_decref(f->commission);
  json_decref(f->status);
  json_decref(f->grading);
  g_free(f->status_hash_id);
  pt_page_view_free(f->view);
}

static void
keep(json_t **slot, json_t *event)
{
  json_decref(*slot);
  *slot = json_incref(event);
}

/* Records the fact-bearing events, and which records the page lists (pt-page-view.h). */
static gboolean
take_event(const PtEventRow *row, gpointer user_data, GError **error)
{
  Facts *f = user_data;
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return FALSE;
  f->count++;
  if (f->view)
    pt_page_view_add(f->view, event, row->step, f->count);
  if (g_strcmp0(row->step, "commissioning") == 0 && !f->commission)
    keep(&f->commission, event);
  else if (g_strcmp0(row->step, "holding") == 0 && json_object_get(event, "pt:action")) {
    keep(&f->status, event);
    g_free(f->status_hash_id);
    f->status_hash_id = g_strdup(row->hash_id);
  } else if (g_strcmp0(row->step, "inspecting") == 0 && json_object_get(event, "pt:declaredClass"))
    keep(&f->grading, event);
  json_decref(event);
  return TRUE;
}

static const char *
member_text(json_t *object, const char *key)
{
  return json_string_value(json_object_get(object, key));
}

static json_t *
member(json_t *object, const char *key)
{
  return pt_json_string_or_null(json_string_value(json_object_get(object, key)));
}

static json_t *
grading_json(json_t *ev)
{
  if (!ev)
    return json_null();
  json_t *classes = json_array();
  const char *name;
  json_t *count;
  json_object_foreach(json_object_get(ev, "pt:gradeDistribution"), name, count)
  {
    if (json_integer_value(count) > 0)
      json_array_append_new(classes, json_pack("{sssI}", "class", name, "count",
                                               (json_int_t)json_integer_value(count)));
  }
  return json_pack("{sosososo}", "declared_class", member(ev, "pt:declaredClass"), "disposition",
                   member(ev, "disposition"), "n_fruit",
                   json_integer(json_integer_value(json_object_get(ev, "pt:fruitCount"))),
                   "classes", classes);
}

static const char *
status_of(json_t *ev)
{
  const char *action = json_string_value(json_object_get(ev, "pt:action"));
  if (g_strcmp0(action, "hold") == 0)
    return "held";
  if (g_strcmp0(action, "recall") == 0)
    return "recalled";
  return "active";
}

/* The query of a station's batch links: ?station=ID, to which a linkType is appended. */
static char *
batch_link(const char *gtin, const char *lot, const char *station_id)
{
  g_autofree char *enc = pt_gs1_dl_encode_value(lot);
  return g_strdup_printf("/01/%s/10/%s?station=%s", gtin, enc, station_id);
}

/* Returns: (transfer full): the public facts of @head's batch, as the station's page has them
 * (pt-web.c), "station" its name, "public_key" its key, "hub_key" the key of the head of the
 * bundle at "bundle" (a view of it for a page that lists some of the records, the whole at
 * "bundle_all"). */
static json_t *
public_batch(const PtHubCall *call, const PtHubLotHead *head, const char *gtin, const char *lot,
             GError **error)
{
  g_autofree char *link = batch_link(gtin, lot, head->station_id);
  Facts f = {.events = json_array(), .view = pt_page_view_new(PT_PAGE_RECORDS_MAX)};
  if (!pt_hub_store_head_events(call->store, head, take_event, &f, error)) {
    facts_clear(&f);
    return NULL;
  }
  /* A second walk reads the records the page lists, and only those. */
  g_autoptr(GArray) shown = pt_page_view_numbers(f.view);
  g_autofree char *clip_link = g_strdup_printf("%s&linkType=" CLIP_LINK, link);
  PtPageEntries en = {.clip_link = clip_link, .events = f.events, .shown = shown};
  if (!pt_hub_store_head_events(call->store, head, pt_page_entries_take, &en, error)) {
    facts_clear(&f);
    return NULL;
  }
  json_t *ilmd = json_object_get(f.commission, "ilmd");
  g_autofree char *key = pt_hex_encode(head->public_key, PT_PUB_LEN);
  g_autofree char *whole = g_strdup_printf("%s&linkType=" BUNDLE_LINK, link);
  gboolean partial = shown->len < f.count;
  g_autofree char *bundle = partial ? g_strconcat(whole, "&" VIEW_QUERY, NULL) : g_strdup(whole);
  const char *product = json_string_value(json_object_get(f.commission, "pt:product"));
  const char *pack = json_string_value(json_object_get(f.commission, "pt:packDate"));
  json_t *out = json_pack(
      "{ss ss ss ss so so so so ss ss so so ss ss ss ss}", "kind", "batch", "gtin", gtin, "lot",
      lot, "product", product ? product : "", "variety", member(f.commission, "pt:variety"),
      "origin", member(f.commission, "pt:origin"), "grower", member(f.commission, "pt:grower"),
      "harvest_date", member(ilmd, "cbvmda:harvestStartDate"), "pack_date", pack ? pack : "",
      "status", f.status ? status_of(f.status) : "active", "grading", grading_json(f.grading),
      "events", json_incref(f.events), "station", head->station_name, "public_key", key, "bundle",
      bundle, "hub_key", call->web->hub_key_hex);
  /* The hub holds only records that verified at ingest, and takes every fact from them: a
   * batch without its commissioning record (not arrived yet) is the only one it cannot
   * vouch for. */
  json_t *warnings = json_array();
  if (!f.commission)
    json_array_append_new(warnings, json_string("commissioning"));
  json_object_set_new(out, "facts_verified", json_boolean(f.commission != NULL));
  json_object_set_new(out, "fact_warnings", warnings);
  json_object_set_new(out, "records", json_integer((json_int_t)f.count));
  if (partial)
    json_object_set_new(out, "bundle_all", json_string(whole));
  pt_page_view_set_evidence(f.view, out);
  /* What a held or recalled lot's banner says: the signed status change's reason and time. */
  if (f.status && strcmp(status_of(f.status), "active") != 0) {
    pt_json_set_string_or_null(out, "status_reason", member_text(f.status, "pt:reason"));
    pt_json_set_string_or_null(out, "status_since", member_text(f.status, "eventTime"));
  }
  facts_clear(&f);
  return out;
}

/* Documents -------------------------------------------------------------------------------- */

static gboolean
write_row(const PtEventRow *row, gpointer user_data, GError **error)
{
  return pt_bundle_writer_add(user_data, row, error);
}

typedef struct {
  PtBundleWriter *writer;
  const GArray *shown; /* the records the page lists */
  gint64 n, count;     /* the records read, and those the selection saw */
} ViewWrite;

/* A record in the page's view, or one only counted; records that arrived after the selection
 * was made are left out, so the head counts what the selection saw. */
static gboolean
write_view_row(const PtEventRow *row, gpointer user_data, GError **error)
{
  ViewWrite *vw = user_data;
  if (++vw->n > vw->count)
    return TRUE;
  if (pt_page_view_has(vw->shown, vw->n))
    return pt_bundle_writer_add(vw->writer, row, error);
  pt_bundle_writer_pass(vw->writer, row);
  return TRUE;
}

/* Feeds @w the records of @head's batch: all, or for a page's view (@rep REP_VIEW) those
 * the page lists, chosen by a first walk. */
static gboolean
write_records(const PtHubCall *call, const PtHubLotHead *head, Rep rep, PtBundleWriter *w,
              GError **error)
{
  if (rep != REP_VIEW)
    return pt_hub_store_head_events(call->store, head, write_row, w, error);
  Facts f = {.view = pt_page_view_new(PT_PAGE_RECORDS_MAX)};
  gboolean ok = pt_hub_store_head_events(call->store, head, take_event, &f, error);
  if (ok) {
    g_autoptr(GArray) shown = pt_page_view_numbers(f.view);
    ViewWrite vw = {.writer = w, .shown = shown, .count = (gint64)f.count};
    pt_bundle_writer_set_view(w);
    ok = pt_hub_store_head_events(call->store, head, write_view_row, &vw, error);
  }
  facts_clear(&f);
  return ok;
}

/* Returns: (transfer full): the public EPCIS document, signed bundle or page's view of it
 * (@rep) of @head's batch, dated by its last event so that the same records give the same
 * bytes. */
static char *
public_document(const PtHubCall *call, const PtHubLotHead *head, const char *gtin, const char *lot,
                Rep rep, gsize *len_out, GError **error)
{
  gboolean bundle = rep != REP_EPCIS;
  g_autoptr(PtBundleWriter) w =
      pt_bundle_writer_new(&call->web->doc, bundle, PT_BUNDLE_PUBLIC, NULL);
  pt_bundle_writer_set_creation(w, head->last_event_ns);
  if (!write_records(call, head, rep, w, error))
    return NULL;
  if (!bundle)
    return pt_bundle_writer_epcis(w, len_out, error);
  /* The records of a station that rotated its key are signed by the keys of its chain: the
   * bundle carries the chain from the anchor, as the station's own does. */
  g_autoptr(PtKeyChain) chain =
      pt_hub_store_key_chain(call->store, head->station_id, head->public_key, error);
  if (!chain)
    return NULL;
  pt_bundle_writer_set_key_chain(w, chain);
  PtBatch batch = {.lot = (char *)lot, .gtin = (char *)gtin};
  return pt_bundle_writer_finish_attested(w, call->web->keys, head->public_key, &batch, len_out,
                                          error);
}

typedef struct {
  gint64 want, seen;
  char *clip; /* the N-th event's clip, when the public sees that event */
} NthClip;

static gboolean
nth_clip(const PtEventRow *row, gpointer user_data, GError **error)
{
  NthClip *nth = user_data;
  if (++nth->seen != nth->want)
    return TRUE;
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return FALSE;
  const char *clip = json_string_value(json_object_get(event, PT_EXT_CLIP_SHA256));
  if (clip && pt_hub_is_hex(clip, PT_HASH_LEN) &&
      pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL))
    nth->clip = g_strdup(clip);
  json_decref(event);
  return TRUE;
}

/* Evidence bytes by SHA-256, immutable; one byte range when asked (206, or 416).  @signed_type
 * (nullable): the media type the signed record naming them gives, over the one the upload
 * said (the connector sends every file as application/octet-stream). */
static enum MHD_Result
respond_evidence_bytes(const PtHubCall *call, const char *sha256, const char *signed_type)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *type = NULL;
  g_autofree char *etag = g_strdup_printf("\"%s\"", sha256);
  g_autoptr(GBytes) bytes = pt_hub_store_evidence_get(call->store, sha256, &type, &error);
  if (!bytes)
    return pt_hub_respond_gerror(call->c, error);
  gboolean fresh = pt_hub_etag_matches(call->c, etag);
  gsize len = 0;
  const guchar *data = g_bytes_get_data(bytes, &len);
  /* A phone's player asks for ranges (pt-range.h). */
  guint64 start = 0, part = len;
  const char *range = MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
  PtRangeAnswer answer = fresh ? PT_RANGE_NONE : pt_range_parse(range, len, &start, &part);
  unsigned status = fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK;
  struct MHD_Response *r;
  if (fresh || answer == PT_RANGE_UNSATISFIABLE) {
    r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  } else {
    r = MHD_create_response_from_buffer(part, (void *)(data + start), MHD_RESPMEM_MUST_COPY);
  }
  if (answer == PT_RANGE_UNSATISFIABLE) {
    g_autofree char *unsat = pt_range_content_range(0, 0, len);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, unsat);
    status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
  } else if (answer == PT_RANGE_PARTIAL) {
    g_autofree char *content_range = pt_range_content_range(start, part, len);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
    status = MHD_HTTP_PARTIAL_CONTENT;
  }
  /* Content-addressed: the same name is the same bytes forever. */
  pt_hub_headers(r, signed_type ? signed_type : type, "public, max-age=31536000, immutable");
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
  return pt_hub_queue(call->c, status, r);
}

/* ?linkType=pt:clip&n=N: the clip of the batch's N-th event when the public sees that event;
 * any other answers as a clip that does not exist. */
static enum MHD_Result
respond_clip(const PtHubCall *call, const PtHubLotHead *head)
{
  const char *n_text = MHD_lookup_connection_value(call->c, MHD_GET_ARGUMENT_KIND, "n");
  guint64 n = 0;
  if (!n_text || !g_ascii_string_to_unsigned(n_text, 10, 1, G_MAXINT64, &n, NULL))
    return pt_hub_respond_error(call->c, MHD_HTTP_BAD_REQUEST,
                                "n must be an event number: 1, 2, 3, ...");
  g_autoptr(GError) error = NULL;
  NthClip nth = {.want = (gint64)n};
  if (!pt_hub_store_head_events(call->store, head, nth_clip, &nth, &error))
    return pt_hub_respond_gerror(call->c, error);
  g_autofree char *clip = nth.clip;
  if (!clip)
    return pt_hub_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such clip");
  return respond_evidence_bytes(call, clip, "video/mp4");
}

/* GET /evidence/{sha256}: bytes that a record the public sees references; a private record's
 * (a truck's photos) or unknown evidence answer alike. */
static enum MHD_Result
respond_evidence(const PtHubCall *call)
{
  const char *sha = call->url + strlen(EVIDENCE_PREFIX);
  if (!pt_hub_is_hex(sha, PT_HASH_LEN))
    return pt_hub_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such evidence");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) bodies =
      pt_hub_store_evidence_referrers(call->store, sha, PT_HUB_EVIDENCE_REFERRERS_MAX, &error);
  if (!bodies)
    return pt_hub_respond_gerror(call->c, error);
  gboolean shown = FALSE;
  g_autofree char *type = NULL;
  for (guint i = 0; !shown && i < bodies->len; i++) {
    json_t *event = pt_json_parse(bodies->pdata[i], strlen(bodies->pdata[i]), NULL);
    shown = event && pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL);
    if (shown)
      type = g_strdup(pt_page_evidence_media_type(event, sha));
    json_decref(event);
  }
  if (!shown)
    return pt_hub_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such evidence");
  return respond_evidence_bytes(call, sha, type);
}

/* The resolver ------------------------------------------------------------------------------ */

/* One request to the resolver: the Digital Link it names (pt-gs1-resolver.h). */
typedef struct {
  const PtHubCall *call;
  PtDlRequest dl;
} Resolve;

/* The link as the printed QR spells it: the label domain and the request target as sent, so
 * that a lot "A/B" (A%2FB) stays one segment. */
static gboolean
parse_link(Resolve *rq, GError **error)
{
  g_autoptr(GError) local = NULL;
  if (rq->call->raw_url &&
      pt_gs1_resolver_request(rq->call->web->doc.public_host, rq->call->raw_url, &rq->dl, &local))
    return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "not a valid GS1 Digital Link%s%s",
              local ? ": " : "", local ? local->message : "");
  return FALSE;
}

/* Sends @body (taken, g_malloc'd) uncached, with the resolver's headers. */
static enum MHD_Result
respond_resolved(Resolve *rq, unsigned status, const char *type, char *body, gsize len,
                 const char *link)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  pt_hub_headers(r, type, "no-store");
  resolver_headers(r, link);
  return pt_hub_queue(rq->call->c, status, r);
}

/* Sends the page @html (taken, g_malloc'd) uncached, with the resolver's and a page's headers. */
static enum MHD_Result
respond_page(Resolve *rq, unsigned status, char *html, gsize len, const char *link)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, html, MHD_RESPMEM_MUST_FREE);
  pt_hub_page_headers(r, "no-store", page_csp);
  resolver_headers(r, link);
  page_headers(rq->call->c, r);
  return pt_hub_queue(rq->call->c, status, r);
}

/* A redirect to @location (taken); with the item's Link header when @linked (an unknown lot
 * has no linkset to name). */
static enum MHD_Result
respond_redirect(Resolve *rq, unsigned status, char *location, gboolean linked)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  pt_hub_headers(r, "text/plain; charset=utf-8", "no-store");
  resolver_headers(r, linked ? rq->dl.link_header : NULL);
  MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
  g_free(location);
  return pt_hub_queue(rq->call->c, status, r);
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
  gsize len = 0;
  char *text =
      pt_hub_json_text(pt_gs1_resolver_linkset(item, rq->dl.anchor, description, ns), &len);
  g_autofree char *link = pt_gs1_resolver_link_header(rq->dl.anchor, rq->dl.same_as, TRUE);
  return respond_resolved(rq, MHD_HTTP_OK, PT_GS1_LINKSET_TYPE, text, len, link);
}

/* A linkType the item does not offer: 404, naming where its links are. */
static enum MHD_Result
respond_no_link(Resolve *rq, const char *link_type)
{
  g_autofree char *msg =
      g_strdup_printf("no link of type %s for this item; its links: ?linkType=linkset", link_type);
  g_autofree char *valid = g_utf8_make_valid(msg, -1);
  gsize len = 0;
  char *text = pt_hub_json_text(json_pack("{ss}", "error", valid), &len);
  return respond_resolved(rq, MHD_HTTP_NOT_FOUND, "application/json; charset=utf-8", text, len,
                          rq->dl.link_header);
}

static enum MHD_Result
respond_product(Resolve *rq)
{
  const PtHubCall *call = rq->call;
  g_autoptr(GError) error = NULL;
  gint64 n = 0;
  g_autofree char *product = NULL;
  if (!pt_hub_store_gtin_summary(call->store, rq->dl.link.gtin, &n, &product, &error))
    return pt_hub_respond_gerror(call->c, error);
  if (n == 0)
    return pt_hub_respond_error(call->c, MHD_HTTP_NOT_FOUND,
                                "the co-op packs no product with that GTIN");
  const PtDlLink *link = NULL;
  g_autofree char *link_type = pt_gs1_resolver_query_value(rq->dl.target, "linkType");
  const char *accept =
      MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
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
  json_t *data = json_pack("{ss ss ss sI}", "kind", "product", "gtin", rq->dl.link.gtin, "product",
                           product ? product : "", "batches", (json_int_t)n);
  gsize len = 0;
  if (pt_hub_wants_json(call->c)) {
    char *json = pt_hub_json_text(data, &len);
    return respond_resolved(rq, MHD_HTTP_OK, "application/json; charset=utf-8", json, len,
                            rq->dl.link_header);
  }
  g_autofree char *path = g_strdup_printf("/01/%s", rq->dl.link.gtin);
  char *html = render_page(call->web, data, reader_lang(call->c), path, NULL, &len);
  json_decref(data);
  return respond_page(rq, MHD_HTTP_OK, html, len, rq->dl.link_header);
}

/* ?linkType=gs1:recallStatus: the batch's status as its last signed status change states it.
 * Every record the hub holds verified against its station's key at ingest; a status change
 * with an action the hub does not know is not read as any status. */
static enum MHD_Result
respond_recall(Resolve *rq, const PtHubLotHead *head)
{
  const PtHubCall *call = rq->call;
  g_autoptr(GError) error = NULL;
  Facts f = {0};
  if (!pt_hub_store_head_events(call->store, head, take_event, &f, &error)) {
    facts_clear(&f);
    return pt_hub_respond_gerror(call->c, error);
  }
  const char *action = json_string_value(json_object_get(f.status, "pt:action"));
  const char *status = !f.status                           ? "active"
                       : g_strcmp0(action, "hold") == 0    ? "held"
                       : g_strcmp0(action, "recall") == 0  ? "recalled"
                       : g_strcmp0(action, "release") == 0 ? "active"
                                                           : NULL;
  gboolean active = g_strcmp0(status, "active") == 0;
  PtDlRecall recall = {
      .gtin = rq->dl.link.gtin,
      .lot = rq->dl.link.lot,
      .verified = status != NULL,
      .status = status,
      .reason = active ? NULL : json_string_value(json_object_get(f.status, "pt:reason")),
      .since = json_string_value(json_object_get(f.status, "eventTime")),
      .hash_id = f.status_hash_id,
      .station = head->station_id,
  };
  gsize len = 0;
  char *text = pt_hub_json_text(pt_gs1_resolver_recall_json(&recall), &len);
  facts_clear(&f);
  return respond_resolved(rq, MHD_HTTP_OK, "application/json; charset=utf-8", text, len,
                          rq->dl.link_header);
}

/* 300 Multiple Choices: each station's page of a lot several hold. */
static enum MHD_Result
respond_choices(const PtHubCall *call, GPtrArray *heads, const char *gtin, const char *lot,
                const char *etag)
{
  json_t *list = json_array();
  GString *html = g_string_new("<!doctype html><meta charset=\"utf-8\">"
                               "<meta name=\"viewport\" content=\"width=device-width\">"
                               "<link rel=\"stylesheet\" href=\"/static/style.css\">"
                               "<title>packtrace</title><main><h1>");
  g_autofree char *lot_html = g_markup_escape_text(lot, -1);
  g_string_append_printf(html, "%s</h1><p>Packed at %u sheds of the co-op:</p><ul>", lot_html,
                         heads->len);
  for (guint i = 0; i < heads->len; i++) {
    const PtHubLotHead *h = heads->pdata[i];
    g_autofree char *link = batch_link(gtin, lot, h->station_id);
    json_array_append_new(list, json_pack("{ss ss ss sI}", "station", h->station_id, "name",
                                          h->station_name, "link", link, "events",
                                          (json_int_t)h->n_events));
    g_autofree char *name = g_markup_escape_text(h->station_name, -1);
    g_autofree char *href = g_markup_escape_text(link, -1);
    g_string_append_printf(html, "<li><a class=\"station-choice\" href=\"%s\">%s</a></li>", href,
                           name);
  }
  g_string_append(html, "</ul></main>\n");
  gsize len = 0;
  gboolean json = pt_hub_wants_json(call->c);
  char *body = json ? pt_hub_json_text(json_pack("{ss ss ss so}", "kind", "choices", "gtin", gtin,
                                                 "lot", lot, "stations", list),
                                       &len)
                    : NULL;
  if (json) {
    g_string_free(html, TRUE);
  } else {
    json_decref(list);
    len = html->len;
    body = g_string_free(html, FALSE);
  }
  if (pt_hub_etag_matches(call->c, etag))
    return respond_cached(call->c, "text/html", etag, body, len);
  char cache[64];
  g_snprintf(cache, sizeof cache, "public, max-age=%d, must-revalidate", PT_HUB_PAGE_MAX_AGE_S);
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  pt_hub_headers(r, json ? "application/json; charset=utf-8" : "text/html; charset=utf-8", cache);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  resolver_headers(r, NULL);
  return pt_hub_queue(call->c, MHD_HTTP_MULTIPLE_CHOICES, r);
}

/* Returns: (transfer full): the page cache's key of @rep of (@gtin, @lot) as chosen by
 * @station (nullable): each part length-prefixed, so no lot can pose as another key. */
static char *
cache_key(Rep rep, const char *gtin, const char *lot, const char *station)
{
  station = station ? station : "";
  return g_strdup_printf("%s|%zu:%s|%zu:%s|%zu:%s", rep_names[rep], strlen(gtin), gtin, strlen(lot),
                         lot, strlen(station), station);
}

static enum MHD_Result
resolve(Resolve *rq)
{
  const PtHubCall *call = rq->call;
  struct MHD_Connection *c = call->c;
  const PtDigitalLink *link = &rq->dl.link;
  g_autoptr(GError) error = NULL;
  if (!link->lot[0])
    return respond_product(rq);
  g_autofree char *link_type = pt_gs1_resolver_query_value(rq->dl.target, "linkType");
  const char *want = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "station");
  const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  const PtDlLink *chosen = NULL;
  PtDlPick pick = pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, link_type, accept, &chosen);
  PtDlAnswer answer = pick == PT_DL_PICK_LINK ? chosen->answer : PT_DL_ANSWER_PAGE;
  /* The page, its JSON and the two documents are kept in the page cache; the rest is read
   * per request. */
  gboolean page = pick == PT_DL_PICK_DEFAULT;
  gboolean document = answer == PT_DL_ANSWER_EPCIS || answer == PT_DL_ANSWER_BUNDLE;
  const char *view = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "view");
  if (view && (answer != PT_DL_ANSWER_BUNDLE || strcmp(view, "page") != 0))
    return pt_hub_respond_error(c, MHD_HTTP_BAD_REQUEST,
                                "view names a view of the signed bundle: view=page");
  Rep rep = answer == PT_DL_ANSWER_EPCIS    ? REP_EPCIS
            : answer == PT_DL_ANSWER_BUNDLE ? (view ? REP_VIEW : REP_BUNDLE)
            : pt_hub_wants_json(c)          ? REP_JSON
            : reader_lang(c) == PT_LANG_ZH  ? REP_HTML_ZH
                                            : REP_HTML;
  /* The page cache first: a fresh entry answers without PostgreSQL (pt-hub-cache.h). */
  PtHubCache *cache = call->web->cache;
  gboolean cacheable = cache && (page || document);
  g_autofree char *key = cacheable ? cache_key(rep, link->gtin, link->lot, want) : NULL;
  guint64 generation = cacheable ? pt_hub_cache_generation(cache) : 0;
  if (cacheable) {
    g_autofree char *hit_etag = NULL, *hit_type = NULL;
    g_autoptr(GBytes) hit_gz = NULL;
    g_autoptr(GBytes) hit = pt_hub_cache_get(cache, key, &hit_etag, &hit_type, &hit_gz);
    if (hit)
      return respond_bytes(c, hit_type, hit_etag, hit, hit_gz, "hit", rq->dl.link_header);
  }
  /* Where the database stands for this read, taken before it: on a replica the answer is
   * kept only once that is past the batch's last notified change (pt-hub-cache.h). */
  gint64 read_lsn = 0;
  if (cacheable && !pt_hub_store_wal_lsn(call->store, TRUE, &read_lsn, &error))
    return pt_hub_respond_gerror(c, error);
  g_autoptr(GPtrArray) heads = pt_hub_store_lot_heads(call->store, link->gtin, link->lot, &error);
  if (!heads)
    return pt_hub_respond_gerror(c, error);
  if (want) {
    for (guint i = heads->len; i-- > 0;)
      if (strcmp(((PtHubLotHead *)heads->pdata[i])->station_id, want) != 0)
        g_ptr_array_remove_index(heads, i);
    if (heads->len == 0)
      return pt_hub_respond_error(c, MHD_HTTP_NOT_FOUND, "no such batch at that station");
  }
  if (heads->len == 0) {
    /* An unknown lot shaped like a path ("..%2F..%2Fhub.ini") is a probe: no walk-up. */
    if (!pt_gs1_dl_check_dot_segments("lot", link->lot, NULL))
      return pt_hub_respond_error(c, MHD_HTTP_NOT_FOUND, "no such batch");
    /* As GS1's resolver does: an unknown lot falls back to the product, the query passed on;
     * a GTIN the co-op never packed has no product to fall back to. */
    gint64 n = 0;
    g_autofree char *product = NULL;
    if (!pt_hub_store_gtin_summary(call->store, link->gtin, &n, &product, &error))
      return pt_hub_respond_gerror(c, error);
    if (n == 0)
      return pt_hub_respond_error(c, MHD_HTTP_NOT_FOUND,
                                  "the co-op packs no product with that GTIN");
    /* A person (a browser asking for HTML) is told the label may be fake, never sent on to
     * the product's page as if all were well; it is counted as a counterfeit signal. */
    const char *accept_html =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    if (accept_html && strstr(accept_html, "text/html")) {
      g_atomic_int_inc(call->web->unknown_lots);
      json_t *data = json_pack("{ss ss ss ss}", "kind", "unknown_lot", "gtin", link->gtin, "lot",
                               link->lot, "product", product ? product : "");
      g_autofree char *lot = pt_gs1_dl_encode_value(link->lot);
      g_autofree char *path = g_strdup_printf("/01/%s/10/%s", link->gtin, lot);
      gsize len = 0;
      char *html = render_page(call->web, data, reader_lang(c), path, NULL, &len);
      json_decref(data);
      return respond_page(rq, MHD_HTTP_NOT_FOUND, html, len, NULL);
    }
    const char *query = strchr(rq->dl.target, '?');
    return respond_redirect(rq, MHD_HTTP_SEE_OTHER,
                            g_strdup_printf("/01/%s%s", link->gtin, query ? query : ""), FALSE);
  }
  g_autofree char *etag = batch_etag(call->web, rep, heads);
  if (heads->len > 1)
    return respond_choices(call, heads, link->gtin, link->lot, etag);
  const PtHubLotHead *head = heads->pdata[0];
  switch (pick) {
  case PT_DL_PICK_UNKNOWN:
    return respond_no_link(rq, link_type);
  case PT_DL_PICK_LINKSET: {
    json_t *facts = public_batch(call, head, link->gtin, link->lot, &error);
    if (!facts)
      return pt_hub_respond_gerror(c, error);
    g_autofree char *product = g_strdup(json_string_value(json_object_get(facts, "product")));
    json_decref(facts);
    return respond_linkset(rq, PT_DL_ITEM_BATCH, product);
  }
  case PT_DL_PICK_LINK:
    if (answer == PT_DL_ANSWER_PAGE)
      return respond_to_page(rq);
    if (answer == PT_DL_ANSWER_CLIP)
      return respond_clip(call, head);
    if (answer == PT_DL_ANSWER_RECALL)
      return respond_recall(rq, head);
    break;
  case PT_DL_PICK_DEFAULT:
    break;
  }
  /* Revalidation: one indexed read, nothing rendered. */
  gboolean html = rep == REP_HTML || rep == REP_HTML_ZH;
  const char *type = html               ? "text/html; charset=utf-8"
                     : rep == REP_EPCIS ? "application/ld+json"
                                        : "application/json; charset=utf-8";
  gboolean zipped = takes_gzip(c);
  g_autofree char *zip_tag = gzip_etag(etag);
  if (pt_hub_etag_matches(c, zipped ? zip_tag : etag))
    return respond_bytes(c, type, etag, NULL, NULL, cacheable ? "miss" : NULL, rq->dl.link_header);
  gsize len = 0;
  char *body = NULL;
  if (document) {
    body = public_document(call, head, link->gtin, link->lot, rep, &len, &error);
  } else {
    json_t *data = public_batch(call, head, link->gtin, link->lot, &error);
    g_autoptr(PtProfileWire) profile = NULL;
    if (data && !station_profile(call, head, data, &profile, &error))
      g_clear_pointer(&data, json_decref);
    if (data && html) {
      g_autofree char *lot = pt_gs1_dl_encode_value(link->lot);
      g_autofree char *path = g_strdup_printf("/01/%s/10/%s", link->gtin, lot);
      body = render_page(call->web, data, rep == REP_HTML_ZH ? PT_LANG_ZH : PT_LANG_EN, path,
                         profile, &len);
      json_decref(data);
    } else if (data) {
      body = pt_hub_json_text(data, &len);
    }
  }
  if (!body)
    return pt_hub_respond_gerror(c, error);
  g_autoptr(GBytes) bytes = g_bytes_new_take(body, len);
  /* Kept: compressed once, at the best level; not kept: only for a client that takes it, at
   * the fastest (as the station does per view). */
  g_autoptr(GBytes) gz = cacheable ? pt_gzip(bytes) : zipped ? pt_gzip_level(bytes, 1) : NULL;
  if (cacheable)
    pt_hub_cache_put(cache, generation, read_lsn, key, head->batch_id, etag, type, bytes, gz);
  return respond_bytes(c, type, etag, bytes, gz, cacheable ? "miss" : NULL, rq->dl.link_header);
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
  return pt_hub_queue(c, MHD_HTTP_NO_CONTENT, r);
}

static enum MHD_Result
respond_link(const PtHubCall *call)
{
  if (strcmp(call->method, "OPTIONS") == 0)
    return respond_preflight(call->c);
  assets_init();
  g_autoptr(GError) error = NULL;
  Resolve rq = {.call = call};
  enum MHD_Result ret =
      parse_link(&rq, &error) ? resolve(&rq) : pt_hub_respond_gerror(call->c, error);
  pt_gs1_resolver_request_clear(&rq.dl);
  return ret;
}

/* /.well-known/gs1resolver: what this resolver is and serves. */
static enum MHD_Result
respond_description(const PtHubCall *call)
{
  if (strcmp(call->method, "OPTIONS") == 0)
    return respond_preflight(call->c);
  const char *host = call->web->doc.public_host;
  g_autofree char *origin = g_strdup_printf("https://%s", host);
  const char *ns = PT_EPCIS_NAMESPACE;
  gsize len = 0;
  char *text =
      pt_hub_json_text(pt_gs1_resolver_description(origin, "packtrace co-op hub", ns), &len);
  struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
  pt_hub_headers(r, "application/json", "public, max-age=3600");
  resolver_headers(r, NULL);
  return pt_hub_queue(call->c, MHD_HTTP_OK, r);
}

static enum MHD_Result
respond_static(const PtHubCall *call)
{
  /* Only the names in the table: no file system behind this, so no path to traverse. */
  for (gsize i = 0; i < G_N_ELEMENTS(assets); i++)
    if (assets[i].url && strcmp(assets[i].url, call->url) == 0)
      return respond_asset(call->c, &assets[i]);
  return pt_hub_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such resource");
}

static enum MHD_Result
respond_web(const PtHubCall *call)
{
  assets_init();
  if (g_str_has_prefix(call->url, EVIDENCE_PREFIX))
    return respond_evidence(call);
  return respond_static(call);
}

/* The compressed form of a Digital Link: one path segment of base64 at the root. */
static gboolean
is_compressed_link(const char *url)
{
  gsize n = strlen(url + 1);
  if (n && url[n] == '/')
    n--;
  return url[0] == '/' && !memchr(url + 1, '/', n) && pt_gs1_dl_is_compressed(url + 1, n);
}

static const PtHubRoute web_routes[] = {
    {"/01/", respond_link, .options = TRUE},
    {PT_GS1_RESOLVER_WELL_KNOWN, respond_description, .options = TRUE},
    {"/static/", respond_web},
    {EVIDENCE_PREFIX, respond_web},
    {"/hub/status", respond_web},
};

const PtHubRouteTable pt_hub_web_routes = {web_routes, G_N_ELEMENTS(web_routes)};

static const PtHubRoute compressed_routes[] = {
    {"/", respond_link, .options = TRUE, .accepts = is_compressed_link},
};

const PtHubRouteTable pt_hub_compressed_routes = {compressed_routes,
                                                  G_N_ELEMENTS(compressed_routes)};

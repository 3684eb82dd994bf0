/* test-web.c: the Digital Link resolver and the compiled-in pages on the real `packtrace run`
 * over loopback: HTML, public JSON and EPCIS for one link, 303 for an unknown lot, 404 and
 * 400, only public fields, scan counts, asset caching, no way out of the asset table, and a
 * cached page that shows every change at once. */
#include "pt-bundle.h"
#include "pt-grading.h"
#include "pt-json.h"
#include "pt-store-grading.h"
#include "pt-test-station.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#define GTIN "09506000134352"

typedef struct {
  PtTestStation *ts;
  GSubprocess *server;
  char *base;
  char *lot;
} Fixture;

typedef struct {
  long status;
  GString *body;
  GString *headers;
  char *content_type;
  char *location;
} Reply;

static void
reply_clear(Reply *r)
{
  g_string_free(r->body, TRUE);
  g_string_free(r->headers, TRUE);
  g_free(r->content_type);
  g_free(r->location);
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *user)
{
  g_string_append_len(user, ptr, (gssize)(size * n));
  return size * n;
}

/* GET (or @method) @path as written (no dot-segment removal), with one optional header. */
static Reply
fetch(Fixture *f, const char *method, const char *path, const char *header)
{
  Reply r = {.body = g_string_new(NULL), .headers = g_string_new(NULL)};
  CURL *c = curl_easy_init();
  g_autofree char *url = g_strconcat(f->base, path, NULL);
  struct curl_slist *headers = header ? curl_slist_append(NULL, header) : NULL;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, r.headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  g_assert_cmpint(curl_easy_perform(c), ==, CURLE_OK);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char *s = NULL;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &s);
  r.content_type = g_strdup(s);
  s = NULL;
  curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &s);
  r.location = g_strdup(s);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return r;
}

static json_t *
reply_json(const Reply *r)
{
  g_autoptr(GError) error = NULL;
  json_t *v = pt_json_parse(r->body->str, r->body->len, &error);
  g_assert_no_error(error);
  return v;
}

/* A closed grading of @batch: 3 fruit of class I, 1 of II, closed with its signed inspecting
 * event (the page shows the grade that event states). */
static void
add_grading(PtTestStation *ts, PtBatch *batch)
{
  g_autoptr(GError) error = NULL;
  PtGradingRow g = {.batch_id = batch->id,
                    .profile = (char *)"orange-unece",
                    .declared_class = (char *)"I",
                    .mm_per_px = 0.3,
                    .model_version = (char *)"test",
                    .opened_ns = 1};
  g_assert_true(pt_store_grading_insert(ts->store, &g, &error));
  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 4; i++) {
    PtFruitRecord fruit = {.graded_ns = 2 + i,
                           .source = "test",
                           .klass = i < 3 ? "I" : "II",
                           .diameter_mm = 70,
                           .views = 1,
                           .rule = "test",
                           .confidence = 1};
    g_assert_true(pt_store_fruit_insert(ts->store, g.id, &fruit, NULL, &error));
  }
  g_assert_true(pt_store_commit(ts->store, &error));
  g_assert_true(pt_grading_close(ts->station, ts->store, batch, NULL, &error));
  g_assert_no_error(error);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_test_batch(f->ts, 0);
  PtEventSpec ev = {.step = "packing", .note = "price 12 CNY/kg, call 13800138000"};
  g_assert_true(pt_batch_add_event(f->ts->station, f->ts->store, batch, &ev, NULL, &error));
  add_grading(f->ts, batch);
  f->lot = g_strdup(batch->lot);
  f->server = pt_test_station_run(f->ts, &f->base);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  pt_test_station_stop(f->server);
  g_object_unref(f->server);
  pt_test_station_free(f->ts);
  g_free(f->base);
  g_free(f->lot);
}

static gint64
scans(Fixture *f)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open(f->ts->station->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT coalesce(sum(count), 0) FROM scans", -1, &s, NULL),
                  ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

static void
test_html_json_epcis(Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_strdup_printf("/01/" GTIN "/10/%s", f->lot);
  g_autofree char *with_query = g_strdup_printf("%s?13=261125", path);

  /* A phone's browser gets the page, with the batch's facts in it. */
  Reply page = fetch(f, "GET", with_query, "Accept: text/html,application/xhtml+xml,*/*;q=0.8");
  g_assert_cmpint(page.status, ==, 200);
  g_assert_cmpstr(page.content_type, ==, "text/html; charset=utf-8");
  g_assert_nonnull(strstr(page.body->str, "<script id=\"pt-data\" type=\"application/json\">{"));
  g_assert_nonnull(strstr(page.body->str, f->lot));
  g_assert_null(strstr(page.body->str, "@PT_DATA@"));
  g_assert_null(strstr(page.body->str, "13800138000")); /* the event's note is not public */
  g_assert_nonnull(strstr(page.headers->str, "Content-Security-Policy: default-src 'none'"));
  reply_clear(&page);

  /* An app gets the same facts as JSON: public fields only. */
  Reply js = fetch(f, "GET", path, "Accept: application/json");
  g_assert_cmpint(js.status, ==, 200);
  g_assert_cmpstr(js.content_type, ==, "application/json; charset=utf-8");
  g_assert_null(strstr(js.body->str, "13800138000"));
  g_assert_null(strstr(js.body->str, "CNY"));
  g_assert_null(strstr(js.body->str, "1200.5")); /* quantities stay internal */
  json_t *v = reply_json(&js);
  const char *allowed[] = {"kind", "gtin", "lot", "product", "variety", "origin", "grower",
                           "harvest_date", "pack_date", "status", "grading", "events", "station",
                           "public_key", "bundle", "facts_verified", "fact_warnings", "records",
                           /* a long batch's: the whole bundle, beside the page's view of it */
                           "bundle_all", NULL};
  const char *key;
  json_t *value;
  json_object_foreach(v, key, value) g_assert_true(g_strv_contains(allowed, key));
  g_assert_cmpstr(json_string_value(json_object_get(v, "lot")), ==, f->lot);
  g_assert_cmpstr(json_string_value(json_object_get(v, "status")), ==, "active");
  /* The page's bundle is named by GTIN and lot, never by the batch's sequential id. */
  g_autofree char *bundle_link = g_strdup_printf("%s?linkType=pt:traceBundle", path);
  g_assert_cmpstr(json_string_value(json_object_get(v, "bundle")), ==, bundle_link);
  json_t *events = json_object_get(v, "events");
  g_assert_cmpint(json_array_size(events), ==, 3); /* commissioning, packing, inspecting */
  size_t i;
  json_t *member;
  json_array_foreach(events, i, value)
  {
    /* A separate variable for the members: reusing @value would end the walk at the first. */
    json_object_foreach(value, key, member) g_assert_true(g_strv_contains(
        (const char *[]){"n", "step", "time", "disposition", "hash_id", NULL}, key));
    g_assert_true(
        g_str_has_prefix(json_string_value(json_object_get(value, "hash_id")), "ni:///sha-256;"));
  }
  json_t *grading = json_object_get(v, "grading");
  g_assert_cmpint(json_integer_value(json_object_get(grading, "n_fruit")), ==, 4);
  json_t *first = json_array_get(json_object_get(grading, "classes"), 0);
  g_assert_cmpstr(json_string_value(json_object_get(first, "class")), ==, "I");
  g_assert_cmpint(json_integer_value(json_object_get(first, "count")), ==, 3);
  json_decref(v);
  reply_clear(&js);

  /* linkType=gs1:epcis: the batch's public EPCIS document.  The packing event holds an
   * operator's note, so the public sees the commissioning event only. */
  g_autofree char *epcis_path = g_strdup_printf("%s?linkType=gs1:epcis", path);
  Reply ep = fetch(f, "GET", epcis_path, NULL);
  g_assert_cmpint(ep.status, ==, 200);
  g_assert_cmpstr(ep.content_type, ==, "application/ld+json");
  g_assert_null(strstr(ep.body->str, "13800138000"));
  v = reply_json(&ep);
  g_assert_cmpint(json_array_size(json_object_get(json_object_get(v, "epcisBody"), "eventList")),
                  ==, 2);
  g_assert_cmpint(json_array_size(json_object_get(v, "pt:eventHashIds")), ==, 2);
  json_decref(v);
  reply_clear(&ep);

  /* linkType=pt:traceBundle: the public signed bundle, which the page names: every event's
   * proof (commissioning, packing, inspecting), the packing event redacted, and it verifies. */
  g_autofree char *bundle_path = g_strdup_printf("%s?linkType=pt:traceBundle", path);
  Reply bu = fetch(f, "GET", bundle_path, NULL);
  g_assert_cmpint(bu.status, ==, 200);
  g_assert_null(strstr(bu.body->str, "13800138000"));
  PtVerifyResult result;
  g_autoptr(GError) verror = NULL;
  g_assert_true(pt_bundle_verify(bu.body->str, bu.body->len, f->ts->station->keys->public_key,
                                 &result, &verror));
  g_assert_no_error(verror);
  g_assert_cmpint(result.n_events, ==, 3);
  pt_verify_result_clear(&result);
  v = reply_json(&bu);
  g_assert_true(
      json_is_true(json_object_get(json_array_get(json_object_get(v, "proofs"), 1), "redacted")));
  json_decref(v);
  reply_clear(&bu);

  /* One client's two page views (HTML and JSON) were one scan; the EPCIS download is not one.
   * Views are written within a second (pt-scan-tally.h). */
  for (int k = 0; k < 15 && scans(f) < 1; k++)
    g_usleep(100 * 1000);
  g_usleep(1100 * 1000);
  g_assert_cmpint(scans(f), ==, 1);
}

/* The facts the page shows now, as the JSON text.  Both forms are fetched three times each, on
 * new connections (so both HTTP workers' caches answer), and must all be the same: the JSON
 * body and the facts embedded in the HTML alike. */
static json_t *
page_now(Fixture *f, const char *path)
{
  static const char open[] = "<script id=\"pt-data\" type=\"application/json\">";
  g_autofree char *json = NULL;
  for (int i = 0; i < 6; i++) {
    Reply r = fetch(f, "GET", path, i % 2 ? "Accept: application/json" : "Accept: text/html");
    g_assert_cmpint(r.status, ==, 200);
    const char *text = r.body->str;
    g_autofree char *embedded = NULL;
    if (i % 2 == 0) {
      const char *start = strstr(text, open);
      g_assert_nonnull(start);
      start += strlen(open);
      const char *end = strstr(start, "</script>");
      g_assert_nonnull(end);
      text = embedded = g_strndup(start, (gsize)(end - start));
    }
    if (json)
      g_assert_cmpstr(text, ==, json);
    else
      json = g_strdup(text);
    reply_clear(&r);
  }
  g_autoptr(GError) error = NULL;
  json_t *v = pt_json_parse(json, strlen(json), &error);
  g_assert_no_error(error);
  return v;
}

static json_t *
last_event(json_t *page)
{
  json_t *events = json_object_get(page, "events");
  return json_array_get(events, json_array_size(events) - 1);
}

/* The rendered page is cached per batch, keyed by a revision every write raises in its own
 * transaction: each change, made here by another process's connection, shows on the very
 * next view, in the HTML and the JSON, with no wait. */
static void
test_cache_fresh(Fixture *f, gconstpointer data)
{
  PtTestStation *ts = f->ts;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_batch_lookup(ts->store, f->lot, &error);
  g_assert_no_error(error);
  g_autofree char *path = g_strdup_printf("/01/" GTIN "/10/%s", f->lot);

  json_t *v = page_now(f, path);
  g_assert_cmpint(json_array_size(json_object_get(v, "events")), ==, 3);
  json_decref(v);

  /* An event. */
  PtEventSpec ev = {.step = "storing"};
  g_assert_true(pt_batch_add_event(ts->station, ts->store, batch, &ev, NULL, &error));
  v = page_now(f, path);
  g_assert_cmpint(json_array_size(json_object_get(v, "events")), ==, 4);
  g_assert_cmpstr(json_string_value(json_object_get(last_event(v), "step")), ==, "storing");
  g_assert_null(json_object_get(last_event(v), "clip"));
  json_decref(v);

  /* A clip: an event carrying its evidence. */
  PtEvidence clip = {.camera = "dock",
                     .from_ns = 1,
                     .to_ns = 2,
                     .path = "clips/test.mkv",
                     .sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                     .bytes = 10};
  PtEventSpec loading = {.step = "loading", .evidence = &clip};
  g_assert_true(pt_batch_add_event(ts->station, ts->store, batch, &loading, NULL, &error));
  v = page_now(f, path);
  g_assert_cmpint(json_array_size(json_object_get(v, "events")), ==, 5);
  g_assert_nonnull(json_object_get(last_event(v), "clip"));
  json_decref(v);

  /* While a new grading is open the page keeps the last signed grade; its close (a signed
   * inspecting event) shows its own. */
  PtGradingRow g = {.batch_id = batch->id,
                    .profile = (char *)"orange-unece",
                    .declared_class = (char *)"II",
                    .mm_per_px = 0.3,
                    .model_version = (char *)"test",
                    .opened_ns = 20};
  g_assert_true(pt_store_grading_insert(ts->store, &g, &error));
  v = page_now(f, path);
  g_assert_cmpstr(
      json_string_value(json_object_get(json_object_get(v, "grading"), "declared_class")), ==, "I");
  json_decref(v);
  g_assert_true(pt_store_begin(ts->store, &error));
  PtFruitRecord fruit = {.graded_ns = 21,
                         .source = "test",
                         .klass = "II",
                         .diameter_mm = 60,
                         .views = 1,
                         .rule = "test",
                         .confidence = 1};
  g_assert_true(pt_store_fruit_insert(ts->store, g.id, &fruit, NULL, &error));
  g_assert_true(pt_store_commit(ts->store, &error));
  g_assert_true(pt_grading_close(ts->station, ts->store, batch, NULL, &error));
  v = page_now(f, path);
  json_t *grading = json_object_get(v, "grading");
  g_assert_cmpstr(json_string_value(json_object_get(grading, "declared_class")), ==, "II");
  g_assert_cmpint(json_integer_value(json_object_get(grading, "n_fruit")), ==, 1);
  json_decref(v);

  /* A fruit added to the closed grading afterwards is in no signed event: the page keeps
   * the signed count. */
  fruit.graded_ns = 31;
  g_assert_true(pt_store_begin(ts->store, &error));
  g_assert_true(pt_store_fruit_insert(ts->store, g.id, &fruit, NULL, &error));
  g_assert_true(pt_store_commit(ts->store, &error));
  v = page_now(f, path);
  g_assert_cmpint(json_integer_value(json_object_get(json_object_get(v, "grading"), "n_fruit")), ==,
                  1);
  json_decref(v);

  /* Hold, release, recall. */
  static const struct {
    PtBatchAction action;
    const char *status;
  } steps[] = {
      {PT_BATCH_HOLD, "held"}, {PT_BATCH_RELEASE, "active"}, {PT_BATCH_RECALL, "recalled"}};
  for (gsize i = 0; i < G_N_ELEMENTS(steps); i++) {
    g_assert_true(
        pt_batch_change_status(ts->station, ts->store, batch, steps[i].action, "test", &error));
    g_assert_no_error(error);
    v = page_now(f, path);
    g_assert_cmpstr(json_string_value(json_object_get(v, "status")), ==, steps[i].status);
    json_decref(v);
  }
  g_assert_no_error(error);
}

static void
test_unknown_and_malformed(Fixture *f, gconstpointer data)
{
  /* An unknown lot of a known GTIN: 303 to the product's page, which says it exists. */
  Reply r = fetch(f, "GET", "/01/" GTIN "/10/NOSUCHLOT", NULL);
  g_assert_cmpint(r.status, ==, 303);
  g_assert_true(g_str_has_suffix(r.location, "/01/" GTIN));
  reply_clear(&r);
  r = fetch(f, "GET", "/01/" GTIN, "Accept: application/json");
  g_assert_cmpint(r.status, ==, 200);
  json_t *v = reply_json(&r);
  g_assert_cmpstr(json_string_value(json_object_get(v, "kind")), ==, "product");
  g_assert_cmpint(json_integer_value(json_object_get(v, "batches")), ==, 1);
  json_decref(v);
  reply_clear(&r);
  r = fetch(f, "GET", "/01/" GTIN, NULL);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "text/html; charset=utf-8");
  reply_clear(&r);

  /* A GTIN the station never packed (valid check digit): 404, lot or not. */
  const char *unknown[] = {"/01/04006381333931", "/01/04006381333931/10/X"};
  for (gsize i = 0; i < G_N_ELEMENTS(unknown); i++) {
    r = fetch(f, "GET", unknown[i], NULL);
    g_assert_cmpint(r.status, ==, 404);
    reply_clear(&r);
  }

  /* Malformed Digital Links: 400 with the reason. */
  const char *bad[] = {
      "/01/123/10/X",                               /* short GTIN */
      "/01/09506000134359/10/X",                    /* wrong check digit */
      "/01/" GTIN "/21/S1/10/X",                    /* AIs out of order */
      "/01/" GTIN "/10/X?13=261399",                /* not a date */
      "/01/" GTIN "/10/X?10=Y",                     /* path AI in the query */
      "/01/" GTIN "/10/ABCDEFGHIJKLMNOPQRSTUVWXYZ", /* lot over 20 characters */
      "/01/" GTIN "/99/X",                          /* unknown AI */
  };
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    r = fetch(f, "GET", bad[i], "Accept: application/json");
    g_test_message("%s -> %ld %s", bad[i], r.status, r.body->str);
    g_assert_cmpint(r.status, ==, 400);
    v = reply_json(&r);
    g_assert_true(g_str_has_prefix(json_string_value(json_object_get(v, "error")),
                                   "not a valid GS1 Digital Link"));
    json_decref(v);
    reply_clear(&r);
  }
  r = fetch(f, "POST", "/01/" GTIN, NULL);
  g_assert_cmpint(r.status, ==, 405);
  reply_clear(&r);
  /* Past the scan tally's write interval: nothing was counted, not just not yet written. */
  g_usleep(1500 * 1000);
  g_assert_cmpint(scans(f), ==, 0);
}

static void
test_static_assets(Fixture *f, gconstpointer data)
{
  Reply r = fetch(f, "GET", "/static/consumer.js", NULL);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "text/javascript; charset=utf-8");
  g_assert_nonnull(strstr(r.body->str, "ptVerify.verifyBundle"));
  g_assert_nonnull(strstr(r.headers->str, "Cache-Control: public, max-age=3600"));
  const char *etag = strstr(r.headers->str, "ETag: ");
  g_assert_nonnull(etag);
  g_autofree char *tag = g_strndup(etag + 6, strcspn(etag + 6, "\r\n"));
  reply_clear(&r);
  g_autofree char *if_none = g_strdup_printf("If-None-Match: %s", tag);
  r = fetch(f, "GET", "/static/consumer.js", if_none);
  g_assert_cmpint(r.status, ==, 304);
  g_assert_cmpuint(r.body->len, ==, 0);
  reply_clear(&r);
  /* The bundle check the consumer page and the buyer portal share. */
  r = fetch(f, "GET", "/static/pt-verify.js", NULL);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "text/javascript; charset=utf-8");
  g_assert_nonnull(strstr(r.body->str, "crypto.subtle.verify"));
  reply_clear(&r);
  r = fetch(f, "GET", "/static/style.css", NULL);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "text/css; charset=utf-8");
  reply_clear(&r);

  r = fetch(f, "GET", "/station", NULL);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "text/html; charset=utf-8");
  g_assert_nonnull(strstr(r.body->str, "/static/station.js"));
  g_assert_nonnull(strstr(r.body->str, "/static/ui-kit.js"));
  reply_clear(&r);
  r = fetch(f, "GET", "/static/station.js", NULL);
  g_assert_cmpint(r.status, ==, 200);
  reply_clear(&r);
  /* The dashboard's writes carry the session's CSRF token: its scripts call the station
   * through the shared ui-kit.js. */
  r = fetch(f, "GET", "/static/ui-kit.js", NULL);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_nonnull(strstr(r.body->str, "X-CSRF-Token"));
  reply_clear(&r);

  /* Nothing but the table's names: no file behind /static/ to reach. */
  const char *escapes[] = {"/static/../station.ini",  "/static/%2e%2e/station.ini",
                           "/static/..%2fstation.db", "/static/consumer.js/../../keys/station.key",
                           "/static/consumer.html",   "/static/",
                           "/static//etc/passwd",     "/static/consumer.js%00.png"};
  for (gsize i = 0; i < G_N_ELEMENTS(escapes); i++) {
    r = fetch(f, "GET", escapes[i], NULL);
    g_test_message("%s -> %ld", escapes[i], r.status);
    g_assert_cmpint(r.status, ==, 404);
    g_assert_null(strstr(r.body->str, "operator_token"));
    reply_clear(&r);
  }
}

/* g_ptr_array_sort() hands the comparison pointers to the elements. */
static gint
compare_paths(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* The names of the cached document files of the station under @f, sorted. */
static GPtrArray *
document_files(Fixture *f)
{
  g_autofree char *dir = g_build_filename(f->ts->dir, "cache", "documents", NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  GDir *d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  const char *name;
  while ((name = g_dir_read_name(d)))
    g_ptr_array_add(names, g_build_filename(dir, name, NULL));
  g_dir_close(d);
  g_ptr_array_sort(names, compare_paths);
  return names;
}

static gint64
modified_ns(const char *path)
{
  GStatBuf st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  return (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
}

/* The public bundle is written once per batch revision and sent from its file: a second
 * reader gets the same bytes from the same file (not written again), gzipped from its gzip
 * file; a new event makes a new revision whose bundle has it, and the old files go. */
static void
test_documents_by_revision(Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_strdup_printf("/01/" GTIN "/10/%s?linkType=pt:traceBundle", f->lot);
  Reply first = fetch(f, "GET", path, NULL);
  g_assert_cmpint(first.status, ==, 200);
  g_autoptr(GPtrArray) files = document_files(f);
  g_assert_cmpuint(files->len, ==, 2); /* the bundle, plain and gzipped */
  const char *plain = files->pdata[0], *gz = files->pdata[1];
  g_assert_true(g_str_has_suffix(plain, ".bundle.json") && g_str_has_suffix(gz, ".bundle.json.gz"));
  gint64 written = modified_ns(plain);
  g_autofree char *kept = NULL;
  gsize kept_len = 0;
  g_assert_true(g_file_get_contents(plain, &kept, &kept_len, NULL));
  g_assert_cmpmem(first.body->str, first.body->len, kept, kept_len);

  Reply again = fetch(f, "GET", path, NULL);
  g_assert_cmpmem(again.body->str, again.body->len, first.body->str, first.body->len);
  g_assert_cmpint(modified_ns(plain), ==, written);
  Reply zipped = fetch(f, "GET", path, "Accept-Encoding: gzip");
  g_assert_cmpint(zipped.status, ==, 200);
  g_assert_nonnull(strstr(zipped.headers->str, "Content-Encoding: gzip"));
  g_autofree char *gz_kept = NULL;
  gsize gz_len = 0;
  g_assert_true(g_file_get_contents(gz, &gz_kept, &gz_len, NULL));
  g_assert_cmpmem(zipped.body->str, zipped.body->len, gz_kept, gz_len);
  g_autoptr(GBytes) packed = g_bytes_new(gz_kept, gz_len);
  g_autoptr(GConverter) unzip = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes(packed);
  g_autoptr(GInputStream) in = g_converter_input_stream_new(raw, unzip);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();
  g_assert_cmpint(g_output_stream_splice(out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, NULL),
                  ==, (gssize)kept_len);
  g_assert_cmpmem(g_memory_output_stream_get_data(G_MEMORY_OUTPUT_STREAM(out)), kept_len, kept,
                  kept_len);

  /* A new event: a new revision, its bundle has the event and verifies, the old files go. */
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_batch_lookup(f->ts->store, f->lot, &error);
  PtEventSpec ev = {.step = "storing"};
  g_assert_true(pt_batch_add_event(f->ts->station, f->ts->store, batch, &ev, NULL, &error));
  Reply later = fetch(f, "GET", path, NULL);
  PtVerifyResult result;
  g_assert_true(pt_bundle_verify(later.body->str, later.body->len, f->ts->station->keys->public_key,
                                 &result, &error));
  g_assert_cmpint(result.n_events, ==, 4);
  pt_verify_result_clear(&result);
  g_autoptr(GPtrArray) now = document_files(f);
  g_assert_cmpuint(now->len, ==, 2);
  g_assert_false(g_file_test(plain, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(gz, G_FILE_TEST_EXISTS));
  reply_clear(&first);
  reply_clear(&again);
  reply_clear(&zipped);
  reply_clear(&later);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_test_add("/web/resolver/html-json-epcis", Fixture, NULL, fixture_setup, test_html_json_epcis,
             fixture_teardown);
  g_test_add("/web/resolver/unknown-and-malformed", Fixture, NULL, fixture_setup,
             test_unknown_and_malformed, fixture_teardown);
  g_test_add("/web/resolver/cache-fresh", Fixture, NULL, fixture_setup, test_cache_fresh,
             fixture_teardown);
  g_test_add("/web/static", Fixture, NULL, fixture_setup, test_static_assets, fixture_teardown);
  g_test_add("/web/documents-by-revision", Fixture, NULL, fixture_setup, test_documents_by_revision,
             fixture_teardown);
  int rc = g_test_run();
  curl_global_cleanup();
  return rc;
}

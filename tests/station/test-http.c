/* test-http.c: the real `packtrace run` on loopback, driven with libcurl: routes,
 * status codes, auth, body limits, the CLI writing while the server reads, the batch
 * answers kept by revision never stale nor another reader's, and a clean stop on SIGTERM. */
#include "pt-bundle.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-test-station.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

typedef struct {
  PtTestStation *ts;
  GSubprocess *server;
  char *base;
  char *token;
} Fixture;

typedef struct {
  long status;
  GString *body;
  char *content_type;
} Reply;

static void
reply_clear(Reply *r)
{
  if (r->body)
    g_string_free(r->body, TRUE);
  g_free(r->content_type);
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *user)
{
  g_string_append_len(user, ptr, (gssize)(size * n));
  return size * n;
}

static Reply
request(Fixture *f, const char *method, const char *path, const char *body, gsize body_len,
        const char *token, const char *content_type)
{
  Reply r = {.body = g_string_new(NULL)};
  CURL *c = curl_easy_init();
  g_autofree char *url = g_strconcat(f->base, path, NULL);
  struct curl_slist *headers = NULL;
  g_autofree char *auth = token ? g_strdup_printf("Authorization: Bearer %s", token) : NULL;
  g_autofree char *ctype = content_type ? g_strdup_printf("Content-Type: %s", content_type) : NULL;
  if (auth)
    headers = curl_slist_append(headers, auth);
  if (ctype)
    headers = curl_slist_append(headers, ctype);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, r.body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
  }
  CURLcode rc = curl_easy_perform(c);
  g_assert_cmpint(rc, ==, CURLE_OK);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  char *ct = NULL;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
  r.content_type = g_strdup(ct);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return r;
}

/* Reads with the operator token: batch reads are for buyers and up. */
static Reply
get(Fixture *f, const char *path)
{
  return request(f, "GET", path, NULL, 0, f->token, NULL);
}

static json_t *
reply_json(const Reply *r)
{
  g_autoptr(GError) error = NULL;
  json_t *v = pt_json_parse(r->body->str, r->body->len, &error);
  g_assert_no_error(error);
  return v;
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->ts = pt_test_station_new();
  f->token = g_strdup(f->ts->station->config->operator_token);
  f->server = pt_test_station_run(f->ts, &f->base);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  pt_test_station_stop(f->server);
  g_object_unref(f->server);
  pt_test_station_free(f->ts);
  g_free(f->base);
  g_free(f->token);
}

static void
test_read_routes(Fixture *f, gconstpointer data)
{
  g_autoptr(PtBatch) b = pt_test_batch(f->ts, 2);
  Reply r = get(f, "/healthz");
  g_assert_cmpint(r.status, ==, 200);
  reply_clear(&r);

  r = get(f, "/api/v1/station");
  g_assert_cmpint(r.status, ==, 200);
  json_t *st = reply_json(&r);
  g_autofree char *pub = pt_hex_encode(f->ts->station->keys->public_key, PT_PUB_LEN);
  g_assert_cmpstr(json_string_value(json_object_get(st, "public_key")), ==, pub);
  g_assert_cmpstr(json_string_value(json_object_get(st, "id")), ==,
                  f->ts->station->config->station_id);
  g_assert_nonnull(json_object_get(st, "version"));
  json_decref(st);
  reply_clear(&r);

  r = get(f, "/api/v1/batches");
  g_assert_cmpint(r.status, ==, 200);
  json_t *list = reply_json(&r);
  g_assert_cmpuint(json_array_size(json_object_get(list, "batches")), ==, 1);
  json_decref(list);
  reply_clear(&r);

  g_autofree char *path = g_strdup_printf("/api/v1/batches/%" G_GINT64_FORMAT, b->id);
  r = get(f, path);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_true(g_str_has_prefix(r.content_type, "application/json"));
  json_t *one = reply_json(&r);
  g_assert_cmpstr(json_string_value(json_object_get(one, "lot")), ==, b->lot);
  g_assert_cmpuint(json_array_size(json_object_get(one, "event_list")), ==, 3);
  json_decref(one);
  reply_clear(&r);

  g_autofree char *by_lot = g_strdup_printf("/api/v1/batches/%s/epcis", b->lot);
  r = get(f, by_lot);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "application/ld+json");
  json_t *doc = reply_json(&r);
  g_assert_cmpstr(json_string_value(json_object_get(doc, "type")), ==, "EPCISDocument");
  reply_clear(&r);

  /* An event found by its GS1 Event Hash ID, as the document lists it: URL-encoded, or with
   * its '?ver=CBV2.0' left as the query. */
  const char *hash_id =
      json_string_value(json_array_get(json_object_get(doc, "pt:eventHashIds"), 1));
  g_assert_nonnull(hash_id);
  const char *event_id = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(doc, "epcisBody"), "eventList"), 1),
      "eventID"));
  g_autofree char *encoded = g_uri_escape_string(hash_id, NULL, FALSE);
  g_autofree char *event_path = g_strconcat("/api/v1/events/", encoded, NULL);
  g_autofree char *plain_path = g_strconcat("/api/v1/events/", hash_id, NULL);
  const char *event_paths[] = {event_path, plain_path};
  for (gsize i = 0; i < G_N_ELEMENTS(event_paths); i++) {
    r = get(f, event_paths[i]);
    g_assert_cmpint(r.status, ==, 200);
    json_t *found = reply_json(&r);
    g_assert_cmpstr(json_string_value(json_object_get(found, "hashId")), ==, hash_id);
    g_assert_cmpstr(json_string_value(json_object_get(found, "eventID")), ==, event_id);
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(found, "batch"), "lot")), ==,
                    b->lot);
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(found, "batch"), "gtin")), ==,
                    b->gtin);
    json_decref(found);
    reply_clear(&r);
  }
  r = request(f, "GET", event_path, NULL, 0, NULL, NULL);
  g_assert_cmpint(r.status, ==, 401);
  reply_clear(&r);
  r = get(f, "/api/v1/events/ni%3A%2F%2F%2Fsha-256%3B"
             "0000000000000000000000000000000000000000000000000000000000000000%3Fver%3DCBV2.0");
  g_assert_cmpint(r.status, ==, 404);
  reply_clear(&r);
  r = get(f, "/api/v1/events/urn%3Auuid%3A1");
  g_assert_cmpint(r.status, ==, 400);
  reply_clear(&r);
  json_decref(doc);

  g_autofree char *bundle_path = g_strdup_printf("%s/bundle", path);
  r = get(f, bundle_path);
  g_assert_cmpint(r.status, ==, 200);
  PtVerifyResult result;
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_bundle_verify(r.body->str, r.body->len, f->ts->station->keys->public_key,
                                 &result, &error));
  g_assert_cmpint(result.n_events, ==, 3);
  pt_verify_result_clear(&result);
  reply_clear(&r);
}

static void
expect_status(Fixture *f, const char *method, const char *path, const char *body, const char *token,
              long status, const char *needle)
{
  Reply r = request(f, method, path, body, body ? strlen(body) : 0, token,
                    body ? "application/json" : NULL);
  if (r.status != status || (needle && !strstr(r.body->str, needle)))
    g_error("%s %s: got %ld %s, wanted %ld with '%s'", method, path, r.status, r.body->str, status,
            needle ? needle : "");
  /* Every error answer is JSON with a message. */
  if (status >= 400) {
    json_t *e = reply_json(&r);
    g_assert_nonnull(json_string_value(json_object_get(e, "error")));
    json_decref(e);
  }
  reply_clear(&r);
}

static void
test_errors(Fixture *f, gconstpointer data)
{
  g_autoptr(PtBatch) b = pt_test_batch(f->ts, 0);
  expect_status(f, "GET", "/nope", NULL, NULL, 404, "no such");
  expect_status(f, "GET", "/api/v1/batches/999", NULL, f->token, 404, "999");
  expect_status(f, "GET", "/api/v1/batches/1/nope", NULL, f->token, 404, NULL);
  expect_status(f, "GET", "/api/v1/batches/1/bundle/x", NULL, f->token, 404, NULL);
  expect_status(f, "DELETE", "/api/v1/batches/1", NULL, NULL, 405, NULL);
  expect_status(f, "PUT", "/api/v1/batches", "{}", f->token, 405, NULL);
  expect_status(f, "POST", "/healthz", "{}", NULL, 405, NULL);
  expect_status(f, "GET", "/api/v1/batches?limit=0", NULL, f->token, 400, "limit");
  expect_status(f, "GET", "/api/v1/batches?limit=abc", NULL, f->token, 400, "limit");
  expect_status(f, "POST", "/api/v1/batches", "{\"product\":\"A\",\"gtin\":\"09506000134352\"}",
                NULL, 401, "token");
  expect_status(f, "POST", "/api/v1/batches", "{\"product\":\"A\",\"gtin\":\"09506000134352\"}",
                "wrong-token-wrong-token-wrong-token", 401, NULL);
  expect_status(f, "POST", "/api/v1/batches", "{\"product\":", f->token, 400, "malformed JSON");
  expect_status(f, "POST", "/api/v1/batches", "[1,2]", f->token, 400, "object");
  expect_status(f, "POST", "/api/v1/batches", "{\"product\":\"A\",\"gtin\":\"09506000134353\"}",
                f->token, 400, "expected 2");
  expect_status(f, "POST", "/api/v1/batches", "{\"product\":\"A\",\"gtn\":\"09506000134352\"}",
                f->token, 400, "unknown field");
  expect_status(f, "POST", "/api/v1/batches",
                "{\"product\":\"A\",\"gtin\":\"09506000134352\",\"lot\":\"A B\"}", f->token, 400,
                "82-character");
  expect_status(f, "POST", "/api/v1/batches",
                "{\"product\":\"A\",\"gtin\":\"09506000134352\","
                "\"pack_date\":\"2026-13-01\"}",
                f->token, 400, "not a date");

  /* Over the body limit: 413, and nothing was created. */
  g_autofree char *big = g_malloc(200 * 1024);
  memset(big, ' ', 200 * 1024);
  Reply r = request(f, "POST", "/api/v1/batches", big, 200 * 1024, f->token, "application/json");
  g_assert_cmpint(r.status, ==, 413);
  reply_clear(&r);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = pt_store_batch_list(f->ts->store, 10, 0, &error);
  g_assert_cmpuint(list->len, ==, 1);
}

static void
test_create_over_http(Fixture *f, gconstpointer data)
{
  const char *body = "{\"product\":\"Oranges\",\"gtin\":\"9506000134352\",\"variety\":\"Navel\","
                     "\"harvest_date\":\"2026-11-20\",\"pack_date\":\"2026-11-25\","
                     "\"quantity\":12.5,\"uom\":\"KGM\"}";
  Reply r = request(f, "POST", "/api/v1/batches", body, strlen(body), f->token, NULL);
  g_assert_cmpint(r.status, ==, 201);
  json_t *b = reply_json(&r);
  g_assert_cmpstr(json_string_value(json_object_get(b, "gtin")), ==, "09506000134352");
  g_assert_cmpstr(json_string_value(json_object_get(b, "digital_link")), ==,
                  "https://trace.example.coop/01/09506000134352/10/PT2611250001?13=261125");
  g_assert_cmpfloat(json_number_value(json_object_get(b, "quantity")), ==, 12.5);
  json_decref(b);
  reply_clear(&r);
  /* The store has it, with its signed commissioning event. */
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) stored = pt_store_batch_get_by_lot(f->ts->store, "PT2611250001", &error);
  g_assert_no_error(error);
  g_assert_cmpint(stored->n_events, ==, 1);
}

/* POSTs @body to /api/v1/batches/LOT/@action with @token; returns the status and, when
 * @out is given, the parsed reply. */
static long
post_action(Fixture *f, const char *lot, const char *action, const char *body, const char *token,
            json_t **out)
{
  g_autofree char *path = g_strdup_printf("/api/v1/batches/%s/%s", lot, action);
  Reply r = request(f, "POST", path, body, body ? strlen(body) : 0, token, NULL);
  long status = r.status;
  if (out)
    *out = reply_json(&r);
  reply_clear(&r);
  return status;
}

static void
test_batch_actions(Fixture *f, gconstpointer data)
{
  const char *create = "{\"product\":\"Oranges\",\"gtin\":\"9506000134352\","
                       "\"pack_date\":\"2026-11-25\"}";
  Reply r = request(f, "POST", "/api/v1/batches", create, strlen(create), f->token, NULL);
  g_assert_cmpint(r.status, ==, 201);
  reply_clear(&r);
  const char *lot = "PT2611250001";
  json_t *o = NULL;

  /* Without the token nothing is written. */
  g_assert_cmpint(post_action(f, lot, "hold", "{\"reason\":\"mould\"}", NULL, NULL), ==, 401);
  g_assert_cmpint(post_action(f, lot, "hold", "{\"reason\":\"mould\"}", "wrong", NULL), ==, 401);
  g_assert_cmpint(post_action(f, lot, "events", "{\"step\":\"packing\"}", NULL, NULL), ==, 401);
  /* Bad bodies: a hold without a reason, unknown members, malformed JSON. */
  g_assert_cmpint(post_action(f, lot, "hold", "{}", f->token, NULL), ==, 400);
  g_assert_cmpint(post_action(f, lot, "hold", "{\"reason\":\"x\",\"why\":1}", f->token, NULL), ==,
                  400);
  g_assert_cmpint(post_action(f, lot, "hold", "{\"reason\":", f->token, NULL), ==, 400);
  g_assert_cmpint(post_action(f, "PT0000000000", "hold", "{\"reason\":\"x\"}", f->token, NULL), ==,
                  404);
  g_assert_cmpint(post_action(f, lot, "release", NULL, f->token, NULL), ==, 409);

  g_assert_cmpint(post_action(f, lot, "hold", "{\"reason\":\"mould\"}", f->token, &o), ==, 200);
  g_assert_cmpstr(json_string_value(json_object_get(o, "status")), ==, "held");
  g_clear_pointer(&o, json_decref);
  g_assert_cmpint(post_action(f, lot, "hold", "{\"reason\":\"again\"}", f->token, NULL), ==, 409);
  g_assert_cmpint(post_action(f, lot, "release", NULL, f->token, &o), ==, 200);
  g_assert_cmpstr(json_string_value(json_object_get(o, "status")), ==, "active");
  g_clear_pointer(&o, json_decref);

  /* A step by hand: unknown steps and dispositions are refused, a known one is signed. */
  g_assert_cmpint(post_action(f, lot, "events", "{\"step\":\"juggling\"}", f->token, NULL), ==,
                  400);
  g_assert_cmpint(
      post_action(f, lot, "events", "{\"step\":\"packing\",\"disposition\":\"x\"}", f->token, NULL),
      ==, 400);
  g_assert_cmpint(
      post_action(f, lot, "events", "{\"step\":\"packing\",\"colour\":\"red\"}", f->token, NULL),
      ==, 400);
  const char *ev = "{\"step\":\"packing\",\"disposition\":\"in_progress\","
                   "\"at\":\"2026-11-25T08:00:00Z\",\"quantity\":40,\"uom\":\"KGM\","
                   "\"note\":\"line 2\"}";
  g_assert_cmpint(post_action(f, lot, "events", ev, f->token, &o), ==, 201);
  json_t *event = json_object_get(o, "event");
  g_assert_cmpstr(json_string_value(json_object_get(event, "bizStep")), ==, "packing");
  g_assert_cmpstr(json_string_value(json_object_get(event, "disposition")), ==, "in_progress");
  g_assert_cmpstr(json_string_value(json_object_get(event, "pt:note")), ==, "line 2");
  g_clear_pointer(&o, json_decref);

  /* A recalled batch stays recalled. */
  g_assert_cmpint(post_action(f, lot, "recall", "{\"reason\":\"listeria\"}", f->token, &o), ==,
                  200);
  g_assert_cmpstr(json_string_value(json_object_get(o, "status")), ==, "recalled");
  g_clear_pointer(&o, json_decref);
  g_assert_cmpint(post_action(f, lot, "hold", "{\"reason\":\"x\"}", f->token, NULL), ==, 409);
  g_assert_cmpint(post_action(f, lot, "recall", "{\"reason\":\"x\"}", f->token, NULL), ==, 409);
  /* GET on a write route is refused. */
  r = get(f, "/api/v1/batches/PT2611250001/hold");
  g_assert_cmpint(r.status, ==, 405);
  reply_clear(&r);

  /* commissioning, hold, release, packing, recall: each signed, nothing from refusals. */
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) stored = pt_store_batch_get_by_lot(f->ts->store, lot, &error);
  g_assert_no_error(error);
  g_assert_cmpint(stored->n_events, ==, 5);
  g_assert_cmpstr(stored->status, ==, "recalled");
}

typedef struct {
  Fixture *f;
  char *path;
  int ok;
} Reader;

static gpointer
reader_thread(gpointer data)
{
  Reader *rd = data;
  for (int i = 0; i < 50; i++) {
    Reply r = get(rd->f, rd->path);
    rd->ok += r.status == 200;
    reply_clear(&r);
  }
  return NULL;
}

static void
test_cli_writes_while_serving(Fixture *f, gconstpointer data)
{
  /* The CLI and the running station share the database: readers keep getting
   * answers while another process appends. */
  g_autoptr(PtBatch) b = pt_test_batch(f->ts, 0);
  Reader readers[3];
  GThread *threads[3];
  for (int i = 0; i < 3; i++) {
    readers[i] = (Reader){.f = f, .path = g_strdup_printf("/api/v1/batches/%s", b->lot)};
    threads[i] = g_thread_new("reader", reader_thread, &readers[i]);
  }
  g_autofree char *bin =
      g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL);
  for (int i = 0; i < 5; i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) p =
        g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, bin, "event", "add", b->lot,
                         "--step", "inspecting", "--data", f->ts->dir, NULL);
    g_assert_no_error(error);
    g_assert_true(g_subprocess_wait_check(p, NULL, &error));
  }
  for (int i = 0; i < 3; i++) {
    g_thread_join(threads[i]);
    g_assert_cmpint(readers[i].ok, ==, 50);
    g_free(readers[i].path);
  }
  g_autofree char *path = g_strdup_printf("/api/v1/batches/%s", b->lot);
  Reply r = get(f, path);
  json_t *one = reply_json(&r);
  g_assert_cmpuint(json_array_size(json_object_get(one, "event_list")), ==, 6);
  json_decref(one);
  reply_clear(&r);
}

/* Runs `packtrace ARGS... --data DIR` in its own process, as the shed's command line does
 * beside the running server.  Returns: (transfer full): what it printed. */
static char *
cli(Fixture *f, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv,
                  g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL));
  for (gsize i = 0; args[i]; i++)
    g_ptr_array_add(argv, g_strdup(args[i]));
  g_ptr_array_add(argv, g_strdup("--data"));
  g_ptr_array_add(argv, g_strdup(f->ts->dir));
  g_ptr_array_add(argv, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p =
      g_subprocess_newv((const char *const *)argv->pdata,
                        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error(error);
  char *out = NULL;
  g_autofree char *err = NULL;
  g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &out, &err, &error));
  g_assert_no_error(error);
  if (!g_subprocess_get_successful(p))
    g_error("packtrace %s %s failed: %s", args[0], args[1], err);
  return out;
}

/* A buyer API key scoped to @gln, made by the CLI.  Returns: (transfer full). */
static char *
buyer_key(Fixture *f, const char *name, const char *gln)
{
  const char *args[] = {"apikey", "add", name, "--role", "buyer", "--scope", gln, "--json", NULL};
  g_autofree char *out = cli(f, args);
  g_autoptr(GError) error = NULL;
  json_t *o = pt_json_parse(out, strlen(out), &error);
  g_assert_no_error(error);
  char *key = g_strdup(json_string_value(json_object_get(o, "key")));
  json_decref(o);
  g_assert_nonnull(key);
  return key;
}

/* GET @path with @token: 200, and its body.  Returns: (transfer full). */
static char *
read_body(Fixture *f, const char *path, const char *token)
{
  Reply r = request(f, "GET", path, NULL, 0, token, NULL);
  g_assert_cmpint(r.status, ==, 200);
  char *body = g_strndup(r.body->str, r.body->len);
  reply_clear(&r);
  return body;
}

static gsize
events_in(const char *body)
{
  g_autoptr(GError) error = NULL;
  json_t *o = pt_json_parse(body, strlen(body), &error);
  g_assert_no_error(error);
  gsize n = json_array_size(json_object_get(o, "event_list"));
  json_decref(o);
  return n;
}

#define GLN_A "4012345000115"
#define GLN_B "4012345000122"

static void
test_batch_cache(Fixture *f, gconstpointer data)
{
  /* The server keeps each batch answer per view and buyer scope until the batch's revision
   * changes: an event the CLI appends from another process must show at once, under every
   * name of the batch (lot, id, #id), and a buyer must never be handed the operator's
   * answer or another buyer's, whoever asked first. */
  /* No declared quantity, so the batch may go on a second load. */
  PtBatchSpec spec = {.product = "Oranges", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) b = pt_batch_create(f->ts->station, f->ts->store, &spec, &error);
  g_assert_no_error(error);
  PtEventSpec check = {.step = "inspecting", .disposition = "conformant", .note = "check"};
  g_assert_true(pt_batch_add_event(f->ts->station, f->ts->store, b, &check, NULL, &error));
  const char *load1[] = {"load",          "new",      "--plate",           "AB 1", "--seal", "S-1",
                         "--destination", "Fresh Co", "--destination-gln", GLN_A,  NULL};
  const char *add1[] = {"load", "add", "1", b->lot, NULL};
  const char *close1[] = {"load", "close", "1", NULL};
  const char *load2[] = {
      "load",          "new",        "--plate",           "AB 2", "--seal", "S-2",
      "--destination", "Sun Market", "--destination-gln", GLN_B,  NULL};
  const char *add2[] = {"load", "add", "2", b->lot, NULL};
  const char *const *steps[] = {load1, add1, close1, load2, add2};
  for (gsize i = 0; i < G_N_ELEMENTS(steps); i++)
    g_free(cli(f, steps[i]));
  g_autofree char *key_a = buyer_key(f, "buyer-a", GLN_A);
  g_autofree char *key_b = buyer_key(f, "buyer-b", GLN_B);
  const char *tokens[] = {f->token, key_a, key_b};
  g_autofree char *by_lot = g_strdup_printf("/api/v1/batches/%s", b->lot);
  g_autofree char *by_id = g_strdup_printf("/api/v1/batches/%" G_GINT64_FORMAT, b->id);
  g_autofree char *by_hash = g_strdup_printf("/api/v1/batches/%%23%" G_GINT64_FORMAT, b->id);
  const char *paths[] = {by_lot, by_id, by_hash};

  for (int round = 0; round < 2; round++) {
    char *first[G_N_ELEMENTS(tokens)] = {NULL};
    /* Each connection may land on either worker thread, each with its own cache: enough
     * requests that both hold every answer. */
    for (int rep = 0; rep < 6; rep++)
      for (gsize p = 0; p < G_N_ELEMENTS(paths); p++)
        for (gsize t = 0; t < G_N_ELEMENTS(tokens); t++) {
          g_autofree char *body = read_body(f, paths[p], tokens[t]);
          if (!first[t])
            first[t] = g_strdup(body);
          if (strcmp(body, first[t]) != 0)
            g_error("%s read by reader %zu: not the answer it got first", paths[p], t);
        }
    /* Commissioning, one inspection, loading, departing, loading; then the CLI's. */
    for (gsize t = 0; t < G_N_ELEMENTS(tokens); t++)
      g_assert_cmpuint(events_in(first[t]), ==, 5 + (gsize)round);
    g_assert_nonnull(strstr(first[0], GLN_A));
    g_assert_nonnull(strstr(first[0], GLN_B));
    g_assert_nonnull(strstr(first[1], GLN_A));
    g_assert_null(strstr(first[1], GLN_B));
    g_assert_nonnull(strstr(first[2], GLN_B));
    g_assert_null(strstr(first[2], GLN_A));
    for (gsize t = 0; t < G_N_ELEMENTS(tokens); t++)
      g_free(first[t]);
    if (round == 0) {
      const char *event[] = {"event", "add", b->lot, "--step", "inspecting", NULL};
      g_free(cli(f, event));
    }
  }
}

/* Runs zbarimg on @png_bytes.  Returns: (transfer full) (nullable): the symbols'
 * data, or NULL when zbarimg is not installed. */
static char *
zbar_decode(const GString *png_bytes)
{
  g_autofree char *zbarimg = g_find_program_in_path("zbarimg");
  if (!zbarimg)
    return NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("packtrace-label-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *path = g_build_filename(dir, "label.png", NULL);
  g_assert_true(g_file_set_contents(path, png_bytes->str, (gssize)png_bytes->len, &error));
  const char *argv[] = {zbarimg, "--quiet", "--raw", path, NULL};
  char *out = NULL;
  int status = 0;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                             &out, NULL, &status, &error));
  g_assert_no_error(error);
  g_unlink(path);
  g_rmdir(dir);
  g_strchomp(out);
  return out;
}

static void
test_label_route(Fixture *f, gconstpointer data)
{
  g_autoptr(PtBatch) b = pt_test_batch(f->ts, 0);
  g_autofree char *link = pt_batch_digital_link(f->ts->station->config, b);
  g_autofree char *base = g_strdup_printf("/api/v1/batches/%s/label", b->lot);

  Reply r = get(f, base);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "image/png");
  g_assert_true(memcmp(r.body->str, "\x89PNG", 4) == 0);
  g_autofree char *qr = zbar_decode(r.body);
  if (qr)
    g_assert_cmpstr(qr, ==, link);
  else
    g_test_message("zbarimg not installed: QR not decoded");
  reply_clear(&r);

  g_autofree char *case_png = g_strdup_printf("%s?template=case&format=png&dpi=300", base);
  r = get(f, case_png);
  g_assert_cmpint(r.status, ==, 200);
  g_autofree char *gs1 = zbar_decode(r.body);
  if (gs1)
    g_assert_cmpstr(gs1, ==, "01095060001343521326112510PT2611250001");
  reply_clear(&r);

  g_autofree char *pdf = g_strdup_printf(
      "/api/v1/batches/%" G_GINT64_FORMAT "/label?template=pallet&format=pdf", b->id);
  r = get(f, pdf);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "application/pdf");
  g_assert_true(g_str_has_prefix(r.body->str, "%PDF-"));
  reply_clear(&r);

  g_autofree char *svg = g_strdup_printf("%s?format=svg&template=case", base);
  r = get(f, svg);
  g_assert_cmpint(r.status, ==, 200);
  g_assert_cmpstr(r.content_type, ==, "image/svg+xml");
  g_assert_nonnull(strstr(r.body->str, "<svg"));
  reply_clear(&r);

  g_autofree char *bad_t = g_strdup_printf("%s?template=box", base);
  expect_status(f, "GET", bad_t, NULL, f->token, 400, "template");
  g_autofree char *bad_f = g_strdup_printf("%s?format=zpl", base);
  expect_status(f, "GET", bad_f, NULL, f->token, 400, "format");
  g_autofree char *bad_dpi = g_strdup_printf("%s?dpi=5", base);
  expect_status(f, "GET", bad_dpi, NULL, f->token, 400, "dpi");
  expect_status(f, "GET", "/api/v1/batches/999/label", NULL, f->token, 404, "999");
  expect_status(f, "POST", base, "{}", f->token, 405, NULL);
}

static unsigned
post_status(Fixture *f, const char *path, const char *body, const char *token, json_t **out)
{
  Reply r = request(f, "POST", path, body, strlen(body), token, NULL);
  unsigned status = (unsigned)r.status;
  if (out)
    *out = reply_json(&r);
  reply_clear(&r);
  return status;
}

static void
test_loads(Fixture *f, gconstpointer data)
{
  g_autoptr(PtBatch) b1 = pt_test_batch(f->ts, 1);
  g_autoptr(PtBatch) b2 = pt_test_batch(f->ts, 2);
  json_t *o = NULL;
  const char *spec = "{\"plate\":\"AB 123\",\"seal\":\"S-1\",\"bol\":\"BOL-1\",\"dock\":\"d1\"}";
  /* Writes and reads need the operator token. */
  g_assert_cmpuint(post_status(f, "/api/v1/loads", spec, NULL, NULL), ==, 401);
  Reply r = request(f, "GET", "/api/v1/loads", NULL, 0, NULL, NULL);
  g_assert_cmpint(r.status, ==, 401);
  reply_clear(&r);
  g_assert_cmpuint(post_status(f, "/api/v1/loads", spec, f->token, &o), ==, 201);
  g_assert_cmpint(json_integer_value(json_object_get(o, "id")), ==, 1);
  g_assert_cmpstr(json_string_value(json_object_get(o, "state")), ==, "open");
  json_decref(o);
  g_assert_cmpuint(
      post_status(f, "/api/v1/loads", "{\"plate\":\"A\\u0001\",\"seal\":\"S\"}", f->token, NULL),
      ==, 400);
  g_assert_cmpuint(
      post_status(f, "/api/v1/loads", "{\"plate\":\"A\",\"seal\":\"S\",\"x\":1}", f->token, NULL),
      ==, 400);

  g_autofree char *add1 = g_strdup_printf("{\"batch\":\"%s\"}", b1->lot);
  g_assert_cmpuint(post_status(f, "/api/v1/loads/1/batches", add1, f->token, &o), ==, 201);
  g_autofree char *event_id = g_strdup(json_string_value(json_object_get(o, "event_id")));
  json_decref(o);
  /* Idempotent: the same batch again is the same event, 200. */
  g_assert_cmpuint(post_status(f, "/api/v1/loads/1/batches", add1, f->token, &o), ==, 200);
  g_assert_cmpstr(json_string_value(json_object_get(o, "event_id")), ==, event_id);
  g_assert_true(json_is_true(json_object_get(o, "existed")));
  json_decref(o);
  g_autoptr(GError) error = NULL;
  g_assert_true(
      pt_batch_change_status(f->ts->station, f->ts->store, b2, PT_BATCH_HOLD, "mould", &error));
  g_assert_no_error(error);
  g_assert_cmpuint(post_status(f, "/api/v1/loads/1/batches", "{\"batch\":\"2\"}", f->token, &o), ==,
                   409);
  g_assert_nonnull(strstr(json_string_value(json_object_get(o, "error")), "held: mould"));
  json_decref(o);
  g_assert_cmpuint(post_status(f, "/api/v1/loads/9/batches", add1, f->token, NULL), ==, 404);
  g_assert_cmpuint(
      post_status(f, "/api/v1/loads/1/batches", "{\"batch\":\"nope\"}", f->token, NULL), ==, 404);
  g_assert_cmpuint(post_status(f, "/api/v1/loads/1/batches", "{\"lot\":1}", f->token, NULL), ==,
                   400);

  r = request(f, "GET", "/api/v1/loads/1", NULL, 0, f->token, NULL);
  g_assert_cmpint(r.status, ==, 200);
  o = reply_json(&r);
  reply_clear(&r);
  g_assert_cmpint(json_array_size(json_object_get(o, "batches")), ==, 1);
  g_assert_cmpint(json_array_size(json_object_get(o, "refusals")), ==, 1);
  json_decref(o);
  r = request(f, "GET", "/api/v1/loads", NULL, 0, f->token, NULL);
  g_assert_cmpint(r.status, ==, 200);
  o = reply_json(&r);
  reply_clear(&r);
  g_assert_cmpint(json_array_size(json_object_get(o, "loads")), ==, 1);
  json_decref(o);
  r = request(f, "GET", "/api/v1/loads/7", NULL, 0, f->token, NULL);
  g_assert_cmpint(r.status, ==, 404);
  reply_clear(&r);
  r = request(f, "DELETE", "/api/v1/loads/1", NULL, 0, f->token, NULL);
  g_assert_cmpint(r.status, ==, 405);
  reply_clear(&r);

  g_assert_cmpuint(post_status(f, "/api/v1/loads/1/close", "", f->token, &o), ==, 200);
  g_assert_cmpint(json_integer_value(json_object_get(o, "departing_events")), ==, 1);
  json_decref(o);
  g_assert_cmpuint(post_status(f, "/api/v1/loads/1/close", "", f->token, NULL), ==, 409);
  g_assert_cmpuint(post_status(f, "/api/v1/loads/1/batches", add1, f->token, NULL), ==, 409);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_test_add("/http/read-routes", Fixture, NULL, fixture_setup, test_read_routes, fixture_teardown);
  g_test_add("/http/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add("/http/create", Fixture, NULL, fixture_setup, test_create_over_http, fixture_teardown);
  g_test_add("/http/cli-writes-while-serving", Fixture, NULL, fixture_setup,
             test_cli_writes_while_serving, fixture_teardown);
  g_test_add("/http/batch-cache", Fixture, NULL, fixture_setup, test_batch_cache, fixture_teardown);
  g_test_add("/http/batch-actions", Fixture, NULL, fixture_setup, test_batch_actions,
             fixture_teardown);
  g_test_add("/http/loads", Fixture, NULL, fixture_setup, test_loads, fixture_teardown);
  g_test_add("/http/label", Fixture, NULL, fixture_setup, test_label_route, fixture_teardown);
  int rc = g_test_run();
  curl_global_cleanup();
  return rc;
}

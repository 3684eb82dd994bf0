/* test-hub-ingest.c: a real station's events posted to a real hub (`packtrace hub` server
 * in-process on loopback, PostgreSQL from with-pg.sh) by a small client signing its requests
 * with the station's key (pt-hub-sign.h): enrolment, authentication, ingest, gaps, and each
 * forgery refused with its reason and kept in quarantine.
 *
 * The stations are made by the real CLI (`packtrace init`, `batch new`, `event add`,
 * `batch hold`); two more events are appended with the station's own pt_trace_append(): one
 * naming a grading still by SHA-256, one reusing an old eventID (a replay the station key
 * signed). */
#include "pt-canon.h"
#include "pt-error.h"
#include "pt-hub-ingest.h"
#include "pt-hub-server.h"
#include "pt-hub-sign.h"
#include "pt-hub-store.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-store.h"
#include "pt-limits.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <string.h>

static const char still_bytes[] = "a grading still, as the camera saved it";

static struct {
  char *tmp;
  char *dir_a, *dir_b; /* station A (enrolled by code), station B (added by key) */
  PtKeys *keys_a, *keys_b;
  GPtrArray *events_a; /* (element-type json_t) wire events of A, in seq order */
  GPtrArray *events_b;
  char *still_sha;
  PtHubServer *server;
  int port;
  gboolean tamper; /* send the body with its last byte changed after signing it */
} fx;

static void
run_cli(const char *dir, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv,
                  g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL));
  for (gsize i = 0; args[i]; i++)
    g_ptr_array_add(argv, g_strdup(args[i]));
  g_ptr_array_add(argv, g_strdup("--data"));
  g_ptr_array_add(argv, g_strdup(dir));
  g_ptr_array_add(argv, NULL);
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                             &err, &status, &error));
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("%s %s failed: %s", args[0], args[1] ? args[1] : "", err);
}

/* Appends one event with the station's own signing path. */
static void
append_event(const char *dir, PtKeys *keys, json_t *event, const char *step)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename(dir, "station.db", NULL);
  g_autoptr(PtStore) store = pt_store_open(db, FALSE, 5000, &error);
  g_assert_no_error(error);
  g_assert_true(pt_store_begin(store, &error));
  pt_trace_append(store, keys, 1, step, pt_now_ns(), event, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(pt_store_commit(store, &error));
  json_decref(event);
}

static gboolean
collect(const PtEventRow *row, gpointer user_data, GError **error)
{
  GPtrArray *out = ((gpointer *)user_data)[0];
  PtStore *store = ((gpointer *)user_data)[1];
  g_autoptr(PtBatch) batch = pt_store_batch_get(store, row->batch_id, error);
  g_ptr_array_add(out,
                  pt_hub_wire_event(row, batch ? batch->lot : NULL, batch ? batch->gtin : NULL));
  return TRUE;
}

static GPtrArray *
read_events(const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename(dir, "station.db", NULL);
  g_autoptr(PtStore) store = pt_store_open_readonly(db, &error);
  g_assert_no_error(error);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
  gpointer data[] = {out, store};
  g_assert_true(pt_store_events_foreach(store, 0, collect, data, &error));
  return out;
}

static void
make_stations(void)
{
  g_autoptr(GError) error = NULL;
  fx.tmp = g_dir_make_tmp("pt-hub-ingest-XXXXXX", &error);
  fx.dir_a = g_build_filename(fx.tmp, "a", NULL);
  fx.dir_b = g_build_filename(fx.tmp, "b", NULL);
  const char *init[] = {"init", NULL};
  run_cli(fx.dir_a, init);
  run_cli(fx.dir_b, init);
  const char *new_a[] = {"batch",         "new",   "--product", "Oranges",  "--gtin",
                         "9506000134352", "--lot", "HUB-A1",    "--grower", "Li farm",
                         "--variety",     "Navel", NULL};
  const char *new_a2[] = {"batch",         "new",   "--product", "Kiwi", "--gtin",
                          "9506000134352", "--lot", "HUB-A2",    NULL};
  const char *insp[] = {"event",      "add",           "HUB-A1",     "--step",
                        "inspecting", "--disposition", "conformant", NULL};
  const char *pack[] = {"event", "add", "HUB-A2", "--step", "packing", NULL};
  const char *pack1[] = {"event", "add", "HUB-A1", "--step", "packing", NULL};
  const char *hold[] = {"batch", "hold", "HUB-A1", "--reason", "mould found", NULL};
  const char *store2[] = {"event", "add", "HUB-A2", "--step", "storing", NULL};
  run_cli(fx.dir_a, new_a);  /* 1 */
  run_cli(fx.dir_a, new_a2); /* 2 */
  run_cli(fx.dir_a, insp);   /* 3 */
  run_cli(fx.dir_a, pack);   /* 4 */
  run_cli(fx.dir_a, pack1);  /* 5 */
  run_cli(fx.dir_a, hold);   /* 6 */
  run_cli(fx.dir_a, store2); /* 7 */
  fx.keys_a = pt_keys_load(fx.dir_a, &error);
  fx.keys_b = pt_keys_load(fx.dir_b, &error);
  g_assert_no_error(error);

  /* 8: a grading still named by SHA-256, as pt-grading.c signs it. */
  guint8 sha[PT_HASH_LEN];
  crypto_hash_sha256(sha, (const guint8 *)still_bytes, strlen(still_bytes));
  fx.still_sha = pt_hex_encode(sha, PT_HASH_LEN);
  g_autofree char *when = pt_time_format(pt_now_ns());
  append_event(fx.dir_a, fx.keys_a,
               json_pack("{ssssssssss s[{ss}] s[{ssss}]}", "type", "ObjectEvent", "action",
                         "OBSERVE", "bizStep", "inspecting", "eventTime", when,
                         "eventTimeZoneOffset", "+00:00", "quantityList", "epcClass",
                         "https://id.gs1.org/01/09506000134352/10/HUB-A1", "pt:evidence", "file",
                         "stills/1.jpg", "sha256", fx.still_sha),
               "inspecting");
  fx.events_a = read_events(fx.dir_a);
  g_assert_cmpint(fx.events_a->len, ==, 8);
  /* 9: event 1's record again, changed and signed anew with the station's key (a station
   * replaying an old event as another): same eventID, another hash. */
  json_t *old = pt_json_parse(
      json_string_value(json_object_get(fx.events_a->pdata[0], "body")),
      strlen(json_string_value(json_object_get(fx.events_a->pdata[0], "body"))), &error);
  g_assert_no_error(error);
  json_object_set_new(old, "pt:note", json_string("again"));
  PtEventRow replay = {.seq = 9, .event_time_ns = pt_now_ns(), .record_time_ns = pt_now_ns()};
  replay.event_id = g_strdup(json_string_value(json_object_get(old, "eventID")));
  replay.step = g_strdup("commissioning");
  replay.body = pt_canon_dump(old, &replay.body_len, &error);
  crypto_hash_sha256(replay.hash, (const guint8 *)replay.body, replay.body_len);
  pt_keys_sign(fx.keys_a, replay.hash, replay.signature);
  g_ptr_array_add(fx.events_a, pt_hub_wire_event(&replay, "HUB-A1", "09506000134352"));
  pt_event_row_clear(&replay);
  json_decref(old);

  const char *new_b[] = {"batch",         "new",   "--product", "Apples", "--gtin",
                         "9506000134352", "--lot", "HUB-B1",    NULL};
  const char *b2[] = {"event", "add", "HUB-B1", "--step", "packing", NULL};
  const char *b3[] = {"event", "add", "HUB-B1", "--step", "storing", NULL};
  run_cli(fx.dir_b, new_b);
  run_cli(fx.dir_b, b2);
  run_cli(fx.dir_b, b3);
  fx.events_b = read_events(fx.dir_b);
  g_assert_cmpint(fx.events_b->len, ==, 3);
}

static size_t
on_body(char *data, size_t size, size_t n, void *user)
{
  g_string_append_len(user, data, (gssize)(size * n));
  return size * n;
}

/* Sends a request signed by @keys (NULL: unsigned) dated @date_offset_s from now.
 * Returns: (transfer full): the JSON answer; its status in @status. */
static json_t *
request(const char *method, const char *path, const char *body, gsize len, const PtKeys *keys,
        int date_offset_s, const char *content_type, long *status)
{
  CURL *curl = curl_easy_init();
  g_autofree char *url = g_strdup_printf("http://127.0.0.1:%d%s", fx.port, path);
  struct curl_slist *headers = NULL;
  g_auto(PtHubAuth) auth = {0};
  if (keys) {
    pt_hub_sign_request(keys, method, path, body, len,
                        pt_now_ns() + (gint64)date_offset_s * 1000000000, &auth);
    g_autofree char *h1 = g_strdup_printf("PT-Station: %s", auth.station);
    g_autofree char *h2 = g_strdup_printf("PT-Date: %s", auth.date);
    g_autofree char *h3 = g_strdup_printf("PT-Signature: %s", auth.signature);
    headers = curl_slist_append(headers, h1);
    headers = curl_slist_append(headers, h2);
    headers = curl_slist_append(headers, h3);
  }
  g_autofree char *ct =
      g_strdup_printf("Content-Type: %s", content_type ? content_type : "application/json");
  headers = curl_slist_append(headers, ct);
  g_autoptr(GString) answer = g_string_new(NULL);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  g_autofree char *sent = body ? g_strndup(body, len) : NULL;
  if (sent && fx.tamper && len > 0)
    sent[len - 1] ^= 1;
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, sent);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
  g_assert_cmpint(curl_easy_perform(curl), ==, CURLE_OK);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  g_autoptr(GError) error = NULL;
  json_t *v = pt_json_parse(answer->str, answer->len, &error);
  g_assert_no_error(error);
  return v;
}

static json_t *
post_json(const char *path, json_t *body, const PtKeys *keys, long *status)
{
  g_autofree char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  return request("POST", path, text, strlen(text), keys, 0, NULL, status);
}

/* POSTs @events (borrowed wire objects) as @keys. */
static json_t *
post_events(const PtKeys *keys, json_t **events, guint n, long *status)
{
  json_t *arr = json_array();
  for (guint i = 0; i < n; i++)
    json_array_append(arr, events[i]);
  return post_json("/hub/v1/events", json_pack("{so}", "events", arr), keys, status);
}

static const char *
result_status(json_t *answer, guint i)
{
  return json_string_value(
      json_object_get(json_array_get(json_object_get(answer, "results"), i), "status"));
}

static const char *
result_reason(json_t *answer, guint i)
{
  return json_string_value(
      json_object_get(json_array_get(json_object_get(answer, "results"), i), "reason"));
}

/* Fails naming the reason when result @i of @answer is not @want. */
static void
expect_status(json_t *answer, guint i, const char *want)
{
  if (g_strcmp0(result_status(answer, i), want) != 0)
    g_error("result %u is %s (%s), not %s", i, result_status(answer, i),
            result_reason(answer, i) ? result_reason(answer, i) : "", want);
}

static json_t *
event_a(guint seq)
{
  return fx.events_a->pdata[seq - 1];
}

static char *
sql_value(const char *sql)
{
  PGconn *c = PQconnectdb(g_getenv("PT_HUB_DSN"));
  PGresult *r = PQexec(c, sql);
  g_assert_cmpint(PQresultStatus(r), ==, PGRES_TUPLES_OK);
  char *v = g_strdup(PQgetvalue(r, 0, 0));
  PQclear(r);
  PQfinish(c);
  return v;
}

static void
test_enrol(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(g_getenv("PT_HUB_DSN"), NULL, &error);
  g_autofree char *code = pt_hub_enrol_code_new();
  g_autofree char *old = pt_hub_enrol_code_new();
  guint8 hash[PT_HASH_LEN];
  pt_hub_enrol_code_hash(code, hash);
  g_assert_true(
      pt_hub_store_enrol_code_add(store, hash, "Shed A", pt_now_ns() + 3600000000000, &error));
  pt_hub_enrol_code_hash(old, hash);
  g_assert_true(pt_hub_store_enrol_code_add(store, hash, "Old", pt_now_ns() - 1000000000, &error));

  g_autofree char *pk_a = pt_hex_encode(fx.keys_a->public_key, PT_PUB_LEN);
  g_autofree char *pk_b = pt_hex_encode(fx.keys_b->public_key, PT_PUB_LEN);
  long status = 0;
  /* Signed by another key than the one in the body: refused before the code is spent. */
  json_t *a = post_json("/hub/v1/enrol",
                        json_pack("{ssssss}", "code", code, "public_key", pk_a, "name", "A"),
                        fx.keys_b, &status);
  g_assert_cmpint(status, ==, 401);
  json_decref(a);
  /* The code as printed, typed in lower case. */
  g_autofree char *lower = g_ascii_strdown(code, -1);
  a = post_json("/hub/v1/enrol",
                json_pack("{ssssss}", "code", lower, "public_key", pk_a, "name", "A"), fx.keys_a,
                &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_cmpstr(json_string_value(json_object_get(a, "name")), ==, "Shed A");
  json_decref(a);
  /* Once only. */
  a = post_json("/hub/v1/enrol",
                json_pack("{ssssss}", "code", code, "public_key", pk_b, "name", "B"), fx.keys_b,
                &status);
  g_assert_cmpint(status, ==, 401);
  g_assert_cmpstr(json_string_value(json_object_get(a, "error")), ==,
                  "unknown, used or expired enrolment code");
  json_decref(a);
  /* Expired. */
  a = post_json("/hub/v1/enrol",
                json_pack("{ssssss}", "code", old, "public_key", pk_b, "name", "B"), fx.keys_b,
                &status);
  g_assert_cmpint(status, ==, 401);
  json_decref(a);
  g_autofree char *n = sql_value("SELECT count(*) FROM stations");
  g_assert_cmpstr(n, ==, "1");

  /* Station B is registered by its key, as `packtrace hub station add` does. */
  g_autofree char *id_b = pt_keys_station_id(fx.keys_b->public_key);
  g_assert_true(pt_hub_store_station_add(store, id_b, "Shed B", fx.keys_b->public_key, &error));
}

static void
test_authentication(void)
{
  long status = 0;
  const char body[] = "{\"events\":[]}";
  json_t *a = request("POST", "/hub/v1/events", body, strlen(body), fx.keys_a, 0, NULL, &status);
  g_assert_cmpint(status, ==, 200);
  json_decref(a);
  a = request("POST", "/hub/v1/events", body, strlen(body), fx.keys_a, -400, NULL, &status);
  g_assert_cmpint(status, ==, 401);
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "error")), "off the hub's clock"));
  json_decref(a);
  a = request("POST", "/hub/v1/events", body, strlen(body), NULL, 0, NULL, &status);
  g_assert_cmpint(status, ==, 401);
  json_decref(a);
  /* Signed for another body than the one that arrives. */
  fx.tamper = TRUE;
  a = request("POST", "/hub/v1/events", body, strlen(body), fx.keys_a, 0, NULL, &status);
  fx.tamper = FALSE;
  g_assert_cmpint(status, ==, 401);
  g_assert_cmpstr(json_string_value(json_object_get(a, "error")), ==, "bad request signature");
  json_decref(a);
  /* An unknown station. */
  PtKeys stranger = {.secret_key = fx.keys_b->secret_key};
  memcpy(stranger.public_key, fx.keys_b->public_key, PT_PUB_LEN);
  stranger.public_key[0] ^= 1;
  a = request("GET", "/hub/v1/station", NULL, 0, &stranger, 0, NULL, &status);
  g_assert_cmpint(status, ==, 401);
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "error")), "unknown station"));
  json_decref(a);
}

static void
test_ingest(void)
{
  long status = 0;
  json_t *first[] = {event_a(1), event_a(2), event_a(3), event_a(4), event_a(5)};
  json_t *a = post_events(fx.keys_a, first, 5, &status);
  g_assert_cmpint(status, ==, 200);
  for (guint i = 0; i < 5; i++)
    expect_status(a, i, "accepted");
  json_decref(a);
  /* Idempotent: the same events again are duplicates, nothing changes. */
  a = post_events(fx.keys_a, first, 5, &status);
  for (guint i = 0; i < 5; i++)
    expect_status(a, i, "duplicate");
  json_decref(a);
  g_autofree char *n = sql_value("SELECT count(*) FROM events");
  g_assert_cmpstr(n, ==, "5");
  /* The record is kept verbatim, and the batch is the signed record's. */
  g_autofree char *body = sql_value("SELECT body FROM events WHERE seq = 3");
  g_assert_cmpstr(body, ==, json_string_value(json_object_get(event_a(3), "body")));
  /* The columns go to PostgreSQL as binary arrays: each is the signed record's, times to the
   * millisecond, hashes and signature byte for byte, in events and event_keys alike. */
  json_t *sent = event_a(3);
  json_t *record = json_loads(json_string_value(json_object_get(sent, "body")), 0, NULL);
  gint64 event_ns = 0, record_ns = 0;
  g_assert_true(
      pt_time_parse(json_string_value(json_object_get(record, "eventTime")), &event_ns, NULL));
  g_assert_true(
      pt_time_parse(json_string_value(json_object_get(record, "recordTime")), &record_ns, NULL));
  json_decref(record);
  g_autofree char *event_time = pt_time_format(event_ns);
  g_autofree char *record_time = pt_time_format(record_ns);
  g_autofree char *want =
      g_strdup_printf("%s %s %s %s %s %s", event_time, record_time,
                      json_string_value(json_object_get(sent, "hash")),
                      json_string_value(json_object_get(sent, "prev_station_hash")),
                      json_string_value(json_object_get(sent, "signature")),
                      json_string_value(json_object_get(sent, "hash")));
  g_autofree char *stored = sql_value(
      "SELECT to_char(e.event_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') || ' ' "
      "|| to_char(e.record_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') || ' ' "
      "|| encode(e.hash, 'hex') || ' ' || encode(k.prev_station_hash, 'hex') || ' ' "
      "|| encode(e.signature, 'hex') || ' ' || encode(k.hash, 'hex') FROM events e "
      "JOIN event_keys k USING (station_id, seq) WHERE e.seq = 3 "
      "AND e.prev_station_hash = k.prev_station_hash");
  g_assert_cmpstr(stored, ==, want);
  g_autofree char *grower = sql_value("SELECT grower FROM batches WHERE lot = 'HUB-A1'");
  g_assert_cmpstr(grower, ==, "Li farm");
  g_autofree char *weekly =
      sql_value("SELECT sum(inspections) || '/' || sum(conformant) FROM quality_weekly");
  g_assert_cmpstr(weekly, ==, "1/1");

  a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_a, 0, NULL, &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_cmpint(json_integer_value(json_object_get(a, "contiguous_seq")), ==, 5);
  g_assert_cmpint(json_array_size(json_object_get(a, "gaps")), ==, 0);
  json_decref(a);
}

static void
test_gap_shown(void)
{
  long status = 0;
  json_t *b[] = {fx.events_b->pdata[0], fx.events_b->pdata[2]};
  json_t *a = post_events(fx.keys_b, b, 2, &status);
  expect_status(a, 0, "accepted");
  expect_status(a, 1, "accepted");
  json_decref(a);
  a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_b, 0, NULL, &status);
  g_assert_cmpint(json_integer_value(json_object_get(a, "contiguous_seq")), ==, 1);
  g_assert_cmpint(json_integer_value(json_object_get(a, "last_seq")), ==, 3);
  json_t *gap = json_array_get(json_object_get(a, "gaps"), 0);
  g_assert_cmpint(json_integer_value(json_array_get(gap, 0)), ==, 2);
  g_assert_cmpint(json_integer_value(json_array_get(gap, 1)), ==, 2);
  json_decref(a);
  /* The missing event arrives: it fits both neighbours. */
  json_t *mid[] = {fx.events_b->pdata[1]};
  a = post_events(fx.keys_b, mid, 1, &status);
  expect_status(a, 0, "accepted");
  json_decref(a);
  a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_b, 0, NULL, &status);
  g_assert_cmpint(json_integer_value(json_object_get(a, "contiguous_seq")), ==, 3);
  json_decref(a);
}

/* Posts one event object and expects it quarantined with @reason in its reason. */
static void
expect_quarantined(json_t *event, const PtKeys *keys, const char *reason)
{
  long status = 0;
  json_t *arr[] = {event};
  json_t *a = post_events(keys, arr, 1, &status);
  g_assert_cmpint(status, ==, 200);
  expect_status(a, 0, "quarantined");
  if (!strstr(result_reason(a, 0), reason))
    g_error("reason \"%s\" does not say \"%s\"", result_reason(a, 0), reason);
  json_decref(a);
}

static void
test_forgeries(void)
{
  g_autofree char *before = sql_value("SELECT count(*) FROM quarantine");
  g_assert_cmpstr(before, ==, "0");

  /* Signed by another key. */
  json_t *e = json_deep_copy(event_a(6));
  guint8 hash[PT_HASH_LEN], sig[PT_SIG_LEN];
  g_assert_true(pt_hex_decode(json_string_value(json_object_get(e, "hash")), hash, PT_HASH_LEN));
  pt_keys_sign(fx.keys_b, hash, sig);
  g_autofree char *sig_hex = pt_hex_encode(sig, PT_SIG_LEN);
  json_object_set_new(e, "signature", json_string(sig_hex));
  expect_quarantined(e, fx.keys_a, "signature does not verify");
  json_decref(e);

  /* Altered body, hash and signature left as signed. */
  e = json_deep_copy(event_a(6));
  g_autofree char *altered = g_strdup(json_string_value(json_object_get(e, "body")));
  char *p = strstr(altered, "mould found");
  g_assert_nonnull(p);
  p[0] = 'M';
  json_object_set_new(e, "body", json_string(altered));
  expect_quarantined(e, fx.keys_a, "content altered");
  /* The same with the hash recomputed: the signature no longer covers it. */
  crypto_hash_sha256(hash, (const guint8 *)altered, strlen(altered));
  g_autofree char *hash_hex = pt_hex_encode(hash, PT_HASH_LEN);
  json_object_set_new(e, "hash", json_string(hash_hex));
  expect_quarantined(e, fx.keys_a, "signature does not verify");
  json_decref(e);

  /* Reordered: event 7 sent as seq 6, its chain link names event 6, not the held 5. */
  e = json_deep_copy(event_a(7));
  json_object_set_new(e, "seq", json_integer(6));
  expect_quarantined(e, fx.keys_a, "station chain broken");
  json_decref(e);

  /* A lot claimed that the signed record does not say. */
  e = json_deep_copy(event_a(6));
  json_object_set_new(e, "lot", json_string("OTHER"));
  expect_quarantined(e, fx.keys_a, "not the signed record's");
  json_decref(e);

  /* The genuine rest arrives, 7 and 8 before 6. */
  long status = 0;
  json_t *later[] = {event_a(7), event_a(8)};
  json_t *a = post_events(fx.keys_a, later, 2, &status);
  for (guint i = 0; i < 2; i++)
    expect_status(a, i, "accepted");
  /* Event 8 names a still the hub does not hold yet. */
  json_t *wanted = json_object_get(a, "evidence_wanted");
  g_assert_cmpint(json_array_size(wanted), ==, 1);
  g_assert_cmpstr(json_string_value(json_array_get(wanted, 0)), ==, fx.still_sha);
  json_decref(a);
  a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_a, 0, NULL, &status);
  g_assert_cmpint(json_integer_value(json_object_get(a, "contiguous_seq")), ==, 5);
  json_decref(a);
  /* With 6 the prefix passes what ingest found held beside it (7), then finds 8 held. */
  json_t *six[] = {event_a(6)};
  a = post_events(fx.keys_a, six, 1, &status);
  expect_status(a, 0, "accepted");
  json_decref(a);
  a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_a, 0, NULL, &status);
  g_assert_cmpint(json_integer_value(json_object_get(a, "contiguous_seq")), ==, 8);
  json_decref(a);

  /* Replayed: event 9 reuses event 1's eventID with another record. */
  expect_quarantined(event_a(9), fx.keys_a, "replayed/altered");

  /* Quarantine keeps each with its reason, for the admin. */
  g_autofree char *after = sql_value("SELECT count(*) FROM quarantine");
  g_assert_cmpstr(after, ==, "6");
  g_autofree char *events = sql_value("SELECT count(*) FROM events");
  g_assert_cmpstr(events, ==, "11");
}

static void
test_evidence(void)
{
  long status = 0;
  g_autofree char *path = g_strdup_printf("/hub/v1/evidence/%s", fx.still_sha);
  const char wrong[] = "not the still";
  json_t *a = request("PUT", path, wrong, strlen(wrong), fx.keys_a, 0, "image/jpeg", &status);
  g_assert_cmpint(status, ==, 409);
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "error")), "bytes hash to"));
  json_decref(a);
  /* Bytes that match their name but no event of the station names. */
  guint8 sha[PT_HASH_LEN];
  crypto_hash_sha256(sha, (const guint8 *)wrong, strlen(wrong));
  g_autofree char *wrong_hex = pt_hex_encode(sha, PT_HASH_LEN);
  g_autofree char *wrong_path = g_strdup_printf("/hub/v1/evidence/%s", wrong_hex);
  a = request("PUT", wrong_path, wrong, strlen(wrong), fx.keys_a, 0, "image/jpeg", &status);
  g_assert_cmpint(status, ==, 409);
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "error")), "references"));
  json_decref(a);
  /* Station B holds no event naming A's still. */
  a = request("PUT", path, still_bytes, strlen(still_bytes), fx.keys_b, 0, "image/jpeg", &status);
  g_assert_cmpint(status, ==, 409);
  json_decref(a);
  a = request("PUT", path, still_bytes, strlen(still_bytes), fx.keys_a, 0, "image/jpeg", &status);
  g_assert_cmpint(status, ==, 201);
  json_decref(a);
  a = request("PUT", path, still_bytes, strlen(still_bytes), fx.keys_a, 0, "image/jpeg", &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_true(json_is_true(json_object_get(a, "already")));
  json_decref(a);
  g_autofree char *size = sql_value("SELECT size || ' ' || media_type FROM evidence");
  g_autofree char *want = g_strdup_printf("%zu image/jpeg", strlen(still_bytes));
  g_assert_cmpstr(size, ==, want);
  /* Asked again, the hub no longer wants it. */
  json_t *again[] = {event_a(8)};
  a = post_events(fx.keys_a, again, 1, &status);
  expect_status(a, 0, "duplicate");
  g_assert_cmpint(json_array_size(json_object_get(a, "evidence_wanted")), ==, 0);
  json_decref(a);
}

/* The video relay's pushes (PROTOCOL.md, "Video relay"): kept only when a buyer asks. */
static void
test_video_push(void)
{
  long status = 0;
  const char seg[] = "#EXTM3U\n#EXT-X-TARGETDURATION:1\nseg00000.ts\n";
  const char *live = "/hub/v1/video/files/live/1/dock1/index.m3u8";
  json_t *a =
      request("PUT", live, seg, strlen(seg), fx.keys_a, 0, "application/x-mpegurl", &status);
  g_assert_cmpint(status, ==, 409);
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "error")), "nobody asks"));
  json_decref(a);
  a = request("PUT", "/hub/v1/video/files/live/1/dock.1/seg1.ts", seg, strlen(seg), fx.keys_a, 0,
              NULL, &status);
  g_assert_cmpint(status, ==, 400);
  json_decref(a);
  a = request("PUT", "/hub/v1/video/files/other/1", seg, strlen(seg), fx.keys_a, 0, NULL, &status);
  g_assert_cmpint(status, ==, 400);
  json_decref(a);
  /* A buyer asks for station A's load 1 on dock1. */
  g_autofree char *id_a = pt_keys_station_id(fx.keys_a->anchor_key);
  g_autofree char *ask =
      g_strdup_printf("INSERT INTO video_wants (station_id, gln, load_id, kind, camera, part) "
                      "VALUES ('%s', '4012345000115', 1, 'live', 'dock1', 0), "
                      "('%s', '4012345000115', 1, 'clip', 'dock1', 1) RETURNING 'x'",
                      id_a, id_a);
  g_autofree char *asked = sql_value(ask);
  a = request("PUT", live, seg, strlen(seg), fx.keys_a, 0, "application/x-mpegurl", &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_cmpstr(json_string_value(json_object_get(a, "stored")), ==, "live/1/dock1/index.m3u8");
  json_decref(a);
  /* Station B is not asked for anything: the same name of its own is refused. */
  a = request("PUT", live, seg, strlen(seg), fx.keys_b, 0, "application/x-mpegurl", &status);
  g_assert_cmpint(status, ==, 409);
  json_decref(a);
  /* A clip is at most PT_HUB_VIDEO_CLIP_MAX in whole chunks. */
  g_autofree char *past = g_strdup_printf("/hub/v1/video/files/clip/1/dock1/1/c%d",
                                          (int)(PT_HUB_VIDEO_CLIP_MAX / PT_HUB_VIDEO_CHUNK));
  a = request("PUT", past, seg, strlen(seg), fx.keys_a, 0, "video/mp4", &status);
  g_assert_cmpint(status, ==, 413);
  json_decref(a);
  a = request("PUT", "/hub/v1/video/files/clip/1/dock1/2/c0", seg, strlen(seg), fx.keys_a, 0,
              "video/mp4", &status);
  g_assert_cmpint(status, ==, 409);
  json_decref(a);
  a = request("PUT", "/hub/v1/video/files/clip/1/dock1/1/c0", seg, strlen(seg), fx.keys_a, 0,
              "video/mp4", &status);
  g_assert_cmpint(status, ==, 200);
  json_decref(a);
  g_autofree char *kept = sql_value("SELECT string_agg(name, ',' ORDER BY name) FROM video_files");
  g_assert_cmpstr(kept, ==, "clip/1/dock1/1/c0,live/1/dock1/index.m3u8");
  /* A clip's facts say where to go on from; facts of another cut (another SHA-256) drop the
   * chunks of the old one. */
  const char *facts_path = "/hub/v1/video/files/clip/1/dock1/1/facts";
  g_autofree char *facts_a = g_strdup_printf("{\"sha256\":\"%064d\",\"bytes\":10}", 1);
  g_autofree char *facts_b = g_strdup_printf("{\"sha256\":\"%064d\",\"bytes\":10}", 2);
  a = request("PUT", facts_path, facts_a, strlen(facts_a), fx.keys_a, 0, "application/json",
              &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_cmpint(json_integer_value(json_object_get(a, "chunks")), ==, 0);
  json_decref(a);
  a = request("PUT", "/hub/v1/video/files/clip/1/dock1/1/c0", seg, strlen(seg), fx.keys_a, 0,
              "video/mp4", &status);
  json_decref(a);
  a = request("PUT", facts_path, facts_a, strlen(facts_a), fx.keys_a, 0, "application/json",
              &status);
  g_assert_cmpint(json_integer_value(json_object_get(a, "chunks")), ==, 1);
  json_decref(a);
  a = request("PUT", facts_path, facts_b, strlen(facts_b), fx.keys_a, 0, "application/json",
              &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_cmpint(json_integer_value(json_object_get(a, "chunks")), ==, 0);
  json_decref(a);
  g_autofree char *after =
      sql_value("SELECT count(*) FROM video_files WHERE name LIKE 'clip/%/c%'");
  g_assert_cmpstr(after, ==, "0");
  a = request("PUT", "/hub/v1/video/files/clip/1/dock1/1/c0", seg, strlen(seg), fx.keys_a, 0,
              "video/mp4", &status);
  g_assert_cmpint(status, ==, 200);
  json_decref(a);
  /* The station's poll: both asks, live first to be watched soon (0.5 s). */
  a = request("POST", "/hub/v1/video/poll", "{}", 2, fx.keys_a, 0, "application/json", &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_cmpint(json_array_size(json_object_get(a, "wants")), ==, 2);
  g_assert_cmpint(json_integer_value(json_object_get(a, "next_ms")), ==, PT_HUB_VIDEO_POLL_LIVE_MS);
  json_t *w;
  gsize i;
  json_array_foreach(json_object_get(a, "wants"), i, w)
  {
    if (strcmp(json_string_value(json_object_get(w, "kind")), "clip") == 0)
      g_assert_cmpint(json_integer_value(json_object_get(w, "have")), ==, 1);
  }
  json_decref(a);
  a = request("POST", "/hub/v1/video/poll", "{}", 2, fx.keys_b, 0, "application/json", &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_cmpint(json_array_size(json_object_get(a, "wants")), ==, 0);
  g_assert_cmpint(json_integer_value(json_object_get(a, "next_ms")), ==, PT_HUB_VIDEO_POLL_IDLE_MS);
  json_decref(a);
}

static json_t *
post_head(gint64 seq, const char *hash, long *status)
{
  return post_json("/hub/v1/head", json_pack("{sIss}", "seq", (json_int_t)seq, "hash", hash),
                   fx.keys_a, status);
}

static void
test_heads(void)
{
  long status = 0;
  const char *h8 = json_string_value(json_object_get(event_a(8), "hash"));
  const char *h2 = json_string_value(json_object_get(event_a(2), "hash"));
  json_t *a = post_head(8, h8, &status);
  g_assert_cmpint(status, ==, 200);
  g_assert_true(json_is_true(json_object_get(a, "accepted")));
  json_decref(a);
  /* Rewinds: a lower seq than the last head seen. */
  a = post_head(2, h2, &status);
  g_assert_false(json_is_true(json_object_get(a, "accepted")));
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "alert")), "rewinds"));
  json_decref(a);
  /* Same seq, another hash. */
  a = post_head(8, h2, &status);
  g_assert_false(json_is_true(json_object_get(a, "accepted")));
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "alert")), "forks"));
  json_decref(a);
  /* A later seq whose hash is not the one the hub holds there. */
  const char *h5 = json_string_value(json_object_get(event_a(5), "hash"));
  a = post_head(9, h5, &status);
  g_assert_true(json_is_true(json_object_get(a, "accepted")));
  json_decref(a);
  g_autofree char *alerts = sql_value("SELECT count(*) FROM alerts");
  g_assert_cmpstr(alerts, ==, "2");
  a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_a, 0, NULL, &status);
  g_assert_cmpint(json_integer_value(json_object_get(a, "alerts")), ==, 2);
  g_assert_cmpint(json_integer_value(json_object_get(a, "quarantined")), ==, 6);
  json_decref(a);
}

static void
run_shell(const char *env_name)
{
  const char *cmd = g_getenv(env_name);
  g_assert_nonnull(cmd);
  char *argv[] = {"sh", "-c", (char *)cmd, NULL};
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                             NULL, NULL, NULL, NULL, &status, &error));
  g_assert_true(g_spawn_check_wait_status(status, NULL));
}

/* PostgreSQL restarts under a running hub: requests meanwhile get 503 (retry later), and the
 * hub's connections come back by themselves. */
static void
test_postgres_restart(void)
{
  long status = 0;
  run_shell("PG_FIXTURE_STOP");
  json_t *a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_a, 0, NULL, &status);
  g_assert_cmpint(status, ==, 503);
  json_decref(a);
  run_shell("PG_FIXTURE_START");
  /* Each worker thread resets its own connection on its next request. */
  for (int i = 0; i < 4; i++) {
    a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_a, 0, NULL, &status);
    g_assert_cmpint(status, ==, 200);
    g_assert_cmpint(json_integer_value(json_object_get(a, "contiguous_seq")), ==, 8);
    json_decref(a);
  }
  json_t *again[] = {event_a(1)};
  a = post_events(fx.keys_a, again, 1, &status);
  g_assert_cmpint(status, ==, 200);
  expect_status(a, 0, "duplicate");
  json_decref(a);
}

static void
test_revoked(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(g_getenv("PT_HUB_DSN"), NULL, &error);
  g_autofree char *id_b = pt_keys_station_id(fx.keys_b->public_key);
  g_assert_true(pt_hub_store_station_revoke(store, id_b, &error));
  long status = 0;
  json_t *a = request("GET", "/hub/v1/station", NULL, 0, fx.keys_b, 0, NULL, &status);
  g_assert_cmpint(status, ==, 401);
  g_assert_nonnull(strstr(json_string_value(json_object_get(a, "error")), "revoked"));
  json_decref(a);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  make_stations();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(g_getenv("PT_HUB_DSN"), NULL, &error);
  g_assert_no_error(error);
  g_assert_true(pt_hub_store_migrate(store, NULL, &error));
  PtHubConfig config = {.dsn = (char *)g_getenv("PT_HUB_DSN"), .port = 0};
  fx.server = pt_hub_server_start(&config, &error);
  g_assert_no_error(error);
  fx.port = pt_hub_server_port(fx.server);

  g_test_add_func("/hub-ingest/enrol", test_enrol);
  g_test_add_func("/hub-ingest/authentication", test_authentication);
  g_test_add_func("/hub-ingest/ingest", test_ingest);
  g_test_add_func("/hub-ingest/gap-shown", test_gap_shown);
  g_test_add_func("/hub-ingest/forgeries", test_forgeries);
  g_test_add_func("/hub-ingest/evidence", test_evidence);
  g_test_add_func("/hub-ingest/heads", test_heads);
  g_test_add_func("/hub-ingest/video-push", test_video_push);
  g_test_add_func("/hub-ingest/postgres-restart", test_postgres_restart);
  g_test_add_func("/hub-ingest/revoked", test_revoked);
  int rc = g_test_run();

  pt_hub_server_free(fx.server);
  g_ptr_array_unref(fx.events_a);
  g_ptr_array_unref(fx.events_b);
  pt_keys_free(fx.keys_a);
  pt_keys_free(fx.keys_b);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", fx.tmp);
  if (system(cmd) != 0)
    rc = 1;
  g_free(fx.tmp);
  g_free(fx.dir_a);
  g_free(fx.dir_b);
  g_free(fx.still_sha);
  curl_global_cleanup();
  return rc;
}

/* bench-hub-ingest.c: the hub's ingest rate with verification: 50 simulated stations, each
 * with its own Ed25519 key and a chained log of station-like records (Event Hash IDs
 * included), post their events in requests of REQ_EVENTS to `packtrace hub serve`'s server
 * (in-process, loopback, PostgreSQL from tests/hub/with-pg.sh with fsync on, as in
 * production).  Prints the median events/s of RUNS runs (fresh stations each run, so every
 * event is new), and as the baseline measured in the same run the rate of the per-event
 * verification alone (pt_event_check(), one thread), which bounds what one core can take.
 * The records are made and signed before the clock starts. */
#include "pt-canon.h"
#include "pt-event-check.h"
#include "pt-event-hash.h"
#include "pt-hub-server.h"
#include "pt-hub-sign.h"
#include "pt-hub-store.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-time.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define RUNS           5
#define STATIONS       50
#define EVENTS         400 /* per station per run */
#define REQ_EVENTS     200
#define BATCHES        5 /* per station, events spread round-robin */
#define CLIENT_THREADS 4

typedef struct {
  PtKeys keys;
  guint8 secret[crypto_sign_SECRETKEYBYTES];
  GPtrArray *rows;   /* (element-type PtEventRow) for the verify baseline */
  GPtrArray *bodies; /* (element-type utf8) one request body per REQ_EVENTS events */
} Station;

static const char *const steps[] = {"packing", "inspecting", "storing", "loading"};

static void
make_station(Station *st, int run, int index, PtHubStore *store)
{
  crypto_sign_keypair(st->keys.public_key, st->secret);
  st->keys.secret_key = st->secret;
  /* A station that never rotated: its anchor (which names it) is the key that signs. */
  memcpy(st->keys.anchor_key, st->keys.public_key, PT_PUB_LEN);
  g_autofree char *id = pt_keys_station_id(st->keys.public_key);
  g_autofree char *name = g_strdup_printf("bench %d/%d", run, index);
  g_autoptr(GError) error = NULL;
  if (!pt_hub_store_station_add(store, id, name, st->keys.public_key, &error))
    g_error("%s", error->message);
  st->rows = g_ptr_array_new();
  st->bodies = g_ptr_array_new_with_free_func(g_free);

  guint8 batch_head[BATCHES][PT_HASH_LEN];
  gboolean has_head[BATCHES] = {FALSE};
  guint8 last[PT_HASH_LEN];
  gint64 t0 = pt_now_ns() - G_GINT64_CONSTANT(3600) * 1000000000;
  json_t *req = json_array();
  for (int i = 0; i < EVENTS; i++) {
    int b = i % BATCHES;
    const char *step = has_head[b] ? steps[i % G_N_ELEMENTS(steps)] : "commissioning";
    g_autofree char *lot = g_strdup_printf("R%dS%02dB%d", run, index, b);
    g_autofree char *cls = g_strdup_printf("https://id.gs1.org/01/09506000134352/10/%s", lot);
    gint64 when = t0 + (gint64)i * 1000000000;
    g_autofree char *et = pt_time_format(when);
    g_autofree char *rt = pt_time_format(when + 1000000);
    g_autofree char *uuid = g_uuid_string_random();
    g_autofree char *eid = g_strconcat("urn:uuid:", uuid, NULL);
    json_t *ev =
        json_pack("{s[s{ssss}]sssssssssssss[{sssfss}]s{ss}ssss}", "@context",
                  "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "pt",
                  "https://packtrace.example/ns/", "cbvmda", "urn:epcglobal:cbv:mda:", "type",
                  "ObjectEvent", "action", has_head[b] ? "OBSERVE" : "ADD", "eventTime", et,
                  "eventTimeZoneOffset", "+08:00", "bizStep", step, "recordTime", rt,
                  "quantityList", "epcClass", cls, "quantity", 120.5, "uom", "KGM", "readPoint",
                  "id", "https://id.gs1.org/414/9506000000009", "eventID", eid, "pt:stationId", id);
    if (has_head[b]) {
      g_autofree char *h = pt_hex_encode(batch_head[b], PT_HASH_LEN);
      json_object_set_new(ev, "pt:prevEvent", json_string(h));
    }
    if (i > 0) {
      g_autofree char *h = pt_hex_encode(last, PT_HASH_LEN);
      json_object_set_new(ev, "pt:prevStationEvent", json_string(h));
    }
    PtEventRow *row = g_new0(PtEventRow, 1);
    row->seq = i + 1;
    row->event_id = g_strdup(eid);
    row->step = g_strdup(step);
    row->event_time_ns = when;
    row->record_time_ns = when + 1000000;
    row->body = pt_canon_dump(ev, &row->body_len, NULL);
    row->hash_id = pt_event_hash_id(ev, NULL, NULL);
    crypto_hash_sha256(row->hash, (const guint8 *)row->body, row->body_len);
    pt_keys_sign(&st->keys, row->hash, row->signature);
    row->has_prev_batch = has_head[b];
    memcpy(row->prev_batch_hash, batch_head[b], PT_HASH_LEN);
    row->has_prev_station = i > 0;
    memcpy(row->prev_station_hash, last, PT_HASH_LEN);
    memcpy(batch_head[b], row->hash, PT_HASH_LEN);
    has_head[b] = TRUE;
    memcpy(last, row->hash, PT_HASH_LEN);
    json_decref(ev);
    g_ptr_array_add(st->rows, row);
    json_array_append_new(req, pt_hub_wire_event(row, lot, "09506000134352"));
    if (json_array_size(req) == REQ_EVENTS || i == EVENTS - 1) {
      json_t *body = json_pack("{so}", "events", req);
      g_ptr_array_add(st->bodies, json_dumps(body, JSON_COMPACT));
      json_decref(body);
      req = json_array();
    }
  }
  json_decref(req);
}

static void
station_clear(Station *st)
{
  for (guint i = 0; i < st->rows->len; i++) {
    pt_event_row_clear(st->rows->pdata[i]);
    g_free(st->rows->pdata[i]);
  }
  g_ptr_array_unref(st->rows);
  g_ptr_array_unref(st->bodies);
}

typedef struct {
  Station *stations;
  int port;
  gint next;
  gint failures;
} Run;

static size_t
on_body(char *data, size_t size, size_t n, void *user)
{
  GString *s = user;
  g_string_append_len(s, data, (gssize)(size * n));
  return size * n;
}

static gpointer
client(gpointer data)
{
  Run *run = data;
  CURL *curl = curl_easy_init();
  g_autofree char *url = g_strdup_printf("http://127.0.0.1:%d/hub/v1/events", run->port);
  for (;;) {
    int s = g_atomic_int_add(&run->next, 1);
    if (s >= STATIONS)
      break;
    Station *st = &run->stations[s];
    for (guint r = 0; r < st->bodies->len; r++) {
      const char *body = st->bodies->pdata[r];
      g_auto(PtHubAuth) auth = {0};
      pt_hub_sign_request(&st->keys, "POST", "/hub/v1/events", body, strlen(body), pt_now_ns(),
                          &auth);
      g_autofree char *h1 = g_strdup_printf("PT-Station: %s", auth.station);
      g_autofree char *h2 = g_strdup_printf("PT-Date: %s", auth.date);
      g_autofree char *h3 = g_strdup_printf("PT-Signature: %s", auth.signature);
      struct curl_slist *headers = curl_slist_append(NULL, h1);
      headers = curl_slist_append(headers, h2);
      headers = curl_slist_append(headers, h3);
      headers = curl_slist_append(headers, "Content-Type: application/json");
      GString *answer = g_string_new(NULL);
      curl_easy_setopt(curl, CURLOPT_URL, url);
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
      curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
      curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
      long status = 0;
      if (curl_easy_perform(curl) != CURLE_OK ||
          curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200 ||
          strstr(answer->str, "\"quarantined\"") || strstr(answer->str, "\"duplicate\"")) {
        g_printerr("request failed (%ld): %.300s\n", status, answer->str);
        g_atomic_int_inc(&run->failures);
      }
      g_string_free(answer, TRUE);
      curl_slist_free_all(headers);
    }
  }
  curl_easy_cleanup(curl);
  return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int
main(void)
{
  if (sodium_init() < 0 || !g_getenv("PT_HUB_DSN")) {
    g_printerr("bench-hub-ingest: run through tests/hub/with-pg.sh (needs PT_HUB_DSN)\n");
    return 77;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(g_getenv("PT_HUB_DSN"), NULL, &error);
  if (!store || !pt_hub_store_migrate(store, NULL, &error))
    g_error("%s", error->message);
  PtHubConfig config = {.dsn = (char *)g_getenv("PT_HUB_DSN"), .port = 0};
  PtHubServer *server = pt_hub_server_start(&config, &error);
  if (!server)
    g_error("%s", error->message);

  double ingest[RUNS], verify[RUNS];
  int failures = 0;
  for (int r = 0; r < RUNS; r++) {
    Station *stations = g_new0(Station, STATIONS);
    for (int s = 0; s < STATIONS; s++)
      make_station(&stations[s], r, s, store);

    /* Baseline: the per-event verification alone, one thread. */
    double t0 = g_get_monotonic_time() / 1e6;
    for (int s = 0; s < STATIONS; s++) {
      for (guint i = 0; i < stations[s].rows->len; i++) {
        g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func(g_free);
        json_t *ev =
            pt_event_check(stations[s].rows->pdata[i], stations[s].keys.public_key, TRUE, failed);
        if (failed->len)
          g_error("bench record does not verify: %s", (char *)failed->pdata[0]);
        json_decref(ev);
      }
    }
    verify[r] = STATIONS * EVENTS / (g_get_monotonic_time() / 1e6 - t0);
    /* Where the verification's time goes: the Event Hash ID, and Ed25519 alone. */
    t0 = g_get_monotonic_time() / 1e6;
    for (guint i = 0; i < stations[0].rows->len; i++) {
      const PtEventRow *row = stations[0].rows->pdata[i];
      json_t *ev = pt_json_parse(row->body, row->body_len, NULL);
      g_free(pt_event_hash_id(ev, NULL, NULL));
      json_decref(ev);
    }
    double hash_id_rate = EVENTS / (g_get_monotonic_time() / 1e6 - t0);
    t0 = g_get_monotonic_time() / 1e6;
    for (guint i = 0; i < stations[0].rows->len; i++) {
      const PtEventRow *row = stations[0].rows->pdata[i];
      if (!pt_keys_verify(stations[0].keys.public_key, row->hash, row->signature))
        g_error("bench signature does not verify");
    }
    double ed_rate = EVENTS / (g_get_monotonic_time() / 1e6 - t0);
    printf("  parts, one thread: JSON parse + Event Hash ID %.0f/s, Ed25519 verify %.0f/s\n",
           hash_id_rate, ed_rate);

    Run run = {.stations = stations, .port = pt_hub_server_port(server)};
    GThread *threads[CLIENT_THREADS];
    t0 = g_get_monotonic_time() / 1e6;
    for (int c = 0; c < CLIENT_THREADS; c++)
      threads[c] = g_thread_new("client", client, &run);
    for (int c = 0; c < CLIENT_THREADS; c++)
      g_thread_join(threads[c]);
    ingest[r] = STATIONS * EVENTS / (g_get_monotonic_time() / 1e6 - t0);
    failures += run.failures;
    printf("run %d: ingest %.0f events/s, verification alone %.0f events/s\n", r + 1, ingest[r],
           verify[r]);
    for (int s = 0; s < STATIONS; s++)
      station_clear(&stations[s]);
    g_free(stations);
  }
  qsort(ingest, RUNS, sizeof(double), cmp_double);
  qsort(verify, RUNS, sizeof(double), cmp_double);
  printf("hub ingest with verification, %d stations x %d events, %d per request, %d client "
         "threads, PostgreSQL fsync on: median %.0f events/s (min %.0f, max %.0f)\n",
         STATIONS, EVENTS, REQ_EVENTS, CLIENT_THREADS, ingest[RUNS / 2], ingest[0],
         ingest[RUNS - 1]);
  printf("baseline, same run: per-event verification alone (hash, Ed25519, JSON, Event Hash "
         "ID), one thread: median %.0f events/s; ingest/verification = %.2f\n",
         verify[RUNS / 2], ingest[RUNS / 2] / verify[RUNS / 2]);
  pt_hub_server_free(server);
  curl_global_cleanup();
  if (failures) {
    printf("%d requests failed\n", failures);
    return 1;
  }
  return 0;
}

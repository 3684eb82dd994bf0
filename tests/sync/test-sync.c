/* test-sync.c: the real `packtrace run` delivering to a loopback platform
 * (sync-receiver.c): a backlog built while the platform is down, EPCIS capture
 * split on 413 and jobs followed, advertised limits, 500/503/429/dropped
 * connections, a permanent 400 retried only on request, a batch the platform
 * refuses that must not hold back the others, kill -9 in the middle of
 * deliveries, and TLS with a private CA.  In every case the platform ends with
 * each item exactly once by its key (duplicates only after kill -9, as retries),
 * in order per batch, and every webhook signature checks.  Back-off is
 * time-compressed through the connectors' retry_min_ms/retry_max_ms. */
#include "pt-store-sync.h"
#include "pt-sync-status.h"
#include "pt-test-station.h"
#include "sync-receiver.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <microhttpd.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#define SECRET  "test-secret-0123456789"
#define WAIT_MS 15000

typedef struct {
  PtTestStation *ts;
  Receiver *rx;
  GSubprocess *run;
  char *base;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
  f->ts = pt_test_station_new();
  f->rx = rx_new(0, SECRET, NULL, NULL);
}

static void
run_start(Fixture *f)
{
  g_free(f->base);
  f->run = pt_test_station_run(f->ts, &f->base);
}

static void
run_stop(Fixture *f, gboolean kill9)
{
  g_autoptr(GError) error = NULL;
  g_subprocess_send_signal(f->run, kill9 ? SIGKILL : SIGTERM);
  g_assert_true(g_subprocess_wait(f->run, NULL, &error));
  if (!kill9) {
    g_assert_true(g_subprocess_get_if_exited(f->run));
    g_assert_cmpint(g_subprocess_get_exit_status(f->run), ==, 0);
  }
  g_clear_object(&f->run);
}

static void
teardown(Fixture *f, gconstpointer data)
{
  if (f->run)
    run_stop(f, FALSE);
  rx_free(f->rx);
  pt_test_station_free(f->ts);
  g_free(f->base);
}

/* Adds [sync NAME] pointing at the receiver; @extra is "key=value;key=value". */
static void
add_connector(Fixture *f, const char *name, const char *type, const char *url_path,
              const char *extra)
{
  g_autofree char *ini = g_build_filename(f->ts->dir, "station.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_assert_true(g_key_file_load_from_file(kf, ini, G_KEY_FILE_KEEP_COMMENTS, NULL));
  g_autofree char *group = g_strconcat("sync ", name, NULL);
  g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u%s", rx_port(f->rx), url_path);
  g_key_file_set_string(kf, group, "type", type);
  g_key_file_set_string(kf, group, "url", url);
  g_key_file_set_string(kf, group, "secret", SECRET);
  g_key_file_set_string(kf, group, "from_start", "true");
  g_key_file_set_string(kf, group, "retry_min_ms", "20");
  g_key_file_set_string(kf, group, "retry_max_ms", "300");
  g_key_file_set_string(kf, group, "connect_timeout_ms", "1000");
  g_key_file_set_string(kf, group, "timeout_ms", "5000");
  g_auto(GStrv) pairs = g_strsplit(extra ? extra : "", ";", -1);
  for (guint i = 0; pairs[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(pairs[i], "=", 2);
    if (kv[0] && kv[1])
      g_key_file_set_string(kf, group, kv[0], kv[1]);
  }
  g_assert_true(g_key_file_save_to_file(kf, ini, NULL));
}

static json_t *
status(Fixture *f, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) st = pt_station_open(f->ts->dir, &error);
  g_assert_no_error(error);
  json_t *s = pt_sync_status_json(st->config, st->dir, f->ts->store, name, &error);
  g_assert_no_error(error);
  json_t *c = json_incref(json_array_get(json_object_get(s, "connectors"), 0));
  json_decref(s);
  return c;
}

static gint64
status_int(Fixture *f, const char *name, const char *field)
{
  json_t *c = status(f, name);
  gint64 v = json_integer_value(json_object_get(c, field));
  json_decref(c);
  return v;
}

typedef gboolean (*Pred)(Fixture *f, gconstpointer data);

static void
wait_for(Fixture *f, Pred pred, gconstpointer data, const char *what)
{
  gint64 end = g_get_monotonic_time() + (gint64)WAIT_MS * pt_test_time_scale() * 1000;
  while (!pred(f, data)) {
    if (g_get_monotonic_time() > end)
      g_error("timed out waiting for %s", what);
    g_usleep(20000);
  }
}

/* Expected items in outbox order: key, lot, kind. */
typedef struct {
  char *key, *lot;
  gboolean is_event;
} Item;

static GPtrArray *
expected(Fixture *f, gboolean summaries, const char *only_product)
{
  GPtrArray *out = g_ptr_array_new();
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open_v2(f->ts->station->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                  SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db,
                                     "SELECT o.key, b.lot, o.kind, b.product FROM outbox o "
                                     "JOIN batches b ON b.id = o.batch_id ORDER BY o.id",
                                     -1, &s, NULL),
                  ==, SQLITE_OK);
  while (sqlite3_step(s) == SQLITE_ROW) {
    gboolean ev = strcmp((const char *)sqlite3_column_text(s, 2), "event") == 0;
    if ((!ev && !summaries) ||
        (only_product && strcmp((const char *)sqlite3_column_text(s, 3), only_product) != 0))
      continue;
    Item *it = g_new0(Item, 1);
    it->key = g_strdup((const char *)sqlite3_column_text(s, 0));
    it->lot = g_strdup((const char *)sqlite3_column_text(s, 1));
    it->is_event = ev;
    g_ptr_array_add(out, it);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

static void
items_free(GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++) {
    Item *it = items->pdata[i];
    g_free(it->key);
    g_free(it->lot);
    g_free(it);
  }
  g_ptr_array_unref(items);
}

/* Distinct keys that arrived on @path (only from @lot when not NULL). */
static guint
n_arrived(Fixture *f, const char *path, const char *lot)
{
  g_autoptr(GPtrArray) a = rx_arrivals(f->rx);
  g_autoptr(GHashTable) keys = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < a->len; i++) {
    RxArrival *x = a->pdata[i];
    if (strcmp(x->path, path) == 0 && (!lot || g_strcmp0(x->lot, lot) == 0))
      g_hash_table_add(keys, x->key);
  }
  return g_hash_table_size(keys);
}

/* Every expected key on @path; exactly once unless @max_dups > 0 (then at most that
 * many extra arrivals); first arrivals in outbox order within each lot. */
static void
check_delivery(Fixture *f, const char *path, GPtrArray *want, guint max_dups)
{
  g_autoptr(GPtrArray) a = rx_arrivals(f->rx);
  g_autoptr(GHashTable) first = g_hash_table_new(g_str_hash, g_str_equal); /* key -> index */
  guint n_path = 0;
  for (guint i = 0; i < a->len; i++) {
    RxArrival *x = a->pdata[i];
    if (strcmp(x->path, path) != 0)
      continue;
    n_path++;
    if (!g_hash_table_contains(first, x->key))
      g_hash_table_insert(first, x->key, GUINT_TO_POINTER(i + 1));
  }
  g_assert_cmpuint(g_hash_table_size(first), ==, want->len);
  g_assert_cmpuint(n_path - want->len, <=, max_dups);
  g_autoptr(GHashTable) last_of_lot = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < want->len; i++) {
    Item *it = want->pdata[i];
    guint pos = GPOINTER_TO_UINT(g_hash_table_lookup(first, it->key));
    if (!pos)
      g_error("%s never arrived on %s", it->key, path);
    guint prev = GPOINTER_TO_UINT(g_hash_table_lookup(last_of_lot, it->lot));
    if (pos < prev)
      g_error("%s of lot %s arrived before an earlier item of its batch", it->key, it->lot);
    g_hash_table_insert(last_of_lot, it->lot, GUINT_TO_POINTER(pos));
  }
  g_assert_cmpuint(rx_bad_signatures(f->rx), ==, 0);
}

typedef struct {
  const char *path;
  guint n;
  const char *lot;
} Want;

static gboolean
arrived_pred(Fixture *f, gconstpointer data)
{
  const Want *w = data;
  return n_arrived(f, w->path, w->lot) >= w->n;
}

static PtBatch *
batch_of(Fixture *f, const char *product, int n_extra)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec = {.product = product, .gtin = "09506000134352", .pack_date = "2026-11-25"};
  PtBatch *b = pt_batch_create(f->ts->station, f->ts->store, &spec, &error);
  g_assert_no_error(error);
  for (int i = 0; i < n_extra; i++) {
    PtEventSpec ev = {.step = "inspecting", .disposition = "conformant"};
    g_assert_true(pt_batch_add_event(f->ts->station, f->ts->store, b, &ev, NULL, &error));
  }
  return b;
}

static void
add_events(Fixture *f, PtBatch *b, int n)
{
  g_autoptr(GError) error = NULL;
  for (int i = 0; i < n; i++) {
    PtEventSpec ev = {.step = "packing"};
    g_assert_true(pt_batch_add_event(f->ts->station, f->ts->store, b, &ev, NULL, &error));
  }
}

/* ---- the platform is down while the shed works, then comes back ------- */

static void
test_backlog(Fixture *f, gconstpointer data)
{
  g_autofree char *tpl = g_build_filename(f->ts->dir, "hub.json", NULL);
  const char *tpl_text = "{\"id\":\"{{key}}\",\"batch\":\"{{lot}}\",\"kind\":\"{{kind}}\","
                         "\"what\":\"{{step}} at {{event_time}}\",\"seq\":\"{{seq}}\"}";
  g_assert_true(g_file_set_contents(tpl, tpl_text, -1, NULL));
  add_connector(f, "plain", "webhook", "/a", NULL);
  add_connector(f, "tpl", "webhook", "/t", "template=hub.json");
  add_connector(f, "apples", "webhook", "/f", "filter=product:Apples");
  rx_stop(f->rx);

  g_autoptr(PtBatch) b1 = batch_of(f, "Oranges", 4);
  g_autoptr(PtBatch) b2 = batch_of(f, "Oranges", 4);
  g_autoptr(PtBatch) b3 = batch_of(f, "Apples", 2);
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_batch_change_status(f->ts->station, f->ts->store, b1, PT_BATCH_HOLD,
                                       "cold chain check", &error));
  add_events(f, b2, 2);
  run_start(f);
  /* Down: the operator sees it waiting, with the reason. */
  g_usleep(600000);
  json_t *s = status(f, "plain");
  g_assert_cmpint(json_integer_value(json_object_get(s, "pending")), >, 0);
  g_assert_nonnull(strstr(json_string_value(json_object_get(s, "last_error")), "no answer"));
  json_decref(s);
  add_events(f, b3, 1);

  rx_start(f->rx);
  GPtrArray *all = expected(f, TRUE, NULL);
  GPtrArray *apples = expected(f, TRUE, "Apples");
  Want w1 = {"/a", all->len}, w2 = {"/t", all->len}, w3 = {"/f", apples->len};
  wait_for(f, arrived_pred, &w1, "plain webhook backlog");
  wait_for(f, arrived_pred, &w2, "templated webhook backlog");
  wait_for(f, arrived_pred, &w3, "filtered webhook backlog");
  g_usleep(300000); /* nothing more may come */
  check_delivery(f, "/a", all, 0);
  check_delivery(f, "/t", all, 0);
  check_delivery(f, "/f", apples, 0);
  g_assert_cmpint(status_int(f, "plain", "pending"), ==, 0);
  g_assert_cmpint(status_int(f, "plain", "delivered"), ==, all->len);
  items_free(all);
  items_free(apples);
}

/* ---- the demo's batches never reach a platform ------------------------- */

static gint64
outbox_rows(Fixture *f, gint64 batch_id)
{
  g_autofree char *sql =
      g_strdup_printf("SELECT count(*) FROM outbox WHERE batch_id = %" G_GINT64_FORMAT, batch_id);
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open_v2(f->ts->station->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==,
                  SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

static void
test_demo_not_synced(Fixture *f, gconstpointer data)
{
  add_connector(f, "plain", "webhook", "/a", NULL);
  add_connector(f, "gs1", "epcis", "/epcis/", NULL);
  g_autoptr(GError) error = NULL;
  /* As pt-demo-seed.c makes them (the flag, not the lot: an operator may use any lot). */
  PtBatchSpec spec = {.product = "Demo oranges",
                      .gtin = "09506000134352",
                      .lot = "DEMO-0001",
                      .pack_date = "2026-11-25",
                      .demo = TRUE};
  g_autoptr(PtBatch) demo = pt_batch_create(f->ts->station, f->ts->store, &spec, &error);
  g_assert_no_error(error);
  g_assert_true(demo->demo);
  add_events(f, demo, 2);
  g_assert_true(pt_batch_change_status(f->ts->station, f->ts->store, demo, PT_BATCH_HOLD,
                                       "demo hold", &error));
  /* A real batch whose lot looks like a demo one is synced like any other. */
  spec = (PtBatchSpec){.product = "Oranges", .gtin = "09506000134352", .lot = "DEMO-0002"};
  g_autoptr(PtBatch) real = pt_batch_create(f->ts->station, f->ts->store, &spec, &error);
  g_assert_no_error(error);
  g_assert_false(real->demo);
  add_events(f, real, 2);
  g_autoptr(PtBatch) again = pt_store_batch_get(f->ts->store, demo->id, &error);
  g_assert_no_error(error);
  g_assert_true(again->demo);
  g_assert_cmpint(outbox_rows(f, demo->id), ==, 0);
  g_assert_cmpint(outbox_rows(f, real->id), ==, 3);

  run_start(f);
  add_events(f, demo, 1); /* while the worker runs too */
  GPtrArray *want_events = expected(f, FALSE, NULL);
  GPtrArray *want_all = expected(f, TRUE, NULL);
  Want wa = {"/a", want_all->len}, we = {"/epcis/capture", want_events->len};
  wait_for(f, arrived_pred, &wa, "webhook deliveries");
  wait_for(f, arrived_pred, &we, "EPCIS captures");
  g_usleep(500000); /* nothing more may come */
  check_delivery(f, "/a", want_all, 0);
  g_assert_cmpuint(n_arrived(f, "/a", "DEMO-0001"), ==, 0);
  g_assert_cmpuint(n_arrived(f, "/epcis/capture", "DEMO-0001"), ==, 0);
  g_assert_cmpuint(n_arrived(f, "/epcis/capture", "DEMO-0002"), ==, 3);
  g_assert_cmpint(outbox_rows(f, demo->id), ==, 0);
  g_assert_cmpint(status_int(f, "plain", "pending"), ==, 0);
  items_free(want_all);
  items_free(want_events);
}

/* ---- EPCIS: 413 splits, capture jobs followed, advertised limits -------- */

static void
refuse_big(Receiver *rx, const RxRequest *req, RxAnswer *ans, gpointer data)
{
  if (req->n_events > 5) {
    ans->status = 413;
    ans->body = "{\"type\":\"epcisException:CaptureLimitExceededException\"}";
  }
}

static void
test_epcis(Fixture *f, gconstpointer data)
{
  add_connector(f, "gs1", "epcis", "/epcis/", "max_batch=50");
  rx_set_decide(f->rx, refuse_big, NULL);
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 9);
  g_autoptr(PtBatch) b = batch_of(f, "Oranges", 9);
  run_start(f);
  add_events(f, a, 3);
  GPtrArray *want = expected(f, FALSE, NULL);
  Want w = {"/epcis/capture", want->len};
  wait_for(f, arrived_pred, &w, "EPCIS capture");
  g_usleep(300000);
  check_delivery(f, "/epcis/capture", want, 0);
  g_assert_cmpuint(rx_count_status(f->rx, 413), >=, 1);
  g_assert_cmpuint(rx_max_capture(f->rx), <=, 5);
  g_assert_cmpuint(rx_max_capture(f->rx), >=, 2); /* batched, not one by one */
  g_assert_cmpuint(rx_job_polls(f->rx), >=, 2);   /* "running", then finished */
  g_assert_cmpuint(rx_bad_headers(f->rx), ==, 0);
  g_assert_cmpint(status_int(f, "gs1", "pending"), ==, 0);
  g_assert_cmpint(status_int(f, "gs1", "in_flight"), ==, 0);
  items_free(want);
}

static void
test_epcis_advertised(Fixture *f, gconstpointer data)
{
  add_connector(f, "gs1", "epcis", "", NULL);
  rx_set_capture_limit(f->rx, 3);
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 10);
  run_start(f);
  GPtrArray *want = expected(f, FALSE, NULL);
  Want w = {"/capture", want->len};
  wait_for(f, arrived_pred, &w, "EPCIS capture");
  check_delivery(f, "/capture", want, 0);
  g_assert_cmpuint(rx_max_capture(f->rx), ==, 3);
  g_assert_cmpuint(rx_count_status(f->rx, 413), ==, 0);
  items_free(want);
}

/* ---- transient failures: 500 half the time, 503/429 with Retry-After ---- */

static void
flaky(Receiver *rx, const RxRequest *req, RxAnswer *ans, gpointer data)
{
  if (req->n == 1) {
    ans->status = 503;
    ans->retry_after_s = 1;
  } else if (req->n == 6) {
    ans->status = 429;
    ans->retry_after_s = 1;
  } else if (req->n == 9) {
    ans->close = TRUE;
  } else if (req->n % 2 == 0) {
    ans->status = 500;
    ans->body = "try again";
  }
}

static void
test_transient(Fixture *f, gconstpointer data)
{
  add_connector(f, "hub", "webhook", "/h", NULL);
  rx_set_decide(f->rx, flaky, NULL);
  /* One batch: one request at a time, so the gaps below are the station's waits. */
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 9);
  run_start(f);
  GPtrArray *want = expected(f, TRUE, NULL);
  Want w = {"/h", want->len};
  wait_for(f, arrived_pred, &w, "delivery through failures");
  g_usleep(300000);
  /* Request 9 was accepted but its answer lost (connection closed): it comes again
   * with the same Idempotency-Key, the one duplicate the platform deduplicates. */
  check_delivery(f, "/h", want, 1);
  g_assert_cmpuint(rx_n_arrivals(f->rx), ==, want->len + 1);
  g_assert_cmpuint(rx_count_status(f->rx, 500), >=, 3);
  /* Retry-After: 1 held back the whole connector for about a second. */
  g_assert_cmpint(rx_gap_after(f->rx, 503), >=, 900000);
  g_assert_cmpint(rx_gap_after(f->rx, 429), >=, 900000);
  g_assert_cmpint(status_int(f, "hub", "failed"), ==, 0);
  items_free(want);
}

/* ---- 400: failed for good, visible, retried only on request; others go on */

static void
refuse_lot(Receiver *rx, const RxRequest *req, RxAnswer *ans, gpointer data)
{
  const char *lot = data;
  gboolean hit = g_strcmp0(req->lot, lot) == 0;
  for (guint i = 0; req->lots && i < req->lots->len; i++)
    hit = hit || g_strcmp0(req->lots->pdata[i], lot) == 0;
  if (hit) {
    ans->status = 400;
    ans->body = "{\"error\":\"lot unknown to this platform\"}";
  }
}

static void
refuse_lot_500(Receiver *rx, const RxRequest *req, RxAnswer *ans, gpointer data)
{
  refuse_lot(rx, req, ans, data);
  if (ans->status)
    ans->status = 500;
}

static gboolean
delivered_pred(Fixture *f, gconstpointer data)
{
  const Want *w = data;
  return status_int(f, w->path, "delivered") >= (gint64)w->n;
}

static gboolean
failed_pred(Fixture *f, gconstpointer name)
{
  return status_int(f, name, "failed") == 1;
}

static long
http_call(Fixture *f, const char *method, const char *path, const char *token, GString *out)
{
  g_autofree char *url = g_strconcat(f->base, path, NULL);
  g_autofree char *auth =
      token ? g_strdup_printf("Authorization: Bearer %s", token) : g_strdup("X-None: 1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p =
      g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "curl", "-s", "-w", "\n%{http_code}",
                       "-X", method, "-H", auth, url, NULL);
  g_assert_no_error(error);
  g_autofree char *stdout_text = NULL;
  g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &stdout_text, NULL, &error));
  const char *nl = strrchr(stdout_text, '\n');
  g_string_assign(out, "");
  g_string_append_len(out, stdout_text, nl - stdout_text);
  return strtol(nl + 1, NULL, 10);
}

static void
test_permanent(Fixture *f, gconstpointer data)
{
  add_connector(f, "hub", "webhook", "/h", NULL);
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 3);
  g_autoptr(PtBatch) b = batch_of(f, "Oranges", 3);
  rx_set_decide(f->rx, refuse_lot, a->lot);
  run_start(f);
  Want wb = {"/h", 4, b->lot};
  wait_for(f, arrived_pred, &wb, "the other batch");
  wait_for(f, failed_pred, "hub", "the permanent failure");
  json_t *s = status(f, "hub");
  json_t *fail = json_array_get(json_object_get(s, "failures"), 0);
  g_assert_cmpint(json_integer_value(json_object_get(fail, "http_status")), ==, 400);
  g_assert_nonnull(strstr(json_string_value(json_object_get(fail, "error")), "lot unknown"));
  g_assert_cmpstr(json_string_value(json_object_get(fail, "lot")), ==, a->lot);
  g_assert_cmpint(json_integer_value(json_object_get(s, "pending")), ==, 3); /* behind it */
  json_decref(s);

  /* The API shows it to the operator only. */
  g_autoptr(GString) out = g_string_new(NULL);
  g_assert_cmpint(http_call(f, "GET", "/api/v1/sync", NULL, out), ==, 401);
  const char *token = f->ts->station->config->operator_token;
  g_assert_cmpint(http_call(f, "GET", "/api/v1/sync", token, out), ==, 200);
  g_assert_nonnull(strstr(out->str, "lot unknown"));

  /* The platform is fixed, but nothing is sent again until asked. */
  rx_set_decide(f->rx, NULL, NULL);
  g_usleep(700000);
  g_assert_cmpuint(n_arrived(f, "/h", a->lot), ==, 0);
  g_autofree char *bin =
      g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL);
  g_autofree char *cli_out = NULL;
  int wait_status;
  const char *argv[] = {bin, "sync", "retry", "--failed", "--data", f->ts->dir, NULL};
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                             &cli_out, NULL, &wait_status, NULL));
  g_assert_true(g_spawn_check_wait_status(wait_status, NULL));
  g_assert_nonnull(strstr(cli_out, "4 deliveries")); /* the failed one and the 3 behind it */
  GPtrArray *want = expected(f, TRUE, NULL);
  Want w = {"/h", want->len};
  wait_for(f, arrived_pred, &w, "the retried batch");
  check_delivery(f, "/h", want, 0);
  g_assert_cmpint(status_int(f, "hub", "failed"), ==, 0);
  g_assert_cmpint(http_call(f, "POST", "/api/v1/sync/retry", token, out), ==, 200);
  g_assert_nonnull(strstr(out->str, "requeued"));
  items_free(want);
}

static void
test_stuck_batch(Fixture *f, gconstpointer data)
{
  add_connector(f, "gs1", "epcis", "", NULL);
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 0);
  g_autoptr(PtBatch) b = batch_of(f, "Oranges", 0);
  for (int i = 0; i < 4; i++) {
    add_events(f, a, 1);
    add_events(f, b, 1);
  }
  rx_set_decide(f->rx, refuse_lot_500, a->lot);
  run_start(f);
  Want wb = {"/capture", 5, b->lot};
  wait_for(f, arrived_pred, &wb, "the batch the platform accepts");
  Want done = {"gs1", 5}; /* capture jobs finished */
  wait_for(f, delivered_pred, &done, "the accepted batch's capture jobs");
  g_assert_cmpuint(n_arrived(f, "/capture", a->lot), ==, 0);
  /* One status, both fields: read apart, a retry of the stuck batch between the two reads
   * moves its events from pending to in flight and they count twice. */
  json_t *st = status(f, "gs1");
  g_assert_cmpint(json_integer_value(json_object_get(st, "pending")) +
                      json_integer_value(json_object_get(st, "in_flight")),
                  ==, 5);
  json_decref(st);
  /* The platform recovers: the stuck batch follows, in order. */
  rx_set_decide(f->rx, NULL, NULL);
  GPtrArray *want = expected(f, FALSE, NULL);
  Want w = {"/capture", want->len};
  wait_for(f, arrived_pred, &w, "the stuck batch");
  check_delivery(f, "/capture", want, 0);
  items_free(want);
}

/* ---- one event the platform refuses on its own: quarantined, the rest drain ---- */

static void
refuse_key(Receiver *rx, const RxRequest *req, RxAnswer *ans, gpointer data)
{
  for (guint i = 0; req->keys && i < req->keys->len; i++)
    if (g_strcmp0(req->keys->pdata[i], data) == 0) {
      ans->status = 400;
      ans->body = "{\"type\":\"epcisException:ValidationException\","
                  "\"title\":\"epcClass is not a valid URI\"}";
    }
}

static gboolean
quarantined_pred(Fixture *f, gconstpointer name)
{
  return status_int(f, name, "quarantined") == 1;
}

static void
test_quarantine(Fixture *f, gconstpointer data)
{
  add_connector(f, "gs1", "epcis", "", NULL);
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 1);
  add_events(f, a, 2);
  g_autoptr(GError) error = NULL;
  g_assert_true(
      pt_batch_change_status(f->ts->station, f->ts->store, a, PT_BATCH_RECALL, "residue", &error));
  g_autoptr(PtBatch) b = batch_of(f, "Kiwi", 1);
  GPtrArray *want = expected(f, FALSE, NULL);
  /* The batch's second event is poisoned; its recall comes after it. */
  Item *bad = g_ptr_array_steal_index(want, 1);
  g_assert_cmpstr(bad->lot, ==, a->lot);
  rx_set_decide(f->rx, refuse_key, bad->key);
  run_start(f);
  wait_for(f, quarantined_pred, "gs1", "the poisoned event quarantined");
  Want w = {"/capture", want->len};
  wait_for(f, arrived_pred, &w, "every other event, the recall behind it included");
  Want done = {"gs1", want->len};
  wait_for(f, delivered_pred, &done, "their capture jobs");
  check_delivery(f, "/capture", want, 0);

  json_t *s = status(f, "gs1");
  g_assert_cmpint(json_integer_value(json_object_get(s, "pending")), ==, 0);
  g_assert_cmpint(json_integer_value(json_object_get(s, "failed")), ==, 0);
  g_assert_cmpint(json_integer_value(json_object_get(s, "quarantined")), ==, 1);
  json_t *q = json_array_get(json_object_get(s, "failures"), 0);
  g_assert_cmpstr(json_string_value(json_object_get(q, "state")), ==, "quarantined");
  g_assert_cmpstr(json_string_value(json_object_get(q, "key")), ==, bad->key);
  g_assert_cmpstr(json_string_value(json_object_get(q, "lot")), ==, a->lot);
  g_assert_cmpint(json_integer_value(json_object_get(q, "http_status")), ==, 400);
  g_assert_nonnull(strstr(json_string_value(json_object_get(q, "error")), "not a valid URI"));
  json_decref(s);

  /* The operator sees it in the API, the dashboard's alerts and the CLI. */
  const char *token = f->ts->station->config->operator_token;
  g_autoptr(GString) out = g_string_new(NULL);
  g_assert_cmpint(http_call(f, "GET", "/api/v1/sync", token, out), ==, 200);
  g_assert_nonnull(strstr(out->str, "\"quarantined\""));
  g_assert_nonnull(strstr(out->str, "not a valid URI"));
  g_assert_cmpint(http_call(f, "GET", "/api/v1/status", token, out), ==, 200);
  g_assert_nonnull(strstr(out->str, "\"sync-quarantine\""));
  g_assert_nonnull(strstr(out->str, a->lot));
  g_autofree char *bin =
      g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL);
  g_autofree char *cli_out = NULL;
  int wait_status;
  const char *argv[] = {bin, "sync", "status", "--data", f->ts->dir, NULL};
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                             &cli_out, NULL, &wait_status, NULL));
  g_assert_true(g_spawn_check_wait_status(wait_status, NULL));
  g_assert_nonnull(strstr(cli_out, "quarantined 1"));
  g_assert_nonnull(strstr(cli_out, "QUARANTINED"));
  g_assert_cmpuint(n_arrived(f, "/capture", NULL), ==, want->len);
  g_free(bad->key);
  g_free(bad->lot);
  g_free(bad);
  items_free(want);
}

/* ---- kill -9 in the middle of deliveries ------------------------------- */

static void
test_kill9(Fixture *f, gconstpointer data)
{
  add_connector(f, "hub", "webhook", "/h", NULL);
  rx_set_delay_ms(f->rx, 3);
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 60);
  g_autoptr(PtBatch) b = batch_of(f, "Oranges", 60);
  g_autoptr(PtBatch) c = batch_of(f, "Oranges", 60);
  GPtrArray *want = expected(f, TRUE, NULL);
  run_start(f);
  Want some = {"/h", 40};
  wait_for(f, arrived_pred, &some, "the first deliveries");
  run_stop(f, TRUE);
  guint at_kill = n_arrived(f, "/h", NULL);
  g_assert_cmpuint(at_kill, <, want->len);
  run_start(f);
  Want all = {"/h", want->len};
  wait_for(f, arrived_pred, &all, "the rest after restart");
  g_usleep(300000);
  /* Duplicates only from requests in flight at the kill (at most one per batch). */
  check_delivery(f, "/h", want, 3);
  items_free(want);
}

/* ---- TLS with a private CA -------------------------------------------- */

static gboolean
sh(const char *dir, const char *cmd)
{
  g_autofree char *full = g_strdup_printf("cd '%s' && %s", dir, cmd);
  int st;
  const char *argv[] = {"/bin/sh", "-c", full, NULL};
  return g_spawn_sync(NULL, (char **)argv, NULL,
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                      NULL, &st, NULL) &&
         g_spawn_check_wait_status(st, NULL);
}

static void
test_tls(Fixture *f, gconstpointer data)
{
  g_autofree char *openssl = g_find_program_in_path("openssl");
  if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES || openssl == NULL) {
    g_test_skip("needs libmicrohttpd with TLS and openssl");
    return;
  }
  const char *dir = f->ts->dir;
  g_assert_true(sh(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                        "-nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=packtrace-test-ca"));
  g_assert_true(sh(dir, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                        "-keyout srv.key -out srv.csr -subj /CN=localhost"));
  g_assert_true(sh(dir, "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext.cnf && "
                        "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                        "-out srv.pem -days 2 -extfile ext.cnf"));
  g_autofree char *cert_path = g_build_filename(dir, "srv.pem", NULL);
  g_autofree char *key_path = g_build_filename(dir, "srv.key", NULL);
  g_autofree char *cert = NULL, *key = NULL;
  g_assert_true(g_file_get_contents(cert_path, &cert, NULL, NULL));
  g_assert_true(g_file_get_contents(key_path, &key, NULL, NULL));
  rx_free(f->rx);
  f->rx = rx_new(0, SECRET, cert, key);
  /* The sanitizer build's TLS handshakes (inside connect_timeout_ms) are slow, and a request
   * that times out after the receiver stored it would come twice: both scale. */
  g_autofree char *url =
      g_strdup_printf("url=https://localhost:%u/h;connect_timeout_ms=%u;timeout_ms=%u",
                      rx_port(f->rx), 1000 * pt_test_time_scale(), 5000 * pt_test_time_scale());
  g_autofree char *with_ca = g_strdup_printf("%s;ca_file=ca.pem", url);
  add_connector(f, "private", "webhook", "", with_ca);
  add_connector(f, "public", "webhook", "", url);
  g_autoptr(PtBatch) a = batch_of(f, "Oranges", 2);
  run_start(f);
  GPtrArray *want = expected(f, TRUE, NULL);
  Want w = {"/h", want->len};
  wait_for(f, arrived_pred, &w, "delivery over TLS");
  check_delivery(f, "/h", want, 0);
  /* Without the private CA the certificate is refused: nothing goes out. */
  json_t *s = status(f, "public");
  g_assert_cmpint(json_integer_value(json_object_get(s, "delivered")), ==, 0);
  const char *err = json_string_value(json_object_get(s, "last_error"));
  g_assert_nonnull(err);
  g_assert_true(strstr(err, "certificate") || strstr(err, "SSL"));
  json_decref(s);
  items_free(want);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
  ADD("/sync/backlog-then-up", test_backlog);
  ADD("/sync/epcis-413-split-and-job", test_epcis);
  ADD("/sync/epcis-advertised-limit", test_epcis_advertised);
  ADD("/sync/transient-500-503-429", test_transient);
  ADD("/sync/permanent-400-retry-on-request", test_permanent);
  ADD("/sync/stuck-batch-does-not-block", test_stuck_batch);
  ADD("/sync/poisoned-event-quarantined", test_quarantine);
  ADD("/sync/kill9-restart", test_kill9);
  ADD("/sync/tls-private-ca", test_tls);
  ADD("/sync/demo-batches-never-synced", test_demo_not_synced);
  return g_test_run();
}

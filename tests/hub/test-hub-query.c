/* test-hub-query.c: the hub's readers on real data: two stations made by the real CLI
 * (query-stations.sh: gradings, holds, a recall, loads to two buyers) send their events
 * through the hub's real ingest (the in-process server on loopback, requests signed with the
 * stations' keys, PostgreSQL from with-pg.sh), then:
 *
 * - GET /events answers standard EPCIS queries with exactly the events sent that match them
 *   (each expected set computed here from the sent records), page by page through the
 *   Link rel="next" tokens, each record byte for byte as sent; bad parameters answer 400
 *   QueryParameterException; every query's plan is an index scan;
 * - a buyer's token never sees the events of a load to another buyer, and its batch search
 *   finds only the batches loaded for it;
 * - the quality index equals a recount made here from the sent inspecting and holding
 *   events, and a replayed request changes nothing. */
#include "pt-bundle.h"
#include "pt-error.h"
#include "pt-hub-buyer.h"
#include "pt-hub-server.h"
#include "pt-hub-sign.h"
#include "pt-hub-store-query.h"
#include "pt-hub-store.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-store.h"
#include "pt-time.h"

#include <curl/curl.h>
#include <sodium.h>
#include <libpq-fe.h>
#include <math.h>
#include <string.h>

#define GLN_A    "4012345000115" /* buyer-setup.sh: load 1 (ORA-001) */
#define GLN_B    "4012345000122" /* load 2 (ORA_002) */
#define GTIN_A   "09506000134352"
#define GTIN_B   "04012345000009"
#define CHUNK    4 /* events per POST: the index is kept across many transactions */
#define PER_PAGE 3

static struct {
  char *tmp;
  char *dir[2];
  PtKeys *keys[2];
  char *station[2];
  GPtrArray *wire[2];     /* (element-type json_t) wire events, seq order */
  GPtrArray *sent;        /* (element-type json_t) every record sent, parsed (for expectations) */
  GHashTable *body_of;    /* eventID -> the record's text as sent */
  GHashTable *station_of; /* eventID -> station id */
  GHashTable *seq_of;     /* eventID -> seq (GINT_TO_POINTER) */
  char *admin, *buyer_a, *buyer_b;
  PtHubServer *server;
  int port;
} fx;

/* Stations ---------------------------------------------------------------------------------- */

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
  fx.tmp = g_dir_make_tmp("pt-hub-query-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *a = g_build_filename(fx.tmp, "a", NULL);
  g_autofree char *b = g_build_filename(fx.tmp, "b", NULL);
  g_autofree char *script =
      g_build_filename(g_getenv("PACKTRACE_SOURCE"), "tests", "hub", "query-stations.sh", NULL);
  const char *argv[] = {script, a, b, NULL};
  g_autofree char *err = NULL;
  int status = 0;
  g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
               &status, &error);
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("query-stations.sh failed: %s", err);
  fx.sent = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
  fx.body_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  fx.station_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  fx.seq_of = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (int s = 0; s < 2; s++) {
    fx.dir[s] = g_build_filename(s ? b : a, "data", NULL);
    fx.keys[s] = pt_keys_load(fx.dir[s], &error);
    g_assert_no_error(error);
    fx.station[s] = pt_keys_station_id(fx.keys[s]->public_key);
    fx.wire[s] = read_events(fx.dir[s]);
  }
}

/* HTTP --------------------------------------------------------------------------------------- */

static size_t
on_data(char *data, size_t size, size_t n, void *user)
{
  g_string_append_len(user, data, (gssize)(size * n));
  return size * n;
}

/* A request to the hub: signed by @keys, or with the bearer @token (both nullable).
 * Returns: (transfer full): the body; @status, @link_out (nullable, transfer full: the
 * rel="next" target) and @type_out (nullable, transfer full: Content-Type). */
static char *
request(const char *method, const char *path, const char *body, const PtKeys *keys,
        const char *token, long *status, char **link_out, char **type_out)
{
  CURL *curl = curl_easy_init();
  g_autofree char *url = g_strdup_printf("http://127.0.0.1:%d%s", fx.port, path);
  struct curl_slist *headers = NULL;
  g_auto(PtHubAuth) auth = {0};
  gsize len = body ? strlen(body) : 0;
  if (keys) {
    pt_hub_sign_request(keys, method, path, body, len, pt_now_ns(), &auth);
    g_autofree char *h1 = g_strdup_printf("PT-Station: %s", auth.station);
    g_autofree char *h2 = g_strdup_printf("PT-Date: %s", auth.date);
    g_autofree char *h3 = g_strdup_printf("PT-Signature: %s", auth.signature);
    headers = curl_slist_append(headers, h1);
    headers = curl_slist_append(headers, h2);
    headers = curl_slist_append(headers, h3);
    headers = curl_slist_append(headers, "Content-Type: application/json");
  }
  if (token) {
    g_autofree char *h = g_strdup_printf("Authorization: Bearer %s", token);
    headers = curl_slist_append(headers, h);
  }
  g_autoptr(GString) answer = g_string_new(NULL);
  g_autoptr(GString) head = g_string_new(NULL);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  if (body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_data);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, head);
  g_assert_cmpint(curl_easy_perform(curl), ==, CURLE_OK);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  g_auto(GStrv) lines = g_strsplit(head->str, "\r\n", -1);
  for (char **l = lines; *l; l++) {
    if (link_out && g_ascii_strncasecmp(*l, "Link: <", 7) == 0) {
      const char *end = strstr(*l, ">; rel=\"next\"");
      g_assert_nonnull(end);
      *link_out = g_strndup(*l + 7, (gsize)(end - (*l + 7)));
    }
    if (type_out && g_ascii_strncasecmp(*l, "Content-Type: ", 14) == 0)
      *type_out = g_strdup(*l + 14);
  }
  return g_string_free(g_steal_pointer(&answer), FALSE);
}

static json_t *
get_json(const char *path, const char *token, long want_status)
{
  long status = 0;
  g_autofree char *body = request("GET", path, NULL, NULL, token, &status, NULL, NULL);
  if (status != want_status)
    g_error("GET %s: %ld, not %ld: %s", path, status, want_status, body);
  g_autoptr(GError) error = NULL;
  json_t *v = pt_json_parse(body, strlen(body), &error);
  g_assert_no_error(error);
  return v;
}

/* Ingest ---------------------------------------------------------------------------------- */

static void
post_chunk(int s, guint from, guint n, const char *want)
{
  json_t *arr = json_array();
  for (guint i = from; i < from + n; i++)
    json_array_append(arr, fx.wire[s]->pdata[i]);
  json_t *req = json_pack("{so}", "events", arr);
  g_autofree char *text = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  long status = 0;
  g_autofree char *answer =
      request("POST", "/hub/v1/events", text, fx.keys[s], NULL, &status, NULL, NULL);
  g_assert_cmpint(status, ==, 200);
  json_t *a = pt_json_parse(answer, strlen(answer), NULL);
  json_t *results = json_object_get(a, "results");
  g_assert_cmpint(json_array_size(results), ==, n);
  for (guint i = 0; i < n; i++) {
    const char *st = json_string_value(json_object_get(json_array_get(results, i), "status"));
    if (g_strcmp0(st, want) != 0)
      g_error("event %u of station %d: %s (%s), not %s", from + i + 1, s, st,
              json_string_value(json_object_get(json_array_get(results, i), "reason")), want);
  }
  json_decref(a);
}

static void
ingest(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(g_getenv("PT_HUB_DSN"), NULL, &error);
  g_assert_no_error(error);
  for (int s = 0; s < 2; s++) {
    const char *name = s ? "Shed B" : "Shed A";
    g_assert_true(
        pt_hub_store_station_add(store, fx.station[s], name, fx.keys[s]->public_key, &error));
    g_assert_no_error(error);
    for (guint i = 0; i < fx.wire[s]->len; i += CHUNK)
      post_chunk(s, i, MIN(CHUNK, fx.wire[s]->len - i), "accepted");
    for (guint i = 0; i < fx.wire[s]->len; i++) {
      json_t *w = fx.wire[s]->pdata[i];
      const char *body = json_string_value(json_object_get(w, "body"));
      json_t *rec = pt_json_parse(body, strlen(body), &error);
      g_assert_no_error(error);
      g_ptr_array_add(fx.sent, rec);
      const char *id = json_string_value(json_object_get(rec, "eventID"));
      g_hash_table_insert(fx.body_of, g_strdup(id), g_strdup(body));
      g_hash_table_insert(fx.station_of, g_strdup(id), g_strdup(fx.station[s]));
      g_hash_table_insert(fx.seq_of, g_strdup(id),
                          GINT_TO_POINTER((int)json_integer_value(json_object_get(w, "seq"))));
    }
  }
  fx.admin = pt_hub_token_new(store, "co-op office", PT_HUB_ROLE_ADMIN, NULL, &error);
  fx.buyer_a = pt_hub_token_new(store, "Fresh Co", PT_HUB_ROLE_BUYER, GLN_A, &error);
  fx.buyer_b = pt_hub_token_new(store, "Sun Market", PT_HUB_ROLE_BUYER, GLN_B, &error);
  g_assert_no_error(error);
  /* Stored as its SHA-256 only. */
  PGconn *c = PQconnectdb(g_getenv("PT_HUB_DSN"));
  const char *params[] = {fx.buyer_a};
  PGresult *r = PQexecParams(c,
                             "SELECT count(*) FILTER (WHERE token_hash = sha256(convert_to($1, "
                             "'UTF8'))), count(*) FILTER (WHERE position(convert_to($1, 'UTF8') "
                             "IN token_hash) > 0 OR name = $1) FROM hub_tokens",
                             1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint(PQresultStatus(r), ==, PGRES_TUPLES_OK);
  g_assert_cmpstr(PQgetvalue(r, 0, 0), ==, "1");
  g_assert_cmpstr(PQgetvalue(r, 0, 1), ==, "0");
  PQclear(r);
  PQfinish(c);
  g_assert_null(pt_hub_token_new(store, "x", PT_HUB_ROLE_BUYER, "123", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
}

/* Expectations ------------------------------------------------------------------------------ */

static gint64
time_of(json_t *rec)
{
  gint64 ns = 0;
  g_assert_true(pt_time_parse(json_string_value(json_object_get(rec, "eventTime")), &ns, NULL));
  return ns;
}

static gint
by_key(gconstpointer a, gconstpointer b)
{
  json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
  gint64 tx = time_of(x), ty = time_of(y);
  if (tx != ty)
    return tx < ty ? -1 : 1;
  const char *ix = json_string_value(json_object_get(x, "eventID"));
  const char *iy = json_string_value(json_object_get(y, "eventID"));
  int c = strcmp(g_hash_table_lookup(fx.station_of, ix), g_hash_table_lookup(fx.station_of, iy));
  if (c)
    return c;
  return GPOINTER_TO_INT(g_hash_table_lookup(fx.seq_of, ix)) -
         GPOINTER_TO_INT(g_hash_table_lookup(fx.seq_of, iy));
}

typedef gboolean (*Pred)(json_t *rec, gconstpointer data);

/* The eventIDs of the sent records @pred keeps, in the hub's order, space-joined. */
static char *
expected(Pred pred, gconstpointer data)
{
  g_autoptr(GPtrArray) keep = g_ptr_array_new();
  for (guint i = 0; i < fx.sent->len; i++)
    if (pred(fx.sent->pdata[i], data))
      g_ptr_array_add(keep, fx.sent->pdata[i]);
  g_ptr_array_sort(keep, by_key);
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < keep->len; i++)
    g_string_append_printf(s, "%s%s", i ? " " : "",
                           json_string_value(json_object_get(keep->pdata[i], "eventID")));
  return g_string_free(s, FALSE);
}

/* Every page of GET /events?@query as @token, following Link rel="next": the eventIDs in
 * order, space-joined.  Checks each page's document, and that each record is the text
 * sent, byte for byte. */
static char *
query_all(const char *query, const char *token, guint *pages_out)
{
  GString *ids = g_string_new(NULL);
  g_autofree char *path =
      g_strdup_printf("/events?%s%sperPage=%d", query, *query ? "&" : "", PER_PAGE);
  guint pages = 0;
  while (path) {
    long status = 0;
    g_autofree char *link = NULL, *type = NULL;
    g_autofree char *doc = request("GET", path, NULL, NULL, token, &status, &link, &type);
    if (status != 200)
      g_error("GET %s: %ld %s", path, status, doc);
    g_assert_cmpstr(type, ==, "application/ld+json");
    g_autoptr(GError) error = NULL;
    json_t *d = pt_json_parse(doc, strlen(doc), &error);
    g_assert_no_error(error);
    g_assert_cmpstr(json_string_value(json_object_get(d, "type")), ==, "EPCISQueryDocument");
    json_t *list = json_object_get(
        json_object_get(json_object_get(json_object_get(d, "epcisBody"), "queryResults"),
                        "resultsBody"),
        "eventList");
    g_assert_true(json_is_array(list));
    g_assert_cmpint(json_array_size(list), <=, PER_PAGE);
    /* A page announcing a next one is full. */
    if (link)
      g_assert_cmpint(json_array_size(list), ==, PER_PAGE);
    gsize i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
      const char *id = json_string_value(json_object_get(e, "eventID"));
      const char *sent = g_hash_table_lookup(fx.body_of, id);
      g_assert_nonnull(sent);
      g_assert_nonnull(strstr(doc, sent)); /* spliced verbatim */
      g_string_append_printf(ids, "%s%s", ids->len ? " " : "", id);
    }
    json_decref(d);
    g_free(path);
    path = g_steal_pointer(&link);
    pages++;
    g_assert_cmpint(pages, <, 100);
  }
  if (pages_out)
    *pages_out = pages;
  return g_string_free(ids, FALSE);
}

static gboolean
all(json_t *rec, gconstpointer data)
{
  return TRUE;
}

static gboolean
step_is(json_t *rec, gconstpointer data)
{
  const char *step = json_string_value(json_object_get(rec, "bizStep"));
  for (const char *const *s = data; *s; s++)
    if (g_strcmp0(step, *s) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
disposition_is(json_t *rec, gconstpointer data)
{
  const char *d = json_string_value(json_object_get(rec, "disposition"));
  for (const char *const *s = data; *s; s++)
    if (g_strcmp0(d, *s) == 0)
      return TRUE;
  return FALSE;
}

static const char *
class_of(json_t *rec)
{
  return json_string_value(
      json_object_get(json_array_get(json_object_get(rec, "quantityList"), 0), "epcClass"));
}

static gboolean
class_is(json_t *rec, gconstpointer data)
{
  return g_strcmp0(class_of(rec), data) == 0;
}

static gboolean
class_gtin_is(json_t *rec, gconstpointer data)
{
  g_autofree char *prefix = g_strdup_printf("https://id.gs1.org/01/%s/10/", (const char *)data);
  return class_of(rec) && g_str_has_prefix(class_of(rec), prefix);
}

/* [from, to) in ns */
static gboolean
time_within(json_t *rec, gconstpointer data)
{
  const gint64 *w = data;
  gint64 t = time_of(rec);
  return t >= w[0] && t < w[1];
}

static gboolean
record_from(json_t *rec, gconstpointer data)
{
  gint64 t = 0;
  g_assert_true(pt_time_parse(json_string_value(json_object_get(rec, "recordTime")), &t, NULL));
  return t >= *(const gint64 *)data;
}

static gboolean
none(json_t *rec, gconstpointer data)
{
  return json_object_get(rec, data) != NULL; /* a member no station record carries */
}

static gboolean
inspecting_conformant(json_t *rec, gconstpointer data)
{
  return g_strcmp0(json_string_value(json_object_get(rec, "bizStep")), "inspecting") == 0 &&
         g_strcmp0(json_string_value(json_object_get(rec, "disposition")), "conformant") == 0;
}

static void
expect_query(const char *query, Pred pred, gconstpointer data)
{
  g_autofree char *want = expected(pred, data);
  g_autofree char *got = query_all(query, fx.admin, NULL);
  if (strcmp(want, got) != 0)
    g_error("GET /events?%s\n  got:  %s\n  want: %s", query, got, want);
}

/* Tests -------------------------------------------------------------------------------------- */

static void
test_epcis_queries(void)
{
  guint pages = 0;
  g_autofree char *want_all = expected(all, NULL);
  g_autofree char *got_all = query_all("", fx.admin, &pages);
  g_assert_cmpstr(got_all, ==, want_all);
  g_assert_cmpint(pages, ==, (fx.sent->len + PER_PAGE - 1) / PER_PAGE);
  g_assert_cmpint(fx.sent->len, >=, 15);

  expect_query("eventType=ObjectEvent", all, NULL);
  static const char *const insp[] = {"inspecting", NULL};
  static const char *const hold_load[] = {"holding", "loading", NULL};
  expect_query("EQ_bizStep=inspecting", step_is, insp);
  expect_query("EQ_bizStep=https%3A%2F%2Fref.gs1.org%2Fcbv%2FBizStep-holding,loading", step_is,
               hold_load);
  expect_query("EQ_bizStep=urn%3Aepcglobal%3Acbv%3Abizstep%3Aholding&EQ_bizStep=loading", step_is,
               hold_load);
  static const char *const conf[] = {"conformant", "non_conformant", NULL};
  expect_query("EQ_disposition=conformant,non_conformant", disposition_is, conf);
  expect_query("EQ_bizStep=inspecting&EQ_disposition=conformant", inspecting_conformant, NULL);
  expect_query("MATCH_epcClass=https%3A%2F%2Fid.gs1.org%2F01%2F" GTIN_A "%2F10%2FORA-001", class_is,
               "https://id.gs1.org/01/" GTIN_A "/10/ORA-001");
  expect_query("MATCH_epcClass=urn%3Aepc%3Aclass%3Algtin%3A9506000.013435.ORA-001", class_is,
               "https://id.gs1.org/01/" GTIN_A "/10/ORA-001");
  expect_query("MATCH_epcClass=https%3A%2F%2Fid.gs1.org%2F01%2F" GTIN_B "%2F10%2F*", class_gtin_is,
               GTIN_B);
  /* The backdated commissionings of ORA-001 and ORA_002 (buyer-setup.sh's harvest dates). */
  gint64 window[2];
  g_assert_true(pt_time_parse("2026-10-01T00:00:00Z", &window[0], NULL));
  g_assert_true(pt_time_parse("2026-10-10T00:00:00.001Z", &window[1], NULL));
  expect_query("GE_eventTime=2026-10-01T00:00:00Z&LT_eventTime=2026-10-10T02:00:00.001%2B02:00",
               time_within, window);
  g_autofree char *some = expected(time_within, window);
  g_assert_nonnull(strchr(some, ' ')); /* two events: the window is not empty */
  /* Record times: from the tenth record sent on. */
  gint64 from = 0;
  json_t *tenth = fx.sent->pdata[9];
  const char *rt = json_string_value(json_object_get(tenth, "recordTime"));
  g_assert_true(pt_time_parse(rt, &from, NULL));
  g_autofree char *q = g_strdup_printf("GE_recordTime=%s", rt);
  expect_query(q, record_from, &from);
  /* No station record has a business location, a read point or instance EPCs. */
  expect_query("EQ_bizLocation=urn%3Aepc%3Aid%3Asgln%3A4012345.00001.0", none, "bizLocation");
  expect_query("EQ_readPoint=urn%3Aepc%3Aid%3Asgln%3A4012345.00001.0", none, "readPoint");
  expect_query("MATCH_epc=https%3A%2F%2Fid.gs1.org%2F01%2F" GTIN_A "%2F21%2F1", none, "epcList");
}

static void
expect_400(const char *path, const char *fragment)
{
  long status = 0;
  g_autofree char *type = NULL;
  g_autofree char *body = request("GET", path, NULL, NULL, fx.admin, &status, NULL, &type);
  if (status != 400 || !strstr(body, "QueryParameterException") || !strstr(body, fragment))
    g_error("GET %s: %ld %s", path, status, body);
  g_assert_cmpstr(type, ==, "application/problem+json");
}

static void
test_epcis_errors(void)
{
  expect_400("/events?EQ_bizstep=inspecting", "unknown query parameter EQ_bizstep");
  expect_400("/events?GE_eventTime=yesterday", "GE_eventTime");
  expect_400("/events?GE_eventTime=2026-10-01T00:00:00Z&GE_eventTime=2026-10-02T00:00:00Z",
             "twice");
  expect_400("/events?eventType=ParcelEvent", "eventType");
  expect_400("/events?perPage=0", "perPage");
  expect_400("/events?perPage=1001", "perPage");
  expect_400("/events?MATCH_epcClass=https%3A%2F%2Fid.gs1.org%2F01%2F*", "MATCH_epcClass");
  expect_400("/events?nextPageToken=not-a-token", "nextPageToken");
  /* A token of one query does not page another. */
  long status = 0;
  g_autofree char *link = NULL;
  g_autofree char *doc = request("GET", "/events?EQ_bizStep=inspecting&perPage=1", NULL, NULL,
                                 fx.admin, &status, &link, NULL);
  g_assert_cmpint(status, ==, 200);
  g_assert_nonnull(link);
  const char *token = strstr(link, "nextPageToken=");
  g_assert_nonnull(token);
  g_autofree char *other = g_strdup_printf("/events?EQ_bizStep=holding&%s", token);
  expect_400(other, "another query");

  g_autofree char *none = request("GET", "/events", NULL, NULL, NULL, &status, NULL, NULL);
  g_assert_cmpint(status, ==, 401);
  g_autofree char *wrong = request(
      "GET", "/events", NULL, NULL,
      "0000000000000000000000000000000000000000000000000000000000000000", &status, NULL, NULL);
  g_assert_cmpint(status, ==, 401);
  g_autofree char *post = request("POST", "/events", "{}", NULL, fx.admin, &status, NULL, NULL);
  g_assert_cmpint(status, ==, 405);
}

static gboolean
shown_to(json_t *rec, gconstpointer gln)
{
  return pt_bundle_event_shown(rec, PT_BUNDLE_BUYER, gln);
}

/* The eventID of the loading event of load @load_id. */
static const char *
loading_of(int load_id)
{
  for (guint i = 0; i < fx.sent->len; i++) {
    json_t *r = fx.sent->pdata[i];
    if (g_strcmp0(json_string_value(json_object_get(r, "bizStep")), "loading") == 0 &&
        json_integer_value(json_object_get(r, "pt:loadId")) == load_id)
      return json_string_value(json_object_get(r, "eventID"));
  }
  g_assert_not_reached();
}

static void
test_buyer_scope_events(void)
{
  const char *load_a = loading_of(1), *load_b = loading_of(2);
  g_autofree char *all_ids = query_all("", fx.admin, NULL);
  g_assert_nonnull(strstr(all_ids, load_a));
  g_assert_nonnull(strstr(all_ids, load_b));

  g_autofree char *a = query_all("", fx.buyer_a, NULL);
  g_autofree char *want_a = expected(shown_to, GLN_A);
  g_assert_cmpstr(a, ==, want_a);
  g_assert_nonnull(strstr(a, load_a));
  g_assert_null(strstr(a, load_b));
  g_autofree char *b = query_all("EQ_bizStep=loading,departing", fx.buyer_b, NULL);
  g_assert_nonnull(strstr(b, load_b));
  g_assert_null(strstr(b, load_a));
  /* Asked for by its class, the other buyer's load still does not come. */
  g_autofree char *b2 = query_all(
      "MATCH_epcClass=https%3A%2F%2Fid.gs1.org%2F01%2F" GTIN_A "%2F10%2FORA-001", fx.buyer_b, NULL);
  g_assert_null(strstr(b2, load_a));
  g_assert_nonnull(strstr(b2, json_string_value(json_object_get(fx.sent->pdata[0], "eventID"))));
}

/* The lots of GET /api/v1/batches?@query as @token, in order, space-joined. */
static char *
lots(const char *query, const char *token)
{
  g_autofree char *path = g_strdup_printf("/api/v1/batches?%s", query);
  json_t *a = get_json(path, token, 200);
  GString *s = g_string_new(NULL);
  gsize i;
  json_t *b;
  json_array_foreach(json_object_get(a, "batches"), i, b)
      g_string_append_printf(s, "%s%s", i ? " " : "", json_string_value(json_object_get(b, "lot")));
  json_decref(a);
  return g_string_free(s, FALSE);
}

static void
expect_lots(const char *query, const char *token, const char *want)
{
  g_autofree char *got = lots(query, token);
  if (strcmp(got, want) != 0)
    g_error("/api/v1/batches?%s: %s, not %s", query, got, want);
}

static void
test_buyer_search(void)
{
  /* Newest pack date first: PEA-004 11-20, APL-B1 11-06, APL-003 11-05, ORA_002, ORA-001. */
  expect_lots("", fx.admin, "PEA-004 APL-B1 APL-003 ORA_002 ORA-001");
  expect_lots("", fx.buyer_a, "ORA-001");
  expect_lots("", fx.buyer_b, "ORA_002");
  expect_lots("lot=ora", fx.admin, "ORA_002 ORA-001");
  expect_lots("lot=ORA_", fx.admin, "ORA_002"); /* _ is not a wildcard */
  expect_lots("lot=ora", fx.buyer_a, "ORA-001");
  expect_lots("gtin=" GTIN_B, fx.admin, "PEA-004 APL-B1 APL-003");
  expect_lots("gtin=4012345000009", fx.admin, "PEA-004 APL-B1 APL-003"); /* GTIN-13 */
  expect_lots("grower=HILL", fx.admin, "APL-B1");
  expect_lots("grower=50%25", fx.admin, "ORA_002");
  g_autofree char *st = g_strdup_printf("station=%s", fx.station[1]);
  expect_lots(st, fx.admin, "APL-B1");
  expect_lots(st, fx.buyer_a, "");
  expect_lots("from=2026-10-12&to=2026-11-06", fx.admin, "APL-B1 APL-003 ORA_002");
  /* The class declared (buyer-setup.sh: ORA-001 Extra, ORA_002 class I of mostly Extra
   * fruit) and the verdict: a non-conformant class I lot is never "Extra". */
  expect_lots("grade=I", fx.admin, "APL-B1 ORA_002");
  expect_lots("grade=Extra", fx.admin, "ORA-001");
  expect_lots("verdict=non_conformant", fx.admin, "APL-B1 ORA_002");
  expect_lots("verdict=conformant", fx.admin, "ORA-001");
  expect_lots("grade=I&verdict=conformant", fx.admin, "");

  json_t *a = get_json("/api/v1/batches?lot=APL-B1", fx.admin, 200);
  json_t *b = json_array_get(json_object_get(a, "batches"), 0);
  g_assert_cmpstr(json_string_value(json_object_get(b, "station")), ==, fx.station[1]);
  g_assert_cmpstr(json_string_value(json_object_get(b, "station_name")), ==, "Shed B");
  g_assert_cmpstr(json_string_value(json_object_get(b, "variety")), ==, "Gala");
  g_assert_cmpstr(json_string_value(json_object_get(b, "state")), ==, "active"); /* released */
  json_decref(a);
  a = get_json("/api/v1/batches?lot=PEA", fx.admin, 200);
  g_assert_cmpstr(
      json_string_value(json_object_get(json_array_get(json_object_get(a, "batches"), 0), "state")),
      ==, "recalled");
  json_decref(a);

  json_decref(get_json("/api/v1/batches?colour=red", fx.admin, 400));
  json_decref(get_json("/api/v1/batches?gtin=123", fx.admin, 400));
  json_decref(get_json("/api/v1/batches?verdict=maybe", fx.admin, 400));
  json_decref(get_json("/api/v1/batches?from=2026-02-30", fx.admin, 400));
  json_decref(get_json("/api/v1/batches?limit=0", fx.admin, 400));
  json_decref(get_json("/api/v1/batches?lot=a&lot=b", fx.admin, 400));
  json_decref(get_json("/api/v1/batches", NULL, 401));
}

/* The quality index recounted from the sent records: per ISO week of the event time. */
typedef struct {
  gint64 events, inspections, conformant, non_conformant, holds, recalls;
  double fruit, fruit_with_defects, weight_kg;
  GHashTable *grades, *sizes, *defects, *declared; /* key -> double* */
} Recount;

static void
recount_free(Recount *r)
{
  g_hash_table_unref(r->grades);
  g_hash_table_unref(r->sizes);
  g_hash_table_unref(r->defects);
  g_hash_table_unref(r->declared);
  g_free(r);
}

static void
add_to(GHashTable *t, const char *key, double v)
{
  double *slot = g_hash_table_lookup(t, key);
  if (!slot) {
    slot = g_new0(double, 1);
    g_hash_table_insert(t, g_strdup(key), slot);
  }
  *slot += v;
}

static void
add_object(GHashTable *t, json_t *obj)
{
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) add_to(t, k, json_number_value(v));
}

static GHashTable *
recount(void)
{
  GHashTable *weeks =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)recount_free);
  for (guint i = 0; i < fx.sent->len; i++) {
    json_t *r = fx.sent->pdata[i];
    if (!class_of(r))
      continue; /* no batch: not in the index */
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(time_of(r) / 1000000000);
    g_autofree char *week = g_date_time_format(t, "%G-W%V");
    Recount *w = g_hash_table_lookup(weeks, week);
    if (!w) {
      w = g_new0(Recount, 1);
      w->grades = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
      w->sizes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
      w->defects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
      w->declared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert(weeks, g_strdup(week), w);
    }
    w->events++;
    const char *step = json_string_value(json_object_get(r, "bizStep"));
    const char *action = json_string_value(json_object_get(r, "pt:action"));
    if (g_strcmp0(step, "holding") == 0 && g_strcmp0(action, "hold") == 0)
      w->holds++;
    if (g_strcmp0(step, "holding") == 0 && g_strcmp0(action, "recall") == 0)
      w->recalls++;
    if (g_strcmp0(step, "inspecting") != 0)
      continue;
    w->inspections++;
    const char *disp = json_string_value(json_object_get(r, "disposition"));
    w->conformant += g_strcmp0(disp, "conformant") == 0;
    w->non_conformant += g_strcmp0(disp, "non_conformant") == 0;
    w->fruit += json_number_value(json_object_get(r, "pt:fruitCount"));
    w->weight_kg += json_number_value(json_object_get(r, "pt:estimatedWeightKg"));
    json_t *defects = json_object_get(r, "pt:defects");
    w->fruit_with_defects += json_number_value(json_object_get(defects, "fruitWithDefects"));
    add_object(w->grades, json_object_get(r, "pt:gradeDistribution"));
    add_object(w->sizes, json_object_get(r, "pt:sizeDistribution"));
    add_object(w->defects, json_object_get(defects, "fruitByKind"));
    if (json_object_get(r, "pt:declaredClass"))
      add_to(w->declared, json_string_value(json_object_get(r, "pt:declaredClass")), 1);
  }
  return weeks;
}

static void
expect_map(json_t *got, GHashTable *want, const char *what)
{
  g_assert_cmpint(json_object_size(got), ==, g_hash_table_size(want));
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, want);
  while (g_hash_table_iter_next(&it, &k, &v)) {
    json_t *n = json_object_get(got, k);
    if (!n || fabs(json_number_value(n) - *(double *)v) > 1e-9)
      g_error("%s[%s]: %g, recount %g", what, (char *)k, json_number_value(n), *(double *)v);
  }
}

static void
expect_index_equals_recount(void)
{
  g_autoptr(GHashTable) weeks = recount();
  json_t *a = get_json("/api/v1/quality?by=week", fx.buyer_a, 200);
  json_t *groups = json_object_get(a, "groups");
  g_assert_cmpint(json_array_size(groups), ==, g_hash_table_size(weeks));
  gint64 inspections = 0;
  gsize i;
  json_t *g;
  json_array_foreach(groups, i, g)
  {
    const char *key = json_string_value(json_object_get(g, "key"));
    Recount *w = g_hash_table_lookup(weeks, key);
    if (!w)
      g_error("week %s in the index, not in the recount", key);
#define EQ_INT(f) g_assert_cmpint(json_integer_value(json_object_get(g, #f)), ==, w->f)
#define EQ_NUM(f)                                                                                  \
  g_assert_cmpfloat_with_epsilon(json_number_value(json_object_get(g, #f)), w->f, 1e-9)
    EQ_INT(events);
    EQ_INT(inspections);
    EQ_INT(conformant);
    EQ_INT(non_conformant);
    EQ_INT(holds);
    EQ_INT(recalls);
    EQ_NUM(fruit);
    EQ_NUM(fruit_with_defects);
    EQ_NUM(weight_kg);
#undef EQ_INT
#undef EQ_NUM
    expect_map(json_object_get(g, "grades"), w->grades, "grades");
    expect_map(json_object_get(g, "sizes"), w->sizes, "sizes");
    expect_map(json_object_get(g, "defects"), w->defects, "defects");
    expect_map(json_object_get(g, "declared"), w->declared, "declared");
    inspections += w->inspections;
  }
  g_assert_cmpint(inspections, ==, 3); /* ORA-001, ORA_002, APL-B1: the recount is not empty */
  json_decref(a);
}

static void
test_quality_index(void)
{
  expect_index_equals_recount();
  /* A replayed request: every event a duplicate, the index unchanged. */
  post_chunk(1, 0, fx.wire[1]->len, "duplicate");
  expect_index_equals_recount();

  /* By station and by grower: the grading of station B is Hill orchard's, in station B. */
  json_t *a = get_json("/api/v1/quality?by=station", fx.admin, 200);
  json_t *groups = json_object_get(a, "groups");
  g_assert_cmpint(json_array_size(groups), ==, 2);
  gsize i;
  json_t *g;
  json_array_foreach(groups, i, g)
  {
    gboolean b = g_strcmp0(json_string_value(json_object_get(g, "key")), fx.station[1]) == 0;
    g_assert_cmpint(json_integer_value(json_object_get(g, "inspections")), ==, b ? 1 : 2);
    g_assert_cmpint(json_integer_value(json_object_get(g, "holds")), ==, 1);
    g_assert_cmpint(json_integer_value(json_object_get(g, "recalls")), ==, b ? 0 : 1);
  }
  json_decref(a);
  a = get_json("/api/v1/quality?by=grower&grower=Hill%20orchard", fx.admin, 200);
  groups = json_object_get(a, "groups");
  g_assert_cmpint(json_array_size(groups), ==, 1);
  g = json_array_get(groups, 0);
  g_assert_cmpint(json_integer_value(json_object_get(g, "inspections")), ==, 1);
  g_assert_cmpfloat(json_number_value(json_object_get(g, "fruit")), >, 0);
  json_decref(a);
  a = get_json("/api/v1/quality?by=variety&from=2020-01-01&to=2020-12-31", fx.admin, 200);
  g_assert_cmpint(json_array_size(json_object_get(a, "groups")), ==, 0);
  json_decref(a);
  json_decref(get_json("/api/v1/quality?by=colour", fx.admin, 400));
  json_decref(get_json("/api/v1/quality?from=someday", fx.admin, 400));
  json_decref(get_json("/api/v1/quality", NULL, 401));
}

/* Each query's plan, with sequential scans priced out, uses indexes only: a query that no
 * index could serve would still show a Seq Scan. */
static void
test_query_plans(void)
{
  g_setenv("PGOPTIONS", "-c enable_seqscan=off", TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(g_getenv("PT_HUB_DSN"), NULL, &error);
  g_unsetenv("PGOPTIONS");
  g_assert_no_error(error);
  g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(one, g_strdup("x"));
  for (int i = 0; i < 12; i++) {
    g_auto(PtHubEventQuery) q = {0};
    switch (i) {
    case 0:
      break;
    case 1:
      q.event_types = g_ptr_array_ref(one);
      break;
    case 2:
      q.ge_event_time = g_strdup("2026-10-01T00:00:00Z");
      break;
    case 3:
      q.ge_record_time = g_strdup("2026-10-01T00:00:00Z");
      break;
    case 4:
      q.biz_steps = g_ptr_array_ref(one);
      break;
    case 5:
      q.dispositions = g_ptr_array_ref(one);
      break;
    case 6:
      q.biz_locations = g_ptr_array_ref(one);
      break;
    case 7:
      q.read_points = g_ptr_array_ref(one);
      break;
    case 8:
      q.epc_classes = g_ptr_array_ref(one);
      break;
    case 9:
      q.class_gtins = g_ptr_array_ref(one);
      break;
    case 10:
      q.epcs = g_ptr_array_ref(one);
      break;
    case 11:
      q.after_time = g_strdup("2026-10-01T00:00:00.000000Z");
      q.after_station = g_strdup("0000000000000000");
      q.after_seq = 3;
      break;
    }
    g_autofree char *plan = pt_hub_store_events_explain(store, &q, 100, &error);
    g_assert_no_error(error);
    g_test_message("plan of query %d:\n%s", i, plan);
    if (strstr(plan, "Seq Scan"))
      g_error("query %d scans a table:\n%s", i, plan);
    g_assert_nonnull(strstr(plan, "Index"));
  }
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
  g_autofree char *key_dir = g_build_filename(fx.tmp, "hub-key", NULL);
  PtHubConfig config = {.dsn = (char *)g_getenv("PT_HUB_DSN"), .port = 0, .key_dir = key_dir};
  fx.server = pt_hub_server_start(&config, &error);
  g_assert_no_error(error);
  fx.port = pt_hub_server_port(fx.server);
  ingest();

  g_test_add_func("/hub-query/epcis-queries", test_epcis_queries);
  g_test_add_func("/hub-query/epcis-errors", test_epcis_errors);
  g_test_add_func("/hub-query/buyer-scope-events", test_buyer_scope_events);
  g_test_add_func("/hub-query/buyer-search", test_buyer_search);
  g_test_add_func("/hub-query/quality-index", test_quality_index);
  g_test_add_func("/hub-query/query-plans", test_query_plans);
  int rc = g_test_run();

  pt_hub_server_free(fx.server);
  for (int s = 0; s < 2; s++) {
    g_ptr_array_unref(fx.wire[s]);
    pt_keys_free(fx.keys[s]);
    g_free(fx.station[s]);
    g_free(fx.dir[s]);
  }
  g_ptr_array_unref(fx.sent);
  g_hash_table_unref(fx.body_of);
  g_hash_table_unref(fx.station_of);
  g_hash_table_unref(fx.seq_of);
  g_free(fx.admin);
  g_free(fx.buyer_a);
  g_free(fx.buyer_b);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", fx.tmp);
  if (system(cmd) != 0)
    rc = 1;
  g_free(fx.tmp);
  curl_global_cleanup();
  return rc;
}

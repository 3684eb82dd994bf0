/* test-served-bytes-prop.c: a property test of "served bytes verify".  Events carrying random
 * values are signed and stored: doubles (random bit patterns, sums of six case weights as a
 * browser adds them, and 72.77000000000001, 1e300, -0.0, 5e-324 and friends), strings with
 * every escape and control character and non-BMP UTF-8, and objects nested 25 deep.  Then the
 * real `packtrace run` serves the batch over loopback HTTP (the operator's bundle, EPCIS
 * document and timeline, the public bundle and EPCIS document at the Digital Link) and
 * `packtrace export` writes its bundle and EPCIS document.  In every one each stored record
 * must appear byte for byte; every bundle must pass pt_bundle_verify() and `packtrace verify`;
 * each event as parsed from a bundle must give, in canonical form, the SHA-256 that was signed;
 * and the consumer page's canon() (web-ui/pt-verify.js, run in node when it is installed) must
 * give the same hashes.  The one value that cannot leave byte for byte, an integral double
 * beyond 2^53 written as an integer (1e20), must be refused when signing, not signed.
 *
 * The seed is printed; PT_PROP_SEED=N repeats a run. */
#define _GNU_SOURCE /* memmem */
#include "pt-bundle.h"
#include "pt-canon.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-test-station.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <curl/curl.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#define N_EVENTS  48
#define DEEP      25
#define TWO_TO_53 9007199254740992.0
#define GTIN      "09506000134352"

/* ---- random values ---------------------------------------------------------------------- */

static double
random_double(GRand *r)
{
  static const double specials[] = {72.77000000000001,
                                    1e300,
                                    -0.0,
                                    5e-324,
                                    0.1,
                                    0.30000000000000004,
                                    -1.5e-7,
                                    1e21,
                                    1e-7,
                                    1e20,
                                    9007199254740993.0,
                                    TWO_TO_53,
                                    2.2250738585072014e-308,
                                    1.7976931348623157e308,
                                    123456.789,
                                    -1e-300,
                                    4.35,
                                    0.000001};
  switch (g_rand_int_range(r, 0, 3)) {
  case 0:
    return specials[g_rand_int_range(r, 0, G_N_ELEMENTS(specials))];
  case 1: {
    /* Six case weights summed left to right, as the driver's or operator's browser does. */
    double sum = 0;
    for (int i = 0; i < 6; i++)
      sum += g_rand_int_range(r, 100, 2500) / 100.0;
    return sum;
  }
  default:
    for (;;) {
      guint64 bits = ((guint64)g_rand_int(r) << 32) | g_rand_int(r);
      double d;
      memcpy(&d, &bits, sizeof d);
      if (isfinite(d))
        return d;
    }
  }
}

/* A string of every kind of character: controls, quotes, backslashes, DEL, 2-, 3- and 4-byte
 * UTF-8 (U+2028, U+FFFD, an orange and a Gothic letter beyond the BMP).  @keyish keeps to
 * characters below U+D800, where byte order and JavaScript's UTF-16 order agree (pt-canon.h). */
static char *
random_string(GRand *r, gboolean keyish)
{
  static const gunichar wide[] = {0xE9, 0x4E2D, 0x6587, 0x2028, 0x2029, 0xFFFD, 0x1F34A, 0x10348};
  GString *s = g_string_new(NULL);
  int n = g_rand_int_range(r, keyish ? 1 : 0, 24);
  for (int i = 0; i < n; i++) {
    switch (g_rand_int_range(r, 0, 5)) {
    case 0:
      g_string_append_c(s, (char)g_rand_int_range(r, 1, 0x20));
      break;
    case 1:
      g_string_append_c(s, "\"\\/\x7f'<"[g_rand_int_range(r, 0, 6)]);
      break;
    case 2:
      g_string_append_unichar(s, wide[g_rand_int_range(r, 0, keyish ? 3 : G_N_ELEMENTS(wide))]);
      break;
    default:
      g_string_append_c(s, (char)g_rand_int_range(r, 0x20, 0x7f));
    }
  }
  return g_string_free(s, FALSE);
}

static json_t *
random_value(GRand *r, int depth)
{
  int kind = g_rand_int_range(r, 0, depth > 3 ? 5 : 7);
  switch (kind) {
  case 0:
    return json_real(random_double(r));
  case 1: {
    g_autofree char *s = random_string(r, FALSE);
    return json_string(s);
  }
  case 2:
    return json_integer(g_rand_int_range(r, -1000000, 1000000) * (json_int_t)1000000000);
  case 3:
    return json_boolean(g_rand_boolean(r));
  case 4:
    return json_null();
  case 5: {
    json_t *a = json_array();
    for (int i = g_rand_int_range(r, 0, 4); i > 0; i--)
      json_array_append_new(a, random_value(r, depth + 1));
    return a;
  }
  default: {
    json_t *o = json_object();
    for (int i = g_rand_int_range(r, 0, 4); i > 0; i--) {
      g_autofree char *key = random_string(r, TRUE);
      json_object_set_new(o, key, random_value(r, depth + 1));
    }
    return o;
  }
  }
}

/* Objects and arrays nested @depth deep with a scalar at the bottom. */
static json_t *
deep_value(GRand *r, int depth)
{
  json_t *v = random_value(r, 4);
  for (int i = 0; i < depth; i++) {
    if (g_rand_boolean(r)) {
      v = json_pack("[o]", v);
    } else {
      json_t *o = json_object();
      json_object_set_new(o, i % 2 ? "k" : "\xe4\xb8\xad\"\\\n", v);
      v = o;
    }
  }
  return v;
}

/* TRUE when @v holds a double that no record can carry byte for byte. */
static gboolean
holds_unreadable(const json_t *v)
{
  if (json_is_real(v)) {
    double a = fabs(json_real_value(v));
    return a > TWO_TO_53 && a < 1e21;
  }
  gsize i;
  const char *k;
  json_t *m;
  if (json_is_array(v))
    json_array_foreach(v, i, m) if (holds_unreadable(m)) return TRUE;
  if (json_is_object(v))
    json_object_foreach((json_t *)v, k, m) if (holds_unreadable(m)) return TRUE;
  return FALSE;
}

/* ---- the station side ------------------------------------------------------------------- */

typedef struct {
  GPtrArray *bodies; /* (element-type GBytes) */
  GPtrArray *hashes; /* (element-type GBytes) */
} Stored;

static gboolean
collect(const PtEventRow *row, gpointer data, GError **error)
{
  Stored *st = data;
  g_ptr_array_add(st->bodies, g_bytes_new(row->body, row->body_len));
  g_ptr_array_add(st->hashes, g_bytes_new(row->hash, PT_HASH_LEN));
  return TRUE;
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *user)
{
  g_string_append_len(user, ptr, (gssize)(size * n));
  return size * n;
}

static GString *
fetch(const char *base, const char *path, const char *token)
{
  GString *body = g_string_new(NULL);
  CURL *c = curl_easy_init();
  g_autofree char *url = g_strconcat(base, path, NULL);
  g_autofree char *auth = token ? g_strdup_printf("Authorization: Bearer %s", token) : NULL;
  struct curl_slist *headers = auth ? curl_slist_append(NULL, auth) : NULL;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
  g_assert_cmpint(curl_easy_perform(c), ==, CURLE_OK);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    g_error("GET %s: %ld %s", path, status, body->str);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return body;
}

static char *
bin_path(void)
{
  return g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL);
}

/* Runs @argv (NULL-terminated) and returns its exit status; its output goes to @out. */
static int
run(const char *const *argv, char **out)
{
  g_autoptr(GError) error = NULL;
  int status = 0;
  g_autofree char *err = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                             &status, &error));
  g_assert_no_error(error);
  if (!g_spawn_check_wait_status(status, NULL))
    g_test_message("%s: %s", argv[0], err ? err : "");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The consumer page's check, reduced to its hashing: canon() taken from pt-verify.js itself. */
static const char check_js[] =
    "const fs = require('fs'), crypto = require('crypto');\n"
    "const src = fs.readFileSync(process.argv[2], 'utf8');\n"
    "const m = src.match(/function canon\\(v\\) \\{[\\s\\S]*?\\n  \\}\\n/);\n"
    "if (!m) { console.error('canon() not found'); process.exit(2); }\n"
    "const canon = new Function(m[0] + '; return canon;')();\n"
    "const b = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));\n"
    "let k = 0;\n"
    "for (const p of b.proofs) {\n"
    "  if (p.redacted) continue;\n"
    "  const e = b.epcis.epcisBody.eventList[k++];\n"
    "  const h = crypto.createHash('sha256').update(canon(e), 'utf8').digest('hex');\n"
    "  if (h !== p.hash) { console.error('event ' + k + ': ' + h + ' != ' + p.hash); "
    "process.exit(1); }\n"
    "}\n";

/* Every check on one served or exported text, named @route. */
static void
check_route(const char *route, const GString *text, const Stored *st, gboolean bundle,
            PtTestStation *ts, const char *dir)
{
  for (guint i = 0; i < st->bodies->len; i++) {
    gsize len = 0;
    const char *body = g_bytes_get_data(st->bodies->pdata[i], &len);
    if (!memmem(text->str, text->len, body, len))
      g_error("%s: stored record %u is not in it byte for byte", route, i + 1);
  }
  if (!bundle)
    return;
  PtVerifyResult result;
  g_autoptr(GError) error = NULL;
  if (!pt_bundle_verify(text->str, text->len, ts->station->keys->public_key, &result, &error))
    g_error("%s: %s", route, error->message);
  g_assert_cmpint(result.n_events, ==, st->bodies->len);
  pt_verify_result_clear(&result);

  json_t *doc = pt_json_parse(text->str, text->len, &error);
  g_assert_no_error(error);
  json_t *events =
      json_object_get(json_object_get(json_object_get(doc, "epcis"), "epcisBody"), "eventList");
  g_assert_cmpuint(json_array_size(events), ==, st->bodies->len);
  for (guint i = 0; i < st->bodies->len; i++) {
    gsize len = 0;
    g_autofree char *canon = pt_canon_dump(json_array_get(events, i), &len, &error);
    g_assert_no_error(error);
    guint8 hash[PT_HASH_LEN];
    crypto_hash_sha256(hash, (const guint8 *)canon, len);
    g_assert_cmpmem(hash, PT_HASH_LEN, g_bytes_get_data(st->hashes->pdata[i], NULL), PT_HASH_LEN);
  }
  json_decref(doc);

  g_autofree char *file = g_strdup_printf("%s/%s.json", dir, route);
  g_assert_true(g_file_set_contents(file, text->str, (gssize)text->len, &error));
  g_autofree char *bin = bin_path();
  g_autofree char *out = NULL;
  const char *verify_argv[] = {bin, "verify", file, NULL};
  g_assert_cmpint(run(verify_argv, &out), ==, 0);

  g_autofree char *node = g_find_program_in_path("node");
  if (!node) {
    g_test_message("%s: node is not installed; the page's algorithm is not run", route);
    return;
  }
  g_autofree char *js = g_build_filename(dir, "check.js", NULL);
  g_assert_true(g_file_set_contents(js, check_js, -1, &error));
  g_autofree char *consumer =
      g_build_filename(g_getenv("PACKTRACE_SOURCE"), "web-ui", "pt-verify.js", NULL);
  g_autofree char *node_out = NULL;
  const char *node_argv[] = {node, js, consumer, file, NULL};
  if (run(node_argv, &node_out) != 0)
    g_error("%s: the page's algorithm does not give the signed hashes", route);
}

static void
test_served_bytes(void)
{
  guint32 seed = g_test_rand_int();
  const char *env = g_getenv("PT_PROP_SEED");
  if (env)
    seed = (guint32)g_ascii_strtoull(env, NULL, 10);
  g_test_message("seed %u (PT_PROP_SEED=%u repeats this run)", seed, seed);
  g_autoptr(GRand) r = g_rand_new_with_seed(seed);

  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 0);
  g_autoptr(GError) error = NULL;
  guint signed_n = 1, refused = 0;
  for (int i = 0; i < N_EVENTS; i++) {
    json_t *ev = pt_epcis_event_new(ts->station->config, b, "inspecting", pt_now_ns(), 0, NULL);
    json_object_set_new(ev, "pt:value", json_real(random_double(r)));
    g_autofree char *text = random_string(r, FALSE);
    json_object_set_new(ev, "pt:text", json_string(text));
    json_object_set_new(ev, "pt:tree", i % 4 == 0 ? deep_value(r, DEEP) : random_value(r, 0));
    gboolean unreadable = holds_unreadable(ev);
    g_assert_true(pt_store_begin(ts->store, &error));
    gboolean ok = pt_trace_append(ts->store, ts->station->keys, b->id, "inspecting", pt_now_ns(),
                                  ev, NULL, &error);
    if (ok) {
      g_assert_true(pt_store_commit(ts->store, &error));
      signed_n++;
    } else {
      pt_store_rollback(ts->store);
      g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
      g_assert_nonnull(strstr(error->message, "does not read back"));
      g_clear_error(&error);
      refused++;
    }
    if (ok == unreadable) {
      g_autofree char *dump = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(17));
      g_error("event %d %s, though it %s: %s", i, ok ? "was signed" : "was refused",
              unreadable ? "holds an integral double beyond 2^53" : "reads back", dump);
    }
    json_decref(ev);
  }
  g_test_message("%u events signed, %u refused (integral doubles beyond 2^53)", signed_n, refused);

  Stored st = {g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref),
               g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref)};
  g_assert_true(pt_store_events_foreach(ts->store, b->id, collect, &st, &error));
  g_assert_cmpuint(st.bodies->len, ==, signed_n);

  g_autofree char *base = NULL;
  GSubprocess *server = pt_test_station_run(ts, &base);
  const char *token = ts->station->config->operator_token;
  g_autofree char *id_path = g_strdup_printf("/api/v1/batches/%" G_GINT64_FORMAT, b->id);
  g_autofree char *bundle_path = g_strconcat(id_path, "/bundle", NULL);
  g_autofree char *epcis_path = g_strconcat(id_path, "/epcis", NULL);
  g_autofree char *dl = g_strdup_printf("/01/" GTIN "/10/%s", b->lot);
  g_autofree char *dl_bundle = g_strconcat(dl, "?linkType=pt:traceBundle", NULL);
  g_autofree char *dl_epcis = g_strconcat(dl, "?linkType=gs1:epcis", NULL);
  g_autofree char *dir = g_build_filename(ts->dir, "served", NULL);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);

  struct {
    const char *route, *path, *token;
    gboolean bundle;
  } routes[] = {
      {"operator-bundle", bundle_path, token, TRUE}, {"operator-epcis", epcis_path, token, FALSE},
      {"operator-timeline", id_path, token, FALSE},  {"public-bundle", dl_bundle, NULL, TRUE},
      {"public-epcis", dl_epcis, NULL, FALSE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(routes); i++) {
    g_autoptr(GString) text = fetch(base, routes[i].path, routes[i].token);
    check_route(routes[i].route, text, &st, routes[i].bundle, ts, dir);
  }
  pt_test_station_stop(server);
  g_object_unref(server);

  g_autofree char *bin = bin_path();
  g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, b->id);
  for (int bundle = 0; bundle < 2; bundle++) {
    g_autofree char *file = g_build_filename(dir, bundle ? "x-bundle" : "x-epcis", NULL);
    const char *argv[] = {
        bin, "export", "--data", ts->dir, id, "-o", file, "--format", bundle ? "bundle" : "epcis",
        NULL};
    g_autofree char *out = NULL;
    g_assert_cmpint(run(argv, &out), ==, 0);
    gsize len = 0;
    g_autofree char *contents = NULL;
    g_assert_true(g_file_get_contents(file, &contents, &len, &error));
    g_autoptr(GString) text = g_string_new_len(contents, (gssize)len);
    check_route(bundle ? "export-bundle" : "export-epcis", text, &st, bundle, ts, dir);
  }
  g_ptr_array_unref(st.bodies);
  g_ptr_array_unref(st.hashes);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_test_add_func("/security/served-bytes-property", test_served_bytes);
  int rc = g_test_run();
  curl_global_cleanup();
  return rc;
}

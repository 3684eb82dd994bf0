/* test-event-hash.c: the CBV 2.0 Event Hash ID against the reference implementation's test
 * vectors ($PACKTRACE_SHARED/data/epcis/hash-vectors/: every *.jsonld with its .hashes and
 * .prehashes, event by event) and the station's own example document
 * (data/epcis/examples/packing-shed-example.json against hash-vectors/packing-shed-example.*).
 * A vector we knowingly do not match is listed in known_mismatches with its reason; one that
 * starts matching fails too, so the table cannot go stale. */
#include "pt-error.h"
#include "pt-event-hash.h"
#include "pt-json.h"

#include <sodium.h>
#include <string.h>

typedef struct {
  const char *file; /* vector name without extension */
  int event;        /* 0-based event index */
  gboolean prehash; /* TRUE: the .prehashes line; FALSE: the .hashes line */
  const char *reason;
} KnownMismatch;

/* Each of these .prehashes lines is not the pre-image of the same event's .hashes line
 * (checked below), so no implementation can match both; ours matches the hash. */
#define NOT_PREIMAGE "the vector's .prehashes line does not hash to its .hashes line"
static const KnownMismatch known_mismatches[] = {
    {"epcisDocWithAllGS1Keys", 0, TRUE, NOT_PREIMAGE " (the line is garbled)"},
    {"epcisDocWithCustomSchemaInContext", 1, TRUE, NOT_PREIMAGE " (it is event 1's, reordered)"},
    {"epcisDocWithDefaultSchemaInContext", 1, TRUE, NOT_PREIMAGE " (it is event 1's, reordered)"},
    {NULL, 0, FALSE, NULL},
};

typedef struct {
  char *name;
  char *document;
  char *expected_dir;
} Vector;

static const KnownMismatch *
known(const char *file, int event, gboolean prehash)
{
  for (const KnownMismatch *k = known_mismatches; k->file; k++)
    if (strcmp(k->file, file) == 0 && k->event == event && k->prehash == prehash)
      return k;
  return NULL;
}

static GPtrArray *
read_lines(const char *path)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) split = g_strsplit(text, "\n", -1);
  for (char **l = split; *l; l++) {
    g_strchomp(*l);
    if (**l)
      g_ptr_array_add(lines, g_strdup(*l));
  }
  return lines;
}

static const json_t *
event_list(const json_t *doc)
{
  const json_t *body = json_object_get(doc, "epcisBody");
  const json_t *list = json_object_get(body, "eventList");
  if (!list)
    list = json_object_get(json_object_get(json_object_get(body, "queryResults"), "resultsBody"),
                           "eventList");
  return list;
}

/* Compares one kind of expectation; returns the number of unexplained differences. */
static gboolean
is_preimage(const char *prehash, const char *hash_id)
{
  guint8 digest[32];
  char hex[65];
  crypto_hash_sha256(digest, (const guint8 *)prehash, strlen(prehash));
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  g_autofree char *id = g_strconcat(PT_EVENT_HASH_PREFIX, hex, PT_EVENT_HASH_SUFFIX, NULL);
  return strcmp(id, hash_id) == 0;
}

static int
compare(const Vector *v, const json_t *events, const json_t *doc, gboolean prehash,
        const GPtrArray *expected, const GPtrArray *hashes, int *n_match)
{
  int failures = 0;
  if (expected->len != json_array_size(events)) {
    g_test_message("%s: %u expected %s for %zu events", v->name, expected->len,
                   prehash ? "pre-hashes" : "hashes", json_array_size(events));
    failures++;
  }
  for (guint i = 0; i < expected->len && i < json_array_size(events); i++) {
    g_autoptr(GError) error = NULL;
    const json_t *ev = json_array_get(events, i);
    g_autofree char *got =
        prehash ? pt_event_hash_prehash(ev, doc, &error) : pt_event_hash_id(ev, doc, &error);
    g_assert_no_error(error);
    gboolean same = strcmp(got, expected->pdata[i]) == 0;
    const KnownMismatch *k = known(v->name, (int)i, prehash);
    if (same)
      (*n_match)++;
    if (same && k) {
      g_test_message("%s event %u: %s now matches; remove it from known_mismatches", v->name, i + 1,
                     prehash ? "pre-hash" : "hash");
      failures++;
    } else if (!same && k && prehash && hashes && i < hashes->len &&
               is_preimage(expected->pdata[i], hashes->pdata[i])) {
      g_test_message("%s event %u: listed as known, but its pre-hash line is consistent", v->name,
                     i + 1);
      failures++;
    } else if (!same && k) {
      g_test_message("%s event %u: %s differs, known: %s", v->name, i + 1,
                     prehash ? "pre-hash" : "hash", k->reason);
    } else if (!same) {
      g_test_message("%s event %u: %s differs\n  expected %s\n  got      %s", v->name, i + 1,
                     prehash ? "pre-hash" : "hash", (char *)expected->pdata[i], got);
      failures++;
    }
  }
  return failures;
}

static void
test_vector(gconstpointer data)
{
  const Vector *v = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(v->document, &text, &len, NULL));
  json_t *doc = pt_json_parse(text, len, &error);
  g_assert_no_error(error);
  const json_t *events = event_list(doc);
  g_assert_true(json_is_array(events));

  int failures = 0;
  GString *summary = g_string_new(v->name);
  g_string_append_printf(summary, ": %zu events", json_array_size(events));
  static const char *const ext[] = {"hashes", "prehashes"};
  int n_files = 0;
  g_autoptr(GPtrArray) hashes = NULL;
  for (int k = 0; k < 2; k++) {
    g_autofree char *file = g_strdup_printf("%s/%s.%s", v->expected_dir, v->name, ext[k]);
    g_autoptr(GPtrArray) expected = read_lines(file);
    if (!expected) {
      g_string_append_printf(summary, ", no .%s", ext[k]);
      continue;
    }
    n_files++;
    int n_match = 0;
    failures += compare(v, events, doc, k == 1, expected, hashes, &n_match);
    if (k == 0)
      hashes = g_ptr_array_ref(expected);
    g_string_append_printf(summary, ", %d/%u %s match", n_match, expected->len, ext[k]);
  }
  g_test_message("%s", summary->str);
  g_string_free(summary, TRUE);
  json_decref(doc);
  g_assert_cmpint(n_files, >, 0);
  g_assert_cmpint(failures, ==, 0);
}

static void
vector_free(gpointer data)
{
  Vector *v = data;
  g_free(v->name);
  g_free(v->document);
  g_free(v->expected_dir);
  g_free(v);
}

static void
test_no_vectors(void)
{
  g_test_skip("$PACKTRACE_SHARED/data/epcis/hash-vectors not available");
}

/* The unit rules the vectors exercise only indirectly. */
static void
test_id_shape(void)
{
  json_t *ev =
      json_pack("{ss ss ss ss}", "type", "ObjectEvent", "eventTime", "2020-01-01T00:00:00Z",
                "action", "OBSERVE", "recordTime", "2020-01-02T00:00:00Z");
  g_autoptr(GError) error = NULL;
  g_autofree char *a = pt_event_hash_id(ev, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(pt_event_hash_id_is_valid(a));
  /* recordTime and eventID do not take part. */
  json_object_set_new(ev, "recordTime", json_string("2021-01-01T00:00:00Z"));
  json_object_set_new(ev, "eventID", json_string("urn:uuid:x"));
  g_autofree char *b = pt_event_hash_id(ev, NULL, &error);
  g_assert_cmpstr(a, ==, b);
  /* A correction does not change the ID of the event it declares. */
  json_object_set_new(ev, "errorDeclaration",
                      json_pack("{ss}", "declarationTime", "2021-01-01T00:00:00Z"));
  g_autofree char *c = pt_event_hash_id(ev, NULL, &error);
  g_assert_cmpstr(a, ==, c);
  json_object_set_new(ev, "action", json_string("ADD"));
  g_autofree char *d = pt_event_hash_id(ev, NULL, &error);
  g_assert_cmpstr(a, !=, d);
  g_assert_false(pt_event_hash_id_is_valid("ni:///sha-256;abc?ver=CBV2.0"));
  json_decref(ev);

  /* A station record carries its own @context: JSON-LD syntax, not a field.  Hashed alone it
   * gives the ID it has inside a document that declares the same prefixes. */
  json_t *context =
      json_pack("[s{ss}]", "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "pt",
                "https://trace.example.coop/ns/packtrace/");
  json_t *record =
      json_pack("{sO ss ss ss ss}", "@context", context, "type", "ObjectEvent", "eventTime",
                "2020-01-01T00:00:00Z", "action", "OBSERVE", "pt:grade", "I");
  json_t *doc = json_pack("{sO s{s[O]}}", "@context", context, "epcisBody", "eventList", record);
  json_t *bare = json_deep_copy(record);
  json_object_del(bare, "@context");
  g_autofree char *alone = pt_event_hash_prehash(record, NULL, &error);
  g_autofree char *inside = pt_event_hash_prehash(bare, doc, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(alone, ==, inside);
  g_assert_nonnull(strstr(alone, "{https://trace.example.coop/ns/packtrace/}grade=I"));
  json_decref(bare);
  json_decref(doc);
  json_decref(record);
  json_decref(context);

  json_t *bad = json_pack("{ss}", "eventTime", "2020-01-01T00:00:00Z");
  g_autofree char *none = pt_event_hash_id(bad, NULL, &error);
  g_assert_null(none);
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  json_decref(bad);
}

static char *
event_time_part(const char *time)
{
  json_t *ev = json_pack("{ss ss ss}", "type", "ObjectEvent", "eventTime", time, "action", "ADD");
  g_autoptr(GError) error = NULL;
  char *pre = pt_event_hash_prehash(ev, NULL, &error);
  g_assert_no_error(error);
  json_decref(ev);
  return pre;
}

/* A time already in canonical form is taken as written; it must hash as the same instant
 * written with an offset, which goes the long way through GDateTime (the oracle).  Random
 * instants over the years 1000-9999, the ends of months, leap days, and dates that do not
 * exist (hashed as written either way). */
static void
test_canonical_times(void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed(17);
  for (int i = 0; i < 3000; i++) {
    int y = g_rand_int_range(rand, 1000, 10000), mo = g_rand_int_range(rand, 1, 13);
    int d = i % 3 ? g_rand_int_range(rand, 1, 32) : 28 + i % 4;
    g_autofree char *canon =
        g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d,
                        g_rand_int_range(rand, 0, 24), g_rand_int_range(rand, 0, 60),
                        g_rand_int_range(rand, 0, 60), g_rand_int_range(rand, 0, 1000));
    g_autofree char *offset = g_strndup(canon, strlen(canon) - 1);
    g_autofree char *with_offset = g_strconcat(offset, "+00:00", NULL);
    g_autofree char *fast = event_time_part(canon);
    g_autofree char *slow = event_time_part(with_offset);
    if (g_date_valid_dmy(d, mo, y))
      g_assert_cmpstr(fast, ==, slow);
    else
      g_assert_nonnull(strstr(fast, canon)); /* no such day: as written */
  }
  g_autofree char *leap = event_time_part("2024-02-29T23:59:59.999Z");
  g_assert_nonnull(strstr(leap, "eventTime=2024-02-29T23:59:59.999Z"));
  g_autofree char *shifted = event_time_part("2024-02-29T23:59:59.999-01:00");
  g_assert_nonnull(strstr(shifted, "eventTime=2024-03-01T00:59:59.999Z"));
}

static char *
class_part(const char *uri)
{
  json_t *ev =
      json_pack("{ss ss ss s[{ss}]}", "type", "ObjectEvent", "eventTime",
                "2020-01-01T00:00:00.000Z", "action", "ADD", "quantityList", "epcClass", uri);
  g_autoptr(GError) error = NULL;
  char *pre = pt_event_hash_prehash(ev, NULL, &error);
  g_assert_no_error(error);
  json_decref(ev);
  return pre;
}

/* A class link already canonical (the station's own lots) is taken as written; it must hash
 * as the same link on another domain, which goes the long way through the normaliser, and
 * links it refuses (no lot after /10/, a serial, a query, a short or non-numeric GTIN, a
 * CPV, short names) must still be normalised or refused as before. */
static void
test_canonical_class_links(void)
{
  static const char *const tails[] = {
      "01/09506000134352",
      "01/09506000134352/10/PT2611250001",
      "01/09506000134352/10/A%2FB",
      "01/09506000134352/10/x-1.2_3~",
      "01/09506000134352/10/",
      "01/09506000134352/10/L/21/7",
      "01/09506000134352/10/L?x=1",
      "01/9506000134352/10/L",
      "01/09506000134352/22/2A/10/L",
      "gtin/09506000134352/lot/L",
      "01/0950600013435X/10/L",
      "cbv/BizStep-shipping",
      "01/123/10/L",
      "414/9520123456788",
      "x/01/09506000134352",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(tails); i++) {
    g_autofree char *canon = g_strconcat("https://id.gs1.org/", tails[i], NULL);
    g_autofree char *other = g_strconcat("https://shop.example.coop/", tails[i], NULL);
    g_autofree char *fast = class_part(canon);
    g_autofree char *slow = class_part(other);
    /* A link the normaliser refuses is hashed as written, on its own domain. */
    g_auto(GStrv) parts = g_strsplit(slow, "https://shop.example.coop/", -1);
    g_autofree char *expected = g_strjoinv("https://id.gs1.org/", parts);
    g_assert_cmpstr(fast, ==, expected);
  }
}

/* Values the pre-hash takes as written (no copy but its own) and values it must still rewrite:
 * each against what the normaliser makes of it, in an extension member where every rule
 * applies (numbers, old CBV URNs, EPC URIs, Digital Links, surrounding space). */
static void
test_values_as_written(void)
{
  static const char *const cases[][2] = {
      {"I", "I"},
      {"conformant", "conformant"},
      {"15b5a2f225d3f417287eadb244ba525fc89075dc7f081069b45e43c35ca683ae",
       "15b5a2f225d3f417287eadb244ba525fc89075dc7f081069b45e43c35ca683ae"},
      {"4", "4"},
      {"0", "0"},
      {"123456789012345", "123456789012345"},
      {"12345678901234567890", "12345678901234567168"},
      {"0600", "600"},
      {"+5", "5"},
      {"26.0", "26"},
      {"12.10", "12.1"},
      {"1e3", "1000"},
      {"-0", "0"},
      {" x ", "x"},
      {"a b", "a b"},
      {"urn:epcglobal:cbv:disp:in_progress", "https://ref.gs1.org/cbv/Disp-in_progress"},
      {"urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789"},
      {"urn:epc:other", "urn:epc:other"},
      {"https://shop.example.coop/01/09506000134352", "https://id.gs1.org/01/09506000134352"},
      {"https://id.gs1.org/01/09506000134352/10/L", "https://id.gs1.org/01/09506000134352/10/L"},
      {"https://ref.gs1.org/cbv/BizStep-inspecting", "https://ref.gs1.org/cbv/BizStep-inspecting"},
      {"https://example.coop", "https://example.coop"},
      {"https://example.coop/a/1234", "https://example.coop/a/1234"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    json_t *ev =
        json_pack("{ss ss ss}", "type", "ObjectEvent", "action", "OBSERVE", "pt:v", cases[i][0]);
    g_autoptr(GError) error = NULL;
    g_autofree char *pre = pt_event_hash_prehash(ev, NULL, &error);
    g_assert_no_error(error);
    g_autofree char *want =
        g_strconcat("eventType=ObjectEventaction=OBSERVEpt:v=", cases[i][1], NULL);
    g_assert_cmpstr(pre, ==, want);
    json_decref(ev);
  }
}

/* Times cut short inside their offset ("+", "+0") are hashed as they are written, and never
 * read past their end (found by fuzz-bundle-verify under ASan). */
static void
test_truncated_offsets(void)
{
  static const char *const times[] = {"2020-01-01T00:00:00+",  "2020-01-01T00:00:00-",
                                      "2020-01-01T00:00:00+0", "2020-01-01T00:00:00.5+",
                                      "2020-01-01T00:00:00+1", "2020-01-01T00:00:00+01:0"};
  for (gsize i = 0; i < G_N_ELEMENTS(times); i++) {
    json_t *ev =
        json_pack("{ss ss ss}", "type", "ObjectEvent", "eventTime", times[i], "action", "OBSERVE");
    g_autoptr(GError) error = NULL;
    g_autofree char *pre = pt_event_hash_prehash(ev, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(pre, times[i]));
    json_decref(ev);
  }
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/event-hash/id-shape", test_id_shape);
  g_test_add_func("/event-hash/truncated-offsets", test_truncated_offsets);
  g_test_add_func("/event-hash/canonical-times", test_canonical_times);
  g_test_add_func("/event-hash/canonical-class-links", test_canonical_class_links);
  g_test_add_func("/event-hash/values-as-written", test_values_as_written);
  const char *shared = g_getenv("PACKTRACE_SHARED");
  g_autofree char *dir =
      shared ? g_build_filename(shared, "data", "epcis", "hash-vectors", NULL) : NULL;
  g_autoptr(GDir) d = dir ? g_dir_open(dir, 0, NULL) : NULL;
  g_autoptr(GPtrArray) vectors = g_ptr_array_new_with_free_func(vector_free);
  if (!d) {
    g_test_add_func("/event-hash/vectors", test_no_vectors);
    return g_test_run();
  }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  const char *entry;
  while ((entry = g_dir_read_name(d)))
    if (g_str_has_suffix(entry, ".jsonld"))
      g_ptr_array_add(names, g_strndup(entry, strlen(entry) - strlen(".jsonld")));
  g_ptr_array_sort(names, cmp_names);
  /* Vectors whose input is only the XML twin (not in shared/) cannot be read here. */
  g_dir_rewind(d);
  while ((entry = g_dir_read_name(d))) {
    g_autofree char *base = g_strndup(entry, strcspn(entry, "."));
    g_autofree char *jsonld = g_strdup_printf("%s/%s.jsonld", dir, base);
    if (g_str_has_suffix(entry, ".hashes") && strcmp(base, "packing-shed-example") != 0 &&
        !g_file_test(jsonld, G_FILE_TEST_EXISTS))
      g_test_message("%s: no .jsonld input (XML-only vector), not checked", base);
  }
  for (guint i = 0; i < names->len; i++) {
    Vector *v = g_new0(Vector, 1);
    const char *name = names->pdata[i];
    v->name = g_strdup(name);
    v->document = g_strdup_printf("%s/%s.jsonld", dir, name);
    v->expected_dir = g_strdup(dir);
    g_ptr_array_add(vectors, v);
  }
  g_autofree char *shed =
      g_build_filename(shared, "data", "epcis", "examples", "packing-shed-example.json", NULL);
  g_autofree char *shed_hashes = g_build_filename(dir, "packing-shed-example.hashes", NULL);
  if (g_file_test(shed, G_FILE_TEST_EXISTS) && g_file_test(shed_hashes, G_FILE_TEST_EXISTS)) {
    Vector *v = g_new0(Vector, 1);
    v->name = g_strdup("packing-shed-example");
    v->document = g_strdup(shed);
    v->expected_dir = g_strdup(dir);
    g_ptr_array_add(vectors, v);
  }
  for (guint i = 0; i < vectors->len; i++) {
    Vector *v = vectors->pdata[i];
    g_autofree char *path = g_strdup_printf("/event-hash/vector/%s", v->name);
    g_test_add_data_func(path, v, test_vector);
  }
  g_assert_cmpuint(vectors->len, >, 0);
  return g_test_run();
}

/* test-json.c: pt_json_parse(), the strict reader of every JSON text the station and the hub
 * take in: what it accepts and refuses (each case also held against jansson's json_loadb(),
 * the parser it replaced, through pt-json-agree.h), the values it builds, where its errors
 * point, and 60,000 mutations of a hub request on which both must agree. */
#include "pt-error.h"
#include "pt-json-agree.h"

#include <string.h>

typedef struct {
  const char *text;
  gboolean accepted;
} Case;

#define TEXT(s) s, sizeof s - 1

static const Case cases[] = {
    {"{}", TRUE},
    {" [ ] \n", TRUE},
    {"{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", TRUE},
    {"", FALSE},
    {"   ", FALSE},
    {"1", FALSE}, /* only an object or an array at the top */
    {"\"a\"", FALSE},
    {"null", FALSE},
    {"[1] x", FALSE},
    {"[1] []", FALSE},
    {"[1,]", FALSE},
    {"{\"a\":1,}", FALSE},
    {"{\"a\" 1}", FALSE},
    {"{a:1}", FALSE},
    {"{\"a\":1,\"a\":2}", FALSE}, /* a duplicate member */
    {"{\"a\":1,\"\\u0061\":2}", FALSE},
    {"{\"\":1}", TRUE},
    {"[tru]", FALSE},
    {"[truex]", FALSE},
    {"[true1]", FALSE},
    {"[nul]", FALSE},
    {"[01]", FALSE},
    {"[-]", FALSE},
    {"[-01]", FALSE},
    {"[1.]", FALSE},
    {"[.5]", FALSE},
    {"[+1]", FALSE},
    {"[1e]", FALSE},
    {"[1e+]", FALSE},
    {"[0x10]", FALSE},
    {"[-0, 0.0, -0.0, 1E2, 1e-2, 2.5e+3, 123456789012345678]", TRUE},
    {"[9223372036854775807, -9223372036854775808]", TRUE},
    {"[9223372036854775808]", FALSE},
    {"[-9223372036854775809]", FALSE},
    {"[1e308, 1e-400]", TRUE},
    {"[1e309]", FALSE},
    {"[-1e400]", FALSE},
    {"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", TRUE},
    {"[\"\\x\"]", FALSE},
    {"[\"\\u00e9\\u4e2d\\ud83c\\udf4a\"]", TRUE},
    {"[\"\\u00g9\"]", FALSE},
    {"[\"\\u12\"]", FALSE},
    {"[\"\\u0000\"]", FALSE},
    {"[\"\\udf4a\"]", FALSE},
    {"[\"\\ud83c\"]", FALSE},
    {"[\"\\ud83c\\u0041\"]", FALSE},
    {"[\"\\ud83cx\"]", FALSE},
    {"[\"tab\there\"]", FALSE}, /* a raw control character */
    {"[\"\x7f\"]", TRUE},
    {"[\"\xe4\xb8\xad\xe6\x96\x87\"]", TRUE},
    {"[\"\xc3\"]", FALSE},
    {"[\"\xc0\xaf\"]", FALSE},         /* overlong */
    {"[\"\xed\xa0\x80\"]", FALSE},     /* a surrogate in UTF-8 */
    {"[\"\xf4\x90\x80\x80\"]", FALSE}, /* past U+10FFFF */
    {"[\"unterminated]", FALSE},
    {"\xef\xbb\xbf[]", FALSE}, /* a byte order mark */
    {"[1]\xff", FALSE},
};

static void
test_cases(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    const char *text = cases[i].text;
    g_autoptr(GError) error = NULL;
    g_autoptr(json_t) v = pt_json_parse(text, strlen(text), &error);
    if (!v != !cases[i].accepted)
      g_error("%s was %s: %s", text, v ? "accepted" : "refused", error ? error->message : "");
    g_assert_true(v || g_error_matches(error, PT_ERROR, PT_ERROR_MALFORMED));
    g_autofree char *why = pt_json_agree(text, strlen(text));
    if (why)
      g_error("%s: %s", text, why);
  }
  /* A NUL byte is data, not the end, when the length says so. */
  g_assert_null(pt_json_parse(TEXT("[\"a\0b\"]"), NULL));
  g_assert_null(pt_json_parse(TEXT("[1]\0"), NULL));
  g_assert_null(pt_json_parse(TEXT("[1\0]"), NULL)); /* jansson took this one */
}

static void
test_values(void)
{
  static const char text[] =
      "{\"i\":-42,\"big\":9223372036854775807,\"r\":0.1,\"e\":-2.5E-3,\"s\":\"a\\\"b\\u00e9\","
      "\"z\":\"\\ud83c\\udf4a\",\"n\":null,\"t\":true,\"l\":[1,\"x\"],\"o\":{\"k\":{}}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(json_t) v = pt_json_parse(text, strlen(text), &error);
  g_assert_no_error(error);
  g_assert_true(json_is_integer(json_object_get(v, "i")));
  g_assert_cmpint(json_integer_value(json_object_get(v, "i")), ==, -42);
  g_assert_cmpint(json_integer_value(json_object_get(v, "big")), ==, G_MAXINT64);
  g_assert_true(json_is_real(json_object_get(v, "r")));
  g_assert_cmpfloat(json_real_value(json_object_get(v, "r")), ==, 0.1);
  g_assert_cmpfloat(json_real_value(json_object_get(v, "e")), ==, -2.5e-3);
  g_assert_cmpstr(json_string_value(json_object_get(v, "s")), ==, "a\"b\xc3\xa9");
  g_assert_cmpstr(json_string_value(json_object_get(v, "z")), ==, "\xf0\x9f\x8d\x8a");
  g_assert_true(json_is_null(json_object_get(v, "n")));
  g_assert_true(json_is_true(json_object_get(v, "t")));
  g_assert_cmpuint(json_array_size(json_object_get(v, "l")), ==, 2);
  g_assert_true(json_is_object(json_object_get(json_object_get(v, "o"), "k")));
  /* Members keep the order they were written in. */
  const char *order[] = {"i", "big", "r", "e", "s", "z", "n", "t", "l", "o"}, *key;
  json_t *member;
  gsize k = 0;
  json_object_foreach(v, key, member) g_assert_cmpstr(key, ==, order[k++]);
  g_assert_cmpuint(k, ==, G_N_ELEMENTS(order));
}

static void
test_errors(void)
{
  g_autoptr(GError) error = NULL;
  g_assert_null(pt_json_parse(TEXT("{\n  \"a\": 1,\n  \"b\": tru\n}"), &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  g_assert_nonnull(strstr(error->message, "line 3 column 8"));
  g_clear_error(&error);

  /* Nesting: a value PT_JSON_DEPTH_MAX deep is taken, one deeper is refused as malformed (a
   * 400 to a client, as any other text we do not read). */
  GString *deep = g_string_new(NULL);
  for (int d = 0; d <= PT_JSON_DEPTH_MAX; d++)
    g_string_append_c(deep, '[');
  for (int d = 0; d <= PT_JSON_DEPTH_MAX; d++)
    g_string_append_c(deep, ']');
  json_t *v = pt_json_parse(deep->str, deep->len, &error);
  g_assert_no_error(error);
  json_decref(v);
  g_string_insert_c(deep, 0, '[');
  g_string_append_c(deep, ']');
  g_assert_null(pt_json_parse(deep->str, deep->len, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  g_clear_error(&error);
  /* Far deeper than jansson's own bound: refused the same way, without recursing on. */
  g_string_truncate(deep, 0);
  for (int d = 0; d < 100000; d++)
    g_string_append_c(deep, '[');
  g_assert_null(pt_json_parse(deep->str, deep->len, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  g_string_free(deep, TRUE);
}

/* What a hub request looks like: records held as JSON strings, hex, times, numbers. */
static char *
request_sample(void)
{
  g_autoptr(json_t) body =
      json_pack("{s:s, s:[s], s:{s:f, s:I}, s:s}", "eventID", "ni:///sha-256;ab12?ver=CBV2.0",
                "epcList", "urn:epc:id:sgtin:0614141.107346.2017", "sensor", "value", 12.5, "count",
                (json_int_t)-3, "note", "\xe4\xb8\xad \"q\" \\ \n\t\xf0\x9f\x8d\x8a");
  g_autofree char *record = json_dumps(body, JSON_COMPACT);
  g_autoptr(json_t) req =
      json_pack("{s:[{s:I, s:s, s:s, s:s, s:b, s:n, s:f}]}", "events", "seq", (json_int_t)7,
                "event_id", "urn:uuid:3c8f", "body", record, "hash",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822c", "ok", 1, "prev", "q", 1.0e-7);
  return json_dumps(req, JSON_INDENT(1));
}

static void
test_mutations(void)
{
  static const char interesting[] = "\"\\{}[],:0-.eEu+ \n\xff\xc3\xa9\xed\x00tfn9";
  g_autofree char *seed = request_sample();
  gsize seed_len = strlen(seed);
  g_autofree char *why = pt_json_agree(seed, seed_len);
  g_assert_null(why);
  g_autoptr(GRand) rand = g_rand_new_with_seed(20261205);
  guint disagreed = 0, accepted = 0;
  for (int i = 0; i < 60000; i++) {
    GString *m = g_string_new_len(seed, (gssize)seed_len);
    int edits = g_rand_int_range(rand, 1, 4);
    for (int e = 0; e < edits && m->len > 0; e++) {
      gsize at = g_rand_int_range(rand, 0, (gint32)m->len);
      switch (g_rand_int_range(rand, 0, 4)) {
      case 0:
        m->str[at] = interesting[g_rand_int_range(rand, 0, sizeof interesting - 1)];
        break;
      case 1:
        g_string_insert_c(m, (gssize)at,
                          interesting[g_rand_int_range(rand, 0, sizeof interesting - 1)]);
        break;
      case 2: {
        gint32 n = g_rand_int_range(rand, 1, 8);
        g_string_erase(m, (gssize)at, MIN(n, (gint32)(m->len - at)));
        break;
      }
      default:
        g_string_truncate(m, at);
      }
    }
    char *w = pt_json_agree(m->str, m->len);
    if (w) {
      if (disagreed++ < 5)
        g_printerr("%s\non: %.*s\n", w, (int)MIN(m->len, 400), m->str);
      g_free(w);
    }
    json_t *v = pt_json_parse(m->str, m->len, NULL);
    accepted += v != NULL;
    if (v)
      json_decref(v);
    g_string_free(m, TRUE);
  }
  g_test_message("mutations accepted by both: %u of 60000", accepted);
  g_assert_cmpuint(disagreed, ==, 0);
  g_assert_cmpuint(accepted, >, 1000); /* the mutations reach the values, not just the syntax */
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/json/cases", test_cases);
  g_test_add_func("/json/values", test_values);
  g_test_add_func("/json/errors", test_errors);
  g_test_add_func("/json/mutations", test_mutations);
  return g_test_run();
}

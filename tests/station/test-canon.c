/* test-canon.c: the canonical JSON form against RFC 8785's rules and ECMAScript
 * number printing, and the strict parser's refusals. */
#include "pt-canon.h"
#include "pt-error.h"
#include "pt-json.h"

#include <math.h>

static void
assert_canon(const char *input, const char *expected)
{
  g_autoptr(GError) error = NULL;
  json_t *v = pt_json_parse(input, strlen(input), &error);
  g_assert_no_error(error);
  g_autofree char *got = pt_canon_dump(v, NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(got, ==, expected);
  json_decref(v);
}

static void
test_keys_sorted_no_whitespace(void)
{
  assert_canon("{ \"b\" : 1, \"a\" : { \"d\": [ 1, 2 ], \"c\": null }, \"A\": true }",
               "{\"A\":true,\"a\":{\"c\":null,\"d\":[1,2]},\"b\":1}");
  /* Byte order on UTF-8 keys: "é" (C3 A9) sorts after "z". */
  assert_canon("{\"\xc3\xa9\":1,\"z\":2}", "{\"z\":2,\"\xc3\xa9\":1}");
}

static void
test_string_escapes(void)
{
  assert_canon("[\"a\\\"b\\\\c\\/d\"]", "[\"a\\\"b\\\\c/d\"]");
  assert_canon("[\"\\b\\f\\n\\r\\t\\u001f\\u007f\"]", "[\"\\b\\f\\n\\r\\t\\u001f\x7f\"]");
  assert_canon("[\"\\u4e2d\\u6587\"]", "[\"\xe4\xb8\xad\xe6\x96\x87\"]");
}

static void
assert_number(double x, const char *expected)
{
  json_t *v = json_real(x);
  g_autofree char *got = pt_canon_dump(v, NULL, NULL);
  g_assert_cmpstr(got, ==, expected);
  json_decref(v);
}

static void
test_numbers_ecmascript(void)
{
  /* Values and expected strings from ECMA-262 Number::toString / RFC 8785 appendix B. */
  assert_number(0.0, "0");
  assert_number(-0.0, "0");
  assert_number(10.0, "10");
  assert_number(1200.5, "1200.5");
  assert_number(-0.5, "-0.5");
  assert_number(0.1, "0.1");
  assert_number(1.0 / 3.0, "0.3333333333333333");
  assert_number(1e21, "1e+21");
  assert_number(1e20, "100000000000000000000");
  assert_number(1e-7, "1e-7");
  assert_number(0.000001, "0.000001");
  assert_number(123e-20, "1.23e-18");
  assert_number(5e-324, "5e-324");
  assert_number(1.7976931348623157e308, "1.7976931348623157e+308");
  assert_number(9007199254740992.0, "9007199254740992");
  assert_number(295147905179352830000.0, "295147905179352830000");
  /* Integers and integral reals have one form. */
  assert_canon("[10, 10.0, 1e1, 1.0E+1]", "[10,10,10,10]");
}

static void
test_refusals(void)
{
  g_autoptr(GError) error = NULL;
  /* jansson itself refuses NaN and infinities, so they cannot reach the writer. */
  g_assert_null(json_real(NAN));
  g_assert_null(json_real(INFINITY));

  g_assert_null(pt_json_parse("{\"a\":1,\"a\":2}", 13, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  g_assert_nonnull(strstr(error->message, "duplicate"));
  g_clear_error(&error);

  g_assert_null(pt_json_parse("{\"a\":", 5, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  g_assert_nonnull(strstr(error->message, "line 1"));
  g_clear_error(&error);

  g_autoptr(GString) deep = g_string_new(NULL);
  for (int i = 0; i < 40; i++)
    g_string_append_c(deep, '[');
  for (int i = 0; i < 40; i++)
    g_string_append_c(deep, ']');
  g_assert_null(pt_json_parse(deep->str, deep->len, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED); /* a 400, closed or not */
  g_assert_nonnull(strstr(error->message, "nested deeper than"));
  g_clear_error(&error);

  json_t *big = json_integer((json_int_t)1 << 60);
  g_assert_null(pt_canon_dump(big, NULL, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  json_decref(big);
}

static void
test_round_trip_stable(void)
{
  /* Parsing the canonical form and writing it again gives the same bytes: what
   * verify relies on when it re-hashes an event from a bundle. */
  const char *doc =
      "{\"z\":[1.5,2,{\"y\":\"\\u0001\",\"x\":0.1}],\"q\":1e-9,\"\xe4\xb8\xad\":\"\"}";
  g_autoptr(GError) error = NULL;
  json_t *v = pt_json_parse(doc, strlen(doc), &error);
  g_autofree char *once = pt_canon_dump(v, NULL, &error);
  json_decref(v);
  v = pt_json_parse(once, strlen(once), &error);
  char *pretty = json_dumps(v, JSON_INDENT(3));
  json_decref(v);
  v = pt_json_parse(pretty, strlen(pretty), &error);
  free(pretty);
  g_autofree char *twice = pt_canon_dump(v, NULL, &error);
  json_decref(v);
  g_assert_no_error(error);
  g_assert_cmpstr(once, ==, twice);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/canon/keys", test_keys_sorted_no_whitespace);
  g_test_add_func("/canon/strings", test_string_escapes);
  g_test_add_func("/canon/numbers", test_numbers_ecmascript);
  g_test_add_func("/canon/refusals", test_refusals);
  g_test_add_func("/canon/round-trip", test_round_trip_stable);
  return g_test_run();
}

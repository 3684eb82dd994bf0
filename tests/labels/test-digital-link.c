/* test-digital-link.c: the strict GS1 Digital Link parser: accepted links and what
 * they parse to, rejected links and what the error says, and build -> parse -> format
 * round trips. */
#include <string.h>

#include "pt-gs1-dl.h"

#define YEAR 2026

static void
test_good(void)
{
  PtDigitalLink dl;
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_gs1_digital_link_parse(
      "https://trace.example.coop/01/09506000134352/10/ZG2611250007?13=261125", YEAR, &dl, &error));
  g_assert_no_error(error);
  g_assert_true(dl.https);
  g_assert_cmpstr(dl.host, ==, "trace.example.coop");
  g_assert_cmpstr(dl.gtin, ==, "09506000134352");
  g_assert_cmpstr(dl.lot, ==, "ZG2611250007");
  g_assert_cmpstr(dl.pack_date, ==, "261125");
  g_assert_cmpstr(dl.cpv, ==, "");
  g_assert_cmpstr(dl.expiry, ==, "");

  /* Every path key in order, http, a port, percent-encoding, both delimiters, unknown
   * parameters ignored, a fragment ignored. */
  g_assert_true(pt_gs1_digital_link_parse(
      "HTTP://id.example.com:8080/01/10333830000016/22/A%2FB/10/P%2525/21/S-1"
      "?linkType=gs1:pip;11=260101&15=261231&17=270331&x#frag",
      YEAR, &dl, &error));
  g_assert_no_error(error);
  g_assert_false(dl.https);
  g_assert_cmpstr(dl.host, ==, "id.example.com:8080");
  g_assert_cmpstr(dl.cpv, ==, "A/B");
  g_assert_cmpstr(dl.lot, ==, "P%25");
  g_assert_cmpstr(dl.serial, ==, "S-1");
  g_assert_cmpstr(dl.prod_date, ==, "260101");
  g_assert_cmpstr(dl.best_before, ==, "261231");
  g_assert_cmpstr(dl.expiry, ==, "270331");

  /* Examples from shared/data/gs1/README.txt and traceability.md. */
  g_assert_true(pt_gs1_digital_link_parse(
      "https://example.coop/01/09506000134352/10/P250914A?13=250914", YEAR, &dl, &error));
  g_assert_true(pt_gs1_digital_link_parse(
      "https://example.coop/01/19506000134359/10/P250914A?13=250914", YEAR, &dl, &error));
  g_assert_true(
      pt_gs1_digital_link_parse("https://id.gs1.org/01/09506000134352", YEAR, &dl, &error));
  /* 20 characters is the most a lot may have; 29 Feb exists in 2028. */
  g_assert_true(pt_gs1_digital_link_parse(
      "https://h/01/09506000134352/10/ABCDEFGHIJKLMNOPQRST?17=280229", YEAR, &dl, &error));
  g_assert_no_error(error);
}

static void
test_bad(void)
{
  const struct {
    const char *uri, *message;
    int code;
  } cases[] = {
      {"https://h/01/65457886676767/10/2", "expected 3", PT_GS1_ERROR_CHECK_DIGIT},
      {"https://h/01/09506000134352/21/S1/10/L1", "AI (10) comes after AI (21)",
       PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/L1/22/C", "AI (22) comes after AI (10)",
       PT_GS1_ERROR_SYNTAX},
      {"https://h/10/L1/01/09506000134352", "must start with /01/", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/A/10/B", "twice in the path", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/17/261231", "AI (17) is not allowed in the path",
       PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/L?17=251399", "month 13", PT_GS1_ERROR_DATE},
      {"https://h/01/09506000134352/10/L?13=270229", "no day 29", PT_GS1_ERROR_DATE},
      {"https://h/01/09506000134352/10/L?15=26113", "must be a date YYMMDD", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/L?13=261125&13=261126", "AI (13) appears twice",
       PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/L?13=261125;13=261125", "AI (13) appears twice",
       PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352?10=L", "belongs in the path", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/A%20B", "outside GS1's 82-character set",
       PT_GS1_ERROR_CHARSET},
      {"https://h/01/09506000134352/10/A B", "byte 33 (0x20)", PT_GS1_ERROR_CHARSET},
      {"https://h/01/09506000134352/10/ABCDEFGHIJKLMNOPQRSTU", "too long", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/%zz", "malformed percent-encoding", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/A%4", "malformed percent-encoding", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/A%00", "%00", PT_GS1_ERROR_CHARSET},
      {"https://h/01/9506000134352/10/L", "GTIN-13", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/95060001343/10/L", "must have 14 digits", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/0950600013435X", "digits only", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/", "AI (10) in the path has an empty value",
       PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352//10/L", "empty path segment", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10", "has no value", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/", "empty path segment", PT_GS1_ERROR_SYNTAX},
      {"https://h", "no path", PT_GS1_ERROR_SYNTAX},
      {"https:///01/09506000134352", "no host", PT_GS1_ERROR_SYNTAX},
      {"https://user@h/01/09506000134352", "user information", PT_GS1_ERROR_SYNTAX},
      {"https://h:99999x/01/09506000134352", "port character", PT_GS1_ERROR_SYNTAX},
      {"ftp://h/01/09506000134352", "https:// or http://", PT_GS1_ERROR_SYNTAX},
      {"https://h/01/09506000134352/10/L\xe4", "0xe4", PT_GS1_ERROR_CHARSET},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    PtDigitalLink dl;
    g_autoptr(GError) error = NULL;
    gboolean ok = pt_gs1_digital_link_parse(cases[i].uri, YEAR, &dl, &error);
    /* Escaped: some cases hold bytes that are not UTF-8, which TAP output must not carry. */
    g_autofree char *shown = g_strescape(cases[i].uri, NULL);
    g_test_message("%s -> %s", shown, error ? error->message : "accepted");
    g_assert_false(ok);
    g_assert_error(error, PT_GS1_ERROR, cases[i].code);
    g_assert_nonnull(strstr(error->message, cases[i].message));
    g_assert_true(g_str_has_prefix(error->message, "Digital Link: "));
  }

  /* Over the length bound. */
  g_autoptr(GString) big = g_string_new("https://h/01/09506000134352/10/L?");
  while (big->len <= PT_DL_URI_MAX)
    g_string_append(big, "x=1&");
  PtDigitalLink dl;
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_gs1_digital_link_parse(big->str, YEAR, &dl, &error));
  g_assert_nonnull(strstr(error->message, "too long"));
}

static void
test_round_trip(void)
{
  const char *lots[] = {"ZG2611250007", "A/B", "50%", "x&y=z", "(1)'*+,-.:;<=>?_!\""};
  for (gsize i = 0; i < G_N_ELEMENTS(lots); i++) {
    g_autofree char *uri =
        pt_gs1_digital_link("trace.example.coop", "09506000134352", lots[i], "261125");
    PtDigitalLink dl;
    g_autoptr(GError) error = NULL;
    g_assert_true(pt_gs1_digital_link_parse(uri, YEAR, &dl, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(dl.lot, ==, lots[i]);
    g_autofree char *again = pt_gs1_digital_link_format(&dl);
    g_assert_cmpstr(again, ==, uri);
  }
}

/* Every character of the 82-character set outside RFC 3986's unreserved set is encoded,
 * upper-case hex, and the decoder gives the value back. */
static void
test_encode_value(void)
{
  static const struct {
    const char *value, *encoded;
  } cases[] = {
      {"A/B%1-x", "A%2FB%251-x"},
      {"LOT&7?Q'x", "LOT%267%3FQ%27x"},
      {"AZaz09-._ABCDEFGHIJ", "AZaz09-._ABCDEFGHIJ"},
      {"!\"%&'()*+,-./:;<=>?_", "%21%22%25%26%27%28%29%2A%2B%2C-.%2F%3A%3B%3C%3D%3E%3F_"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *enc = pt_gs1_dl_encode_value(cases[i].value);
    g_assert_cmpstr(enc, ==, cases[i].encoded);
    char back[PT_DL_VALUE_MAX + 1];
    g_autoptr(GError) error = NULL;
    g_assert_true(pt_gs1_dl_decode_value(enc, strlen(enc), back, PT_DL_VALUE_MAX, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(back, ==, cases[i].value);
    g_autofree char *uri =
        pt_gs1_digital_link("trace.example.coop", "09506000134352", cases[i].value, NULL);
    g_autofree char *want =
        g_strdup_printf("https://trace.example.coop/01/09506000134352/10/%s", cases[i].encoded);
    g_assert_cmpstr(uri, ==, want);
  }
  char out[4];
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_gs1_dl_decode_value("A%2", 3, out, 3, &error));
  g_clear_error(&error);
  g_assert_false(pt_gs1_dl_decode_value("ABCD", 4, out, 3, &error));
  g_clear_error(&error);
  g_assert_false(pt_gs1_dl_decode_value("%00", 3, out, 3, &error));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/digital-link/good", test_good);
  g_test_add_func("/digital-link/bad", test_bad);
  g_test_add_func("/digital-link/round-trip", test_round_trip);
  g_test_add_func("/digital-link/encode-value", test_encode_value);
  return g_test_run();
}

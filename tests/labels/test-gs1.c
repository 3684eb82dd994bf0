/* test-gs1.c: check digits (vectors from shared/data/gs1/README.txt and
 * traceability.md section 2), AI validation, element strings and SSCC/GLN helpers. */
#include <string.h>

#include "pt-gs1-ai.h"

static void
test_check_digits(void)
{
  const struct {
    const char *what, *digits;
  } valid[] = {
      {"GTIN", "09506000134352"}, {"GTIN", "10333830000016"},     {"GTIN", "10333830000023"},
      {"GTIN", "10850510002011"}, {"SSCC", "103338389000000677"}, {"SSCC", "040123450000001112"},
      {"GLN", "4012345000115"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(valid); i++) {
    g_autoptr(GError) error = NULL;
    gsize n = strlen(valid[i].digits);
    g_assert_true(pt_gs1_validate_key(valid[i].what, valid[i].digits, n, &error));
    g_assert_no_error(error);
    g_assert_cmpint(pt_gs1_check_digit(valid[i].digits, n - 1), ==, valid[i].digits[n - 1] - '0');
  }
  g_assert_true(pt_gs1_validate_sscc("103338389000000677", NULL));
  g_assert_true(pt_gs1_validate_gln("4012345000115", NULL));
  g_assert_false(pt_gs1_validate_gln("4012345000116", NULL));
  g_assert_false(pt_gs1_validate_sscc("10333838900000067", NULL));

  /* The Teklynx PTI example GTIN has a wrong check digit: 3 expected. */
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_gs1_validate_key("GTIN", "65457886676767", 14, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHECK_DIGIT);
  g_assert_nonnull(strstr(error->message, "expected 3"));
  g_assert_cmpint(pt_gs1_check_digit("6545788667676", 13), ==, 3);
  g_assert_cmpint(pt_gs1_check_digit("12a", 3), ==, -1);

  char g14[15];
  g_assert_true(pt_gs1_gtin14("9506000134352", g14, NULL));
  g_assert_cmpstr(g14, ==, "09506000134352");
  g_assert_false(pt_gs1_gtin14("123456789", g14, NULL));
}

static void
test_sscc_compose(void)
{
  char sscc[19];
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_gs1_sscc_compose(1, "0333838", 900000067, sscc, &error));
  g_assert_cmpstr(sscc, ==, "103338389000000677");
  g_assert_true(pt_gs1_sscc_compose(0, "4012345", 111, sscc, &error));
  g_assert_cmpstr(sscc, ==, "040123450000001112");
  /* A 10-digit prefix leaves 6 digits for the serial reference. */
  g_assert_false(pt_gs1_sscc_compose(0, "4012345000", 1000000, sscc, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
  g_clear_error(&error);
  g_assert_false(pt_gs1_sscc_compose(10, "4012345", 1, sscc, &error));
  g_clear_error(&error);
  g_assert_false(pt_gs1_sscc_compose(0, "40123", 1, sscc, &error));
}

static void
test_validate_ai(void)
{
  const struct {
    const char *ai, *value;
    gboolean ok;
    int code;
  } cases[] = {
      {"01", "09506000134352", TRUE, 0},
      {"01", "09506000134353", FALSE, PT_GS1_ERROR_CHECK_DIGIT},
      {"01", "9506000134352", FALSE, PT_GS1_ERROR_SYNTAX},
      {"10", "ZG2611250007", TRUE, 0},
      {"10", "ZG 26", FALSE, PT_GS1_ERROR_CHARSET},
      {"10", "123456789012345678901", FALSE, PT_GS1_ERROR_SYNTAX},
      {"13", "261125", TRUE, 0},
      {"17", "251399", FALSE, PT_GS1_ERROR_DATE},
      {"15", "250230", FALSE, PT_GS1_ERROR_DATE},
      {"15", "240229", TRUE, 0},
      {"15", "250200", TRUE, 0}, /* DD = 00: end of month */
      {"3103", "018500", TRUE, 0},
      {"3106", "018500", FALSE, PT_GS1_ERROR_SYNTAX},
      {"3103", "18500", FALSE, PT_GS1_ERROR_SYNTAX},
      {"37", "80", TRUE, 0},
      {"37", "8O", FALSE, PT_GS1_ERROR_SYNTAX},
      {"414", "4012345000115", TRUE, 0},
      {"422", "156", TRUE, 0},
      {"99", "X", FALSE, PT_GS1_ERROR_SYNTAX},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    gboolean ok = pt_gs1_validate_ai(cases[i].ai, cases[i].value, &error);
    g_test_message("(%s)%s -> %s", cases[i].ai, cases[i].value, error ? error->message : "ok");
    g_assert_cmpint(ok, ==, cases[i].ok);
    if (!ok)
      g_assert_error(error, PT_GS1_ERROR, cases[i].code);
  }
}

static void
test_element_strings(void)
{
  g_autoptr(GError) error = NULL;
  const PtGs1Element pti[] = {{"01", "09506000134352"}, {"13", "261125"}, {"10", "ZG2611250007"}};
  g_autofree char *hri = pt_gs1_element_string(pti, 3, PT_GS1_FORM_HRI, &error);
  g_assert_cmpstr(hri, ==, "(01)09506000134352(13)261125(10)ZG2611250007");
  g_autofree char *raw = pt_gs1_element_string(pti, 3, PT_GS1_FORM_RAW, &error);
  g_assert_cmpstr(raw, ==, "01095060001343521326112510ZG2611250007");
  g_autofree char *br = pt_gs1_element_string(pti, 3, PT_GS1_FORM_BRACKETS, &error);
  g_assert_cmpstr(br, ==, "[01]09506000134352[13]261125[10]ZG2611250007");

  /* FNC1 (GS) after a variable-length AI followed by another; none after the last,
   * none after predefined-length AIs, and one after 422 (fixed, but not predefined). */
  const PtGs1Element mixed[] = {
      {"10", "186"}, {"13", "230711"}, {"21", "S1"}, {"422", "156"}, {"3103", "018500"}};
  g_autofree char *raw2 = pt_gs1_element_string(mixed, 5, PT_GS1_FORM_RAW, &error);
  g_assert_cmpstr(raw2, ==,
                  "10186\x1d"
                  "1323071121S1\x1d"
                  "422156\x1d"
                  "3103018500");
  g_assert_true(pt_gs1_ai_is_predefined_length("3103"));
  g_assert_false(pt_gs1_ai_is_predefined_length("422"));

  const PtGs1Element twice[] = {{"10", "A"}, {"10", "B"}};
  g_assert_null(pt_gs1_element_string(twice, 2, PT_GS1_FORM_HRI, &error));
  g_assert_nonnull(strstr(error->message, "twice"));
  g_clear_error(&error);
  const PtGs1Element bad[] = {{"01", "09506000134352"}, {"13", "261131"}};
  g_assert_null(pt_gs1_element_string(bad, 2, PT_GS1_FORM_HRI, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_DATE);
  g_clear_error(&error);
  g_assert_null(pt_gs1_element_string(bad, 0, PT_GS1_FORM_HRI, &error));
}

/* Reading back what the station writes (every form) and what scanners send. */
static void
test_element_string_parse(void)
{
  g_autoptr(GError) error = NULL;
  PtGs1ReadElement out[PT_GS1_ELEMENTS_MAX];
  gsize n = 0;
  const PtGs1Element mixed[] = {{"01", "09506000134352"}, {"10", "A(1)B"},
                                {"13", "230711"},         {"21", "S1"},
                                {"422", "156"},           {"3103", "018500"}};
  for (PtGs1Form form = PT_GS1_FORM_HRI; form <= PT_GS1_FORM_RAW; form++) {
    g_autofree char *text = pt_gs1_element_string(mixed, G_N_ELEMENTS(mixed), form, &error);
    g_assert_no_error(error);
    g_assert_true(pt_gs1_element_string_parse(text, out, G_N_ELEMENTS(out), &n, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(n, ==, G_N_ELEMENTS(mixed));
    for (gsize i = 0; i < n; i++) {
      g_assert_cmpstr(out[i].ai, ==, mixed[i].ai);
      g_assert_cmpstr(out[i].value, ==, mixed[i].value);
    }
  }
  /* A GS1-128 as zxing returns it ("]C1", GS after variable-length AIs), a DataMatrix as
   * it returns it (leading GS), and BarcodeDetector's bare digits. */
  const char *scanned[] = {"]C1010950600013435210LOT-7\x1d"
                           "13261202",
                           "\x1d"
                           "010950600013435210LOT-7\x1d"
                           "13261202",
                           "01095060001343521326120210LOT-7"};
  for (gsize k = 0; k < G_N_ELEMENTS(scanned); k++) {
    g_assert_true(pt_gs1_element_string_parse(scanned[k], out, G_N_ELEMENTS(out), &n, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpstr(out[0].value, ==, "09506000134352");
    g_assert_cmpstr(out[k == 2 ? 2 : 1].value, ==, "LOT-7");
  }
  const char *refused[] = {"",
                           "]C1",
                           "(01)09506000134353",
                           "0109506000134352(10)X",
                           "(01)09506000134352(01)09506000134352",
                           "99ABC",
                           "(10)"};
  for (gsize k = 0; k < G_N_ELEMENTS(refused); k++) {
    g_assert_false(pt_gs1_element_string_parse(refused[k], out, G_N_ELEMENTS(out), &n, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
  }
  /* Bounded: no more elements than the caller has room for. */
  g_assert_false(pt_gs1_element_string_parse("(01)09506000134352(10)A", out, 1, &n, &error));
  g_assert_nonnull(strstr(error->message, "more than 1"));
}

/* The raw form a scanner transmits (GS1-128, GS1 DataMatrix): fixed-length AIs need no GS,
 * an AIM identifier and a leading FNC1 are skipped, what pt_gs1_element_string() writes reads
 * back the same, and malformed strings are refused with a reason. */
static void
test_element_string_raw(void)
{
  g_autoptr(GError) error = NULL;
  PtGs1ReadElement el[PT_GS1_ELEMENTS_MAX];
  gsize n = 0;
  g_assert_true(pt_gs1_element_string_parse("0109506000134352"
                                            "10ZG2611250007\x1d"
                                            "13261125",
                                            el, G_N_ELEMENTS(el), &n, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(n, ==, 3);
  g_assert_cmpstr(pt_gs1_read_find(el, n, "01"), ==, "09506000134352");
  g_assert_cmpstr(pt_gs1_read_find(el, n, "10"), ==, "ZG2611250007");
  g_assert_cmpstr(pt_gs1_read_find(el, n, "13"), ==, "261125");
  g_assert_null(pt_gs1_read_find(el, n, "21"));
  g_assert_true(pt_gs1_element_string_parse("]C10109506000134352132611251"
                                            "0ZG26",
                                            el, G_N_ELEMENTS(el), &n, NULL));
  g_assert_cmpstr(pt_gs1_read_find(el, n, "10"), ==, "ZG26");
  g_assert_true(pt_gs1_element_string_parse("\x1d"
                                            "0109506000134352",
                                            el, G_N_ELEMENTS(el), &n, NULL));
  g_assert_cmpuint(n, ==, 1);
  const PtGs1Element mixed[] = {
      {"10", "186"}, {"13", "230711"}, {"21", "S1"}, {"422", "156"}, {"3103", "018500"}};
  g_autofree char *raw = pt_gs1_element_string(mixed, 5, PT_GS1_FORM_RAW, &error);
  g_assert_true(pt_gs1_element_string_parse(raw, el, G_N_ELEMENTS(el), &n, &error));
  g_assert_cmpuint(n, ==, 5);
  for (guint i = 0; i < 5; i++) {
    g_assert_cmpstr(el[i].ai, ==, mixed[i].ai);
    g_assert_cmpstr(el[i].value, ==, mixed[i].value);
  }
  const char *bad[] = {
      "",                                             /* nothing */
      "0109506000134353",                             /* check digit */
      "01095060001343",                               /* GTIN cut short */
      "99ABC",                                        /* an AI the station does not know */
      "01095060001343520109506000134352",             /* repeated */
      "10ABCDEFGHIJKLMNOPQRSTU",                      /* lot over 20 */
      "https://trace.example.coop/01/09506000134352", /* a link is no element string */
  };
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_false(pt_gs1_element_string_parse(bad[i], el, G_N_ELEMENTS(el), &n, &error));
    g_assert_true(error != NULL && error->domain == PT_GS1_ERROR && error->message[0]);
    g_clear_error(&error);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/gs1/check-digits", test_check_digits);
  g_test_add_func("/gs1/sscc-compose", test_sscc_compose);
  g_test_add_func("/gs1/validate-ai", test_validate_ai);
  g_test_add_func("/gs1/element-strings", test_element_strings);
  g_test_add_func("/gs1/element-string-parse", test_element_string_parse);
  g_test_add_func("/gs1/element-string-raw", test_element_string_raw);
  return g_test_run();
}

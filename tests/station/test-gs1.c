/* test-gs1.c: the GS1 rules the station's batch creation depends on, with the
 * published vectors of ../shared/data/gs1/README.txt (read at run time) and
 * traceability.md. */
#include "pt-gs1-dl.h"
#include "pt-gs1.h"

#include <string.h>

static void
test_published_vectors(void)
{
  const char *shared = g_getenv("PACKTRACE_SHARED");
  g_autofree char *path =
      shared ? g_build_filename(shared, "data", "gs1", "README.txt", NULL) : NULL;
  g_autofree char *text = NULL;
  if (!path || !g_file_get_contents(path, &text, NULL, NULL)) {
    g_test_skip("shared/data/gs1/README.txt not available");
    return;
  }
  /* Every 8..18-digit number in the file is a valid key per the file. */
  g_autoptr(GRegex) re = g_regex_new("\\b[0-9]{8,18}\\b", 0, 0, NULL);
  g_autoptr(GMatchInfo) m = NULL;
  int n = 0;
  for (g_regex_match(re, text, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL)) {
    g_autofree char *key = g_match_info_fetch(m, 0);
    g_autoptr(GError) error = NULL;
    g_assert_true(pt_gs1_validate_key("key", key, strlen(key), &error));
    g_assert_no_error(error);
    n++;
  }
  g_assert_cmpint(n, >=, 5);
}

static void
test_check_digits(void)
{
  const char *valid[] = {"09506000134352", "10333830000016",     "10333830000023",
                         "10850510002011", "103338389000000677", "040123450000001112",
                         "4012345000115"};
  for (gsize i = 0; i < G_N_ELEMENTS(valid); i++)
    g_assert_true(pt_gs1_validate_key("key", valid[i], strlen(valid[i]), NULL));
  g_autoptr(GError) error = NULL;
  /* traceability.md: the Teklynx example GTIN has a bad check digit, expected 3. */
  g_assert_false(pt_gs1_validate_key("GTIN", "65457886676767", 14, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHECK_DIGIT);
  g_assert_nonnull(strstr(error->message, "expected 3"));
}

static void
test_gtin14(void)
{
  char out[15];
  g_assert_true(pt_gs1_gtin14("9506000134352", out, NULL));
  g_assert_cmpstr(out, ==, "09506000134352");
  g_assert_true(pt_gs1_gtin14("96385074", out, NULL));
  g_assert_cmpstr(out, ==, "00000096385074");
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_gs1_gtin14("09506000134351", out, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHECK_DIGIT);
  g_assert_nonnull(strstr(error->message, "expected 2"));
  g_clear_error(&error);
  g_assert_false(pt_gs1_gtin14("095060001343", out, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHECK_DIGIT);
  g_clear_error(&error);
  g_assert_false(pt_gs1_gtin14("123456789", out, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
  g_clear_error(&error);
  g_assert_false(pt_gs1_gtin14("0950600013435X", out, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
}

static void
test_lot_and_dates(void)
{
  g_assert_true(pt_gs1_validate_lot("ZG2611250007", NULL));
  g_assert_true(pt_gs1_validate_lot("A-1/2.B_(x)", NULL));
  g_assert_false(pt_gs1_validate_lot("", NULL));
  g_assert_false(pt_gs1_validate_lot("123456789012345678901", NULL));
  g_assert_false(pt_gs1_validate_lot("AB CD", NULL));
  g_assert_false(pt_gs1_validate_lot("AB#", NULL));
  g_assert_false(pt_gs1_validate_lot("\xe4\xb8\xad", NULL));

  int year;
  g_assert_true(pt_gs1_validate_yymmdd("261125", 2026, &year, NULL));
  g_assert_cmpint(year, ==, 2026);
  g_assert_true(pt_gs1_validate_yymmdd("280229", 2026, NULL, NULL));
  g_assert_false(pt_gs1_validate_yymmdd("270229", 2026, NULL, NULL));
  g_assert_false(pt_gs1_validate_yymmdd("251399", 2026, NULL, NULL));
  g_assert_true(pt_gs1_validate_yymmdd("261100", 2026, NULL, NULL));
  g_assert_true(pt_gs1_validate_yymmdd("990101", 2026, &year, NULL));
  g_assert_cmpint(year, ==, 1999);
}

static void
test_digital_link(void)
{
  g_autofree char *a =
      pt_gs1_digital_link("trace.example.coop", "09506000134352", "ZG2611250007", "261125");
  g_assert_cmpstr(a, ==, "https://trace.example.coop/01/09506000134352/10/ZG2611250007?13=261125");
  g_autofree char *b = pt_gs1_digital_link("x.coop", "09506000134352", "A/B%C", NULL);
  g_assert_cmpstr(b, ==, "https://x.coop/01/09506000134352/10/A%2FB%25C");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/gs1/published-vectors", test_published_vectors);
  g_test_add_func("/gs1/check-digits", test_check_digits);
  g_test_add_func("/gs1/gtin14", test_gtin14);
  g_test_add_func("/gs1/lot-and-dates", test_lot_and_dates);
  g_test_add_func("/gs1/digital-link", test_digital_link);
  return g_test_run();
}

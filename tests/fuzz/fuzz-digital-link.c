/* fuzz-digital-link.c: libFuzzer driver for the GS1 Digital Link parser.  Beyond "no
 * crash, no leak", it checks what the parser promises: an accepted link has a
 * 14-digit GTIN with a valid check digit and valid path values, and writing it back
 * and parsing again gives the same link and the same text.  A refusal always comes
 * with an error message.
 *
 *   fuzz-digital-link -dict=digital-link.dict NEW_CORPUS_DIR corpus/digital-link */
#include <stdint.h>
#include <string.h>

#include "pt-gs1-ai.h"
#include "pt-gs1-dl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *uri = g_strndup((const char *)data, size);
  PtDigitalLink dl;
  GError *error = NULL;
  if (!pt_gs1_digital_link_parse(uri, 2026, &dl, &error)) {
    g_assert_nonnull(error);
    g_assert_true(error->domain == PT_GS1_ERROR && error->message[0] != '\0');
    g_error_free(error);
    g_free(uri);
    return 0;
  }
  g_assert_null(error);
  g_assert_true(strlen(uri) <= PT_DL_URI_MAX);
  g_assert_true(pt_gs1_validate_key("GTIN", dl.gtin, PT_GS1_GTIN_LEN, NULL));
  if (dl.lot[0])
    g_assert_true(pt_gs1_validate_lot(dl.lot, NULL));
  if (dl.cpv[0])
    g_assert_true(pt_gs1_validate_ai("22", dl.cpv, NULL));
  if (dl.serial[0])
    g_assert_true(pt_gs1_validate_ai("21", dl.serial, NULL));

  char *again = pt_gs1_digital_link_format(&dl);
  PtDigitalLink dl2;
  g_assert_true(pt_gs1_digital_link_parse(again, 2026, &dl2, NULL));
  g_assert_true(memcmp(&dl, &dl2, sizeof dl) == 0);
  char *third = pt_gs1_digital_link_format(&dl2);
  g_assert_cmpstr(again, ==, third);
  g_free(third);
  g_free(again);
  g_free(uri);
  return 0;
}

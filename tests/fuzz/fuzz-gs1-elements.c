/* fuzz-gs1-elements.c: libFuzzer driver for the GS1 element string parser (what a loading
 * camera reads off a case label's GS1-128 or DataMatrix).  Beyond "no crash, no leak": an
 * accepted string has only valid, distinct elements, and writing them back in raw form and
 * parsing again gives the same elements.  A refusal always comes with an error message.
 *
 *   fuzz-gs1-elements NEW_CORPUS_DIR corpus/gs1-elements */
#include <stdint.h>
#include <string.h>

#include "pt-gs1-ai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *raw = g_strndup((const char *)data, size);
  PtGs1Parsed p, again;
  GError *error = NULL;
  if (!pt_gs1_element_string_parse(raw, &p, &error)) {
    g_assert_true(error != NULL && error->domain == PT_GS1_ERROR && error->message[0] != '\0');
    g_error_free(error);
    g_free(raw);
    return 0;
  }
  g_assert_true(p.n >= 1 && p.n <= PT_GS1_ELEMENTS_MAX);
  PtGs1Element els[PT_GS1_ELEMENTS_MAX];
  for (guint i = 0; i < p.n; i++) {
    g_assert_true(pt_gs1_validate_ai(p.el[i].ai, p.el[i].value, NULL));
    els[i] = (PtGs1Element){p.el[i].ai, p.el[i].value};
  }
  char *written = pt_gs1_element_string(els, p.n, PT_GS1_FORM_RAW, NULL);
  if (written != NULL) {
    g_assert_true(pt_gs1_element_string_parse(written, &again, NULL));
    g_assert_true(again.n == p.n);
    for (guint i = 0; i < p.n; i++) {
      g_assert_cmpstr(again.el[i].ai, ==, p.el[i].ai);
      g_assert_cmpstr(again.el[i].value, ==, p.el[i].value);
    }
  }
  g_free(written);
  g_free(raw);
  return 0;
}

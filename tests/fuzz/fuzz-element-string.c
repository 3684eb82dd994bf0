/* fuzz-element-string.c: libFuzzer driver for the GS1 element string reader (what a
 * GS1-128 or GS1 DataMatrix transmits, or what is printed under it, read from a driver's
 * phone).  Beyond "no crash, no leak", it checks what the reader promises: every element it
 * accepts passes pt_gs1_validate_ai(), no AI comes twice, and the elements written back in
 * either form read back the same.  A refusal always comes with an error message.
 *
 *   fuzz-element-string NEW_CORPUS_DIR corpus/element-string */
#include <stdint.h>
#include <string.h>

#include "pt-gs1-ai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = g_strndup((const char *)data, size);
  PtGs1ReadElement out[PT_GS1_ELEMENTS_MAX], again[PT_GS1_ELEMENTS_MAX];
  gsize n = 0, n_again = 0;
  GError *error = NULL;
  if (!pt_gs1_element_string_parse(text, out, G_N_ELEMENTS(out), &n, &error)) {
    g_assert_nonnull(error);
    g_assert_true(error->message[0] != '\0');
    g_error_free(error);
    g_free(text);
    return 0;
  }
  g_assert_true(n >= 1 && n <= PT_GS1_ELEMENTS_MAX);
  PtGs1Element elements[PT_GS1_ELEMENTS_MAX];
  for (gsize i = 0; i < n; i++) {
    g_assert_true(pt_gs1_validate_ai(out[i].ai, out[i].value, NULL));
    for (gsize j = 0; j < i; j++)
      g_assert_cmpstr(out[i].ai, !=, out[j].ai);
    elements[i] = (PtGs1Element){out[i].ai, out[i].value};
  }
  for (PtGs1Form form = PT_GS1_FORM_HRI; form <= PT_GS1_FORM_RAW; form++) {
    char *written = pt_gs1_element_string(elements, n, form, NULL);
    g_assert_nonnull(written);
    /* A printed value may itself hold "(AI)": that text is ambiguous, and only the raw
     * form must come back whole. */
    if (pt_gs1_element_string_parse(written, again, G_N_ELEMENTS(again), &n_again, NULL) &&
        form == PT_GS1_FORM_RAW) {
      g_assert_cmpuint(n_again, ==, n);
      for (gsize i = 0; i < n; i++) {
        g_assert_cmpstr(again[i].ai, ==, out[i].ai);
        g_assert_cmpstr(again[i].value, ==, out[i].value);
      }
    } else {
      g_assert_true(form != PT_GS1_FORM_RAW);
    }
    g_free(written);
  }
  g_free(text);
  return 0;
}

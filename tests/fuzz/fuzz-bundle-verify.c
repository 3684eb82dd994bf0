/* fuzz-bundle-verify.c: `packtrace verify` reads bundles from anywhere; this drives
 * the strict JSON parser and the whole bundle check with arbitrary bytes.  Any
 * input must give valid, or an error, and never a crash, a leak or a hang. */
#include "pt-bundle.h"
#include "pt-error.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static gboolean ready;
  if (!ready) {
    if (sodium_init() < 0)
      return 0;
    ready = TRUE;
  }
  PtVerifyResult result;
  GError *error = NULL;
  if (pt_bundle_verify((const char *)data, size, NULL, &result, &error)) {
    g_assert(result.n_events >= 0);
    pt_verify_result_clear(&result);
  } else {
    /* Every refusal says what it saw, in the station's domain. */
    g_assert(error && error->domain == PT_ERROR && error->message[0]);
    g_error_free(error);
  }
  return 0;
}

/* fuzz-json.c: pt_json_parse(), the reader of every JSON text the station and the hub take in
 * (HTTP bodies, hub requests, bundles, sync answers), against jansson's json_loadb() with the
 * same rules (tests/station/pt-json-agree.h): any input must be accepted by both with the same
 * values, or refused by both, never a crash, a leak or a hang. */
#include "pt-json-agree.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *why = pt_json_agree((const char *)data, size);
  if (why)
    g_error("%s", why);
  return 0;
}

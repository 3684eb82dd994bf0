/* fuzz-hub-profile.c: the hub reads PUT /hub/v1/profile bodies from any station that holds a
 * key, stores them verbatim and reads them again at every page render; this drives the one
 * parser of that form (trace/pt-profile-wire.h).  Any input must give a profile whose texts
 * fit their limits, or a refusal in the station's domain, never a crash, a leak or a hang; a
 * profile read is written again and reads the same. */
#include "pt-error.h"
#include "pt-limits.h"
#include "pt-profile-wire.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GError *error = NULL;
  PtProfileWire *p = pt_profile_wire_read((const char *)data, size, &error);
  if (!p) {
    g_assert(error && error->domain == PT_ERROR && error->message[0]);
    g_error_free(error);
    return 0;
  }
  g_assert(p->name && strlen(p->name) <= PT_HUB_NAME_MAX);
  g_assert(!p->pub.coop_name || strlen(p->pub.coop_name) <= PT_TEXT_FIELD_MAX);
  g_assert(!p->logo_sha256 || strlen(p->logo_sha256) == 64);
  /* Without a logo the writer makes the same profile again (the logo is named from bytes). */
  if (!p->logo_sha256) {
    char *again =
        pt_profile_wire_text(&p->pub, p->name, p->has_location, p->latitude, p->longitude);
    PtProfileWire *q = pt_profile_wire_read(again, strlen(again), &error);
    g_assert(q && g_strcmp0(q->name, p->name) == 0 &&
             g_strcmp0(q->pub.hotline, p->pub.hotline) == 0 && q->has_location == p->has_location);
    pt_profile_wire_free(q);
    g_free(again);
  }
  pt_profile_wire_free(p);
  return 0;
}

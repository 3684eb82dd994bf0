/* fuzz-hub-events.c: the hub reads POST /hub/v1/events bodies from any station that holds a
 * key (and from anyone, up to the signature check); this drives what ingest does with a body
 * before the database: the strict JSON parser, the event wire form, the per-event check
 * against a key, and the evidence and batch readers of the record.  Any input must give
 * events or a refusal in the station's domain, never a crash, a leak or a hang. */
#include "pt-error.h"
#include "pt-event-check.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-limits.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static guint8 public_key[PT_PUB_LEN];
  static gboolean ready;
  if (!ready) {
    if (sodium_init() < 0)
      return 0;
    guint8 secret[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(public_key, secret);
    ready = TRUE;
  }
  GError *error = NULL;
  json_t *body = pt_json_parse((const char *)data, size, &error);
  if (!body) {
    g_assert(error && error->domain == PT_ERROR && error->message[0]);
    g_error_free(error);
    return 0;
  }
  json_t *events = json_object_get(body, "events");
  for (size_t i = 0; i < json_array_size(events) && i < PT_HUB_EVENTS_PER_REQUEST_MAX; i++) {
    PtEventRow row = {0};
    char *lot = NULL, *gtin = NULL;
    if (!pt_hub_wire_read_event(json_array_get(events, i), &row, &lot, &gtin, &error)) {
      g_assert(error && error->domain == PT_ERROR && error->message[0]);
      g_clear_error(&error);
      pt_event_row_clear(&row);
      continue;
    }
    GPtrArray *failures = g_ptr_array_new_with_free_func(g_free);
    json_t *record = pt_event_check(&row, public_key, TRUE, failures);
    /* A random signature never verifies. */
    g_assert(failures->len > 0);
    if (record) {
      GPtrArray *refs = pt_hub_event_evidence(record);
      for (guint r = 0; r < refs->len; r++)
        g_assert(pt_hub_is_hex(refs->pdata[r], PT_HASH_LEN));
      g_ptr_array_unref(refs);
      char *bg = NULL, *bl = NULL;
      if (pt_hub_event_batch(record, &bg, &bl))
        g_assert(strlen(bg) == 14 && bl[0]);
      g_free(bg);
      g_free(bl);
      json_decref(record);
    }
    g_ptr_array_unref(failures);
    g_free(lot);
    g_free(gtin);
    pt_event_row_clear(&row);
  }
  json_decref(body);
  return 0;
}

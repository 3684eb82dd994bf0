/* pt-event-check.c: one signed event checked against its record and key (see
 * pt-event-check.h). */
#include "pt-event-check.h"

#include "pt-epcis.h"
#include "pt-event-hash.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-sha256.h"

#include <sodium.h>

gboolean
pt_event_link_matches(const json_t *event, const char *key, gboolean present, const guint8 *hash)
{
  const char *hex = json_string_value(json_object_get(event, key));
  if (!present)
    return json_object_get(event, key) == NULL;
  guint8 got[PT_HASH_LEN];
  return hex && pt_hex_decode(hex, got, PT_HASH_LEN) && sodium_memcmp(got, hash, PT_HASH_LEN) == 0;
}

json_t *
pt_event_check(const PtEventRow *row, const guint8 public_key[PT_PUB_LEN], gboolean check_links,
               GPtrArray *failures)
{
  guint8 hash[PT_HASH_LEN];
  pt_sha256(hash, row->body, row->body_len);
  if (sodium_memcmp(hash, row->hash, PT_HASH_LEN) != 0)
    g_ptr_array_add(failures, g_strdup("record does not match its stored hash (content altered)"));
  if (!pt_keys_verify(public_key, hash, row->signature))
    g_ptr_array_add(failures, g_strdup("signature does not verify"));

  g_autoptr(GError) local = NULL;
  json_t *event = pt_json_parse(row->body, row->body_len, &local);
  if (!event) {
    g_ptr_array_add(failures, g_strdup_printf("record is not JSON: %s", local->message));
    return NULL;
  }
  const char *id = json_string_value(json_object_get(event, "eventID"));
  if (!id || g_strcmp0(id, row->event_id) != 0)
    g_ptr_array_add(failures, g_strdup("eventID column differs from the signed record"));
  /* The signed facts are found by the step column (pt-batch-signed.h): it must be the
   * record's. */
  const char *step = json_string_value(json_object_get(event, "bizStep"));
  if (!step || g_strcmp0(step, row->step) != 0)
    g_ptr_array_add(failures, g_strdup("step column differs from the signed record"));
  g_autofree char *hash_id = row->hash_id ? pt_event_hash_id(event, NULL, NULL) : NULL;
  if (row->hash_id && g_strcmp0(hash_id, row->hash_id) != 0)
    g_ptr_array_add(failures, g_strdup("hash_id column is not the signed record's Event Hash ID"));
  if (check_links &&
      !pt_event_link_matches(event, PT_EXT_PREV_EVENT, row->has_prev_batch, row->prev_batch_hash))
    g_ptr_array_add(failures, g_strdup("prev_batch_hash is not the record's " PT_EXT_PREV_EVENT));
  if (check_links && !pt_event_link_matches(event, PT_EXT_PREV_STATION_EVENT, row->has_prev_station,
                                            row->prev_station_hash))
    g_ptr_array_add(failures,
                    g_strdup("prev_station_hash is not the record's " PT_EXT_PREV_STATION_EVENT));
  return event;
}

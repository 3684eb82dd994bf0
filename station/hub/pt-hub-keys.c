/* pt-hub-keys.c: a station's key rotations reaching the hub (see pt-hub-keys.h).  The records
 * verify on their own (each signed by the key it retires and by the key it brings in); what the
 * hub adds is that they agree with what it already holds: the rotations it accepted before,
 * the event each one names as the last its retiring key signed, and no held event after it. */
#include "pt-hub-keys.h"

#include "pt-canon.h"
#include "pt-error.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-limits.h"

#include <sodium.h>
#include <string.h>

/* The newKey the last record of @rotations names, as claimed: the key the station signs its
 * request with.  The chain that brings it in is checked after. */
static gboolean
claimed_key(json_t *rotations, guint8 key[PT_PUB_LEN])
{
  gsize n = json_array_size(rotations);
  json_t *record = n > 0 ? json_object_get(json_array_get(rotations, n - 1), "record") : NULL;
  const char *hex = json_string_value(json_object_get(record, "newKey"));
  return hex && pt_hub_hex_decode(hex, key, PT_PUB_LEN);
}

static gboolean
same_link(const PtKeyChain *a, const PtKeyChain *b, guint i)
{
  gint64 seq_a = 0, seq_b = 0;
  const guint8 *hash_a = pt_key_chain_after(a, i, &seq_a);
  const guint8 *hash_b = pt_key_chain_after(b, i, &seq_b);
  return memcmp(pt_key_chain_key(a, i), pt_key_chain_key(b, i), PT_PUB_LEN) == 0 &&
         pt_key_chain_from_ns(a, i) == pt_key_chain_from_ns(b, i) && seq_a == seq_b &&
         (hash_a == NULL) == (hash_b == NULL) &&
         (!hash_a || memcmp(hash_a, hash_b, PT_HASH_LEN) == 0);
}

/* Why rotation @i of @received (new at the hub) disagrees with the events the hub holds of
 * @station, or NULL (@error set too: a store error).  Returns: (transfer full) (nullable). */
static char *
disagrees_with_events(PtHubStore *store, const PtHubStation *station, const PtKeyChain *received,
                      guint i, gint64 last_seq, gboolean *failed, GError **error)
{
  gint64 after_seq = 0;
  const guint8 *after_hash = pt_key_chain_after(received, i, &after_seq);
  if (last_seq > after_seq)
    return g_strdup_printf(
        "key rotation %u says its previous key signed up to seq %" G_GINT64_FORMAT
        ", but the hub holds events of that key up to seq %" G_GINT64_FORMAT,
        i, after_seq, last_seq);
  if (!after_hash)
    return NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new();
  g_autoptr(GPtrArray) held =
      pt_hub_store_keys_find(store, station->id, &after_seq, 1, none, none, error);
  if (!held) {
    *failed = TRUE;
    return NULL;
  }
  for (guint k = 0; k < held->len; k++) {
    const PtHubKey *key = held->pdata[k];
    if (strcmp(key->station_id, station->id) == 0 && key->seq == after_seq &&
        sodium_memcmp(key->hash, after_hash, PT_HASH_LEN) != 0)
      return g_strdup_printf("key rotation %u names another event at seq %" G_GINT64_FORMAT
                             " than the one the hub holds",
                             i, after_seq);
  }
  /* Not held yet: ingest checks the event at after_seq against the rotation when it comes. */
  return NULL;
}

/* Why @received does not extend the chain the hub holds (@locked's) and its events, or NULL
 * (with @failed set on a store error).  Returns: (transfer full) (nullable). */
static char *
disagrees(PtHubStore *store, const PtHubStation *locked, const PtKeyChain *received,
          gboolean *failed, GError **error)
{
  guint held = pt_key_chain_length(locked->chain), got = pt_key_chain_length(received);
  if (got < held)
    return g_strdup_printf("the chain sent has %u rotations, the hub holds %u", got - 1, held - 1);
  for (guint i = 1; i < held; i++)
    if (!same_link(locked->chain, received, i))
      return g_strdup_printf("key rotation %u differs from the one the hub holds", i);
  if (got == held)
    return NULL;
  g_autoptr(PtHubStation) counts = pt_hub_store_station_status(store, locked->id, error);
  if (!counts) {
    *failed = TRUE;
    return NULL;
  }
  /* Only the first new record can meet held events: the later ones follow it in seq. */
  return disagrees_with_events(store, locked, received, held, counts->last_seq, failed, error);
}

/* Stores rotations @from.. of @received, whose records are @rotations[@from - 1 ..]. */
static gboolean
store_new(PtHubStore *store, const char *station_id, const PtKeyChain *received, guint from,
          json_t *rotations, GError **error)
{
  gboolean ok = TRUE;
  for (guint i = from; ok && i < pt_key_chain_length(received); i++) {
    json_t *r = json_array_get(rotations, i - 1);
    PtKeyRotationRow row = {.id = i};
    row.record = pt_canon_dump(json_object_get(r, "record"), &row.record_len, error);
    const char *sig = json_string_value(json_object_get(r, "signature"));
    const char *new_sig = json_string_value(json_object_get(r, "newKeySignature"));
    gint64 after_seq = 0;
    pt_key_chain_after(received, i, &after_seq);
    ok = row.record && pt_hex_decode(sig, row.signature, PT_SIG_LEN) &&
         pt_hex_decode(new_sig, row.new_signature, PT_SIG_LEN) &&
         pt_hub_store_key_rotation_add(store, station_id, i, &row, pt_key_chain_key(received, i),
                                       after_seq, error);
    pt_key_rotation_row_clear(&row);
  }
  return ok;
}

/* Keeps the refused chain (@body) with @why and raises it, in a transaction of its own; sets
 * @error to the refusal (or to the store's error). */
static void
refuse(PtHubStore *store, const char *station_id, const char *body, gsize len, const char *why,
       GError **error)
{
  g_autofree char *received = g_strndup(body, len);
  g_autofree char *alert = g_strdup_printf("key rotation refused: %s", why);
  if (!pt_hub_store_begin(store, error))
    return;
  if (!pt_hub_store_quarantine_add(store, station_id, 0, NULL, received, why, error) ||
      !pt_hub_store_alert_add(store, station_id, "rotation", alert, error)) {
    pt_hub_store_rollback(store);
    return;
  }
  if (pt_hub_store_commit(store, error))
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s", alert);
}

json_t *
pt_hub_ingest_rotations(PtHubStore *store, const PtHubRequest *req, GError **error)
{
  if (req->body_len > PT_HUB_BODY_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "request body over %d bytes", PT_HUB_BODY_MAX);
    return NULL;
  }
  json_t *answer = NULL;
  g_autoptr(PtHubStation) st = NULL, locked = NULL;
  g_autoptr(PtKeyChain) received = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *why = NULL;
  json_t *o = pt_json_parse(req->body ? req->body : "", req->body_len, error);
  json_t *rotations = json_object_get(o, "keyChain");
  if (!o)
    return NULL;
  if (!json_is_object(o) || json_object_size(o) != 1 || !json_is_array(rotations)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "the body must be {\"keyChain\": [...]}");
    goto out;
  }
  guint8 claimed[PT_PUB_LEN];
  if (claimed_key(rotations, claimed))
    st = pt_hub_authenticate_with(store, req, claimed, &local);
  if (!st && !(local && !g_error_matches(local, PT_ERROR, PT_ERROR_TAMPERED))) {
    g_clear_error(&local);
    st = pt_hub_authenticate(store, req, &local);
  }
  if (!st) {
    g_propagate_error(error, g_steal_pointer(&local));
    goto out;
  }
  received = pt_key_chain_from_json(st->public_key, rotations, &local);
  if (!received) {
    if (!g_error_matches(local, PT_ERROR, PT_ERROR_TAMPERED)) {
      g_propagate_error(error, g_steal_pointer(&local));
      goto out;
    }
    refuse(store, st->id, req->body, req->body_len, local->message, error);
    goto out;
  }
  if (!pt_hub_store_begin(store, error))
    goto out;
  gboolean failed = FALSE;
  locked = pt_hub_store_station_get(store, st->id, TRUE, error);
  if (locked)
    why = disagrees(store, locked, received, &failed, error);
  if (!locked || failed ||
      (!why &&
       !store_new(store, st->id, received, pt_key_chain_length(locked->chain), rotations, error))) {
    pt_hub_store_rollback(store);
    goto out;
  }
  if (why) {
    pt_hub_store_rollback(store);
    refuse(store, st->id, req->body, req->body_len, why, error);
    goto out;
  }
  if (!pt_hub_store_commit(store, error))
    goto out;
  answer =
      json_pack("{sssisi}", "station", st->id, "keys", (int)pt_key_chain_length(received), "added",
                (int)(pt_key_chain_length(received) - pt_key_chain_length(locked->chain)));
out:
  json_decref(o);
  return answer;
}

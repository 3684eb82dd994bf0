/* pt-bundle.c: a batch's EPCIS document, its signed trace bundle, their public and buyer
 * views, and their verification.  verify runs on bundles from anywhere, so every field is
 * checked for type, case and size before use and every failure names what it saw. */
#include "pt-bundle.h"

#include "pt-canon.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-event-hash.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-sha256.h"
#include "pt-time.h"

#include <string.h>

struct _PtBundleWriter {
  const PtConfig *config; /* borrowed */
  PtBundleView view;
  char *buyer_gln;  /* nullable: the GLN a PT_BUNDLE_BUYER view is scoped to */
  json_t *doc;      /* the document without its events */
  GString *events;  /* the shown events' stored records, comma-separated, verbatim */
  json_t *proofs;   /* nullable: only a bundle carries proofs */
  json_t *hash_ids; /* nullable, borrowed from @doc: a plain document lists the hash IDs */
  guint8 last_hash[PT_HASH_LEN];
  gint64 count;
  json_t *key_chain; /* nullable: the station's rotations, when it has made any */
};

PtBundleWriter *
pt_bundle_writer_new(const PtConfig *config, gboolean with_proofs, PtBundleView view,
                     const char *buyer_gln)
{
  PtBundleWriter *w = g_new0(PtBundleWriter, 1);
  w->config = config;
  w->view = view;
  w->buyer_gln = g_strdup(buyer_gln);
  w->doc = pt_epcis_document_new(config, pt_now_ns());
  w->events = g_string_new(NULL);
  w->proofs = with_proofs ? json_array() : NULL;
  if (!with_proofs) {
    w->hash_ids = json_array();
    json_object_set_new(w->doc, PT_EXT_EVENT_HASH_IDS, w->hash_ids);
  }
  return w;
}

void
pt_bundle_writer_set_creation(PtBundleWriter *w, gint64 creation_ns)
{
  g_autofree char *when = pt_time_format(creation_ns);
  json_object_set_new(w->doc, "creationDate", json_string(when));
}

void
pt_bundle_writer_set_key_chain(PtBundleWriter *w, const PtKeyChain *chain)
{
  if (w->key_chain)
    json_decref(w->key_chain);
  w->key_chain = pt_key_chain_length(chain) > 1 ? pt_key_chain_to_json(chain) : NULL;
}

void
pt_bundle_writer_free(PtBundleWriter *w)
{
  if (!w)
    return;
  json_decref(w->doc);
  g_string_free(w->events, TRUE);
  if (w->proofs)
    json_decref(w->proofs);
  if (w->key_chain)
    json_decref(w->key_chain);
  g_free(w->buyer_gln);
  g_free(w);
}

/* The members that say who a load went to and how (load events), the operator's notes, and
 * the mark of an attachment the operator kept from the public (pt-attachment.c). */
static const char *const private_members[] = {
    "pt:note",   "pt:vehiclePlate", "pt:sealNumber",   "pt:destinationName", "pt:dock",
    "pt:loadId", "pt:loadedBy",     "destinationList", "bizTransactionList", PT_EXT_PRIVATE,
};

gboolean
pt_bundle_event_is_private(const json_t *event)
{
  for (gsize i = 0; i < G_N_ELEMENTS(private_members); i++)
    if (json_object_get(event, private_members[i]))
      return TRUE;
  return FALSE;
}

/* TRUE when @event names the party of @gln among its destinations. */
static gboolean
goes_to(const json_t *event, const char *gln)
{
  g_autofree char *party = g_strconcat("https://id.gs1.org/414/", gln, NULL);
  json_t *list = json_object_get(event, "destinationList");
  gsize i;
  json_t *d;
  json_array_foreach(list, i, d)
  {
    if (g_strcmp0(json_string_value(json_object_get(d, "destination")), party) == 0)
      return TRUE;
  }
  return FALSE;
}

gboolean
pt_bundle_event_shown(const json_t *event, PtBundleView view, const char *buyer_gln)
{
  switch (view) {
  case PT_BUNDLE_FULL:
    return TRUE;
  case PT_BUNDLE_PUBLIC:
    return !pt_bundle_event_is_private(event);
  case PT_BUNDLE_BUYER:
    /* A buyer sees what the public sees and the loads it may see: every load for a buyer of
     * all batches, its own loads for one scoped to a GLN; never an operator's note. */
    if (!pt_bundle_event_is_private(event))
      return TRUE;
    if (json_object_get(event, "pt:note") || !json_object_get(event, "pt:loadId"))
      return FALSE;
    return !buyer_gln || goes_to(event, buyer_gln);
  }
  return FALSE;
}

json_t *
pt_bundle_public_entry(const json_t *event, const PtEventRow *row, gsize n, const char *clip_link)
{
  json_t *time = json_object_get(event, "eventTime");
  json_t *disposition = json_object_get(event, "disposition");
  json_t *out = json_pack("{sI ss ss so}", "n", (json_int_t)n, "step", row->step, "time",
                          json_is_string(time) ? json_string_value(time) : "", "disposition",
                          json_is_string(disposition) ? json_copy(disposition) : json_null());
  /* Its GS1 Event Hash ID, by which a partner or the buyer API finds the record. */
  json_object_set_new(out, "hash_id", pt_json_string_or_null(row->hash_id));
  if (json_object_get(event, "errorDeclaration"))
    json_object_set_new(out, "error_declaration", json_true());
  /* A private step (a truck being loaded: its plate) shows neither its clip nor its note. */
  if (!pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL))
    return out;
  if (json_object_get(event, PT_EXT_CLIP_SHA256)) {
    g_autofree char *clip = g_strdup_printf("%s&n=%zu", clip_link, n);
    json_object_set_new(out, "clip", json_string(clip));
  }
  const char *note = json_string_value(json_object_get(event, PT_EXT_PUBLIC_NOTE));
  if (note)
    json_object_set_new(out, "note", json_string(note));
  return out;
}

gboolean
pt_bundle_writer_add(PtBundleWriter *w, const PtEventRow *row, GError **error)
{
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return FALSE;
  /* From the signed body with the event's own @context, so the ID never depends on export
   * time, nor on the document's prefixes: an event signed before the namespace of the
   * extensions was one for every station declares its own. */
  g_autofree char *hash_id = pt_event_hash_id(event, NULL, error);
  gboolean in_clear = pt_bundle_event_shown(event, w->view, w->buyer_gln);
  json_decref(event);
  if (!hash_id)
    return FALSE;
  if (in_clear) {
    /* The stored record, byte for byte: re-encoding it could change a number's digits. */
    if (w->events->len)
      g_string_append_c(w->events, ',');
    g_string_append_len(w->events, row->body, (gssize)row->body_len);
    if (w->hash_ids)
      json_array_append_new(w->hash_ids, json_string(hash_id));
  }
  if (w->proofs) {
    g_autofree char *hash = pt_hex_encode(row->hash, PT_HASH_LEN);
    g_autofree char *sig = pt_hex_encode(row->signature, PT_SIG_LEN);
    json_t *proof = json_pack("{ssssssss}", "eventID", row->event_id, "hash", hash, "signature",
                              sig, "hashId", hash_id);
    if (row->has_prev_batch) {
      g_autofree char *prev = pt_hex_encode(row->prev_batch_hash, PT_HASH_LEN);
      json_object_set_new(proof, "prevHash", json_string(prev));
    } else {
      json_object_set_new(proof, "prevHash", json_null());
    }
    if (!in_clear)
      json_object_set_new(proof, "redacted", json_true());
    json_array_append_new(w->proofs, proof);
  }
  memcpy(w->last_hash, row->hash, PT_HASH_LEN);
  w->count++;
  return TRUE;
}

/* Returns: (transfer full): the canonical text of @value, whose member "eventList" of
 * "epcisBody" of @doc (borrowed from @value) is @w's events spliced in verbatim. */
static char *
dump_with_events(PtBundleWriter *w, json_t *value, json_t *doc, gsize *len_out, GError **error)
{
  /* A random mark cannot occur in recorded text by chance nor by design. */
  g_autofree char *uuid = g_uuid_string_random();
  g_autofree char *mark = g_strconcat("\x01pt-events-", uuid, "\x01", NULL);
  g_autofree char *quoted = g_strconcat("\"\\u0001pt-events-", uuid, "\\u0001\"", NULL);
  json_t *body = json_object_get(doc, "epcisBody");
  json_object_set_new(body, "eventList", json_string(mark));
  gsize len = 0;
  g_autofree char *text = pt_canon_dump(value, &len, error);
  json_object_set_new(body, "eventList", json_array());
  if (!text)
    return NULL;
  const char *at = strstr(text, quoted);
  g_assert(at);
  GString *out = g_string_sized_new(len + w->events->len + 2);
  g_string_append_len(out, text, at - text);
  g_string_append_c(out, '[');
  g_string_append_len(out, w->events->str, (gssize)w->events->len);
  g_string_append_c(out, ']');
  const char *rest = at + strlen(quoted);
  g_string_append_len(out, rest, (gssize)(text + len - rest));
  *len_out = out->len;
  return g_string_free(out, FALSE);
}

char *
pt_bundle_writer_epcis(PtBundleWriter *w, gsize *len_out, GError **error)
{
  return dump_with_events(w, w->doc, w->doc, len_out, error);
}

static gboolean
hash_canonical(const json_t *value, guint8 hash[PT_HASH_LEN], GError **error)
{
  gsize len;
  g_autofree char *canon = pt_canon_dump(value, &len, error);
  if (!canon)
    return FALSE;
  pt_sha256(hash, canon, len);
  return TRUE;
}

/* The document hash covers everything but the event list: the events are covered
 * one by one by their proofs, their chain, and the head's count and last hash, so
 * hashing them again would double the cost of export and verify. */
static gboolean
hash_document_header(json_t *doc, guint8 hash[PT_HASH_LEN], GError **error)
{
  json_t *header = json_deep_copy(doc);
  json_object_del(json_object_get(header, "epcisBody"), "eventList");
  gboolean ok = hash_canonical(header, hash, error);
  json_decref(header);
  return ok;
}

/* The head is signed over SHA-256 of its canonical form without "signature". */
static gboolean
head_digest(json_t *head, guint8 digest[PT_HASH_LEN], GError **error)
{
  json_t *unsigned_head = json_deep_copy(head);
  json_object_del(unsigned_head, "signature");
  gboolean ok = hash_canonical(unsigned_head, digest, error);
  json_decref(unsigned_head);
  return ok;
}

/* Returns: (transfer full): the head over @w's document and events, naming @station_key (the
 * station's anchor) and @w's key chain, signed by @keys: the station's current key, or with
 * @by_hub a hub's (then also named, as "hubKey"). */
static json_t *
signed_head(PtBundleWriter *w, const PtKeys *keys, const guint8 station_key[PT_PUB_LEN],
            gboolean by_hub, const PtBatch *batch, GError **error)
{
  json_t *doc = w->doc;
  gint64 count = w->count;
  const guint8 *last_hash = w->last_hash;
  /* Derived from the key, never taken from station.ini: verify checks it is the key's. */
  g_autofree char *station_id = pt_keys_station_id(station_key);
  guint8 doc_hash[PT_HASH_LEN], digest[PT_HASH_LEN], sig[PT_SIG_LEN];
  if (!hash_document_header(doc, doc_hash, error))
    return NULL;
  g_autofree char *doc_hex = pt_hex_encode(doc_hash, PT_HASH_LEN);
  g_autofree char *last_hex = pt_hex_encode(last_hash, PT_HASH_LEN);
  g_autofree char *pub_hex = pt_hex_encode(station_key, PT_PUB_LEN);
  json_t *head = json_pack("{ss"
                           "ss"
                           "ss"
                           "sI"
                           "ss"
                           "ss"
                           "ss}",
                           "stationId", station_id, "lot", batch->lot, "gtin", batch->gtin, "count",
                           (json_int_t)count, "lastHash", count ? last_hex : "", "documentHash",
                           doc_hex, "publicKey", pub_hex);
  if (by_hub) {
    g_autofree char *hub_hex = pt_hex_encode(keys->public_key, PT_PUB_LEN);
    json_object_set_new(head, "hubKey", json_string(hub_hex));
  }
  if (w->key_chain)
    json_object_set(head, "keyChain", w->key_chain);
  if (!head_digest(head, digest, error)) {
    json_decref(head);
    return NULL;
  }
  pt_keys_sign(keys, digest, sig);
  g_autofree char *sig_hex = pt_hex_encode(sig, PT_SIG_LEN);
  json_object_set_new(head, "signature", json_string(sig_hex));
  return head;
}

static char *finish(PtBundleWriter *w, const PtKeys *keys, const guint8 station_key[PT_PUB_LEN],
                    gboolean by_hub, const PtBatch *batch, gsize *len_out, GError **error);

char *
pt_bundle_writer_finish(PtBundleWriter *w, const PtKeys *keys, const PtBatch *batch, gsize *len_out,
                        GError **error)
{
  g_return_val_if_fail(w->proofs != NULL, NULL);
  return finish(w, keys, keys->anchor_key, FALSE, batch, len_out, error);
}

char *
pt_bundle_writer_finish_attested(PtBundleWriter *w, const PtKeys *keys,
                                 const guint8 station_key[PT_PUB_LEN], const PtBatch *batch,
                                 gsize *len_out, GError **error)
{
  g_return_val_if_fail(w->proofs != NULL, NULL);
  gboolean own = sodium_memcmp(keys->anchor_key, station_key, PT_PUB_LEN) == 0;
  return finish(w, keys, station_key, !own, batch, len_out, error);
}

static char *
finish(PtBundleWriter *w, const PtKeys *keys, const guint8 station_key[PT_PUB_LEN], gboolean by_hub,
       const PtBatch *batch, gsize *len_out, GError **error)
{
  json_t *head = signed_head(w, keys, station_key, by_hub, batch, error);
  if (!head)
    return NULL;
  json_t *bundle = json_pack("{sssOsOso}", "format", PT_BUNDLE_FORMAT, "epcis", w->doc, "proofs",
                             w->proofs, "head", head);
  char *text = dump_with_events(w, bundle, w->doc, len_out, error);
  json_decref(bundle);
  return text;
}

void
pt_verify_result_clear(PtVerifyResult *result)
{
  g_free(result->lot);
  g_free(result->gtin);
  g_free(result->station_id);
  if (result->hash_ids)
    g_ptr_array_unref(result->hash_ids);
  memset(result, 0, sizeof *result);
}

static gboolean G_GNUC_PRINTF(2, 3) malformed(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "bundle is malformed: %s", msg);
  return FALSE;
}

static gboolean G_GNUC_PRINTF(2, 3) tampered(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, PT_ERROR, PT_ERROR_TAMPERED, msg);
  return FALSE;
}

/* Lowercase hex only, as the station writes it: one spelling per value, so no byte of a
 * bundle is free to change without verify noticing. */
static gboolean
get_hex(json_t *obj, const char *key, guint8 *out, gsize len)
{
  const char *hex = json_string_value(json_object_get(obj, key));
  if (!hex)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return pt_hex_decode(hex, out, len);
}

static const char *const root_members[] = {"format", "epcis", "proofs", "head", NULL};
static const char *const proof_members[] = {"eventID", "hash",     "signature", "prevHash",
                                            "hashId",  "redacted", NULL};

/* Refuses a member of @obj that is not in @known (NULL-terminated), naming it and @what. */
static gboolean
only_known(json_t *obj, const char *what, const char *const *known, GError **error)
{
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v)
  {
    gboolean ok = FALSE;
    for (const char *const *k = known; *k && !ok; k++)
      ok = strcmp(*k, key) == 0;
    if (!ok) {
      /* jansson gives valid UTF-8 keys; a long one is cut to what a reader needs. */
      g_autofree char *shown_key = g_utf8_substring(key, 0, MIN(g_utf8_strlen(key, -1), 64));
      return malformed(error, "unknown member \"%s\" in %s", shown_key, what);
    }
  }
  return TRUE;
}

/* What the parallel phase found about one event. */
typedef enum {
  CHECK_OK,
  CHECK_NOT_EVENT,
  CHECK_PROOF_DAMAGED,
  CHECK_HASH_MISMATCH,
  CHECK_BAD_SIGNATURE,
  CHECK_HASH_ID_MISMATCH,
  CHECK_RETIRED_KEY, /* signed by a key of the chain, not the one in force at its time */
} EventCheck;

typedef struct {
  json_t **shown; /* per proof: its event, or NULL for a redacted one */
  json_t *proofs;
  const PtKeyChain *chain;
  guint *key_index; /* out: the index in @chain of the key that signed each event */
  guint8 (*hashes)[PT_HASH_LEN];
  char **hash_ids; /* out: each event's Event Hash ID */
  EventCheck *checks;
  gsize from, to;
} VerifyChunk;

/* A redacted event: only its proof is there.  Its hash is the proof's, which the signature
 * covers; the next event's signed link and the head's last hash tie it into the chain. */
static EventCheck
check_redacted(VerifyChunk *c, gsize i, json_t *proof, const guint8 *claimed, const guint8 *sig)
{
  const char *id = json_string_value(json_object_get(proof, "hashId"));
  if (!id || !pt_event_hash_id_is_valid(id))
    return CHECK_PROOF_DAMAGED;
  memcpy(c->hashes[i], claimed, PT_HASH_LEN);
  /* No signature covers a redacted event's claimed ID: it is not handed back as found. */
  c->hash_ids[i] = g_strdup("");
  /* Its time is inside the record it withholds: any key of the chain may have signed it, and
   * the order of keys along the batch (report_in_order()) places it. */
  for (guint k = 0; k < pt_key_chain_length(c->chain); k++)
    if (pt_keys_verify(pt_key_chain_key(c->chain, k), claimed, sig)) {
      c->key_index[i] = k;
      return CHECK_OK;
    }
  return CHECK_BAD_SIGNATURE;
}

/* The key in force at @event's recordTime; a signature by another key of the chain is a
 * retired (or not yet valid) key's, told apart from one that verifies with no key. */
static EventCheck
check_signature(VerifyChunk *c, gsize i, json_t *event, const guint8 *sig)
{
  guint k = 0;
  gint64 t = 0;
  if (pt_key_chain_length(c->chain) > 1) {
    const char *when = json_string_value(json_object_get(event, "recordTime"));
    if (!when || !pt_time_parse(when, &t, NULL))
      return CHECK_NOT_EVENT;
    k = pt_key_chain_index_at_time(c->chain, t);
  }
  c->key_index[i] = k;
  if (pt_keys_verify(pt_key_chain_key(c->chain, k), c->hashes[i], sig))
    return CHECK_OK;
  for (guint o = 0; o < pt_key_chain_length(c->chain); o++)
    if (o != k && pt_keys_verify(pt_key_chain_key(c->chain, o), c->hashes[i], sig))
      return CHECK_RETIRED_KEY;
  return CHECK_BAD_SIGNATURE;
}

/* Hashing and signature checks are independent per event and are most of
 * verify's time, so they run on every core; links are checked in order after. */
static gpointer
verify_chunk(gpointer data)
{
  VerifyChunk *c = data;
  for (gsize i = c->from; i < c->to; i++) {
    json_t *event = c->shown[i];
    json_t *proof = json_array_get(c->proofs, i);
    guint8 claimed[PT_HASH_LEN], sig[PT_SIG_LEN];
    g_autofree char *canon = NULL;
    gsize len = 0;
    if (event && (!json_is_object(event) || !(canon = pt_canon_dump(event, &len, NULL)))) {
      c->checks[i] = CHECK_NOT_EVENT;
      continue;
    }
    if (!get_hex(proof, "hash", claimed, PT_HASH_LEN) ||
        !get_hex(proof, "signature", sig, PT_SIG_LEN)) {
      c->checks[i] = CHECK_PROOF_DAMAGED;
      continue;
    }
    if (!event) {
      c->checks[i] = check_redacted(c, i, proof, claimed, sig);
      continue;
    }
    pt_sha256(c->hashes[i], canon, len);
    c->hash_ids[i] = pt_event_hash_id(event, NULL, NULL);
    /* Bundles made before proofs carried hashId have none; one that is there must match. */
    json_t *claimed_id = json_object_get(proof, "hashId");
    if (!c->hash_ids[i])
      c->checks[i] = CHECK_NOT_EVENT;
    else if (sodium_memcmp(c->hashes[i], claimed, PT_HASH_LEN) != 0)
      c->checks[i] = CHECK_HASH_MISMATCH;
    else if ((c->checks[i] = check_signature(c, i, event, sig)) != CHECK_OK)
      continue;
    else if (claimed_id && g_strcmp0(json_string_value(claimed_id), c->hash_ids[i]) != 0)
      c->checks[i] = CHECK_HASH_ID_MISMATCH;
    else
      c->checks[i] = CHECK_OK;
  }
  return NULL;
}

static void
check_in_parallel(json_t **shown, json_t *proofs, const PtKeyChain *chain, guint *key_index,
                  guint8 (*hashes)[PT_HASH_LEN], char **hash_ids, EventCheck *checks)
{
  gsize n = json_array_size(proofs);
  guint n_threads = CLAMP(g_get_num_processors(), 1, PT_VERIFY_THREADS_MAX);
  if (n < 256)
    n_threads = 1;
  VerifyChunk chunks[PT_VERIFY_THREADS_MAX];
  GThread *threads[PT_VERIFY_THREADS_MAX] = {NULL};
  for (guint t = 0; t < n_threads; t++) {
    chunks[t] = (VerifyChunk){.shown = shown,
                              .proofs = proofs,
                              .chain = chain,
                              .key_index = key_index,
                              .hashes = hashes,
                              .hash_ids = hash_ids,
                              .checks = checks,
                              .from = n * t / n_threads,
                              .to = n * (t + 1) / n_threads};
    if (t > 0)
      threads[t] = g_thread_new("verify", verify_chunk, &chunks[t]);
  }
  verify_chunk(&chunks[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join(threads[t]);
}

/* Pairs each proof with its event: a redacted proof has none, every other one takes the next
 * event of the list.  Fills @shown (one slot per proof). */
static gboolean
pair_proofs(json_t *events, json_t *proofs, json_t **shown, GError **error)
{
  gsize next = 0;
  for (gsize i = 0; i < json_array_size(proofs); i++) {
    json_t *proof = json_array_get(proofs, i);
    if (!json_is_object(proof))
      return malformed(error, "proof %zu is not an object", i + 1);
    if (!only_known(proof, "a proof", proof_members, error))
      return FALSE;
    json_t *redacted = json_object_get(proof, "redacted");
    if (redacted && !json_is_true(redacted))
      return malformed(error, "proof %zu: \"redacted\" is not true", i + 1);
    if (redacted)
      continue;
    if (next >= json_array_size(events))
      return tampered(error, "proof %zu has no event (events removed)", i + 1);
    shown[i] = json_array_get(events, next++);
  }
  if (next != json_array_size(events))
    return tampered(error, "the bundle has %zu events but %zu proofs for them (events added)",
                    json_array_size(events), next);
  return TRUE;
}

static gboolean report_in_order(json_t **shown, json_t *proofs, const guint8 (*hashes)[PT_HASH_LEN],
                                const EventCheck *checks, const guint *key_index, GError **error);

/* On success @hash_ids receives each event's Event Hash ID, in order. */
static gboolean
verify_events(json_t *events, json_t *proofs, const PtKeyChain *chain, guint8 last[PT_HASH_LEN],
              GPtrArray *hash_ids, GError **error)
{
  gsize n = json_array_size(proofs);
  g_autofree json_t **shown = g_new0(json_t *, n + 1);
  if (!pair_proofs(events, proofs, shown, error))
    return FALSE;
  guint8(*hashes)[PT_HASH_LEN] = g_malloc0_n(n + 1, PT_HASH_LEN);
  char **ids = g_new0(char *, n + 1);
  g_autofree EventCheck *checks = g_new0(EventCheck, n + 1);
  g_autofree guint *key_index = g_new0(guint, n + 1);
  check_in_parallel(shown, proofs, chain, key_index, hashes, ids, checks);
  gboolean ok = report_in_order(shown, proofs, (const guint8(*)[PT_HASH_LEN])hashes, checks,
                                key_index, error);
  if (ok && n)
    memcpy(last, hashes[n - 1], PT_HASH_LEN);
  for (gsize i = 0; i < n; i++)
    g_ptr_array_add(hash_ids, ids[i]);
  g_free(ids);
  g_free(hashes);
  return ok;
}

static gboolean
report_in_order(json_t **shown, json_t *proofs, const guint8 (*hashes)[PT_HASH_LEN],
                const EventCheck *checks, const guint *key_index, GError **error)
{
  gsize n_events = json_array_size(proofs);
  /* Report the first problem in event order, whatever thread found it. */
  for (gsize i = 0; i < n_events; i++) {
    json_t *event = shown[i];
    json_t *proof = json_array_get(proofs, i);
    gsize n = i + 1;
    const char *id = json_string_value(json_object_get(event ? event : proof, "eventID"));
    if (checks[i] == CHECK_NOT_EVENT || !id)
      return tampered(error, "event %zu: not an event with an eventID", n);
    if (checks[i] == CHECK_PROOF_DAMAGED)
      return tampered(error, "event %zu (%s): its proof is damaged", n, id);
    if (g_strcmp0(json_string_value(json_object_get(proof, "eventID")), id) != 0)
      return tampered(error, "event %zu (%s): proof is for another event (order changed?)", n, id);
    if (checks[i] == CHECK_HASH_MISMATCH)
      return tampered(error, "event %zu (%s): content does not match its hash (event altered)", n,
                      id);
    if (checks[i] == CHECK_BAD_SIGNATURE)
      return tampered(error, "event %zu (%s): signature does not verify", n, id);
    /* Keys follow each other along a batch as along the log: none signs after its successor. */
    if (checks[i] == CHECK_RETIRED_KEY || (i > 0 && key_index[i] < key_index[i - 1]))
      return tampered(error,
                      "event %zu (%s): signed by a key of the station that was not in force at "
                      "its time (a retired key signing after its rotation)",
                      n, id);
    if (checks[i] == CHECK_HASH_ID_MISMATCH)
      return tampered(error, "event %zu (%s): its proof's hashId is not the event's Event Hash ID",
                      n, id);
    /* A redacted event's own link is inside the record it withholds; the next event's
     * signed link to it and the head's last hash still place it. */
    const char *link = event ? json_string_value(json_object_get(event, PT_EXT_PREV_EVENT)) : NULL;
    guint8 linked[PT_HASH_LEN];
    if (event && (i > 0 ? !(link && pt_hex_decode(link, linked, PT_HASH_LEN) &&
                            sodium_memcmp(linked, hashes[i - 1], PT_HASH_LEN) == 0)
                        : link != NULL))
      return tampered(error,
                      "event %zu (%s): chain broken: the previous event is not the one it "
                      "names (an event was removed or the order changed)",
                      n, id);
    /* The proof's copy of the link must agree too: no byte of a bundle is unchecked. */
    if (i > 0 ? !(get_hex(proof, "prevHash", linked, PT_HASH_LEN) &&
                  sodium_memcmp(linked, hashes[i - 1], PT_HASH_LEN) == 0)
              : !json_is_null(json_object_get(proof, "prevHash")))
      return tampered(error, "event %zu (%s): proof names another previous event", n, id);
  }
  return TRUE;
}

gboolean
pt_bundle_verify(const char *data, gsize len, const guint8 *public_key, PtVerifyResult *result,
                 GError **error)
{
  memset(result, 0, sizeof *result);
  g_autoptr(GError) local = NULL;
  json_t *bundle = pt_json_parse(data, len, &local);
  if (!bundle)
    return malformed(error, "%s", local->message);
  gboolean ok = FALSE;
  json_t *doc = json_object_get(bundle, "epcis");
  json_t *proofs = json_object_get(bundle, "proofs");
  json_t *head = json_object_get(bundle, "head");
  json_t *events = doc ? pt_epcis_document_events(doc) : NULL;
  guint8 key[PT_PUB_LEN], sig[PT_SIG_LEN], digest[PT_HASH_LEN], last[PT_HASH_LEN] = {0};
  guint8 doc_hash[PT_HASH_LEN], claimed[PT_HASH_LEN];
  g_autofree char *derived_id = NULL;
  const char *station_id = NULL;
  g_autoptr(PtKeyChain) chain = NULL;
  g_autoptr(GError) chain_error = NULL;

  if (g_strcmp0(json_string_value(json_object_get(bundle, "format")), PT_BUNDLE_FORMAT) != 0) {
    malformed(error, "not a %s document", PT_BUNDLE_FORMAT);
    goto out;
  }
  if (!only_known(bundle, "the bundle", root_members, error))
    goto out;
  if (!json_is_object(doc) || !json_is_array(events) || !json_is_array(proofs) ||
      !json_is_object(head)) {
    malformed(error, "epcis, epcis.epcisBody.eventList, proofs or head is missing");
    goto out;
  }
  if (!get_hex(head, "publicKey", key, PT_PUB_LEN) ||
      !get_hex(head, "signature", sig, PT_SIG_LEN) ||
      !json_is_integer(json_object_get(head, "count"))) {
    malformed(error, "head lacks publicKey, signature or count (lowercase hex)");
    goto out;
  }
  /* The events' keys: the station's anchor, "publicKey", and the rotations the head names,
   * each signed by the key before it. */
  json_t *rotations = json_object_get(head, "keyChain");
  chain = rotations ? pt_key_chain_from_json(key, rotations, &chain_error) : pt_key_chain_new(key);
  if (!chain) {
    g_set_error(error, PT_ERROR, chain_error->code, "the head's key chain is refused: %s",
                chain_error->message);
    goto out;
  }
  if (public_key && sodium_memcmp(public_key, key, PT_PUB_LEN) != 0) {
    tampered(error, "bundle is signed by another key than the one given");
    goto out;
  }
  /* A hub's head (pt_bundle_writer_finish_attested()) is signed by the hub key it names; the
   * events are still checked against the station's. */
  guint8 signer[PT_PUB_LEN];
  memcpy(signer, pt_key_chain_key(chain, pt_key_chain_length(chain) - 1), PT_PUB_LEN);
  if (json_object_get(head, "hubKey") && !get_hex(head, "hubKey", signer, PT_PUB_LEN)) {
    malformed(error, "head's hubKey is not 64 lowercase hex digits");
    goto out;
  }
  if (!head_digest(head, digest, error))
    goto out;
  if (!pt_keys_verify(signer, digest, sig)) {
    tampered(error, "head signature does not verify (batch identity, count or hashes altered)");
    goto out;
  }
  /* The station id is a name for the key (pt-keys.h): one that is not the signing key's
   * would let a bundle claim another station. */
  derived_id = pt_keys_station_id(key);
  station_id = json_string_value(json_object_get(head, "stationId"));
  if (g_strcmp0(station_id, derived_id) != 0) {
    tampered(error, "the head's station id %s is not %s, the id of the key it names",
             station_id ? station_id : "(none)", derived_id);
    goto out;
  }
  json_int_t count = json_integer_value(json_object_get(head, "count"));
  if ((json_int_t)json_array_size(proofs) != count ||
      json_array_size(events) > json_array_size(proofs)) {
    tampered(error,
             "the signed head lists %" JSON_INTEGER_FORMAT " events but the bundle has %zu "
             "events and %zu proofs (events removed or added)",
             count, json_array_size(events), json_array_size(proofs));
    goto out;
  }
  result->hash_ids = g_ptr_array_new_with_free_func(g_free);
  if (!verify_events(events, proofs, chain, last, result->hash_ids, error))
    goto out;
  if (count > 0 && (!get_hex(head, "lastHash", claimed, PT_HASH_LEN) ||
                    sodium_memcmp(claimed, last, PT_HASH_LEN) != 0)) {
    tampered(error, "the last event is not the one the signed head names");
    goto out;
  }
  if (!hash_document_header(doc, doc_hash, error))
    goto out;
  if (!get_hex(head, "documentHash", claimed, PT_HASH_LEN) ||
      sodium_memcmp(claimed, doc_hash, PT_HASH_LEN) != 0) {
    tampered(error, "EPCIS document header does not match the signed head");
    goto out;
  }
  result->n_events = count;
  result->lot = g_strdup(json_string_value(json_object_get(head, "lot")));
  result->gtin = g_strdup(json_string_value(json_object_get(head, "gtin")));
  result->station_id = g_strdup(station_id);
  memcpy(result->public_key, key, PT_PUB_LEN);
  result->n_keys = pt_key_chain_length(chain);
  ok = TRUE;
out:
  if (!ok && result->hash_ids)
    g_clear_pointer(&result->hash_ids, g_ptr_array_unref);
  json_decref(bundle);
  return ok;
}

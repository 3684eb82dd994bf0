/* pt-bundle.c: a batch's EPCIS document, its signed trace bundle, their public and buyer
 * views (verify is pt-bundle-verify.c). */
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
  GString *proofs;  /* nullable: only a bundle carries proofs; canonical text, comma-separated */
  json_t *hash_ids; /* nullable, borrowed from @doc: a plain document lists the hash IDs */
  guint8 last_hash[PT_HASH_LEN];
  gint64 count;
  json_t *key_chain; /* nullable: the station's rotations, when it has made any */
  json_t *shown;     /* nullable: a view's record numbers (pt_bundle_writer_set_view()) */
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
  w->proofs = with_proofs ? g_string_new(NULL) : NULL;
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
pt_bundle_writer_set_view(PtBundleWriter *w)
{
  if (!w->shown)
    w->shown = json_array();
}

void
pt_bundle_writer_pass(PtBundleWriter *w, const PtEventRow *row)
{
  memcpy(w->last_hash, row->hash, PT_HASH_LEN);
  w->count++;
}

void
pt_bundle_writer_free(PtBundleWriter *w)
{
  if (!w)
    return;
  json_decref(w->doc);
  g_string_free(w->events, TRUE);
  if (w->proofs)
    g_string_free(w->proofs, TRUE);
  if (w->key_chain)
    json_decref(w->key_chain);
  if (w->shown)
    json_decref(w->shown);
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

/* TRUE when @row's record may hold a member that keeps it from @w's view.  A record none of
 * whose bytes spell a private member's key cannot hold one, and is shown without being parsed:
 * most records of a batch, and every record of the full view. */
static gboolean
may_be_withheld(const PtBundleWriter *w, const PtEventRow *row)
{
  if (w->view == PT_BUNDLE_FULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(private_members); i++) {
    g_autofree char *quoted = g_strdup_printf("\"%s\"", private_members[i]);
    if (g_strstr_len(row->body, (gssize)row->body_len, quoted))
      return TRUE;
  }
  return FALSE;
}

/* The proof of @row in canonical form (keys in order: eventID, hash, hashId, prevHash,
 * redacted, signature), appended to @out: written as text, since a jansson value per event
 * and its dump were a third of export's time. */
static void
append_proof(GString *out, const PtEventRow *row, const char *hash_id, gboolean in_clear)
{
  char hex[2 * PT_SIG_LEN + 1];
  if (out->len)
    g_string_append_c(out, ',');
  g_string_append(out, "{\"eventID\":");
  pt_canon_append_string(out, row->event_id, strlen(row->event_id));
  sodium_bin2hex(hex, sizeof hex, row->hash, PT_HASH_LEN);
  g_string_append_printf(out, ",\"hash\":\"%s\",\"hashId\":", hex);
  pt_canon_append_string(out, hash_id, strlen(hash_id));
  if (row->has_prev_batch) {
    sodium_bin2hex(hex, sizeof hex, row->prev_batch_hash, PT_HASH_LEN);
    g_string_append_printf(out, ",\"prevHash\":\"%s\"", hex);
  } else {
    g_string_append(out, ",\"prevHash\":null");
  }
  if (!in_clear)
    g_string_append(out, ",\"redacted\":true");
  sodium_bin2hex(hex, sizeof hex, row->signature, PT_SIG_LEN);
  g_string_append_printf(out, ",\"signature\":\"%s\"}", hex);
}

gboolean
pt_bundle_writer_add(PtBundleWriter *w, const PtEventRow *row, GError **error)
{
  /* The Event Hash ID is stored with the record (pt_trace_append() takes it from the record
   * as readers parse it); it is computed here only for a row that lacks it.  From the signed
   * body with the event's own @context, so the ID never depends on export time, nor on the
   * document's prefixes. */
  gboolean parse = !row->hash_id || may_be_withheld(w, row);
  json_t *event = parse ? pt_json_parse(row->body, row->body_len, error) : NULL;
  if (parse && !event)
    return FALSE;
  g_autofree char *computed = row->hash_id ? NULL : pt_event_hash_id(event, NULL, error);
  const char *hash_id = row->hash_id ? row->hash_id : computed;
  gboolean in_clear = !event || pt_bundle_event_shown(event, w->view, w->buyer_gln);
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
  if (w->proofs)
    append_proof(w->proofs, row, hash_id, in_clear);
  memcpy(w->last_hash, row->hash, PT_HASH_LEN);
  w->count++;
  if (w->shown)
    json_array_append_new(w->shown, json_integer(w->count));
  return TRUE;
}

/* Appends @text up to the quoted @mark's place and the list @items in its stead; the place
 * after the mark in @rest. */
static void
splice_list(GString *out, const char *text, const char *quoted_mark, const GString *items,
            const char **rest)
{
  const char *at = strstr(text, quoted_mark);
  g_assert(at);
  g_string_append_len(out, text, at - text);
  g_string_append_c(out, '[');
  g_string_append_len(out, items->str, (gssize)items->len);
  g_string_append_c(out, ']');
  *rest = at + strlen(quoted_mark);
}

/* Returns: (transfer full): the canonical text of @value, whose member "eventList" of
 * "epcisBody" of @doc (borrowed from @value) is @w's events spliced in verbatim and, with
 * @proofs, whose member "proofs" is @w's proofs. */
static char *
dump_with_events(PtBundleWriter *w, json_t *value, json_t *doc, gboolean proofs, gsize *len_out,
                 GError **error)
{
  /* A random mark cannot occur in recorded text by chance nor by design.  "epcis" sorts
   * before "proofs", so the events' mark comes first. */
  g_autofree char *uuid = g_uuid_string_random();
  g_autofree char *mark = g_strconcat("\x01pt-events-", uuid, "\x01", NULL);
  g_autofree char *quoted = g_strconcat("\"\\u0001pt-events-", uuid, "\\u0001\"", NULL);
  g_autofree char *proofs_mark = g_strconcat("\x01pt-proofs-", uuid, "\x01", NULL);
  g_autofree char *proofs_quoted = g_strconcat("\"\\u0001pt-proofs-", uuid, "\\u0001\"", NULL);
  json_t *body = json_object_get(doc, "epcisBody");
  json_object_set_new(body, "eventList", json_string(mark));
  if (proofs)
    json_object_set_new(value, "proofs", json_string(proofs_mark));
  gsize len = 0;
  g_autofree char *text = pt_canon_dump(value, &len, error);
  json_object_set_new(body, "eventList", json_array());
  if (!text)
    return NULL;
  GString *out = g_string_sized_new(len + w->events->len + (proofs ? w->proofs->len : 0) + 4);
  const char *rest = NULL;
  splice_list(out, text, quoted, w->events, &rest);
  if (proofs) {
    const char *after = NULL;
    splice_list(out, rest, proofs_quoted, w->proofs, &after);
    rest = after;
  }
  g_string_append_len(out, rest, (gssize)(text + len - rest));
  *len_out = out->len;
  return g_string_free(out, FALSE);
}

char *
pt_bundle_writer_epcis(PtBundleWriter *w, gsize *len_out, GError **error)
{
  return dump_with_events(w, w->doc, w->doc, FALSE, len_out, error);
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
gboolean
pt_bundle_document_hash(json_t *doc, guint8 hash[PT_HASH_LEN], GError **error)
{
  json_t *header = json_deep_copy(doc);
  json_object_del(json_object_get(header, "epcisBody"), "eventList");
  gboolean ok = hash_canonical(header, hash, error);
  json_decref(header);
  return ok;
}

/* The head is signed over SHA-256 of its canonical form without "signature". */
gboolean
pt_bundle_head_digest(json_t *head, guint8 digest[PT_HASH_LEN], GError **error)
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
  if (!pt_bundle_document_hash(doc, doc_hash, error))
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
  if (w->shown)
    json_object_set(head, "shown", w->shown);
  if (!pt_bundle_head_digest(head, digest, error)) {
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
  json_t *bundle =
      json_pack("{sssOso}", "format", w->shown ? PT_BUNDLE_VIEW_FORMAT : PT_BUNDLE_FORMAT, "epcis",
                w->doc, "head", head);
  char *text = dump_with_events(w, bundle, w->doc, TRUE, len_out, error);
  json_decref(bundle);
  return text;
}

/* pt-hub-ingest.c: authentication, enrolment and ingest of a station's events, heads and
 * evidence (see pt-hub-ingest.h and PROTOCOL.md). */
#include "pt-hub-ingest.h"
#include "pt-hub-store-profile.h"

#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-event-check.h"
#include "pt-hub-sign.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

PtHubStation *
pt_hub_authenticate_with(PtHubStore *store, const PtHubRequest *req, const guint8 *key,
                         GError **error)
{
  if (!pt_hub_station_id_is_valid(req->station)) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s header %s", PT_HUB_HEADER_STATION,
                req->station ? "is not a station id" : "is missing");
    return NULL;
  }
  g_autoptr(GError) local = NULL;
  g_autoptr(PtHubStation) st = pt_hub_store_station_get(store, req->station, FALSE, &local);
  if (!st) {
    if (g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
      g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "unknown station %s", req->station);
    else
      g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  if (st->revoked) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "station %s is revoked", st->id);
    return NULL;
  }
  /* The station signs with the last key of its chain at the hub (PROTOCOL.md, "Keys"). */
  if (!key)
    key = pt_key_chain_key(st->chain, pt_key_chain_length(st->chain) - 1);
  if (!pt_hub_check_request_rotated(st->public_key, key, req->station, req->date, req->signature,
                                    req->method, req->target, req->body, req->body_len, req->now_ns,
                                    PT_HUB_CLOCK_SKEW_S, error))
    return NULL;
  return g_steal_pointer(&st);
}

PtHubStation *
pt_hub_authenticate(PtHubStore *store, const PtHubRequest *req, GError **error)
{
  return pt_hub_authenticate_with(store, req, NULL, error);
}

json_t *
pt_hub_body_object(const char *body, gsize len, GError **error)
{
  if (len > PT_HUB_BODY_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "request body over %d bytes", PT_HUB_BODY_MAX);
    return NULL;
  }
  json_t *o = pt_json_parse(body ? body : "", len, error);
  if (o && !json_is_object(o)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "the body is not a JSON object");
    json_decref(o);
    return NULL;
  }
  return o;
}

/* No 0/O, 1/I/L: read aloud or typed from paper without doubt. */
static const char code_alphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

void
pt_hub_enrol_code_hash(const char *code, guint8 hash[PT_HASH_LEN])
{
  GString *norm = g_string_new(NULL);
  for (const char *p = code; *p; p++)
    if (*p != '-' && *p != ' ')
      g_string_append_c(norm, g_ascii_toupper(*p));
  crypto_hash_sha256(hash, (const guint8 *)norm->str, norm->len);
  g_string_free(norm, TRUE);
}

char *
pt_hub_enrol_code_new(void)
{
  GString *s = g_string_new(NULL);
  for (int i = 0; i < 20; i++) {
    if (i && i % 4 == 0)
      g_string_append_c(s, '-');
    g_string_append_c(s, code_alphabet[randombytes_uniform(sizeof code_alphabet - 1)]);
  }
  return g_string_free(s, FALSE);
}

json_t *
pt_hub_enrol(PtHubStore *store, const PtHubRequest *req, GError **error)
{
  json_t *o = pt_hub_body_object(req->body, req->body_len, error);
  if (!o)
    return NULL;
  const char *code = NULL, *key_hex = NULL, *name = NULL;
  const PtJsonField fields[] = {
      {"code", &code},
      {"public_key", &key_hex},
      {"name", &name},
  };
  json_t *answer = NULL;
  guint8 pk[PT_PUB_LEN];
  g_autofree char *id = NULL, *code_name = NULL;
  g_autoptr(PtHubStation) known = NULL;
  g_autoptr(GError) local = NULL;
  if (!pt_json_read_object(o, fields, G_N_ELEMENTS(fields), error))
    goto out;
  if (!code || !pt_hub_hex_decode(key_hex, pk, PT_PUB_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
                "enrolment needs \"code\" and \"public_key\" (64 lowercase hex digits)");
    goto out;
  }
  /* The key being enrolled signs the request: the station proves it holds the secret half. */
  if (!pt_hub_check_request(pk, req->station, req->date, req->signature, req->method, req->target,
                            req->body, req->body_len, req->now_ns, PT_HUB_CLOCK_SKEW_S, error))
    goto out;
  id = pt_keys_station_id(pk);
  known = pt_hub_store_station_get(store, id, FALSE, &local);
  if (!known && !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    g_propagate_error(error, g_steal_pointer(&local));
    goto out;
  }
  if (known && known->revoked) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "station %s is revoked", id);
    goto out;
  }
  if (known && memcmp(known->public_key, pk, PT_PUB_LEN) == 0) {
    /* A station that lost the first answer asks again. */
    answer =
        json_pack("{sssssbsb}", "station", id, "name", known->name, "enrolled", 1, "already", 1);
    goto out;
  }
  guint8 code_hash[PT_HASH_LEN];
  pt_hub_enrol_code_hash(code, code_hash);
  if (!pt_hub_store_begin(store, error))
    goto out;
  g_clear_error(&local);
  /* The station row first: enrol_codes.used_by refers to it. */
  gboolean ok = pt_hub_store_station_add(store, id, name && *name ? name : id, pk, error) &&
                (code_name = pt_hub_store_enrol_code_use(store, code_hash, id, &local)) != NULL;
  if (!ok && local) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s", local->message);
  }
  if (ok) {
    /* The code's name (the admin's) wins over the one the station suggests. */
    ok = pt_hub_store_station_rename(store, id, code_name, error);
  }
  if (!ok) {
    pt_hub_store_rollback(store);
    goto out;
  }
  if (!pt_hub_store_commit(store, error))
    goto out;
  answer = json_pack("{sssssb}", "station", id, "name", code_name, "enrolled", 1);
out:
  json_decref(o);
  return answer;
}

/* Events --------------------------------------------------------------------------------- */

typedef enum {
  ITEM_PENDING,
  ITEM_ACCEPTED,
  ITEM_DUPLICATE,
  ITEM_QUARANTINED,
} ItemStatus;

typedef struct {
  json_t *received; /* borrowed from the request */
  PtHubEvent *ev;   /* owned until handed to the accepted list */
  ItemStatus status;
  char *reason;
  char hash[PT_HASH_LEN * 2 + 1];
  char prev_batch[PT_HASH_LEN * 2 + 1]; /* "" when none */
  char prev_station[PT_HASH_LEN * 2 + 1];
} Item;

static void
item_clear(Item *item)
{
  pt_hub_event_free(item->ev);
  g_free(item->reason);
}

static void
quarantine(Item *item, char *reason)
{
  item->status = ITEM_QUARANTINED;
  g_free(item->reason);
  item->reason = reason;
}

static char *
dup_member(const json_t *o, const char *key)
{
  return g_strdup(json_string_value(json_object_get(o, key)));
}

static char *
time_member(const json_t *o, const char *key, gint64 *ns_out)
{
  const char *text = json_string_value(json_object_get(o, key));
  return text && pt_time_parse(text, ns_out, NULL) ? pt_time_format(*ns_out) : NULL;
}

/* The record's columns, from the signed record only: the sender's claims are compared, never
 * stored. */
static void
read_record(Item *item, const json_t *event, const char *claimed_lot, const char *claimed_gtin)
{
  PtHubEvent *ev = item->ev;
  ev->event_time = time_member(event, "eventTime", &ev->event_time_ns);
  ev->record_time = time_member(event, "recordTime", &ev->record_time_ns);
  if (!ev->event_time || !ev->record_time) {
    quarantine(item, g_strdup("the record has no valid eventTime or recordTime"));
    return;
  }
  ev->event_type = dup_member(event, "type");
  ev->biz_step = dup_member(event, "bizStep");
  if (!ev->event_type) {
    quarantine(item, g_strdup("the record has no type"));
    return;
  }
  ev->action = dup_member(event, "action");
  ev->disposition = dup_member(event, "disposition");
  ev->biz_location = dup_member(json_object_get(event, "bizLocation"), "id");
  ev->read_point = dup_member(json_object_get(event, "readPoint"), "id");
  /* Every class the event names, so MATCH_epcClass finds a lot's aggregations and
   * transformations too; the quantity is an ObjectEvent's. */
  static const char *const lists[] = {"quantityList", "childQuantityList", "inputQuantityList",
                                      "outputQuantityList"};
  GString *classes = g_string_new(NULL);
  for (gsize l = 0; l < G_N_ELEMENTS(lists); l++) {
    size_t i;
    json_t *qe;
    json_array_foreach(json_object_get(event, lists[l]), i, qe)
    {
      const char *cls = json_string_value(json_object_get(qe, "epcClass"));
      if (cls && !strchr(cls, '\n'))
        g_string_append_printf(classes, "%s%s", classes->len ? "\n" : "", cls);
      if (l == 0 && i == 0 && json_is_number(json_object_get(qe, "quantity")))
        ev->quantity = json_number_value(json_object_get(qe, "quantity"));
    }
  }
  ev->epc_classes = g_string_free(classes, FALSE);
  pt_hub_event_batch(event, &ev->gtin, &ev->lot);
  if ((claimed_lot && g_strcmp0(claimed_lot, ev->lot) != 0) ||
      (claimed_gtin && g_strcmp0(claimed_gtin, ev->gtin) != 0)) {
    quarantine(item, g_strdup("the lot or GTIN given is not the signed record's"));
    return;
  }
  if (g_strcmp0(ev->biz_step, "commissioning") == 0) {
    ev->product = dup_member(event, "pt:product");
    ev->variety = dup_member(event, "pt:variety");
    ev->grower = dup_member(event, "pt:grower");
  }
  if (g_strcmp0(ev->biz_step, "holding") == 0)
    ev->status_action = dup_member(event, "pt:action");
  ev->evidence = pt_hub_event_evidence(event);
}

/* What the station's key chain says of @row, which was signed with the key at its seq, as
 * audit checks it: its time under the same key, the event a rotation names at its seq. */
static void
check_key(const PtEventRow *row, const PtKeyChain *chain, guint index, GPtrArray *failures)
{
  if (!pt_keys_verify(pt_key_chain_key(chain, index), row->hash, row->signature))
    for (guint k = 0; k < index; k++)
      if (pt_keys_verify(pt_key_chain_key(chain, k), row->hash, row->signature)) {
        gint64 after = 0;
        pt_key_chain_after(chain, k + 1, &after);
        g_ptr_array_add(
            failures,
            g_strdup_printf("signed by a retired key (key %u, rotated after seq %" G_GINT64_FORMAT
                            ")",
                            k, after));
        break;
      }
  if (pt_key_chain_index_at_time(chain, row->record_time_ns) != index)
    g_ptr_array_add(
        failures, g_strdup("its record time puts it under another key than its place in the log"));
  for (guint i = 1; i < pt_key_chain_length(chain); i++) {
    gint64 after_seq = 0;
    const guint8 *after = pt_key_chain_after(chain, i, &after_seq);
    if (after_seq == row->seq && sodium_memcmp(after, row->hash, PT_HASH_LEN) != 0)
      g_ptr_array_add(failures,
                      g_strdup_printf("key rotation %u names another event at this seq", i));
  }
}

/* Reads and checks one event against its own record and the key @chain has in force at its
 * seq; no database. */
static gboolean
prepare(Item *item, json_t *received, guint index, const PtKeyChain *chain, GError **error)
{
  item->received = received;
  item->ev = g_new0(PtHubEvent, 1);
  g_autofree char *lot = NULL, *gtin = NULL;
  g_autoptr(GError) local = NULL;
  if (!pt_hub_wire_read_event(received, &item->ev->row, &lot, &gtin, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "events[%u]: %s", index, local->message);
    return FALSE;
  }
  PtEventRow *row = &item->ev->row;
  sodium_bin2hex(item->hash, sizeof item->hash, row->hash, PT_HASH_LEN);
  if (row->has_prev_batch)
    sodium_bin2hex(item->prev_batch, sizeof item->prev_batch, row->prev_batch_hash, PT_HASH_LEN);
  if (row->has_prev_station)
    sodium_bin2hex(item->prev_station, sizeof item->prev_station, row->prev_station_hash,
                   PT_HASH_LEN);
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
  guint key = pt_key_chain_index_for_seq(chain, row->seq);
  json_t *event = pt_event_check(row, pt_key_chain_key(chain, key), TRUE, failures);
  if (pt_key_chain_length(chain) > 1)
    check_key(row, chain, key, failures);
  if (failures->len > 0) {
    g_ptr_array_add(failures, NULL);
    quarantine(item, g_strjoinv("; ", (char **)failures->pdata));
  } else {
    read_record(item, event, lot, gtin);
  }
  json_decref(event);
  return TRUE;
}

/* What a request's events are checked against: the held events they can meet, and those
 * accepted so far in this request. */
typedef struct {
  const char *station;
  GPtrArray *keys;             /* (element-type PtHubKey) owns every key below */
  GHashTable *by_hash;         /* hex -> PtHubKey */
  GHashTable *by_event_id;     /* event_id -> PtHubKey */
  GHashTable *by_seq;          /* &seq -> PtHubKey, this station's */
  GHashTable *by_prev_batch;   /* hex -> PtHubKey that follows it */
  GHashTable *by_prev_station; /* hex -> PtHubKey that follows it */
  GHashTable *batch_ids;       /* "gtin\nlot" -> gint64 id */
} Held;

static void
held_add(Held *held, PtHubKey *key)
{
  g_ptr_array_add(held->keys, key);
  g_hash_table_replace(held->by_hash, pt_hex_encode(key->hash, PT_HASH_LEN), key);
  g_hash_table_replace(held->by_event_id, g_strdup(key->event_id), key);
  if (strcmp(key->station_id, held->station) == 0)
    g_hash_table_replace(held->by_seq, &key->seq, key);
  if (key->has_prev_batch)
    g_hash_table_replace(held->by_prev_batch, pt_hex_encode(key->prev_batch_hash, PT_HASH_LEN),
                         key);
  if (key->has_prev_station)
    g_hash_table_replace(held->by_prev_station, pt_hex_encode(key->prev_station_hash, PT_HASH_LEN),
                         key);
}

static void
held_clear(Held *held)
{
  g_hash_table_unref(held->by_hash);
  g_hash_table_unref(held->by_event_id);
  g_hash_table_unref(held->by_seq);
  g_hash_table_unref(held->by_prev_batch);
  g_hash_table_unref(held->by_prev_station);
  g_hash_table_unref(held->batch_ids);
  g_ptr_array_unref(held->keys);
}

static gboolean
held_load(PtHubStore *store, Held *held, Item *items, guint n, GError **error)
{
  held->keys = g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_key_free);
  held->by_hash = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  held->by_event_id = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  held->by_seq = g_hash_table_new(g_int64_hash, g_int64_equal);
  held->by_prev_batch = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  held->by_prev_station = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  held->batch_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GPtrArray) hashes = g_ptr_array_new();
  g_autoptr(GPtrArray) ids = g_ptr_array_new();
  for (guint i = 0; i < n; i++) {
    if (items[i].status != ITEM_PENDING)
      continue;
    const PtEventRow *row = &items[i].ev->row;
    gint64 around[] = {row->seq - 1, row->seq, row->seq + 1};
    g_array_append_vals(seqs, around, G_N_ELEMENTS(around));
    g_ptr_array_add(hashes, items[i].hash);
    if (*items[i].prev_batch)
      g_ptr_array_add(hashes, items[i].prev_batch);
    if (*items[i].prev_station)
      g_ptr_array_add(hashes, items[i].prev_station);
    g_ptr_array_add(ids, row->event_id);
  }
  g_autoptr(GPtrArray) keys = pt_hub_store_keys_find(store, held->station, (gint64 *)seqs->data,
                                                     seqs->len, hashes, ids, error);
  if (!keys)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    held_add(held, g_steal_pointer(&keys->pdata[i]));
  g_ptr_array_set_free_func(keys, NULL);
  return TRUE;
}

static gint64
batch_id(PtHubStore *store, Held *held, const PtHubEvent *ev, GError **error)
{
  if (!ev->gtin || !ev->lot)
    return 0;
  g_autofree char *key = g_strconcat(ev->gtin, "\n", ev->lot, NULL);
  gint64 *id = g_hash_table_lookup(held->batch_ids, key);
  if (id && !ev->product && !ev->grower && !ev->variety)
    return *id;
  gint64 got =
      pt_hub_store_batch_id(store, ev->gtin, ev->lot, ev->product, ev->variety, ev->grower, error);
  if (got > 0)
    g_hash_table_replace(held->batch_ids, g_steal_pointer(&key), g_memdup2(&got, sizeof got));
  return got;
}

/* Identity, then the station chain, then the batch chain, against @held.  Sets the item's
 * status; FALSE only on a database error. */
static gboolean
check_against_held(PtHubStore *store, Held *held, Item *item, GError **error)
{
  PtHubEvent *ev = item->ev;
  const PtEventRow *row = &ev->row;
  const PtHubKey *same = g_hash_table_lookup(held->by_hash, item->hash);
  if (same) {
    if (strcmp(same->station_id, held->station) == 0 && same->seq == row->seq &&
        strcmp(same->event_id, row->event_id) == 0)
      item->status = ITEM_DUPLICATE;
    else
      quarantine(item, g_strdup_printf(
                           "replayed/altered: this record is held already as seq %" G_GINT64_FORMAT
                           " of station %s",
                           same->seq, same->station_id));
    return TRUE;
  }
  const PtHubKey *by_id = g_hash_table_lookup(held->by_event_id, row->event_id);
  if (by_id) {
    quarantine(item, g_strdup_printf("replayed/altered: event %s is held already with another "
                                     "hash (seq %" G_GINT64_FORMAT ")",
                                     row->event_id, by_id->seq));
    return TRUE;
  }
  if (g_hash_table_lookup(held->by_seq, &row->seq)) {
    quarantine(item, g_strdup_printf("replayed/altered: seq %" G_GINT64_FORMAT
                                     " is held already with another hash",
                                     row->seq));
    return TRUE;
  }

  /* Station chain. */
  if ((row->seq == 1) == row->has_prev_station) {
    quarantine(item, g_strdup(row->seq == 1 ? "station chain broken: seq 1 names a predecessor"
                                            : "station chain broken: no predecessor named"));
    return TRUE;
  }
  gint64 prev_seq = row->seq - 1;
  const PtHubKey *before = g_hash_table_lookup(held->by_seq, &prev_seq);
  if (before && sodium_memcmp(before->hash, row->prev_station_hash, PT_HASH_LEN) != 0) {
    quarantine(item, g_strdup_printf("station chain broken: the held event at seq %" G_GINT64_FORMAT
                                     " is not the one this event names (reordered or forged)",
                                     prev_seq));
    return TRUE;
  }
  const PtHubKey *named =
      *item->prev_station ? g_hash_table_lookup(held->by_hash, item->prev_station) : NULL;
  if (named && (strcmp(named->station_id, held->station) != 0 || named->seq != prev_seq)) {
    quarantine(item,
               g_strdup_printf("station chain broken: the event named as predecessor is "
                               "seq %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT " (reordered)",
                               named->seq, prev_seq));
    return TRUE;
  }
  if (*item->prev_station && g_hash_table_lookup(held->by_prev_station, item->prev_station)) {
    quarantine(item, g_strdup("station chain forks: another held event follows the same "
                              "predecessor"));
    return TRUE;
  }
  gint64 next_seq = row->seq + 1;
  const PtHubKey *after = g_hash_table_lookup(held->by_seq, &next_seq);
  if (after && (!after->has_prev_station ||
                sodium_memcmp(after->prev_station_hash, row->hash, PT_HASH_LEN) != 0)) {
    quarantine(item, g_strdup_printf("station chain broken: the held event at seq %" G_GINT64_FORMAT
                                     " does not follow this one",
                                     next_seq));
    return TRUE;
  }

  /* Batch chain. */
  g_autoptr(GError) local = NULL;
  ev->batch_id = batch_id(store, held, ev, &local);
  if (local) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  if (*item->prev_batch) {
    const PtHubKey *prev = g_hash_table_lookup(held->by_hash, item->prev_batch);
    if (prev && (strcmp(prev->station_id, held->station) != 0 || prev->seq >= row->seq ||
                 prev->batch_id != ev->batch_id)) {
      quarantine(item, g_strdup("batch chain broken: the event named as the batch's previous "
                                "is not an earlier event of this batch at this station"));
      return TRUE;
    }
    if (g_hash_table_lookup(held->by_prev_batch, item->prev_batch)) {
      quarantine(item, g_strdup("batch chain forks: another held event follows the same "
                                "previous event of the batch"));
      return TRUE;
    }
  }

  item->status = ITEM_ACCEPTED;
  PtHubKey *key = g_new0(PtHubKey, 1);
  key->station_id = g_strdup(held->station);
  key->seq = row->seq;
  memcpy(key->hash, row->hash, PT_HASH_LEN);
  key->event_id = g_strdup(row->event_id);
  key->batch_id = ev->batch_id;
  key->has_prev_batch = row->has_prev_batch;
  memcpy(key->prev_batch_hash, row->prev_batch_hash, PT_HASH_LEN);
  key->has_prev_station = row->has_prev_station;
  memcpy(key->prev_station_hash, row->prev_station_hash, PT_HASH_LEN);
  held_add(held, key);
  return TRUE;
}

static const char *const status_names[] = {"pending", "accepted", "duplicate", "quarantined"};

/* In the transaction: lock the station, check against what is held, store. */
static gboolean
store_items(PtHubStore *store, const PtHubStation *station, Item *items, guint n,
            GPtrArray *wanted_refs, GError **error)
{
  g_autoptr(PtHubStation) locked = pt_hub_store_station_get(store, station->id, TRUE, error);
  if (!locked)
    return FALSE;
  if (locked->revoked) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "station %s is revoked", station->id);
    return FALSE;
  }
  Held held = {.station = station->id};
  gboolean ok = held_load(store, &held, items, n, error);
  g_autoptr(GPtrArray) accepted = g_ptr_array_new();
  for (guint i = 0; ok && i < n; i++) {
    if (items[i].status == ITEM_PENDING)
      ok = check_against_held(store, &held, &items[i], error);
    if (ok && items[i].status == ITEM_ACCEPTED)
      g_ptr_array_add(accepted, items[i].ev);
    if (items[i].status == ITEM_ACCEPTED || items[i].status == ITEM_DUPLICATE)
      for (guint r = 0; items[i].ev->evidence && r < items[i].ev->evidence->len; r++)
        g_ptr_array_add(wanted_refs, items[i].ev->evidence->pdata[r]);
  }
  /* This station's seqs known held once the accepted are stored: the contiguous prefix
   * passes them without a probe each. */
  g_autoptr(GArray) held_seqs = g_array_new(FALSE, FALSE, sizeof(gint64));
  GHashTableIter iter;
  gpointer seq;
  g_hash_table_iter_init(&iter, held.by_seq);
  while (g_hash_table_iter_next(&iter, &seq, NULL))
    g_array_append_val(held_seqs, *(gint64 *)seq);
  held_clear(&held);
  ok = ok && pt_hub_store_events_insert(store, station->id, accepted, (gint64 *)held_seqs->data,
                                        held_seqs->len, error);
  for (guint i = 0; ok && i < n; i++) {
    if (items[i].status != ITEM_QUARANTINED)
      continue;
    g_autofree char *received = json_dumps(items[i].received, JSON_COMPACT);
    ok = pt_hub_store_quarantine_add(store, station->id, items[i].ev->row.seq,
                                     items[i].ev->row.event_id, received ? received : "?",
                                     items[i].reason, error);
  }
  return ok && pt_hub_store_station_heard(store, station->id, error);
}

json_t *
pt_hub_ingest_events(PtHubStore *store, const PtHubStation *station, const char *body, gsize len,
                     GError **error)
{
  json_t *o = pt_hub_body_object(body, len, error);
  if (!o)
    return NULL;
  json_t *events = json_object_get(o, "events");
  json_t *answer = NULL;
  Item *items = NULL;
  guint n = 0;
  g_autoptr(GPtrArray) times = g_ptr_array_new();
  g_autoptr(GPtrArray) refs = g_ptr_array_new();
  g_autoptr(GPtrArray) wanted = NULL;
  if (!json_is_array(events) || json_object_size(o) != 1) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "the body must be {\"events\": [...]}");
    goto out;
  }
  if (json_array_size(events) > PT_HUB_EVENTS_PER_REQUEST_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "%zu events; at most %d per request",
                json_array_size(events), PT_HUB_EVENTS_PER_REQUEST_MAX);
    goto out;
  }
  n = json_array_size(events);
  items = g_new0(Item, n);
  for (guint i = 0; i < n; i++)
    if (!prepare(&items[i], json_array_get(events, i), i, station->chain, error))
      goto out;

  /* Partitions are made outside the transaction (making one locks the parent table). */
  for (guint i = 0; i < n; i++)
    if (items[i].status == ITEM_PENDING)
      g_ptr_array_add(times, items[i].ev->event_time);
  if (!pt_hub_store_partitions_ensure(store, times, error) || !pt_hub_store_begin(store, error))
    goto out;
  if (!store_items(store, station, items, n, refs, error)) {
    pt_hub_store_rollback(store);
    goto out;
  }
  wanted = pt_hub_store_evidence_missing(store, refs, error);
  if (!wanted) {
    pt_hub_store_rollback(store);
    goto out;
  }
  if (!pt_hub_store_commit(store, error))
    goto out;

  json_t *results = json_array();
  for (guint i = 0; i < n; i++) {
    json_t *r = json_pack("{sIssss}", "seq", (json_int_t)items[i].ev->row.seq, "event_id",
                          items[i].ev->row.event_id, "status", status_names[items[i].status]);
    if (items[i].reason)
      json_object_set_new(r, "reason", json_string(items[i].reason));
    json_array_append_new(results, r);
  }
  json_t *want = json_array();
  for (guint i = 0; i < wanted->len; i++)
    json_array_append_new(want, json_string(wanted->pdata[i]));
  answer = json_pack("{soso}", "results", results, "evidence_wanted", want);
out:
  for (guint i = 0; i < n; i++) {
    /* An accepted event's PtHubEvent is still the item's: the store copied what it needed. */
    item_clear(&items[i]);
  }
  g_free(items);
  json_decref(o);
  return answer;
}

/* Heads ----------------------------------------------------------------------------------- */

json_t *
pt_hub_ingest_head(PtHubStore *store, const PtHubStation *station, const char *body, gsize len,
                   GError **error)
{
  json_t *o = pt_hub_body_object(body, len, error);
  if (!o)
    return NULL;
  json_t *answer = NULL;
  json_t *seq = json_object_get(o, "seq");
  const char *hex = json_string_value(json_object_get(o, "hash"));
  guint8 hash[PT_HASH_LEN];
  g_autoptr(PtHubStation) locked = NULL;
  g_autofree char *alert = NULL;
  if (json_object_size(o) != 2 || !json_is_integer(seq) || json_integer_value(seq) < 1 ||
      !pt_hub_hex_decode(hex, hash, PT_HASH_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
                "the body must be {\"seq\": N >= 1, \"hash\": \"<64 lowercase hex>\"}");
    goto out;
  }
  if (!pt_hub_store_begin(store, error))
    goto out;
  locked = pt_hub_store_station_get(store, station->id, TRUE, error);
  if (!locked ||
      !pt_hub_store_head_record(store, station->id, json_integer_value(seq), hash, &alert, error)) {
    pt_hub_store_rollback(store);
    goto out;
  }
  if (!pt_hub_store_commit(store, error))
    goto out;
  answer = json_pack("{sb}", "accepted", alert == NULL);
  if (alert)
    json_object_set_new(answer, "alert", json_string(alert));
out:
  json_decref(o);
  return answer;
}

/* Evidence -------------------------------------------------------------------------------- */

json_t *
pt_hub_ingest_evidence(PtHubStore *store, const PtHubStation *station, const char *sha256,
                       const char *media_type, const void *data, gsize len, gboolean *stored_out,
                       GError **error)
{
  *stored_out = FALSE;
  if (!pt_hub_is_hex(sha256, PT_HASH_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
                "evidence is named by its SHA-256 (64 lowercase hex digits)");
    return NULL;
  }
  if (len > PT_HUB_EVIDENCE_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "evidence over %d bytes", PT_HUB_EVIDENCE_MAX);
    return NULL;
  }
  guint8 got[PT_HASH_LEN];
  crypto_hash_sha256(got, data ? data : (const void *)"", len);
  g_autofree char *got_hex = pt_hex_encode(got, PT_HASH_LEN);
  if (strcmp(got_hex, sha256) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "bytes hash to %s, not to %s", got_hex, sha256);
    return NULL;
  }
  gboolean referenced = FALSE;
  if (!pt_hub_store_evidence_referenced(store, station->id, sha256, &referenced, error))
    return NULL;
  if (!referenced) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "no event of this station references %s",
                sha256);
    return NULL;
  }
  if (!pt_hub_store_evidence_put(store, sha256, station->id,
                                 media_type && *media_type ? media_type
                                                           : "application/octet-stream",
                                 data, len, stored_out, error))
    return NULL;
  json_t *answer = json_pack("{sssb}", "sha256", sha256, "stored", 1);
  if (!*stored_out)
    json_object_set_new(answer, "already", json_true());
  return answer;
}

/* Status ---------------------------------------------------------------------------------- */

json_t *
pt_hub_station_json(PtHubStore *store, const PtHubStation *station, GError **error)
{
  g_autoptr(PtHubStation) st = pt_hub_store_station_status(store, station->id, error);
  if (!st)
    return NULL;
  g_autoptr(GArray) gaps = pt_hub_store_station_gaps(store, station->id, PT_HUB_GAPS_MAX, error);
  if (!gaps)
    return NULL;
  json_t *gap_list = json_array();
  for (guint i = 0; i + 1 < gaps->len; i += 2)
    json_array_append_new(gap_list, json_pack("[II]", (json_int_t)g_array_index(gaps, gint64, i),
                                              (json_int_t)g_array_index(gaps, gint64, i + 1)));
  json_t *head = st->head_seq > 0
                     ? json_pack("{sIss}", "seq", (json_int_t)st->head_seq, "hash", st->head_hash)
                     : json_null();
  /* The profile's hash: the station sends its profile only when this is not its own's. */
  g_autofree char *profile = NULL, *profile_sha = NULL;
  if (!pt_hub_store_profile_get(store, station->id, FALSE, &profile, &profile_sha, error))
    return NULL;
  json_t *out = json_pack(
      "{sssssIsIsIsosososIsIsI}", "station", st->id, "name", st->name, "events",
      (json_int_t)st->n_events, "contiguous_seq", (json_int_t)st->contiguous_seq, "last_seq",
      (json_int_t)st->last_seq, "head", head, "gaps", gap_list, "last_heard",
      pt_json_string_or_null(st->last_heard), "quarantined", (json_int_t)st->n_quarantined,
      "alerts", (json_int_t)st->n_alerts, "keys", (json_int_t)pt_key_chain_length(station->chain));
  json_object_set_new(out, "profile_sha256", pt_json_string_or_null(profile_sha));
  return out;
}

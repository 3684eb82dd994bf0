/* pt-key-chain.c: a station's chain of signing keys and its rotation records (see
 * pt-key-chain.h).  Records come from the station's own store or from a bundle off the
 * internet, so each member is checked for type and spelling before use. */
#include "pt-key-chain.h"

#include "pt-canon.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

typedef struct {
  guint8 key[PT_PUB_LEN];
  gint64 from_ns;   /* 0 for the anchor */
  gint64 after_seq; /* the last seq the previous key signed; 0 for the anchor */
  gboolean has_after_hash;
  guint8 after_hash[PT_HASH_LEN];
  PtKeyRotationRow row; /* empty for the anchor */
} Link;

struct _PtKeyChain {
  GArray *links; /* (element-type Link), the anchor first */
};

PtKeyChain *
pt_key_chain_new(const guint8 anchor[PT_PUB_LEN])
{
  PtKeyChain *chain = g_new0(PtKeyChain, 1);
  chain->links = g_array_new(FALSE, TRUE, sizeof(Link));
  Link first = {0};
  memcpy(first.key, anchor, PT_PUB_LEN);
  g_array_append_val(chain->links, first);
  return chain;
}

void
pt_key_chain_free(PtKeyChain *chain)
{
  if (!chain)
    return;
  for (guint i = 0; i < chain->links->len; i++)
    pt_key_rotation_row_clear(&g_array_index(chain->links, Link, i).row);
  g_array_unref(chain->links);
  g_free(chain);
}

static const Link *
link_at(const PtKeyChain *chain, guint index)
{
  g_return_val_if_fail(index < chain->links->len, NULL);
  return &g_array_index(chain->links, Link, index);
}

guint
pt_key_chain_length(const PtKeyChain *chain)
{
  return chain->links->len;
}

const guint8 *
pt_key_chain_key(const PtKeyChain *chain, guint index)
{
  return link_at(chain, index)->key;
}

gint64
pt_key_chain_from_ns(const PtKeyChain *chain, guint index)
{
  return link_at(chain, index)->from_ns;
}

const guint8 *
pt_key_chain_after(const PtKeyChain *chain, guint index, gint64 *after_seq)
{
  const Link *l = link_at(chain, index);
  *after_seq = l->after_seq;
  return l->has_after_hash ? l->after_hash : NULL;
}

guint
pt_key_chain_index_at_time(const PtKeyChain *chain, gint64 record_time_ns)
{
  guint index = 0;
  for (guint i = 1; i < chain->links->len; i++)
    if (record_time_ns >= link_at(chain, i)->from_ns)
      index = i;
  return index;
}

guint
pt_key_chain_index_for_seq(const PtKeyChain *chain, gint64 seq)
{
  guint index = 0;
  for (guint i = 1; i < chain->links->len; i++)
    if (seq > link_at(chain, i)->after_seq)
      index = i;
  return index;
}

int
pt_key_chain_find(const PtKeyChain *chain, const guint8 key[PT_PUB_LEN])
{
  for (guint i = 0; i < chain->links->len; i++)
    if (sodium_memcmp(link_at(chain, i)->key, key, PT_PUB_LEN) == 0)
      return (int)i;
  return -1;
}

static gboolean G_GNUC_PRINTF(3, 4) refuse(GError **error, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, PT_ERROR, code, msg);
  return FALSE;
}

/* Lowercase hex of exactly @len bytes, the one spelling the station writes. */
static gboolean
read_hex(const json_t *obj, const char *key, guint8 *out, gsize len)
{
  const char *hex = json_string_value(json_object_get(obj, key));
  if (!hex)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return pt_hex_decode(hex, out, len);
}

static const char *const record_members[] = {
    "format", "stationId", "previousKey", "newKey", "from", "afterSeq", "afterHash", NULL,
};

/* Reads @record into @l; the record's previous key into @previous and station id checked
 * against @station_id. */
static gboolean
read_record(const json_t *record, const char *station_id, Link *l, guint8 previous[PT_PUB_LEN],
            GError **error)
{
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)record, key, v)
  {
    gboolean known = FALSE;
    for (const char *const *k = record_members; *k && !known; k++)
      known = strcmp(*k, key) == 0;
    if (!known)
      return refuse(error, PT_ERROR_MALFORMED, "key rotation: unknown member \"%.64s\"", key);
  }
  if (g_strcmp0(json_string_value(json_object_get(record, "format")), PT_KEY_ROTATION_FORMAT))
    return refuse(error, PT_ERROR_MALFORMED, "key rotation: not a %s record",
                  PT_KEY_ROTATION_FORMAT);
  json_t *after_seq = json_object_get(record, "afterSeq");
  json_t *after_hash = json_object_get(record, "afterHash");
  const char *from = json_string_value(json_object_get(record, "from"));
  if (!read_hex(record, "previousKey", previous, PT_PUB_LEN) ||
      !read_hex(record, "newKey", l->key, PT_PUB_LEN) || !from ||
      !pt_time_parse(from, &l->from_ns, NULL) || !json_is_integer(after_seq) ||
      json_integer_value(after_seq) < 0 ||
      !(json_is_null(after_hash) || json_is_string(after_hash)))
    return refuse(error, PT_ERROR_MALFORMED,
                  "key rotation: previousKey, newKey (lowercase hex), from (a time), afterSeq or "
                  "afterHash missing or mistyped");
  l->after_seq = json_integer_value(after_seq);
  l->has_after_hash = json_is_string(after_hash);
  if (l->has_after_hash && !read_hex(record, "afterHash", l->after_hash, PT_HASH_LEN))
    return refuse(error, PT_ERROR_MALFORMED, "key rotation: afterHash is not a lowercase hex hash");
  if (l->has_after_hash != (l->after_seq > 0))
    return refuse(error, PT_ERROR_MALFORMED,
                  "key rotation: afterHash must name the event afterSeq names (null for none)");
  if (g_strcmp0(json_string_value(json_object_get(record, "stationId")), station_id) != 0)
    return refuse(error, PT_ERROR_TAMPERED, "key rotation names another station than %s",
                  station_id);
  return TRUE;
}

gboolean
pt_key_chain_add(PtKeyChain *chain, const PtKeyRotationRow *rotation, GError **error)
{
  guint n = chain->links->len;
  if (n > PT_KEY_ROTATIONS_MAX)
    return refuse(error, PT_ERROR_TOO_LARGE, "more than %d key rotations", PT_KEY_ROTATIONS_MAX);
  g_autoptr(GError) local = NULL;
  json_t *record = pt_json_parse(rotation->record, rotation->record_len, &local);
  if (!json_is_object(record)) {
    json_decref(record);
    return refuse(error, PT_ERROR_MALFORMED, "key rotation %u is not a JSON object", n);
  }
  /* The signatures cover the record's canonical bytes: any other spelling is not it. */
  gsize len = 0;
  g_autofree char *canon = pt_canon_dump(record, &len, NULL);
  g_autofree char *anchor_id = pt_keys_station_id(link_at(chain, 0)->key);
  Link l = {0};
  guint8 previous[PT_PUB_LEN], hash[PT_HASH_LEN];
  gboolean ok = read_record(record, anchor_id, &l, previous, error);
  json_decref(record);
  if (!ok)
    return FALSE;
  if (!canon || len != rotation->record_len || memcmp(canon, rotation->record, len) != 0)
    return refuse(error, PT_ERROR_MALFORMED, "key rotation %u is not in canonical form", n);
  const Link *last = link_at(chain, n - 1);
  crypto_hash_sha256(hash, (const guint8 *)rotation->record, rotation->record_len);
  if (sodium_memcmp(previous, last->key, PT_PUB_LEN) != 0)
    return refuse(error, PT_ERROR_TAMPERED,
                  "key rotation %u hands over from a key that is not the one in force", n);
  if (!pt_keys_verify(last->key, hash, rotation->signature))
    return refuse(error, PT_ERROR_TAMPERED,
                  "key rotation %u is not signed by the key in force (a forged rotation)", n);
  if (!pt_keys_verify(l.key, hash, rotation->new_signature))
    return refuse(error, PT_ERROR_TAMPERED,
                  "key rotation %u is not signed by its new key (no proof of possession)", n);
  if (pt_key_chain_find(chain, l.key) >= 0)
    return refuse(error, PT_ERROR_TAMPERED, "key rotation %u goes back to a key used before", n);
  if (l.from_ns <= last->from_ns || l.after_seq < last->after_seq)
    return refuse(error, PT_ERROR_TAMPERED,
                  "key rotation %u is not after the one before it (time or seq goes back)", n);
  l.row.id = rotation->id;
  l.row.record = g_strndup(rotation->record, rotation->record_len);
  l.row.record_len = rotation->record_len;
  memcpy(l.row.signature, rotation->signature, PT_SIG_LEN);
  memcpy(l.row.new_signature, rotation->new_signature, PT_SIG_LEN);
  g_array_append_val(chain->links, l);
  return TRUE;
}

gboolean
pt_key_rotation_peek(const PtKeyRotationRow *rotation, guint8 new_key[PT_PUB_LEN], gint64 *from_ns,
                     GError **error)
{
  json_t *record = pt_json_parse(rotation->record, rotation->record_len, NULL);
  const char *from = json_string_value(json_object_get(record, "from"));
  gboolean ok =
      from && pt_time_parse(from, from_ns, NULL) && read_hex(record, "newKey", new_key, PT_PUB_LEN);
  json_decref(record);
  if (!ok)
    refuse(error, PT_ERROR_MALFORMED, "key rotation %" G_GINT64_FORMAT " cannot be read",
           rotation->id);
  return ok;
}

gboolean
pt_key_rotation_make(const PtKeys *old, const PtKeys *new_keys, const guint8 anchor[PT_PUB_LEN],
                     gint64 from_ns, gint64 after_seq, const guint8 *after_hash,
                     PtKeyRotationRow *out, GError **error)
{
  g_autofree char *station_id = pt_keys_station_id(anchor);
  g_autofree char *previous = pt_hex_encode(old->public_key, PT_PUB_LEN);
  g_autofree char *next = pt_hex_encode(new_keys->public_key, PT_PUB_LEN);
  g_autofree char *from = pt_time_format(from_ns);
  g_autofree char *after = after_hash ? pt_hex_encode(after_hash, PT_HASH_LEN) : NULL;
  json_t *record =
      json_pack("{sssssssssssIso}", "format", PT_KEY_ROTATION_FORMAT, "stationId", station_id,
                "previousKey", previous, "newKey", next, "from", from, "afterSeq",
                (json_int_t)after_seq, "afterHash", pt_json_string_or_null(after));
  memset(out, 0, sizeof *out);
  out->record = pt_canon_dump(record, &out->record_len, error);
  json_decref(record);
  if (!out->record)
    return FALSE;
  guint8 hash[PT_HASH_LEN];
  crypto_hash_sha256(hash, (const guint8 *)out->record, out->record_len);
  pt_keys_sign(old, hash, out->signature);
  pt_keys_sign(new_keys, hash, out->new_signature);
  return TRUE;
}

json_t *
pt_key_chain_to_json(const PtKeyChain *chain)
{
  json_t *out = json_array();
  for (guint i = 1; i < chain->links->len; i++) {
    const PtKeyRotationRow *row = &link_at(chain, i)->row;
    json_t *record = pt_json_parse(row->record, row->record_len, NULL);
    g_autofree char *sig = pt_hex_encode(row->signature, PT_SIG_LEN);
    g_autofree char *new_sig = pt_hex_encode(row->new_signature, PT_SIG_LEN);
    json_array_append_new(
        out, json_pack("{sossss}", "record", record, "signature", sig, "newKeySignature", new_sig));
  }
  return out;
}

PtKeyChain *
pt_key_chain_from_json(const guint8 anchor[PT_PUB_LEN], const json_t *rotations, GError **error)
{
  if (!json_is_array(rotations) || json_array_size(rotations) > PT_KEY_ROTATIONS_MAX) {
    refuse(error, PT_ERROR_MALFORMED, "the key chain is not an array of at most %d rotations",
           PT_KEY_ROTATIONS_MAX);
    return NULL;
  }
  g_autoptr(PtKeyChain) chain = pt_key_chain_new(anchor);
  for (gsize i = 0; i < json_array_size(rotations); i++) {
    json_t *r = json_array_get(rotations, i);
    json_t *record = json_object_get(r, "record");
    PtKeyRotationRow row = {.id = (gint64)i + 1};
    if (!json_is_object(r) || json_object_size(r) != 3 || !json_is_object(record) ||
        !read_hex(r, "signature", row.signature, PT_SIG_LEN) ||
        !read_hex(r, "newKeySignature", row.new_signature, PT_SIG_LEN)) {
      refuse(error, PT_ERROR_MALFORMED,
             "key rotation %zu needs exactly record, signature and newKeySignature (lowercase "
             "hex)",
             i + 1);
      return NULL;
    }
    row.record = pt_canon_dump(record, &row.record_len, error);
    gboolean ok = row.record && pt_key_chain_add(chain, &row, error);
    pt_key_rotation_row_clear(&row);
    if (!ok)
      return NULL;
  }
  return g_steal_pointer(&chain);
}

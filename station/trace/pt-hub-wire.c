/* pt-hub-wire.c: a signed event to and from its hub wire form (see pt-hub-wire.h). */
#include "pt-hub-wire.h"

#include "pt-error.h"
#include "pt-gs1-dl.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

static void
set_hex(json_t *obj, const char *key, const guint8 *bytes, gsize len)
{
  g_autofree char *hex = pt_hex_encode(bytes, len);
  json_object_set_new(obj, key, json_string(hex));
}

json_t *
pt_hub_wire_event(const PtEventRow *row, const char *lot, const char *gtin)
{
  json_t *o = json_object();
  json_object_set_new(o, "seq", json_integer(row->seq));
  json_object_set_new(o, "event_id", json_string(row->event_id));
  json_object_set_new(o, "step", json_string(row->step));
  if (lot)
    json_object_set_new(o, "lot", json_string(lot));
  if (gtin)
    json_object_set_new(o, "gtin", json_string(gtin));
  g_autofree char *et = pt_time_format(row->event_time_ns);
  g_autofree char *rt = pt_time_format(row->record_time_ns);
  json_object_set_new(o, "event_time", json_string(et));
  json_object_set_new(o, "record_time", json_string(rt));
  json_object_set_new(o, "body", json_stringn(row->body, row->body_len));
  set_hex(o, "hash", row->hash, PT_HASH_LEN);
  if (row->has_prev_batch)
    set_hex(o, "prev_batch_hash", row->prev_batch_hash, PT_HASH_LEN);
  if (row->has_prev_station)
    set_hex(o, "prev_station_hash", row->prev_station_hash, PT_HASH_LEN);
  set_hex(o, "signature", row->signature, PT_SIG_LEN);
  if (row->hash_id)
    json_object_set_new(o, "hash_id", json_string(row->hash_id));
  return o;
}

/* A lowercase hex digit's value, else -1 (the wire's hashes and signatures are lowercase). */
static inline int
hex_digit(char c)
{
  if ((unsigned char)(c - '0') < 10u)
    return c - '0';
  if ((unsigned char)(c - 'a') < 6u)
    return c - 'a' + 10;
  return -1;
}

gboolean
pt_hub_is_hex(const char *hex, gsize n_bytes)
{
  if (!hex)
    return FALSE;
  for (gsize i = 0; i < n_bytes * 2; i++)
    if (hex_digit(hex[i]) < 0) /* the terminator too: a short string stops here */
      return FALSE;
  return hex[n_bytes * 2] == '\0';
}

gboolean
pt_hub_hex_decode(const char *hex, guint8 *out, gsize n_bytes)
{
  if (!hex)
    return FALSE;
  for (gsize i = 0; i < n_bytes; i++) {
    int hi = hex_digit(hex[2 * i]);
    if (hi < 0)
      return FALSE;
    int lo = hex_digit(hex[2 * i + 1]);
    if (lo < 0)
      return FALSE;
    out[i] = (guint8)(hi << 4 | lo);
  }
  return hex[n_bytes * 2] == '\0';
}

static gboolean
malformed(GError **error, const char *key, const char *what)
{
  g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "event member \"%s\" %s", key, what);
  return FALSE;
}

/* A string member, nullable when !@required. */
static gboolean
get_string(const json_t *obj, const char *key, gboolean required, gsize max, const char **out,
           GError **error)
{
  json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (!v || json_is_null(v))
    return required ? malformed(error, key, "is missing") : TRUE;
  if (!json_is_string(v))
    return malformed(error, key, "is not a string");
  if (json_string_length(v) > max)
    return malformed(error, key, "is too long");
  if (strlen(json_string_value(v)) != json_string_length(v))
    return malformed(error, key, "holds a NUL");
  *out = json_string_value(v);
  return TRUE;
}

static gboolean
get_hex(const json_t *obj, const char *key, gboolean required, guint8 *out, gsize len,
        gboolean *present, GError **error)
{
  const char *hex = NULL;
  if (!get_string(obj, key, required, len * 2, &hex, error))
    return FALSE;
  if (present)
    *present = hex != NULL;
  if (!hex)
    return TRUE;
  if (!pt_hub_hex_decode(hex, out, len))
    return malformed(error, key, "is not lowercase hex of the right length");
  return TRUE;
}

static gboolean
get_time(const json_t *obj, const char *key, gint64 *out, GError **error)
{
  const char *text = NULL;
  if (!get_string(obj, key, TRUE, 64, &text, error))
    return FALSE;
  if (!pt_time_parse(text, out, NULL))
    return malformed(error, key, "is not an RFC 3339 time");
  return TRUE;
}

gboolean
pt_hub_wire_read_event(const json_t *obj, PtEventRow *row, char **lot_out, char **gtin_out,
                       GError **error)
{
  static const char *const known[] = {
      "seq",
      "event_id",
      "step",
      "lot",
      "gtin",
      "event_time",
      "record_time",
      "body",
      "hash",
      "prev_batch_hash",
      "prev_station_hash",
      "signature",
      "hash_id",
  };
  *lot_out = *gtin_out = NULL;
  if (!json_is_object(obj)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "an event is not a JSON object");
    return FALSE;
  }
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v)
  {
    gboolean ok = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(known) && !ok; i++)
      ok = strcmp(key, known[i]) == 0;
    if (!ok)
      return malformed(error, key, "is not a member of an event");
  }
  json_t *seq = json_object_get(obj, "seq");
  if (!json_is_integer(seq) || json_integer_value(seq) < 1)
    return malformed(error, "seq", "is not an integer >= 1");
  row->seq = json_integer_value(seq);

  const char *event_id, *step, *lot, *gtin, *body, *hash_id;
  if (!get_string(obj, "event_id", TRUE, PT_TEXT_FIELD_MAX, &event_id, error) ||
      !get_string(obj, "step", TRUE, PT_TEXT_FIELD_MAX, &step, error) ||
      !get_string(obj, "lot", FALSE, PT_TEXT_FIELD_MAX, &lot, error) ||
      !get_string(obj, "gtin", FALSE, PT_TEXT_FIELD_MAX, &gtin, error) ||
      !get_string(obj, "body", TRUE, PT_HUB_EVENT_BODY_MAX, &body, error) ||
      !get_string(obj, "hash_id", FALSE, PT_TEXT_FIELD_MAX, &hash_id, error) ||
      !get_time(obj, "event_time", &row->event_time_ns, error) ||
      !get_time(obj, "record_time", &row->record_time_ns, error) ||
      !get_hex(obj, "hash", TRUE, row->hash, PT_HASH_LEN, NULL, error) ||
      !get_hex(obj, "prev_batch_hash", FALSE, row->prev_batch_hash, PT_HASH_LEN,
               &row->has_prev_batch, error) ||
      !get_hex(obj, "prev_station_hash", FALSE, row->prev_station_hash, PT_HASH_LEN,
               &row->has_prev_station, error) ||
      !get_hex(obj, "signature", TRUE, row->signature, PT_SIG_LEN, NULL, error))
    return FALSE;
  row->event_id = g_strdup(event_id);
  row->step = g_strdup(step);
  row->body_len = strlen(body);
  row->body = g_strndup(body, row->body_len);
  row->hash_id = g_strdup(hash_id);
  *lot_out = g_strdup(lot);
  *gtin_out = g_strdup(gtin);
  return TRUE;
}

static void
add_ref(GPtrArray *out, const json_t *v)
{
  const char *hex = json_string_value(v);
  if (!pt_hub_is_hex(hex, PT_HASH_LEN))
    return;
  for (guint i = 0; i < out->len; i++)
    if (strcmp(out->pdata[i], hex) == 0)
      return;
  g_ptr_array_add(out, g_strdup(hex));
}

GPtrArray *
pt_hub_event_evidence(const json_t *event)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  add_ref(out, json_object_get(event, PT_EXT_CLIP_SHA256));
  const char *lists[] = {PT_EXT_EVIDENCE, PT_EXT_PHOTOS, PT_EXT_ATTACHMENTS};
  for (gsize l = 0; l < G_N_ELEMENTS(lists); l++) {
    json_t *arr = json_object_get(event, lists[l]);
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item) add_ref(out, json_object_get(item, "sha256"));
  }
  return out;
}

gboolean
pt_hub_event_batch(const json_t *event, char **gtin_out, char **lot_out)
{
  static const char prefix[] = "https://id.gs1.org/01/";
  static const char *const lists[] = {"quantityList", "childQuantityList", "inputQuantityList"};
  *gtin_out = *lot_out = NULL;
  json_t *qe = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS(lists) && !qe; i++)
    qe = json_array_get(json_object_get(event, lists[i]), 0);
  const char *cls = json_string_value(json_object_get(qe, "epcClass"));
  if (!cls || !g_str_has_prefix(cls, prefix))
    return FALSE;
  const char *gtin = cls + sizeof prefix - 1;
  const char *slash = strchr(gtin, '/');
  if (!slash || slash - gtin != 14 || !g_str_has_prefix(slash, "/10/"))
    return FALSE;
  const char *seg = slash + 4;
  gsize n = strlen(seg);
  char lot[PT_TEXT_FIELD_MAX + 1];
  if (n == 0 || !pt_gs1_dl_decode_value(seg, n, lot, PT_TEXT_FIELD_MAX, NULL))
    return FALSE;
  *gtin_out = g_strndup(gtin, 14);
  *lot_out = g_strdup(lot);
  return TRUE;
}

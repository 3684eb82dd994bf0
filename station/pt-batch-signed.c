/* pt-batch-signed.c: a batch's facts derived from its signed events, compared with its row.
 * Workload: once per load add, load close item, label print, driver batch view and consumer
 * page render (the page cache keeps renders rare), and once per batch in `audit`: one
 * indexed query of at most three rows, three SHA-256 and three signature checks. */
#include "pt-batch-signed.h"

#include "pt-json.h"
#include "pt-keys.h"
#include "pt-store-signed.h"
#include "pt-trace-keys.h"

#include <math.h>
#include <string.h>

static void
mismatch_free(gpointer p)
{
  PtFactMismatch *m = p;
  g_free(m->field);
  g_free(m->row_value);
  g_free(m->signed_value);
  g_free(m);
}

static void
add_mismatch(PtBatchSigned *st, const char *field, const char *row_value, const char *signed_value)
{
  PtFactMismatch *m = g_new0(PtFactMismatch, 1);
  m->field = g_strdup(field);
  m->row_value = g_strdup(row_value);
  m->signed_value = g_strdup(signed_value);
  g_ptr_array_add(st->mismatches, m);
}

/* Compares the row's @field (*@slot) with the signed @value and keeps the signed one. */
static void
take_text(PtBatchSigned *st, const char *field, char **slot, const char *value)
{
  if (g_strcmp0(*slot, value) != 0) {
    add_mismatch(st, field, *slot, value);
    g_free(*slot);
    *slot = g_strdup(value);
  }
}

static const char *
member_text(json_t *object, const char *key)
{
  return json_string_value(json_object_get(object, key));
}

static char *
quantity_text(gboolean has, double quantity)
{
  return has ? g_strdup_printf("%.17g", quantity) : NULL;
}

static void
take_commissioning(PtBatchSigned *st, json_t *ev)
{
  PtBatch *b = st->facts;
  json_t *ilmd = json_object_get(ev, "ilmd");
  take_text(st, "lot", &b->lot, member_text(ilmd, "cbvmda:lotNumber"));
  json_t *q = json_array_get(json_object_get(ev, "quantityList"), 0);
  const char *epc_class = member_text(q, "epcClass");
  const char *gtin_at = epc_class ? strstr(epc_class, "/01/") : NULL;
  g_autofree char *gtin = gtin_at ? g_strndup(gtin_at + 4, 14) : NULL;
  take_text(st, "gtin", &b->gtin, gtin);
  take_text(st, "product", &b->product, member_text(ev, "pt:product"));
  take_text(st, "variety", &b->variety, member_text(ev, "pt:variety"));
  take_text(st, "origin", &b->origin, member_text(ev, "pt:origin"));
  take_text(st, "grower", &b->grower, member_text(ev, "pt:grower"));
  take_text(st, "harvest_date", &b->harvest_date, member_text(ilmd, "cbvmda:harvestStartDate"));
  take_text(st, "pack_date", &b->pack_date, member_text(ev, "pt:packDate"));
  json_t *qv = json_object_get(q, "quantity");
  gboolean has = json_is_number(qv);
  double quantity = has ? json_number_value(qv) : 0;
  /* The row holds the double that was signed; both went through the same parse. */
  gboolean same = has == b->has_quantity &&
                  (!has || fabs(quantity - b->quantity) <= 1e-9 * fmax(1, fabs(quantity)));
  if (!same) {
    g_autofree char *row_text = quantity_text(b->has_quantity, b->quantity);
    g_autofree char *signed_text = quantity_text(has, quantity);
    add_mismatch(st, "quantity", row_text, signed_text);
    b->has_quantity = has;
    b->quantity = quantity;
  }
  take_text(st, "uom", &b->uom, has ? member_text(q, "uom") : NULL);
}

static void
take_status(PtBatchSigned *st, const PtEventRow *row, json_t *ev)
{
  const char *action = member_text(ev, "pt:action");
  const char *status = g_strcmp0(action, "hold") == 0      ? "held"
                       : g_strcmp0(action, "recall") == 0  ? "recalled"
                       : g_strcmp0(action, "release") == 0 ? "active"
                                                           : NULL;
  if (!status) {
    st->status_known = FALSE;
    add_mismatch(st, "status", st->facts->status, action);
    return;
  }
  take_text(st, "status", &st->facts->status, status);
  take_text(st, "status_reason", &st->facts->status_reason,
            strcmp(status, "active") == 0 ? NULL : member_text(ev, "pt:reason"));
  g_free(st->status_time);
  st->status_time = g_strdup(member_text(ev, "eventTime"));
  g_free(st->status_hash_id);
  st->status_hash_id = g_strdup(row->hash_id);
}

static void
take_grading(PtBatchSigned *st, json_t *ev)
{
  json_t *classes = json_array();
  const char *name;
  json_t *count;
  json_object_foreach(json_object_get(ev, "pt:gradeDistribution"), name, count)
  {
    if (json_integer_value(count) > 0)
      json_array_append_new(classes, json_pack("{sssI}", "class", name, "count",
                                               (json_int_t)json_integer_value(count)));
  }
  json_decref(st->grading);
  st->grading = json_pack(
      "{sosososo}", "declared_class", pt_json_string_or_null(member_text(ev, "pt:declaredClass")),
      "disposition", pt_json_string_or_null(member_text(ev, "disposition")), "n_fruit",
      json_integer(json_integer_value(json_object_get(ev, "pt:fruitCount"))), "classes", classes);
}

typedef struct {
  PtBatchSigned *st;
  const PtKeyChain *chain;
  gboolean saw_status;
} ReadState;

static gboolean
take_event(const PtEventRow *row, gpointer user_data, GError **error)
{
  ReadState *rs = user_data;
  PtBatchSigned *st = rs->st;
  gboolean is_status = g_strcmp0(row->step, "holding") == 0;
  gboolean is_commissioning = g_strcmp0(row->step, "commissioning") == 0;
  if (is_status)
    rs->saw_status = TRUE;
  guint8 hash[PT_HASH_LEN];
  crypto_hash_sha256(hash, (const guint8 *)row->body, row->body_len);
  json_t *ev = NULL;
  if (sodium_memcmp(hash, row->hash, PT_HASH_LEN) != 0 ||
      !pt_keys_verify(
          pt_key_chain_key(rs->chain, pt_key_chain_index_at_time(rs->chain, row->record_time_ns)),
          hash, row->signature) ||
      !(ev = pt_json_parse(row->body, row->body_len, NULL))) {
    g_autofree char *what = g_strdup_printf("event seq %" G_GINT64_FORMAT " (%s)", row->seq,
                                            row->step ? row->step : "?");
    add_mismatch(st, "record", what, "does not verify");
    if (is_status)
      st->status_known = FALSE;
    return TRUE;
  }
  if (is_commissioning) {
    st->commissioned = TRUE;
    take_commissioning(st, ev);
  } else if (is_status) {
    take_status(st, row, ev);
  } else {
    take_grading(st, ev);
  }
  json_decref(ev);
  return TRUE;
}

static PtBatch *
batch_copy(const PtBatch *b)
{
  PtBatch *c = g_new0(PtBatch, 1);
  *c = *b;
  c->lot = g_strdup(b->lot);
  c->gtin = g_strdup(b->gtin);
  c->product = g_strdup(b->product);
  c->variety = g_strdup(b->variety);
  c->origin = g_strdup(b->origin);
  c->grower = g_strdup(b->grower);
  c->harvest_date = g_strdup(b->harvest_date);
  c->pack_date = g_strdup(b->pack_date);
  c->uom = g_strdup(b->uom);
  c->status = g_strdup(b->status);
  c->status_reason = g_strdup(b->status_reason);
  return c;
}

gboolean
pt_batch_signed_read(PtStore *store, const guint8 anchor[PT_PUB_LEN], const PtBatch *row,
                     PtBatchSigned *out, GError **error)
{
  memset(out, 0, sizeof *out);
  out->facts = batch_copy(row);
  out->mismatches = g_ptr_array_new_with_free_func(mismatch_free);
  out->status_known = TRUE;
  /* Each fact's event checked with the key in force at its time, from the station's anchor.  A
   * chain that does not verify is not followed: what its keys signed does not verify either,
   * and audit names the rotation. */
  g_autoptr(PtKeyChain) chain = pt_trace_key_chain(store, anchor, NULL);
  if (!chain)
    chain = pt_key_chain_new(anchor);
  ReadState rs = {.st = out, .chain = chain};
  if (!pt_store_batch_fact_events(store, row->id, take_event, &rs, error)) {
    pt_batch_signed_clear(out);
    return FALSE;
  }
  if (!out->commissioned)
    add_mismatch(out, "commissioning", row->lot, NULL);
  /* No signed status change: the batch is as it was commissioned. */
  if (!rs.saw_status) {
    take_text(out, "status", &out->facts->status, "active");
    take_text(out, "status_reason", &out->facts->status_reason, NULL);
  }
  return TRUE;
}

void
pt_batch_signed_clear(PtBatchSigned *st)
{
  g_clear_pointer(&st->facts, pt_batch_free);
  g_clear_pointer(&st->grading, json_decref);
  g_clear_pointer(&st->mismatches, g_ptr_array_unref);
  g_clear_pointer(&st->status_time, g_free);
  g_clear_pointer(&st->status_hash_id, g_free);
}

char *
pt_batch_signed_refusal(const PtBatchSigned *st, const char *verb)
{
  const PtBatch *b = st->facts;
  if (!st->commissioned)
    return g_strdup_printf("batch %s has no verified commissioning event; it cannot be %s", b->lot,
                           verb);
  if (!st->status_known)
    return g_strdup_printf("batch %s: its signed status cannot be read; it cannot be %s", b->lot,
                           verb);
  if (g_strcmp0(b->status, "active") != 0)
    return g_strdup_printf("batch %s is %s%s%s; it cannot be %s", b->lot, b->status,
                           b->status_reason ? ": " : "", b->status_reason ? b->status_reason : "",
                           verb);
  return NULL;
}

json_t *
pt_batch_signed_mismatches_json(const PtBatchSigned *st)
{
  json_t *arr = json_array();
  for (guint i = 0; i < st->mismatches->len; i++) {
    const PtFactMismatch *m = g_ptr_array_index(st->mismatches, i);
    json_array_append_new(arr, json_pack("{ssss?ss?}", "field", m->field, "row", m->row_value,
                                         "signed", m->signed_value));
  }
  return arr;
}

char *
pt_fact_mismatch_describe(const PtBatch *row, const PtFactMismatch *m)
{
  if (strcmp(m->field, "record") == 0)
    return g_strdup_printf("batch %s (id %" G_GINT64_FORMAT "): %s %s; its facts are not used",
                           row->lot, row->id, m->row_value, m->signed_value);
  if (strcmp(m->field, "commissioning") == 0)
    return g_strdup_printf("batch %s (id %" G_GINT64_FORMAT "): no verified commissioning event",
                           row->lot, row->id);
  return g_strdup_printf("batch %s (id %" G_GINT64_FORMAT
                         "): %s is '%s' in the batches row but '%s' in its signed events",
                         row->lot, row->id, m->field, m->row_value ? m->row_value : "(none)",
                         m->signed_value ? m->signed_value : "(none)");
}

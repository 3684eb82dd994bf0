/* test-batch-signed.c: a batch's facts as its signed events state them (pt-batch-signed.h)
 * against a row edited by hand, a status undone in the row, a hand-recorded holding step, a
 * tampered commissioning record; and lookups that name a lot first and an id only as #N. */
#include "pt-batch-signed.h"
#include "pt-error.h"
#include "pt-test-station.h"

#include <string.h>

static void
read_signed(PtTestStation *ts, const char *ref, PtBatchSigned *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) row = pt_batch_lookup(ts->store, ref, &error);
  g_assert_no_error(error);
  g_assert_true(pt_batch_signed_read(ts->store, ts->station->keys->public_key, row, out, &error));
  g_assert_no_error(error);
}

static const PtFactMismatch *
mismatch(const PtBatchSigned *st, const char *field)
{
  for (guint i = 0; i < st->mismatches->len; i++) {
    const PtFactMismatch *m = g_ptr_array_index(st->mismatches, i);
    if (strcmp(m->field, field) == 0)
      return m;
  }
  return NULL;
}

static PtBatch *
new_batch(PtTestStation *ts, const char *lot)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec = {.product = "Oranges",
                      .gtin = "09506000134352",
                      .variety = "Navel",
                      .origin = "CN",
                      .grower = "Li farm",
                      .harvest_date = "2026-11-20",
                      .pack_date = "2026-11-25",
                      .lot = lot,
                      .has_quantity = TRUE,
                      .quantity = 72.77000000000001};
  PtBatch *b = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_assert_no_error(error);
  return b;
}

static void
test_untouched(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = new_batch(ts, "L1");
  g_auto(PtBatchSigned) st = {0};
  read_signed(ts, "L1", &st);
  g_assert_cmpuint(st.mismatches->len, ==, 0);
  g_assert_true(st.commissioned);
  g_assert_cmpstr(st.facts->status, ==, "active");
  g_assert_cmpfloat(st.facts->quantity, ==, 72.77000000000001);
  g_assert_null(pt_batch_signed_refusal(&st, "loaded"));
}

static void
test_row_edited(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = new_batch(ts, "L1");
  pt_test_sql(ts, "UPDATE batches SET product = 'Gold', variety = NULL, pack_date = '2026-11-26',"
                  " quantity = 80, uom = 'H87' WHERE lot = 'L1'");
  g_auto(PtBatchSigned) st = {0};
  read_signed(ts, "L1", &st);
  const PtFactMismatch *m = mismatch(&st, "product");
  g_assert_nonnull(m);
  g_assert_cmpstr(m->row_value, ==, "Gold");
  g_assert_cmpstr(m->signed_value, ==, "Oranges");
  m = mismatch(&st, "variety");
  g_assert_nonnull(m);
  g_assert_null(m->row_value);
  g_assert_cmpstr(m->signed_value, ==, "Navel");
  g_assert_nonnull(mismatch(&st, "pack_date"));
  g_assert_nonnull(mismatch(&st, "quantity"));
  g_assert_nonnull(mismatch(&st, "uom"));
  g_assert_null(mismatch(&st, "grower"));
  /* The facts are the signed ones. */
  g_assert_cmpstr(st.facts->product, ==, "Oranges");
  g_assert_cmpstr(st.facts->variety, ==, "Navel");
  g_assert_cmpfloat(st.facts->quantity, ==, 72.77000000000001);
  g_assert_cmpstr(st.facts->uom, ==, "KGM");
}

static void
test_status_signed(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) b = new_batch(ts, "L1");
  g_assert_true(pt_batch_change_status(ts->station, ts->store, b, PT_BATCH_HOLD, "check", &error));
  g_assert_true(pt_batch_change_status(ts->station, ts->store, b, PT_BATCH_RELEASE, NULL, &error));
  g_assert_true(
      pt_batch_change_status(ts->station, ts->store, b, PT_BATCH_RECALL, "glass", &error));
  /* A hand-recorded holding step is no status change. */
  PtEventSpec ev = {.step = "holding", .disposition = "sellable_accessible"};
  g_assert_true(pt_batch_add_event(ts->station, ts->store, b, &ev, NULL, &error));
  g_assert_no_error(error);
  pt_test_sql(ts, "UPDATE batches SET status = 'active', status_reason = NULL WHERE lot = 'L1'");
  g_auto(PtBatchSigned) st = {0};
  read_signed(ts, "L1", &st);
  g_assert_cmpstr(st.facts->status, ==, "recalled");
  g_assert_cmpstr(st.facts->status_reason, ==, "glass");
  g_assert_cmpstr(mismatch(&st, "status")->row_value, ==, "active");
  g_autofree char *why = pt_batch_signed_refusal(&st, "loaded");
  g_assert_cmpstr(why, ==, "batch L1 is recalled: glass; it cannot be loaded");
  /* The edited row cannot turn the recall into a hold either. */
  g_assert_false(pt_batch_change_status(ts->station, ts->store, b, PT_BATCH_HOLD, "x", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
}

static void
test_tampered_commissioning(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = new_batch(ts, "L1");
  pt_test_sql(ts, "DROP TRIGGER events_append_only_update;"
                  "UPDATE events SET body = replace(body, 'Li farm', 'Xu farm') WHERE seq = 1;"
                  "UPDATE batches SET grower = 'Xu farm'");
  g_auto(PtBatchSigned) st = {0};
  read_signed(ts, "L1", &st);
  g_assert_false(st.commissioned);
  g_assert_nonnull(mismatch(&st, "record"));
  g_assert_nonnull(mismatch(&st, "commissioning"));
  g_autofree char *why = pt_batch_signed_refusal(&st, "loaded");
  g_assert_nonnull(strstr(why, "no verified commissioning event"));
}

static void
test_lookup_lot_first(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) a = new_batch(ts, "A");
  g_autoptr(PtBatch) b = new_batch(ts, "B");
  g_autoptr(PtBatch) c = new_batch(ts, "C");
  g_autoptr(PtBatch) three = new_batch(ts, "3"); /* id 4 */
  g_assert_cmpint(c->id, ==, 3);
  g_autoptr(PtBatch) by_lot = pt_batch_lookup(ts->store, "3", &error);
  g_assert_cmpstr(by_lot->lot, ==, "3");
  g_autoptr(PtBatch) by_id = pt_batch_lookup(ts->store, "#3", &error);
  g_assert_cmpstr(by_id->lot, ==, "C");
  /* A bare number no lot has still names an id. */
  g_autoptr(PtBatch) two = pt_batch_lookup(ts->store, "2", &error);
  g_assert_cmpstr(two->lot, ==, "B");
  g_assert_no_error(error);
  g_assert_null(pt_batch_lookup(ts->store, "#99", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error(&error);
  g_assert_null(pt_batch_lookup(ts->store, "#x", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_null(pt_batch_lookup(ts->store, "NOPE", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/batch-signed/untouched", test_untouched);
  g_test_add_func("/batch-signed/row-edited", test_row_edited);
  g_test_add_func("/batch-signed/status", test_status_signed);
  g_test_add_func("/batch-signed/tampered-commissioning", test_tampered_commissioning);
  g_test_add_func("/batch-signed/lookup-lot-first", test_lookup_lot_first);
  return g_test_run();
}

/* pt-transform.c: repacking or sorting one lot into several (a TransformationEvent). */
#include "pt-transform.h"

#include "pt-batch-signed.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-gs1.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-store-pallet.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <math.h>
#include <string.h>

gboolean
pt_transform_spec_from_json(json_t *object, PtTransformSpec *spec, PtTransformOutput **outputs_out,
                            GError **error)
{
  memset(spec, 0, sizeof *spec);
  *outputs_out = NULL;
  json_t *outputs = json_object_get(object, "outputs");
  if (!json_is_array(outputs) || json_array_size(outputs) == 0 ||
      json_array_size(outputs) > PT_TRANSFORM_OUT_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "outputs must be a list of 1 to %d {\"lot\", \"quantity\"}", PT_TRANSFORM_OUT_MAX);
    return FALSE;
  }
  json_t *rest = json_copy(object);
  json_object_del(rest, "outputs");
  const PtJsonField fields[] = {{"step", &spec->step}, {"note", &spec->note}};
  gboolean ok = pt_json_read_object(rest, fields, G_N_ELEMENTS(fields), error);
  json_decref(rest);
  if (!ok)
    return FALSE;
  /* The strings must point into @object, not into the copy. */
  spec->step = json_string_value(json_object_get(object, "step"));
  spec->note = json_string_value(json_object_get(object, "note"));
  g_autofree PtTransformOutput *out = g_new0(PtTransformOutput, json_array_size(outputs));
  size_t i;
  json_t *o;
  json_array_foreach(outputs, i, o)
  {
    gboolean has = FALSE;
    const PtJsonField of[] = {{"lot", &out[i].lot}, {"quantity", NULL, &out[i].quantity, &has}};
    if (!json_is_object(o) || !pt_json_read_object(o, of, G_N_ELEMENTS(of), error))
      return FALSE;
    if (!out[i].lot || !has) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "output %zu needs a lot and a quantity",
                  i + 1);
      return FALSE;
    }
  }
  spec->n_outputs = (guint)json_array_size(outputs);
  spec->outputs = out;
  *outputs_out = g_steal_pointer(&out);
  return TRUE;
}

static gboolean
check_spec(const PtBatch *input, const PtTransformSpec *spec, GError **error)
{
  if (spec->step && !pt_epcis_is_biz_step(spec->step)) {
    g_autofree char *steps = pt_epcis_join(pt_epcis_biz_steps);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "step '%.32s' is not one of: %s", spec->step,
                steps);
    return FALSE;
  }
  if (spec->n_outputs < 1 || spec->n_outputs > PT_TRANSFORM_OUT_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a repack makes 1 to %d lots, not %u",
                PT_TRANSFORM_OUT_MAX, spec->n_outputs);
    return FALSE;
  }
  if (!pt_check_text("note", spec->note, PT_NOTE_MAX, FALSE, error))
    return FALSE;
  double total = 0;
  for (guint i = 0; i < spec->n_outputs; i++) {
    const PtTransformOutput *o = &spec->outputs[i];
    g_autoptr(GError) gs1_error = NULL;
    if (!o->lot || !pt_gs1_validate_lot(o->lot, &gs1_error)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "output %u: %s", i + 1,
                  gs1_error ? gs1_error->message : "a lot is required");
      return FALSE;
    }
    if (!isfinite(o->quantity) || o->quantity <= 0 || o->quantity > PT_QUANTITY_MAX) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "output %s: quantity must be a number above 0",
                  o->lot);
      return FALSE;
    }
    for (guint j = 0; j < i; j++) {
      if (strcmp(spec->outputs[j].lot, o->lot) == 0) {
        g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "lot %s is named twice", o->lot);
        return FALSE;
      }
    }
    total += o->quantity;
  }
  /* Sorting leaves waste, so less may come out; never more than went in. */
  if (input->has_quantity && total > input->quantity * (1 + 1e-9)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the new lots hold %g %s, more than lot %s's %g",
                total, input->uom ? input->uom : "KGM", input->lot, input->quantity);
    return FALSE;
  }
  return TRUE;
}

static gboolean
run_locked(PtStation *station, PtStore *store, const PtBatch *input, const PtTransformSpec *spec,
           const char *transformation_id, GPtrArray *made, GError **error)
{
  g_autoptr(PtBatch) fresh = pt_store_batch_get(store, input->id, error);
  if (!fresh)
    return FALSE;
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, fresh, &st, error))
    return FALSE;
  g_autofree char *refused = pt_batch_signed_refusal(&st, "repacked");
  if (refused) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s", refused);
    return FALSE;
  }
  g_autoptr(PtPallet) pallet = NULL;
  if (!pt_store_pallet_holding_batch(store, fresh->id, 0, &pallet, error))
    return FALSE;
  if (pallet) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "lot %s has cases on pallet %s: take them off before repacking it", fresh->lot,
                pallet->sscc);
    return FALSE;
  }
  const char *uom = fresh->uom ? fresh->uom : "KGM";
  g_autofree char *input_class = pt_epcis_lot_class(fresh);
  g_autofree PtEpcisQuantity *out_q = g_new0(PtEpcisQuantity, spec->n_outputs);
  double total = 0;
  for (guint i = 0; i < spec->n_outputs; i++) {
    const PtTransformOutput *o = &spec->outputs[i];
    PtBatchSpec bs = {.product = fresh->product,
                      .gtin = fresh->gtin,
                      .variety = fresh->variety,
                      .origin = fresh->origin,
                      .grower = fresh->grower,
                      .harvest_date = fresh->harvest_date,
                      .lot = o->lot,
                      .has_quantity = TRUE,
                      .quantity = o->quantity,
                      .uom = uom,
                      .transformation_id = transformation_id,
                      .transformed_from = input_class};
    PtBatch *b = pt_batch_create_locked(station, store, &bs, error);
    if (!b) {
      g_prefix_error(error, "output %s: ", o->lot);
      return FALSE;
    }
    g_ptr_array_add(made, b);
    out_q[i] = (PtEpcisQuantity){.batch = b, .quantity = o->quantity, .uom = uom};
    total += o->quantity;
  }
  /* What was used of the input: the outputs' total (the rest, if any, stays the lot's). */
  PtEpcisQuantity in_q = {.batch = fresh, .quantity = total, .uom = uom};
  gint64 now = pt_now_ns();
  const char *step = spec->step ? spec->step : "repackaging";
  json_t *ev = pt_epcis_transformation_new(station->config, transformation_id, step, &in_q, 1,
                                           out_q, spec->n_outputs, now);
  if (spec->note)
    json_object_set_new(ev, "pt:note", json_string(spec->note));
  gboolean ok = pt_trace_append(store, station->keys, fresh->id, step, now, ev, NULL, error);
  json_decref(ev);
  return ok;
}

gboolean
pt_transform_run(PtStation *station, PtStore *store, const PtBatch *input,
                 const PtTransformSpec *spec, GPtrArray **outputs_out, char **id_out,
                 GError **error)
{
  if (!check_spec(input, spec, error))
    return FALSE;
  g_autofree char *uuid = g_uuid_string_random();
  g_autofree char *transformation_id = g_strconcat("urn:uuid:", uuid, NULL);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func((GDestroyNotify)pt_batch_free);
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!run_locked(station, store, input, spec, transformation_id, made, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  if (outputs_out)
    *outputs_out = g_steal_pointer(&made);
  if (id_out)
    *id_out = g_steal_pointer(&transformation_id);
  return TRUE;
}

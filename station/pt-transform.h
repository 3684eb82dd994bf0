/* pt-transform.h: one lot repacked or sorted into several new ones, shared by the CLI and the
 * HTTP API.  The new lots are batches of their own (their commissioning events name the
 * transformation), and one signed EPCIS TransformationEvent on the input lot's chain says what
 * went in and what came out: inputQuantityList the input lot and how much of it was used,
 * outputQuantityList each new lot and its quantity, under one transformationID (urn:uuid). */
#pragma once

#include "pt-batch.h"
#include "pt-station.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct {
  const char *lot; /* the new lot: GS1 AI 10 characters, not yet a lot of this station */
  double quantity; /* > 0, in the input's unit */
} PtTransformOutput;

typedef struct {
  const char *step; /* nullable: a CBV business step, default "repackaging" */
  const PtTransformOutput *outputs;
  guint n_outputs;  /* 1 to PT_TRANSFORM_OUT_MAX */
  const char *note; /* nullable, signed as pt:note */
} PtTransformSpec;

/* Reads a spec from {"step", "note", "outputs": [{"lot", "quantity"}]}; strings point into
 * @object, @outputs_out (transfer full) holds the outputs.  Unknown members are refused. */
gboolean pt_transform_spec_from_json(json_t *object, PtTransformSpec *spec,
                                     PtTransformOutput **outputs_out, GError **error);

/* Repacks @input into @spec's outputs, all in one transaction: each output a new batch with
 * the input's product, GTIN, variety, origin, grower and harvest date, packed today, its
 * quantity in the input's unit (KGM when the input states none); then the TransformationEvent.
 * Refused (nothing written): an input held or recalled by its signed record, or with cases on
 * a pallet (PT_ERROR_CONFLICT); an output lot that exists (PT_ERROR_CONFLICT); outputs that
 * add up to more than the input's stated quantity (PT_ERROR_INVALID).  @outputs_out
 * (nullable) receives (transfer full) (element-type PtBatch) the new batches, @id_out
 * (nullable) (transfer full) the transformationID. */
gboolean pt_transform_run(PtStation *station, PtStore *store, const PtBatch *input,
                          const PtTransformSpec *spec, GPtrArray **outputs_out, char **id_out,
                          GError **error);

G_END_DECLS

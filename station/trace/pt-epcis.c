/* pt-epcis.c: EPCIS 2.0 vocabularies, time formats and event skeletons. */
#include "pt-epcis.h"

#include "pt-error.h"
#include "pt-gs1-dl.h"
#include "pt-time.h"

#include <string.h>

const char *const pt_epcis_biz_steps[] = {
    "accepting",
    "arriving",
    "assembling",
    "collecting",
    "commissioning",
    "consigning",
    "creating_class_instance",
    "cycle_counting",
    "decommissioning",
    "departing",
    "destroying",
    "disassembling",
    "dispensing",
    "encoding",
    "entering_exiting",
    "holding",
    "inspecting",
    "installing",
    "killing",
    "loading",
    "other",
    "packing",
    "picking",
    "receiving",
    "removing",
    "repackaging",
    "repairing",
    "replacing",
    "reserving",
    "retail_selling",
    "shipping",
    "staging_outbound",
    "stock_taking",
    "stocking",
    "storing",
    "transporting",
    "unloading",
    "unpacking",
    "void_shipping",
    "sensor_reporting",
    "sampling",
    NULL,
};

const char *const pt_epcis_dispositions[] = {
    "active",
    "container_closed",
    "damaged",
    "destroyed",
    "dispensed",
    "disposed",
    "encoded",
    "expired",
    "in_progress",
    "in_transit",
    "inactive",
    "no_pedigree_match",
    "non_sellable_other",
    "partially_dispensed",
    "recalled",
    "reserved",
    "retail_sold",
    "returned",
    "sellable_accessible",
    "sellable_not_accessible",
    "stolen",
    "unknown",
    "available",
    "completeness_verified",
    "completeness_inferred",
    "conformant",
    "container_open",
    "mismatch_instance",
    "mismatch_class",
    "mismatch_quantity",
    "needs_replacement",
    "non_conformant",
    "unavailable",
    NULL,
};

static gboolean
in_list(const char *const *words, const char *word)
{
  for (; *words; words++)
    if (strcmp(*words, word) == 0)
      return TRUE;
  return FALSE;
}

gboolean
pt_epcis_is_biz_step(const char *word)
{
  return in_list(pt_epcis_biz_steps, word);
}

gboolean
pt_epcis_is_disposition(const char *word)
{
  return in_list(pt_epcis_dispositions, word);
}

char *
pt_epcis_join(const char *const *words)
{
  return g_strjoinv(", ", (char **)words);
}

char *
pt_epcis_context_url(const PtConfig *config)
{
  return g_strdup_printf("https://%s" PT_EPCIS_PT_CONTEXT_PATH, config->public_host);
}

/* The prefixes stay inline as plain strings, after the two documents: the Event Hash ID
 * (CBV 2.0 8.9) expands "pt:" keys only with prefixes declared inline, and GS1's reference
 * generator reads an inline object's members as namespace strings. */
static json_t *
context_new(const PtConfig *config)
{
  g_autofree char *url = pt_epcis_context_url(config);
  return json_pack("[ss{ssss}]", PT_EPCIS_CONTEXT_URL, url, "pt", PT_EPCIS_NAMESPACE, "cbvmda",
                   "urn:epcglobal:cbv:mda:");
}

json_t *
pt_epcis_event_new(const PtConfig *config, const PtBatch *batch, const char *step,
                   gint64 event_time_ns, double quantity, const char *uom)
{
  g_autofree char *when = pt_time_format(event_time_ns);
  char offset[7];
  pt_time_zone_offset(config->tz, event_time_ns, offset);
  /* The lot as a path segment: a '/', '%' or '&' of GS1's character set would otherwise
   * make the URI invalid or name another lot, and a validating platform refuses it. */
  g_autofree char *lot = pt_gs1_dl_encode_value(batch->lot);
  g_autofree char *epc_class = g_strdup_printf("https://id.gs1.org/01/%s/10/%s", batch->gtin, lot);
  json_t *qe = json_pack("{ss}", "epcClass", epc_class);
  if (quantity > 0) {
    json_object_set_new(qe, "quantity", json_real(quantity));
    json_object_set_new(qe, "uom", json_string(uom ? uom : "KGM"));
  }
  json_t *ev = json_pack("{so"
                         "ss"
                         "ss"
                         "ss"
                         "ss"
                         "ss"
                         "so}",
                         "@context", context_new(config), "type", "ObjectEvent", "action",
                         strcmp(step, "commissioning") == 0 ? "ADD" : "OBSERVE", "eventTime", when,
                         "eventTimeZoneOffset", offset, "bizStep", step, "quantityList",
                         json_pack("[o]", qe));
  if (config->gln) {
    g_autofree char *rp = g_strdup_printf("https://id.gs1.org/414/%s", config->gln);
    json_object_set_new(ev, "readPoint", json_pack("{ss}", "id", rp));
  }
  return ev;
}

char *
pt_epcis_lot_class(const PtBatch *batch)
{
  g_autofree char *lot = pt_gs1_dl_encode_value(batch->lot);
  return g_strdup_printf("https://id.gs1.org/01/%s/10/%s", batch->gtin, lot);
}

char *
pt_epcis_sscc_uri(const char *sscc)
{
  return g_strdup_printf("https://id.gs1.org/00/%s", sscc);
}

/* What every event of the station opens with: @context, type, eventTime and its offset in the
 * station's zone, and the shed's GLN as read point. */
static json_t *
event_head(const PtConfig *config, const char *type, gint64 event_time_ns)
{
  g_autofree char *when = pt_time_format(event_time_ns);
  char offset[7];
  pt_time_zone_offset(config->tz, event_time_ns, offset);
  json_t *ev = json_pack("{sossssss}", "@context", context_new(config), "type", type, "eventTime",
                         when, "eventTimeZoneOffset", offset);
  if (config->gln) {
    g_autofree char *rp = g_strdup_printf("https://id.gs1.org/414/%s", config->gln);
    json_object_set_new(ev, "readPoint", json_pack("{ss}", "id", rp));
  }
  return ev;
}

static json_t *
quantity_element(const PtBatch *batch, double quantity, const char *uom)
{
  g_autofree char *epc_class = pt_epcis_lot_class(batch);
  json_t *qe = json_pack("{ss}", "epcClass", epc_class);
  if (quantity > 0 && uom) {
    json_object_set_new(qe, "quantity", json_real(quantity));
    json_object_set_new(qe, "uom", json_string(uom));
  } else if (quantity > 0) {
    /* A count of trade items (cases) has no unit in EPCIS. */
    json_object_set_new(qe, "quantity", json_integer((json_int_t)quantity));
  }
  return qe;
}

json_t *
pt_epcis_aggregation_new(const PtConfig *config, const char *sscc, gboolean add,
                         const PtBatch *batch, gint64 cases, gint64 event_time_ns)
{
  json_t *ev = event_head(config, "AggregationEvent", event_time_ns);
  g_autofree char *parent = pt_epcis_sscc_uri(sscc);
  json_object_set_new(ev, "parentID", json_string(parent));
  json_object_set_new(ev, "childQuantityList",
                      json_pack("[o]", quantity_element(batch, (double)cases, NULL)));
  json_object_set_new(ev, "action", json_string(add ? "ADD" : "DELETE"));
  json_object_set_new(ev, "bizStep", json_string(add ? "packing" : "unpacking"));
  json_object_set_new(ev, "disposition", json_string(add ? "in_progress" : "active"));
  return ev;
}

json_t *
pt_epcis_transformation_new(const PtConfig *config, const char *transformation_id, const char *step,
                            const PtEpcisQuantity *inputs, guint n_inputs,
                            const PtEpcisQuantity *outputs, guint n_outputs, gint64 event_time_ns)
{
  json_t *ev = event_head(config, "TransformationEvent", event_time_ns);
  json_t *in = json_array();
  for (guint i = 0; i < n_inputs; i++)
    json_array_append_new(in, quantity_element(inputs[i].batch, inputs[i].quantity, inputs[i].uom));
  json_t *out = json_array();
  for (guint i = 0; i < n_outputs; i++)
    json_array_append_new(out,
                          quantity_element(outputs[i].batch, outputs[i].quantity, outputs[i].uom));
  json_object_set_new(ev, "inputQuantityList", in);
  json_object_set_new(ev, "outputQuantityList", out);
  json_object_set_new(ev, "transformationID", json_string(transformation_id));
  json_object_set_new(ev, "bizStep", json_string(step));
  json_object_set_new(ev, "disposition", json_string("active"));
  return ev;
}

json_t *
pt_epcis_document_new(const PtConfig *config, gint64 creation_ns)
{
  g_autofree char *when = pt_time_format(creation_ns);
  return json_pack("{so"
                   "ss"
                   "ss"
                   "ss"
                   "s{so}}",
                   "@context", context_new(config), "type", "EPCISDocument", "schemaVersion", "2.0",
                   "creationDate", when, "epcisBody", "eventList", json_array());
}

json_t *
pt_epcis_document_events(json_t *document)
{
  return json_object_get(json_object_get(document, "epcisBody"), "eventList");
}

/* pt-epcis.h: GS1 EPCIS 2.0 JSON-LD building blocks: the CBV vocabularies the
 * station accepts and event/document skeletons that validate against
 * GS1's schema.  Station-specific fields are user extensions under the "pt" prefix.  Every
 * event's @context names GS1's context, the station's context document (which types each
 * "pt:" term, so a JSON-LD processor keeps nested values such as the grade distribution) and
 * the "pt" prefix inline, which is what the Event Hash ID expands keys with; each event
 * stands alone. */
#pragma once

#include "pt-config.h"
#include "pt-record.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The chain links every signed event carries (pt-trace.h): the hex SHA-256 of the previous
 * event of its batch and of the whole station log. */
#define PT_EXT_PREV_EVENT         "pt:prevEvent"
#define PT_EXT_PREV_STATION_EVENT "pt:prevStationEvent"
/* Document level: the GS1 Event Hash ID of each event of the eventList, in its order.  Kept
 * out of the events so that adding it does not change what it names. */
#define PT_EXT_EVENT_HASH_IDS "pt:eventHashIds"

#define PT_EPCIS_CONTEXT_URL "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

/* The extensions' namespace: one for every station, versioned (a new major version of the
 * vocabulary gets a new IRI; terms are only ever added to this one).  It names terms and is
 * never fetched by a JSON-LD processor.  Events signed before it took their station's host
 * ("https://HOST/ns/packtrace/") and keep it: their bodies are signed byte for byte. */
#define PT_EPCIS_NAMESPACE "https://w3id.org/packtrace/ns/v1/"
/* Where every station and hub serves the context document of that namespace
 * (web-ui/packtrace-context-v1.jsonld, application/ld+json), under its own host. */
#define PT_EPCIS_PT_CONTEXT_PATH "/ns/packtrace/v1/context.jsonld"
/* The document itself, compiled into the program (web-ui's GResource). */
#define PT_EPCIS_PT_CONTEXT_RESOURCE "/packtrace/web/packtrace-context-v1.jsonld"

/* CBV 2.0 business steps and dispositions (bare words). NULL-terminated. */
extern const char *const pt_epcis_biz_steps[];
extern const char *const pt_epcis_dispositions[];

gboolean pt_epcis_is_biz_step(const char *word);
gboolean pt_epcis_is_disposition(const char *word);
/* Returns: (transfer full): "a, b, c" for error messages. */
char *pt_epcis_join(const char *const *words);

/* Returns: (transfer full): the URL of the context document events of this station name:
 * https://{public_host}PT_EPCIS_PT_CONTEXT_PATH. */
char *pt_epcis_context_url(const PtConfig *config);

/* A new ObjectEvent for @batch: @context, type, action (ADD for commissioning,
 * OBSERVE otherwise), eventTime (UTC), eventTimeZoneOffset (the station's [station]
 * time_zone at that instant; a caller given another offset sets its own), bizStep, quantityList
 * (the batch's LGTIN as a Digital Link class, with @quantity when > 0), readPoint when the station
 * has a GLN.  The caller adds disposition, ilmd and extensions. Returns: (transfer full). */
json_t *pt_epcis_event_new(const PtConfig *config, const PtBatch *batch, const char *step,
                           gint64 event_time_ns, double quantity, const char *uom);

/* Returns: (transfer full): @batch's lot as an EPC class, its GS1 Digital Link
 * https://id.gs1.org/01/GTIN/10/LOT (the lot percent-encoded as a path segment). */
char *pt_epcis_lot_class(const PtBatch *batch);
/* Returns: (transfer full): the EPC of a pallet, https://id.gs1.org/00/SSCC. */
char *pt_epcis_sscc_uri(const char *sscc);

/* A new AggregationEvent: @cases cases of @batch's lot (childQuantityList, a count without
 * uom) go on (@add: action ADD, bizStep packing, disposition in_progress) or come off (DELETE,
 * unpacking, active) the pallet @sscc (parentID, its SSCC as a Digital Link).  readPoint as
 * pt_epcis_event_new().  Returns: (transfer full). */
json_t *pt_epcis_aggregation_new(const PtConfig *config, const char *sscc, gboolean add,
                                 const PtBatch *batch, gint64 cases, gint64 event_time_ns);

/* One lot and how much of it, for a TransformationEvent: @uom NULL counts cases. */
typedef struct {
  const PtBatch *batch; /* (transfer none) */
  double quantity;      /* 0: not stated */
  const char *uom;      /* (nullable) UN/CEFACT Rec 20 */
} PtEpcisQuantity;

/* A new TransformationEvent: @inputs become @outputs (inputQuantityList,
 * outputQuantityList, as lots), under @transformation_id (an IRI, shared by every event of
 * the same transformation), bizStep @step (repackaging, ...), disposition active.
 * Returns: (transfer full). */
json_t *pt_epcis_transformation_new(const PtConfig *config, const char *transformation_id,
                                    const char *step, const PtEpcisQuantity *inputs, guint n_inputs,
                                    const PtEpcisQuantity *outputs, guint n_outputs,
                                    gint64 event_time_ns);

/* An EPCISDocument with an empty eventList.  Returns: (transfer full). */
json_t *pt_epcis_document_new(const PtConfig *config, gint64 creation_ns);

/* Returns: (borrowed): the document's eventList array. */
json_t *pt_epcis_document_events(json_t *document);

G_END_DECLS

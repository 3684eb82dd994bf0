/* pt-batch.h: what an operator does to a batch, shared by the CLI and the HTTP API:
 * create it (with its commissioning event), hold, release, recall, record a step.
 * Every change is one transaction that writes the signed event and the batch row
 * together, so a batch never shows a state its log does not explain. */
#pragma once

#include "pt-batch-ref.h"
#include "pt-bundle.h"
#include "pt-station.h"
#include "pt-store.h"
#include "pt-text.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct {
  const char *product;
  const char *gtin;
  const char *variety;      /* nullable */
  const char *origin;       /* nullable; a 2-letter ISO 3166 code also becomes countryOfOrigin */
  const char *grower;       /* nullable */
  const char *harvest_date; /* YYYY-MM-DD, nullable */
  const char *pack_date;    /* YYYY-MM-DD, nullable = today (station's local date) */
  const char *at;  /* nullable RFC 3339 (offset optional: the station's zone): when the batch was
                    * harvested or received, the commissioning event's time; default the start
                    * of the harvest date in the station's zone, else now */
  const char *lot; /* nullable = generated */
  gboolean has_quantity;
  double quantity;
  const char *uom; /* nullable = KGM when a quantity is given */
  gboolean demo;   /* the demo's own batch (pt-demo-seed.c): never synced; not from JSON */
  /* A lot made by repacking or sorting another (pt-transform.h), not from JSON: its
   * commissioning event names the TransformationEvent's transformationID and the input's class
   * (pt:transformationID, pt:transformedFrom); nullable. */
  const char *transformation_id;
  const char *transformed_from;
} PtBatchSpec;

/* Reads a spec from a JSON object (the POST /api/v1/batches body).  The strings
 * point into @object.  Unknown members are refused so that typos are not lost. */
gboolean pt_batch_spec_from_json(json_t *object, PtBatchSpec *spec, GError **error);

/* Validates @spec, creates the batch and its commissioning event.
 * Returns: (transfer full). */
PtBatch *pt_batch_create(PtStation *station, PtStore *store, const PtBatchSpec *spec,
                         GError **error);

/* The same inside the caller's write transaction (pt_store_begin()), for a step that makes
 * several batches and events at once.  Returns: (transfer full). */
PtBatch *pt_batch_create_locked(PtStation *station, PtStore *store, const PtBatchSpec *spec,
                                GError **error);

typedef enum {
  PT_BATCH_HOLD,
  PT_BATCH_RELEASE,
  PT_BATCH_RECALL,
} PtBatchAction;

/* Holds, releases or recalls @batch (refreshed in place).  @reason is required for
 * hold and recall. */
gboolean pt_batch_change_status(PtStation *station, PtStore *store, PtBatch *batch,
                                PtBatchAction action, const char *reason, GError **error);

/* An evidence clip already cut for an event (pt-evidence.h): its facts go into the signed
 * event as pt:camera, pt:clipSha256, pt:clipFrom, pt:clipTo, and a clips row links it. */
typedef struct {
  const char *camera;
  gint64 from_ns, to_ns; /* what the file holds */
  const char *path;
  const char *sha256; /* lowercase hex */
  guint64 bytes;
} PtEvidence;

typedef struct {
  const char *step;        /* CBV business step */
  const char *disposition; /* nullable; CBV disposition */
  const char *at;          /* nullable RFC 3339, its offset kept as eventTimeZoneOffset; without
                            * one it is read in the station's zone; default now */
  gboolean has_quantity;
  double quantity;
  const char *uom;
  const char *note;           /* nullable: the operator's, private */
  const char *public_note;    /* nullable: for the consumer page, in clear in public bundles */
  const PtEvidence *evidence; /* nullable */
} PtEventSpec;

/* Reads an event spec from a JSON object (the POST /api/v1/batches/{id}/events body:
 * step, disposition, at, quantity, uom, note, public_note).  The strings point into @object;
 * unknown members are refused.  Evidence is never taken from a request. */
gboolean pt_event_spec_from_json(json_t *object, PtEventSpec *spec, GError **error);

/* Records a step the operator did by hand.  @out (nullable) receives the row. */
gboolean pt_batch_add_event(PtStation *station, PtStore *store, PtBatch *batch,
                            const PtEventSpec *spec, PtEventRow *out, GError **error);

/* Declares event @position (1-based, as `batch show` numbers them) of @batch to be
 * in error: appends a copy of it, with the same eventID, carrying an EPCIS
 * errorDeclaration (@reason "did_not_occur" or "incorrect_data", and the
 * @corrective_id, nullable, of the event that replaces it).  The original record
 * stays as it was: the log is append-only. */
gboolean pt_batch_declare_error(PtStation *station, PtStore *store, PtBatch *batch, gint64 position,
                                const char *reason, const char *corrective_id, PtEventRow *out,
                                GError **error);

/* Returns: (transfer full): the batch's Digital Link (https://host/01/gtin/10/lot?13=yymmdd). */
char *pt_batch_digital_link(const PtConfig *config, const PtBatch *batch);

/* Returns: (transfer full): the batch as JSON (id, lot, gtin, digital_link, ...). */
json_t *pt_batch_to_json(const PtConfig *config, const PtBatch *batch);

/* Returns: (transfer full): the batch as compact JSON text with its events under
 * "event_list", each as pt_event_row_to_json() gives it.  The batch's facts are its signed
 * facts (pt-batch-signed.h), checked along the key chain from @anchor: "facts_verified" says
 * whether the batches row agrees, "fact_mismatches" lists each field where it does not ({field,
 * row, signed}).  The stored records are already canonical JSON, so they are copied into the text
 * as they are instead of being parsed and written again (the batch page is the most read resource).
 * An event that @view (@buyer_gln: a buyer's scope, nullable) does not show (pt-bundle.h) has its
 * envelope with "redacted": true and no record. */
char *pt_batch_show_json(const PtConfig *config, const guint8 anchor[PT_PUB_LEN], PtStore *store,
                         const PtBatch *batch, PtBundleView view, const char *buyer_gln,
                         gsize *len_out, GError **error);

/* Returns: (transfer full): a stored event as JSON: seq, hash, signature, and the
 * signed record under "event". */
json_t *pt_event_row_to_json(const PtEventRow *row, GError **error);

G_END_DECLS

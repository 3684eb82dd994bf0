/* pt-batch-signed.h: a batch's facts as its signed events state them.  The `batches` row is a
 * cache of them for lists and searches; whatever a consumer, buyer or driver is shown, and
 * every decision on whether a batch may be loaded, printed, departed or sold, comes from here.
 *
 * Identity facts (lot, GTIN, product, variety, origin, grower, harvest and pack dates,
 * quantity and unit) come from the batch's commissioning event; status and reason from its
 * last status change (the holding event pt_batch_change_status() signs); the grade from its
 * last grading decision (the inspecting event pt-grading.c signs).  Each of those events is
 * checked against its stored hash and the station's key before it is believed.  A field where
 * the row and the signed events differ is a mismatch: `audit` reports it, the pages warn. */
#pragma once

#include "pt-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct {
  char *field;        /* "product", "status", ... or "record" for an event that does not verify */
  char *row_value;    /* nullable: what the batches row says */
  char *signed_value; /* nullable: what the signed events say */
} PtFactMismatch;

typedef struct {
  PtBatch *facts;        /* the row with every field its verified events state replaced by theirs */
  gboolean commissioned; /* a commissioning event was found and verifies */
  gboolean status_known; /* the status comes from a verified event, or there was none to read */
  char *status_time;     /* nullable: eventTime of the verified status event; NULL: none */
  char *status_hash_id;  /* nullable: that event's GS1 Event Hash ID */
  json_t *grading;       /* nullable: {declared_class, disposition, n_fruit, classes:[{class,
                          * count}]} from the last verified grading decision */
  GPtrArray *mismatches; /* (element-type PtFactMismatch) */
} PtBatchSigned;

/* Reads @row's signed facts (at most three indexed event reads) and compares them with @row;
 * each event checked with the key in force at its record time, along the station's key chain
 * from @anchor (the station's first key, PtKeys.anchor_key).  FALSE only when the store cannot
 * be read. */
gboolean pt_batch_signed_read(PtStore *store, const guint8 anchor[PT_PUB_LEN], const PtBatch *row,
                              PtBatchSigned *out, GError **error);
void pt_batch_signed_clear(PtBatchSigned *signed_state);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtBatchSigned, pt_batch_signed_clear)

/* Returns: (transfer full) (nullable): why @signed_state's batch may not be @verb-ed ("loaded",
 * "printed", "shipped"): its signed status is held or recalled (named with the signed reason),
 * or its signed record is missing or does not verify.  NULL when it may. */
char *pt_batch_signed_refusal(const PtBatchSigned *signed_state, const char *verb);

/* Returns: (transfer full): @signed_state's mismatches as a JSON array of {field, row, signed}
 * (empty when the row agrees with the signed events). */
json_t *pt_batch_signed_mismatches_json(const PtBatchSigned *signed_state);

/* Returns: (transfer full): one line per mismatch, "batch LOT (id N): ...", for `audit`. */
char *pt_fact_mismatch_describe(const PtBatch *row, const PtFactMismatch *mismatch);

G_END_DECLS

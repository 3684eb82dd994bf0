/* pt-label-batch.h: a batch's labels as the station makes them: the label content filled
 * from a batch row and the [labels] settings of station.ini (pt-config.h), rendering, and what a
 * label carries as JSON.  Shared by `packtrace label`, GET /api/v1/batches/{id}/label and the print
 * queue. */
#pragma once

#include "pt-config.h"
#include "pt-label.h"
#include "pt-record.h"
#include "pt-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* A batch's label content.  The strings point into the batch and the config, which
 * must outlive it; only the dates are converted and kept here. */
typedef struct {
  PtLabelContent content;
  char pack_yymmdd[7];
  char harvest_yymmdd[7];
} PtBatchLabel;

void pt_batch_label_init(PtBatchLabel *label, const PtConfig *config, const PtBatch *batch);

/* Renders @batch's label.  @dpi: 0 = the format's default.  @copies: ZPL only, 0 = 1.
 * Label errors come back as PT_ERROR_INVALID (content, text that does not fit) or
 * PT_ERROR_FAILED (fonts, cairo).  Returns: (transfer full). */
GBytes *pt_batch_label_render(const PtConfig *config, const PtBatch *batch,
                              PtLabelTemplate template_, PtLabelFormat format, guint dpi,
                              guint copies, GError **error);

/* What @batch's label carries: digital_link, gs1_element_string (with parentheses),
 * voice_pick_code, gtin14 and every text field.  Returns: (transfer full). */
json_t *pt_batch_label_to_json(const PtConfig *config, const PtBatch *batch, GError **error);

/* The file name of @batch's label, LOT-TEMPLATE.FORMAT.  A lot may hold '/', '.', '"' and
 * other characters of GS1's set, and batches come from HTTP clients: '/', '\\' and '"' become
 * '_', so the name never leaves the folder it is written in or its header quotes.
 * Returns: (transfer full). */
char *pt_label_file_name(const PtBatch *batch, PtLabelTemplate template_, PtLabelFormat format);

/* The batch a label is made of: @row's facts as its signed events state them, refused
 * (PT_ERROR_CONFLICT, naming the signed status and reason) when the signed record says it may
 * not be labelled (held, recalled, or a record that does not verify).  Every label (file,
 * HTTP, print queue) is made from this, never from the row alone.  Returns: (transfer full). */
PtBatch *pt_batch_label_facts(PtStore *store, const guint8 anchor[PT_PUB_LEN], const PtBatch *row,
                              GError **error);

/* Hex SHA-256 of @bytes.  Returns: (transfer full). */
char *pt_label_sha256(GBytes *bytes);

/* The MIME type of a rendered label. */
const char *pt_label_content_type(PtLabelFormat format);

G_END_DECLS

/* pt-recall.h: recalls, shared by the CLI and the HTTP API: the impact list (every lot, load,
 * truck, destination and buyer a lot reached, and back from a customer to lots and growers),
 * the notices a recall or hold sends to each recipient with their acknowledgements and
 * escalations, and the mock-recall drill with its signed report.
 *
 * Notices are written in the transaction of the holding event that makes the recall, so a
 * recall never exists without them; the notice worker (sync/pt-sync-notice.h) delivers them. */
#pragma once

#include "pt-batch-ref.h"
#include "pt-recall-config.h"
#include "pt-station.h"
#include "pt-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* What an impact list starts from: exactly one of a lot (or #id), a GTIN, a pack-date range, a
 * grower (forward: to the customers), or a customer's GLN (backward: to lots and growers). */
typedef struct {
  const char *lot;
  const char *gtin;
  const char *from, *to; /* YYYY-MM-DD, both */
  const char *grower;
  const char *gln;
} PtRecallQuery;

/* Reads a query from URL-style arguments (lot, gtin, from, to, grower, gln): @lookup returns
 * the value of a name or NULL.  Refuses none or more than one criterion, a GTIN that is not a
 * valid GTIN, a date that is not YYYY-MM-DD, a GLN that is not valid. */
gboolean pt_recall_query_check(const PtRecallQuery *query, GError **error);

/* The impact list of @query (see the file comment; the JSON is documented in
 * station/sync/RECALL-NOTICES.md).  An unknown lot is PT_ERROR_NOT_FOUND.
 * Returns: (transfer full). */
json_t *pt_recall_impact(PtStation *station, PtStore *store, const PtRecallQuery *query,
                         GError **error);

/* Inside the caller's write transaction: records a recall of @kind ("recall", "hold" or
 * "drill") of @batch, made by holding event @event_id (nullable for a drill), and one notice
 * per buyer destination of its impact list and per platform connector, queued for the notice
 * worker.  @recall_id_out (nullable) receives the recall's id, @impact_out (nullable, transfer
 * full) the impact list. */
gboolean pt_recall_notify_locked(PtStation *station, PtStore *store, const PtBatch *batch,
                                 const char *kind, const char *reason, const char *event_id,
                                 gint64 *recall_id_out, json_t **impact_out, GError **error);

/* The recalls, newest first, with their progress ("N of M acknowledged", quantities shipped
 * and accounted for); @recall_id not 0: that one with its notices.  Returns: (transfer full). */
json_t *pt_recall_progress(PtStore *store, gint64 recall_id, GError **error);

/* The notices of the buyer scoped to @scope_gln (NULL: an unscoped buyer, who sees all).
 * Returns: (transfer full). */
json_t *pt_recall_notices_for(PtStore *store, const char *scope_gln, GError **error);

/* An acknowledgement by @who (a buyer scoped to @scope_gln) of notice @id: the quantity it
 * still has on hand and the action taken.  A notice to another GLN, a platform's notice, or
 * a buyer without a scope is PT_ERROR_FORBIDDEN; an acknowledged one PT_ERROR_CONFLICT.
 * Returns: (transfer full): the notice as it is now. */
json_t *pt_recall_acknowledge(PtStore *store, gint64 id, const char *who, const char *scope_gln,
                              double on_hand, const char *action, GError **error);

/* A drill's options. */
typedef struct {
  int wait_s;          /* how long to wait for acknowledgements (0: not at all) */
  int deliver_wait_s;  /* how long to wait for deliveries */
  const char *out_dir; /* nullable: where the report goes (default DATA/reports) */
} PtDrillSpec;

/* Runs a mock recall of @batch: the impact list, notices marked drill (no holding event, the
 * batch's status untouched, never on the consumer page or resolver) delivered at once, then
 * waits for acknowledgements; times each step and writes the signed report DIR/drill-ID.json
 * and its PDF.  Returns: (transfer full): the report. */
json_t *pt_recall_drill(PtStation *station, const PtBatch *batch, const PtDrillSpec *spec,
                        char **json_path_out, char **pdf_path_out, GError **error);

/* Checks a drill report's signature (by the key it names, which must be @public_key_hex
 * when that is not NULL).  Returns: TRUE when it verifies. */
gboolean pt_recall_report_verify(const char *path, const char *public_key_hex, GError **error);

G_END_DECLS

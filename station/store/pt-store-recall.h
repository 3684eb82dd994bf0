/* pt-store-recall.h: the store's side of recalls (schema 20): what an impact list reads
 * (the batches a search names, the lots a repack made from a lot and the one it came from,
 * each lot's loads with truck and destination, its pallets by SSCC, its clips) and the
 * recalls with one notice per recipient and its state (pt-recall.h holds the rules).
 *
 * Workload: impact reads run when a co-op hunts a lot, a few times a day at most, but on a
 * log of millions of events, so every read goes through an index by batch (events_by_batch,
 * load_batches_by_batch, pallet_cases_by_batch); none scans the event log.  Notices are a
 * few dozen per recall, written once and updated a handful of times each.
 *
 * Rows are handed up as JSON objects (member names are the columns'), since each goes into
 * the impact list and the API answers as it is. */
#pragma once

#include "pt-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Batch ids whose gtin (14 digits), grower (exact), or pack date (YYYY-MM-DD, inclusive
 * range) match; each criterion NULL to skip it, at most @limit.  Returns: (transfer full)
 * (element-type gint64). */
GArray *pt_store_recall_batches_where(PtStore *store, const char *gtin, const char *grower,
                                      const char *from, const char *to, int limit, GError **error);
/* Batch ids shipped on a load to @gln.  Returns: (transfer full) (element-type gint64). */
GArray *pt_store_recall_batches_to(PtStore *store, const char *gln, int limit, GError **error);

/* The bodies of @batch_id's TransformationEvents, in log order (read by the events_by_batch
 * index).  Returns: (transfer full) (element-type utf8). */
GPtrArray *pt_store_recall_transformations(PtStore *store, gint64 batch_id, GError **error);
/* The body of @batch_id's first event (its commissioning), or NULL when it has none.
 * Returns: (transfer full) (nullable). */
char *pt_store_recall_first_event(PtStore *store, gint64 batch_id, GError **error);

/* @batch_id's loads, in loading order: {load_id, plate, seal, destination, destination_gln,
 * opened_ns, departed_ns (0 while open), loaded_ns, event_id, cases (on its pallets, 0 when
 * loose)}.  Returns: (transfer full). */
json_t *pt_store_recall_loads(PtStore *store, gint64 batch_id, GError **error);
/* @batch_id's pallets: {sscc, cases, load_id (0: still in the shed)}.  Returns: (transfer full). */
json_t *pt_store_recall_pallets(PtStore *store, gint64 batch_id, GError **error);
/* @batch_id's evidence: {step, event_id, camera, sha256, from_ns, to_ns} per clip and
 * {still} per graded fruit still (at most @stills_max).  Returns: (transfer full). */
json_t *pt_store_recall_evidence(PtStore *store, gint64 batch_id, int stills_max, GError **error);

/* The buyer accounts (users and API keys not revoked) scoped to @gln: {account, name,
 * scope_gln}.  Returns: (transfer full). */
json_t *pt_store_recall_buyers(PtStore *store, const char *gln, GError **error);

/* A recall, a hold or a drill of one batch. */
typedef struct {
  gint64 batch_id;
  const char *kind;     /* "recall", "hold" or "drill" */
  const char *reason;   /* nullable */
  const char *event_id; /* nullable: the holding event (a drill has none) */
  gint64 created_ns;
} PtRecallSpec;

/* Inserts a recall; @id_out receives its id. */
gboolean pt_store_recall_insert(PtStore *store, const PtRecallSpec *spec, gint64 *id_out,
                                GError **error);

/* One recipient's notice. */
typedef struct {
  gint64 recall_id;
  const char *recipient; /* "buyer" or "platform" */
  const char *gln;       /* nullable: a buyer's destination GLN */
  const char *name;      /* the destination's name, or the connector's */
  const char *connector; /* nullable: the [sync NAME] webhook it goes to; NULL: portal only */
  double quantity;       /* shipped to this recipient */
  const char *uom;       /* nullable */
  const char *body;      /* the notice JSON */
  gint64 created_ns;
} PtNoticeSpec;

gboolean pt_store_notice_insert(PtStore *store, const PtNoticeSpec *spec, gint64 *id_out,
                                GError **error);

/* Sets the body of notice @id (written once it has its id, which the body names). */
gboolean pt_store_notice_set_body(PtStore *store, gint64 id, const char *body, GError **error);

/* Notices whose delivery is queued and due at @now_ns (at most @limit), each {id, connector,
 * body, escalation (0/1), attempts}.  Returns: (transfer full). */
json_t *pt_store_notices_due(PtStore *store, gint64 now_ns, int limit, GError **error);
/* A delivery's outcome: @ok (2xx) marks it done and the notice delivered (unless acknowledged
 * or escalated since); otherwise it is tried again at @next_ns (0: failed for good). */
gboolean pt_store_notice_delivery(PtStore *store, gint64 id, gboolean ok, int http_status,
                                  const char *why, gint64 now_ns, gint64 next_ns, GError **error);
/* Escalates every notice of a buyer that is neither acknowledged nor escalated and was issued
 * before @before_ns: state escalated, and its delivery queued again as the second notice.
 * @n_out receives how many. */
gboolean pt_store_notices_escalate(PtStore *store, gint64 before_ns, gint64 now_ns, int *n_out,
                                   GError **error);

/* *@any_out: whether any notice pt_store_notices_escalate() would escalate (a read: the
 * worker takes the write lock only when there is something to write). */
gboolean pt_store_notices_overdue(PtStore *store, gint64 before_ns, gboolean *any_out,
                                  GError **error);

/* When there is next something to do: @next_ns_out the earliest of a queued delivery's time
 * and a buyer's open notice's deadline (created + @deadline_ns), 0 when neither; @open_out
 * whether a buyer's notice to a GLN is not acknowledged yet. */
gboolean pt_store_notices_next(PtStore *store, gint64 deadline_ns, gint64 *next_ns_out,
                               gboolean *open_out, GError **error);

/* A notice as the portal and the dashboard show it: {id, recall_id, kind, lot, reason,
 * recipient, gln, name, connector, quantity, uom, state, delivery, created_ns, delivered_ns,
 * acked_ns, escalated_ns, ack_by, ack_on_hand, ack_action, last_error, drill}.  NULL with
 * PT_ERROR_NOT_FOUND when absent.  Returns: (transfer full). */
json_t *pt_store_notice_get(PtStore *store, gint64 id, GError **error);
/* The notices of @recall_id, or (@recall_id 0) those to @gln (NULL: all), newest first, at most
 * @limit.  Returns: (transfer full). */
json_t *pt_store_notices_list(PtStore *store, gint64 recall_id, const char *gln, int limit,
                              GError **error);
/* Records an acknowledgement; PT_ERROR_CONFLICT when the notice already has one. */
gboolean pt_store_notice_ack(PtStore *store, gint64 id, const char *by, double on_hand,
                             const char *action, gint64 now_ns, GError **error);

/* Recalls newest first, at most @limit: {id, batch_id, lot, kind, reason, event_id, created_ns,
 * notices, buyers, acknowledged, delivered, escalated, platforms_delivered}; @recall_id not 0:
 * that one only.  Returns: (transfer full). */
json_t *pt_store_recalls_list(PtStore *store, gint64 recall_id, int limit, GError **error);

G_END_DECLS

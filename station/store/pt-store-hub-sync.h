/* pt-store-hub-sync.h: the state of a hub connector (`[sync NAME] type=hub`) in the store.
 *
 * A hub takes the station's whole signed log, every event in seq order, so the log itself
 * is the queue: the connector's cursor (sync_connectors.cursor, shared with the outbox
 * connectors) is the last seq the hub answered for, and what is pending is every event
 * after it.  Beside it: the last chain head the hub took, the hub's own view of the
 * station (GET /hub/v1/station, kept as text for status), the events it quarantined and
 * the evidence it asked for.  A few rows per request; status reads are rare. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 cursor;   /* last seq the hub answered for */
  gint64 head_seq; /* seq of the last chain head the hub took; 0 = none */
  gint64 retry_gen;
  gint64 max_seq; /* the station log's last seq */
} PtHubSyncState;

/* Creates the connector's state when absent (cursor 0: the hub gets the whole log); once per
 * start of the sync worker, and by status for a connector not yet started. */
gboolean pt_store_hub_sync_ensure(PtStore *store, const char *name, GError **error);
/* Reads the connector's state (PT_ERROR when it was never ensured). */
gboolean pt_store_hub_sync_state(PtStore *store, const char *name, PtHubSyncState *out,
                                 GError **error);

/* Calls @fn for at most @limit events after @after_seq, in seq order. */
gboolean pt_store_hub_sync_events(PtStore *store, gint64 after_seq, int limit, PtEventFunc fn,
                                  gpointer user_data, GError **error);

/* The hub answered for every event up to @seq (@n_delivered of them newly): the cursor moves
 * there, backwards too (a hub that lost events gets them again). */
gboolean pt_store_hub_sync_advance(PtStore *store, const char *name, gint64 seq, gint64 n_delivered,
                                   gint64 now_ns, GError **error);
gboolean pt_store_hub_sync_head_set(PtStore *store, const char *name, gint64 seq, GError **error);
/* @view_json: the hub's answer to GET /hub/v1/station. */
gboolean pt_store_hub_sync_view_set(PtStore *store, const char *name, const char *view_json,
                                    gint64 now_ns, GError **error);

gboolean pt_store_hub_sync_quarantine(PtStore *store, const char *name, gint64 seq,
                                      const char *reason, gint64 now_ns, GError **error);
/* TRUE in @out when the hub quarantined @seq. */
gboolean pt_store_hub_sync_is_quarantined(PtStore *store, const char *name, gint64 seq,
                                          gboolean *out, GError **error);

/* Evidence the hub asked for: @sha256 is 64 lowercase hex.  Asking again for a piece that
 * was refused or missing makes it wanted again; one already sent is sent again only if
 * asked again after it was sent (the hub lost it). */
gboolean pt_store_hub_sync_want(PtStore *store, const char *name, const char *sha256, gint64 now_ns,
                                GError **error);
/* Missing and refused pieces wanted again (`sync retry --failed`: the file was put back, the
 * hub was fixed).  @n_out: how many. */
gboolean pt_store_hub_sync_evidence_retry(PtStore *store, const char *name, gint64 *n_out,
                                          GError **error);
/* The oldest wanted piece.  Returns: (transfer full) (nullable): its hash, NULL when none. */
char *pt_store_hub_sync_next_wanted(PtStore *store, const char *name, GError **error);
/* @state: "sent", "missing" (not on the station or not matching its hash) or "refused" (the
 * hub's answer in @error_text). */
gboolean pt_store_hub_sync_evidence_set(PtStore *store, const char *name, const char *sha256,
                                        const char *state, const char *error_text, gint64 now_ns,
                                        GError **error);

/* Records that the hub's clock read @skew_ms ahead of the station's (negative: behind) at
 * @now_ns. */
gboolean pt_store_hub_sync_clock_set(PtStore *store, const char *name, gint64 skew_ms,
                                     gint64 now_ns, GError **error);

typedef struct {
  char *connector;
  gint64 skew_ms; /* the hub's clock minus the station's */
  gint64 at_ns;   /* when it was read */
} PtHubClock;

void pt_hub_clock_free(PtHubClock *clock);
/* Every hub connector's last reading of the hub's clock, those never read left out.
 * Returns: (transfer full) (element-type PtHubClock). */
GPtrArray *pt_store_hub_clocks(PtStore *store, GError **error);

typedef struct {
  gint64 cursor, head_seq, max_seq;
  gint64 quarantined;
  gint64 evidence_wanted, evidence_sent, evidence_missing, evidence_refused;
  char *view; /* nullable: the hub's last view, JSON text */
  gint64 view_ns;
  gint64 oldest_ns; /* record time of the first event not yet answered for; 0 = none */
} PtHubSyncCounts;

void pt_hub_sync_counts_clear(PtHubSyncCounts *counts);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtHubSyncCounts, pt_hub_sync_counts_clear)
gboolean pt_store_hub_sync_counts(PtStore *store, const char *name, PtHubSyncCounts *counts,
                                  GError **error);

typedef struct {
  gint64 seq;
  char *event_id; /* nullable */
  char *lot;      /* nullable */
  char *reason;
  gint64 at_ns;
} PtHubQuarantined;

void pt_hub_quarantined_free(PtHubQuarantined *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtHubQuarantined, pt_hub_quarantined_free)
/* Returns: (transfer full) (element-type PtHubQuarantined): the newest @limit, newest first.
 * Evidence that could not go (missing or refused) is listed by
 * pt_store_hub_sync_evidence_problems(). */
GPtrArray *pt_store_hub_sync_quarantined(PtStore *store, const char *name, int limit,
                                         GError **error);

typedef struct {
  char *sha256;
  char *state;
  char *error;
} PtHubEvidenceProblem;

void pt_hub_evidence_problem_free(PtHubEvidenceProblem *p);
/* Returns: (transfer full) (element-type PtHubEvidenceProblem): at most @limit. */
GPtrArray *pt_store_hub_sync_evidence_problems(PtStore *store, const char *name, int limit,
                                               GError **error);

/* Where the station keeps the evidence file whose SHA-256 is @sha256: an evidence clip or a
 * driver's photo (@path_out, as stored: absolute or relative to the data directory), or a
 * grading still, named only inside its signed inspecting event (@still_event_out: that
 * event's record, for the caller to read the still's file from).  Both NULL: unknown. */
gboolean pt_store_evidence_find(PtStore *store, const char *sha256, char **path_out,
                                char **still_event_out, GError **error);

G_END_DECLS

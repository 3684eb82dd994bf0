/* pt-store-evidence.h: loading events whose evidence clip could not be cut yet because the
 * dock camera was still recording the window.  A row is written in the transaction of the
 * loading event and deleted in the transaction of its follow-up record (the clip, or why
 * there is none), so after a restart the work left is exactly the rows left. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 event_seq; /* the loading event */
  char *event_id;   /* its eventID */
  gint64 batch_id;
  gint64 load_id;
  char *camera;
  gint64 from_ns, to_ns; /* the evidence window */
  gint64 created_ns;
} PtPendingEvidence;

void pt_pending_evidence_free(PtPendingEvidence *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPendingEvidence, pt_pending_evidence_free)

/* Inside the transaction that appends the loading event. */
gboolean pt_store_evidence_pending_insert(PtStore *store, const PtPendingEvidence *p,
                                          GError **error);
/* Windows that ended before @before_ns, oldest end first, at most @limit.
 * Returns: (transfer full) (element-type PtPendingEvidence). */
GPtrArray *pt_store_evidence_pending_due(PtStore *store, gint64 before_ns, int limit,
                                         GError **error);
/* The earliest end of a pending window into *@to_ns_out, 0 when none is pending. */
gboolean pt_store_evidence_pending_next(PtStore *store, gint64 *to_ns_out, GError **error);
/* Inside the transaction that appends the follow-up record.  PT_ERROR_NOT_FOUND when the
 * row is gone (another process settled it first). */
gboolean pt_store_evidence_pending_delete(PtStore *store, gint64 event_seq, GError **error);

G_END_DECLS

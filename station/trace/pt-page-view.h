/* pt-page-view.h: which of a batch's records its consumer page lists and its script checks,
 * decided alike by the station (http/pt-web.c, http/pt-web-view.c) and the hub
 * (hub/pt-hub-web.c), so the page, its facts and the view of the signed bundle it links name
 * the same records.
 *
 * A batch of at most PT_PAGE_RECORDS_MAX records: every record.  A longer one: the records the
 * page's facts come from, as consumer.js reads them from the signed records (pt-verify.js's
 * signedFacts(), pt-batch-signed.h): the first commissioning (identity), the last status change
 * (a holding with "pt:action") and the last grading decision (an inspecting with
 * "pt:declaredClass"), none declared in error, all public; the photo's and the certificates'
 * records (pt-page-evidence.h); then the latest records, up to the limit.  The latest record is
 * always among them, so the view's last record is the head's.
 *
 * Workload: fed every record of a batch once per batch revision (the page and its view are
 * cached by revision); holds a few numbers and the evidence's entries, never the records. */
#pragma once

#include "pt-record.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct _PtPageView PtPageView;

/* Returns: (transfer full): a selection of at most @limit records (more only when the facts'
 * records alone are more). */
PtPageView *pt_page_view_new(guint limit);
void pt_page_view_free(PtPageView *view);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPageView, pt_page_view_free)

/* Takes the @n-th record of the batch's log (counted from 1, fed in order): @event (transfer
 * none) the signed record, @step its stored business step ("commissioning", ...). */
void pt_page_view_add(PtPageView *view, const json_t *event, const char *step, gsize n);

/* The records fed so far. */
gsize pt_page_view_count(const PtPageView *view);

/* Returns: (transfer full) (element-type gint64): the numbers of the records shown, ascending. */
GArray *pt_page_view_numbers(const PtPageView *view);

/* Sets @data's "photo" and "certificates" as pt_page_evidence_set() does, from the records
 * fed: the page's evidence needs no walk of its own. */
void pt_page_view_set_evidence(const PtPageView *view, json_t *data);

/* TRUE when @shown (from pt_page_view_numbers()) holds @n. */
gboolean pt_page_view_has(const GArray *shown, gint64 n);

/* The walk that gives a page its timeline, the same on the station (http/pt-web.c) and the hub
 * (hub/pt-hub-web.c): fed every record of the batch in order, it appends to @events one
 * timeline entry (pt_bundle_public_entry()) for each record in @shown, naming @clip_link. */
typedef struct {
  const char *clip_link; /* the batch's evidence clip link, as its server spells it */
  json_t *events;        /* the timeline, appended to */
  const GArray *shown;   /* the records the page lists (pt_page_view_numbers()) */
  gint64 n;              /* records fed so far */
} PtPageEntries;

/* A row callback (pt_store_events_foreach(), pt_hub_store_head_events()): @user_data a
 * PtPageEntries.  Fails only on a listed record whose body is not JSON. */
gboolean pt_page_entries_take(const PtEventRow *row, gpointer user_data, GError **error);

G_END_DECLS

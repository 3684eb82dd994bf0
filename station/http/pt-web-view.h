/* pt-web-view.h: a station batch's page view read from its store: which records its consumer
 * page lists (trace/pt-page-view.h) and the view of its public signed bundle that the page's
 * script checks (?linkType=pt:traceBundle&view=page, PT_BUNDLE_VIEW_FORMAT in pt-bundle.h).
 * The hub makes the same from its own store (hub/pt-hub-web.c).
 *
 * Workload: once per batch revision each (the page's facts in pt-web-cache.h, the view's file
 * in pt-doc-cache.h); every record is read once to choose and once to write, and only the
 * chosen ones are kept, so memory stays bounded by PT_PAGE_RECORDS_MAX records whatever the
 * batch's length. */
#pragma once

#include "pt-config.h"
#include "pt-keys.h"
#include "pt-page-view.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Returns: (transfer full): the selection of @batch_id's records its page shows, fed every
 * record; NULL with @error set when the store cannot be read or a record is not JSON. */
PtPageView *pt_web_view_select(PtStore *store, gint64 batch_id, GError **error);

/* Returns: (transfer full): the page's view of @batch's public signed bundle (its text, length
 * in @len_out), signed by @keys; both walks in one read snapshot, so the head counts the
 * records the selection saw.  Called outside a transaction. */
char *pt_web_view_bundle(PtStore *store, const PtConfig *config, const PtKeys *keys,
                         const PtBatch *batch, gsize *len_out, GError **error);

G_END_DECLS

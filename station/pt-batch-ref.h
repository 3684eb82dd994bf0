/* pt-batch-ref.h: a batch named the way operators and scripts name one ("#N" or a lot). */
#pragma once

#include "pt-record.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Finds the batch @ref names: "#N" is the batch with id N and nothing else ('#' is not in
 * GS1's lot characters); any other text is a lot, first; only when no lot has that text does
 * a bare number name the id, as #N would.  So lot "3" is always the lot "3", and #3 the batch
 * with id 3.  Returns: (transfer full). */
PtBatch *pt_batch_lookup(PtStore *store, const char *ref, GError **error);

G_END_DECLS

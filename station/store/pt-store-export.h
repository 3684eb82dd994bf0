/* pt-store-export.h: the lots a regulator's export over a date range starts from
 * (station/pt-export-fsma.h).  The rows an export writes come from the signed events; this
 * only finds the candidate batches, from the batches and loads tables (caches of those events),
 * so that a date range never walks the whole event log. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Fills @ids_out (transfer full) (element-type gint64) with the ids, ascending, of the batches
 * harvested or packed on a day from @from_date to @to_date (YYYY-MM-DD, inclusive) or carried
 * by a load closed in [@from_ns, @to_ns).  More than @max batches fails with
 * PT_ERROR_TOO_LARGE (a narrower range is the answer). */
gboolean pt_store_export_batches_between(PtStore *store, const char *from_date, const char *to_date,
                                         gint64 from_ns, gint64 to_ns, guint max, GArray **ids_out,
                                         GError **error);

G_END_DECLS

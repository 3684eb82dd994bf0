/* pt-scan-signal.h: the counterfeit signal the buyer portal shows: a batch's consumer page
 * views (QR scans) per UTC day and the spike rule of pt-limits.h (PT_SCAN_SPIKE_*).  Many
 * scans of one label on one day, against the batch's usual rate, suggest copies of the label
 * on other fruit.  The station has no location of the scanning phones (it does not geolocate
 * addresses), so "far from its market" is not part of the signal. */
#pragma once

#include "pt-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Looks for a spike in the daily series @counts (@n days, zero-filled, oldest first):
 * *@median_out receives its median; TRUE with *@index_out the busiest day that breaks the
 * rule, FALSE when no day does. */
gboolean pt_scan_find_spike(const gint64 *counts, gsize n, double *median_out, gsize *index_out);

/* The scans of @batch_id as JSON: {"total", "days": [{"day": "YYYY-MM-DD", "count"}],
 * "median_daily", "spike": null | {"day", "count"}, "rule"}, the series over the last
 * PT_SCAN_SERIES_DAYS before @now_ns from its first to its last day with scans.
 * Returns: (transfer full). */
json_t *pt_scan_signal_json(PtStore *store, gint64 batch_id, gint64 now_ns, GError **error);

/* The rule in words, for the page and the CSV's readers.  Returns: (transfer none). */
const char *pt_scan_spike_rule(void);

G_END_DECLS

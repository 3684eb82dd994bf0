/* pt-scan-tally.h: views of the consumer page (QR scans) counted in memory and written to
 * the scans table at most once per PT_SCAN_FLUSH_MS, in one transaction.  Writing each view
 * on its own cost one fsync per page view (synchronous=FULL), which capped the page at a few
 * hundred views a second; a crash now loses at most the last interval's counts, which the
 * counterfeit signal (a spike over hours) does not notice.
 *
 * Lifecycle: pt_scan_tally_new() starts the writer thread -> pt_scan_tally_add() from any
 * thread -> pt_scan_tally_free() writes what is pending and joins the thread. */
#pragma once

#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtScanTally PtScanTally;

/* @station: (transfer none): must outlive the tally.  Returns: (transfer full). */
PtScanTally *pt_scan_tally_new(PtStation *station);
/* Counts one view of @batch_id's page at @now_ns.  Any thread; no I/O, returns at once. */
void pt_scan_tally_add(PtScanTally *tally, gint64 batch_id, gint64 now_ns);
/* Writes the pending counts, then stops.  Safe on NULL. */
void pt_scan_tally_free(PtScanTally *tally);

G_END_DECLS

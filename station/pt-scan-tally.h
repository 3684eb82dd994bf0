/* pt-scan-tally.h: views of the consumer page (QR scans) counted in memory and written to
 * the scans table at most once per PT_SCAN_FLUSH_MS, in one transaction.  Writing each view
 * on its own cost one fsync per page view (synchronous=FULL), which capped the page at a few
 * hundred views a second; a crash now loses at most the last interval's counts, which the
 * counterfeit signal (a spike over hours) does not notice.
 *
 * A scan is one client's GET of a batch's page, counted once per PT_SCAN_CLIENT_WINDOW_S:
 * a client that reloads, fetches the page as HTML and JSON, or sends HEAD, does not inflate
 * the signal.  Who is asking is the calling thread's viewer, set by the HTTP dispatcher
 * around each public request (pt_scan_viewer_set()), so the page's code need not carry it.
 * The client is its address: phones behind one NAT count once per window, which a
 * counterfeit signal (a spike many times the median) can afford; an attacker's repeats
 * cannot.  The (batch, client) pairs seen are bounded (PT_SCAN_SEEN_MAX) and forgotten by
 * the writer after the window; over the bound a view is not counted.
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
/* Counts one view of @batch_id's page at @now_ns, unless the calling thread's viewer is not
 * a GET or saw this batch within the window (no viewer set: counted).  Any thread; no I/O,
 * returns at once. */
void pt_scan_tally_add(PtScanTally *tally, gint64 batch_id, gint64 now_ns);

/* Sets the calling thread's viewer until pt_scan_viewer_clear(): @client (copied, cut at
 * PT_SCAN_CLIENT_MAX) and whether its request is a GET (@counts: FALSE for HEAD). */
void pt_scan_viewer_set(const char *client, gboolean counts);
void pt_scan_viewer_clear(void);
/* Writes the pending counts, then stops.  Safe on NULL. */
void pt_scan_tally_free(PtScanTally *tally);

G_END_DECLS

/* pt-evidence-followup.h: the clip of a loading event, once its window is recorded.
 *
 * A camera's scan writes its loading event at once, while the dock camera is still filming
 * the window [scan - 5 s, scan + 5 s]; the event says pt:evidencePending and a row in
 * evidence_pending (pt-store-evidence.h) remembers the work.  When the window's footage is
 * closed, the clip is cut and a signed follow-up record is appended to the batch's log:
 *
 *   an EPCIS ObjectEvent OBSERVE of the batch, bizStep sensor_reporting (the dock camera is
 *   the sensor), eventTime the end of the window, with pt:evidenceFor = the loading event's
 *   eventID, pt:loadId, pt:camera, pt:clipFrom/pt:clipTo (what the clip holds) and
 *   pt:clipSha256; a clips row links the file to this record, so the consumer page and
 *   GET /api/v1/batches/{id}/clips/N serve it like any other clip.
 *
 * A window whose footage is gone (nothing recorded in it, deleted, unreadable) gets the same
 * record with pt:evidenceMissing = the reason instead of a clip.  A window of which only a
 * part was ever recorded (the station stopped) gets the clip of that part.  The record and
 * the removal of the row are one transaction, so each window is settled exactly once, after
 * a restart too.
 *
 * Threading: PtEvidenceFollowup wakes on the main loop when station.db is written (a new
 * window, a segment closed; pt-store-watch.h) and at the next window's grace deadline, never
 * on a clock, and does the work (a cut reads at demux speed) on its own worker thread with its
 * own store connection. */
#pragma once

#include "pt-station.h"
#include "pt-store-evidence.h"

#include <glib.h>

G_BEGIN_DECLS

/* Settles window @p if it can at @now_ns.  *@settled_out is FALSE when its footage is still
 * being recorded (nothing written; try again later). */
gboolean pt_evidence_followup_settle(PtStation *station, PtStore *store, const PtPendingEvidence *p,
                                     gint64 now_ns, gboolean *settled_out, GError **error);

typedef struct _PtEvidenceFollowup PtEvidenceFollowup;

/* Starts watching on the default main context (where the pending windows are looked at
 * once right away).  GStreamer
 * must be initialised.  @station is borrowed.  Returns: (transfer full). */
PtEvidenceFollowup *pt_evidence_followup_start(PtStation *station);
/* Stops polling, waits for the work under way, frees. */
void pt_evidence_followup_stop(PtEvidenceFollowup *followup);

G_END_DECLS

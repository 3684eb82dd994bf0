/* pt-load-scan.h: what a loading camera's code reads do to loads.  Each payload goes through
 * the strict Digital Link parser, then the GS1 element string parser: a link of this
 * station's public_host (a batch QR), or an element string with (01) and (10) (a case label's
 * GS1-128 or GS1 DataMatrix), naming one of its batches puts that batch on the load open at
 * the camera's dock.  An unknown lot in a link of this host is recorded as a refusal; in an
 * element string, which carries no host, it is another shed's case and only counted.  A code seen
 * again and again while it passes is one event: (load, batch) pairs are remembered in memory,
 * bounded by PT_LOAD_SCAN_DEDUP_MAX, on top of pt_load_add_batch()'s own idempotency.
 *
 * Threading: everything runs on the recorder's main context (where PtCamera delivers the
 * qr callback) and writes through the recorder's store connection; one scan is at most one
 * short write transaction. */
#pragma once

#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PT_QR_LOADED,    /* the batch went on the load (a loading event was written) */
  PT_QR_REPEAT,    /* already handled for this load: nothing written */
  PT_QR_NO_LOAD,   /* a batch of this station, but no load is open at the dock */
  PT_QR_REFUSED,   /* held or recalled, or on another open load: refusal recorded */
  PT_QR_FOREIGN,   /* a valid link of another host, or of no batch of this station */
  PT_QR_MALFORMED, /* not a valid Digital Link */
  PT_QR_FAILED,    /* the store failed; tried again on the next read */
} PtQrOutcome;

typedef struct _PtLoadScan PtLoadScan;

/* @station and @store are borrowed and must outlive the scanner.  Returns: (transfer full). */
PtLoadScan *pt_load_scan_new(PtStation *station, PtStore *store);
void pt_load_scan_free(PtLoadScan *scan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtLoadScan, pt_load_scan_free)

/* Returns: (transfer full): the dock of loading camera @camera: its [camera NAME] dock=
 * key, else its own name (the pairing pt_load_dock_camera() uses). */
char *pt_load_scan_camera_dock(PtStation *station, const char *camera);

/* Handles one read of @payload (untrusted) by @camera at @dock, seen at @utc_ns. */
PtQrOutcome pt_load_scan_handle(PtLoadScan *scan, const char *camera, const char *dock,
                                const char *payload, gint64 utc_ns);

G_END_DECLS

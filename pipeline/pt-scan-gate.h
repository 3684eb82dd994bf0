/* pt-scan-gate.h (private to pipeline/): what decides which frames of a loading camera reach
 * the code readers, and the counters that show it.  Runs on the scan branch's streaming
 * thread, once per decoded frame: a few hundred bytes read per frame, nothing allocated. */
#pragma once

#include "pt-camera-config.h"

#include <gst/gst.h>

G_BEGIN_DECLS

/* Counters of one camera's scan branch, kept across pipeline restarts.  Written with atomics
 * on streaming threads, read with pt_scan_counters_get() anywhere. */
typedef struct {
  gint decoded; /* frames out of the branch's decoder (or into the branch, for a raw source) */
  gint still;   /* frames the motion gate kept from the readers: nothing moved */
  gint scanned; /* frames handed to the code readers */
} PtScanCounters;

typedef struct _PtScanGate PtScanGate;

/* A gate for @config's scan rate, region and motion settings, counting into @counters.
 * @counters: (transfer none), must outlive the gate.  Returns: (transfer full) */
PtScanGate *pt_scan_gate_new(const PtCameraConfig *config, PtScanCounters *counters);
void pt_scan_gate_free(PtScanGate *gate);

/* Adds the gate's probes and gives it to them (freed with the pads' probes):
 * @entry_pad: (transfer none) the branch's input, ahead of its decoder: while nothing moved
 *   for scan_hold_ms only keyframes pass, so a still dock is decoded once a GOP;
 * @decoded_pad: (transfer none) raw frames entering the branch, counted as decoded;
 * @crop_pad: (transfer none) the sink pad of the branch's videocrop: frames beyond the scan
 *   rate and frames in which nothing moved inside the region are dropped here, and the crop
 *   is set to the region when the frame size is known;
 * @scanned_pad: (transfer none) frames reaching the readers, counted as scanned. */
void pt_scan_gate_attach(PtScanGate *gate, GstPad *entry_pad, GstPad *decoded_pad, GstPad *crop_pad,
                         GstPad *scanned_pad);

/* A snapshot of @counters. */
void pt_scan_counters_get(PtScanCounters *counters, PtScanCounters *out);

G_END_DECLS

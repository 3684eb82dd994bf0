/* pt-camera-graph.h (private to pipeline/): builds the GStreamer pipeline of one camera from
 * its config.  The camera (pt-camera.c) owns the result and drives its lifecycle. */
#pragma once

#include "pt-camera-config.h"
#include "pt-file-loop.h"
#include "pt-frame-tap.h"
#include "pt-scan-gate.h"

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  GstElement *pipeline;   /* owned; on the realtime clock */
  GstElement *splitmux;   /* borrowed from pipeline */
  GstElement *h264_tee;   /* borrowed from pipeline: carries the recorded H.264; the live view
                           * attaches here (pt-live.h) */
  GstElement *source_tee; /* borrowed from pipeline: the source's tee (raw video for raw
                           * sources: a masked raw camera's live view encodes from here) */
  int key_int_frames;     /* the longest GOP the camera's encoders make */
  GstPad *entry_pad;      /* owned ref: tee sink pad; EOS sent here drains both branches */
  GstPad *watch_pad;      /* owned ref: source output; every buffer feeds the stall watchdog */
  GstPad *tap_pad;        /* owned ref (nullable): the tap branch's sink pad, for a gate */
  GstPad *scan_pad;       /* owned ref (nullable): the scan branch's sink pad, for a gate */
  PtFileLoop *file_loop;  /* owned; file sources only */
  gboolean passthrough;   /* the source's H.264 is recorded as is */
} PtCameraGraph;

/* Builds the pipeline for @config.  @tap_func may be NULL or config->tap_fps 0: no tap.
 * With @scan (transfer none, must outlive the pipeline), a loading camera gets a scan branch
 * that counts into it and posts zbar's "barcode" element messages. */
gboolean pt_camera_graph_build(PtCameraGraph *graph, const PtCameraConfig *config,
                               PtFrameTapFunc tap_func, gpointer tap_data,
                               GDestroyNotify tap_notify, PtScanCounters *scan, GError **error);
/* Builds the analysis pipeline of a camera with config->analysis_location: the substream's
 * source, a tee, and the tap and scan branches as pt_camera_graph_build() would add them
 * (pixel mask rectangles and the scan region scaled from config->ref_width x ref_height).
 * No recording: graph->splitmux and h264_tee stay NULL; entry_pad and watch_pad are set. */
gboolean pt_camera_graph_build_analysis(PtCameraGraph *graph, const PtCameraConfig *config,
                                        PtFrameTapFunc tap_func, gpointer tap_data,
                                        GDestroyNotify tap_notify, PtScanCounters *scan,
                                        GError **error);
/* Sets the pipeline to NULL and releases everything.  Safe on a cleared graph. */
void pt_camera_graph_clear(PtCameraGraph *graph);

G_END_DECLS

/* pt-camera-graph.c: turns a PtCameraConfig into a pipeline.  Runs once per (re)start of a
 * camera.  H.264 sources (rtsp, file) are parsed and recorded as they come; raw sources
 * (test, v4l2) are encoded once.  The tap hangs off the same tee as the recording so that a
 * raw source is never decoded and a passthrough source is decoded only for the tap.  The
 * H.264 the recording takes passes a tee (PtCameraGraph.h264_tee) where the live view
 * (pt-live.c) attaches while someone watches:
 *
 *   passthrough:  source -> h264parse -> tee -> recording, tap (decoded), scan, [live]
 *   raw:          source -> [time stamp] -> tee -> tap, scan
 *                                             \-> queue -> encoder -> h264parse -> tee ->
 *                                                                recording, [live]
 *
 * A camera with an analysis substream (analysis_source) has two pipelines: the main one
 * without tap and scan (source -> h264parse -> tee -> recording, [live]: nothing decoded),
 * and pt_camera_graph_build_analysis()'s: substream -> h264parse -> tee -> tap, scan. */
#include "pt-camera-graph.h"

#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"
#include "pt-timestamp.h"

#include <gst/app/app.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(pt_graph_debug);
#define GST_CAT_DEFAULT pt_graph_debug

typedef struct {
  GstElement *first;  /* borrowed: where a dynamic source pad links (NULL: static source) */
  GstElement *last;   /* borrowed: source section output (raw video or parsed H.264) */
  GstElement *appsrc; /* borrowed: file sources */
} SourceSection;

static gboolean
add_chain(GstBin *bin, GError **error, GstElement **out_first, GstElement **out_last, ...)
{
  va_list ap;
  GstElement *prev = NULL;
  const char *factory;
  gboolean ok = TRUE;

  va_start(ap, out_last);
  while ((factory = va_arg(ap, const char *)) != NULL) {
    GstElement *e = pt_make_element(factory, NULL, error);

    if (e == NULL) {
      ok = FALSE;
      break;
    }
    gst_bin_add(bin, e);
    if (prev != NULL && !gst_element_link(prev, e)) {
      g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN, "cannot link %s to %s",
                  GST_OBJECT_NAME(prev), GST_OBJECT_NAME(e));
      ok = FALSE;
      break;
    }
    if (prev == NULL && out_first != NULL)
      *out_first = e;
    prev = e;
  }
  va_end(ap);
  if (ok && out_last != NULL)
    *out_last = prev;
  return ok;
}

static void
on_dynamic_pad(GstElement *element, GstPad *pad, gpointer user_data)
{
  GstElement *next = user_data;
  g_autoptr(GstPad) sink = gst_element_get_static_pad(next, "sink");
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  GstStructure *s;

  if (caps == NULL)
    caps = gst_pad_query_caps(pad, NULL);
  s = gst_caps_get_structure(caps, 0);
  if (gst_pad_is_linked(sink))
    return;
  if (gst_structure_has_name(s, "application/x-rtp")) {
    const char *media = gst_structure_get_string(s, "media");
    const char *enc = gst_structure_get_string(s, "encoding-name");

    if (g_strcmp0(media, "video") != 0 || g_strcmp0(enc, "H264") != 0) {
      GST_INFO("ignoring RTSP stream %" GST_PTR_FORMAT, caps);
      return;
    }
  } else if (!g_str_has_prefix(gst_structure_get_name(s), "video/x-raw")) {
    return;
  }
  if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
    GST_WARNING("cannot link %" GST_PTR_FORMAT, pad);
}

static GstCaps *
raw_caps(const PtCameraConfig *c, int def_w, int def_h, int def_fps)
{
  GstCaps *caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", NULL);
  int w = c->width ? c->width : def_w, h = c->height ? c->height : def_h;
  int fps = c->fps ? c->fps : def_fps;

  if (w > 0 && h > 0)
    gst_caps_set_simple(caps, "width", G_TYPE_INT, w, "height", G_TYPE_INT, h, NULL);
  if (fps > 0)
    gst_caps_set_simple(caps, "framerate", GST_TYPE_FRACTION, fps, 1, NULL);
  return caps;
}

static gboolean
build_test(GstBin *bin, const PtCameraConfig *c, SourceSection *s, GError **error)
{
  g_autoptr(GstCaps) caps =
      raw_caps(c, PT_TEST_DEFAULT_WIDTH, PT_TEST_DEFAULT_HEIGHT, PT_TEST_DEFAULT_FPS);

  if (!add_chain(bin, error, &s->first, &s->last, "videotestsrc", "capsfilter", NULL))
    return FALSE;
  g_object_set(s->first, "is-live", TRUE, "num-buffers", c->num_buffers > 0 ? c->num_buffers : -1,
               NULL);
  if (c->location != NULL)
    gst_util_set_object_arg(G_OBJECT(s->first), "pattern", c->location);
  g_object_set(s->last, "caps", caps, NULL);
  s->first = NULL;
  return TRUE;
}

static gboolean
build_v4l2(GstBin *bin, const PtCameraConfig *c, SourceSection *s, GError **error)
{
  GstElement *src, *decode;
  g_autoptr(GstCaps) caps = raw_caps(c, 0, 0, 0);

  /* decodebin passes raw video through and decodes MJPEG, which most USB cameras send at
   * higher resolutions. */
  if (!add_chain(bin, error, &src, &decode, "v4l2src", "decodebin", NULL) ||
      !add_chain(bin, error, &s->first, &s->last, "videoconvert", "videoscale", "videorate",
                 "capsfilter", NULL))
    return FALSE;
  g_object_set(src, "device", c->location, NULL);
  g_object_set(s->last, "caps", caps, NULL);
  g_signal_connect_object(decode, "pad-added", G_CALLBACK(on_dynamic_pad), s->first, 0);
  return TRUE;
}

static gboolean
build_rtsp(GstBin *bin, const char *location, SourceSection *s, GError **error)
{
  GstElement *src;

  if (!add_chain(bin, error, &src, NULL, "rtspsrc", NULL) ||
      !add_chain(bin, error, &s->first, &s->last, "rtph264depay", "h264parse", NULL))
    return FALSE;
  /* TCP: a server that goes away closes the connection and rtspsrc reports it at once;
   * over UDP it would be a silent stall (still caught by the watchdog). */
  g_object_set(src, "location", location, "latency", (guint)PT_RTSP_LATENCY_MS, "tcp-timeout",
               (guint64)PT_RTSP_TCP_TIMEOUT_US, NULL);
  gst_util_set_object_arg(G_OBJECT(src), "protocols", "tcp");
  g_signal_connect_object(src, "pad-added", G_CALLBACK(on_dynamic_pad), s->first, 0);
  return TRUE;
}

static gboolean
build_file(GstBin *bin, SourceSection *s, GError **error)
{
  if (!add_chain(bin, error, &s->appsrc, &s->last, "appsrc", "h264parse", NULL))
    return FALSE;
  g_object_set(s->appsrc, "is-live", TRUE, "format", GST_FORMAT_TIME, "do-timestamp", FALSE,
               "max-buffers", (guint64)PT_FILE_APPSRC_BUFFERS, NULL);
  gst_util_set_object_arg(G_OBJECT(s->appsrc), "leaky-type", "downstream");
  return TRUE;
}

static int
key_int_frames(const PtCameraConfig *c)
{
  int fps =
      c->fps ? c->fps : (c->kind == PT_SOURCE_TEST ? PT_TEST_DEFAULT_FPS : PT_V4L2_ASSUMED_FPS);
  GstClockTime gop = MIN(PT_KEYFRAME_MAX_NS, c->segment_ns);

  return MAX(1, (int)(fps * gop / GST_SECOND));
}

/* Streaming thread: a passthrough source can start mid-GOP (an RTSP stream joined between
 * keyframes, a file reader whose first frames a loaded box dropped at its bounded appsrc);
 * frames before the first keyframe cannot be decoded, and a segment that began with them
 * would hold nothing a viewer or the probe can read.  The recording starts at a keyframe. */
static GstPadProbeReturn
on_record_entry(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  guint *dropped = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT)) {
    (*dropped)++;
    return GST_PAD_PROBE_DROP;
  }
  if (*dropped > 0)
    GST_INFO_OBJECT(pad, "recording starts at a keyframe, %u frames before it dropped", *dropped);
  return GST_PAD_PROBE_REMOVE;
}

/* Raw sources: the encoder's H.264 goes through a tee of its own (@h264_tee_out), so the
 * recording and the live view take one encoding.  Passthrough: NULL, the source's tee is. */
static gboolean
add_recording(GstBin *bin, const PtCameraConfig *c, gboolean passthrough, GstElement **first,
              GstElement **splitmux_out, GstElement **h264_tee_out, GError **error)
{
  GstElement *queue, *last, *splitmux, *mux, *sink;

  if (!add_chain(bin, error, &queue, &last, "queue", NULL))
    return FALSE;
  g_object_set(queue, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
               (guint64)PT_RECORD_QUEUE_NS, NULL);
  if (!passthrough) {
    GstElement *enc = pt_make_h264_encoder(key_int_frames(c), error);
    GstElement *parse;

    if (enc == NULL)
      return FALSE;
    gst_bin_add(bin, enc);
    gst_element_link(last, enc);
    if (!add_chain(bin, error, &parse, &last, "h264parse", "tee", NULL))
      return FALSE;
    gst_element_link(enc, parse);
    g_object_set(last, "allow-not-linked", TRUE, NULL);
    *h264_tee_out = last;
  }
  if (!(splitmux = pt_make_element("splitmuxsink", "record", error)))
    return FALSE;
  mux = pt_make_element("matroskamux", NULL, error);
  sink = pt_make_element("filesink", NULL, error);
  if (mux == NULL || sink == NULL) {
    g_clear_pointer(&mux, gst_object_unref);
    g_clear_pointer(&sink, gst_object_unref);
    gst_object_unref(splitmux);
    return FALSE;
  }
  /* Unbuffered writes: measured on Debian 12, a killed recording keeps 275 of 300 frames
   * instead of 250 with filesink's default 64 KiB buffer (shared/reference/video.md). */
  gst_util_set_object_arg(G_OBJECT(sink), "buffer-mode", "unbuffered");
  g_object_set(splitmux, "muxer", mux, "sink", sink, "max-size-time", (guint64)c->segment_ns,
               "send-keyframe-requests", !passthrough, NULL);
  gst_bin_add(bin, splitmux);
  gst_element_link(last, splitmux);
  if (passthrough) {
    g_autoptr(GstPad) entry = gst_element_get_static_pad(queue, "sink");

    gst_pad_add_probe(entry, GST_PAD_PROBE_TYPE_BUFFER, on_record_entry, g_new0(guint, 1), g_free);
  }
  *first = queue;
  *splitmux_out = splitmux;
  return TRUE;
}

/* The scan branch: a leaky queue (a slow reader drops frames, the recording never waits), a
 * decoder for passthrough sources, then the scan gate (pt-scan-gate.c: scan_fps, motion in the
 * dock region), the crop to that region, ptdmtx on it at the camera's full resolution (GS1
 * DataMatrix and a case label's GS1-128, pt-dmtx.c: only boxes its presence test finds, its
 * time per frame bounded), then scaled down to at most scan_width for zbar (QR) and a fakesink.
 * Dropping and cropping before the readers, scaling before zbar and the presence test before
 * the full-resolution reads are what keep a loading camera's scanning at a fraction of a core
 * (pt-pipeline-limits.h).  The camera's scan_wanted gate in front of it (pt-camera.c) keeps
 * even the decoder idle while no load is open. */
static GstElement *
add_qr_branch(GstBin *bin, const PtCameraConfig *c, gboolean compressed, PtScanCounters *counters,
              GError **error)
{
  GstElement *first = NULL, *q = NULL, *last = NULL;
  gboolean ok = compressed ? add_chain(bin, error, &first, &q, "queue", "h264parse", NULL) &&
                                 (last = pt_make_h264_decoder("qr-decoder", error)) != NULL
                           : add_chain(bin, error, &first, NULL, "queue", NULL);
  if (!ok)
    return NULL;
  if (compressed) {
    gst_bin_add(bin, last);
    gst_element_link(q, last);
    g_object_set(first, "leaky", 2, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
                 (guint64)PT_TAP_DECODE_QUEUE_NS, NULL);
  } else {
    last = first;
    g_object_set(first, "leaky", 2, "max-size-buffers", 2u, "max-size-bytes", 0u, "max-size-time",
                 (guint64)0, NULL);
  }
  GstElement *crop = NULL, *full_caps = NULL, *reader_q = NULL, *caps = NULL, *qr = NULL,
             *sink = NULL;
  if (!add_chain(bin, error, &crop, &full_caps, "videocrop", "videoconvert", "capsfilter", NULL) ||
      !add_chain(bin, error, &reader_q, &caps, "queue", "ptdmtx", "videoscale", "capsfilter",
                 NULL) ||
      !add_chain(bin, error, &qr, &sink, "zbar", "fakesink", NULL))
    return NULL;
  /* zbar and libdmtx read the luma plane of I420 (a decoder's I420 passes the convert as it
   * is). */
  g_autoptr(GstCaps) i420 =
      gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", NULL);
  g_object_set(full_caps, "caps", i420, NULL);
  /* A width range, not a size: a smaller frame passes as it is, a larger one is scaled down
   * to scan_width with its height kept in proportion.  Square pixels, or videoscale halves
   * only the width and marks the pixels 2:1 (twice the rows for zbar). */
  g_autoptr(GstCaps) scan_caps =
      gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, "I420", "pixel-aspect-ratio",
                          GST_TYPE_FRACTION, 1, 1, NULL);
  GValue range = G_VALUE_INIT;
  g_value_init(&range, GST_TYPE_INT_RANGE);
  gst_value_set_int_range(&range, 1, c->scan_width);
  gst_caps_set_value(scan_caps, "width", &range);
  g_value_unset(&range);
  g_object_set(caps, "caps", scan_caps, NULL);
  gst_element_link(full_caps, reader_q);
  gst_element_link(caps, qr);
  g_object_set(reader_q, "leaky", 2, "max-size-buffers", 1u, "max-size-bytes", 0u, "max-size-time",
               (guint64)0, NULL);
  g_object_set(sink, "sync", FALSE, "async", FALSE, NULL);
  gst_element_link(last, crop);
  g_autoptr(GstPad) entry = gst_element_get_static_pad(first, "sink");
  g_autoptr(GstPad) decoded = gst_element_get_static_pad(last, "src");
  g_autoptr(GstPad) crop_sink = gst_element_get_static_pad(crop, "sink");
  g_autoptr(GstPad) reader_src = gst_element_get_static_pad(reader_q, "src");
  pt_scan_gate_attach(pt_scan_gate_new(c, counters), entry, decoded, crop_sink, reader_src);
  return first;
}

/* The tap and scan branches on @tee.  *@tap_notify is cleared once the tap owns tap_data
 * (even when adding it fails). */
static gboolean
add_branches(GstBin *bin, const PtCameraConfig *c, GstElement *tee, gboolean compressed,
             PtFrameTapFunc tap_func, gpointer tap_data, GDestroyNotify *tap_notify,
             PtScanCounters *scan, PtCameraGraph *graph, GError **error)
{
  if (tap_func != NULL && c->tap_fps > 0) {
    GstElement *tap = pt_frame_tap_add(bin, c, compressed, tap_func, tap_data, *tap_notify, error);

    *tap_notify = NULL;
    if (tap == NULL)
      return FALSE;
    gst_element_link(tee, tap);
    graph->tap_pad = gst_element_get_static_pad(tap, "sink");
  }
  if (scan != NULL && c->role == PT_CAMERA_ROLE_LOADING) {
    GstElement *branch = add_qr_branch(bin, c, compressed, scan, error);

    if (branch == NULL)
      return FALSE;
    gst_element_link(tee, branch);
    graph->scan_pad = gst_element_get_static_pad(branch, "sink");
  }
  return TRUE;
}

gboolean
pt_camera_graph_build(PtCameraGraph *graph, const PtCameraConfig *c, PtFrameTapFunc tap_func,
                      gpointer tap_data, GDestroyNotify tap_notify, PtScanCounters *scan,
                      GError **error)
{
  static gsize once = 0;
  g_autoptr(GstElement) pipeline = gst_pipeline_new(c->name);
  g_autoptr(GstClock) clock = pt_realtime_clock();
  GstBin *bin = GST_BIN(pipeline);
  SourceSection s = {0};
  GstElement *tee, *rec_first = NULL, *splitmux = NULL, *h264_tee = NULL;
  gboolean passthrough = c->kind == PT_SOURCE_RTSP || c->kind == PT_SOURCE_FILE;
  gboolean ok = FALSE;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_graph_debug, "pt-camera-graph", 0, "packtrace camera pipeline");
    g_once_init_leave(&once, 1);
  }
  memset(graph, 0, sizeof(*graph));
  switch (c->kind) {
  case PT_SOURCE_TEST:
    ok = build_test(bin, c, &s, error);
    break;
  case PT_SOURCE_V4L2:
    ok = build_v4l2(bin, c, &s, error);
    break;
  case PT_SOURCE_RTSP:
    ok = build_rtsp(bin, c->location, &s, error);
    break;
  case PT_SOURCE_FILE:
    ok = build_file(bin, &s, error);
    break;
  }
  if (!ok)
    goto out;
  if (c->timestamp_overlay == PT_TIMESTAMP_OVERLAY_QR) {
    g_autoptr(GstPad) raw = gst_element_get_static_pad(s.last, "src");
    pt_timestamp_attach(raw);
  }
  ok = add_chain(bin, error, &tee, NULL, "tee", NULL) &&
       add_recording(bin, c, passthrough, &rec_first, &splitmux, &h264_tee, error);
  if (!ok)
    goto out;
  g_object_set(tee, "allow-not-linked", TRUE, NULL);
  gst_element_link(s.last, tee);
  gst_element_link(tee, rec_first);
  /* With a substream the analysis pipeline has the branches: this one only records. */
  if (c->analysis_location == NULL && !add_branches(bin, c, tee, passthrough, tap_func, tap_data,
                                                    &tap_notify, scan, graph, error)) {
    ok = FALSE;
    goto out;
  }
  if (s.appsrc != NULL) {
    graph->file_loop = pt_file_loop_new(c->location, s.appsrc, error);
    if (graph->file_loop == NULL) {
      ok = FALSE;
      goto out;
    }
  }
  gst_pipeline_use_clock(GST_PIPELINE(pipeline), clock);
  graph->entry_pad = gst_element_get_static_pad(tee, "sink");
  graph->watch_pad = gst_element_get_static_pad(s.last, "src");
  graph->splitmux = splitmux;
  graph->h264_tee = h264_tee != NULL ? h264_tee : tee;
  graph->source_tee = tee;
  graph->key_int_frames = key_int_frames(c);
  graph->passthrough = passthrough;
  graph->pipeline = g_steal_pointer(&pipeline);
  GST_INFO("camera %s: %s source, %s", c->name, pt_source_kind_to_string(c->kind),
           passthrough ? "recorded as is" : "encoded once");
out:
  if (!ok) {
    g_clear_object(&graph->tap_pad);
    g_clear_object(&graph->scan_pad);
  }
  if (tap_notify != NULL)
    tap_notify(tap_data);
  return ok;
}

/* The substream is smaller than the main stream, whose pixels a mask's pixel rectangles are
 * in: each becomes the same fraction of the frame, rounded outwards (pt-mask.h's hundredths
 * of a percent).  A rectangle that does not fit the main frame covers the whole substream
 * frame, as ptmask covers the whole main frame for it: a mask fails closed. */
static void
mask_as_fractions(PtMask *mask, int ref_w, int ref_h)
{
  const gint64 full = 100 * 100;

  for (guint i = 0; i < mask->n_rects && ref_w > 0 && ref_h > 0; i++) {
    PtMaskRect *r = &mask->rects[i];

    if (r->percent)
      continue;
    if (r->x + r->w > ref_w || r->y + r->h > ref_h) {
      *r = (PtMaskRect){0, 0, (int)full, (int)full, TRUE};
      continue;
    }
    int x0 = (int)((gint64)r->x * full / ref_w), y0 = (int)((gint64)r->y * full / ref_h);
    int x1 = (int)(((gint64)(r->x + r->w) * full + ref_w - 1) / ref_w);
    int y1 = (int)(((gint64)(r->y + r->h) * full + ref_h - 1) / ref_h);
    *r = (PtMaskRect){x0, y0, MAX(1, x1 - x0), MAX(1, y1 - y0), TRUE};
  }
}

gboolean
pt_camera_graph_build_analysis(PtCameraGraph *graph, const PtCameraConfig *c,
                               PtFrameTapFunc tap_func, gpointer tap_data,
                               GDestroyNotify tap_notify, PtScanCounters *scan, GError **error)
{
  g_autofree char *name = g_strdup_printf("%s-analysis", c->name);
  g_autoptr(GstElement) pipeline = gst_pipeline_new(name);
  g_autoptr(GstClock) clock = pt_realtime_clock();
  GstBin *bin = GST_BIN(pipeline);
  SourceSection s = {0};
  GstElement *tee = NULL;
  PtCameraConfig ac = *c; /* borrows c's strings for the build only */
  gboolean ok;

  memset(graph, 0, sizeof(*graph));
  mask_as_fractions(&ac.mask, c->ref_width, c->ref_height);
  ok = (c->analysis_kind == PT_SOURCE_RTSP ? build_rtsp(bin, c->analysis_location, &s, error)
                                           : build_file(bin, &s, error)) &&
       add_chain(bin, error, &tee, NULL, "tee", NULL);
  if (ok) {
    /* As the recording's muxer makes the main stream's parser do: caps only once the
     * parameter sets are known.  Left to choose, the parser passed the depayloader's
     * byte-stream on with caps that name no profile, which the decoder refuses. */
    g_autoptr(GstCaps) avc = gst_caps_from_string("video/x-h264,stream-format=avc,alignment=au");

    g_object_set(tee, "allow-not-linked", TRUE, NULL);
    gst_element_link_filtered(s.last, tee, avc);
    ok = add_branches(bin, &ac, tee, TRUE, tap_func, tap_data, &tap_notify, scan, graph, error);
  }
  if (ok && s.appsrc != NULL) {
    graph->file_loop = pt_file_loop_new(c->analysis_location, s.appsrc, error);
    ok = graph->file_loop != NULL;
  }
  if (ok) {
    gst_pipeline_use_clock(GST_PIPELINE(pipeline), clock);
    graph->entry_pad = gst_element_get_static_pad(tee, "sink");
    graph->watch_pad = gst_element_get_static_pad(s.last, "src");
    graph->source_tee = tee;
    graph->passthrough = TRUE;
    graph->pipeline = g_steal_pointer(&pipeline);
    GST_INFO("camera %s: analysis from its %s substream", c->name,
             pt_source_kind_to_string(c->analysis_kind));
  } else {
    g_clear_object(&graph->tap_pad);
    g_clear_object(&graph->scan_pad);
    g_clear_pointer(&graph->file_loop, pt_file_loop_free);
  }
  if (tap_notify != NULL)
    tap_notify(tap_data);
  return ok;
}

void
pt_camera_graph_clear(PtCameraGraph *graph)
{
  g_clear_pointer(&graph->file_loop, pt_file_loop_free);
  if (graph->pipeline != NULL)
    gst_element_set_state(graph->pipeline, GST_STATE_NULL);
  g_clear_object(&graph->entry_pad);
  g_clear_object(&graph->watch_pad);
  g_clear_object(&graph->tap_pad);
  g_clear_object(&graph->scan_pad);
  g_clear_object(&graph->pipeline);
  graph->splitmux = NULL;
  graph->h264_tee = NULL;
  graph->source_tee = NULL;
}

/* pt-frame-tap.c: the frame-tap branch and PtTapFrame.  The hot path is the appsink callback,
 * at most tap_fps times a second; everything else runs once per pipeline build.  Memory is
 * bounded by construction: one frame in the leaky queue, one in the appsink, plus the frames
 * callers keep referenced. */
#include "pt-frame-tap.h"

#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"

#include <gst/app/app.h>
#include <gst/video/video.h>
#include <math.h>

GST_DEBUG_CATEGORY_STATIC(pt_tap_debug);
#define GST_CAT_DEFAULT pt_tap_debug

typedef struct {
  PtTapFrame pub;
  gatomicrefcount ref;
  GstVideoFrame vframe;
  char *camera;
} PtTapFrameReal;

PtTapFrame *
pt_tap_frame_ref(PtTapFrame *frame)
{
  g_atomic_ref_count_inc(&((PtTapFrameReal *)frame)->ref);
  return frame;
}

void
pt_tap_frame_unref(PtTapFrame *frame)
{
  PtTapFrameReal *real = (PtTapFrameReal *)frame;

  if (frame == NULL || !g_atomic_ref_count_dec(&real->ref))
    return;
  gst_video_frame_unmap(&real->vframe);
  g_free(real->camera);
  g_free(real);
}

typedef struct {
  char *camera;
  PtTapFormat format;
  GstClockTime min_interval; /* from tap_fps; frames closer than this are skipped */
  GstClockTime last_rt;
  PtFrameTapFunc func;
  gpointer user_data;
  GDestroyNotify notify;
  gint resync;   /* passthrough: a compressed frame was dropped, wait for a keyframe */
  int ref_width; /* the main stream's width when the tap reads a substream; 0: this stream */
} TapState;

static void
tap_state_free(gpointer data)
{
  TapState *t = data;

  if (t->notify != NULL)
    t->notify(t->user_data);
  g_free(t->camera);
  g_free(t);
}

static PtTapFrame *
frame_from_sample(TapState *t, GstSample *sample, GstClockTime rt, GstClockTime base)
{
  GstVideoInfo info;
  PtTapFrameReal *real;
  PtTapFrame *f;

  if (!gst_video_info_from_caps(&info, gst_sample_get_caps(sample)))
    return NULL;
  real = g_new0(PtTapFrameReal, 1);
  if (!gst_video_frame_map(&real->vframe, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
    g_free(real);
    return NULL;
  }
  g_atomic_ref_count_init(&real->ref);
  real->camera = g_strdup(t->camera);
  f = &real->pub;
  f->camera = real->camera;
  f->format = t->format;
  f->width = GST_VIDEO_INFO_WIDTH(&info);
  f->height = GST_VIDEO_INFO_HEIGHT(&info);
  f->n_planes = MIN((int)GST_VIDEO_INFO_N_PLANES(&info), PT_TAP_FRAME_MAX_PLANES);
  for (int i = 0; i < f->n_planes; i++) {
    f->plane[i] = GST_VIDEO_FRAME_PLANE_DATA(&real->vframe, i);
    f->stride[i] = GST_VIDEO_FRAME_PLANE_STRIDE(&real->vframe, i);
  }
  f->size = GST_VIDEO_INFO_SIZE(&info);
  f->utc_ns = (GST_CLOCK_TIME_IS_VALID(base) && base != 0) ? (gint64)(base + rt) : -1;
  f->px_scale = t->ref_width > 0 && f->width > 0 ? (double)t->ref_width / f->width : 1.0;
  return f;
}

static GstFlowReturn
on_tap_sample(GstAppSink *sink, gpointer user_data)
{
  TapState *t = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
  GstBuffer *buf;
  GstClockTime rt;
  PtTapFrame *frame;

  if (sample == NULL)
    return GST_FLOW_EOS;
  buf = gst_sample_get_buffer(sample);
  rt = gst_segment_to_running_time(gst_sample_get_segment(sample), GST_FORMAT_TIME,
                                   GST_BUFFER_PTS(buf));
  if (!GST_CLOCK_TIME_IS_VALID(rt))
    return GST_FLOW_OK;
  /* videorate's max-rate is whole frames per second; this makes fractional rates exact. */
  if (GST_CLOCK_TIME_IS_VALID(t->last_rt) && rt < t->last_rt + t->min_interval)
    return GST_FLOW_OK;
  t->last_rt = rt;
  frame = frame_from_sample(t, sample, rt, gst_element_get_base_time(GST_ELEMENT(sink)));
  if (frame == NULL)
    return GST_FLOW_OK;
  t->func(frame, t->user_data);
  pt_tap_frame_unref(frame);
  return GST_FLOW_OK;
}

static void
on_compressed_overrun(GstElement *queue, gpointer user_data)
{
  g_atomic_int_set(&((TapState *)user_data)->resync, 1);
}

static GstPadProbeReturn
drop_until_keyframe(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  TapState *t = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

  if (!g_atomic_int_get(&t->resync))
    return GST_PAD_PROBE_OK;
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_DROP;
  g_atomic_int_set(&t->resync, 0);
  return GST_PAD_PROBE_OK;
}

static void
set_if_exists(GstElement *e, const char *prop, const char *value)
{
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(e), prop) != NULL)
    gst_util_set_object_arg(G_OBJECT(e), prop, value);
}

GstElement *
pt_frame_tap_add(GstBin *bin, const PtCameraConfig *config, gboolean compressed,
                 PtFrameTapFunc func, gpointer user_data, GDestroyNotify notify, GError **error)
{
  static gsize once = 0;
  GstElement *cq = NULL, *parse = NULL, *dec = NULL, *q, *rate, *scale, *conv, *filter, *sink;
  GstElement *first;
  g_autoptr(GstCaps) caps = NULL;
  GstAppSinkCallbacks cbs = {.new_sample = on_tap_sample};
  TapState *t;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_tap_debug, "pt-frame-tap", 0, "packtrace frame tap");
    g_once_init_leave(&once, 1);
  }
  /* The tee carries avc for the muxer; software decoders want byte-stream: parse again. */
  if (compressed && (!(cq = pt_make_element("queue", "tap-h264-queue", error)) ||
                     !(parse = pt_make_element("h264parse", "tap-parse", error)) ||
                     !(dec = pt_make_h264_decoder("tap-decoder", error)))) {
    g_clear_pointer(&cq, gst_object_unref);
    g_clear_pointer(&parse, gst_object_unref);
    if (notify != NULL)
      notify(user_data);
    return NULL;
  }
  q = pt_make_element("queue", "tap-queue", NULL);
  rate = pt_make_element("videorate", "tap-rate", NULL);
  scale = pt_make_element("videoscale", "tap-scale", NULL);
  conv = pt_make_element("videoconvert", "tap-convert", NULL);
  filter = pt_make_element("capsfilter", "tap-caps", NULL);
  sink = pt_make_element("appsink", "tap-sink", error);
  if (!q || !rate || !scale || !conv || !filter || !sink) {
    GstElement *all[] = {cq, parse, dec, q, rate, scale, conv, filter, sink};

    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
      g_clear_pointer(&all[i], gst_object_unref);
    if (error != NULL && *error == NULL)
      g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN,
                  "gstreamer1.0-plugins-base is incomplete (videorate, videoscale, videoconvert)");
    if (notify != NULL)
      notify(user_data);
    return NULL;
  }

  t = g_new0(TapState, 1);
  t->camera = g_strdup(config->name);
  t->format = config->tap_format;
  t->min_interval = (GstClockTime)(GST_SECOND / config->tap_fps * 0.95);
  t->last_rt = GST_CLOCK_TIME_NONE;
  t->func = func;
  t->user_data = user_data;
  t->notify = notify;
  t->ref_width = config->ref_width;

  g_object_set(q, "leaky", 2, "max-size-buffers", (guint)PT_TAP_QUEUE_BUFFERS, "max-size-bytes", 0u,
               "max-size-time", (guint64)0, "silent", TRUE, NULL);
  g_object_set(rate, "drop-only", TRUE, "max-rate", (int)MAX(1, ceil(config->tap_fps)), NULL);
  caps = gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING,
                             config->tap_format == PT_TAP_FORMAT_RGB ? "RGB" : "I420", NULL);
  if (config->tap_width > 0 && config->tap_height > 0)
    gst_caps_set_simple(caps, "width", G_TYPE_INT, config->tap_width, "height", G_TYPE_INT,
                        config->tap_height, NULL);
  g_object_set(filter, "caps", caps, NULL);
  /* async=false: a gated tap may see no frame for hours; the pipeline must not wait for it
   * to preroll. */
  g_object_set(sink, "max-buffers", (guint)PT_TAP_APPSINK_BUFFERS, "drop", TRUE, "sync", FALSE,
               "async", FALSE, "enable-last-sample", FALSE, "emit-signals", FALSE, NULL);
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, t, tap_state_free);
  gst_bin_add_many(bin, q, rate, scale, conv, filter, sink, NULL);
  gst_element_link_many(scale, conv, filter, sink, NULL);
  /* The mask goes in after the rate (it covers only the frames the tap keeps) and before the
   * scaler (its rectangles are in the camera's pixels): thumbnails and grading stills are
   * what people see, and the grader sees the same frame. */
  if (config->mask.n_rects > 0) {
    GstElement *mask_first, *mask_last;

    if (!pt_mask_add(bin, &config->mask, config->name, &mask_first, &mask_last, error))
      return NULL;
    gst_element_link_many(q, rate, mask_first, NULL);
    gst_element_link(mask_last, scale);
  } else {
    gst_element_link_many(q, rate, scale, NULL);
  }
  first = q;
  if (compressed) {
    g_autoptr(GstPad) cq_src = gst_element_get_static_pad(cq, "src");

    g_object_set(cq, "leaky", 2, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
                 (guint64)PT_TAP_DECODE_QUEUE_NS, NULL);
    /* Decoder errors on a damaged frame must not stop the camera: keep decoding. */
    set_if_exists(dec, "max-errors", "-1");
    g_signal_connect(cq, "overrun", G_CALLBACK(on_compressed_overrun), t);
    gst_pad_add_probe(cq_src, GST_PAD_PROBE_TYPE_BUFFER, drop_until_keyframe, t, NULL);
    gst_bin_add_many(bin, cq, parse, dec, NULL);
    gst_element_link_many(cq, parse, dec, q, NULL);
    first = cq;
  }
  GST_DEBUG("camera %s: tap at %.2f fps (%s)", config->name, config->tap_fps,
            compressed ? "decoding H.264" : "raw");
  return first;
}

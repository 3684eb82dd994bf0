/* bench-packgrade.c: the latency packgrade adds in a live pipeline, printed, not a test.
 *
 *   appsrc is-live=true do-timestamp=true (25 fps, fruitgen belt frames with six oranges
 *   moving right) ! ELEMENT ! fakesink sync=false
 *
 * For ELEMENT = packgrade and, as the baseline, identity, at 720p and 1080p I420, prints the
 * medians of the time a buffer spends inside the element (pad probes on its sink and src
 * pads) and of PTS-to-arrival at the sink (pipeline clock at the sink's handoff minus base
 * time minus PTS).
 *   bench-packgrade [FRAMES]      (default 100 per run, pushed in real time) */
#include "fruitgen.h"
#include "pt-pipeline.h"

#include <gst/app/app.h>
#include <stdio.h>
#include <stdlib.h>

#define N_VARIANTS 8

typedef struct {
  GstClockTime in_us[1024]; /* keyed by frame number modulo */
  double *inside_ms, *arrival_ms;
  guint n_inside, n_arrival, max;
  GstElement *pipeline;
} Stats;

static GstPadProbeReturn
on_in(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Stats *st = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  st->in_us[GST_BUFFER_OFFSET(buf) % 1024] = g_get_monotonic_time();
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_out(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Stats *st = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  if (st->n_inside < st->max)
    st->inside_ms[st->n_inside++] =
        (g_get_monotonic_time() - st->in_us[GST_BUFFER_OFFSET(buf) % 1024]) / 1000.0;
  return GST_PAD_PROBE_OK;
}

static void
on_handoff(GstElement *sink, GstBuffer *buf, GstPad *pad, gpointer data)
{
  Stats *st = data;
  g_autoptr(GstClock) clock = gst_element_get_clock(sink);
  if (clock == NULL || !GST_BUFFER_PTS_IS_VALID(buf) || st->n_arrival >= st->max)
    return;
  GstClockTime now = gst_clock_get_time(clock) - gst_element_get_base_time(sink);
  st->arrival_ms[st->n_arrival++] = ((gint64)now - (gint64)GST_BUFFER_PTS(buf)) / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : (x > y ? 1 : 0);
}

static double
median(double *v, guint n)
{
  if (n == 0)
    return 0;
  qsort(v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

static GBytes *
render(int width, int height, guint variant)
{
  FgScene scene;
  PtFrame frame;
  double mmpx = 480.0 / width; /* a fruit spans about a sixth of the width */
  fg_scene_init(&scene, width, height, 42 + variant);
  scene.mm_per_px = mmpx;
  for (int i = 0; i < 6; i++) {
    FgFruit *f = fg_scene_add(&scene, 60 + (i % 3) * 170 + 8.0 * variant, 75 + (i / 3) * 120,
                              68 + 3 * i, 235, 135 - 5 * i, 30);
    if (i % 2 == 0)
      fg_fruit_add_spot(f, 0.2, -0.1, 40 + 20 * i, 0.4);
  }
  g_autoptr(PtImage) image = fg_render(&scene);
  guint8 *yuv = fg_to_i420(image, &frame);
  return g_bytes_new_take(yuv, (gsize)width * height * 3 / 2);
}

static void
run(const char *element, int width, int height, guint frames, GBytes **variants)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *desc = g_strdup_printf(
      "appsrc name=src is-live=true do-timestamp=true format=time "
      "caps=video/x-raw,format=I420,width=%d,height=%d,framerate=25/1 ! %s name=el ! "
      "fakesink name=sink sync=false signal-handoffs=true",
      width, height, element);
  GstElement *pipeline = gst_parse_launch(desc, &error);
  if (!pipeline) {
    fprintf(stderr, "bench-packgrade: %s\n", error->message);
    exit(1);
  }
  Stats *st = g_new0(Stats, 1);
  st->max = frames;
  st->inside_ms = g_new0(double, frames);
  st->arrival_ms = g_new0(double, frames);
  GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  GstElement *el = gst_bin_get_by_name(GST_BIN(pipeline), "el");
  GstElement *sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  if (g_str_has_prefix(element, "packgrade"))
    g_object_set(el, "mm-per-px", 480.0 / width, NULL);
  GstPad *sinkpad = gst_element_get_static_pad(el, "sink");
  GstPad *srcpad = gst_element_get_static_pad(el, "src");
  gst_pad_add_probe(sinkpad, GST_PAD_PROBE_TYPE_BUFFER, on_in, st, NULL);
  gst_pad_add_probe(srcpad, GST_PAD_PROBE_TYPE_BUFFER, on_out, st, NULL);
  g_signal_connect(sink, "handoff", G_CALLBACK(on_handoff), st);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);

  gint64 start = g_get_monotonic_time();
  for (guint k = 0; k < frames; k++) {
    gint64 due = start + (gint64)k * 40000;
    gint64 now = g_get_monotonic_time();
    if (due > now)
      g_usleep((gulong)(due - now));
    GstBuffer *buf = gst_buffer_new_wrapped_bytes(variants[k % N_VARIANTS]);
    GST_BUFFER_OFFSET(buf) = k;
    gst_app_src_push_buffer(GST_APP_SRC(src), buf);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  printf("%-10s %4dx%-4d  %3u frames  inside element median %7.2f ms  PTS-to-arrival median "
         "%7.2f ms%s\n",
         element, width, height, st->n_inside, median(st->inside_ms, st->n_inside),
         median(st->arrival_ms, st->n_arrival),
         g_str_has_prefix(element, "packgrade") ? "  (graded every frame)" : "");
  gst_object_unref(sinkpad);
  gst_object_unref(srcpad);
  gst_object_unref(src);
  gst_object_unref(el);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  g_free(st->inside_ms);
  g_free(st->arrival_ms);
  g_free(st);
}

int
main(int argc, char **argv)
{
  guint64 frames = 100;
  const int sizes[2][2] = {{1280, 720}, {1920, 1080}};

  gst_init(&argc, &argv);
  if (argc > 1 && !g_ascii_string_to_unsigned(argv[1], 10, 10, 10000, &frames, NULL)) {
    fprintf(stderr, "usage: bench-packgrade [FRAMES 10..10000]\n");
    return 2;
  }
  pt_packgrade_register(NULL);
  printf("packgrade added latency, live appsrc at 25 fps, I420, six oranges in view\n");
  for (guint s = 0; s < 2; s++) {
    GBytes *variants[N_VARIANTS];
    for (guint v = 0; v < N_VARIANTS; v++)
      variants[v] = render(sizes[s][0], sizes[s][1], v);
    run("identity", sizes[s][0], sizes[s][1], (guint)frames, variants);
    run("packgrade", sizes[s][0], sizes[s][1], (guint)frames, variants);
    for (guint v = 0; v < N_VARIANTS; v++)
      g_bytes_unref(variants[v]);
  }
  return 0;
}

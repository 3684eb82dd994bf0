/* test-packgrade.c: the packgrade element in real pipelines (appsrc ! packgrade ! appsink)
 * fed with fruitgen frames of fruit moving along a belt: each fruit counted once with its
 * views combined (a defect seen in only some views decides the class), ROI metas with a
 * grade structure on the graded frames, min-interval, a bad profile, and the plugin build
 * through gst-inspect-1.0 / gst-launch-1.0. */
#include "fruitgen.h"
#include "pt-pipeline.h"

#include <gst/app/app.h>
#include <math.h>
#include <string.h>

#define WIDTH     960
#define HEIGHT    540
#define MM_PER_PX 0.3
#define STEP_MM   12.0
#define N_FRAMES  52

static const double diameters[3] = {64.0, 72.0, 80.0};
static const double starts_mm[3] = {-40.0, -150.0, -260.0};

/* Frame @k: three oranges in a row moving right by STEP_MM a frame.  The middle one shows a
 * 2 cm2 spot only while it crosses the middle of the view (it turns on the rollers), so only
 * some of its views hold the defect. */
static GstBuffer *
render_frame(guint k, gboolean i420)
{
  FgScene scene;
  g_autoptr(PtImage) image = NULL;
  GstBuffer *buf;

  fg_scene_init(&scene, WIDTH, HEIGHT, 100 + k);
  for (guint i = 0; i < 3; i++) {
    double cx = starts_mm[i] + STEP_MM * k;
    FgFruit *f = fg_scene_add(&scene, cx, 81.0, diameters[i], 235, 135, 30);

    if (i == 1 && cx > 110 && cx < 180)
      fg_fruit_add_spot(f, 0.1, 0.1, 200.0, 0.35);
  }
  image = fg_render(&scene);
  if (i420) {
    PtFrame frame;
    guint8 *yuv = fg_to_i420(image, &frame);
    gsize size = (gsize)WIDTH * HEIGHT * 3 / 2;

    buf = gst_buffer_new_wrapped(yuv, size);
  } else {
    gsize size = (gsize)image->stride * HEIGHT;

    g_assert_cmpint(image->stride, ==, WIDTH * 3);
    buf = gst_buffer_new_memdup(image->pixels, size);
  }
  GST_BUFFER_PTS(buf) = k * 40 * GST_MSECOND;
  GST_BUFFER_DURATION(buf) = 40 * GST_MSECOND;
  return buf;
}

typedef struct {
  guint n_graded_frames; /* buffers that carried at least one fruit ROI */
  guint n_metas;
  gboolean metas_ok;
  GPtrArray *messages; /* (element-type GstStructure) */
} RunResult;

static void
run_result_clear(RunResult *r)
{
  g_ptr_array_unref(r->messages);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RunResult, run_result_clear)

static void
run_belt(const char *format, const char *props, RunResult *out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *desc = g_strdup_printf(
      "appsrc name=src format=time caps=video/x-raw,format=%s,width=%d,height=%d,framerate=25/1 "
      "! packgrade name=grade mm-per-px=%g belt-direction=right %s ! appsink name=sink sync=false",
      format, WIDTH, HEIGHT, MM_PER_PX, props);
  g_autoptr(GstElement) pipeline = gst_parse_launch(desc, &error);
  g_autoptr(GstElement) src = NULL, sink = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstSample *sample;
  GstMessage *msg;

  g_assert_no_error(error);
  src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  bus = gst_element_get_bus(pipeline);
  *out =
      (RunResult){.metas_ok = TRUE,
                  .messages = g_ptr_array_new_with_free_func((GDestroyNotify)gst_structure_free)};
  g_assert_cmpint(gst_element_set_state(pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  for (guint k = 0; k < N_FRAMES; k++)
    g_assert_cmpint(gst_app_src_push_buffer(GST_APP_SRC(src), render_frame(k, format[0] == 'I')),
                    ==, GST_FLOW_OK);
  gst_app_src_end_of_stream(GST_APP_SRC(src));

  while ((sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))) != NULL) {
    GstBuffer *buf = gst_sample_get_buffer(sample);
    gpointer state = NULL;
    GstMeta *meta;
    guint n = 0;

    while ((meta = gst_buffer_iterate_meta_filtered(
                buf, &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
      GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *)meta;
      GstStructure *grade = gst_video_region_of_interest_meta_get_param(roi, "grade");
      guint64 track = 0;

      n++;
      if (roi->roi_type != g_quark_from_string("fruit") || grade == NULL ||
          !gst_structure_get_uint64(grade, "track-id", &track) || track == 0 ||
          gst_structure_get_string(grade, "class") == NULL ||
          !gst_structure_has_field_typed(grade, "diameter-mm", G_TYPE_DOUBLE) || roi->w == 0)
        out->metas_ok = FALSE;
    }
    out->n_metas += n;
    out->n_graded_frames += n > 0;
    gst_sample_unref(sample);
  }
  g_assert_true(gst_app_sink_is_eos(GST_APP_SINK(sink)));
  while ((msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR)) != NULL) {
    const GstStructure *s = gst_message_get_structure(msg);

    g_assert_cmpint(GST_MESSAGE_TYPE(msg), ==, GST_MESSAGE_ELEMENT);
    if (gst_structure_has_name(s, PT_PACKGRADE_MESSAGE))
      g_ptr_array_add(out->messages, gst_structure_copy(s));
    gst_message_unref(msg);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
}

static const GstStructure *
fruit_nearest(GPtrArray *messages, double diameter)
{
  const GstStructure *best = NULL;
  double best_d = G_MAXDOUBLE;

  for (guint i = 0; i < messages->len; i++) {
    const GstStructure *s = g_ptr_array_index(messages, i);
    double d = 0;

    gst_structure_get_double(s, "diameter-mm", &d);
    if (fabs(d - diameter) < best_d) {
      best_d = fabs(d - diameter);
      best = s;
    }
  }
  return best;
}

static void
test_counts_each_fruit_once(void)
{
  g_auto(RunResult) r = {0};
  guint64 ids[3] = {0};

  run_belt("I420", "", &r);
  g_test_message("%u graded frames, %u ROI metas, %u fruit", r.n_graded_frames, r.n_metas,
                 r.messages->len);
  g_assert_true(r.metas_ok);
  g_assert_cmpuint(r.n_graded_frames, >=, N_FRAMES - 6);
  g_assert_cmpuint(r.messages->len, ==, 3);
  for (guint i = 0; i < 3; i++) {
    const GstStructure *s = fruit_nearest(r.messages, diameters[i]);
    const char *klass = gst_structure_get_string(s, "class");
    double d = 0;
    guint views = 0;

    g_assert_true(gst_structure_get_double(s, "diameter-mm", &d));
    g_assert_true(gst_structure_get_uint(s, "views", &views));
    g_assert_true(gst_structure_get_uint64(s, "track-id", &ids[i]));
    g_test_message("fruit %u: %s d=%.2f views=%u rule=%s", i, klass, d, views,
                   gst_structure_get_string(s, "rule"));
    g_assert_cmpfloat_with_epsilon(d, diameters[i], 1.0);
    g_assert_cmpuint(views, >=, 10);
    if (i == 1) {
      /* The spot was in view for a few frames only; that worst view decides. */
      double area = 0;

      g_assert_cmpstr(klass, ==, "II");
      g_assert_true(gst_structure_get_double(s, "defect-area-mm2", &area));
      g_assert_cmpfloat_with_epsilon(area, 200.0, 20.0);
    } else {
      g_assert_true(g_strcmp0(klass, "Extra") == 0 || g_strcmp0(klass, "I") == 0);
    }
  }
  g_assert_true(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
}

static void
test_min_interval_rgb(void)
{
  g_auto(RunResult) r = {0};

  /* Frames come every 40 ms; grading at most every 70 ms grades every other one. */
  run_belt("RGB", "min-interval=70000000", &r);
  g_test_message("%u graded frames, %u fruit", r.n_graded_frames, r.messages->len);
  for (guint i = 0; i < r.messages->len; i++) {
    g_autofree char *text = gst_structure_to_string(g_ptr_array_index(r.messages, i));
    g_test_message("%s", text);
  }
  g_assert_true(r.metas_ok);
  g_assert_cmpuint(r.n_graded_frames, <=, N_FRAMES / 2 + 1);
  g_assert_cmpuint(r.n_graded_frames, >=, N_FRAMES / 2 - 4);
  g_assert_cmpuint(r.messages->len, ==, 3);
}

static void
test_bad_profile(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline =
      gst_parse_launch("videotestsrc num-buffers=3 ! video/x-raw,format=I420 ! "
                       "packgrade profile=no-such-profile ! fakesink",
                       &error);
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) msg = NULL;
  g_autoptr(GError) gst_error = NULL;

  g_assert_no_error(error);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  g_assert_nonnull(msg);
  g_assert_cmpint(GST_MESSAGE_TYPE(msg), ==, GST_MESSAGE_ERROR);
  gst_message_parse_error(msg, &gst_error, NULL);
  g_assert_nonnull(strstr(gst_error->message, "unknown grade profile 'no-such-profile'"));
  gst_element_set_state(pipeline, GST_STATE_NULL);
}

/* The shared module, as someone outside the station would use it. */
static void
test_plugin(void)
{
  const char *build = g_getenv("PACKTRACE_BUILD");
  g_autofree char *inspect = g_find_program_in_path("gst-inspect-1.0");
  g_autofree char *launch = g_find_program_in_path("gst-launch-1.0");
  g_autofree char *plugin_path = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) env = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (build == NULL || inspect == NULL || launch == NULL) {
    g_test_skip("needs PACKTRACE_BUILD, gst-inspect-1.0 and gst-launch-1.0");
    return;
  }
  plugin_path = g_build_filename(build, "pipeline", NULL);
  env = g_environ_setenv(g_get_environ(), "GST_PLUGIN_PATH", plugin_path, TRUE);
  /* The tools' own leaks are not this test's (gst-leaks.sh checks this process only). */
  env = g_environ_unsetenv(env, "GST_TRACERS");
  if (g_getenv("PT_TEST_TOOL_PRELOAD") != NULL) {
    /* ASan build: the tools are not instrumented, so their own exit-time allocations are
     * not checked for leaks; the element's are, in the tests above. */
    env = g_environ_setenv(env, "LD_PRELOAD", g_getenv("PT_TEST_TOOL_PRELOAD"), TRUE);
    env = g_environ_setenv(env, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
  }
  {
    const char *argv[] = {inspect, "packgrade", NULL};

    g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_assert_nonnull(strstr(out, "libgstpackgrade.so"));
    g_assert_nonnull(strstr(out, "belt-direction"));
  }
  {
    const char *argv[] = {launch,
                          "-q",
                          "videotestsrc",
                          "num-buffers=10",
                          "!",
                          "video/x-raw,format=RGB,width=320,height=240",
                          "!",
                          "packgrade",
                          "belt-direction=right",
                          "!",
                          "fakesink",
                          NULL};

    g_assert_true(g_spawn_sync(NULL, (char **)argv, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error));
    g_assert_no_error(error);
    g_assert_true(g_spawn_check_wait_status(status, NULL));
  }
}

int
main(int argc, char **argv)
{
  int status;

  gst_init(&argc, &argv);
  g_test_init(&argc, &argv, NULL);
  g_assert_true(pt_packgrade_register(NULL));
  g_test_add_func("/packgrade/counts-each-fruit-once", test_counts_each_fruit_once);
  g_test_add_func("/packgrade/min-interval-rgb", test_min_interval_rgb);
  g_test_add_func("/packgrade/bad-profile", test_bad_profile);
  g_test_add_func("/packgrade/plugin", test_plugin);
  status = g_test_run();
  /* The leaks tracer (tests/pipeline/gst-leaks.sh) lists the objects still alive here. */
  gst_deinit();
  return status;
}

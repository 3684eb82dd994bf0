/* test-live.c: the live view, on demand, on a raw camera (one encoding shared with the
 * recording) and a passthrough RTSP camera (the source's H.264 as it comes).  For each:
 * three watch / leave cycles, in which the HLS branch is attached (the playlist and a
 * segment appear, the segment decodes, no second encoder is ever made), then detached after
 * the idle time (the branch's elements and its folder are gone); the recording across all
 * of it is unbroken: contiguous 1 s segments, every one intact, no gap.  Then a camera
 * restart (a source error) while someone still watches: the rebuilt pipeline has the branch
 * again.  Elements and files are checked, not mocked. */
#include "pt-test-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#define SERVER_LAUNCH                                                                              \
  "( videotestsrc is-live=true pattern=ball ! "                                                    \
  "video/x-raw,format=I420,width=320,height=240,framerate=25/1 ! "                                 \
  "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=25 ! "                              \
  "rtph264pay name=pay0 pt=96 config-interval=1 )"

/* Waits scaled by PT_TEST_TIME_SCALE (the sanitizer setup slows everything, tests/meson.build). */
static guint
scaled(guint ms)
{
  const char *env = g_getenv("PT_TEST_TIME_SCALE");
  guint64 k = 1;

  if (env != NULL && !g_ascii_string_to_unsigned(env, 10, 1, 20, &k, NULL))
    k = 1;
  return ms * (guint)k;
}

typedef struct {
  PtCamera *cam;
  const char *dir;
} Watch;

static gboolean
recording(gpointer data)
{
  return pt_camera_get_state(data) == PT_CAMERA_RECORDING;
}

/* The playlist lists a segment and that segment is on disk. */
static gboolean
playlist_ready(gpointer data)
{
  Watch *w = data;
  g_autofree char *path = g_build_filename(w->dir, PT_LIVE_PLAYLIST_NAME, NULL);
  g_autofree char *text = NULL;

  /* A viewer's player asks for the playlist about once a segment. */
  pt_camera_live_touch(w->cam, NULL);
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    if (g_str_has_suffix(lines[i], ".ts")) {
      g_autofree char *seg = g_build_filename(w->dir, lines[i], NULL);

      return g_file_test(seg, G_FILE_TEST_IS_REGULAR);
    }
  }
  return FALSE;
}

static gboolean
detached(gpointer data)
{
  return !pt_camera_live_attached(data);
}

static guint
count_factory(PtCamera *cam, const char *factory)
{
  g_autoptr(GstElement) pipeline = pt_camera_dup_pipeline(cam);
  g_autoptr(GstIterator) it = NULL;
  GValue v = G_VALUE_INIT;
  guint n = 0;

  if (pipeline == NULL)
    return 0;
  it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory(g_value_get_object(&v));

    if (f != NULL && g_strcmp0(GST_OBJECT_NAME(f), factory) == 0)
      n++;
    g_value_unset(&v);
  }
  return n;
}

static guint
count_encoders(PtCamera *cam)
{
  return count_factory(cam, "x264enc") + count_factory(cam, "openh264enc");
}

/* A live segment decodes: at least one frame out of the first listed one. */
static void
check_segment_plays(const char *dir)
{
  g_autofree char *playlist = g_build_filename(dir, PT_LIVE_PLAYLIST_NAME, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *seg_name = NULL;

  PT_CHECK(g_file_get_contents(playlist, &text, NULL, &error), "%s", error->message);
  PT_CHECK(g_str_has_prefix(text, "#EXTM3U"), "not a playlist: %s", text);
  PT_CHECK(strstr(text, "#EXTINF:") != NULL, "no segment duration: %s", text);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && seg_name == NULL; i++)
    if (g_str_has_suffix(lines[i], ".ts"))
      seg_name = lines[i];
  PT_CHECK(seg_name != NULL, "no segment listed");
  g_autofree char *seg = g_build_filename(dir, seg_name, NULL);
  g_autofree char *launch =
      g_strdup_printf("filesrc location=\"%s\" ! tsdemux ! h264parse ! decodebin ! fakesink", seg);
  g_autoptr(GstElement) p = gst_parse_launch(launch, &error);
  PT_CHECK(p != NULL, "%s", error ? error->message : "");
  gst_element_set_state(p, GST_STATE_PLAYING);
  g_autoptr(GstBus) bus = gst_element_get_bus(p);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  PT_CHECK(msg != NULL && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS, "segment %s does not decode",
           seg);
  gst_element_set_state(p, GST_STATE_NULL);
}

static void
check_recording_unbroken(PtTestRecorder *rec, const char *what)
{
  g_autoptr(GError) error = NULL;

  PT_CHECK(rec->gaps->len == 0, "%s: %u gaps while the live view came and went", what,
           rec->gaps->len);
  PT_CHECK(rec->closed->len >= 8, "%s: only %u segments", what, rec->closed->len);
  for (guint i = 0; i < rec->closed->len; i++) {
    PtTestSegment *c = g_ptr_array_index(rec->closed, i);
    PtSegmentProbe probe;

    PT_CHECK(c->complete, "%s: %s not finalized", what, c->path);
    if (i + 1 < rec->closed->len) {
      PtTestSegment *next = g_ptr_array_index(rec->closed, i + 1);

      PT_CHECK(llabs(next->start_ns - c->end_ns) < 50 * GST_MSECOND,
               "%s: segments %u/%u not contiguous: %.3f s", what, i, i + 1,
               (next->start_ns - c->end_ns) / 1e9);
    }
    pt_test_check_segment_file(c);
    PT_CHECK(pt_segment_probe(c->path, c->start_ns, PT_PROBE_DECODE, &probe, &error), "%s",
             error ? error->message : "");
    PT_CHECK(probe.verdict == PT_SEGMENT_INTACT, "%s: %s: %s (%s)", what, c->path,
             pt_segment_verdict_to_string(probe.verdict), probe.reason);
    PT_CHECK(probe.decoded_frames == probe.frames,
             "%s: %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " decode", what, c->path,
             probe.decoded_frames, probe.frames);
    pt_segment_probe_clear(&probe);
  }
}

static void
run(PtCameraConfig *cfg, const char *what, guint encoders)
{
  g_autoptr(GError) error = NULL;
  PtTestRecorder *rec = pt_test_recorder_new();
  PtCamera *cam = pt_camera_new(cfg, pt_test_callbacks(), rec, &error);
  Watch w = {cam, cfg->live_dir};

  PT_CHECK(cam != NULL, "%s", error->message);
  /* A folder left by a killed station is emptied at start. */
  g_mkdir_with_parents(cfg->live_dir, 0700);
  g_autofree char *stale = g_build_filename(cfg->live_dir, "seg00007.ts", NULL);
  PT_CHECK(g_file_set_contents(stale, "stale", -1, NULL), "cannot write %s", stale);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(recording, cam, scaled(15000)), "%s: never recording", what);
  PT_CHECK(!g_file_test(cfg->live_dir, G_FILE_TEST_EXISTS), "%s: stale live folder kept", what);
  PT_CHECK(count_factory(cam, "hlssink2") == 0, "%s: live branch before anyone watched", what);
  for (guint cycle = 1; cycle <= 3; cycle++) {
    gint64 t0 = g_get_monotonic_time();

    PT_CHECK(pt_test_wait(playlist_ready, &w, scaled(8000)), "%s cycle %u: no playlist", what,
             cycle);
    g_print("# %s cycle %u: first playlist after %.2f s\n", what, cycle,
            (g_get_monotonic_time() - t0) / 1e6);
    PT_CHECK(pt_camera_live_attached(cam) && count_factory(cam, "hlssink2") == 1,
             "%s cycle %u: branch not attached", what, cycle);
    PT_CHECK(count_encoders(cam) == encoders, "%s cycle %u: %u encoders, want %u", what, cycle,
             count_encoders(cam), encoders);
    check_segment_plays(cfg->live_dir);
    /* The viewer leaves: nobody touches it, it goes after the idle time. */
    PT_CHECK(pt_test_wait(detached, cam, scaled(5000)), "%s cycle %u: never detached", what, cycle);
    PT_CHECK(count_factory(cam, "hlssink2") == 0, "%s cycle %u: hlssink2 left in the pipeline",
             what, cycle);
    PT_CHECK(!g_file_test(cfg->live_dir, G_FILE_TEST_EXISTS), "%s cycle %u: live folder left", what,
             cycle);
    pt_test_spin(500);
  }
  PT_CHECK(pt_camera_live_attaches(cam) == 3, "%s: %u attaches", what,
           pt_camera_live_attaches(cam));
  PT_CHECK(pt_camera_get_state(cam) == PT_CAMERA_RECORDING, "%s: state %s", what,
           pt_camera_state_to_string(pt_camera_get_state(cam)));
  /* Every segment closed so far spans the three cycles; a restart is a gap on purpose. */
  check_recording_unbroken(rec, what);

  /* A restart while someone watches: the rebuilt pipeline gets the branch again. */
  PT_CHECK(pt_test_wait(playlist_ready, &w, scaled(8000)), "%s: no playlist before the restart",
           what);
  {
    g_autoptr(GstElement) pipeline = pt_camera_dup_pipeline(cam);
    GError *boom = g_error_new(GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED, "test: source broke");

    gst_element_post_message(pipeline, gst_message_new_error(GST_OBJECT(pipeline), boom, NULL));
    g_error_free(boom);
  }
  guint restarts_before = pt_camera_get_restarts(cam);
  gint64 deadline = g_get_monotonic_time() + (gint64)scaled(10000) * 1000;
  while (pt_camera_get_restarts(cam) == restarts_before && g_get_monotonic_time() < deadline) {
    pt_camera_live_touch(cam, NULL);
    pt_test_spin(200);
  }
  PT_CHECK(pt_camera_get_restarts(cam) > restarts_before, "%s: the camera never restarted", what);
  PT_CHECK(pt_test_wait(playlist_ready, &w, scaled(8000)), "%s: no playlist after the restart",
           what);
  PT_CHECK(pt_camera_live_attached(cam) && count_factory(cam, "hlssink2") == 1,
           "%s: branch not attached again after the restart", what);
  PT_CHECK(pt_camera_live_attaches(cam) == 5, "%s: %u attaches", what,
           pt_camera_live_attaches(cam));
  pt_camera_stop(cam);
  PT_CHECK(!g_file_test(cfg->live_dir, G_FILE_TEST_EXISTS), "%s: live folder left after stop",
           what);
  pt_camera_free(cam);
  g_print("ok: %s: 3 attach/detach cycles and a restart, recording unbroken\n", what);
  pt_test_recorder_free(rec);
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *url = NULL;
  PtTestRtsp rtsp = {.launch = SERVER_LAUNCH, .shared = TRUE};
  PtCameraConfig raw, pass;

  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", "hlssink2", "mpegtsmux", "tsdemux",
               "rtph264pay", "rtspsrc", NULL);
  root = pt_test_tmpdir("live");

  pt_camera_config_init(&raw);
  raw.name = g_strdup("pick-1");
  raw.kind = PT_SOURCE_TEST;
  raw.location = g_strdup("ball");
  raw.output_root = g_strdup(root);
  raw.segment_ns = GST_SECOND;
  raw.width = 320;
  raw.height = 240;
  raw.fps = 25;
  raw.backoff_initial_ms = 200;
  raw.live_dir = g_build_filename(root, "live", "pick-1", NULL);
  raw.live_idle_ns = GST_SECOND;
  run(&raw, "raw", 1);

  pt_test_rtsp_start(&rtsp);
  url = pt_test_rtsp_url(&rtsp);
  pt_camera_config_init(&pass);
  pass.name = g_strdup("dock-1");
  pass.kind = PT_SOURCE_RTSP;
  pass.location = g_strdup(url);
  pass.output_root = g_strdup(root);
  pass.segment_ns = GST_SECOND;
  pass.backoff_initial_ms = 200;
  pass.live_dir = g_build_filename(root, "live", "dock-1", NULL);
  pass.live_idle_ns = GST_SECOND;
  run(&pass, "passthrough", 0);
  pt_test_rtsp_stop(&rtsp);

  pt_camera_config_clear(&raw);
  pt_camera_config_clear(&pass);
  pt_test_rmtree(root);
  return 0;
}

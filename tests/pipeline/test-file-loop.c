/* test-file-loop.c: demo footage is generated, then a `file` camera plays a 2 s file in a
 * loop for ~5 s: recorded as is (no encoder in the pipeline), frames keep coming after the
 * file's end with continuous timestamps, and the tap decodes frames for the grader. */
#include "pt-test-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#define FILE_SECONDS 2
#define FPS          10

static gboolean
segments_closed(gpointer data)
{
  return ((PtTestRecorder *)data)->closed->len >= 4;
}

static gboolean
has_element(GstElement *pipeline, const char *factory)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue v = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory(g_value_get_object(&v));

    found = f != NULL && g_strcmp0(GST_OBJECT_NAME(f), factory) == 0;
    g_value_unset(&v);
  }
  return found;
}

static GstPadProbeReturn
drop_first(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  int *left = data;

  return (*left)-- > 0 ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* A Matroska file whose first @skip frames are gone, so it begins mid-GOP: what a camera
 * joined between keyframes hands the recorder. */
static char *
make_mid_gop_file(const char *root, int skip)
{
  g_autofree char *path = g_build_filename(root, "mid-gop.mkv", NULL);
  g_autofree char *desc = g_strdup_printf(
      "videotestsrc num-buffers=%d ! video/x-raw,format=I420,width=320,height=240,framerate=%d/1 ! "
      "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=%d ! h264parse name=parse ! "
      "matroskamux ! filesink location=\"%s\"",
      FILE_SECONDS * FPS, FPS, FPS, path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) p = gst_parse_launch(desc, &error);
  PT_CHECK(p != NULL, "%s", error ? error->message : "");
  g_autoptr(GstElement) parse = gst_bin_get_by_name(GST_BIN(p), "parse");
  g_autoptr(GstPad) src = gst_element_get_static_pad(parse, "src");
  int left = skip;
  gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, drop_first, &left, NULL);
  gst_element_set_state(p, GST_STATE_PLAYING);
  g_autoptr(GstBus) bus = gst_element_get_bus(p);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  PT_CHECK(msg != NULL && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS, "mid-GOP file not written");
  gst_element_set_state(p, GST_STATE_NULL);
  return g_steal_pointer(&path);
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  PtCameraConfig cfg;
  PtCamera *cam;
  PtTestRecorder *rec;
  guint64 frames = 0;
  gint64 covered = 0;
  GStatBuf st1, st2;

  pt_test_init(&argc, &argv, "videotestsrc", "textoverlay", "timeoverlay", "x264enc", NULL);
  root = pt_test_tmpdir("file-loop");
  clip = pt_demo_footage_make(root, PT_CAMERA_ROLE_GRADING, FILE_SECONDS, 320, 240, FPS, &error);
  PT_CHECK(clip != NULL, "%s", error ? error->message : "");
  PT_CHECK(g_stat(clip, &st1) == 0 && st1.st_size > 1000, "demo file too small");
  /* Made once: a second call keeps the file. */
  again = pt_demo_footage_make(root, PT_CAMERA_ROLE_GRADING, FILE_SECONDS, 320, 240, FPS, &error);
  PT_CHECK(again != NULL && g_stat(again, &st2) == 0 && st2.st_mtime == st1.st_mtime &&
               st2.st_size == st1.st_size,
           "demo footage rewritten");

  rec = pt_test_recorder_new();
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("grade-1");
  cfg.role = PT_CAMERA_ROLE_GRADING;
  cfg.kind = PT_SOURCE_FILE;
  cfg.location = g_strdup(clip);
  cfg.output_root = g_strdup(root);
  cfg.segment_ns = GST_SECOND;
  cfg.tap_fps = 2;
  cfg.tap_format = PT_TAP_FORMAT_I420;
  cam = pt_camera_new(&cfg, pt_test_callbacks(), rec, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pipeline = pt_camera_dup_pipeline(cam);
  PT_CHECK(!has_element(pipeline, "x264enc") && !has_element(pipeline, "openh264enc"),
           "a file source must be recorded without re-encoding");
  PT_CHECK(pt_test_wait(segments_closed, rec, 15000), "only %u segments closed", rec->closed->len);
  pt_camera_stop(cam);

  PT_CHECK(!pt_test_recorder_saw_state(rec, PT_CAMERA_RECONNECTING, NULL),
           "the loop must not look like a failure");
  for (guint i = 0; i < rec->closed->len; i++) {
    PtTestSegment *c = g_ptr_array_index(rec->closed, i);
    PtSegmentProbe probe;

    pt_test_check_segment_file(c);
    PT_CHECK(pt_segment_probe(c->path, c->start_ns, PT_PROBE_DECODE, &probe, &error), "%s",
             error ? error->message : "");
    PT_CHECK(probe.verdict == PT_SEGMENT_INTACT && probe.decoded_frames == probe.frames,
             "%s: %s, %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " decoded", c->path,
             pt_segment_verdict_to_string(probe.verdict), probe.decoded_frames, probe.frames);
    frames += probe.frames;
    covered += c->end_ns - c->start_ns;
    if (i > 0) {
      PtTestSegment *prev = g_ptr_array_index(rec->closed, i - 1);

      PT_CHECK(llabs(c->start_ns - prev->end_ns) < 50 * GST_MSECOND,
               "time jump of %.3f s between segments", (c->start_ns - prev->end_ns) / 1e9);
    }
    pt_segment_probe_clear(&probe);
  }
  /* More than the file holds: it looped, and the frame rate stayed the file's. */
  PT_CHECK(frames > FILE_SECONDS * FPS * 3 / 2, "%" G_GUINT64_FORMAT " frames: no loop", frames);
  PT_CHECK(llabs(covered - (gint64)frames * GST_SECOND / FPS) <
               2 * GST_SECOND / FPS + 50 * GST_MSECOND,
           "%" G_GUINT64_FORMAT " frames cover %.3f s", frames, covered / 1e9);
  PT_CHECK(rec->frames >= 3, "tap gave %d frames", rec->frames);
  PT_CHECK(rec->frame_width == 320 && rec->frame_height == 240, "tap %dx%d", rec->frame_width,
           rec->frame_height);
  pt_camera_free(cam);
  pt_test_recorder_free(rec);

  /* A file that begins 3 frames into its first GOP: the recording starts at the first
   * keyframe, so every segment, the first included, decodes whole. */
  g_free(cfg.location);
  cfg.location = make_mid_gop_file(root, 3);
  rec = pt_test_recorder_new();
  cam = pt_camera_new(&cfg, pt_test_callbacks(), rec, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(segments_closed, rec, 15000), "mid-GOP: only %u segments closed",
           rec->closed->len);
  pt_camera_stop(cam);
  for (guint i = 0; i < rec->closed->len; i++) {
    PtTestSegment *c = g_ptr_array_index(rec->closed, i);
    PtSegmentProbe probe;

    PT_CHECK(pt_segment_probe(c->path, c->start_ns, PT_PROBE_DECODE, &probe, &error), "%s",
             error ? error->message : "");
    PT_CHECK(probe.verdict == PT_SEGMENT_INTACT && probe.frames > 0 &&
                 probe.decoded_frames == probe.frames,
             "mid-GOP %s: %s, %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " decoded", c->path,
             pt_segment_verdict_to_string(probe.verdict), probe.decoded_frames, probe.frames);
    pt_segment_probe_clear(&probe);
  }
  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
  pt_test_recorder_free(rec);
  pt_test_rmtree(root);
  g_print("ok: %" G_GUINT64_FORMAT " frames from a %d s file\n", frames, FILE_SECONDS);
  return 0;
}

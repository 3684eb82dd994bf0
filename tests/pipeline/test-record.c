/* test-record.c: a test-pattern camera records 1 s segments: opened/closed in order with UTC
 * times that match the wall clock and each other, SHA-256 and size that match the files,
 * every frame recorded although the tap callback is deliberately slow, tap frames at the
 * configured rate and size, files under <root>/<camera>/<UTC date>/. */
#include "pt-test-util.h"

#include <math.h>
#include <stdlib.h>

#define FPS    25
#define FRAMES 112 /* 4.48 s */

static gboolean
stopped(gpointer data)
{
  return pt_camera_get_state(data) == PT_CAMERA_STOPPED;
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autoptr(GError) error = NULL;
  PtCameraConfig cfg;
  PtCamera *cam;
  PtTestRecorder *rec;
  gint64 t0, t1;
  guint64 frames = 0;

  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", NULL);
  root = pt_test_tmpdir("record");
  rec = pt_test_recorder_new();
  rec->tap_sleep_ms = 300; /* far slower than the stream: the tap must drop, not block */

  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("pick-1");
  cfg.kind = PT_SOURCE_TEST;
  cfg.location = g_strdup("ball");
  cfg.output_root = g_strdup(root);
  cfg.segment_ns = GST_SECOND;
  cfg.width = 320;
  cfg.height = 240;
  cfg.fps = FPS;
  cfg.num_buffers = FRAMES;
  cfg.tap_fps = 5;
  cfg.tap_format = PT_TAP_FORMAT_RGB;
  cam = pt_camera_new(&cfg, pt_test_callbacks(), rec, &error);
  PT_CHECK(cam != NULL, "%s", error->message);

  t0 = g_get_real_time() * 1000;
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_camera_get_state(cam) == PT_CAMERA_STARTING, "state %d", pt_camera_get_state(cam));
  PT_CHECK(pt_test_wait(stopped, cam, 20000), "camera did not finish its %d frames", FRAMES);
  t1 = g_get_real_time() * 1000;
  pt_camera_stop(cam);

  PT_CHECK(pt_test_recorder_saw_state(rec, PT_CAMERA_RECORDING, NULL), "never recording");
  PT_CHECK(rec->opened->len >= 4 && rec->opened->len <= 6, "%u segments opened", rec->opened->len);
  PT_CHECK(rec->closed->len == rec->opened->len, "%u opened, %u closed", rec->opened->len,
           rec->closed->len);
  for (guint i = 0; i < rec->closed->len; i++) {
    PtTestSegment *o = g_ptr_array_index(rec->opened, i);
    PtTestSegment *c = g_ptr_array_index(rec->closed, i);
    g_autoptr(GDateTime) day = g_date_time_new_from_unix_utc(c->start_ns / GST_SECOND);
    g_autofree char *ymd = g_date_time_format(day, "%Y-%m-%d");
    g_autofree char *dir = g_build_filename(root, "pick-1", ymd, NULL);
    g_autofree char *parent = g_path_get_dirname(c->path);
    g_autofree char *base = g_path_get_basename(c->path);
    PtSegmentProbe probe;

    PT_CHECK(g_strcmp0(o->path, c->path) == 0, "closed out of order: %s", c->path);
    PT_CHECK(o->start_ns == c->start_ns, "start changed between open and close");
    PT_CHECK(c->complete, "%s not finalized", c->path);
    PT_CHECK(g_strcmp0(parent, dir) == 0, "%s not under %s", c->path, dir);
    PT_CHECK(g_str_has_prefix(base, "pick-1-") && g_str_has_suffix(base, ".mkv"), "name %s", base);
    /* UTC: the pipeline runs on CLOCK_REALTIME, so times sit inside the wall-clock run. */
    PT_CHECK(c->start_ns >= t0 - GST_SECOND && c->end_ns <= t1 + GST_SECOND,
             "segment %u [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] outside the run", i,
             c->start_ns, c->end_ns);
    if (i + 1 < rec->closed->len) {
      PtTestSegment *next = g_ptr_array_index(rec->closed, i + 1);

      PT_CHECK(llabs(next->start_ns - c->end_ns) < 50 * GST_MSECOND,
               "segments %u/%u not contiguous: %.3f s", i, i + 1,
               (next->start_ns - c->end_ns) / 1e9);
      PT_CHECK(llabs(c->end_ns - c->start_ns - (gint64)GST_SECOND) < 100 * GST_MSECOND,
               "segment %u lasts %.3f s", i, (c->end_ns - c->start_ns) / 1e9);
    }
    pt_test_check_segment_file(c);
    PT_CHECK(pt_segment_probe(c->path, c->start_ns, PT_PROBE_DECODE, &probe, &error), "%s",
             error ? error->message : "");
    PT_CHECK(probe.verdict == PT_SEGMENT_INTACT, "%s: %s (%s)", c->path,
             pt_segment_verdict_to_string(probe.verdict), probe.reason);
    PT_CHECK(probe.decoded_frames == probe.frames,
             "%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " decode", c->path,
             probe.decoded_frames, probe.frames);
    frames += probe.frames;
    pt_segment_probe_clear(&probe);
  }
  /* The slow tap never held the recording back: every frame is on disk. */
  PT_CHECK(frames == FRAMES, "%" G_GUINT64_FORMAT " of %d frames recorded", frames, FRAMES);
  PT_CHECK(rec->frames >= 5 && rec->frames <= 20, "%d tap frames for 4.5 s at 5/s, 300 ms each",
           rec->frames);
  PT_CHECK(rec->frame_width == 320 && rec->frame_height == 240 && rec->frame_stride >= 960,
           "tap frame %dx%d stride %d", rec->frame_width, rec->frame_height, rec->frame_stride);
  {
    PtTestSegment *first = g_ptr_array_index(rec->closed, 0);
    PtTestSegment *last = g_ptr_array_index(rec->closed, rec->closed->len - 1);

    PT_CHECK(rec->first_frame_utc >= first->start_ns && rec->last_frame_utc <= last->end_ns,
             "tap frame times outside the recording");
  }
  PT_CHECK(pt_camera_get_state(cam) == PT_CAMERA_STOPPED, "state after stop");
  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
  pt_test_recorder_free(rec);
  pt_test_rmtree(root);
  g_print("ok: %" G_GUINT64_FORMAT " frames in 1 s segments\n", frames);
  return 0;
}

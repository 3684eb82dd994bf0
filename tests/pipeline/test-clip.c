/* test-clip.c: evidence clip export from 1 s segments.  A 2 s range that crosses two segment
 * boundaries: the MP4 starts on the keyframe at or before `from` (one GOP = 1 s here), ends
 * at `to`, has every frame in between with no timestamp jump at the boundaries, has its moov
 * before its mdat, decodes completely, and its reported SHA-256 matches the file. */
#include "pt-test-util.h"
#include "pt-gst-util.h"

#include <gst/app/app.h>
#include <stdlib.h>
#include <string.h>

#define FPS      25
#define FRAME_NS (GST_SECOND / FPS)

static gboolean
stopped(gpointer data)
{
  return pt_camera_get_state(data) == PT_CAMERA_STOPPED;
}

/* Top-level MP4 box order: index of "moov" and "mdat" (-1 when absent). */
static void
box_order(const char *path, int *moov, int *mdat)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0, off = 0;
  int index = 0;

  *moov = *mdat = -1;
  PT_CHECK(g_file_get_contents(path, (char **)&data, &len, NULL), "read %s", path);
  while (off + 8 <= len) {
    /* GST_READ_UINT32_BE is an unaligned word load on x86 (undefined behaviour for UBSan). */
    guint64 size = (guint64)data[off] << 24 | (guint64)data[off + 1] << 16 |
                   (guint64)data[off + 2] << 8 | data[off + 3];

    if (memcmp(data + off + 4, "moov", 4) == 0)
      *moov = index;
    else if (memcmp(data + off + 4, "mdat", 4) == 0)
      *mdat = index;
    if (size == 1 && off + 16 <= len) {
      size = 0;
      for (int i = 8; i < 16; i++)
        size = size << 8 | data[off + i];
    }
    if (size < 8)
      break;
    off += size;
    index++;
  }
}

/* Decodes the MP4; returns the frame count and the largest gap between presentation times. */
static guint
decode_mp4(const char *path, GstClockTime *max_step)
{
  g_autofree char *desc = g_strdup_printf(
      "filesrc location=\"%s\" ! qtdemux ! h264parse ! %s ! appsink name=sink sync=false", path,
      pt_h264_decoder_factory(NULL));
  g_autoptr(GstElement) p = gst_parse_launch(desc, NULL);
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(p), "sink");
  GArray *pts = g_array_new(FALSE, FALSE, sizeof(GstClockTime));
  GstSample *s;
  guint n;

  gst_element_set_state(p, GST_STATE_PLAYING);
  while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND)) != NULL) {
    GstClockTime t = GST_BUFFER_PTS(gst_sample_get_buffer(s));

    g_array_append_val(pts, t);
    gst_sample_unref(s);
  }
  gst_element_set_state(p, GST_STATE_NULL);
  *max_step = 0;
  for (guint i = 1; i < pts->len; i++) {
    GstClockTime a = g_array_index(pts, GstClockTime, i - 1),
                 b = g_array_index(pts, GstClockTime, i);

    PT_CHECK(b > a, "frame %u not after frame %u", i, i - 1);
    *max_step = MAX(*max_step, b - a);
  }
  n = pts->len;
  g_array_unref(pts);
  return n;
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree PtClipSegment *segs = NULL;
  PtCameraConfig cfg;
  PtCamera *cam;
  PtTestRecorder *rec;
  PtClipResult res;
  gint64 from, to;
  int moov, mdat;
  guint decoded;
  GstClockTime max_step;
  guint64 bytes;

  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", "mp4mux", "qtdemux", NULL);
  root = pt_test_tmpdir("clip");
  rec = pt_test_recorder_new();
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("evidence");
  cfg.location = g_strdup("ball");
  cfg.output_root = g_strdup(root);
  cfg.segment_ns = GST_SECOND;
  cfg.width = 320;
  cfg.height = 240;
  cfg.fps = FPS;
  cfg.num_buffers = FPS * 9 / 2;
  cam = pt_camera_new(&cfg, pt_test_callbacks(), rec, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(stopped, cam, 20000), "recording did not finish");
  pt_camera_stop(cam);
  PT_CHECK(rec->closed->len >= 4, "%u segments", rec->closed->len);

  segs = g_new0(PtClipSegment, rec->closed->len);
  for (guint i = 0; i < rec->closed->len; i++) {
    /* Reverse order on purpose: export sorts. */
    PtTestSegment *c = g_ptr_array_index(rec->closed, rec->closed->len - 1 - i);

    segs[i] = (PtClipSegment){c->path, c->start_ns, c->end_ns};
  }
  from = ((PtTestSegment *)g_ptr_array_index(rec->closed, 0))->start_ns + 3 * GST_SECOND / 2;
  to = from + 2 * GST_SECOND;
  out = g_build_filename(root, "clip.mp4", NULL);
  PT_CHECK(pt_clip_export(segs, rec->closed->len, from, to, NULL, out, &res, &error), "%s",
           error ? error->message : "");
  g_print("clip: %" G_GUINT64_FORMAT " frames, %.3f s, starts %.3f s before from, %u segments\n",
          res.frames, res.duration_ns / 1e9, (from - res.start_ns) / 1e9, res.segments_used);

  PT_CHECK(res.start_ns <= from && res.start_ns >= from - GST_SECOND - FRAME_NS,
           "clip starts %.3f s before from: more than one GOP", (from - res.start_ns) / 1e9);
  PT_CHECK(llabs(res.end_ns - to) <= FRAME_NS, "clip ends %.3f s from to", (res.end_ns - to) / 1e9);
  PT_CHECK(res.duration_ns == (GstClockTime)(res.end_ns - res.start_ns), "duration");
  PT_CHECK(llabs((gint64)res.frames * FRAME_NS - (gint64)res.duration_ns) <= FRAME_NS,
           "%" G_GUINT64_FORMAT " frames for %.3f s", res.frames, res.duration_ns / 1e9);
  PT_CHECK(res.segments_used == 3, "%u segments used, wanted 3", res.segments_used);

  box_order(out, &moov, &mdat);
  PT_CHECK(moov >= 0 && mdat >= 0 && moov < mdat, "moov at box %d, mdat at box %d", moov, mdat);
  sha = pt_file_sha256(out, &bytes, &error);
  PT_CHECK(sha != NULL && g_strcmp0(sha, res.sha256) == 0 && bytes == res.bytes,
           "SHA-256 of the written clip does not match");
  decoded = decode_mp4(out, &max_step);
  PT_CHECK(decoded == res.frames, "%u of %" G_GUINT64_FORMAT " frames decode", decoded, res.frames);
  PT_CHECK(max_step <= FRAME_NS + GST_MSECOND * 2,
           "a %.3f s jump: not continuous across segment boundaries", max_step / 1e9);

  /* No temp file is left behind, and a range without footage is an error. */
  {
    g_autoptr(GDir) dir = g_dir_open(root, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name(dir)) != NULL)
      PT_CHECK(name[0] != '.', "temp file %s left behind", name);
  }
  g_clear_error(&error);
  PT_CHECK(!pt_clip_export(segs, rec->closed->len, to + 3600 * GST_SECOND, to + 3601 * GST_SECOND,
                           NULL, out, NULL, &error) &&
               g_error_matches(error, PT_CLIP_ERROR, PT_CLIP_ERROR_NO_FOOTAGE),
           "a range without footage must fail with NO_FOOTAGE");
  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
  pt_test_recorder_free(rec);
  pt_test_rmtree(root);
  g_print("ok\n");
  return 0;
}

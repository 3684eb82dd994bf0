/* test-mask.c: privacy masks, with real pipelines.  The text form refuses garbage, zero and
 * tiny sides, too many rectangles; a camera whose rectangle leaves its known frame is refused
 * naming camera and value.  The ptmask element blacks (Y 16, no colour) or blurs (variance
 * gone) only its rectangles, and covers the whole frame when a rectangle does not fit.  Then a
 * masked raw camera (videotestsrc smpte): a frame decoded from its live view's HLS segment
 * and from a masked clip has the rectangle black and the bars elsewhere, the tap's frames
 * (thumbnails, stills) are masked, and the recorded segment's rectangle is NOT masked; the
 * clip's comment names its segments and the mask.  Last, an H.264 (file) camera playing that
 * recording: its live view is decoded, masked and encoded (one encoder, in the branch); with
 * a rectangle past its frame, its tap frames are covered whole and the problem reported. */
#include "pt-test-util.h"

#include <gst/app/app.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

#define W 320
#define H 240
/* The masked rectangle (top left: the smpte pattern's white and yellow bars) and a control
 * rectangle across the other bars. */
#define MASK_TEXT "0,0,96,64"
static const PtMaskRect masked = {0, 0, 96, 64};
static const PtMaskRect control = {120, 8, 180, 56};

typedef struct {
  double mean, variance;
  double chroma_mean; /* U plane */
} Stats;

/* Luma statistics of @r shrunk by @inset pixels each side (H.264's block edges blur). */
static Stats
stats(GstVideoFrame *f, PtMaskRect r, int inset)
{
  Stats s = {0};
  double sum = 0, sq = 0, csum = 0;
  guint n = 0, cn = 0;
  const guint8 *y = GST_VIDEO_FRAME_COMP_DATA(f, 0), *u = GST_VIDEO_FRAME_COMP_DATA(f, 1);
  int ys = GST_VIDEO_FRAME_COMP_STRIDE(f, 0), us = GST_VIDEO_FRAME_COMP_STRIDE(f, 1);

  for (int j = r.y + inset; j < r.y + r.h - inset; j++)
    for (int i = r.x + inset; i < r.x + r.w - inset; i++) {
      double v = y[j * ys + i];

      sum += v;
      sq += v * v;
      n++;
      if (j % 2 == 0 && i % 2 == 0) {
        csum += u[(j / 2) * us + i / 2];
        cn++;
      }
    }
  s.mean = sum / n;
  s.variance = sq / n - s.mean * s.mean;
  s.chroma_mean = csum / cn;
  return s;
}

/* The first frame of @path (TS, Matroska or MP4), as I420; @comment (out, nullable) gets the
 * container's comment tag. */
static GstSample *
first_frame(const char *path, char **comment)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *launch = g_strdup_printf("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
                                            "video/x-raw,format=I420 ! appsink name=s sync=false",
                                            path);
  g_autoptr(GstElement) p = gst_parse_launch(launch, &error);
  PT_CHECK(p != NULL, "%s", error ? error->message : "");
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(p), "s");
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 10 * GST_SECOND);
  PT_CHECK(sample != NULL, "no frame decoded from %s", path);
  if (comment != NULL) {
    g_autoptr(GstBus) bus = gst_element_get_bus(p);
    GstMessage *m;

    *comment = NULL;
    while (*comment == NULL && (m = gst_bus_pop_filtered(bus, GST_MESSAGE_TAG)) != NULL) {
      GstTagList *tags = NULL;

      gst_message_parse_tag(m, &tags);
      gst_tag_list_get_string(tags, GST_TAG_COMMENT, comment);
      gst_tag_list_unref(tags);
      gst_message_unref(m);
    }
  }
  gst_element_set_state(p, GST_STATE_NULL);
  return sample;
}

/* The rectangle is black (video black, no colour) and the bars are still elsewhere. */
static void
check_masked(GstSample *sample, const char *what)
{
  GstVideoInfo info;
  GstVideoFrame f;

  PT_CHECK(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)), "%s: caps", what);
  PT_CHECK(gst_video_frame_map(&f, &info, gst_sample_get_buffer(sample), GST_MAP_READ), "%s: map",
           what);
  Stats in = stats(&f, masked, 4), out = stats(&f, control, 4);
  g_print("# %s: masked Y mean %.1f var %.1f U %.1f; control Y mean %.1f var %.1f\n", what, in.mean,
          in.variance, in.chroma_mean, out.mean, out.variance);
  PT_CHECK(in.mean < 24 && in.variance < 10, "%s: the rectangle is not black", what);
  PT_CHECK(in.chroma_mean > 120 && in.chroma_mean < 136, "%s: the rectangle has colour", what);
  PT_CHECK(out.variance > 500, "%s: the bars outside the mask are gone", what);
  gst_video_frame_unmap(&f);
}

static void
check_unmasked(GstSample *sample, const char *what)
{
  GstVideoInfo info;
  GstVideoFrame f;

  PT_CHECK(gst_video_info_from_caps(&info, gst_sample_get_caps(sample)), "%s: caps", what);
  PT_CHECK(gst_video_frame_map(&f, &info, gst_sample_get_buffer(sample), GST_MAP_READ), "%s: map",
           what);
  Stats in = stats(&f, masked, 4);
  g_print("# %s: rectangle Y mean %.1f\n", what, in.mean);
  PT_CHECK(in.mean > 120, "%s: the recording's rectangle is masked (Y mean %.1f)", what, in.mean);
  gst_video_frame_unmap(&f);
}

static void
test_parse(void)
{
  static const char *const bad[] = {
      "",
      "garbage",
      "1,2,3",
      "0,0,0,10",
      "0,0,10,0",
      "0,0,1,10",
      "-1,0,10,10",
      "0,0,10,10,5",
      "0,0,10,10;;0,0,10,10",
      "a,b,c,d",
      "0,0,8192,8192x",
      "8000,0,400,10",
      "0,0,9,9;0,0,9,9;0,0,9,9;0,0,9,9;0,0,9,9;0,0,9,9;0,0,9,9;0,0,9,9;0,0,9,9",
      "10%,0,20,20",
      "90%,0%,20%,10%",
      "0%,0%,0%,10%",
      "0%,0%,10%,0%",
      "1.234%,0%,10%,10%",
      "%,0%,10%,10%",
      "101%,0%,1%,1%",
      "-1%,0%,10%,10%",
      "5.%,0%,10%,10%",
      "5%%,0%,10%,10%",
      "0%,0%,10 %,10%"};
  PtMask mask = {0};
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  PT_CHECK(pt_mask_parse(" 0,0,80,60 ; 200, 100, 40, 40;", &mask, &error), "%s", error->message);
  PT_CHECK(mask.n_rects == 2 && mask.rects[1].x == 200 && mask.rects[1].h == 40, "parsed wrong");
  text = pt_mask_to_string(&mask);
  PT_CHECK(strcmp(text, "0,0,80,60;200,100,40,40") == 0, "to_string: %s", text);
  /* In percent of the frame: hundredths kept, read back the same. */
  g_clear_error(&error);
  PT_CHECK(pt_mask_parse("75%,0%,25%,12.5%; 0,0,8,8", &mask, &error), "%s",
           error ? error->message : "");
  PT_CHECK(mask.n_rects == 2 && mask.rects[0].percent && mask.rects[0].x == 7500 &&
               mask.rects[0].h == 1250 && !mask.rects[1].percent,
           "percent parsed wrong");
  g_free(text);
  text = pt_mask_to_string(&mask);
  PtMask again = {0};
  PT_CHECK(pt_mask_parse(text, &again, NULL) && memcmp(&again, &mask, sizeof mask) == 0,
           "percent to_string does not read back: %s", text);
  PT_CHECK(pt_mask_fits(&mask, 16, 16, NULL), "a percent rectangle must fit any frame");
  /* Outwards, at least a pixel: a third of 320 is 106.67 to 213.34, so 106..214. */
  PtMaskRect third = {3333, 0, 3334, 10000, TRUE};
  PtMaskRect px = pt_mask_rect_pixels(&third, W, H);
  PT_CHECK(px.x == 106 && px.w == 108 && px.y == 0 && px.h == H && !px.percent,
           "a third: %d,%d,%d,%d", px.x, px.y, px.w, px.h);
  PtMaskRect sliver = {9999, 9999, 1, 1, TRUE};
  px = pt_mask_rect_pixels(&sliver, 100, 100);
  PT_CHECK(px.x == 99 && px.y == 99 && px.w == 1 && px.h == 1, "a sliver: %d,%d,%d,%d", px.x, px.y,
           px.w, px.h);
  g_print("# percent: '%s'\n", text);
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    PtMask m = {0};

    g_clear_error(&error);
    PT_CHECK(!pt_mask_parse(bad[i], &m, &error), "'%s' accepted", bad[i]);
    PT_CHECK(m.n_rects == 0, "'%s' changed the mask", bad[i]);
    g_print("# refused '%s': %s\n", bad[i], error->message);
  }
  PtMaskStyle style;
  g_clear_error(&error);
  PT_CHECK(!pt_mask_style_from_string("grey", &style, &error) && strstr(error->message, "grey"),
           "style grey accepted");
  PT_CHECK(pt_mask_style_from_string("blur", &style, NULL) && style == PT_MASK_STYLE_BLUR, "blur");

  /* A raw camera's frame is known: a rectangle past it refuses the camera, naming it. */
  PtCameraConfig c;
  pt_camera_config_init(&c);
  c.name = g_strdup("pick-9");
  c.output_root = g_strdup("/tmp");
  c.width = W;
  c.height = H;
  PT_CHECK(pt_mask_parse("300,0,40,40", &c.mask, NULL), "parse");
  g_clear_error(&error);
  PT_CHECK(!pt_camera_config_validate(&c, &error), "a rectangle outside 320x240 accepted");
  PT_CHECK(strstr(error->message, "pick-9") && strstr(error->message, "300,0,40,40") &&
               strstr(error->message, "320x240"),
           "unclear: %s", error->message);
  g_print("# refused: %s\n", error->message);
  /* Default test size (1280x720) fits it. */
  c.width = c.height = 0;
  g_clear_error(&error);
  PT_CHECK(pt_camera_config_validate(&c, &error), "%s", error->message);
  /* A rectangle in percent fits any frame. */
  c.width = W;
  c.height = H;
  PT_CHECK(pt_mask_parse("80%,0%,20%,100%", &c.mask, NULL), "parse");
  PT_CHECK(pt_camera_config_validate(&c, &error), "%s", error->message);
  pt_camera_config_clear(&c);
  g_print("ok: parse and validation\n");
}

/* One frame of @pattern through ptmask with @props.  Returns: (transfer full) */
static GstSample *
mask_one(const char *pattern, const char *props, GstMessage **warning)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *launch = g_strdup_printf(
      "videotestsrc num-buffers=1 pattern=%s ! video/x-raw,format=I420,width=%d,height=%d ! "
      "ptmask %s ! appsink name=s sync=false",
      pattern, W, H, props);
  g_autoptr(GstElement) p = gst_parse_launch(launch, &error);
  PT_CHECK(p != NULL, "%s", error ? error->message : "");
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(p), "s");
  gst_element_set_state(p, GST_STATE_PLAYING);
  GstSample *sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND);
  PT_CHECK(sample != NULL, "no frame out of ptmask %s", props);
  if (warning != NULL) {
    g_autoptr(GstBus) bus = gst_element_get_bus(p);
    *warning = gst_bus_pop_filtered(bus, GST_MESSAGE_WARNING);
  }
  gst_element_set_state(p, GST_STATE_NULL);
  return sample;
}

static Stats
sample_stats(GstSample *sample, PtMaskRect r)
{
  GstVideoInfo info;
  GstVideoFrame f;

  gst_video_info_from_caps(&info, gst_sample_get_caps(sample));
  PT_CHECK(gst_video_frame_map(&f, &info, gst_sample_get_buffer(sample), GST_MAP_READ), "map");
  Stats s = stats(&f, r, 0);
  gst_video_frame_unmap(&f);
  return s;
}

static void
test_element(void)
{
  GstMessage *warning = NULL;
  g_autoptr(GstSample) black = mask_one("smpte", "rects=" MASK_TEXT, NULL);
  Stats in = sample_stats(black, masked), out = sample_stats(black, control);

  PT_CHECK(in.mean == 16 && in.variance == 0 && in.chroma_mean == 128, "black: %.1f %.1f %.1f",
           in.mean, in.variance, in.chroma_mean);
  PT_CHECK(out.variance > 500, "black: the bars outside are gone (var %.1f)", out.variance);
  /* A blur leaves the rectangle's average and takes its detail: an 8 px checkerboard. */
  PtMaskRect board = {40, 40, 120, 90};
  g_autoptr(GstSample) plain = mask_one("checkers-8", "rects=\"\"", NULL);
  g_autoptr(GstSample) blurred = mask_one("checkers-8", "rects=40,40,120,90 style=blur", NULL);
  Stats before = sample_stats(plain, board), after = sample_stats(blurred, board);
  PtMaskRect beside = {200, 40, 100, 90};
  Stats kept = sample_stats(blurred, beside);
  g_print("# blur: variance %.1f -> %.1f (beside it %.1f), mean %.1f -> %.1f\n", before.variance,
          after.variance, kept.variance, before.mean, after.mean);
  PT_CHECK(after.variance < before.variance / 50, "blur left detail: %.1f of %.1f", after.variance,
           before.variance);
  PT_CHECK(fabs(after.mean - before.mean) < 8, "blur changed the brightness");
  PT_CHECK(kept.variance > before.variance / 2, "blur spilled outside its rectangle");
  /* In percent: the right-hand quarter's top quarter of 320x240, 240,0,80,60. */
  g_autoptr(GstSample) quarter = mask_one("smpte", "rects=\"75%,0%,25%,25%\"", NULL);
  PtMaskRect q = {240, 0, 80, 60}, below = {240, 60, 80, 60};
  Stats qin = sample_stats(quarter, q), qout = sample_stats(quarter, below);
  PT_CHECK(qin.mean == 16 && qin.variance == 0 && qout.mean > 16,
           "percent: inside %.1f/%.1f, below it %.1f", qin.mean, qin.variance, qout.mean);
  /* A rectangle past the frame: fail closed, with a warning naming the camera and value. */
  g_autoptr(GstSample) all = mask_one("smpte", "rects=300,0,40,40 camera=dock-7", &warning);
  PtMaskRect whole = {0, 0, W, H};
  Stats everything = sample_stats(all, whole);
  PT_CHECK(everything.mean == 16 && everything.variance == 0, "a mask that does not fit left "
                                                              "the frame visible");
  PT_CHECK(warning != NULL, "no warning for a mask outside the frame");
  {
    g_autoptr(GError) werr = NULL;
    gst_message_parse_warning(warning, &werr, NULL);
    PT_CHECK(strstr(werr->message, "dock-7") && strstr(werr->message, "300,0,40,40"),
             "unclear warning: %s", werr->message);
    g_print("# warning: %s\n", werr->message);
  }
  gst_message_unref(warning);
  g_print("ok: the element blacks, blurs and fails closed\n");
}

/* The tap's frames: the luma mean of the masked rectangle of the newest one, x10. */
static gint tap_mask_mean10 = -1;

static void
on_frame(PtCamera *camera, PtTapFrame *frame, gpointer user_data)
{
  double sum = 0;

  for (int j = masked.y + 2; j < masked.y + masked.h - 2; j++)
    for (int i = masked.x + 2; i < masked.x + masked.w - 2; i++)
      sum += frame->plane[0][j * frame->stride[0] + i];
  g_atomic_int_set(&tap_mask_mean10, (gint)(10 * sum / ((masked.w - 4) * (masked.h - 4))));
}

static char *problem; /* the last problem reported, on the main context */

static void
on_problem(PtCamera *camera, const char *message, gpointer user_data)
{
  g_free(problem);
  problem = g_strdup(message);
}

static gboolean
problem_and_frame(gpointer data)
{
  return problem != NULL && g_atomic_int_get(&tap_mask_mean10) >= 0;
}

typedef struct {
  PtCamera *cam;
  const char *dir;
  PtTestRecorder *rec;
} Watch;

/* The newest segment the playlist lists, once it has one (a viewer touching it meanwhile). */
static gboolean
playlist_ready(gpointer data)
{
  Watch *w = data;
  g_autofree char *path = g_build_filename(w->dir, PT_LIVE_PLAYLIST_NAME, NULL);
  g_autofree char *text = NULL;

  pt_camera_live_touch(w->cam, NULL);
  return g_file_get_contents(path, &text, NULL, NULL) && strstr(text, ".ts") != NULL;
}

static char *
first_live_segment(const char *dir)
{
  g_autofree char *path = g_build_filename(dir, PT_LIVE_PLAYLIST_NAME, NULL);
  g_autofree char *text = NULL;

  PT_CHECK(g_file_get_contents(path, &text, NULL, NULL), "no playlist");
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_suffix(lines[i], ".ts"))
      return g_build_filename(dir, lines[i], NULL);
  PT_CHECK(FALSE, "no segment listed");
  return NULL;
}

static gboolean
two_closed(gpointer data)
{
  Watch *w = data;

  pt_camera_live_touch(w->cam, NULL);
  return w->rec->closed->len >= 2 && g_atomic_int_get(&tap_mask_mean10) >= 0;
}

static guint
count_encoders(PtCamera *cam)
{
  g_autoptr(GstElement) pipeline = pt_camera_dup_pipeline(cam);
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue v = G_VALUE_INIT;
  guint n = 0;

  while (gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory(g_value_get_object(&v));
    const char *name = f ? GST_OBJECT_NAME(f) : "";

    n += strcmp(name, "x264enc") == 0 || strcmp(name, "openh264enc") == 0;
    g_value_unset(&v);
  }
  return n;
}

/* Starts @cfg, watches it until the live view has a segment, checks it, stops.  @rec gets
 * the recording.  Returns the camera's encoder count while watched. */
static guint
watch_masked(PtCameraConfig *cfg, PtTestRecorder *rec, const char *what, gboolean want_closed)
{
  g_autoptr(GError) error = NULL;
  PtCameraCallbacks cbs = *pt_test_callbacks();
  cbs.frame = on_frame;
  PtCamera *cam = pt_camera_new(cfg, &cbs, rec, &error);
  Watch w = {cam, cfg->live_dir, rec};

  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(playlist_ready, &w, 15000), "%s: no live playlist", what);
  guint encoders = count_encoders(cam);
  g_autofree char *seg = first_live_segment(cfg->live_dir);
  g_autoptr(GstSample) live = first_frame(seg, NULL);
  check_masked(live, what);
  if (want_closed)
    PT_CHECK(pt_test_wait(two_closed, &w, 15000), "%s: no closed segments or tap frame", what);
  pt_camera_stop(cam);
  pt_camera_free(cam);
  return encoders;
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autoptr(GError) error = NULL;
  PtCameraConfig raw, file;

  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", "hlssink2", "mpegtsmux", "tsdemux",
               "decodebin", NULL);
  pt_pipeline_init(NULL, NULL, NULL);
  root = pt_test_tmpdir("mask");
  test_parse();
  test_element();

  /* A raw camera: live view, tap, recording and clip. */
  pt_camera_config_init(&raw);
  raw.name = g_strdup("pick-1");
  raw.kind = PT_SOURCE_TEST;
  raw.location = g_strdup("smpte");
  raw.output_root = g_strdup(root);
  raw.segment_ns = GST_SECOND;
  raw.width = W;
  raw.height = H;
  raw.fps = 25;
  raw.tap_fps = 5;
  raw.tap_format = PT_TAP_FORMAT_I420;
  raw.live_dir = g_build_filename(root, "live", "pick-1", NULL);
  PT_CHECK(pt_mask_parse(MASK_TEXT, &raw.mask, &error), "%s", error->message);
  PtTestRecorder *rec = pt_test_recorder_new();
  guint encoders = watch_masked(&raw, rec, "raw camera's live view", TRUE);
  PT_CHECK(encoders == 2, "raw: %u encoders while watched, want the recording's and the view's",
           encoders);
  PT_CHECK(g_atomic_int_get(&tap_mask_mean10) < 200, "the tap's frame is not masked (Y mean %.1f)",
           g_atomic_int_get(&tap_mask_mean10) / 10.0);
  g_print("# tap: masked rectangle Y mean %.1f\n", g_atomic_int_get(&tap_mask_mean10) / 10.0);

  PtTestSegment *seg = g_ptr_array_index(rec->closed, 0);
  g_autoptr(GstSample) recorded = first_frame(seg->path, NULL);
  check_unmasked(recorded, "recorded segment");

  PtClipSegment segs[2];
  for (guint i = 0; i < 2; i++) {
    PtTestSegment *s = g_ptr_array_index(rec->closed, i);
    segs[i] = (PtClipSegment){s->path, s->start_ns, s->end_ns};
  }
  g_autofree char *clip = g_build_filename(root, "clip.mp4", NULL);
  PtClipResult res;
  PT_CHECK(pt_clip_export(segs, 2, segs[0].start_ns, segs[1].end_ns - GST_SECOND / 2, &raw.mask,
                          clip, &res, &error),
           "%s", error ? error->message : "");
  PT_CHECK(res.masked && res.frames > 25, "clip: masked %d, %" G_GUINT64_FORMAT " frames",
           res.masked, res.frames);
  g_autofree char *comment = NULL;
  g_autoptr(GstSample) clipped = first_frame(clip, &comment);
  check_masked(clipped, "masked clip");
  g_autofree char *seg_base = g_path_get_basename(seg->path);
  PT_CHECK(comment != NULL && strstr(comment, seg_base) &&
               strstr(comment, "privacy mask applied") && strstr(comment, MASK_TEXT),
           "clip comment: %s", comment ? comment : "(none)");
  g_print("# clip comment: %s\n", comment);
  /* The same range unmasked: the comment says so and the rectangle shows. */
  g_autofree char *plain = g_build_filename(root, "plain.mp4", NULL);
  PT_CHECK(pt_clip_export(segs, 2, segs[0].start_ns, segs[1].end_ns - GST_SECOND / 2, NULL, plain,
                          &res, &error),
           "%s", error ? error->message : "");
  g_autofree char *plain_comment = NULL;
  g_autoptr(GstSample) plain_frame = first_frame(plain, &plain_comment);
  check_unmasked(plain_frame, "unmasked clip");
  PT_CHECK(!res.masked && plain_comment && strstr(plain_comment, "no privacy mask"),
           "unmasked clip comment: %s", plain_comment ? plain_comment : "(none)");
  g_print("ok: raw camera: live view, tap and clip masked, recording not\n");

  /* The timeline's pieces: cut exactly at a moment between keyframes, end to end.  The plain
   * cut starts at the keyframe before; the exact one at the first frame at or after it, and
   * two pieces hold the frames of their union once each. */
  gint64 a = segs[0].start_ns + 300 * GST_MSECOND, b = segs[0].start_ns + 1100 * GST_MSECOND;
  gint64 c = segs[1].end_ns - 200 * GST_MSECOND;
  g_autofree char *p1 = g_build_filename(root, "piece1.mp4", NULL);
  g_autofree char *p2 = g_build_filename(root, "piece2.mp4", NULL);
  g_autofree char *p12 = g_build_filename(root, "piece12.mp4", NULL);
  PtClipResult r1, r2, r12;
  PT_CHECK(pt_clip_export(segs, 2, a, b, &raw.mask, p1, &r1, &error), "%s",
           error ? error->message : "");
  PT_CHECK(r1.start_ns <= a - 250 * GST_MSECOND,
           "a plain cut starts at the keyframe before: %.3f s before the range",
           (a - r1.start_ns) / 1e9);
  PT_CHECK(
      pt_clip_export_full(segs, 2, a, b, &raw.mask, PT_CLIP_EXACT_START, p1, &r1, &error) &&
          pt_clip_export_full(segs, 2, b, c, &raw.mask, PT_CLIP_EXACT_START, p2, &r2, &error) &&
          pt_clip_export_full(segs, 2, a, c, &raw.mask, PT_CLIP_EXACT_START, p12, &r12, &error),
      "%s", error ? error->message : "");
  PT_CHECK(r1.start_ns >= a && r1.start_ns < a + GST_SECOND / 25 && r2.start_ns >= b &&
               r2.start_ns < b + GST_SECOND / 25,
           "exact pieces start %.3f and %.3f s after their ranges", (r1.start_ns - a) / 1e9,
           (r2.start_ns - b) / 1e9);
  PT_CHECK(r1.frames + r2.frames == r12.frames && r1.frames >= 19 && r1.frames <= 21,
           "pieces of %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT
           " frames, the two as one %" G_GUINT64_FORMAT,
           r1.frames, r2.frames, r12.frames);
  g_autoptr(GstSample) piece_frame = first_frame(p2, NULL);
  check_masked(piece_frame, "exact piece");
  PT_CHECK(GST_BUFFER_PTS(gst_sample_get_buffer(piece_frame)) < GST_MSECOND,
           "the exact piece's first frame is at %" GST_TIME_FORMAT ", not 0",
           GST_TIME_ARGS(GST_BUFFER_PTS(gst_sample_get_buffer(piece_frame))));
  g_print("ok: exact pieces: %" G_GUINT64_FORMAT " + %" G_GUINT64_FORMAT
          " frames, starting %.1f and %.1f ms after their ranges\n",
          r1.frames, r2.frames, (r1.start_ns - a) / 1e6, (r2.start_ns - b) / 1e6);

  /* An H.264 camera (the recording above, looped): decoded, masked, encoded in the branch. */
  pt_camera_config_init(&file);
  file.name = g_strdup("dock-1");
  file.kind = PT_SOURCE_FILE;
  file.location = g_strdup(seg->path);
  file.output_root = g_strdup(root);
  file.segment_ns = GST_SECOND;
  file.live_dir = g_build_filename(root, "live", "dock-1", NULL);
  file.mask = raw.mask;
  PtTestRecorder *rec2 = pt_test_recorder_new();
  encoders = watch_masked(&file, rec2, "H.264 camera's live view", FALSE);
  PT_CHECK(encoders == 1, "H.264: %u encoders while watched, want the view's alone", encoders);
  g_print("ok: H.264 camera: live view decoded, masked and encoded\n");

  /* The same camera with a rectangle past its 320x240 frame (unknown until it streams): the
   * tap's frames are wholly covered and the station hears of it, camera and value named. */
  PtCameraConfig wrong = file;
  wrong.name = g_strdup("dock-2");
  wrong.location = g_strdup(seg->path);
  wrong.output_root = g_strdup(root);
  wrong.live_dir = NULL;
  wrong.tap_fps = 5;
  wrong.tap_format = PT_TAP_FORMAT_I420;
  PT_CHECK(pt_mask_parse("16,16,60,60;280,200,40,60", &wrong.mask, NULL), "parse");
  g_atomic_int_set(&tap_mask_mean10, -1);
  PtTestRecorder *rec3 = pt_test_recorder_new();
  PtCameraCallbacks cbs = *pt_test_callbacks();
  cbs.frame = on_frame;
  cbs.problem = on_problem;
  PtCamera *cam = pt_camera_new(&wrong, &cbs, rec3, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(problem_and_frame, NULL, 15000), "no problem reported or no tap frame");
  PT_CHECK(strstr(problem, "dock-2") && strstr(problem, "280,200,40,60") &&
               strstr(problem, "whole frame"),
           "unclear problem: %s", problem);
  PT_CHECK(g_atomic_int_get(&tap_mask_mean10) == 160, "the tap's frame is not wholly covered");
  g_print("# problem: %s\n", problem);
  pt_camera_stop(cam);
  pt_camera_free(cam);
  pt_test_recorder_free(rec3);
  pt_camera_config_clear(&wrong);
  g_clear_pointer(&problem, g_free);
  g_print("ok: a mask past an H.264 camera's frame covers it all and is reported\n");

  pt_test_recorder_free(rec2);
  pt_test_recorder_free(rec);
  pt_camera_config_clear(&raw);
  pt_camera_config_clear(&file);
  pt_test_rmtree(root);
  return 0;
}

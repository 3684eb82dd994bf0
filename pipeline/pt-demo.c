/* pt-demo.c: demo footage generation.  Runs once at set-up (./run), non-live and as fast as
 * the encoder allows; each file is written to a temp name, fsync'd and renamed, so a killed
 * set-up never leaves a half file that looks finished.  Picking and loading are test
 * patterns; the grading clip is fruit rolling along a belt (fruitgen frames through appsrc),
 * so the grading camera of a demo station has something to grade. */
#include "pt-demo.h"

#include "fruitgen.h"
#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"

#include <gst/app/app.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(pt_demo_debug);
#define GST_CAT_DEFAULT pt_demo_debug

typedef struct {
  const char *pattern; /* videotestsrc pattern that suggests the scene; grading: the belt */
  const char *title;
  const char *colour; /* foreground colour of the test pattern (ARGB) */
} DemoLook;

static const DemoLook looks[] = {
    [PT_CAMERA_ROLE_PICKING] = {"ball", "PICKING - orchard row 12", "0xff40c040"},
    [PT_CAMERA_ROLE_GRADING] = {NULL, "GRADING - line 1 camera", NULL},
    [PT_CAMERA_ROLE_LOADING] = {"zone-plate", "LOADING - dock 2", "0xff3070ff"},
};

/* The demo belt: two lanes of fruit at 0.3 mm/px repeating every BELT_PERIOD_MM, moving right
 * at about BELT_SPEED_MM_S (adjusted so the clip ends where it began and loops without a
 * jump).  Fruit move about 20 mm between frames graded at 5 per second, well inside the
 * tracker's gate. */
#define BELT_MM_PER_PX  0.3
#define BELT_PERIOD_MM  1000.0
#define BELT_SPEED_MM_S 100.0

typedef struct {
  double lane_x_mm; /* position in the lane's period */
  double diameter_mm;
  guint8 rgb[3];
  double spot_mm2[2]; /* dark spots on the peel, 0 = none */
} DemoFruit;

/* Mostly sound oranges of mixed sizes, a few still green, a few spotted (Class II and out of
 * grade under orange-unece). */
static const DemoFruit demo_fruit[][8] = {
    {
        {0, 72, {235, 135, 30}, {0, 0}},
        {125, 66, {230, 128, 28}, {0, 0}},
        {250, 78, {238, 140, 34}, {60, 0}},
        {375, 70, {120, 160, 45}, {0, 0}},
        {500, 74, {235, 135, 30}, {0, 0}},
        {625, 62, {232, 132, 30}, {220, 0}},
        {750, 76, {236, 138, 32}, {0, 0}},
        {875, 68, {235, 135, 30}, {40, 30}},
    },
    {
        {60, 75, {233, 130, 29}, {0, 0}},
        {185, 69, {235, 135, 30}, {420, 0}},
        {310, 64, {140, 165, 50}, {0, 0}},
        {435, 80, {237, 138, 31}, {0, 0}},
        {560, 71, {235, 135, 30}, {0, 0}},
        {685, 73, {231, 129, 27}, {90, 0}},
        {810, 67, {235, 135, 30}, {0, 0}},
        {935, 77, {238, 141, 35}, {0, 0}},
    },
};

typedef struct {
  PtImage *belt; /* the empty belt: slats, dirt, uneven light, noise */
  PtImage *sprite[G_N_ELEMENTS(demo_fruit)][G_N_ELEMENTS(demo_fruit[0])];
  guint8 *coverage[G_N_ELEMENTS(demo_fruit)][G_N_ELEMENTS(demo_fruit[0])];
} DemoBelt;

/* Renders the belt and each fruit once; frames are composited from them, so a clip costs a
 * copy per frame rather than a full render. */
static void
demo_belt_init(DemoBelt *belt, int width, int height)
{
  FgScene scene;
  fg_scene_init(&scene, width, height, 11);
  scene.mm_per_px = BELT_MM_PER_PX;
  belt->belt = fg_render(&scene);
  for (guint lane = 0; lane < G_N_ELEMENTS(demo_fruit); lane++)
    for (guint i = 0; i < G_N_ELEMENTS(demo_fruit[lane]); i++) {
      const DemoFruit *d = &demo_fruit[lane][i];
      FgFruit *f = fg_scene_add(&scene, 0, 0, d->diameter_mm, d->rgb[0], d->rgb[1], d->rgb[2]);
      for (guint k = 0; k < G_N_ELEMENTS(d->spot_mm2); k++)
        if (d->spot_mm2[k] > 0)
          fg_fruit_add_spot(f, k == 0 ? 0.15 : -0.3, k == 0 ? 0.1 : -0.2, d->spot_mm2[k], 0.35);
      belt->sprite[lane][i] = fg_render_sprite(f, BELT_MM_PER_PX, 0.95, &belt->coverage[lane][i]);
      scene.n_fruit = 0;
    }
}

static void
demo_belt_clear(DemoBelt *belt)
{
  g_clear_pointer(&belt->belt, pt_image_free);
  for (guint lane = 0; lane < G_N_ELEMENTS(demo_fruit); lane++)
    for (guint i = 0; i < G_N_ELEMENTS(demo_fruit[lane]); i++) {
      g_clear_pointer(&belt->sprite[lane][i], pt_image_free);
      g_clear_pointer(&belt->coverage[lane][i], g_free);
    }
}

/* Blends @sprite (by @coverage) into @dst (@stride bytes a row) with its centre at (cx, cy) px. */
static void
blend_sprite(guint8 *dst, gsize stride, int width, int height, const PtImage *sprite,
             const guint8 *coverage, int cx, int cy)
{
  int x0 = cx - sprite->width / 2, y0 = cy - sprite->height / 2;
  for (int y = MAX(0, -y0); y < sprite->height && y0 + y < height; y++)
    for (int x = MAX(0, -x0); x < sprite->width && x0 + x < width; x++) {
      int a = coverage[(gsize)y * sprite->width + x];
      const guint8 *s = sprite->pixels + (gsize)y * sprite->stride + x * 3;
      guint8 *d = dst + (gsize)(y0 + y) * stride + (gsize)(x0 + x) * 3;
      for (int c = 0; a > 0 && c < 3; c++)
        d[c] = (guint8)((s[c] * a + d[c] * (255 - a) + 127) / 255);
    }
}

/* Pushes @n_frames belt frames into @src and ends the stream; FALSE when the pipeline stopped
 * taking them (its bus says why). */
static gboolean
push_belt_frames(GstAppSrc *src, int width, int height, int fps, int n_frames)
{
  /* Whole periods over the clip, so the loop point is seamless. */
  double cycles = MAX(1.0, round(n_frames * BELT_SPEED_MM_S / fps / BELT_PERIOD_MM));
  double step_mm = cycles * BELT_PERIOD_MM / n_frames;
  double height_mm = height * BELT_MM_PER_PX;
  gsize stride = GST_ROUND_UP_4((gsize)width * 3);
  DemoBelt belt = {0};
  gboolean ok = TRUE;

  demo_belt_init(&belt, width, height);
  for (int i = 0; ok && i < n_frames; i++) {
    GstBuffer *buf = gst_buffer_new_allocate(NULL, stride * (gsize)height, NULL);
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_WRITE);
    for (int y = 0; y < height; y++)
      memcpy(map.data + (gsize)y * stride, belt.belt->pixels + (gsize)y * belt.belt->stride,
             (gsize)width * 3);
    for (guint lane = 0; lane < G_N_ELEMENTS(demo_fruit); lane++)
      for (guint k = 0; k < G_N_ELEMENTS(demo_fruit[lane]); k++) {
        /* Fruit enter from the left: -100 mm is the start of the period. */
        double cx = fmod(demo_fruit[lane][k].lane_x_mm + i * step_mm, BELT_PERIOD_MM) - 100.0;
        double cy = height_mm * (lane == 0 ? 0.28 : 0.72);
        blend_sprite(map.data, stride, width, height, belt.sprite[lane][k], belt.coverage[lane][k],
                     (int)lround(cx / BELT_MM_PER_PX), (int)lround(cy / BELT_MM_PER_PX));
      }
    gst_buffer_unmap(buf, &map);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale_int(i, GST_SECOND, fps);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale_int(1, GST_SECOND, fps);
    ok = gst_app_src_push_buffer(src, buf) == GST_FLOW_OK;
  }
  demo_belt_clear(&belt);
  if (ok)
    gst_app_src_end_of_stream(src);
  return ok;
}

char *
pt_demo_footage_make(const char *dir, PtCameraRole role, int seconds, int width, int height,
                     int fps, GError **error)
{
  static gsize once = 0;
  g_autofree char *name = g_strdup_printf("demo-%s.mkv", pt_camera_role_to_string(role));
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
  g_autofree char *q_tmp = g_strescape(tmp, NULL);
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autofree char *enc_desc = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) msg = NULL;
  const DemoLook *look;
  gboolean ok;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_demo_debug, "pt-demo", 0, "packtrace demo footage");
    g_once_init_leave(&once, 1);
  }
  g_return_val_if_fail((guint)role < G_N_ELEMENTS(looks), NULL);
  if (seconds <= 0 || seconds > PT_DEMO_MAX_SECONDS || width <= 0 || height <= 0 ||
      width > PT_DIMENSION_MAX || height > PT_DIMENSION_MAX || fps <= 0 || fps > PT_FPS_MAX) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG,
                "demo footage: bad length, size or rate");
    return NULL;
  }
  if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer(&path);
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "mkdir %s: %s", dir,
                g_strerror(errno));
    return NULL;
  }
  if (!pt_have_element("textoverlay") || !pt_have_element("timeoverlay")) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN,
                "textoverlay/timeoverlay missing (gstreamer1.0-x)");
    return NULL;
  }
  /* The encoder is chosen like a camera's so the files need nothing the station lacks. */
  enc_desc = pt_h264_encoder_launch(fps, error);
  if (enc_desc == NULL)
    return NULL;
  look = &looks[role];
  g_autofree char *source =
      role == PT_CAMERA_ROLE_GRADING
          ? g_strdup_printf("appsrc name=belt format=time block=true max-bytes=%d "
                            "caps=video/x-raw,format=RGB,width=%d,height=%d,framerate=%d/1 ! "
                            "videoconvert",
                            width * height * 3 * 4, width, height, fps)
          : g_strdup_printf("videotestsrc pattern=%s foreground-color=%s num-buffers=%d",
                            look->pattern, look->colour, seconds * fps);
  desc = g_strdup_printf(
      "%s ! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 ! "
      "textoverlay text=\"%s\" valignment=top halignment=left font-desc=\"Sans 24\" ! "
      "timeoverlay valignment=bottom halignment=right font-desc=\"Monospace 20\" ! "
      "%s ! h264parse ! matroskamux ! filesink location=\"%s\"",
      source, width, height, fps, look->title, enc_desc, q_tmp);
  pipeline = gst_parse_launch(desc, error);
  if (pipeline == NULL)
    return NULL;
  bus = gst_element_get_bus(pipeline);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  if (role == PT_CAMERA_ROLE_GRADING) {
    g_autoptr(GstElement) belt = gst_bin_get_by_name(GST_BIN(pipeline), "belt");
    /* On failure the error is on the bus, read below. */
    push_belt_frames(GST_APP_SRC(belt), width, height, fps, seconds * fps);
  }
  msg = gst_bus_timed_pop_filtered(bus, PT_PROBE_TIMEOUT_NS, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  ok = msg != NULL && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (!ok) {
    g_autofree char *reason = msg ? pt_message_reason(msg, NULL) : g_strdup("timed out");

    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_WRITE, "demo footage %s: %s", path, reason);
    g_unlink(tmp);
    return NULL;
  }
  if (!pt_fsync_path(tmp, error) || !pt_rename_durable(tmp, path, error)) {
    g_unlink(tmp);
    return NULL;
  }
  GST_INFO("made %s", path);
  return g_steal_pointer(&path);
}

gboolean
pt_demo_footage_make_all(const char *dir, int seconds, GError **error)
{
  for (guint role = PT_CAMERA_ROLE_PICKING; role <= PT_CAMERA_ROLE_LOADING; role++) {
    g_autofree char *path =
        pt_demo_footage_make(dir, (PtCameraRole)role, seconds, 1280, 720, 25, error);

    if (path == NULL)
      return FALSE;
  }
  return TRUE;
}

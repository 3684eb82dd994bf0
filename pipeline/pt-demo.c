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

/* Pushes generated frames into the appsrc named "frames"; FALSE when the pipeline stopped
 * taking them (its bus says why). */
typedef gboolean (*FramePusher)(GstAppSrc *src, int width, int height, int fps, int n_frames,
                                gconstpointer data);

static void
init_debug(void)
{
  static gsize once = 0;
  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_demo_debug, "pt-demo", 0, "packtrace demo footage");
    g_once_init_leave(&once, 1);
  }
}

static gboolean
check_footage_args(const char *dir, int seconds, int width, int height, int fps, GError **error)
{
  if (seconds <= 0 || seconds > PT_DEMO_MAX_SECONDS || width <= 0 || height <= 0 ||
      width > PT_DIMENSION_MAX || height > PT_DIMENSION_MAX || fps <= 0 || fps > PT_FPS_MAX) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG,
                "demo footage: bad length, size or rate");
    return FALSE;
  }
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "mkdir %s: %s", dir,
                g_strerror(errno));
    return FALSE;
  }
  if (!pt_have_element("textoverlay") || !pt_have_element("timeoverlay")) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN,
                "textoverlay/timeoverlay missing (gstreamer1.0-x)");
    return FALSE;
  }
  return TRUE;
}

/* Encodes @seconds of frames from @testsrc (a videotestsrc description) or, when it is NULL,
 * from @push into @path (temp, fsync, rename). */
static gboolean
write_footage(const char *path, const char *testsrc, FramePusher push, gconstpointer push_data,
              const char *title, int seconds, int width, int height, int fps, GError **error)
{
  g_autofree char *tmp = g_strdup_printf("%s.tmp", path);
  g_autofree char *q_tmp = g_strescape(tmp, NULL);
  g_autofree char *q_title = g_strescape(title, NULL);
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) msg = NULL;

  /* The encoder is chosen like a camera's so the files need nothing the station lacks. */
  g_autofree char *enc_desc = pt_h264_encoder_launch(fps, error);
  if (enc_desc == NULL)
    return FALSE;
  g_autofree char *source =
      testsrc ? g_strdup_printf("%s num-buffers=%d", testsrc, seconds * fps)
              : g_strdup_printf("appsrc name=frames format=time block=true max-bytes=%d "
                                "caps=video/x-raw,format=RGB,width=%d,height=%d,framerate=%d/1 ! "
                                "videoconvert",
                                width * height * 3 * 4, width, height, fps);
  g_autofree char *desc = g_strdup_printf(
      "%s ! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 ! "
      "textoverlay text=\"%s\" valignment=top halignment=left font-desc=\"Sans 24\" ! "
      "timeoverlay valignment=bottom halignment=right font-desc=\"Monospace 20\" ! "
      "%s ! h264parse ! matroskamux ! filesink location=\"%s\"",
      source, width, height, fps, q_title, enc_desc, q_tmp);
  pipeline = gst_parse_launch(desc, error);
  if (pipeline == NULL)
    return FALSE;
  bus = gst_element_get_bus(pipeline);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  if (!testsrc) {
    g_autoptr(GstElement) frames = gst_bin_get_by_name(GST_BIN(pipeline), "frames");
    /* On failure the error is on the bus, read below. */
    push(GST_APP_SRC(frames), width, height, fps, seconds * fps, push_data);
  }
  msg = gst_bus_timed_pop_filtered(bus, PT_PROBE_TIMEOUT_NS, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  if (msg == NULL || GST_MESSAGE_TYPE(msg) != GST_MESSAGE_EOS) {
    g_autofree char *reason = msg ? pt_message_reason(msg, NULL) : g_strdup("timed out");

    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_WRITE, "demo footage %s: %s", path, reason);
    g_unlink(tmp);
    return FALSE;
  }
  if (!pt_fsync_path(tmp, error) || !pt_rename_durable(tmp, path, error)) {
    g_unlink(tmp);
    return FALSE;
  }
  GST_INFO("made %s", path);
  return TRUE;
}

static gboolean
push_belt(GstAppSrc *src, int width, int height, int fps, int n_frames, gconstpointer data)
{
  return push_belt_frames(src, width, height, fps, n_frames);
}

char *
pt_demo_footage_make(const char *dir, PtCameraRole role, int seconds, int width, int height,
                     int fps, GError **error)
{
  g_autofree char *name = g_strdup_printf("demo-%s.mkv", pt_camera_role_to_string(role));
  g_autofree char *path = g_build_filename(dir, name, NULL);

  init_debug();
  g_return_val_if_fail((guint)role < G_N_ELEMENTS(looks), NULL);
  if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer(&path);
  if (!check_footage_args(dir, seconds, width, height, fps, error))
    return NULL;
  const DemoLook *look = &looks[role];
  g_autofree char *testsrc = role == PT_CAMERA_ROLE_GRADING
                                 ? NULL
                                 : g_strdup_printf("videotestsrc pattern=%s foreground-color=%s",
                                                   look->pattern, look->colour);
  if (!write_footage(path, testsrc, push_belt, NULL, look->title, seconds, width, height, fps,
                     error))
    return NULL;
  return g_steal_pointer(&path);
}

/* ---- the loading dock: crates with QR labels passing on a conveyor ---- */

#define CRATE_PASS_FRACTION 0.6 /* of a crate's slot: the rest is an empty conveyor */
#define LABEL_QUIET_MODULES 4

typedef struct {
  const PtDemoCode *codes;
  guint n_codes;
} DockCodes;

static void
fill_rect(guint8 *dst, gsize stride, int width, int height, int x0, int y0, int w, int h,
          const guint8 rgb[3])
{
  for (int y = MAX(0, y0); y < MIN(height, y0 + h); y++)
    for (int x = MAX(0, x0); x < MIN(width, x0 + w); x++)
      memcpy(dst + (gsize)y * stride + (gsize)x * 3, rgb, 3);
}

/* The floor, the conveyor band with its rollers and a yellow safety line. */
static void
draw_dock(guint8 *dst, gsize stride, int width, int height, int belt_y, int belt_h)
{
  static const guint8 floor_rgb[3] = {92, 96, 100}, belt_rgb[3] = {38, 40, 42},
                      roller_rgb[3] = {70, 72, 76}, stripe_rgb[3] = {230, 190, 30};
  fill_rect(dst, stride, width, height, 0, 0, width, height, floor_rgb);
  fill_rect(dst, stride, width, height, 0, belt_y, width, belt_h, belt_rgb);
  for (int x = 0; x < width; x += 48)
    fill_rect(dst, stride, width, height, x, belt_y, 6, belt_h, roller_rgb);
  fill_rect(dst, stride, width, height, 0, belt_y + belt_h + 12, width, 10, stripe_rgb);
}

/* A wooden crate with slats and a white label carrying @code at @m px a module. */
static void
draw_crate(guint8 *dst, gsize stride, int width, int height, int x0, int y0, int crate_w,
           int crate_h, const PtDemoCode *code, int m)
{
  static const guint8 wood_rgb[3] = {176, 122, 62}, slat_rgb[3] = {140, 92, 44},
                      white[3] = {250, 250, 248}, black[3] = {12, 12, 12};
  fill_rect(dst, stride, width, height, x0, y0, crate_w, crate_h, wood_rgb);
  for (int y = y0; y < y0 + crate_h; y += 36)
    fill_rect(dst, stride, width, height, x0, y, crate_w, 5, slat_rgb);
  int side = MAX(code->cols, code->rows) + 2 * LABEL_QUIET_MODULES;
  int lx = x0 + (crate_w - side * m) / 2, ly = y0 + (crate_h - side * m) / 2;
  fill_rect(dst, stride, width, height, lx, ly, side * m, side * m, white);
  lx += LABEL_QUIET_MODULES * m;
  ly += LABEL_QUIET_MODULES * m;
  for (int r = 0; r < code->rows; r++)
    for (int c = 0; c < code->cols; c++)
      if (code->modules[(gsize)r * code->cols + c])
        fill_rect(dst, stride, width, height, lx + c * m, ly + r * m, m, m, black);
}

static gboolean
push_dock_frames(GstAppSrc *src, int width, int height, int fps, int n_frames, gconstpointer data)
{
  const DockCodes *dock = data;
  gsize stride = GST_ROUND_UP_4((gsize)width * 3);
  int m = MAX(2, height / 144);
  int max_modules = 0;
  for (guint i = 0; i < dock->n_codes; i++)
    max_modules = MAX(max_modules, MAX(dock->codes[i].cols, dock->codes[i].rows));
  int label = (max_modules + 2 * LABEL_QUIET_MODULES) * m;
  int crate_w = label + height / 4, crate_h = label + height / 8;
  int belt_h = crate_h + height / 12, belt_y = (height - belt_h) / 2;
  g_autofree guint8 *background = g_malloc(stride * (gsize)height);
  gboolean ok = TRUE;

  draw_dock(background, stride, width, height, belt_y, belt_h);
  int slot = dock->n_codes ? MAX(1, n_frames / (int)dock->n_codes) : n_frames;
  int pass = MAX(1, (int)(slot * CRATE_PASS_FRACTION));
  for (int i = 0; ok && i < n_frames; i++) {
    GstBuffer *buf = gst_buffer_new_allocate(NULL, stride * (gsize)height, NULL);
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_WRITE);
    memcpy(map.data, background, stride * (gsize)height);
    guint k = (guint)(i / slot);
    int t = i % slot;
    if (k < dock->n_codes && t < pass) {
      /* Left to right, from just outside the frame to just outside the other side. */
      int x = -crate_w + (int)((gint64)(width + crate_w) * t / pass);
      draw_crate(map.data, stride, width, height, x, belt_y + (belt_h - crate_h) / 2, crate_w,
                 crate_h, &dock->codes[k], m);
    }
    gst_buffer_unmap(buf, &map);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale_int(i, GST_SECOND, fps);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale_int(1, GST_SECOND, fps);
    ok = gst_app_src_push_buffer(src, buf) == GST_FLOW_OK;
  }
  if (ok)
    gst_app_src_end_of_stream(src);
  return ok;
}

char *
pt_demo_loading_make(const char *dir, const PtDemoCode *codes, guint n_codes, int seconds,
                     int width, int height, int fps, GError **error)
{
  g_autofree char *name =
      g_strdup_printf("demo-%s.mkv", pt_camera_role_to_string(PT_CAMERA_ROLE_LOADING));
  g_autofree char *path = g_build_filename(dir, name, NULL);
  DockCodes dock = {codes, n_codes};

  init_debug();
  if (!check_footage_args(dir, seconds, width, height, fps, error))
    return NULL;
  for (guint i = 0; i < n_codes; i++)
    if (codes[i].cols <= 0 || codes[i].rows <= 0 ||
        (MAX(codes[i].cols, codes[i].rows) + 2 * LABEL_QUIET_MODULES) * MAX(2, height / 144) >
            height / 2) {
      g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG,
                  "demo footage: code %u does not fit a crate label", i + 1);
      return NULL;
    }
  if (!write_footage(path, NULL, push_dock_frames, &dock, "LOADING - demo dock (demo batches)",
                     seconds, width, height, fps, error))
    return NULL;
  return g_steal_pointer(&path);
}

/* Copies @name from the footage made at build time (PT_DEMO_BUILT_DIR, see
 * pipeline/meson.build) into @dir, durably; FALSE, and nothing written, when there is none. */
static gboolean
copy_built_footage(const char *dir, const char *name)
{
  g_autofree char *from = g_build_filename(PT_DEMO_BUILT_DIR, name, NULL);
  g_autofree char *to = g_build_filename(dir, name, NULL);
  g_autofree char *bytes = NULL;
  gsize n_bytes = 0;
  g_autoptr(GError) error = NULL;
  if (PT_DEMO_BUILT_DIR[0] == '\0' || g_file_test(to, G_FILE_TEST_EXISTS) ||
      !g_file_test(from, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  if (g_mkdir_with_parents(dir, 0755) != 0 ||
      !g_file_get_contents(from, &bytes, &n_bytes, &error) ||
      !g_file_set_contents_full(to, bytes, (gssize)n_bytes, G_FILE_SET_CONTENTS_DURABLE, 0644,
                                &error)) {
    GST_WARNING("built demo footage %s not copied: %s", from,
                error ? error->message : g_strerror(errno));
    return FALSE;
  }
  GST_INFO("copied %s", from);
  return TRUE;
}

gboolean
pt_demo_footage_make_all(const char *dir, int seconds, GError **error)
{
  init_debug();
  for (guint role = PT_CAMERA_ROLE_PICKING; role <= PT_CAMERA_ROLE_LOADING; role++) {
    g_autofree char *name =
        g_strdup_printf("demo-%s.mkv", pt_camera_role_to_string((PtCameraRole)role));
    /* The build made the default length; any other is encoded here. */
    if (seconds == PT_DEMO_DEFAULT_SECONDS)
      copy_built_footage(dir, name);
    g_autofree char *path =
        pt_demo_footage_make(dir, (PtCameraRole)role, seconds, 1280, 720, 25, error);

    if (path == NULL)
      return FALSE;
  }
  return TRUE;
}

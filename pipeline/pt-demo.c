/* pt-demo.c: demo footage generation.  Runs once at set-up (./run), non-live and as fast as
 * the encoder allows; each file is written to a temp name, fsync'd and renamed, so a killed
 * set-up never leaves a half file that looks finished. */
#include "pt-demo.h"

#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"

#include <glib/gstdio.h>

GST_DEBUG_CATEGORY_STATIC(pt_demo_debug);
#define GST_CAT_DEFAULT pt_demo_debug

typedef struct {
  const char *pattern; /* videotestsrc pattern that suggests the scene */
  const char *title;
  const char *colour; /* foreground colour of the test pattern (ARGB) */
} DemoLook;

static const DemoLook looks[] = {
    [PT_CAMERA_ROLE_PICKING] = {"ball", "PICKING - orchard row 12", "0xff40c040"},
    [PT_CAMERA_ROLE_GRADING] = {"pinwheel", "GRADING - line 1 camera", "0xffff8c00"},
    [PT_CAMERA_ROLE_LOADING] = {"zone-plate", "LOADING - dock 2", "0xff3070ff"},
};

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
  desc = g_strdup_printf(
      "videotestsrc pattern=%s foreground-color=%s num-buffers=%d ! "
      "video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 ! "
      "textoverlay text=\"%s\" valignment=top halignment=left font-desc=\"Sans 24\" ! "
      "timeoverlay valignment=bottom halignment=right font-desc=\"Monospace 20\" ! "
      "%s ! h264parse ! matroskamux ! filesink location=\"%s\"",
      look->pattern, look->colour, seconds * fps, width, height, fps, look->title, enc_desc, q_tmp);
  pipeline = gst_parse_launch(desc, error);
  if (pipeline == NULL)
    return NULL;
  bus = gst_element_get_bus(pipeline);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
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

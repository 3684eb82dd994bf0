/* pt-pipeline.c: library start-up: GStreamer initialisation and the check that the
 * elements every camera needs are installed, so a missing Debian package is reported once
 * at start rather than as a camera that keeps restarting. */
#include "pt-pipeline.h"

#include "pt-dmtx.h"
#include "pt-gst-util.h"
#include "pt-mask.h"
#include "pt-packgrade.h"

static const struct {
  const char *element;
  const char *package;
} required[] = {
    {"splitmuxsink", "gstreamer1.0-plugins-good"},  {"matroskamux", "gstreamer1.0-plugins-good"},
    {"matroskademux", "gstreamer1.0-plugins-good"}, {"mp4mux", "gstreamer1.0-plugins-good"},
    {"rtspsrc", "gstreamer1.0-plugins-good"},       {"h264parse", "gstreamer1.0-plugins-bad"},
    {"appsink", "gstreamer1.0-plugins-base"},       {"videoconvert", "gstreamer1.0-plugins-base"},
    {"videotestsrc", "gstreamer1.0-plugins-base"},  {"parsebin", "gstreamer1.0-plugins-base"},
};

gboolean
pt_pipeline_init(int *argc, char ***argv, GError **error)
{
  g_autoptr(GString) missing = g_string_new(NULL);
  g_autofree char *encoder = NULL;

  if (!gst_init_check(argc, argv, error))
    return FALSE;
  pt_packgrade_register(NULL);
  pt_dmtx_register(NULL);
  pt_mask_register(NULL);
  for (guint i = 0; i < G_N_ELEMENTS(required); i++) {
    if (!pt_have_element(required[i].element))
      g_string_append_printf(missing, " %s (%s)", required[i].element, required[i].package);
  }
  if (missing->len > 0) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN, "GStreamer elements missing:%s",
                missing->str);
    return FALSE;
  }
  encoder = pt_h264_encoder_launch(1, error);
  return encoder != NULL && pt_h264_decoder_factory(error) != NULL;
}

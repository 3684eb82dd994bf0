/* test-stall.c: an RTSP camera whose stream stops without any error (the connection stays
 * open, no packet arrives).  The watchdog must notice within stall_ms, restart the camera
 * (PT_CAMERA_ERROR_STALLED), record again from the fresh stream and report the gap. */
#include "pt-test-util.h"

#define PASS_BUFFERS 30 /* 2 s at 15 fps, then the first stream goes silent */

#define SERVER_LAUNCH                                                                              \
  "( videotestsrc is-live=true ! "                                                                 \
  "video/x-raw,format=I420,width=320,height=240,framerate=15/1 ! "                                 \
  "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=15 ! identity name=gate ! "         \
  "rtph264pay name=pay0 pt=96 config-interval=1 )"

static PtTestRecorder *rec;
static PtCamera *cam;
static gint medias;

static GstPadProbeReturn
go_silent(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  guint *count = data;

  return ++*count > PASS_BUFFERS ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static void
configure(GstRTSPMediaFactory *f, GstRTSPMedia *media, gpointer data)
{
  g_autoptr(GstElement) bin = gst_rtsp_media_get_element(media);
  g_autoptr(GstElement) gate = gst_bin_get_by_name(GST_BIN(bin), "gate");
  g_autoptr(GstPad) pad = gst_element_get_static_pad(gate, "src");

  /* Only the first stream stalls; the camera's reconnect gets a healthy one. */
  if (g_atomic_int_add(&medias, 1) == 0)
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, go_silent, g_new0(guint, 1), g_free);
}

static gboolean
recording_again(gpointer data)
{
  return rec->gaps->len >= 1 && pt_camera_get_state(cam) == PT_CAMERA_RECORDING;
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  PtTestRtsp rtsp = {.launch = SERVER_LAUNCH, .shared = FALSE, .configure = configure};
  PtCameraConfig cfg;
  PtTestGap *gap;
  int code = -1;

  pt_test_init(&argc, &argv, "x264enc", "rtph264pay", "rtspsrc", "rtph264depay", NULL);
  root = pt_test_tmpdir("stall");
  pt_test_rtsp_start(&rtsp);
  url = pt_test_rtsp_url(&rtsp);

  rec = pt_test_recorder_new();
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("pick-2");
  cfg.kind = PT_SOURCE_RTSP;
  cfg.location = g_strdup(url);
  cfg.output_root = g_strdup(root);
  cfg.segment_ns = GST_SECOND;
  cfg.stall_ms = 1500;
  cfg.backoff_initial_ms = 200;
  cfg.backoff_max_ms = 1000;
  cam = pt_camera_new(&cfg, pt_test_callbacks(), rec, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(recording_again, NULL, 20000),
           "no recovery from the stall (state %s, %u gaps)",
           pt_camera_state_to_string(pt_camera_get_state(cam)), rec->gaps->len);
  pt_camera_stop(cam);

  PT_CHECK(pt_test_recorder_saw_state(rec, PT_CAMERA_RECONNECTING, &code) &&
               code == PT_CAMERA_ERROR_STALLED,
           "restart reason %d, wanted STALLED", code);
  PT_CHECK(g_atomic_int_get(&medias) >= 2, "the camera never reconnected");
  gap = g_ptr_array_index(rec->gaps, 0);
  PT_CHECK(g_str_has_prefix(gap->reason, "no video for"), "gap reason: %s", gap->reason);
  PT_CHECK(gap->to_ns - gap->from_ns >= 1500 * GST_MSECOND,
           "gap %.3f s shorter than the stall timeout", (gap->to_ns - gap->from_ns) / 1e9);
  PT_CHECK(rec->closed->len >= 2, "%u segments", rec->closed->len);
  for (guint i = 0; i < rec->closed->len; i++)
    pt_test_check_segment_file(g_ptr_array_index(rec->closed, i));
  g_print("ok: stall detected, gap %.1f s\n", (gap->to_ns - gap->from_ns) / 1e9);
  pt_camera_free(cam);
  pt_test_rtsp_stop(&rtsp);
  pt_camera_config_clear(&cfg);
  pt_test_recorder_free(rec);
  pt_test_rmtree(root);
  return 0;
}

/* test-rtsp.c: an IP camera on loopback (gst-rtsp-server in this process).  The H.264
 * stream is recorded as is (no encoder in the camera pipeline); then the server goes away:
 * the camera reports RECONNECTING with a source error, retries with backoff, and when the
 * server is back it records again and reports the gap it could not record.  A second camera
 * in the same process records on without a break through all of it. */
#include "pt-test-util.h"

#include <stdlib.h>

#define SERVER_LAUNCH                                                                              \
  "( videotestsrc is-live=true pattern=ball ! "                                                    \
  "video/x-raw,format=I420,width=320,height=240,framerate=15/1 ! "                                 \
  "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=15 ! "                              \
  "rtph264pay name=pay0 pt=96 config-interval=1 )"

static PtTestRecorder *rec;
static PtCamera *cam;

static PtCamera *
start_bystander(PtTestRecorder *other, const char *root, PtCameraConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  PtCamera *c;

  pt_camera_config_init(cfg);
  cfg->name = g_strdup("grade-9");
  cfg->output_root = g_strdup(root);
  cfg->segment_ns = GST_SECOND;
  cfg->width = 160;
  cfg->height = 120;
  cfg->fps = 10;
  c = pt_camera_new(cfg, pt_test_callbacks(), other, &error);
  PT_CHECK(c != NULL && pt_camera_start(c, &error), "%s", error ? error->message : "");
  return c;
}

static gboolean
closed_two(gpointer data)
{
  return rec->closed->len >= 2;
}

/* The recorder's view, not pt_camera_get_state(): the camera's state changes in its bus
 * handler and the callback that tells the recorder (and its reason) follows from an idle
 * source, so the camera can be RECONNECTING before anyone has been told why. */
static gboolean
reconnecting(gpointer data)
{
  return pt_test_recorder_saw_state(rec, PT_CAMERA_RECONNECTING, NULL);
}

static gboolean
gap_reported(gpointer data)
{
  return rec->gaps->len >= 1 && pt_camera_get_state(cam) == PT_CAMERA_RECORDING;
}

static gboolean
has_encoder(GstElement *pipeline)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue v = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory(g_value_get_object(&v));

    found = f != NULL && gst_element_factory_list_is_type(f, GST_ELEMENT_FACTORY_TYPE_ENCODER);
    g_value_unset(&v);
  }
  return found;
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  PtTestRtsp rtsp = {.launch = SERVER_LAUNCH, .shared = TRUE};
  PtCameraConfig cfg, other_cfg;
  PtTestRecorder *other = pt_test_recorder_new();
  PtCamera *bystander;
  gint64 down_at, up_at;
  int code = -1;
  PtTestGap *gap;
  guint closed_before;

  pt_test_init(&argc, &argv, "x264enc", "rtph264pay", "rtspsrc", "rtph264depay", NULL);
  root = pt_test_tmpdir("rtsp");
  pt_test_rtsp_start(&rtsp);
  url = pt_test_rtsp_url(&rtsp);

  bystander = start_bystander(other, root, &other_cfg);
  rec = pt_test_recorder_new();
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("dock-1");
  cfg.role = PT_CAMERA_ROLE_LOADING;
  cfg.kind = PT_SOURCE_RTSP;
  cfg.location = g_strdup(url);
  cfg.output_root = g_strdup(root);
  cfg.segment_ns = GST_SECOND;
  cfg.stall_ms = 3000;
  cfg.backoff_initial_ms = 300;
  cfg.backoff_max_ms = 1200;
  cam = pt_camera_new(&cfg, pt_test_callbacks(), rec, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pipeline = pt_camera_dup_pipeline(cam);
  PT_CHECK(!has_encoder(pipeline), "RTSP H.264 must be recorded without re-encoding");
  g_clear_object(&pipeline);
  PT_CHECK(pt_test_wait(closed_two, NULL, 15000), "no recording from RTSP (%u closed)",
           rec->closed->len);
  for (guint i = 0; i < rec->closed->len; i++) {
    PtTestSegment *c = g_ptr_array_index(rec->closed, i);
    PtSegmentProbe probe;

    pt_test_check_segment_file(c);
    PT_CHECK(pt_segment_probe(c->path, c->start_ns, PT_PROBE_DECODE, &probe, &error), "%s",
             error ? error->message : "");
    PT_CHECK(probe.verdict == PT_SEGMENT_INTACT && probe.decoded_frames >= 10,
             "%s: %s, %" G_GUINT64_FORMAT " frames", c->path,
             pt_segment_verdict_to_string(probe.verdict), probe.decoded_frames);
    pt_segment_probe_clear(&probe);
  }

  /* The camera's server disappears. */
  closed_before = rec->closed->len;
  down_at = g_get_real_time() * 1000;
  pt_test_rtsp_stop(&rtsp);
  PT_CHECK(pt_test_wait(reconnecting, NULL, 10000), "no reconnect after the server went away");
  PT_CHECK(pt_test_recorder_saw_state(rec, PT_CAMERA_RECONNECTING, &code) &&
               (code == PT_CAMERA_ERROR_SOURCE || code == PT_CAMERA_ERROR_STALLED),
           "reconnect reason %d", code);
  pt_test_spin(2500); /* several failed attempts with backoff */
  PT_CHECK(rec->closed->len > closed_before, "the open segment was not closed at the failure");
  up_at = g_get_real_time() * 1000;
  pt_test_rtsp_start(&rtsp);
  PT_CHECK(pt_test_wait(gap_reported, NULL, 15000), "no recording after the server came back");
  PT_CHECK(pt_camera_get_restarts(cam) >= 1, "no restart counted");

  gap = g_ptr_array_index(rec->gaps, 0);
  PT_CHECK(gap->from_ns <= down_at + GST_SECOND && gap->from_ns >= down_at - 2 * GST_SECOND,
           "gap starts %.3f s from the outage", (gap->from_ns - down_at) / 1e9);
  PT_CHECK(gap->to_ns >= up_at && gap->to_ns - gap->from_ns >= 2 * GST_SECOND,
           "gap of %.3f s ends %.3f s after the server came back",
           (gap->to_ns - gap->from_ns) / 1e9, (gap->to_ns - up_at) / 1e9);
  PT_CHECK(gap->reason != NULL && gap->reason[0] != '\0', "gap without a reason");
  {
    PtTestSegment *after = g_ptr_array_index(rec->opened, rec->opened->len - 1);

    PT_CHECK(after->start_ns == gap->to_ns, "gap must end where recording resumes");
  }
  pt_camera_stop(cam);
  pt_camera_stop(bystander);
  PT_CHECK(!pt_test_recorder_saw_state(other, PT_CAMERA_RECONNECTING, NULL) &&
               other->gaps->len == 0,
           "the other camera was disturbed");
  for (guint i = 1; i < other->closed->len; i++) {
    PtTestSegment *a = g_ptr_array_index(other->closed, i - 1);
    PtTestSegment *b = g_ptr_array_index(other->closed, i);

    PT_CHECK(llabs(b->start_ns - a->end_ns) < 50 * GST_MSECOND, "other camera broke off");
  }
  PT_CHECK(((PtTestSegment *)g_ptr_array_index(other->closed, 0))->start_ns < down_at &&
               ((PtTestSegment *)g_ptr_array_index(other->closed, other->closed->len - 1))->end_ns >
                   up_at,
           "the other camera did not record through the outage");
  PT_CHECK(rec->gaps->len == 1, "%u gaps for one outage", rec->gaps->len);
  for (guint i = 0; i < rec->closed->len; i++)
    pt_test_check_segment_file(g_ptr_array_index(rec->closed, i));
  g_print("ok: reconnected after a %.1f s gap\n", (gap->to_ns - gap->from_ns) / 1e9);
  pt_camera_free(cam);
  pt_camera_free(bystander);
  pt_test_rtsp_stop(&rtsp);
  pt_camera_config_clear(&cfg);
  pt_camera_config_clear(&other_cfg);
  pt_test_recorder_free(other);
  pt_test_recorder_free(rec);
  pt_test_rmtree(root);
  return 0;
}

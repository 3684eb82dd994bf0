/* test-substream.c: a loading camera with an analysis substream.  The main stream is
 * 640x360 H.264 (a file camera, recorded as is); the substream is the same scene at 320x180,
 * served over RTSP from this process.  Each stream carries its own QR code (qroverlay), so
 * what was read says which stream was scanned.  Checked:
 *   (a) every segment is the main stream's: 640x360, and a frame for every 1/15 s of it;
 *       the main pipeline holds no decoder (the recording never decodes);
 *   (b) the scan reads the substream's code, never the main's, and the tap's frames are the
 *       substream's 320x180 with px_scale 2 (grading in mm) and the privacy mask, given in
 *       the main stream's pixels, scaled to them;
 *   (c) the substream's server stopped: the analysis reports RECONNECTING with a source
 *       error while the camera records on (no gap, never RECONNECTING itself); the server
 *       back: the analysis runs again and the code is read again. */
#include "pt-test-util.h"

#include <gst/pbutils/pbutils.h>
#include <string.h>

#define MAIN_LINK "https://trace.example.coop/01/09506000134352/10/MAIN0001"
#define SUB_LINK  "https://trace.example.coop/01/09506000134352/10/SUB00001"
#define FPS       15

typedef struct {
  PtTestRecorder *rec;
  GHashTable *payloads; /* payload -> reads, main context */
  GArray *analysis;     /* PtAnalysisState, main context */
  GArray *analysis_codes;
  gint frames; /* atomic: tap frames */
  gint frame_width, frame_height, masked_luma, open_luma;
  double px_scale;
  GMutex lock; /* the frame fields above */
} Seen;

static void
on_frame(PtCamera *camera, PtTapFrame *frame, gpointer data)
{
  Seen *seen = data;
  const guint8 *y = frame->plane[0];

  g_mutex_lock(&seen->lock);
  seen->frame_width = frame->width;
  seen->frame_height = frame->height;
  seen->px_scale = frame->px_scale;
  /* The mask covers 0,0,64,36 of the main stream: 0,0,32,18 of the substream.  (20,8) is in
   * it; (40,8) would be under the mask left in main-stream pixels. */
  seen->masked_luma = y[8 * frame->stride[0] + 20];
  seen->open_luma = y[8 * frame->stride[0] + 40];
  g_mutex_unlock(&seen->lock);
  g_atomic_int_inc(&seen->frames);
}

static void
on_qr(PtCamera *camera, const char *symbology, const char *payload, gint64 utc_ns, gpointer data)
{
  Seen *seen = data;
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(seen->payloads, payload));

  g_hash_table_replace(seen->payloads, g_strdup(payload), GUINT_TO_POINTER(n + 1));
}

static void
on_analysis(PtCamera *camera, PtAnalysisState state, const GError *error, gpointer data)
{
  Seen *seen = data;
  int code = error ? error->code : -1;

  g_print("analysis %s%s%s\n", pt_analysis_state_to_string(state), error ? ": " : "",
          error ? error->message : "");
  g_array_append_val(seen->analysis, state);
  g_array_append_val(seen->analysis_codes, code);
}

static guint
reads(Seen *seen, const char *payload)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(seen->payloads, payload));
}

static guint
times_in(Seen *seen, PtAnalysisState state)
{
  guint n = 0;

  for (guint i = 0; i < seen->analysis->len; i++)
    n += g_array_index(seen->analysis, PtAnalysisState, i) == state;
  return n;
}

typedef struct {
  Seen *seen;
  guint want_closed, want_running, want_reconnecting, want_reads;
} Until;

static gboolean
until(gpointer data)
{
  Until *u = data;

  return u->seen->rec->closed->len >= u->want_closed &&
         times_in(u->seen, PT_ANALYSIS_RUNNING) >= u->want_running &&
         times_in(u->seen, PT_ANALYSIS_RECONNECTING) >= u->want_reconnecting &&
         reads(u->seen, SUB_LINK) >= u->want_reads;
}

/* gst-launch-1.0 in its own process: qroverlay leaks a buffer a frame (test-qr.c). */
static void
make_footage(const char *path, int width, int height, double pixel_size, const char *link,
             int seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *buffers = g_strdup_printf("num-buffers=%d", seconds * FPS);
  g_autofree char *caps = g_strdup_printf(
      "video/x-raw,width=%d,height=%d,framerate=%d/1,format=I420", width, height, FPS);
  g_autofree char *data = g_strdup_printf("data=\"%s\"", link);
  g_autofree char *size = g_strdup_printf("pixel-size=%g", pixel_size);
  g_autofree char *key = g_strdup_printf("key-int-max=%d", FPS);
  g_autofree char *location = g_strdup_printf("location=%s", path);
  const char *gen[] = {"gst-launch-1.0",
                       "--no-fault",
                       "-q",
                       "videotestsrc",
                       buffers,
                       "pattern=smpte",
                       "!",
                       caps,
                       "!",
                       "qroverlay",
                       data,
                       "case-sensitive=true",
                       size,
                       "x=55",
                       "y=30",
                       "!",
                       "videoconvert",
                       "!",
                       "x264enc",
                       "speed-preset=ultrafast",
                       key,
                       "tune=zerolatency",
                       "!",
                       "h264parse",
                       "!",
                       "matroskamux",
                       "!",
                       "filesink",
                       location,
                       NULL};
  g_auto(GStrv) env = g_environ_unsetenv(g_get_environ(), "GST_TRACERS");
  int status = -1;

  PT_CHECK(g_spawn_sync(NULL, (char **)gen, env, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                        &status, &error) &&
               g_spawn_check_wait_status(status, &error),
           "footage not written: %s", error ? error->message : "");
}

static gboolean
has_decoder(GstElement *pipeline)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse(GST_BIN(pipeline));
  GValue v = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next(it, &v) == GST_ITERATOR_OK) {
    GstElementFactory *f = gst_element_get_factory(g_value_get_object(&v));
    const char *klass = f ? gst_element_factory_get_metadata(f, GST_ELEMENT_METADATA_KLASS) : "";

    found = klass != NULL && strstr(klass, "Decoder") != NULL;
    g_value_reset(&v);
  }
  g_value_unset(&v);
  return found;
}

/* (a): a closed segment is 640x360 H.264 with a frame for every 1/15 s of its length. */
static void
check_main_segment(GstDiscoverer *disc, const PtTestSegment *seg)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = gst_filename_to_uri(seg->path, NULL);
  g_autoptr(GstDiscovererInfo) info = gst_discoverer_discover_uri(disc, uri, &error);
  PT_CHECK(info != NULL, "%s: %s", seg->path, error ? error->message : "");
  GList *videos = gst_discoverer_info_get_video_streams(info);
  PT_CHECK(videos != NULL, "%s: no video", seg->path);
  GstDiscovererVideoInfo *v = videos->data;
  int w = (int)gst_discoverer_video_info_get_width(v);
  int h = (int)gst_discoverer_video_info_get_height(v);
  gst_discoverer_stream_info_list_free(videos);
  PT_CHECK(w == 640 && h == 360, "%s: %dx%d, not the main stream's 640x360", seg->path, w, h);
  PtSegmentProbe probe = {0};
  PT_CHECK(pt_segment_probe(seg->path, seg->start_ns, 0, &probe, &error), "%s",
           error ? error->message : "");
  guint64 want = (guint64)((seg->end_ns - seg->start_ns) * FPS / GST_SECOND);
  PT_CHECK(probe.frames + 1 >= want, "%s: %" G_GUINT64_FORMAT " frames in %.2f s", seg->path,
           probe.frames, (seg->end_ns - seg->start_ns) / 1e9);
  g_print("segment %dx%d, %" G_GUINT64_FORMAT " frames in %.2f s\n", w, h, probe.frames,
          (seg->end_ns - seg->start_ns) / 1e9);
  pt_segment_probe_clear(&probe);
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", "qroverlay", "zbar", "matroskamux",
               "matroskademux", "rtspsrc", "rtph264depay", "rtph264pay", NULL);
  g_autofree char *root = pt_test_tmpdir("substream");
  g_autofree char *main_file = g_build_filename(root, "main.mkv", NULL);
  g_autofree char *sub_file = g_build_filename(root, "sub.mkv", NULL);
  make_footage(main_file, 640, 360, 6, MAIN_LINK, 10);
  /* Long enough for the whole run: each client plays the file from its start. */
  make_footage(sub_file, 320, 180, 3, SUB_LINK, 90);

  PtTestRtsp sub = {0};
  sub.launch = g_strdup_printf("( filesrc location=%s ! matroskademux ! h264parse ! "
                               "rtph264pay name=pay0 pt=96 config-interval=-1 )",
                               sub_file);
  pt_test_rtsp_start(&sub);

  Seen seen = {.rec = pt_test_recorder_new(),
               .payloads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
               .analysis = g_array_new(FALSE, FALSE, sizeof(PtAnalysisState)),
               .analysis_codes = g_array_new(FALSE, FALSE, sizeof(int))};
  g_mutex_init(&seen.lock);
  PtCameraCallbacks cbs = {.frame = on_frame, .qr = on_qr, .analysis_changed = on_analysis};
  PtCameraConfig cfg;
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("dock-1");
  cfg.role = PT_CAMERA_ROLE_LOADING;
  cfg.kind = PT_SOURCE_FILE;
  cfg.location = g_strdup(main_file);
  cfg.output_root = g_strdup(root);
  cfg.segment_ns = 2 * GST_SECOND;
  cfg.analysis_kind = PT_SOURCE_RTSP;
  cfg.analysis_location = pt_test_rtsp_url(&sub);
  cfg.tap_fps = 5;
  cfg.tap_format = PT_TAP_FORMAT_I420;
  cfg.scan_motion = FALSE;
  cfg.stall_ms = 3000;
  cfg.backoff_initial_ms = 500;
  cfg.backoff_max_ms = 1000;
  PT_CHECK(pt_mask_parse("0,0,64,36", &cfg.mask, &error), "%s", error->message);

  pt_test_callbacks_via_first(&cbs); /* seen.rec is its first member */
  PtCamera *cam = pt_camera_new(&cfg, &cbs, &seen, &error);
  PT_CHECK(cam != NULL && pt_camera_start(cam, &error), "%s", error ? error->message : "");
  Until first = {&seen, 3, 1, 0, 2};
  PT_CHECK(pt_test_wait(until, &first, 30000),
           "%u segments, analysis running %u times, substream code read %u times",
           seen.rec->closed->len, times_in(&seen, PT_ANALYSIS_RUNNING), reads(&seen, SUB_LINK));
  g_autoptr(GstElement) pipeline = pt_camera_dup_pipeline(cam);
  PT_CHECK(pipeline != NULL && !has_decoder(pipeline), "the main pipeline decodes");

  /* (b) */
  g_mutex_lock(&seen.lock);
  PT_CHECK(seen.frame_width == 320 && seen.frame_height == 180,
           "tap frames are %dx%d, not the substream's", seen.frame_width, seen.frame_height);
  PT_CHECK(seen.px_scale > 1.99 && seen.px_scale < 2.01, "px_scale %.3f", seen.px_scale);
  PT_CHECK(seen.masked_luma < 40 && seen.open_luma > 100,
           "the mask scaled to the substream: luma %d inside, %d just outside", seen.masked_luma,
           seen.open_luma);
  g_mutex_unlock(&seen.lock);
  PT_CHECK(reads(&seen, MAIN_LINK) == 0, "the main stream's code was read %u times",
           reads(&seen, MAIN_LINK));
  PtAnalysisStats st;
  pt_camera_get_analysis(cam, &st);
  PT_CHECK(st.state == PT_ANALYSIS_RUNNING && st.width == 320 && st.height == 180 && st.frames > 0,
           "analysis %s %dx%d, %" G_GUINT64_FORMAT " frames", pt_analysis_state_to_string(st.state),
           st.width, st.height, st.frames);
  PtScanStats scan;
  pt_camera_get_scan_stats(cam, &scan);
  PT_CHECK(scan.scanned > 0, "nothing scanned");
  g_print("substream: code read %u times, %u frames scanned, %d tap frames\n",
          reads(&seen, SUB_LINK), scan.scanned, g_atomic_int_get(&seen.frames));

  /* (c) the substream's server goes away: the recording goes on. */
  guint closed_before = seen.rec->closed->len;
  pt_test_rtsp_stop(&sub);
  Until down = {&seen, closed_before + 2, 1, 1, 0};
  PT_CHECK(pt_test_wait(until, &down, 20000),
           "%u segments closed since the substream went (want 2), analysis reconnecting %u times",
           seen.rec->closed->len - closed_before, times_in(&seen, PT_ANALYSIS_RECONNECTING));
  for (guint i = 0; i < seen.analysis->len; i++) {
    if (g_array_index(seen.analysis, PtAnalysisState, i) == PT_ANALYSIS_RECONNECTING) {
      int code = g_array_index(seen.analysis_codes, int, i);
      PT_CHECK(code == PT_CAMERA_ERROR_SOURCE || code == PT_CAMERA_ERROR_STALLED,
               "analysis fault with code %d", code);
    }
  }
  pt_camera_get_analysis(cam, &st);
  PT_CHECK(st.state != PT_ANALYSIS_RUNNING, "the analysis still runs without its server");
  guint reads_down = reads(&seen, SUB_LINK);
  /* Back: the analysis runs again and reads again. */
  pt_test_rtsp_start(&sub);
  Until back = {&seen, 0, 2, 1, reads_down + 2};
  PT_CHECK(pt_test_wait(until, &back, 30000),
           "analysis running %u times, substream code read %u times (%u before)",
           times_in(&seen, PT_ANALYSIS_RUNNING), reads(&seen, SUB_LINK), reads_down);
  pt_camera_get_analysis(cam, &st);
  PT_CHECK(st.restarts >= 1, "%u analysis restarts", st.restarts);
  pt_camera_stop(cam);

  PT_CHECK(!pt_test_recorder_saw_state(seen.rec, PT_CAMERA_RECONNECTING, NULL),
           "the recording restarted for the substream");
  PT_CHECK(seen.rec->gaps->len == 0, "%u gaps in the recording", seen.rec->gaps->len);
  GstDiscoverer *disc = gst_discoverer_new(10 * GST_SECOND, &error);
  PT_CHECK(disc != NULL, "%s", error ? error->message : "");
  /* The first and last segments are cut by the start and the stop. */
  for (guint i = 1; i + 1 < seen.rec->closed->len; i++) {
    const PtTestSegment *seg = g_ptr_array_index(seen.rec->closed, i);
    pt_test_check_segment_file(seg);
    check_main_segment(disc, seg);
  }
  g_object_unref(disc);
  g_print("substream: %u segments recorded through the outage, analysis restarted %u times\n",
          seen.rec->closed->len, st.restarts);

  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
  pt_test_rtsp_stop(&sub);
  g_free(sub.launch);
  g_hash_table_unref(seen.payloads);
  g_array_unref(seen.analysis);
  g_array_unref(seen.analysis_codes);
  g_mutex_clear(&seen.lock);
  pt_test_recorder_free(seen.rec);
  pt_test_rmtree(root);
  return 0;
}

/* test-substream-demand.c: a loading camera's analysis substream runs only while its frames
 * are wanted.  The main stream is a 640x360 H.264 file (recorded as is); the substream is the
 * same scene at 320x180 with a QR code, served over RTSP from this process, whose clients are
 * counted as they connect and close.  The gates are two flags of the test.  Checked:
 *   (a) both gates say no: once the main stream's size is known the analysis is idle and the
 *       server has had no client at all, no substream frame came and nothing was read;
 *   (b) the scan gate says yes and pt_camera_wake_analysis() is called: one client connects,
 *       the analysis runs and the code is read (the delay is printed);
 *   (c) the gate says no and yes again within the hold: the session is kept (no new client);
 *   (d) the gate says no and nobody calls anything: the gate's own first no starts the hold,
 *       and after it (not before) the analysis is idle, its client gone, no frame arrives;
 *   (e) the tap gate says yes: the substream connects again and tap frames arrive; no again:
 *       idle after the hold;
 *   (f) the camera stopped: the analysis says stopped, the recording was never disturbed. */
#include "pt-test-util.h"

#include <string.h>

#define SUB_LINK "https://trace.example.coop/01/09506000134352/10/DEMAND01"
#define FPS      15
#define HOLD_MS  1500

typedef struct {
  PtTestRecorder *rec;
  gint want_frames, want_scan;    /* atomic: what the gates answer */
  gint frames;                    /* atomic: tap frames */
  guint reads;                    /* main context: codes read */
  gint64 idle_mono;               /* main context: when the analysis last went idle */
  gint clients_now, clients_ever; /* the RTSP server's, on the default context */
} Seen;

static void
on_frame(PtCamera *camera, PtTapFrame *frame, gpointer data)
{
  g_atomic_int_inc(&((Seen *)data)->frames);
}

static gboolean
on_frames_wanted(PtCamera *camera, gpointer data)
{
  return g_atomic_int_get(&((Seen *)data)->want_frames);
}

static gboolean
on_scan_wanted(PtCamera *camera, gpointer data)
{
  return g_atomic_int_get(&((Seen *)data)->want_scan);
}

static void
on_qr(PtCamera *camera, const char *symbology, const char *payload, gint64 utc_ns, gpointer data)
{
  Seen *seen = data;

  if (strcmp(payload, SUB_LINK) == 0)
    seen->reads++;
}

static void
on_analysis(PtCamera *camera, PtAnalysisState state, const GError *error, gpointer data)
{
  Seen *seen = data;

  g_print("analysis %s%s%s\n", pt_analysis_state_to_string(state), error ? ": " : "",
          error ? error->message : "");
  if (state == PT_ANALYSIS_IDLE)
    seen->idle_mono = g_get_monotonic_time();
}

static void
on_client_closed(GstRTSPClient *client, gpointer data)
{
  ((Seen *)data)->clients_now--;
}

static void
on_client_connected(GstRTSPServer *server, GstRTSPClient *client, gpointer data)
{
  Seen *seen = data;

  seen->clients_now++;
  seen->clients_ever++;
  g_signal_connect(client, "closed", G_CALLBACK(on_client_closed), seen);
}

typedef struct {
  Seen *seen;
  PtCamera *cam;
  PtAnalysisState state;
  guint reads, frames;
  gint clients_now;
} Until;

static gboolean
until(gpointer data)
{
  Until *u = data;
  PtAnalysisStats st;

  pt_camera_get_analysis(u->cam, &st);
  return st.state == u->state && u->seen->reads >= u->reads &&
         (guint)g_atomic_int_get(&u->seen->frames) >= u->frames &&
         u->seen->clients_now == u->clients_now &&
         pt_camera_get_state(u->cam) == PT_CAMERA_RECORDING;
}

static gboolean
closed_one(gpointer data)
{
  return ((PtTestRecorder *)data)->closed->len >= 1;
}

static void
make_footage(const char *path, int width, int height, const char *qr, int seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cmd = g_strdup_printf(
      "gst-launch-1.0 --no-fault -q videotestsrc num-buffers=%d pattern=smpte ! "
      "video/x-raw,width=%d,height=%d,framerate=%d/1,format=I420 ! %s videoconvert ! "
      "x264enc speed-preset=ultrafast key-int-max=%d tune=zerolatency ! h264parse ! "
      "matroskamux ! filesink location=%s",
      seconds * FPS, width, height, FPS, qr, FPS, path);
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) env = g_environ_unsetenv(g_get_environ(), "GST_TRACERS");
  int status = -1;

  /* In its own process: qroverlay leaks a buffer a frame (test-qr.c). */
  PT_CHECK(g_shell_parse_argv(cmd, NULL, &argv, &error), "%s", error->message);
  PT_CHECK(
      g_spawn_sync(NULL, argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error) &&
          g_spawn_check_wait_status(status, &error),
      "footage not written: %s", error ? error->message : "");
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", "qroverlay", "zbar", "matroskamux",
               "matroskademux", "rtspsrc", "rtph264depay", "rtph264pay", NULL);
  g_autofree char *root = pt_test_tmpdir("substream-demand");
  g_autofree char *main_file = g_build_filename(root, "main.mkv", NULL);
  g_autofree char *sub_file = g_build_filename(root, "sub.mkv", NULL);
  make_footage(main_file, 640, 360, "", 10);
  /* Long enough for the whole run: each client plays the file from its start. */
  make_footage(sub_file, 320, 180,
               "qroverlay data=\"" SUB_LINK "\" case-sensitive=true pixel-size=3 x=55 y=30 !", 180);

  Seen seen = {.rec = pt_test_recorder_new()};
  PtTestRtsp sub = {0};
  sub.launch = g_strdup_printf("( filesrc location=%s ! matroskademux ! h264parse ! "
                               "rtph264pay name=pay0 pt=96 config-interval=-1 )",
                               sub_file);
  pt_test_rtsp_start(&sub);
  g_signal_connect(sub.server, "client-connected", G_CALLBACK(on_client_connected), &seen);

  PtCameraCallbacks cbs = {.frame = on_frame,
                           .frames_wanted = on_frames_wanted,
                           .scan_wanted = on_scan_wanted,
                           .qr = on_qr,
                           .analysis_changed = on_analysis};
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
  cfg.analysis_hold_ns = HOLD_MS * GST_MSECOND;
  cfg.tap_fps = 5;
  cfg.tap_format = PT_TAP_FORMAT_I420;
  cfg.scan_motion = FALSE;
  cfg.stall_ms = 5000;
  cfg.backoff_initial_ms = 500;
  cfg.backoff_max_ms = 1000;

  pt_test_callbacks_via_first(&cbs); /* seen.rec is its first member */
  PtCamera *cam = pt_camera_new(&cfg, &cbs, &seen, &error);
  PT_CHECK(cam != NULL && pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PtAnalysisStats st;

  /* (a) The first segment closed: the main stream's size is long known. */
  Until idle = {&seen, cam, PT_ANALYSIS_IDLE, 0, 0, 0};
  PT_CHECK(pt_test_wait(closed_one, seen.rec, 60000), "nothing recorded");
  PT_CHECK(pt_test_wait(until, &idle, 30000), "analysis not idle with both gates shut");
  pt_test_spin(2000);
  pt_camera_get_analysis(cam, &st);
  PT_CHECK(st.state == PT_ANALYSIS_IDLE && st.frames == 0 && seen.clients_ever == 0 &&
               seen.reads == 0,
           "nothing wants the substream, yet: analysis %s, %" G_GUINT64_FORMAT
           " frames, %d RTSP clients, %u reads",
           pt_analysis_state_to_string(st.state), st.frames, seen.clients_ever, seen.reads);

  /* (b) A load opens at the dock. */
  gint64 asked = g_get_monotonic_time();
  g_atomic_int_set(&seen.want_scan, 1);
  pt_camera_wake_analysis(cam);
  Until scanning = {&seen, cam, PT_ANALYSIS_RUNNING, 1, 0, 1};
  PT_CHECK(pt_test_wait(until, &scanning, 60000),
           "the scan gate open: analysis not running or nothing read (%u reads, %d clients)",
           seen.reads, seen.clients_now);
  g_print("substream on demand: first code read %.2f s after the gate opened\n",
          (double)(g_get_monotonic_time() - asked) / G_USEC_PER_SEC);
  PT_CHECK(seen.clients_ever == 1, "%d RTSP clients for one start", seen.clients_ever);

  /* (c) Closed and opened again within the hold: the same session goes on. */
  g_atomic_int_set(&seen.want_scan, 0);
  pt_camera_wake_analysis(cam);
  pt_test_spin(HOLD_MS / 3);
  g_atomic_int_set(&seen.want_scan, 1);
  pt_camera_wake_analysis(cam);
  guint reads_before = seen.reads;
  Until again = {&seen, cam, PT_ANALYSIS_RUNNING, reads_before + 2, 0, 1};
  PT_CHECK(pt_test_wait(until, &again, 60000), "scanning did not go on: %u reads",
           seen.reads - reads_before);
  pt_test_spin(HOLD_MS * 2);
  pt_camera_get_analysis(cam, &st);
  PT_CHECK(st.state == PT_ANALYSIS_RUNNING && seen.clients_ever == 1,
           "a gate shut for less than the hold: analysis %s, %d clients",
           pt_analysis_state_to_string(st.state), seen.clients_ever);

  /* (d) The load closes; only the gate tells, at its next frame. */
  gint64 shut = g_get_monotonic_time();
  g_atomic_int_set(&seen.want_scan, 0);
  Until rest = {&seen, cam, PT_ANALYSIS_IDLE, 0, 0, 0};
  PT_CHECK(pt_test_wait(until, &rest, 30000), "the gate shut: analysis not idle, %d clients",
           seen.clients_now);
  PT_CHECK(seen.idle_mono - shut >= HOLD_MS * 1000 * 9 / 10,
           "idle %.2f s after the gate shut, before the hold of %.1f s",
           (double)(seen.idle_mono - shut) / G_USEC_PER_SEC, HOLD_MS / 1000.0);
  g_print("substream on demand: idle %.2f s after the gate shut (hold %.1f s)\n",
          (double)(seen.idle_mono - shut) / G_USEC_PER_SEC, HOLD_MS / 1000.0);
  pt_camera_get_analysis(cam, &st);
  guint64 frames_idle = st.frames;
  pt_test_spin(2000);
  pt_camera_get_analysis(cam, &st);
  PT_CHECK(st.frames == frames_idle && st.state == PT_ANALYSIS_IDLE,
           "idle, yet %" G_GUINT64_FORMAT " more substream frames", st.frames - frames_idle);

  /* (e) A thumbnail is watched: the tap's gate. */
  asked = g_get_monotonic_time();
  g_atomic_int_set(&seen.want_frames, 1);
  pt_camera_wake_analysis(cam);
  Until tapping = {&seen, cam, PT_ANALYSIS_RUNNING, 0, 1, 1};
  PT_CHECK(pt_test_wait(until, &tapping, 60000), "the tap gate open: no tap frame");
  g_print("substream on demand: first tap frame %.2f s after the gate opened\n",
          (double)(g_get_monotonic_time() - asked) / G_USEC_PER_SEC);
  PT_CHECK(seen.clients_ever == 2, "%d RTSP clients for two starts", seen.clients_ever);
  g_atomic_int_set(&seen.want_frames, 0);
  PT_CHECK(pt_test_wait(until, &rest, 30000), "the tap gate shut: analysis not idle");

  /* (f) */
  pt_camera_stop(cam);
  pt_camera_get_analysis(cam, &st);
  PT_CHECK(st.state == PT_ANALYSIS_STOPPED, "analysis %s after stop",
           pt_analysis_state_to_string(st.state));
  PT_CHECK(!pt_test_recorder_saw_state(seen.rec, PT_CAMERA_RECONNECTING, NULL),
           "the recording restarted");
  PT_CHECK(seen.rec->gaps->len == 0, "%u gaps in the recording", seen.rec->gaps->len);
  for (guint i = 0; i < seen.rec->closed->len; i++)
    pt_test_check_segment_file(g_ptr_array_index(seen.rec->closed, i));

  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
  pt_test_rtsp_stop(&sub);
  g_free(sub.launch);
  pt_test_recorder_free(seen.rec);
  pt_test_rmtree(root);
  return 0;
}

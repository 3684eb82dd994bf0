/* bench-pipeline.c: pipeline/ figures for the goals (printed, not a test):
 *   1. CPU per camera recording a 1080p30 H.264 RTSP stream as is (goal < 3% of one core);
 *      the RTSP server runs in a child process so only the camera's CPU is counted;
 *   2. CPU per camera encoding a raw 720p30 source (x264 ultrafast/zerolatency);
 *   3. clip export speed as a multiple of real time (goal >= 50x).
 * CPU is getrusage(RUSAGE_SELF) user+system over a fixed wall time after a warm-up, as a
 * percentage of one core; each figure is the median of RUNS runs.
 * Usage: bench-pipeline [SECONDS_PER_RUN] */
#include "pt-test-util.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#define RUNS      3
#define WARMUP_MS 2000

static double
cpu_seconds(void)
{
  struct rusage ru;

  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : x > y;
}

/* Sorts @v: v[0] and v[n - 1] are then the minimum and the maximum. */
static double
median(double *v, int n)
{
  qsort(v, n, sizeof(double), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct {
  guint frames_lost_restarts;
  guint64 bytes; /* recorded in the current run */
} BenchState;

static void
on_closed(PtCamera *cam, const PtSegmentInfo *seg, gpointer data)
{
  ((BenchState *)data)->bytes += seg->bytes;
}

static void
on_state(PtCamera *cam, PtCameraState state, const GError *error, gpointer data)
{
  if (state == PT_CAMERA_RECONNECTING || state == PT_CAMERA_FAILED)
    ((BenchState *)data)->frames_lost_restarts++;
}

/* Records with @cfg for @seconds after a warm-up; returns CPU % of one core. */
static double
measure_camera(PtCameraConfig *cfg, int seconds, BenchState *st)
{
  static const PtCameraCallbacks cbs = {.state_changed = on_state, .segment_closed = on_closed};
  g_autoptr(GError) error = NULL;
  PtCamera *cam = pt_camera_new(cfg, &cbs, st, &error);
  double c0, c1;
  gint64 w0, w1;

  if (cam == NULL || !pt_camera_start(cam, &error)) {
    g_printerr("bench: %s\n", error->message);
    exit(1);
  }
  pt_test_spin(WARMUP_MS);
  c0 = cpu_seconds();
  w0 = g_get_monotonic_time();
  pt_test_spin(seconds * 1000);
  c1 = cpu_seconds();
  w1 = g_get_monotonic_time();
  pt_camera_free(cam);
  g_print("    (%.2f Mbit/s recorded)\n", st->bytes * 8 / 1e6 / (seconds + WARMUP_MS / 1000.0));
  st->bytes = 0;
  return 100.0 * (c1 - c0) / ((w1 - w0) / 1e6);
}

/* Child: serves @file over RTSP (real time, looped by the client reconnecting) on @port. */
static int
serve(const char *file, int port)
{
  g_autofree char *launch = g_strdup_printf(
      "( filesrc location=\"%s\" ! matroskademux ! h264parse ! rtph264pay name=pay0 pt=96 "
      "config-interval=1 )",
      file);
  PtTestRtsp rtsp = {.launch = launch, .shared = TRUE, .port = port};
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

  pt_test_rtsp_start(&rtsp);
  g_main_loop_run(loop);
  return 0;
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *footage = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) server = NULL;
  int seconds = 8, footage_s;
  double rtsp_cpu[RUNS], raw_cpu[RUNS], clip_x[RUNS];
  BenchState st = {0};
  PtCameraConfig cfg;
  int port = 18554 + (int)(getpid() % 1000);

  if (argc == 4 && g_strcmp0(argv[1], "--serve") == 0) {
    guint64 serve_port;
    pt_test_init(&argc, &argv, NULL);
    if (!g_ascii_string_to_unsigned(argv[3], 10, 1, 65535, &serve_port, NULL)) {
      g_printerr("bench-pipeline --serve: port '%s' is not 1 to 65535\n", argv[3]);
      return 2;
    }
    return serve(argv[2], (int)serve_port);
  }
  pt_test_init(&argc, &argv, "x264enc", "rtspsrc", "rtph264pay", NULL);
  gint64 asked = seconds;
  if (argc > 1 && !g_ascii_string_to_signed(argv[1], 10, 2, 3600, &asked, NULL)) {
    g_printerr("usage: bench-pipeline [SECONDS, 2 to 3600]\n");
    return 2;
  }
  seconds = (int)asked;
  footage_s = RUNS * (seconds + WARMUP_MS / 1000 + 2) + 5;
  root = pt_test_tmpdir("bench");
  g_print("making %d s of 1080p30 H.264 footage...\n", footage_s);
  {
    g_autoptr(GError) e = NULL;

    footage = pt_demo_footage_make(root, PT_CAMERA_ROLE_PICKING, footage_s, 1920, 1080, 30, &e);
    if (footage == NULL) {
      g_printerr("bench: %s\n", e->message);
      return 1;
    }
  }
  port_text = g_strdup_printf("%d", port);
  server = g_subprocess_new(G_SUBPROCESS_FLAGS_NONE, &error, argv[0], "--serve", footage, port_text,
                            NULL);
  if (server == NULL) {
    g_printerr("bench: %s\n", error->message);
    return 1;
  }
  g_usleep(G_USEC_PER_SEC);
  url = g_strdup_printf("rtsp://127.0.0.1:%d/cam", port);

  for (int r = 0; r < RUNS; r++) {
    pt_camera_config_init(&cfg);
    cfg.name = g_strdup("rtsp1080");
    cfg.kind = PT_SOURCE_RTSP;
    cfg.location = g_strdup(url);
    cfg.output_root = g_strdup(root);
    rtsp_cpu[r] = measure_camera(&cfg, seconds, &st);
    pt_camera_config_clear(&cfg);
    g_print("  run %d: 1080p30 RTSP passthrough %.2f%% of one core\n", r + 1, rtsp_cpu[r]);
  }
  g_subprocess_send_signal(server, SIGTERM);
  g_subprocess_wait(server, NULL, NULL);

  for (int r = 0; r < RUNS; r++) {
    pt_camera_config_init(&cfg);
    cfg.name = g_strdup("raw720");
    cfg.kind = PT_SOURCE_TEST;
    cfg.location = g_strdup("ball");
    cfg.output_root = g_strdup(root);
    cfg.width = 1280;
    cfg.height = 720;
    cfg.fps = 30;
    raw_cpu[r] = measure_camera(&cfg, seconds, &st);
    pt_camera_config_clear(&cfg);
    g_print("  run %d: raw 720p30 encode %.2f%% of one core\n", r + 1, raw_cpu[r]);
  }

  for (int r = 0; r < RUNS; r++) {
    /* The demo file is a Matroska H.264 file like a segment: export all of it. */
    PtClipSegment seg = {footage, 0, (gint64)footage_s * GST_SECOND};
    g_autofree char *out = g_build_filename(root, "bench-clip.mp4", NULL);
    PtClipResult res;
    gint64 t0 = g_get_monotonic_time();

    if (!pt_clip_export(&seg, 1, 0, seg.end_ns, NULL, out, &res, &error)) {
      g_printerr("bench: %s\n", error->message);
      return 1;
    }
    clip_x[r] = (res.duration_ns / 1e9) / ((g_get_monotonic_time() - t0) / 1e6);
    g_print("  run %d: clip export of %.1f s 1080p30 at %.0fx real time\n", r + 1,
            res.duration_ns / 1e9, clip_x[r]);
  }

  g_print("\nmedians (min-max) over %d runs of %d s (2 cores):\n", RUNS, seconds);
  double m = median(rtsp_cpu, RUNS);
  g_print("  1080p30 H.264 via RTSP, recorded as is: %.2f%% (%.2f-%.2f) of one core per camera "
          "(goal < 3%%)\n",
          m, rtsp_cpu[0], rtsp_cpu[RUNS - 1]);
  m = median(raw_cpu, RUNS);
  g_print("  raw 720p30 encoded with x264 ultrafast: %.1f%% (%.1f-%.1f) of one core per camera\n",
          m, raw_cpu[0], raw_cpu[RUNS - 1]);
  m = median(clip_x, RUNS);
  g_print("  clip export: %.0fx (%.0f-%.0f) real time (goal >= 50x)\n", m, clip_x[0],
          clip_x[RUNS - 1]);
  g_print("  restarts/failures during the runs: %u\n", st.frames_lost_restarts);
  pt_test_rmtree(root);
  return 0;
}

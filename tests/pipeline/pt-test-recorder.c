/* pt-test-recorder.c: a one-camera recorder run as a child process by the fault tests
 * (kill -9).  `pt-test-recorder ROOT SEGMENT_MS WIDTH HEIGHT FPS` records a live test pattern
 * until killed and prints one line per event on stdout (flushed):
 *   OPENED <start_ns> <path>
 *   CLOSED <start_ns> <end_ns> <complete> <path> */
#include "pt-test-util.h"

#include <stdio.h>
#include <stdlib.h>

static void
on_opened(PtCamera *cam, const PtSegmentInfo *seg, gpointer data)
{
  printf("OPENED %" G_GINT64_FORMAT " %s\n", seg->start_ns, seg->path);
  fflush(stdout);
}

static void
on_closed(PtCamera *cam, const PtSegmentInfo *seg, gpointer data)
{
  printf("CLOSED %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d %s\n", seg->start_ns, seg->end_ns,
         seg->complete, seg->path);
  fflush(stdout);
}

int
main(int argc, char **argv)
{
  static const PtCameraCallbacks cbs = {.segment_opened = on_opened, .segment_closed = on_closed};
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  PtCameraConfig cfg;
  PtCamera *cam;

  pt_test_init(&argc, &argv, "videotestsrc", NULL);
  if (argc != 6) {
    fprintf(stderr, "usage: pt-test-recorder ROOT SEGMENT_MS WIDTH HEIGHT FPS\n");
    return 2;
  }
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("crash");
  cfg.location = g_strdup("smpte");
  cfg.output_root = g_strdup(argv[1]);
  cfg.segment_ns = (GstClockTime)g_ascii_strtoull(argv[2], NULL, 10) * GST_MSECOND;
  cfg.width = (int)g_ascii_strtoll(argv[3], NULL, 10);
  cfg.height = (int)g_ascii_strtoll(argv[4], NULL, 10);
  cfg.fps = (int)g_ascii_strtoll(argv[5], NULL, 10);
  cam = pt_camera_new(&cfg, &cbs, NULL, &error);
  if (cam == NULL || !pt_camera_start(cam, &error)) {
    fprintf(stderr, "pt-test-recorder: %s\n", error->message);
    pt_test_fail();
  }
  loop = g_main_loop_new(NULL, FALSE);
  g_main_loop_run(loop);
  return 0;
}

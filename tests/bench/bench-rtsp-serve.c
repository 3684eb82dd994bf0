/* bench-rtsp-serve.c: `bench-rtsp-serve FILE N [SUBFILE]`: an RTSP server on a free loopback
 * port that plays FILE (H.264 in Matroska) in real time at rtsp://127.0.0.1:PORT/cam1 ..
 * /camN, each client from the start of the file in a media of its own, over TCP as the
 * station asks; with SUBFILE (the same scene at a lower resolution), each camera's substream
 * too, at /cam1-sub .. /camN-sub, as an IP camera offers one.  Prints the base URL on its
 * first line, then serves until SIGINT or SIGTERM.  The cameras of bench-capacity.sh; not
 * part of the test suite. */
#include <glib-unix.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <stdio.h>

#define CAMERAS_MAX 64

static gboolean
on_signal(gpointer loop)
{
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static char *
play_launch(const char *file)
{
  g_autofree char *location = g_strescape(file, NULL);
  return g_strdup_printf("( filesrc location=\"%s\" ! matroskademux ! h264parse ! "
                         "rtph264pay name=pay0 pt=96 config-interval=-1 )",
                         location);
}

static void
add_mount(GstRTSPMountPoints *mounts, const char *path, const char *launch)
{
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(factory, launch);
  gst_rtsp_media_factory_set_shared(factory, FALSE);
  gst_rtsp_media_factory_set_protocols(factory, GST_RTSP_LOWER_TRANS_TCP);
  gst_rtsp_mount_points_add_factory(mounts, path, factory);
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 0;
  gst_init(&argc, &argv);
  if ((argc != 3 && argc != 4) ||
      !g_ascii_string_to_signed(argv[2], 10, 1, CAMERAS_MAX, &n, &error)) {
    fprintf(stderr, "usage: bench-rtsp-serve FILE N (1..%d) [SUBFILE]%s%s\n", CAMERAS_MAX,
            error ? ": " : "", error ? error->message : "");
    return 2;
  }
  for (int i = 1; i < argc; i += 2) {
    if (!g_file_test(argv[i], G_FILE_TEST_IS_REGULAR)) {
      fprintf(stderr, "bench-rtsp-serve: %s: no such file\n", argv[i]);
      return 1;
    }
  }
  g_autofree char *launch = play_launch(argv[1]);
  g_autofree char *sub_launch = argc == 4 ? play_launch(argv[3]) : NULL;
  GstRTSPServer *server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(server, "127.0.0.1");
  gst_rtsp_server_set_service(server, "0");
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points(server);
  for (gint64 i = 1; i <= n; i++) {
    g_autofree char *path = g_strdup_printf("/cam%" G_GINT64_FORMAT, i);
    add_mount(mounts, path, launch);
    if (sub_launch != NULL) {
      g_autofree char *sub_path = g_strdup_printf("/cam%" G_GINT64_FORMAT "-sub", i);
      add_mount(mounts, sub_path, sub_launch);
    }
  }
  g_object_unref(mounts);
  if (gst_rtsp_server_attach(server, NULL) == 0) {
    fprintf(stderr, "bench-rtsp-serve: cannot listen on 127.0.0.1\n");
    return 1;
  }
  printf("rtsp://127.0.0.1:%d\n", gst_rtsp_server_get_bound_port(server));
  fflush(stdout);
  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGINT, on_signal, loop);
  g_unix_signal_add(SIGTERM, on_signal, loop);
  g_main_loop_run(loop);
  g_main_loop_unref(loop);
  g_object_unref(server);
  return 0;
}

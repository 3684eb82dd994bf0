/* bench-dmtx.c: what `ptdmtx` costs a frame, for `perf stat -e instructions` (load-independent,
 * unlike its wall-clock deadline):
 *
 *   perf stat -e instructions:u build/tests/pipeline/bench-dmtx dock|dock1080|symbol on|off|none
 *     [FRAMES
 *     [TIMEOUT_MS]]
 *
 * or where the box has no counters, valgrind --tool=callgrind
 * --toggle-collect=pt_dmtx_transform_ip with a TIMEOUT_MS that outlasts valgrind's slowdown.
 * dock: the capacity bench's dock scene as its substream shows it (SMPTE bars, a running clock,
 * 640x360) with no symbol; dock1080: the same scene at 1920x1080 (clock Sans 40), which ptdmtx
 * now sees at a 1080p camera's full resolution and tests box-averaged to 960x540; symbol: the same
 * size with a case label's GS1 DataMatrix of 3 px modules on the dock's grey.  on: the presence
 * test in front of libdmtx; off: libdmtx on the whole frame (gate=false, what the station did
 * before); none: the pipeline without ptdmtx, to subtract.  Prints the frames read and the regions
 * searched. */
#include "pt-dmtx.h"
#include "pt-pipeline-limits.h"
#include "pt-test-codes.h"
#include "pt-test-util.h"

#include <gst/app/app.h>
#include <string.h>

#define WIDTH  640
#define HEIGHT 360

/* Pushes @frames copies of a frame with the case label's symbol into @src. */
static void
push_symbol_frames(GstElement *src, int frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBarcode) dm = pt_barcode_gs1(PT_SYMBOL_GS1_DATAMATRIX,
                                           "[01]09506000134352[10]PT2611250001[13]261125", &error);
  PT_CHECK(dm != NULL, "%s", error ? error->message : "");
  gsize luma = WIDTH * HEIGHT, size = luma + luma / 2;
  g_autofree guint8 *frame = g_malloc(size);
  memset(frame, 110, luma);
  memset(frame + luma, 128, size - luma);
  pt_test_codes_draw_matrix(frame, WIDTH, HEIGHT, WIDTH, dm, 3, 400, 180, 20);
  for (int i = 0; i < frames; i++) {
    GstBuffer *buf = gst_buffer_new_memdup(frame, size);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, 5);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, 5);
    if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK)
      break;
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  pt_test_init(&argc, &argv, "videotestsrc", "timeoverlay", "appsrc", NULL);
  if (argc < 3 || (strcmp(argv[1], "dock") != 0 && strcmp(argv[1], "dock1080") != 0 &&
                   strcmp(argv[1], "symbol") != 0)) {
    g_printerr("usage: %s dock|dock1080|symbol on|off|none [FRAMES [TIMEOUT_MS]]\n", argv[0]);
    return 2;
  }
  gboolean full = strcmp(argv[1], "dock1080") == 0;
  gboolean dock = full || strcmp(argv[1], "dock") == 0;
  guint64 frames = 100, timeout_ms = 40;
  PT_CHECK(argc <= 3 || g_ascii_string_to_unsigned(argv[3], 10, 1, 100000, &frames, &error),
           "FRAMES: %s", error->message);
  PT_CHECK(argc <= 4 || g_ascii_string_to_unsigned(argv[4], 10, 1, PT_SCAN_DMTX_TIMEOUT_MS_MAX,
                                                   &timeout_ms, &error),
           "TIMEOUT_MS: %s", error->message);
  const char *reader = strcmp(argv[2], "none") == 0  ? "identity name=dm"
                       : strcmp(argv[2], "off") == 0 ? "ptdmtx name=dm gate=false"
                                                     : "ptdmtx name=dm";
  g_autofree char *launch =
      dock ? g_strdup_printf("videotestsrc num-buffers=%" G_GUINT64_FORMAT
                             " pattern=smpte horizontal-speed=2 ! "
                             "video/x-raw,format=I420,width=%d,height=%d,framerate=30/1 ! "
                             "timeoverlay font-desc=\"Sans %d\" ! %s ! fakesink",
                             frames, full ? 1920 : 640, full ? 1080 : 360, full ? 40 : 20, reader)
           : g_strdup_printf("appsrc name=src format=time block=true caps=video/x-raw,"
                             "format=I420,width=640,height=360,framerate=5/1 ! %s ! fakesink",
                             reader);
  g_autoptr(GstElement) pipeline = gst_parse_launch(launch, &error);
  PT_CHECK(pipeline != NULL, "%s", error ? error->message : "");
  g_autoptr(GstElement) dm = gst_bin_get_by_name(GST_BIN(pipeline), "dm");
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(dm), "timeout") != NULL)
    g_object_set(dm, "timeout", (guint)timeout_ms, NULL);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  if (!dock) {
    g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
    push_symbol_frames(src, (int)frames);
  }
  guint reads = 0;
  for (;;) {
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(
        bus, GST_CLOCK_TIME_NONE, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error(msg, &error, NULL);
      PT_CHECK(FALSE, "%s", error->message);
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS)
      break;
    reads += gst_structure_has_name(gst_message_get_structure(msg), "barcode");
  }
  guint64 searched = 0;
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(dm), "searched") != NULL)
    g_object_get(dm, "searched", &searched, NULL);
  g_print("bench-dmtx %s %s: %" G_GUINT64_FORMAT " frames, %u reads, %" G_GUINT64_FORMAT
          " regions searched\n",
          argv[1], argv[2], frames, reads, searched);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return 0;
}

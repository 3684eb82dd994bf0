/* pt-test-codes.c: dock footage with a code in view (see pt-test-codes.h).  A few hundred
 * frames per call; x264enc at ultrafast makes a 1080p second in well under a second. */
#include "pt-test-codes.h"

#include <gst/app/app.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

/* The backdrop: a diagonal grey gradient, scrolled by @shift pixels. */
static void
draw_backdrop(guint8 *y_plane, const PtTestFootage *s, int shift)
{
  for (int row = 0; row < s->height; row++)
    for (int col = 0; col < s->width; col++)
      y_plane[(gsize)row * s->width + col] = (guint8)(60 + ((col + shift + row / 2) % 256) / 3);
}

/* The code on white with its quiet zone, modules black; clipped to the frame. */
static void
draw_code(guint8 *y_plane, const PtTestFootage *s, const PtBarcode *bc, int x0, int y0)
{
  int m = s->module_px, q = bc->quiet;
  gboolean linear = bc->rows == 1;
  int rows = linear ? 40 : bc->rows, qy = linear ? 2 : q;
  int w = (bc->cols + 2 * q) * m, h = (rows + 2 * qy) * m;
  for (int dy = 0; dy < h; dy++) {
    int y = y0 + dy;
    if (y < 0 || y >= s->height)
      continue;
    for (int dx = 0; dx < w; dx++) {
      int x = x0 + dx;
      if (x < 0 || x >= s->width)
        continue;
      int mx = dx / m - q, my = dy / m - qy;
      gboolean dark = mx >= 0 && my >= 0 && mx < bc->cols && my < rows &&
                      pt_barcode_dark(bc, mx, linear ? 0 : my);
      y_plane[(gsize)y * s->width + x] = dark ? 16 : 235;
    }
  }
}

void
pt_test_codes_draw_matrix(guint8 *y_plane, int width, int height, int stride, const PtBarcode *bc,
                          int module_px, double cx, double cy, double degrees)
{
  int q = bc->quiet;
  double side = (bc->cols + 2 * q) * (double)module_px,
         side_y = (bc->rows + 2 * q) * (double)module_px;
  double a = degrees * G_PI / 180.0, co = cos(a), si = sin(a);
  /* Each pixel within the turned square's reach is turned back into the code's own axes. */
  int reach = (int)ceil(hypot(side, side_y) / 2) + 1;
  for (int y = MAX((int)cy - reach, 0); y < MIN((int)cy + reach, height); y++)
    for (int x = MAX((int)cx - reach, 0); x < MIN((int)cx + reach, width); x++) {
      double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
      double u = co * dx + si * dy + side / 2, v = -si * dx + co * dy + side_y / 2;
      if (u < 0 || v < 0 || u >= side || v >= side_y)
        continue;
      int mx = (int)(u / module_px) - q, my = (int)(v / module_px) - q;
      gboolean dark =
          mx >= 0 && my >= 0 && mx < bc->cols && my < bc->rows && pt_barcode_dark(bc, mx, my);
      y_plane[(gsize)y * stride + x] = dark ? 16 : 235;
    }
}

gboolean
pt_test_codes_footage(const char *path, const PtTestFootage *s, const PtBarcode *code,
                      GError **error)
{
  g_autofree char *launch =
      g_strdup_printf("appsrc name=src format=time block=true max-bytes=%d ! x264enc "
                      "key-int-max=%d tune=zerolatency "
                      "speed-preset=ultrafast ! h264parse ! matroskamux ! filesink name=sink",
                      s->width * s->height * 6, s->fps);
  g_autoptr(GstElement) pipeline = gst_parse_launch(launch, error);
  if (!pipeline)
    return FALSE;
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  g_autoptr(GstElement) sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  g_object_set(sink, "location", path, NULL);
  g_autoptr(GstCaps) caps = gst_caps_new_simple(
      "video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT, s->width, "height",
      G_TYPE_INT, s->height, "framerate", GST_TYPE_FRACTION, s->fps, 1, NULL);
  g_object_set(src, "caps", caps, NULL);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  gsize luma = (gsize)s->width * s->height, size = luma + 2 * (luma / 4);
  for (int i = 0; i < s->n_frames; i++) {
    GstBuffer *buf = gst_buffer_new_allocate(NULL, size, NULL);
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_WRITE);
    draw_backdrop(map.data, s, s->moving_backdrop ? i * 8 : 0);
    memset(map.data + luma, 128, size - luma);
    if (code && i >= s->first && i <= s->last)
      draw_code(map.data, s, code, s->x + s->speed * (i - s->first), s->y);
    gst_buffer_unmap(buf, &map);
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, s->fps);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, s->fps);
    if (gst_app_src_push_buffer(GST_APP_SRC(src), buf) != GST_FLOW_OK)
      break;
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  g_autoptr(GstMessage) msg =
      gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gboolean ok = msg != NULL && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (!ok && msg != NULL) {
    gst_message_parse_error(msg, error, NULL);
  } else if (!ok) {
    g_set_error(error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED, "footage %s: no end in 120 s", path);
  }
  gst_element_set_state(pipeline, GST_STATE_NULL);
  return ok;
}

/* pt-timestamp.c: the burned-in capture time (see pt-timestamp.h).  Runs on the streaming
 * thread for every frame of a stamped camera: one QR encode of 13 digits (libqrencode,
 * version 1, tens of microseconds) and a ~116 px square written into the planes.
 *
 * qroverlay (gst-plugins-bad 1.22) was tried first: it draws the QR of its first `data` and
 * never again, whatever is set per buffer, so every frame carried the start time. */
#include "pt-timestamp.h"

#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"

#include <gst/video/video.h>
#include <qrencode.h>
#include <string.h>

#define QUIET_MODULES 4 /* the quiet zone the QR standard asks for */
#define LUMA_BLACK    16
#define LUMA_WHITE    235
#define CHROMA_GREY   128

/* Fills the square of module (@mx, @my) in each plane; @dark: a black module. */
static void
paint_module(GstVideoFrame *frame, int mx, int my, gboolean dark)
{
  const int px = PT_TIMESTAMP_QR_PIXEL_SIZE;

  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(frame); p++) {
    guint8 *data = GST_VIDEO_FRAME_PLANE_DATA(frame, p);
    int stride = GST_VIDEO_FRAME_PLANE_STRIDE(frame, p);
    /* I420: chroma planes are half size both ways. */
    int shift = p == 0 ? 0 : 1;
    int x0 = (mx * px) >> shift, y0 = (my * px) >> shift, n = px >> shift;
    guint8 value = p == 0 ? (dark ? LUMA_BLACK : LUMA_WHITE) : CHROMA_GREY;

    for (int y = y0; y < y0 + MAX(n, 1); y++)
      memset(data + (gsize)y * (gsize)stride + x0, value, (gsize)MAX(n, 1));
  }
}

static gint64
frame_utc_ns(GstPad *pad, GstBuffer *buf)
{
  g_autoptr(GstEvent) seg_ev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  GstElement *parent = GST_ELEMENT(gst_pad_get_parent(pad));
  gint64 utc = -1;

  if (seg_ev != NULL && parent != NULL && GST_BUFFER_PTS_IS_VALID(buf)) {
    const GstSegment *seg;

    gst_event_parse_segment(seg_ev, &seg);
    GstClockTime rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
    GstClockTime base = gst_element_get_base_time(parent);
    if (GST_CLOCK_TIME_IS_VALID(rt) && base != 0)
      utc = (gint64)(base + rt);
  }
  g_clear_object(&parent);
  return utc > 0 ? utc : pt_utc_now_ns();
}

static GstPadProbeReturn
on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps(pad);
  GstVideoInfo vinfo;
  GstVideoFrame frame;
  char text[32];
  QRcode *qr;

  if (caps == NULL || !gst_video_info_from_caps(&vinfo, caps) ||
      GST_VIDEO_INFO_FORMAT(&vinfo) != GST_VIDEO_FORMAT_I420)
    return GST_PAD_PROBE_OK;
  g_snprintf(text, sizeof(text), "%" G_GINT64_FORMAT, frame_utc_ns(pad, buf) / GST_MSECOND);
  qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (qr == NULL)
    return GST_PAD_PROBE_OK;
  int side = (qr->width + 2 * QUIET_MODULES) * PT_TIMESTAMP_QR_PIXEL_SIZE;
  if (side > GST_VIDEO_INFO_WIDTH(&vinfo) || side > GST_VIDEO_INFO_HEIGHT(&vinfo)) {
    QRcode_free(qr);
    return GST_PAD_PROBE_OK;
  }
  buf = gst_buffer_make_writable(buf);
  GST_PAD_PROBE_INFO_DATA(info) = buf;
  if (gst_video_frame_map(&frame, &vinfo, buf, GST_MAP_WRITE)) {
    for (int my = 0; my < qr->width + 2 * QUIET_MODULES; my++) {
      for (int mx = 0; mx < qr->width + 2 * QUIET_MODULES; mx++) {
        int qx = mx - QUIET_MODULES, qy = my - QUIET_MODULES;
        gboolean dark = qx >= 0 && qy >= 0 && qx < qr->width && qy < qr->width &&
                        (qr->data[qy * qr->width + qx] & 1);

        paint_module(&frame, mx, my, dark);
      }
    }
    gst_video_frame_unmap(&frame);
  }
  QRcode_free(qr);
  return GST_PAD_PROBE_OK;
}

void
pt_timestamp_attach(GstPad *pad)
{
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, NULL, NULL);
}

/* pt-dmtx.h: the `ptdmtx` element, a video filter that reads Data Matrix symbols with libdmtx
 * (zbar 0.23 reads none) and reports each one the way zbar reports its codes, so the camera's
 * bus handler treats both alike.  Built into the station (see pt_dmtx_register()):
 *
 *   gst-launch-1.0 filesrc location=dock.mkv ! matroskademux ! h264parse ! avdec_h264 ! \
 *     videoconvert ! video/x-raw,format=I420 ! ptdmtx timeout=40 ! fakesink
 *
 * It reads the luma plane in place (never a copy, never a write) and spends at most `timeout`
 * milliseconds a frame looking for symbols: libdmtx's search of a frame with none in it runs
 * far longer than a frame lasts.  Per symbol read, an element message "barcode" with the
 * fields of zbar's: type (string "DataMatrix"), symbol (string: the decoded text; GS1's FNC1
 * separators as GS, 0x1d, and the leading FNC1 that marks a GS1 symbol left out, so a GS1
 * DataMatrix arrives as the same element string as a GS1-128 read by zbar), quality (int, 1),
 * timestamp, stream-time, running-time, duration (guint64, of the frame). */
#pragma once

#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define PT_TYPE_DMTX (pt_dmtx_get_type())
G_DECLARE_FINAL_TYPE(PtDmtx, pt_dmtx, PT, DMTX, GstVideoFilter)

/* Registers "ptdmtx" for this process (@plugin NULL) or with @plugin.  Safe to call more
 * than once. */
gboolean pt_dmtx_register(GstPlugin *plugin);

G_END_DECLS

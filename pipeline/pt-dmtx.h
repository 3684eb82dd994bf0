/* pt-dmtx.h: the `ptdmtx` element, a video filter that reads Data Matrix symbols with libdmtx
 * (zbar 0.23 reads none) and, with the zbar library, Code 128 (a case label's GS1-128) where its
 * presence test finds bars, and reports each one the way zbar reports its codes, so the
 * camera's bus handler treats them alike.  The scan branch puts it in front of its scaler, so
 * it reads the dock at the camera's full resolution.  Built into the station (see
 * pt_dmtx_register()):
 *
 *   gst-launch-1.0 filesrc location=dock.mkv ! matroskademux ! h264parse ! avdec_h264 ! \
 *     videoconvert ! video/x-raw,format=I420 ! ptdmtx timeout=40 ! videoscale ! \
 *     video/x-raw,width=640 ! zbar ! fakesink
 *
 * It reads the luma plane in place (never a copy of the frame, never a write) and spends at
 * most `timeout` milliseconds a frame reading: libdmtx's search of a frame with no symbol in it
 * runs far longer than a frame lasts.  Per symbol read, an element message "barcode" with the
 * fields of zbar's: type (string "DataMatrix", or zbar's name, "CODE-128"), symbol (string: the
 * decoded text; GS1's FNC1 separators as GS, 0x1d, and the leading FNC1 that marks a GS1 symbol
 * left out, so a GS1 DataMatrix arrives as the same element string as a GS1-128 read by zbar),
 * quality (int), timestamp, stream-time, running-time, duration (guint64, of the frame). */
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

/* pt-timestamp.h (private to pipeline/): the capture time burned into raw frames as a QR code
 * (timestamp_overlay=qr), so whoever watches a recording or the live view can read when a
 * frame was taken, and a test can measure glass-to-glass latency from the played picture. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* Stamps every I420 buffer that passes @pad (transfer none; the source pad of the raw source
 * section): a QR code of the frame's UTC time in milliseconds (base time + running time on
 * the pipeline's realtime clock), black on white, top left, PT_TIMESTAMP_QR_PIXEL_SIZE pixels
 * a module with the standard quiet zone.  Frames too small for it pass unstamped. */
void pt_timestamp_attach(GstPad *pad);

G_END_DECLS

/* pt-gst-util.h: small GStreamer helpers shared inside pipeline/ (not installed for the
 * station): element creation with errors, decoder choice, clock/UTC conversions, durable
 * file writes.  Nothing here keeps state. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* TRUE when the element factory @name is installed. */
gboolean pt_have_element(const char *name);
/* gst_element_factory_make() that explains a missing plugin in @error.
 * Returns: (transfer floating) (nullable) */
GstElement *pt_make_element(const char *factory, const char *name, GError **error);
/* Factory name of the highest-ranked installed software H.264 decoder.
 * Returns: (transfer none) (nullable) */
const char *pt_h264_decoder_factory(GError **error);
/* The highest-ranked installed H.264 video decoder (avdec_h264 or openh264dec).
 * Returns: (transfer floating) (nullable) */
GstElement *pt_make_h264_decoder(const char *name, GError **error);
/* The H.264 encoder for raw sources: x264enc (ultrafast, zerolatency), else openh264enc with
 * a usable bitrate.  @key_int_frames is the longest GOP.  Returns: (transfer floating) */
GstElement *pt_make_h264_encoder(int key_int_frames, GError **error);

/* The same encoder choice as gst-launch text ("x264enc speed-preset=ultrafast ...").
 * Returns: (transfer full) (nullable) */
char *pt_h264_encoder_launch(int key_int_frames, GError **error);

/* UTC ns of running time @running_time in @pipeline (base time + running time; the
 * pipeline must use the realtime system clock).  -1 when either is unknown. */
gint64 pt_running_time_to_utc(GstElement *pipeline, GstClockTime running_time);
/* The realtime (CLOCK_REALTIME) system clock.  Returns: (transfer full) */
GstClock *pt_realtime_clock(void);
/* Wall clock now, UTC ns. */
gint64 pt_utc_now_ns(void);
/* "2025-11-25T07:21:00.123Z" style text for @utc_ns.  Returns: (transfer full) */
char *pt_utc_format(gint64 utc_ns, const char *format);

/* fsync the file at @path and then its directory. */
gboolean pt_fsync_path(const char *path, GError **error);
/* rename @from over @to, then fsync @to's directory so the rename survives power loss. */
gboolean pt_rename_durable(const char *from, const char *to, GError **error);

/* Turns the GError of an ERROR bus message into a one-line reason, naming the element.
 * Returns: (transfer full) */
char *pt_message_reason(GstMessage *msg, GError **error_out);

G_END_DECLS

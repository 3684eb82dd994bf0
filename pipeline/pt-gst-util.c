/* pt-gst-util.c: helpers shared by the camera, probe, clip and demo code.  Called at
 * pipeline build time and on errors, never per buffer. */
#include "pt-gst-util.h"

#include "pt-camera-config.h"
#include "pt-pipeline-limits.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

GST_DEBUG_CATEGORY_STATIC(pt_util_debug);
#define GST_CAT_DEFAULT pt_util_debug

static void
ensure_debug(void)
{
  static gsize once = 0;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_util_debug, "pt-util", 0, "packtrace pipeline helpers");
    g_once_init_leave(&once, 1);
  }
}

gboolean
pt_have_element(const char *name)
{
  g_autoptr(GstElementFactory) f = gst_element_factory_find(name);

  return f != NULL;
}

GstElement *
pt_make_element(const char *factory, const char *name, GError **error)
{
  GstElement *e = gst_element_factory_make(factory, name);

  if (e == NULL)
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN,
                "GStreamer element \"%s\" is not installed", factory);
  return e;
}

const char *
pt_h264_decoder_factory(GError **error)
{
  GList *all, *decoders;
  const char *name = NULL;
  g_autoptr(GstCaps) caps = gst_caps_from_string("video/x-h264");

  ensure_debug();
  all = gst_element_factory_list_get_elements(
      GST_ELEMENT_FACTORY_TYPE_DECODER | GST_ELEMENT_FACTORY_TYPE_MEDIA_VIDEO, GST_RANK_MARGINAL);
  decoders = gst_element_factory_list_filter(all, caps, GST_PAD_SINK, FALSE);
  decoders = g_list_sort(decoders, gst_plugin_feature_rank_compare_func);
  for (GList *l = decoders; l != NULL && name == NULL; l = l->next) {
    GstElementFactory *f = l->data;

    /* Hardware decoders need a device the station may not have; stay on the CPU.  The
     * factory outlives the list: the registry keeps it. */
    if (!gst_element_factory_list_is_type(f, GST_ELEMENT_FACTORY_TYPE_HARDWARE))
      name = g_intern_string(GST_OBJECT_NAME(f));
  }
  gst_plugin_feature_list_free(decoders);
  gst_plugin_feature_list_free(all);
  if (name == NULL)
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN,
                "no H.264 decoder installed (gstreamer1.0-plugins-bad openh264dec or "
                "gstreamer1.0-libav avdec_h264)");
  else
    GST_DEBUG("H.264 decoder: %s", name);
  return name;
}

GstElement *
pt_make_h264_decoder(const char *name, GError **error)
{
  const char *factory = pt_h264_decoder_factory(error);

  return factory ? pt_make_element(factory, name, error) : NULL;
}

GstElement *
pt_make_h264_encoder(int key_int_frames, GError **error)
{
  GstElement *e = gst_element_factory_make("x264enc", NULL);

  if (e != NULL) {
    gst_util_set_object_arg(G_OBJECT(e), "speed-preset", "ultrafast");
    gst_util_set_object_arg(G_OBJECT(e), "tune", "zerolatency");
    g_object_set(e, "key-int-max", (guint)MAX(key_int_frames, 1), NULL);
    return e;
  }
  e = gst_element_factory_make("openh264enc", NULL);
  if (e != NULL) {
    g_object_set(e, "bitrate", (guint)PT_OPENH264_BITRATE_BPS, "gop-size",
                 (guint)MAX(key_int_frames, 1), NULL);
    gst_util_set_object_arg(G_OBJECT(e), "complexity", "low");
    return e;
  }
  g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN,
              "no H.264 encoder installed (gstreamer1.0-plugins-ugly x264enc or "
              "gstreamer1.0-plugins-bad openh264enc)");
  return NULL;
}

char *
pt_h264_encoder_launch(int key_int_frames, GError **error)
{
  if (pt_have_element("x264enc"))
    return g_strdup_printf("x264enc speed-preset=ultrafast tune=zerolatency key-int-max=%d",
                           MAX(key_int_frames, 1));
  if (pt_have_element("openh264enc"))
    return g_strdup_printf("openh264enc bitrate=%d gop-size=%d complexity=low",
                           PT_OPENH264_BITRATE_BPS, MAX(key_int_frames, 1));
  g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN,
              "no H.264 encoder installed (gstreamer1.0-plugins-ugly x264enc or "
              "gstreamer1.0-plugins-bad openh264enc)");
  return NULL;
}

gint64
pt_running_time_to_utc(GstElement *pipeline, GstClockTime running_time)
{
  GstClockTime base = gst_element_get_base_time(pipeline);

  if (!GST_CLOCK_TIME_IS_VALID(running_time) || !GST_CLOCK_TIME_IS_VALID(base) || base == 0)
    return -1;
  return (gint64)(base + running_time);
}

GstClock *
pt_realtime_clock(void)
{
  /* A private instance: changing the clock-type of the shared system clock would change it
   * for every pipeline in the process. */
  return g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, NULL);
}

gint64
pt_utc_now_ns(void)
{
  return g_get_real_time() * 1000;
}

char *
pt_utc_format(gint64 utc_ns, const char *format)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(utc_ns / GST_SECOND);
  g_autofree char *base = NULL;

  if (dt == NULL)
    return g_strdup("invalid-time");
  base = g_date_time_format(dt, format);
  return g_strdup_printf("%s.%03dZ", base, (int)((utc_ns % GST_SECOND) / GST_MSECOND));
}

static gboolean
fsync_fd_path(const char *path, int flags, GError **error)
{
  int fd = g_open(path, flags | O_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "open %s: %s", path,
                g_strerror(e));
    return FALSE;
  }
  ok = fsync(fd) == 0;
  if (!ok) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "fsync %s: %s", path,
                g_strerror(e));
  }
  close(fd);
  return ok;
}

gboolean
pt_fsync_path(const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);

  return fsync_fd_path(path, O_RDONLY, error) && fsync_fd_path(dir, O_RDONLY | O_DIRECTORY, error);
}

gboolean
pt_rename_durable(const char *from, const char *to, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(to);

  if (g_rename(from, to) != 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "rename %s -> %s: %s", from, to,
                g_strerror(e));
    return FALSE;
  }
  return fsync_fd_path(dir, O_RDONLY | O_DIRECTORY, error);
}

char *
pt_message_reason(GstMessage *msg, GError **error_out)
{
  g_autoptr(GError) err = NULL;
  g_autofree char *debug = NULL;
  char *reason;

  if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
    gst_message_parse_error(msg, &err, &debug);
  else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_WARNING)
    gst_message_parse_warning(msg, &err, &debug);
  else
    return g_strdup(GST_MESSAGE_TYPE_NAME(msg));
  reason = g_strdup_printf("%s: %s", GST_MESSAGE_SRC_NAME(msg), err ? err->message : "error");
  if (error_out != NULL)
    *error_out = g_steal_pointer(&err);
  return reason;
}

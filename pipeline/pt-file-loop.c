/* pt-file-loop.c: the looping file source behind the `file` camera kind (demo footage and
 * tests).  One reader pipeline per file camera; per buffer it only rewrites timestamps, so
 * the cost is that of demuxing.  Timestamps: each buffer's running time in the reader plus an
 * offset chosen so that the first buffer lands at the camera pipeline's current running time
 * and every loop continues one frame after the previous loop's last frame. */
#include "pt-file-loop.h"

#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"

#include <gst/app/app.h>

GST_DEBUG_CATEGORY_STATIC(pt_file_loop_debug);
#define GST_CAT_DEFAULT pt_file_loop_debug

struct _PtFileLoop {
  gatomicrefcount ref; /* the owner, plus one per pending rewind */
  char *path;
  GstElement *reader;         /* owned */
  GstElement *appsrc;         /* owned ref; lives in the camera pipeline */
  GMutex lock;                /* guards the timestamp state below (streaming vs seek thread) */
  gboolean rebase;            /* the next buffer starts a loop: recompute offset */
  gint64 offset;              /* added to reader running time */
  GstClockTime next_expected; /* camera running time right after the last pushed frame */
  guint loops;
  GstCaps *last_caps; /* owned */
};

static GstClockTime
camera_running_time_now(PtFileLoop *loop)
{
  g_autoptr(GstClock) clock = gst_element_get_clock(loop->appsrc);
  GstClockTime base = gst_element_get_base_time(loop->appsrc);
  GstClockTime now;

  if (clock == NULL)
    return 0;
  now = gst_clock_get_time(clock);
  return now > base ? now - base : 0;
}

static GstClockTime
shift(GstClockTime t, gint64 offset)
{
  if (!GST_CLOCK_TIME_IS_VALID(t))
    return GST_CLOCK_TIME_NONE;
  return (gint64)t + offset < 0 ? 0 : (GstClockTime)((gint64)t + offset);
}

static GstFlowReturn
on_new_sample(GstAppSink *sink, gpointer user_data)
{
  PtFileLoop *loop = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample(sink);
  const GstSegment *seg;
  GstBuffer *in;
  GstBuffer *out;
  GstCaps *caps;
  GstClockTime dts_rt, pts_rt, base_rt;

  if (sample == NULL)
    return GST_FLOW_EOS;
  seg = gst_sample_get_segment(sample);
  in = gst_sample_get_buffer(sample);
  caps = gst_sample_get_caps(sample);
  if (caps != NULL && (loop->last_caps == NULL || !gst_caps_is_equal(caps, loop->last_caps))) {
    gst_caps_replace(&loop->last_caps, caps);
    gst_app_src_set_caps(GST_APP_SRC(loop->appsrc), caps);
  }
  dts_rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_DTS(in));
  pts_rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(in));
  base_rt = GST_CLOCK_TIME_IS_VALID(dts_rt) ? dts_rt : pts_rt;
  if (!GST_CLOCK_TIME_IS_VALID(base_rt))
    return GST_FLOW_OK;

  out = gst_buffer_copy(in); /* metadata copy; the memory is shared */
  g_mutex_lock(&loop->lock);
  if (loop->rebase) {
    GstClockTime start = GST_CLOCK_TIME_IS_VALID(loop->next_expected)
                             ? loop->next_expected
                             : camera_running_time_now(loop);

    loop->offset = (gint64)start - (gint64)base_rt;
    loop->rebase = FALSE;
  }
  GST_BUFFER_DTS(out) = shift(dts_rt, loop->offset);
  GST_BUFFER_PTS(out) = shift(pts_rt, loop->offset);
  loop->next_expected =
      shift(base_rt, loop->offset) +
      (GST_BUFFER_DURATION_IS_VALID(in) ? GST_BUFFER_DURATION(in) : PT_FILE_LOOP_FRAME_NS);
  g_mutex_unlock(&loop->lock);
  /* The camera's appsrc is bounded and leaky, so this never blocks the reader for long. */
  return gst_app_src_push_buffer(GST_APP_SRC(loop->appsrc), out) == GST_FLOW_OK ? GST_FLOW_OK
                                                                                : GST_FLOW_EOS;
}

static void
rewind_reader(GstElement *reader, gpointer user_data)
{
  PtFileLoop *loop = user_data;

  g_mutex_lock(&loop->lock);
  loop->rebase = TRUE;
  loop->loops++;
  g_mutex_unlock(&loop->lock);
  GST_DEBUG("%s: loop %u", loop->path, loop->loops);
  if (!gst_element_seek_simple(reader, GST_FORMAT_TIME,
                               GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT, 0))
    GST_WARNING("%s: cannot seek back to the start", loop->path);
}

static void
loop_unref(gpointer data)
{
  PtFileLoop *loop = data;

  if (!g_atomic_ref_count_dec(&loop->ref))
    return;
  gst_object_unref(loop->reader);
  gst_object_unref(loop->appsrc);
  gst_caps_replace(&loop->last_caps, NULL);
  g_mutex_clear(&loop->lock);
  g_free(loop->path);
  g_free(loop);
}

static GstBusSyncReply
on_reader_message(GstBus *bus, GstMessage *msg, gpointer user_data)
{
  PtFileLoop *loop = user_data;

  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_EOS:
    /* Seeking from the streaming thread could deadlock on the stream lock. */
    g_atomic_ref_count_inc(&loop->ref);
    gst_element_call_async(loop->reader, rewind_reader, loop, loop_unref);
    break;
  case GST_MESSAGE_ERROR: {
    /* Hand the reader's error to the camera pipeline, whose watchdog restarts it. */
    g_autoptr(GError) err = NULL;
    g_autofree char *debug = NULL;

    gst_message_parse_error(msg, &err, &debug);
    gst_element_post_message(loop->appsrc,
                             gst_message_new_error(GST_OBJECT(loop->appsrc), err, debug));
    break;
  }
  default:
    break;
  }
  /* A sync handler that drops a message owns it: each one holds a ref on the reader. */
  gst_message_unref(msg);
  return GST_BUS_DROP;
}

PtFileLoop *
pt_file_loop_new(const char *path, GstElement *appsrc, GError **error)
{
  static gsize once = 0;
  g_autofree char *q_path = g_strescape(path, NULL);
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) reader = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstAppSinkCallbacks cbs = {.new_sample = on_new_sample};
  PtFileLoop *loop;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_file_loop_debug, "pt-file-loop", 0, "packtrace looping file");
    g_once_init_leave(&once, 1);
  }
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "video file %s does not exist", path);
    return NULL;
  }
  desc = g_strdup_printf("filesrc location=\"%s\" ! parsebin ! h264parse ! "
                         "video/x-h264,stream-format=avc,alignment=au ! "
                         "appsink name=sink sync=true max-buffers=2 enable-last-sample=false",
                         q_path);
  reader = gst_parse_launch(desc, error);
  if (reader == NULL)
    return NULL;
  loop = g_new0(PtFileLoop, 1);
  g_atomic_ref_count_init(&loop->ref);
  loop->path = g_strdup(path);
  loop->reader = g_steal_pointer(&reader);
  loop->appsrc = gst_object_ref(appsrc);
  loop->rebase = TRUE;
  loop->next_expected = GST_CLOCK_TIME_NONE;
  g_mutex_init(&loop->lock);
  sink = gst_bin_get_by_name(GST_BIN(loop->reader), "sink");
  gst_app_sink_set_callbacks(GST_APP_SINK(sink), &cbs, loop, NULL);
  bus = gst_element_get_bus(loop->reader);
  gst_bus_set_sync_handler(bus, on_reader_message, loop, NULL);
  return loop;
}

gboolean
pt_file_loop_start(PtFileLoop *loop, GError **error)
{
  if (gst_element_set_state(loop->reader, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot play %s", loop->path);
    return FALSE;
  }
  return TRUE;
}

void
pt_file_loop_free(PtFileLoop *loop)
{
  g_autoptr(GstBus) bus = NULL;

  if (loop == NULL)
    return;
  bus = gst_element_get_bus(loop->reader);
  gst_bus_set_sync_handler(bus, NULL, NULL, NULL);
  gst_element_set_state(loop->reader, GST_STATE_NULL);
  loop_unref(loop);
}

/* pt-live.c: the live view branch (see pt-live.h).  Attached and detached on the camera's
 * main context, a few times a day per camera; while attached it costs a queue, a parser and
 * the TS muxer per frame, no decode and no encode, unless the camera has a privacy mask: then
 * the branch decodes (H.264 sources), masks and encodes once more, only while watched.
 *
 * Detaching follows GStreamer's pattern for a tee branch in a playing pipeline: an IDLE probe
 * on the tee's pad (it fires at once when no buffer is passing, else right after the one that
 * is), unlink there, EOS into the branch so hlssink2's muxer ends its segment, then NULL and
 * remove.  The recording's pad of the same tee never waits on any of it. */
#include "pt-live.h"

#include "pt-camera-config.h"
#include "pt-camera.h"
#include "pt-gst-util.h"
#include "pt-mask.h"
#include "pt-pipeline-limits.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <gst/video/video.h>

GST_DEBUG_CATEGORY_STATIC(pt_live_debug);
#define GST_CAT_DEFAULT pt_live_debug

struct _PtLive {
  gatomicrefcount ref;  /* the camera, and each probe while installed */
  GstElement *pipeline; /* owned ref */
  GstElement *tee;      /* owned ref */
  GstElement *bin;      /* owned ref: queue, h264parse, hlssink2 */
  GstPad *tee_pad;      /* owned ref: the tee's request pad */
  GstPad *sink_pad;     /* owned ref: the bin's ghost sink pad */
  GstPad *end_pad;      /* owned ref: the pad into hlssink2, where EOS arrives */
  char *dir;

  GMutex lock; /* guards the fields below: the probes run on streaming threads */
  GCond cond;
  gboolean unlinked, eos_seen;
  gboolean waiting; /* the main context still waits for the probes; else they do nothing */
};

static void
live_init_debug(void)
{
  static gsize once = 0;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_live_debug, "pt-live", 0, "packtrace live view");
    g_once_init_leave(&once, 1);
  }
}

void
pt_live_remove_dir(const char *dir)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  const char *name;

  live_init_debug();
  if (d == NULL)
    return;
  /* Only what hlssink2 writes is ever here: no subfolders. */
  while ((name = g_dir_read_name(d)) != NULL) {
    g_autofree char *path = g_build_filename(dir, name, NULL);

    if (g_unlink(path) != 0)
      GST_WARNING("cannot remove %s", path);
  }
  g_rmdir(dir);
}

/* Streaming thread: a segment must start at a keyframe or the player shows nothing until the
 * next one; a passthrough source's frames before it are dropped. */
static GstPadProbeReturn
on_branch_entry(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_REMOVE;
}

static PtLive *
live_ref(PtLive *live)
{
  g_atomic_ref_count_inc(&live->ref);
  return live;
}

static void
live_unref(gpointer data)
{
  PtLive *live = data;

  if (!g_atomic_ref_count_dec(&live->ref))
    return;
  g_clear_object(&live->end_pad);
  g_clear_object(&live->sink_pad);
  g_clear_object(&live->tee_pad);
  g_clear_object(&live->bin);
  g_clear_object(&live->tee);
  g_clear_object(&live->pipeline);
  g_free(live->dir);
  g_mutex_clear(&live->lock);
  g_cond_clear(&live->cond);
  g_free(live);
}

/* Adds the factories to @bin, linked in order, and returns the last (transfer none); @first
 * (out) gets the first.  NULL on a missing element. */
static GstElement *
add_chain(GstBin *bin, GstElement *prev, GstElement **first, GError **error,
          const char *const *factories)
{
  for (guint i = 0; factories[i] != NULL; i++) {
    GstElement *e = pt_make_element(factories[i], NULL, error);

    if (e == NULL)
      return NULL;
    gst_bin_add(bin, e);
    if (prev != NULL)
      gst_element_link(prev, e);
    else if (first != NULL)
      *first = e;
    prev = e;
  }
  return prev;
}

/* A masked camera's branch re-encodes between @queue and the parser: decode (when @tee_raw is
 * FALSE), convert, mask, encode.  Returns the encoder (transfer none) or NULL. */
static GstElement *
add_masking(GstBin *bin, GstElement *queue, const PtCameraConfig *config, gboolean tee_raw,
            int key_int_frames, GError **error)
{
  GstElement *prev = queue, *mask_first, *mask_last, *enc;

  if (!tee_raw) {
    static const char *const parse[] = {"h264parse", NULL};
    GstElement *dec;

    if ((prev = add_chain(bin, prev, NULL, error, parse)) == NULL ||
        (dec = pt_make_h264_decoder(NULL, error)) == NULL)
      return NULL;
    /* A damaged frame must not stop the camera: keep decoding (avdec_h264 has the knob). */
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(dec), "max-errors") != NULL)
      gst_util_set_object_arg(G_OBJECT(dec), "max-errors", "-1");
    gst_bin_add(bin, dec);
    gst_element_link(prev, dec);
    prev = dec;
  }
  if (!pt_mask_add(bin, &config->mask, config->name, &mask_first, &mask_last, error) ||
      (enc = pt_make_h264_encoder(key_int_frames, error)) == NULL)
    return NULL;
  gst_bin_add(bin, enc);
  gst_element_link(prev, mask_first);
  gst_element_link(mask_last, enc);
  return enc;
}

static GstElement *
build_branch(const PtCameraConfig *config, gboolean tee_raw, int key_int_frames, GstPad **end_pad,
             GError **error)
{
  static const char *const head[] = {"queue", NULL};
  static const char *const tail[] = {"h264parse", NULL};
  g_autoptr(GstElement) bin = gst_object_ref_sink(gst_bin_new("live"));
  gboolean masked = config->mask.n_rects > 0;
  GstElement *queue = NULL, *before, *parse, *hls;
  g_autofree char *location = g_build_filename(config->live_dir, PT_LIVE_SEGMENT_PATTERN, NULL);
  g_autofree char *playlist = g_build_filename(config->live_dir, PT_LIVE_PLAYLIST_NAME, NULL);

  g_return_val_if_fail(masked || !tee_raw, NULL);
  if ((before = add_chain(GST_BIN(bin), NULL, &queue, error, head)) == NULL ||
      (masked && (before = add_masking(GST_BIN(bin), queue, config, tee_raw, key_int_frames,
                                       error)) == NULL) ||
      (parse = add_chain(GST_BIN(bin), before, NULL, error, tail)) == NULL ||
      (hls = pt_make_element("hlssink2", NULL, error)) == NULL)
    return NULL;
  gst_bin_add(GST_BIN(bin), hls);
  if (!gst_element_link(parse, hls)) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN, "%s",
                "cannot link the live view branch");
    return NULL;
  }
  /* Raw frames are large (a 720p frame is 1.4 MB): a few, not two seconds of them. */
  if (tee_raw)
    g_object_set(queue, "leaky", 2, "max-size-buffers", (guint)PT_LIVE_RAW_QUEUE_BUFFERS,
                 "max-size-bytes", 0u, "max-size-time", (guint64)0, NULL);
  else
    g_object_set(queue, "leaky", 2, "max-size-buffers", 0u, "max-size-bytes", 0u, "max-size-time",
                 (guint64)PT_LIVE_QUEUE_NS, NULL);
  /* SPS and PPS before every keyframe: each segment is playable alone, whatever the source
   * sent in band (a passthrough file's are only in its caps). */
  g_object_set(parse, "config-interval", -1, NULL);
  /* No keyframe requests per segment: the source's GOP (at most PT_KEYFRAME_MAX_NS for the
   * streams we encode) cuts the segments, and the recording's GOP stays as it is. */
  g_object_set(hls, "location", location, "playlist-location", playlist, "target-duration",
               (guint)PT_LIVE_SEGMENT_SECONDS, "playlist-length", (guint)PT_LIVE_PLAYLIST_SEGMENTS,
               "max-files", (guint)PT_LIVE_MAX_FILES, "send-keyframe-requests", FALSE, NULL);
  g_autoptr(GstPad) target = gst_element_get_static_pad(queue, "sink");
  GstPad *ghost = gst_ghost_pad_new("sink", target);
  gst_pad_set_active(ghost, TRUE);
  gst_element_add_pad(bin, ghost);
  if (!tee_raw)
    gst_pad_add_probe(target, GST_PAD_PROBE_TYPE_BUFFER, on_branch_entry, NULL, NULL);
  /* hlssink2's pads are request pads ("video"): EOS is seen where the parser hands it over. */
  *end_pad = gst_element_get_static_pad(parse, "src");
  return g_steal_pointer(&bin);
}

PtLive *
pt_live_attach(GstElement *pipeline, GstElement *tee, gboolean tee_raw, int key_int_frames,
               const PtCameraConfig *config, GError **error)
{
  const char *dir = config->live_dir;
  PtLive *live;
  GstPad *end_pad = NULL;
  g_autoptr(GstElement) bin = NULL;

  live_init_debug();
  pt_live_remove_dir(dir);
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_WRITE, "cannot make %s: %s", dir,
                g_strerror(errno));
    return NULL;
  }
  bin = build_branch(config, tee_raw, key_int_frames, &end_pad, error);
  if (bin == NULL)
    return NULL;
  live = g_new0(PtLive, 1);
  g_atomic_ref_count_init(&live->ref);
  g_mutex_init(&live->lock);
  g_cond_init(&live->cond);
  live->pipeline = gst_object_ref(pipeline);
  live->tee = gst_object_ref(tee);
  live->bin = g_steal_pointer(&bin);
  live->end_pad = end_pad;
  live->sink_pad = gst_element_get_static_pad(live->bin, "sink");
  live->dir = g_strdup(dir);
  gst_bin_add(GST_BIN(pipeline), live->bin);
  /* Playing before any data reaches it: a buffer into a branch still in NULL is an error. */
  if (!gst_element_sync_state_with_parent(live->bin)) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN, "%s",
                "the live view branch cannot start");
    gst_element_set_state(live->bin, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(pipeline), live->bin);
    pt_live_drop(live);
    return NULL;
  }
  live->tee_pad = gst_element_request_pad_simple(tee, "src_%u");
  if (gst_pad_link(live->tee_pad, live->sink_pad) != GST_PAD_LINK_OK) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN, "%s",
                "cannot link the live view branch to the tee");
    gst_element_release_request_pad(tee, live->tee_pad);
    gst_element_set_state(live->bin, GST_STATE_NULL);
    gst_bin_remove(GST_BIN(pipeline), live->bin);
    pt_live_drop(live);
    return NULL;
  }
  /* An encoder upstream (raw sources) starts a GOP now; a passthrough source ignores it and
   * the first segment waits for its next keyframe. */
  gst_pad_send_event(live->tee_pad,
                     gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE, 0));
  GST_INFO("live view attached, writing %s%s", dir,
           config->mask.n_rects > 0 ? " (masked: decoded, masked and encoded)" : "");
  return live;
}

/* Streaming thread (or the caller's, when the pad is idle already). */
static GstPadProbeReturn
on_tee_pad_idle(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PtLive *live = user_data;

  g_mutex_lock(&live->lock);
  if (live->waiting && !live->unlinked) {
    gst_pad_unlink(live->tee_pad, live->sink_pad);
    live->unlinked = TRUE;
    g_cond_broadcast(&live->cond);
  }
  g_mutex_unlock(&live->lock);
  return GST_PAD_PROBE_REMOVE;
}

/* Streaming thread: the branch's EOS reached hlssink2 (the last segment is closed). */
static GstPadProbeReturn
on_end_event(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PtLive *live = user_data;

  if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  g_mutex_lock(&live->lock);
  live->eos_seen = TRUE;
  g_cond_broadcast(&live->cond);
  g_mutex_unlock(&live->lock);
  return GST_PAD_PROBE_OK;
}

/* Waits until *@flag or the deadline; with live->lock held. */
static gboolean
wait_for(PtLive *live, gboolean *flag, gint64 deadline)
{
  while (!*flag)
    if (!g_cond_wait_until(&live->cond, &live->lock, deadline))
      return *flag;
  return TRUE;
}

void
pt_live_detach(PtLive *live)
{
  gint64 deadline;
  gboolean unlinked, eos;
  gulong eos_probe, idle_probe;

  if (live == NULL)
    return;
  deadline = g_get_monotonic_time() + PT_LIVE_DETACH_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND;
  eos_probe = gst_pad_add_probe(live->end_pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_end_event,
                                live_ref(live), live_unref);
  g_mutex_lock(&live->lock);
  live->waiting = TRUE;
  g_mutex_unlock(&live->lock);
  idle_probe = gst_pad_add_probe(live->tee_pad, GST_PAD_PROBE_TYPE_IDLE, on_tee_pad_idle,
                                 live_ref(live), live_unref);
  g_mutex_lock(&live->lock);
  unlinked = wait_for(live, &live->unlinked, deadline);
  if (!unlinked)
    live->waiting = FALSE; /* a late probe call does nothing */
  g_mutex_unlock(&live->lock);
  if (!unlinked) {
    /* A tee pad busy for a whole second: its streaming thread is stuck downstream of us.
     * Unlink anyway; that waits for the push in progress to end. */
    GST_WARNING("live view: the tee pad never went idle, unlinking anyway");
    if (idle_probe != 0)
      gst_pad_remove_probe(live->tee_pad, idle_probe);
    gst_pad_unlink(live->tee_pad, live->sink_pad);
  }
  gst_pad_send_event(live->sink_pad, gst_event_new_eos());
  g_mutex_lock(&live->lock);
  eos = wait_for(live, &live->eos_seen, deadline);
  live->waiting = FALSE;
  g_mutex_unlock(&live->lock);
  if (!eos)
    GST_WARNING("live view: EOS did not reach the playlist writer in time");
  gst_pad_remove_probe(live->end_pad, eos_probe);
  gst_element_set_state(live->bin, GST_STATE_NULL);
  gst_bin_remove(GST_BIN(live->pipeline), live->bin);
  gst_element_release_request_pad(live->tee, live->tee_pad);
  GST_INFO("live view detached from %s", live->dir);
  pt_live_drop(live);
}

void
pt_live_drop(PtLive *live)
{
  if (live == NULL)
    return;
  pt_live_remove_dir(live->dir);
  live_unref(live);
}

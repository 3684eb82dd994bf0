/* pt-clip.c: evidence clip export.  One reader pipeline per segment
 * (filesrc ! matroskademux ! h264parse ! appsink) feeds one writer pipeline
 * (appsrc ! h264parse ! mp4mux faststart=true ! filesink), both unsynchronised, so export runs
 * at demux speed; a masked camera's writer decodes, masks and encodes between the parser and
 * the muxer (appsrc ! h264parse ! decoder ! videoconvert ! ptmask ! encoder ! h264parse !
 * mp4mux), at encoder speed.  Timestamps are rebuilt from each segment's UTC start so that frames
 * from consecutive segments continue without a jump.  Memory: at most one GOP is held while looking
 * for the keyframe before @from, and the writer's appsrc queue is bounded. */
#include "pt-clip.h"

#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"

#include <gst/app/app.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

GST_DEBUG_CATEGORY_STATIC(pt_clip_debug);
#define GST_CAT_DEFAULT pt_clip_debug

G_DEFINE_QUARK(packtrace_clip_error, pt_clip_error)

typedef struct {
  GstElement *writer; /* owned */
  GstAppSrc *appsrc;  /* borrowed */
  GstCaps *caps;      /* owned: caps of the stream written so far */
  gint64 from_ns, to_ns;
  gboolean started;    /* the first keyframe was pushed */
  gboolean done;       /* a frame at or after to_ns was seen */
  gint64 clip_start;   /* UTC of the first pushed frame */
  gint64 last_dts_utc; /* UTC of the last pushed frame's DTS */
  gint64 end_utc;
  guint64 frames;
  GQueue gop; /* GstBuffer *: the GOP before from_ns, waiting (owned) */
  guint gop_frames;
  /* PT_CLIP_EXACT_START: decoded frames before from_ns are dropped after the decoder and the
   * rest moved back by trim_ns, so the clip's first frame is the one showing from_ns. */
  gboolean exact;
  gint64 trim_ns;       /* from_ns - clip_start, set with clip_start (reader thread) */
  gint64 first_kept_ns; /* UTC of the first frame kept (writer thread), -1 before it */
  guint64 kept_frames;  /* frames past the trim (writer thread) */
} ClipWriter;

static int
compare_segments(gconstpointer a, gconstpointer b)
{
  const PtClipSegment *x = *(PtClipSegment *const *)a, *y = *(PtClipSegment *const *)b;

  return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static gboolean
push_buffer(ClipWriter *w, GstBuffer *buf, gint64 dts_utc, gint64 pts_utc, GError **error)
{
  GstBuffer *out = gst_buffer_copy(buf); /* shares memory */

  if (!w->started) {
    w->started = TRUE;
    w->clip_start = MIN(dts_utc, pts_utc);
    /* Published to the writer's thread by the appsrc queue's lock, with the buffer. */
    w->trim_ns = w->exact ? MAX(0, w->from_ns - w->clip_start) : 0;
  }
  GST_BUFFER_DTS(out) = (GstClockTime)(dts_utc - w->clip_start);
  GST_BUFFER_PTS(out) = (GstClockTime)(pts_utc - w->clip_start);
  w->last_dts_utc = dts_utc;
  w->end_utc =
      MAX(w->end_utc,
          pts_utc + (gint64)(GST_BUFFER_DURATION_IS_VALID(buf) ? GST_BUFFER_DURATION(buf) : 0));
  w->frames++;
  if (gst_app_src_push_buffer(w->appsrc, out) != GST_FLOW_OK) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_WRITE, "the MP4 writer stopped");
    return FALSE;
  }
  return TRUE;
}

static void
clear_gop(ClipWriter *w)
{
  g_queue_clear_full(&w->gop, (GDestroyNotify)gst_buffer_unref);
  w->gop_frames = 0;
}

/* Takes one frame of a segment, at UTC @dts_utc / @pts_utc. */
static gboolean
take_frame(ClipWriter *w, GstBuffer *buf, gint64 dts_utc, gint64 pts_utc, GError **error)
{
  gboolean key = !GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT);

  if (w->started && dts_utc <= w->last_dts_utc)
    return TRUE; /* overlap at a segment boundary: already written */
  if (pts_utc >= w->to_ns) {
    GstBuffer *held;
    gboolean ok = TRUE;

    /* A range shorter than a frame: the held GOP ends with the frame showing from_ns. */
    while (!w->started && ok && (held = g_queue_pop_head(&w->gop)) != NULL) {
      ok = push_buffer(w, held, (gint64)GST_BUFFER_DTS(held), (gint64)GST_BUFFER_PTS(held), error);
      gst_buffer_unref(held);
    }
    clear_gop(w);
    w->done = TRUE;
    return ok;
  }
  if (!w->started && pts_utc < w->from_ns) {
    /* Before the range: keep the GOP that will hold the frame at from_ns. */
    if (key)
      clear_gop(w);
    if (key || w->gop_frames > 0) {
      if (++w->gop_frames > PT_CLIP_MAX_GOP_FRAMES) {
        g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_FORMAT, "GOP longer than %d frames",
                    PT_CLIP_MAX_GOP_FRAMES);
        return FALSE;
      }
      /* The timestamps ride along in the buffer copy as UTC. */
      GstBuffer *held = gst_buffer_copy(buf);

      GST_BUFFER_DTS(held) = (GstClockTime)dts_utc;
      GST_BUFFER_PTS(held) = (GstClockTime)pts_utc;
      g_queue_push_tail(&w->gop, held);
    }
    return TRUE;
  }
  if (!w->started && !g_queue_is_empty(&w->gop)) {
    GstBuffer *held;

    if (key) {
      clear_gop(w); /* the range starts exactly on a keyframe */
    } else {
      while ((held = g_queue_pop_head(&w->gop)) != NULL) {
        gboolean ok =
            push_buffer(w, held, (gint64)GST_BUFFER_DTS(held), (gint64)GST_BUFFER_PTS(held), error);

        gst_buffer_unref(held);
        if (!ok)
          return FALSE;
      }
      w->gop_frames = 0;
    }
  }
  if (!w->started && !key)
    return TRUE; /* no keyframe yet in this footage: cannot start on a delta frame */
  return push_buffer(w, buf, dts_utc, pts_utc, error);
}

static gboolean
set_caps(ClipWriter *w, GstCaps *caps, const char *path, GError **error)
{
  if (caps == NULL || (w->caps != NULL && gst_caps_is_equal(caps, w->caps)))
    return TRUE;
  if (w->caps != NULL && w->started) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_FORMAT,
                "%s changes the video format inside the clip (resolution or encoder settings)",
                path);
    return FALSE;
  }
  gst_caps_replace(&w->caps, caps);
  gst_app_src_set_caps(w->appsrc, caps);
  return TRUE;
}

static gboolean
read_segment(ClipWriter *w, const PtClipSegment *seg, GError **error)
{
  g_autofree char *q_path = g_strescape(seg->path, NULL);
  g_autofree char *desc =
      g_strdup_printf("filesrc location=\"%s\" ! matroskademux ! h264parse ! "
                      "video/x-h264,stream-format=avc,alignment=au ! "
                      "appsink name=sink sync=false max-buffers=16 enable-last-sample=false",
                      q_path);
  g_autoptr(GstElement) reader = gst_parse_launch(desc, error);
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstClockTime first = GST_CLOCK_TIME_NONE;
  gboolean ok = TRUE;

  if (reader == NULL)
    return FALSE;
  sink = gst_bin_get_by_name(GST_BIN(reader), "sink");
  bus = gst_element_get_bus(reader);
  if (gst_element_set_state(reader, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_READ, "cannot open %s", seg->path);
    return FALSE;
  }
  while (ok && !w->done) {
    g_autoptr(GstSample) sample =
        gst_app_sink_try_pull_sample(GST_APP_SINK(sink), PT_CLIP_PULL_TIMEOUT_NS);
    g_autoptr(GstMessage) err_msg = NULL;
    GstBuffer *buf;
    GstClockTime dts, pts;

    if (sample == NULL) {
      err_msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
      if (err_msg != NULL) {
        g_autofree char *reason = pt_message_reason(err_msg, NULL);

        /* A crashed segment may end in a torn block: keep what was read. */
        GST_WARNING("%s: %s", seg->path, reason);
        if (first == GST_CLOCK_TIME_NONE) {
          g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_READ, "cannot read %s: %s", seg->path,
                      reason);
          ok = FALSE;
        }
      } else if (!gst_app_sink_is_eos(GST_APP_SINK(sink))) {
        g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_READ, "timed out reading %s", seg->path);
        ok = FALSE;
      }
      break;
    }
    buf = gst_sample_get_buffer(sample);
    pts = GST_BUFFER_PTS(buf);
    dts = GST_BUFFER_DTS_IS_VALID(buf) ? GST_BUFFER_DTS(buf) : pts;
    if (!GST_CLOCK_TIME_IS_VALID(pts))
      continue;
    if (!GST_CLOCK_TIME_IS_VALID(first))
      first = MIN(dts, pts);
    ok = set_caps(w, gst_sample_get_caps(sample), seg->path, error) &&
         take_frame(w, buf, seg->start_ns + (gint64)(dts - first),
                    seg->start_ns + (gint64)(pts - first), error);
  }
  gst_element_set_state(reader, GST_STATE_NULL);
  return ok;
}

static gboolean
finish_writer(ClipWriter *w, GError **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus(w->writer);
  g_autoptr(GstMessage) msg = NULL;
  gboolean ok;

  gst_app_src_end_of_stream(w->appsrc);
  msg = gst_bus_timed_pop_filtered(bus, PT_PROBE_TIMEOUT_NS, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = msg != NULL && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (!ok) {
    g_autofree char *reason = msg ? pt_message_reason(msg, NULL) : g_strdup("timed out");

    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_WRITE, "writing the MP4 failed: %s", reason);
  }
  gst_element_set_state(w->writer, GST_STATE_NULL);
  return ok;
}

/* The comment every clip carries: where it came from, and whether what it shows was masked. */
static char *
clip_comment(GPtrArray *used, const PtMask *mask)
{
  GString *s = g_string_new("packtrace clip cut from recorded segments: ");

  for (guint i = 0; i < used->len && i < PT_CLIP_SOURCES_NAMED_MAX; i++) {
    const PtClipSegment *seg = g_ptr_array_index(used, i);
    g_autofree char *base = g_path_get_basename(seg->path);

    g_string_append_printf(s, "%s%s", i ? ", " : "", base);
  }
  if (used->len > PT_CLIP_SOURCES_NAMED_MAX)
    g_string_append_printf(s, " and %u more", used->len - PT_CLIP_SOURCES_NAMED_MAX);
  if (mask != NULL && mask->n_rects > 0) {
    g_autofree char *rects = pt_mask_to_string(mask);

    g_string_append_printf(s, "; privacy mask applied (%s: %s), the segments are unmasked",
                           pt_mask_style_to_string(mask->style), rects);
  } else {
    g_string_append(s, "; no privacy mask");
  }
  return g_string_free(s, FALSE);
}

/* On the mask's sink pad, decoded frames: drops those before the range and moves the rest
 * back by trim_ns, so the encoder's first frame is the one showing from_ns. */
static GstPadProbeReturn
trim_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  ClipWriter *w = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GstClockTime pts = GST_BUFFER_PTS(buf);

  (void)pad;
  if (!GST_CLOCK_TIME_IS_VALID(pts) || (gint64)pts < w->trim_ns)
    return GST_PAD_PROBE_DROP;
  buf = gst_buffer_make_writable(buf);
  GST_BUFFER_PTS(buf) = pts - (GstClockTime)w->trim_ns;
  if (GST_BUFFER_DTS_IS_VALID(buf))
    GST_BUFFER_DTS(buf) = GST_BUFFER_DTS(buf) > (GstClockTime)w->trim_ns
                              ? GST_BUFFER_DTS(buf) - (GstClockTime)w->trim_ns
                              : 0;
  GST_PAD_PROBE_INFO_DATA(info) = buf;
  if (w->first_kept_ns < 0)
    w->first_kept_ns = w->clip_start + (gint64)pts;
  w->kept_frames++;
  return GST_PAD_PROBE_OK;
}

static gboolean
make_writer(ClipWriter *w, const char *tmp_path, const PtMask *mask, const char *comment,
            GError **error)
{
  gboolean masked = mask != NULL && mask->n_rects > 0;
  const char *decoder = masked ? pt_h264_decoder_factory(error) : "";
  g_autofree char *encoder =
      masked ? pt_h264_encoder_launch(PT_CLIP_MASK_KEY_INT_FRAMES, error) : g_strdup("");
  g_autofree char *q_path = g_strescape(tmp_path, NULL);
  g_autofree char *recode = NULL;
  g_autofree char *desc = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autoptr(GstElement) mux = NULL;
  g_autoptr(GstElement) filter = NULL;
  g_autoptr(GstTagList) tags = gst_tag_list_new(GST_TAG_COMMENT, comment, NULL);

  if (decoder == NULL || encoder == NULL)
    return FALSE;
  if (masked) {
    pt_mask_register(NULL);
    recode = g_strdup_printf("%s ! videoconvert ! ptmask name=mask ! %s ! h264parse ! ", decoder,
                             encoder);
  }
  desc = g_strdup_printf("appsrc name=src format=time block=true max-bytes=%d ! h264parse ! %s"
                         "video/x-h264,stream-format=avc,alignment=au ! mp4mux name=mux "
                         "faststart=true ! filesink location=\"%s\" sync=false",
                         PT_CLIP_APPSRC_MAX_BYTES, masked ? recode : "", q_path);
  w->writer = gst_parse_launch(desc, error);
  if (w->writer == NULL)
    return FALSE;
  src = gst_bin_get_by_name(GST_BIN(w->writer), "src");
  w->appsrc = GST_APP_SRC(src);
  mux = gst_bin_get_by_name(GST_BIN(w->writer), "mux");
  gst_tag_setter_merge_tags(GST_TAG_SETTER(mux), tags, GST_TAG_MERGE_REPLACE);
  if (masked) {
    g_autofree char *rects = pt_mask_to_string(mask);

    filter = gst_bin_get_by_name(GST_BIN(w->writer), "mask");
    g_object_set(filter, "rects", rects, "style", mask->style, "camera", "clip", NULL);
    if (w->exact) {
      g_autoptr(GstPad) pad = gst_element_get_static_pad(filter, "sink");

      gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, trim_probe, w, NULL);
    }
  }
  if (gst_element_set_state(w->writer, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_WRITE, "cannot write %s", tmp_path);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_clip_export(const PtClipSegment *segments, guint n_segments, gint64 from_ns, gint64 to_ns,
               const PtMask *mask, const char *out_path, PtClipResult *result, GError **error)
{
  return pt_clip_export_full(segments, n_segments, from_ns, to_ns, mask, PT_CLIP_DEFAULT, out_path,
                             result, error);
}

gboolean
pt_clip_export_full(const PtClipSegment *segments, guint n_segments, gint64 from_ns, gint64 to_ns,
                    const PtMask *mask, PtClipFlags flags, const char *out_path,
                    PtClipResult *result, GError **error)
{
  static gsize once = 0;
  g_autoptr(GPtrArray) used = g_ptr_array_new();
  g_autofree char *dir = g_path_get_dirname(out_path);
  g_autofree char *base = g_path_get_basename(out_path);
  g_autofree char *tmp = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
  g_autofree char *sha = NULL;
  g_autofree char *comment = NULL;
  ClipWriter w = {0};
  gboolean ok = FALSE;
  guint64 bytes = 0;
  int fd;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_clip_debug, "pt-clip", 0, "packtrace clip export");
    g_once_init_leave(&once, 1);
  }
  if (from_ns >= to_ns || to_ns - from_ns > (gint64)PT_CLIP_MAX_NS ||
      n_segments > PT_CLIP_MAX_SEGMENTS) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_RANGE,
                "clip range must be positive and at most %d s over at most %d segments",
                (int)(PT_CLIP_MAX_NS / GST_SECOND), PT_CLIP_MAX_SEGMENTS);
    return FALSE;
  }
  for (guint i = 0; i < n_segments; i++) {
    if (segments[i].end_ns > from_ns && segments[i].start_ns < to_ns)
      g_ptr_array_add(used, (gpointer)&segments[i]);
  }
  if (used->len == 0) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_NO_FOOTAGE, "no footage in the range");
    return FALSE;
  }
  g_ptr_array_sort(used, compare_segments);

  fd = g_mkstemp(tmp);
  if (fd < 0) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_WRITE, "cannot create a file in %s: %s", dir,
                g_strerror(errno));
    return FALSE;
  }
  close(fd);
  w.from_ns = from_ns;
  w.to_ns = to_ns;
  w.exact = (flags & PT_CLIP_EXACT_START) && mask != NULL && mask->n_rects > 0;
  w.first_kept_ns = -1;
  g_queue_init(&w.gop);
  comment = clip_comment(used, mask);
  if (!make_writer(&w, tmp, mask, comment, error))
    goto out_remove_tmp;
  for (guint i = 0; i < used->len && !w.done; i++) {
    if (!read_segment(&w, g_ptr_array_index(used, i), error))
      goto out_remove_tmp;
  }
  if (w.frames == 0) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_NO_FOOTAGE,
                "no keyframe-aligned footage in the range");
    goto out_remove_tmp;
  }
  if (!finish_writer(&w, error))
    goto out_remove_tmp;
  if (w.exact && w.first_kept_ns < 0) {
    g_set_error(error, PT_CLIP_ERROR, PT_CLIP_ERROR_NO_FOOTAGE, "no frame in the range");
    goto out_remove_tmp;
  }
  if (!pt_fsync_path(tmp, error) || (sha = pt_file_sha256(tmp, &bytes, error)) == NULL ||
      !pt_rename_durable(tmp, out_path, error))
    goto out_remove_tmp;
  if (result != NULL) {
    memset(result, 0, sizeof(*result));
    result->start_ns = w.exact ? w.first_kept_ns : w.clip_start;
    result->end_ns = w.end_utc;
    result->duration_ns = (GstClockTime)(w.end_utc - result->start_ns);
    result->frames = w.exact ? w.kept_frames : w.frames;
    result->segments_used = used->len;
    result->bytes = bytes;
    g_strlcpy(result->sha256, sha, sizeof(result->sha256));
    result->masked = mask != NULL && mask->n_rects > 0;
  }
  GST_INFO("%s: %" G_GUINT64_FORMAT " frames from %u segments", out_path, w.frames, used->len);
  ok = TRUE;
out_remove_tmp:
  if (!ok)
    g_unlink(tmp);
  clear_gop(&w);
  if (w.writer != NULL) {
    gst_element_set_state(w.writer, GST_STATE_NULL);
    gst_object_unref(w.writer);
  }
  gst_caps_replace(&w.caps, NULL);
  return ok;
}

/* pt-scan-gate.c: which decoded frames of a loading camera reach the code readers (see
 * pt-scan-gate.h).  Three cuts, cheapest first: the scan rate (a timestamp compare), the
 * motion gate (a 32x18 luma thumbnail of the dock region from a quarter of its pixels,
 * compared with the last one), then the crop to the region ahead of the scaler.  A dock where
 * nothing moves costs the decoder and this compare, never the scaler or a reader. */
#include "pt-scan-gate.h"

#include "pt-pipeline-limits.h"

#include <gst/video/video.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(pt_scan_debug);
#define GST_CAT_DEFAULT pt_scan_debug

#define N_CELLS (PT_SCAN_MOTION_COLS * PT_SCAN_MOTION_ROWS)

struct _PtScanGate {
  PtScanCounters *counters; /* borrowed: the camera's */
  GstClockTime interval;    /* shortest time between two frames let through */
  GstClockTime last;        /* PTS of the last frame let through; NONE before the first */
  gboolean motion;          /* the motion gate is on */
  GstClockTime hold;        /* frames are scanned this long after the last motion */
  GstClockTime moved;       /* PTS of the last frame that moved; NONE: none yet */
  gboolean have_thumb;      /* thumb holds the previous frame's */
  guint8 thumb[N_CELLS];
  int rx, ry, rw, rh; /* the configured region; rw == 0: the whole frame */
  int ref_w, ref_h;   /* the frame size the region is in; 0: the frames' own */
  GstVideoInfo info;  /* the frames' format, from the last caps */
  gboolean info_ok;   /* info is set and its first plane is 8-bit luma */
  int cx, cy, cw, ch; /* the region clamped to the frame, in pixels */
  GstElement *crop;   /* borrowed: the branch's videocrop */
  gint idle;          /* atomic: still past the hold, so only keyframes are decoded */
  gboolean need_key;  /* entry thread: a delta frame was dropped; wait for a keyframe */
};

PtScanGate *
pt_scan_gate_new(const PtCameraConfig *config, PtScanCounters *counters)
{
  static gsize once = 0;
  PtScanGate *gate = g_new0(PtScanGate, 1);

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_scan_debug, "pt-scan", 0, "packtrace scan gate");
    g_once_init_leave(&once, 1);
  }
  gate->counters = counters;
  /* 5% short of the interval, so frames that arrive a little early are not all dropped. */
  gate->interval = GST_SECOND / config->scan_fps * 95 / 100;
  gate->last = GST_CLOCK_TIME_NONE;
  gate->motion = config->scan_motion;
  gate->hold = (GstClockTime)config->scan_hold_ms * GST_MSECOND;
  gate->moved = GST_CLOCK_TIME_NONE;
  gate->rx = config->scan_x;
  gate->ry = config->scan_y;
  gate->rw = config->scan_w;
  gate->rh = config->scan_h;
  gate->ref_w = config->ref_width;
  gate->ref_h = config->ref_height;
  return gate;
}

void
pt_scan_gate_free(PtScanGate *gate)
{
  g_free(gate);
}

void
pt_scan_counters_get(PtScanCounters *counters, PtScanCounters *out)
{
  out->decoded = g_atomic_int_get(&counters->decoded);
  out->still = g_atomic_int_get(&counters->still);
  out->scanned = g_atomic_int_get(&counters->scanned);
}

/* New caps: where the region lies in this frame size, and the crop margins that cut it out. */
static void
on_caps(PtScanGate *gate, GstCaps *caps)
{
  gate->info_ok = gst_video_info_from_caps(&gate->info, caps);
  if (!gate->info_ok)
    return;
  const GstVideoFormatInfo *f = gate->info.finfo;
  int w = GST_VIDEO_INFO_WIDTH(&gate->info), h = GST_VIDEO_INFO_HEIGHT(&gate->info);
  /* The thumbnail reads the first plane as 8-bit luma: every YUV format a decoder or our
   * capsfilter gives has it.  Anything else is scanned whole, never gated on motion. */
  gate->info_ok = GST_VIDEO_FORMAT_INFO_IS_YUV(f) && GST_VIDEO_FORMAT_INFO_DEPTH(f, 0) == 8 &&
                  GST_VIDEO_FORMAT_INFO_PLANE(f, 0) == 0 &&
                  GST_VIDEO_FORMAT_INFO_PSTRIDE(f, 0) == 1;
  /* A substream's frames are smaller than the main stream's, whose pixels the region is
   * in: the same fraction of the frame, rounded outwards. */
  gboolean scaled = gate->ref_w > 0 && gate->ref_h > 0;
  int rx = scaled ? (int)((gint64)gate->rx * w / gate->ref_w) : gate->rx;
  int ry = scaled ? (int)((gint64)gate->ry * h / gate->ref_h) : gate->ry;
  int rw = scaled ? (int)(((gint64)(gate->rx + gate->rw) * w + gate->ref_w - 1) / gate->ref_w) - rx
                  : gate->rw;
  int rh = scaled ? (int)(((gint64)(gate->ry + gate->rh) * h + gate->ref_h - 1) / gate->ref_h) - ry
                  : gate->rh;
  gate->cx = CLAMP(rx, 0, w - 1);
  gate->cy = CLAMP(ry, 0, h - 1);
  gate->cw = rw > 0 ? MIN(rw, w - gate->cx) : w - gate->cx;
  gate->ch = rh > 0 ? MIN(rh, h - gate->cy) : h - gate->cy;
  /* Even offsets and sizes: a chroma plane at half size cannot start or end mid-sample. */
  gate->cx &= ~1;
  gate->cy &= ~1;
  gate->cw = MAX(2, gate->cw & ~1);
  gate->ch = MAX(2, gate->ch & ~1);
  gate->have_thumb = FALSE;
  if (gate->crop != NULL)
    g_object_set(gate->crop, "left", gate->cx, "top", gate->cy, "right",
                 MAX(0, w - gate->cx - gate->cw), "bottom", MAX(0, h - gate->cy - gate->ch), NULL);
  GST_INFO("scan region %dx%d at %d,%d of %dx%d", gate->cw, gate->ch, gate->cx, gate->cy, w, h);
}

/* Reads the region's luma thumbnail into @thumb: each cell is the mean of every other pixel
 * of every other row in it.  A mean over hundreds of pixels is what keeps the encoder's noise
 * around sharp edges (a few pixels that flicker by tens of levels) under PT_SCAN_MOTION_LEVEL
 * in a still scene; a handful of samples per cell was not (measured: 22 of 576 cells). */
static gboolean
thumbnail(PtScanGate *gate, GstBuffer *buf, guint8 *thumb)
{
  GstVideoFrame frame;
  guint32 sum[N_CELLS] = {0}, count[N_CELLS] = {0};

  if (!gst_video_frame_map(&frame, &gate->info, buf, GST_MAP_READ))
    return FALSE;
  const guint8 *luma = GST_VIDEO_FRAME_PLANE_DATA(&frame, 0);
  int stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
  for (int y = 0; y < gate->ch; y += 2) {
    const guint8 *row = luma + (gsize)(gate->cy + y) * stride + gate->cx;
    guint base = (guint)(y * PT_SCAN_MOTION_ROWS / gate->ch) * PT_SCAN_MOTION_COLS;
    for (int x = 0; x < gate->cw; x += 2) {
      guint cell = base + (guint)(x * PT_SCAN_MOTION_COLS / gate->cw);
      sum[cell] += row[x];
      count[cell]++;
    }
  }
  gst_video_frame_unmap(&frame);
  for (guint i = 0; i < N_CELLS; i++)
    thumb[i] = count[i] ? (guint8)(sum[i] / count[i]) : 0;
  return TRUE;
}

/* Whether this frame moved against the last one: at least PT_SCAN_MOTION_CELLS cells changed
 * by more than PT_SCAN_MOTION_LEVEL.  The first frame counts as moved. */
static gboolean
moved(PtScanGate *gate, GstBuffer *buf)
{
  guint8 cur[N_CELLS];
  guint changed = 0;

  if (!gate->info_ok || !thumbnail(gate, buf, cur))
    return TRUE;
  for (guint i = 0; gate->have_thumb && i < N_CELLS; i++)
    changed += ABS((int)cur[i] - (int)gate->thumb[i]) > PT_SCAN_MOTION_LEVEL;
  gboolean first = !gate->have_thumb;
  GST_LOG("%u of %d cells moved", changed, N_CELLS);
  memcpy(gate->thumb, cur, sizeof(cur));
  gate->have_thumb = TRUE;
  return first || changed >= PT_SCAN_MOTION_CELLS;
}

static GstPadProbeReturn
on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PtScanGate *gate = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
    if (GST_EVENT_TYPE(ev) == GST_EVENT_CAPS) {
      GstCaps *caps;
      gst_event_parse_caps(ev, &caps);
      on_caps(gate, caps);
    }
    return GST_PAD_PROBE_OK;
  }
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
  GstClockTime pts = GST_BUFFER_PTS(buf);
  if (!GST_CLOCK_TIME_IS_VALID(pts))
    return GST_PAD_PROBE_OK;
  /* A stream whose time went back (a file camera looping, a restart) starts over. */
  if (GST_CLOCK_TIME_IS_VALID(gate->last) && pts < gate->last)
    gate->last = gate->moved = GST_CLOCK_TIME_NONE;
  if (GST_CLOCK_TIME_IS_VALID(gate->last) && pts - gate->last < gate->interval)
    return GST_PAD_PROBE_DROP;
  gate->last = pts;
  if (!gate->motion)
    return GST_PAD_PROBE_OK;
  if (moved(gate, buf))
    gate->moved = pts;
  gboolean active = GST_CLOCK_TIME_IS_VALID(gate->moved) && pts - gate->moved <= gate->hold;
  g_atomic_int_set(&gate->idle, !active);
  if (active)
    return GST_PAD_PROBE_OK;
  g_atomic_int_inc(&gate->counters->still);
  return GST_PAD_PROBE_DROP;
}

/* The branch's entry, before the decoder: while the dock is idle only keyframes go on, so a
 * still dock costs one keyframe's decode per GOP, not a decode of every frame; once it moves,
 * frames go on again from the next keyframe (a delta frame without its reference would
 * decode to garbage).  A raw source has no delta frames: everything goes on. */
static GstPadProbeReturn
on_entry(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PtScanGate *gate = user_data;

  if (!GST_BUFFER_FLAG_IS_SET(GST_PAD_PROBE_INFO_BUFFER(info), GST_BUFFER_FLAG_DELTA_UNIT)) {
    gate->need_key = FALSE;
    return GST_PAD_PROBE_OK;
  }
  if (g_atomic_int_get(&gate->idle) || gate->need_key) {
    gate->need_key = TRUE;
    return GST_PAD_PROBE_DROP;
  }
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_count(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  g_atomic_int_inc((gint *)user_data);
  return GST_PAD_PROBE_OK;
}

void
pt_scan_gate_attach(PtScanGate *gate, GstPad *entry_pad, GstPad *decoded_pad, GstPad *crop_pad,
                    GstPad *scanned_pad)
{
  gate->crop = GST_ELEMENT(GST_OBJECT_PARENT(crop_pad));
  /* The gate is freed with crop_pad's probe, after the pipeline (and the entry pad's
   * streaming thread) stopped: the entry probe needs no reference of its own. */
  gst_pad_add_probe(entry_pad, GST_PAD_PROBE_TYPE_BUFFER, on_entry, gate, NULL);
  gst_pad_add_probe(decoded_pad, GST_PAD_PROBE_TYPE_BUFFER, on_count, &gate->counters->decoded,
                    NULL);
  gst_pad_add_probe(scanned_pad, GST_PAD_PROBE_TYPE_BUFFER, on_count, &gate->counters->scanned,
                    NULL);
  gst_pad_add_probe(crop_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                    on_frame, gate, (GDestroyNotify)pt_scan_gate_free);
}

/* pt-thumbs.c: the per-camera thumbnail (see pt-thumbs.h).  The lock guards the newest frame
 * and the JPEG; the encode runs under it, so two requests in the same second encode once. */
#include "pt-thumbs.h"

#include "pt-image-io.h"
#include "pt-limits.h"

#include <stdatomic.h>
#include <string.h>

struct _PtThumb {
  _Atomic gint64 watched_until_us; /* monotonic time */
  GMutex lock;                     /* guards the fields below */
  PtTapFrame *frame;               /* nullable: newest frame not yet encoded */
  GBytes *jpeg;                    /* nullable */
  gint64 jpeg_mono_us;             /* when @jpeg was encoded */
  gint64 jpeg_utc_ns;              /* capture time of @jpeg's frame */
};

PtThumb *
pt_thumb_new(void)
{
  PtThumb *thumb = g_new0(PtThumb, 1);
  g_mutex_init(&thumb->lock);
  thumb->jpeg_utc_ns = -1;
  return thumb;
}

void
pt_thumb_free(PtThumb *thumb)
{
  if (!thumb)
    return;
  g_clear_pointer(&thumb->frame, pt_tap_frame_unref);
  g_clear_pointer(&thumb->jpeg, g_bytes_unref);
  g_mutex_clear(&thumb->lock);
  g_free(thumb);
}

gboolean
pt_thumb_watched(PtThumb *thumb)
{
  return g_get_monotonic_time() < atomic_load(&thumb->watched_until_us);
}

void
pt_thumb_offer(PtThumb *thumb, PtTapFrame *frame)
{
  if (!pt_thumb_watched(thumb))
    return;
  PtTapFrame *old;
  g_mutex_lock(&thumb->lock);
  old = thumb->frame;
  thumb->frame = pt_tap_frame_ref(frame);
  g_mutex_unlock(&thumb->lock);
  /* Unmapping may free a video buffer: not under the lock. */
  if (old)
    pt_tap_frame_unref(old);
}

/* Nearest-pixel downscale of @full to at most PT_THUMB_WIDTH wide: a 320 px preview gains
 * nothing visible from filtering, and this costs well under a millisecond. */
static PtImage *
shrink(const PtImage *full, GError **error)
{
  if (full->width <= PT_THUMB_WIDTH)
    return pt_image_copy(full);
  int w = PT_THUMB_WIDTH;
  int h = MAX(1, (int)((gint64)full->height * w / full->width));
  PtImage *small = pt_image_new(w, h, error);
  if (!small)
    return NULL;
  for (int y = 0; y < h; y++) {
    const guint8 *src = full->pixels + (gsize)((gint64)y * full->height / h) * full->stride;
    guint8 *dst = small->pixels + (gsize)y * small->stride;
    for (int x = 0; x < w; x++)
      memcpy(dst + x * 3, src + (gsize)((gint64)x * full->width / w) * 3, 3);
  }
  return small;
}

static GBytes *
encode(const PtTapFrame *tap, GError **error)
{
  PtFrame view = {
      .format = tap->format == PT_TAP_FORMAT_RGB ? PT_PIXEL_RGB : PT_PIXEL_I420,
      .width = tap->width,
      .height = tap->height,
  };
  for (int i = 0; i < tap->n_planes && i < 3; i++) {
    view.data[i] = tap->plane[i];
    view.stride[i] = tap->stride[i];
  }
  g_autoptr(PtImage) full = pt_image_new_from_frame(&view, error);
  g_autoptr(PtImage) small = full ? shrink(full, error) : NULL;
  return small ? pt_image_encode_jpeg(small, PT_THUMB_QUALITY, error) : NULL;
}

GBytes *
pt_thumb_jpeg(PtThumb *thumb, gint64 *utc_ns, GError **error)
{
  gint64 now = g_get_monotonic_time();
  atomic_store(&thumb->watched_until_us, now + PT_THUMB_WATCH_US);
  PtTapFrame *used = NULL;
  GBytes *out = NULL;
  gboolean ok = TRUE;
  g_mutex_lock(&thumb->lock);
  if (thumb->frame && (!thumb->jpeg || now - thumb->jpeg_mono_us >= PT_THUMB_INTERVAL_US)) {
    GBytes *jpeg = encode(thumb->frame, error);
    if (jpeg) {
      g_clear_pointer(&thumb->jpeg, g_bytes_unref);
      thumb->jpeg = jpeg;
      thumb->jpeg_mono_us = now;
      thumb->jpeg_utc_ns = thumb->frame->utc_ns;
    } else {
      ok = FALSE;
    }
    /* Encoded (or unusable): keep no raw frame longer than needed. */
    used = g_steal_pointer(&thumb->frame);
  }
  if (ok && thumb->jpeg) {
    out = g_bytes_ref(thumb->jpeg);
    if (utc_ns)
      *utc_ns = thumb->jpeg_utc_ns;
  }
  g_mutex_unlock(&thumb->lock);
  if (used)
    pt_tap_frame_unref(used);
  return out;
}

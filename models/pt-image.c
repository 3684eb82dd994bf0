/* pt-image.c: PtImage life cycle, PtFrame checks, and sampling a frame into
 * the planar full-range YCbCr the grader works in.
 *
 * Sampling is the only code that reads camera pixels, so it is where the
 * two input formats meet: everything after it sees Y, Cb, Cr planes.  It is
 * called once per frame for the downscaled search image and once per fruit
 * for its analysis crop, so it reads a small 2x2 patch per output pixel
 * rather than a full box: at a step of 5 that touches 4 of 25 input pixels. */
#include "pt-internal.h"

#include <string.h>

G_DEFINE_QUARK(packtrace_models_error, pt_models_error)

PtImage *
pt_image_new(int width, int height, GError **error)
{
  PtImage *image;

  if (width <= 0 || height <= 0) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID, "empty image (%d x %d)", width,
                height);
    return NULL;
  }
  if (width > PT_IMAGE_MAX_SIDE || height > PT_IMAGE_MAX_SIDE ||
      (gint64)width * height > PT_IMAGE_MAX_PIXELS) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE,
                "image too large (%d x %d, limit %d pixels)", width, height, PT_IMAGE_MAX_PIXELS);
    return NULL;
  }
  image = g_new0(PtImage, 1);
  image->width = width;
  image->height = height;
  image->stride = width * 3;
  image->pixels = g_malloc0((gsize)image->stride * height);
  return image;
}

PtImage *
pt_image_copy(const PtImage *image)
{
  PtImage *copy = g_new0(PtImage, 1);

  *copy = *image;
  copy->pixels = g_memdup2(image->pixels, (gsize)image->stride * image->height);
  return copy;
}

void
pt_image_free(PtImage *image)
{
  if (image == NULL)
    return;
  g_free(image->pixels);
  g_free(image);
}

void
pt_image_as_frame(const PtImage *image, PtFrame *frame)
{
  memset(frame, 0, sizeof *frame);
  frame->format = PT_PIXEL_RGB;
  frame->width = image->width;
  frame->height = image->height;
  frame->data[0] = image->pixels;
  frame->stride[0] = image->stride;
}

gboolean
pt_frame_validate(const PtFrame *frame, GError **error)
{
  if (frame == NULL || frame->width <= 0 || frame->height <= 0 || frame->data[0] == NULL) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID, "empty frame");
    return FALSE;
  }
  if (frame->width > PT_IMAGE_MAX_SIDE || frame->height > PT_IMAGE_MAX_SIDE ||
      (gint64)frame->width * frame->height > PT_IMAGE_MAX_PIXELS) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE, "frame too large (%d x %d)",
                frame->width, frame->height);
    return FALSE;
  }
  switch (frame->format) {
  case PT_PIXEL_RGB:
    if (frame->stride[0] < frame->width * 3)
      goto bad_stride;
    return TRUE;
  case PT_PIXEL_I420:
    if (frame->data[1] == NULL || frame->data[2] == NULL)
      break;
    if (frame->stride[0] < frame->width || frame->stride[1] < (frame->width + 1) / 2 ||
        frame->stride[2] < (frame->width + 1) / 2)
      goto bad_stride;
    return TRUE;
  }
  g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID,
                      "unknown pixel format or missing plane");
  return FALSE;

bad_stride:
  g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID,
                      "frame stride smaller than its width");
  return FALSE;
}

/* BT.601 video-range YUV to the full-range YCbCr used everywhere else. */
static guint8 video_to_full_y[256];
static guint8 video_to_full_c[256];

static void
init_video_tables(void)
{
  static gsize done = 0;

  if (g_once_init_enter(&done)) {
    for (int i = 0; i < 256; i++) {
      int y = ((i - 16) * 255 + 109) / 219;
      int c = 128 + ((i - 128) * 255 + (i >= 128 ? 112 : -112)) / 224;
      video_to_full_y[i] = (guint8)CLAMP(y, 0, 255);
      video_to_full_c[i] = (guint8)CLAMP(c, 0, 255);
    }
    g_once_init_leave(&done, 1);
  }
}

void
pt_frame_sample(const PtFrame *frame, int x0, int y0, int w, int h, int step, guint8 *out_y,
                guint8 *out_cb, guint8 *out_cr)
{
  /* The 2x2 patch sits at the centre of each step x step block; at step 1
   * it degenerates to the pixel itself. */
  int off = step >= 2 ? step / 2 - 1 : 0;
  int pair = step >= 2 ? 1 : 0;

  init_video_tables();
  for (int j = 0; j < h; j++) {
    int sy = MIN(y0 + j * step + off, frame->height - 1 - pair);
    int sy2 = sy + pair;

    /* RGB (decoded JPEG) with a 2x2 patch, the common case: one row pointer pair, no
     * per-pixel format or patch tests (the same sums as below). */
    if (frame->format == PT_PIXEL_RGB && pair) {
      const guint8 *ra = frame->data[0] + (gsize)sy * frame->stride[0];
      const guint8 *rc = frame->data[0] + (gsize)sy2 * frame->stride[0];
      guint8 *oy = out_y + (gsize)j * w, *ocb = out_cb + (gsize)j * w, *ocr = out_cr + (gsize)j * w;
      int xmax = frame->width - 2;
      /* Columns whose patch lies inside the frame step along without clamping; those past
       * its right edge (a crop one pixel wider than the frame) take its last patch. */
      int inside = x0 + off > xmax ? 0 : MIN(w, (xmax - x0 - off) / step + 1);
      const guint8 *a = ra + (x0 + off) * 3, *c = rc + (x0 + off) * 3;
      int i = 0;

      for (; i < inside; i++, a += step * 3, c += step * 3) {
        int r = (a[0] + a[3] + c[0] + c[3] + 2) >> 2;
        int g = (a[1] + a[4] + c[1] + c[4] + 2) >> 2;
        int b = (a[2] + a[5] + c[2] + c[5] + 2) >> 2;

        pt_rgb_to_ycc(r, g, b, &oy[i], &ocb[i], &ocr[i]);
      }
      for (; i < w; i++) {
        const guint8 *e = ra + xmax * 3, *f = rc + xmax * 3;
        int r = (e[0] + e[3] + f[0] + f[3] + 2) >> 2;
        int g = (e[1] + e[4] + f[1] + f[4] + 2) >> 2;
        int b = (e[2] + e[5] + f[2] + f[5] + 2) >> 2;

        pt_rgb_to_ycc(r, g, b, &oy[i], &ocb[i], &ocr[i]);
      }
      continue;
    }
    /* RGB pixel by pixel (a small ROI's crop): the same, one pixel a sample. */
    if (frame->format == PT_PIXEL_RGB && !pair) {
      const guint8 *ra = frame->data[0] + (gsize)sy * frame->stride[0];
      guint8 *oy = out_y + (gsize)j * w, *ocb = out_cb + (gsize)j * w, *ocr = out_cr + (gsize)j * w;
      int xmax = frame->width - 1;

      for (int i = 0; i < w; i++) {
        const guint8 *a = ra + MIN(x0 + i * step, xmax) * 3;

        pt_rgb_to_ycc(a[0], a[1], a[2], &oy[i], &ocb[i], &ocr[i]);
      }
      continue;
    }
    for (int i = 0; i < w; i++) {
      int sx = MIN(x0 + i * step + off, frame->width - 1 - pair);
      int sx2 = sx + pair;
      gsize o = (gsize)j * w + i;

      if (frame->format == PT_PIXEL_RGB) {
        const guint8 *a = frame->data[0] + (gsize)sy * frame->stride[0] + sx * 3;
        const guint8 *c = frame->data[0] + (gsize)sy2 * frame->stride[0] + sx * 3;
        int r, g, b;

        if (pair) {
          r = (a[0] + a[3] + c[0] + c[3] + 2) >> 2;
          g = (a[1] + a[4] + c[1] + c[4] + 2) >> 2;
          b = (a[2] + a[5] + c[2] + c[5] + 2) >> 2;
        } else {
          r = a[0];
          g = a[1];
          b = a[2];
        }
        pt_rgb_to_ycc(r, g, b, &out_y[o], &out_cb[o], &out_cr[o]);
      } else {
        const guint8 *yp = frame->data[0];
        int ys = frame->stride[0];
        int yv = (yp[(gsize)sy * ys + sx] + yp[(gsize)sy * ys + sx2] + yp[(gsize)sy2 * ys + sx] +
                  yp[(gsize)sy2 * ys + sx2] + 2) >>
                 2;
        gsize co = (gsize)(sy >> 1) * frame->stride[1] + (sx >> 1);
        gsize vo = (gsize)(sy >> 1) * frame->stride[2] + (sx >> 1);

        out_y[o] = video_to_full_y[yv];
        out_cb[o] = video_to_full_c[frame->data[1][co]];
        out_cr[o] = video_to_full_c[frame->data[2][vo]];
      }
    }
  }
}

PtImage *
pt_image_new_from_frame(const PtFrame *frame, GError **error)
{
  PtImage *image;

  if (!pt_frame_validate(frame, error))
    return NULL;
  image = pt_image_new(frame->width, frame->height, error);
  if (image == NULL)
    return NULL;
  if (frame->format == PT_PIXEL_RGB) {
    for (int y = 0; y < frame->height; y++)
      memcpy(image->pixels + (gsize)y * image->stride, frame->data[0] + (gsize)y * frame->stride[0],
             (gsize)frame->width * 3);
    return image;
  }
  init_video_tables();
  for (int y = 0; y < frame->height; y++) {
    guint8 *row = image->pixels + (gsize)y * image->stride;

    for (int x = 0; x < frame->width; x++) {
      int yv = video_to_full_y[frame->data[0][(gsize)y * frame->stride[0] + x]];
      int cb = video_to_full_c[frame->data[1][(gsize)(y >> 1) * frame->stride[1] + (x >> 1)]];
      int cr = video_to_full_c[frame->data[2][(gsize)(y >> 1) * frame->stride[2] + (x >> 1)]];
      int r, g, b;

      pt_ycc_to_rgb(yv, cb, cr, &r, &g, &b);
      row[x * 3] = (guint8)r;
      row[x * 3 + 1] = (guint8)g;
      row[x * 3 + 2] = (guint8)b;
    }
  }
  return image;
}

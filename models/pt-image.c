/* pt-image.c: PtImage life cycle, PtFrame checks, and sampling a frame into
 * the planar full-range YCbCr the grader works in.
 *
 * Sampling is the only code that reads camera pixels, so it is where the
 * two input formats meet: everything after it sees Y, Cb, Cr planes.  It is
 * called once per frame for the downscaled search image and once per fruit
 * for its analysis crop, so it reads a small 2x2 patch per output pixel
 * rather than a full box: at a step of 5 that touches 4 of 25 input pixels.
 * RGB rows are converted eight samples at a time in generic vector lanes
 * (the same integers as rgb_to_ycc(), see lanes_to_ycc()), so a 1080p
 * frame's sampling costs a fraction of its decode. */
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

/* For r, g, b in 0..255 the chroma sums reach 1 at least (-32512 >> 8 is -127) and 256 at
 * most (pure blue, pure red): only the top needs clamping. */
static inline void
rgb_to_ycc(int r, int g, int b, guint8 *y, guint8 *cb, guint8 *cr)
{
  *y = (guint8)((77 * r + 150 * g + 29 * b + 128) >> 8);
  *cb = (guint8)MIN(128 + ((-43 * r - 85 * g + 128 * b + 128) >> 8), 255);
  *cr = (guint8)MIN(128 + ((128 * r - 107 * g - 21 * b + 128) >> 8), 255);
}

/* Eight 16-bit lanes (SSE2 on x86, NEON on ARM) and the eight bytes they narrow to. */
typedef guint16 PtU16x8 __attribute__((vector_size(16)));
typedef guint8 PtU8x8 __attribute__((vector_size(8)));

/* A row is gathered and converted in chunks of this many samples (on the stack). */
#define SAMPLE_CHUNK 64

/* Y, Cb, Cr of eight means (0..255): rgb_to_ycc() in 16-bit lanes, the same integers.  Y's
 * sum is at most 256 * 255 + 128 and never wraps.  A chroma 128 + ((S + 128) >> 8), S in
 * -32640..32640, is taken as (S + 32896) >> 8, the same floor since 128 = 32768 / 256;
 * S + 32896 is 256..65536 and wraps (mod 2^16, as unsigned lanes do) only at 65536, the one
 * value whose chroma, 256, is clamped to 255, and there it gives 0, which no other sum gives:
 * a 0 lane becomes 255. */
static inline __attribute__((always_inline)) void
lanes_to_ycc(PtU16x8 r, PtU16x8 g, PtU16x8 b, guint8 *oy, guint8 *ocb, guint8 *ocr)
{
  PtU16x8 y = (77 * r + 150 * g + 29 * b + 128) >> 8;
  PtU16x8 cb = (128 * b + 32896 - 43 * r - 85 * g) >> 8;
  PtU16x8 cr = (128 * r + 32896 - 107 * g - 21 * b) >> 8;
  PtU8x8 y8, cb8, cr8;

  cb |= (PtU16x8)(cb == 0);
  cr |= (PtU16x8)(cr == 0);
  y8 = __builtin_convertvector(y, PtU8x8);
  cb8 = __builtin_convertvector(cb, PtU8x8);
  cr8 = __builtin_convertvector(cr, PtU8x8);
  memcpy(oy, &y8, sizeof y8);
  memcpy(ocb, &cb8, sizeof cb8);
  memcpy(ocr, &cr8, sizeof cr8);
}

/* Converts @n samples given as channel sums of (1 << @sh) pixels each (@sr, @sg, @sb) to
 * Y, Cb, Cr: rgb_to_ycc() of the rounded means, eight at a time (the sums are at most
 * 4 * 255, so rounding and shifting them in lanes gives the same means). */
static void
sums_to_ycc(const guint16 *sr, const guint16 *sg, const guint16 *sb, int n, int sh, guint8 *oy,
            guint8 *ocb, guint8 *ocr)
{
  guint16 rnd = sh > 0 ? 1 << (sh - 1) : 0;
  int i = 0;

  for (; i + 8 <= n; i += 8) {
    PtU16x8 r, g, b;

    memcpy(&r, sr + i, sizeof r);
    memcpy(&g, sg + i, sizeof g);
    memcpy(&b, sb + i, sizeof b);
    lanes_to_ycc((r + rnd) >> sh, (g + rnd) >> sh, (b + rnd) >> sh, oy + i, ocb + i, ocr + i);
  }
  for (; i < n; i++)
    rgb_to_ycc((sr[i] + rnd) >> sh, (sg[i] + rnd) >> sh, (sb[i] + rnd) >> sh, &oy[i], &ocb[i],
               &ocr[i]);
}

/* Sixteen bytes and the sixteen lanes they widen to (two halves of eight). */
typedef guint8 PtU8x16 __attribute__((vector_size(16)));
typedef guint16 PtU16x16 __attribute__((vector_size(32)));

/* A 2x2 patch's channel sums in lanes 0..2 (lanes 3..7 are not used): the eight bytes at
 * @a and at @a + 3 (the pixel to its right), the same for @c (the row below), widened and
 * added, a[k] + a[k + 3] + c[k] + c[k + 3] as the scalar gather adds them. */
static inline __attribute__((always_inline)) PtU16x8
patch_lanes(const guint8 *a, const guint8 *c)
{
  PtU8x16 u, v;
  PtU16x16 wu;

  memcpy(&u, a, 8);
  memcpy((guint8 *)&u + 8, a + 3, 8);
  memcpy(&v, c, 8);
  memcpy((guint8 *)&v + 8, c + 3, 8);
  wu = __builtin_convertvector(u, PtU16x16) + __builtin_convertvector(v, PtU16x16);
  return __builtin_shufflevector(wu, wu, 0, 1, 2, 3, 4, 5, 6, 7) +
         __builtin_shufflevector(wu, wu, 8, 9, 10, 11, 12, 13, 14, 15);
}

/* The first @n (a multiple of 8) 2x2 patches of a row, from @a (upper row) and @c (lower),
 * @step pixels apart, converted in lanes.  Each patch's lanes 0..2 hold its R, G, B sums
 * (a[k] + a[k + 3] + c[k] + c[k + 3], the same additions as the scalar gather; lanes 3..7
 * are not used); eight patches are transposed to R, G, B vectors by interleaving.  The loads
 * read 11 bytes from a patch's first pixel, so the caller passes only patches at least four
 * pixels from the row's right end: no byte outside the row's own pixels is read. */
static void
pair_patches_ycc(const guint8 *a, const guint8 *c, int step, int n, guint8 *oy, guint8 *ocb,
                 guint8 *ocr)
{
  for (int i = 0; i < n; i += 8) {
    int d = step * 3;
    PtU16x8 t[4], u[4], r, g, b;

    /* Lanes 0..3 of patches k and k + 1 side by side, then interleaved down to 8 of each. */
    for (int k = 0; k < 4; k++, a += 2 * d, c += 2 * d)
      t[k] = __builtin_shufflevector(patch_lanes(a, c), patch_lanes(a + d, c + d), 0, 8, 1, 9, 2,
                                     10, 3, 11);
    for (int k = 0; k < 2; k++) {
      u[2 * k] = __builtin_shufflevector(t[2 * k], t[2 * k + 1], 0, 1, 8, 9, 2, 3, 10, 11);
      u[2 * k + 1] = __builtin_shufflevector(t[2 * k], t[2 * k + 1], 4, 5, 12, 13, 6, 7, 14, 15);
    }
    r = __builtin_shufflevector(u[0], u[2], 0, 1, 2, 3, 8, 9, 10, 11);
    g = __builtin_shufflevector(u[0], u[2], 4, 5, 6, 7, 12, 13, 14, 15);
    b = __builtin_shufflevector(u[1], u[3], 0, 1, 2, 3, 8, 9, 10, 11);
    lanes_to_ycc((r + 2) >> 2, (g + 2) >> 2, (b + 2) >> 2, oy + i, ocb + i, ocr + i);
  }
}

/* One output row of an RGB frame: row @ra (and @rc below it for a 2x2 patch, @pair) from
 * column @x (the first patch's left column), @step columns apart.  Columns whose patch lies
 * inside the frame step along without clamping; those past its right edge (a crop wider than
 * the frame) take its last patch, as MIN(sx, width - 1 - pair) did per pixel.  Each chunk
 * gathers the channel sums in plain loops and converts them in lanes. */
static void
sample_rgb_row(const PtFrame *frame, const guint8 *ra, const guint8 *rc, int x, int w, int step,
               int pair, guint8 *oy, guint8 *ocb, guint8 *ocr)
{
  guint16 sr[SAMPLE_CHUNK], sg[SAMPLE_CHUNK], sb[SAMPLE_CHUNK];
  int xmax = frame->width - 1 - pair;
  int inside = x > xmax ? 0 : MIN(w, (xmax - x) / step + 1);
  const guint8 *a = ra + (gsize)x * 3, *c = rc + (gsize)x * 3;
  const guint8 *ea = ra + (gsize)xmax * 3, *ec = rc + (gsize)xmax * 3;
  int done = 0;

  if (pair) {
    int xv = frame->width - 4;
    int nv = x > xv ? 0 : MIN(w, (xv - x) / step + 1);

    done = nv - nv % 8;
    pair_patches_ycc(a, c, step, done, oy, ocb, ocr);
    a += (gsize)done * step * 3;
    c += (gsize)done * step * 3;
  }
  for (int i0 = done; i0 < w; i0 += SAMPLE_CHUNK) {
    int n = MIN(SAMPLE_CHUNK, w - i0);
    int k = 0, kin = CLAMP(inside - i0, 0, n);

    if (pair) {
      for (; k < kin; k++, a += step * 3, c += step * 3) {
        sr[k] = a[0] + a[3] + c[0] + c[3];
        sg[k] = a[1] + a[4] + c[1] + c[4];
        sb[k] = a[2] + a[5] + c[2] + c[5];
      }
      for (; k < n; k++) {
        sr[k] = ea[0] + ea[3] + ec[0] + ec[3];
        sg[k] = ea[1] + ea[4] + ec[1] + ec[4];
        sb[k] = ea[2] + ea[5] + ec[2] + ec[5];
      }
    } else {
      for (; k < kin; k++, a += step * 3) {
        sr[k] = a[0];
        sg[k] = a[1];
        sb[k] = a[2];
      }
      for (; k < n; k++) {
        sr[k] = ea[0];
        sg[k] = ea[1];
        sb[k] = ea[2];
      }
    }
    sums_to_ycc(sr, sg, sb, n, pair ? 2 : 0, oy + i0, ocb + i0, ocr + i0);
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

    /* RGB (decoded JPEG), the common case: row pointers, no per-pixel format, patch or
     * edge tests (sample_rgb_row()). */
    if (frame->format == PT_PIXEL_RGB) {
      gsize o = (gsize)j * w;

      sample_rgb_row(frame, frame->data[0] + (gsize)sy * frame->stride[0],
                     frame->data[0] + (gsize)sy2 * frame->stride[0], x0 + off, w, step, pair,
                     out_y + o, out_cb + o, out_cr + o);
      continue;
    }
    /* I420 (raw camera frames): the Y plane's 2x2 patch, the chroma of its top-left pixel. */
    for (int i = 0; i < w; i++) {
      int sx = MIN(x0 + i * step + off, frame->width - 1 - pair);
      int sx2 = sx + pair;
      gsize o = (gsize)j * w + i;
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

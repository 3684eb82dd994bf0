/* test-sample.c: pt_frame_sample() against a plain per-pixel oracle.
 *
 * The sampler's RGB rows are gathered in chunks and converted eight lanes at a time, with
 * the columns past the frame's right edge split off; the oracle clamps and converts every
 * sample on its own, as the sampler once did.  Random frames of odd sizes and strides (each
 * plane allocated to its last byte, so a sanitizer build catches a read past it), random
 * windows that may reach past the right and bottom edges, both pixel formats and steps 1
 * to 6; pixels either random or only 0 and 255, which hits the chroma clamp (pure blue, pure
 * red) and the ends of every sum. */
#include "pt-internal.h"

#include <string.h>

static void
oracle_rgb_to_ycc(int r, int g, int b, guint8 *y, guint8 *cb, guint8 *cr)
{
  *y = (guint8)((77 * r + 150 * g + 29 * b + 128) >> 8);
  *cb = (guint8)MIN(128 + ((-43 * r - 85 * g + 128 * b + 128) >> 8), 255);
  *cr = (guint8)MIN(128 + ((128 * r - 107 * g - 21 * b + 128) >> 8), 255);
}

static guint8
oracle_video_y(int v)
{
  return (guint8)CLAMP(((v - 16) * 255 + 109) / 219, 0, 255);
}

static guint8
oracle_video_c(int v)
{
  return (guint8)CLAMP(128 + ((v - 128) * 255 + (v >= 128 ? 112 : -112)) / 224, 0, 255);
}

static void
oracle_sample(const PtFrame *f, int x0, int y0, int w, int h, int step, guint8 *oy, guint8 *ocb,
              guint8 *ocr)
{
  int off = step >= 2 ? step / 2 - 1 : 0, pair = step >= 2 ? 1 : 0;

  for (int j = 0; j < h; j++)
    for (int i = 0; i < w; i++) {
      int sx = MIN(x0 + i * step + off, f->width - 1 - pair);
      int sy = MIN(y0 + j * step + off, f->height - 1 - pair);
      int sx2 = sx + pair, sy2 = sy + pair;
      gsize o = (gsize)j * w + i;

      if (f->format == PT_PIXEL_RGB) {
        const guint8 *p = f->data[0];
        int s = f->stride[0], rgb[3];

        for (int k = 0; k < 3; k++)
          rgb[k] = (p[sy * s + sx * 3 + k] + p[sy * s + sx2 * 3 + k] + p[sy2 * s + sx * 3 + k] +
                    p[sy2 * s + sx2 * 3 + k] + 2) >>
                   2;
        oracle_rgb_to_ycc(rgb[0], rgb[1], rgb[2], &oy[o], &ocb[o], &ocr[o]);
      } else {
        const guint8 *p = f->data[0];
        int s = f->stride[0];

        oy[o] = oracle_video_y(
            (p[sy * s + sx] + p[sy * s + sx2] + p[sy2 * s + sx] + p[sy2 * s + sx2] + 2) >> 2);
        ocb[o] = oracle_video_c(f->data[1][(sy >> 1) * f->stride[1] + (sx >> 1)]);
        ocr[o] = oracle_video_c(f->data[2][(sy >> 1) * f->stride[2] + (sx >> 1)]);
      }
    }
}

static guint8 *
random_plane(GRand *rand, int row_bytes, int stride, int rows, gboolean extremes)
{
  gsize size = (gsize)stride * (rows - 1) + row_bytes;
  guint8 *plane = g_malloc(size);

  for (gsize i = 0; i < size; i++)
    plane[i] = extremes ? (g_rand_boolean(rand) ? 255 : 0) : (guint8)g_rand_int_range(rand, 0, 256);
  return plane;
}

static void
test_sample_oracle(void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed(15);
  guint n_samples = 0;

  for (int round = 0; round < 400; round++) {
    PtPixelFormat format = round % 2 ? PT_PIXEL_I420 : PT_PIXEL_RGB;
    gboolean extremes = round % 4 >= 2;
    int width = g_rand_int_range(rand, 2, 300), height = g_rand_int_range(rand, 2, 40);
    int cw = (width + 1) / 2, ch = (height + 1) / 2;
    PtFrame frame = {.format = format, .width = width, .height = height};
    g_autofree guint8 *p0 = NULL, *p1 = NULL, *p2 = NULL;

    if (format == PT_PIXEL_RGB) {
      frame.stride[0] = width * 3 + g_rand_int_range(rand, 0, 9);
      p0 = random_plane(rand, width * 3, frame.stride[0], height, extremes);
    } else {
      frame.stride[0] = width + g_rand_int_range(rand, 0, 9);
      frame.stride[1] = cw + g_rand_int_range(rand, 0, 5);
      frame.stride[2] = cw + g_rand_int_range(rand, 0, 5);
      p0 = random_plane(rand, width, frame.stride[0], height, extremes);
      p1 = random_plane(rand, cw, frame.stride[1], ch, extremes);
      p2 = random_plane(rand, cw, frame.stride[2], ch, extremes);
    }
    frame.data[0] = p0;
    frame.data[1] = p1;
    frame.data[2] = p2;
    g_assert_true(pt_frame_validate(&frame, NULL));

    for (int step = 1; step <= 6; step++) {
      /* Windows start inside the frame and may run up to two samples past its edges, as a
       * crop rounded up to whole steps does. */
      int x0 = g_rand_int_range(rand, 0, width), y0 = g_rand_int_range(rand, 0, height);
      int w = g_rand_int_range(rand, 1, (width - x0 + step - 1) / step + 3);
      int h = g_rand_int_range(rand, 1, (height - y0 + step - 1) / step + 3);
      gsize n = (gsize)w * h;
      g_autofree guint8 *got = g_malloc(3 * n), *want = g_malloc(3 * n);

      pt_frame_sample(&frame, x0, y0, w, h, step, got, got + n, got + 2 * n);
      oracle_sample(&frame, x0, y0, w, h, step, want, want + n, want + 2 * n);
      for (gsize i = 0; i < 3 * n; i++)
        if (got[i] != want[i])
          g_error("%s %dx%d stride %d, step %d, window %d,%d %dx%d: plane %d sample %d,%d is %d, "
                  "not %d",
                  format == PT_PIXEL_RGB ? "RGB" : "I420", width, height, frame.stride[0], step, x0,
                  y0, w, h, (int)(i / n), (int)(i % n % w), (int)(i % n / w), got[i], want[i]);
      n_samples += n;
    }
  }
  g_test_message("%u samples match the oracle", n_samples);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/models/sample/oracle", test_sample_oracle);
  return g_test_run();
}

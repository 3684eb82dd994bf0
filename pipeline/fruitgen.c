/* fruitgen.c: synthetic belt frames for the grading demo footage and the tests.
 *
 * A dark belt with slats, light falling off across it, brown dirt specks
 * and seeded noise; fruit are ellipsoids lit from the camera (Lambert plus
 * ambient, so they darken toward the rim) with a soft highlight.  Spots and
 * marks are defined on the fruit surface (a disc or ellipse around a point
 * of the ellipsoid), so their true surface area and length are known
 * exactly and the grader has to undo foreshortening to match them.  Fruit
 * edges are anti-aliased with 4x4 samples.  Same scene, same bytes. */
#include "fruitgen.h"

#include <libheif/heif.h>
#include <math.h>
#include <string.h>

static const double belt_rgb[3] = {38, 40, 48};
static const double dirt_rgb[3] = {78, 60, 42};

void
fg_scene_init(FgScene *scene, int width, int height, guint32 seed)
{
  memset(scene, 0, sizeof *scene);
  scene->width = width;
  scene->height = height;
  scene->mm_per_px = 0.3;
  scene->seed = seed ? seed : 1;
  scene->noise = 6;
  scene->light_slope = 0.3;
  scene->dirt = TRUE;
}

FgFruit *
fg_scene_add(FgScene *scene, double cx_mm, double cy_mm, double diameter_mm, guint8 r, guint8 g,
             guint8 b)
{
  FgFruit *f;

  g_assert(scene->n_fruit < FG_MAX_FRUIT);
  f = &scene->fruit[scene->n_fruit++];
  memset(f, 0, sizeof *f);
  f->cx_mm = cx_mm;
  f->cy_mm = cy_mm;
  f->diameter_mm = diameter_mm;
  f->rgb[0] = r;
  f->rgb[1] = g;
  f->rgb[2] = b;
  return f;
}

void
fg_fruit_add_spot(FgFruit *fruit, double u, double v, double area_mm2, double darkness)
{
  FgSpot *s;

  g_assert(fruit->n_spots < FG_MAX_SPOTS);
  s = &fruit->spots[fruit->n_spots++];
  /* A cap of chord radius r on a sphere has area pi r^2 exactly. */
  *s = (FgSpot){u, v, 2 * sqrt(area_mm2 / G_PI), 0, 0, darkness};
}

void
fg_fruit_add_mark(FgFruit *fruit, double u, double v, double length_mm, double width_mm,
                  double angle, double darkness)
{
  g_assert(fruit->n_spots < FG_MAX_SPOTS);
  fruit->spots[fruit->n_spots++] = (FgSpot){u, v, length_mm, width_mm, angle, darkness};
}

static guint32
xorshift(guint32 *s)
{
  guint32 x = *s;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

static double
light_at(const FgScene *sc, double x_px)
{
  return 1.0 - sc->light_slope / 2 + sc->light_slope * x_px / sc->width;
}

/* Colour of fruit @f at belt point (x, y) mm, or FALSE when outside it. */
static gboolean
fruit_colour(const FgFruit *f, double x, double y, double light, double out[3])
{
  double a = 0.5 * (f->length_mm > 0 ? f->length_mm : f->diameter_mm);
  double b = 0.5 * f->diameter_mm;
  double dx = x - f->cx_mm, dy = y - f->cy_mm;
  double rn2 = (dx / a) * (dx / a) + (dy / b) * (dy / b);
  double z, shade, factor = 1.0, hl;

  if (rn2 > 1)
    return FALSE;
  z = sqrt(1 - rn2);
  shade = (f->flat ? 1.0 : 0.35 + 0.65 * z) * light;
  for (guint k = 0; k < f->n_spots; k++) {
    const FgSpot *s = &f->spots[k];
    double sx = s->u * a, sy = s->v * b;
    double sz = b * sqrt(MAX(0, 1 - s->u * s->u - s->v * s->v));
    double px = dx, py = dy, pz = b * z;
    double d[3] = {px - sx, py - sy, pz - sz};
    gboolean inside;

    if (s->width_mm <= 0) {
      inside = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= 0.25 * s->length_mm * s->length_mm;
    } else {
      /* Tangent frame at the mark's centre on the sphere of radius b. */
      double n[3] = {sx, sy, sz}, nl = sqrt(sx * sx + sy * sy + sz * sz);
      double t1[3] = {cos(s->angle), sin(s->angle), 0}, t2[3], dot, tl, p1, p2;

      for (int i = 0; i < 3; i++)
        n[i] /= nl;
      dot = t1[0] * n[0] + t1[1] * n[1] + t1[2] * n[2];
      for (int i = 0; i < 3; i++)
        t1[i] -= dot * n[i];
      tl = sqrt(t1[0] * t1[0] + t1[1] * t1[1] + t1[2] * t1[2]);
      for (int i = 0; i < 3; i++)
        t1[i] /= tl;
      t2[0] = n[1] * t1[2] - n[2] * t1[1];
      t2[1] = n[2] * t1[0] - n[0] * t1[2];
      t2[2] = n[0] * t1[1] - n[1] * t1[0];
      p1 = (d[0] * t1[0] + d[1] * t1[1] + d[2] * t1[2]) / (0.5 * s->length_mm);
      p2 = (d[0] * t2[0] + d[1] * t2[1] + d[2] * t2[2]) / (0.5 * s->width_mm);
      inside = p1 * p1 + p2 * p2 <= 1 && d[0] * n[0] + d[1] * n[1] + d[2] * n[2] > -b;
    }
    if (inside)
      factor = MIN(factor, s->darkness);
  }
  for (int c = 0; c < 3; c++)
    out[c] = f->rgb[c] * shade * factor;
  /* Soft highlight up and left of the centre. */
  hl = f->flat
           ? 0
           : 1 - sqrt((dx / a + 0.35) * (dx / a + 0.35) + (dy / b + 0.35) * (dy / b + 0.35)) / 0.18;
  if (hl > 0)
    for (int c = 0; c < 3; c++)
      out[c] += (255 - out[c]) * 0.25 * hl;
  if (f->sticker) {
    double ux = dx - f->sticker_u * a, vy = dy - f->sticker_v * b;

    if (fabs(ux) <= 10 && fabs(vy) <= 7) {
      gboolean print = fabs(vy) <= 2.5;

      out[0] = (print ? 200 : 245) * light;
      out[1] = (print ? 30 : 245) * light;
      out[2] = (print ? 40 : 238) * light;
    }
  }
  return TRUE;
}

PtImage *
fg_render(const FgScene *sc)
{
  PtImage *img = pt_image_new(sc->width, sc->height, NULL);
  guint32 rng = sc->seed;
  double dirt[64][3];
  int n_dirt = 0;

  g_assert(img != NULL);
  if (sc->dirt) {
    double area = sc->width * sc->height * sc->mm_per_px * sc->mm_per_px;

    n_dirt = MIN(64, (int)(area / 4000.0) + 2);
    for (int i = 0; i < n_dirt; i++) {
      dirt[i][0] = (xorshift(&rng) % 10000) / 10000.0 * sc->width * sc->mm_per_px;
      dirt[i][1] = (xorshift(&rng) % 10000) / 10000.0 * sc->height * sc->mm_per_px;
      dirt[i][2] = 1.0 + (xorshift(&rng) % 1000) / 1000.0 * 2.5;
    }
  }
  for (int y = 0; y < sc->height; y++) {
    guint8 *row = img->pixels + (gsize)y * img->stride;

    for (int x = 0; x < sc->width; x++) {
      double light = light_at(sc, x + 0.5);
      double xm = (x + 0.5) * sc->mm_per_px, ym = (y + 0.5) * sc->mm_per_px;
      double bg[3], acc[3] = {0, 0, 0};
      /* Slats: a 4 mm darker band every 40 mm along y. */
      double slat = fmod(ym, 40.0) < 4.0 ? 0.6 : 1.0;
      int samples = 1;
      const FgFruit *near = NULL;

      for (int c = 0; c < 3; c++)
        bg[c] = belt_rgb[c] * light * slat;
      for (int i = 0; i < n_dirt; i++) {
        double dx = xm - dirt[i][0], dy = ym - dirt[i][1];

        if (dx * dx + dy * dy <= dirt[i][2] * dirt[i][2])
          for (int c = 0; c < 3; c++)
            bg[c] = dirt_rgb[c] * light;
      }
      for (guint k = 0; k < sc->n_fruit; k++) {
        const FgFruit *f = &sc->fruit[k];
        double a = 0.5 * (f->length_mm > 0 ? f->length_mm : f->diameter_mm) + sc->mm_per_px;
        double b = 0.5 * f->diameter_mm + sc->mm_per_px;

        if (fabs(xm - f->cx_mm) <= a && fabs(ym - f->cy_mm) <= b) {
          near = f;
          samples = 4;
        }
      }
      for (int sy = 0; sy < samples; sy++)
        for (int sx = 0; sx < samples; sx++) {
          double px = (x + (sx + 0.5) / samples) * sc->mm_per_px;
          double py = (y + (sy + 0.5) / samples) * sc->mm_per_px;
          double col[3];
          gboolean hit = FALSE;

          if (near != NULL)
            for (guint k = 0; k < sc->n_fruit && !hit; k++)
              hit = fruit_colour(&sc->fruit[k], px, py, light, col);
          for (int c = 0; c < 3; c++)
            acc[c] += hit ? col[c] : bg[c];
        }
      for (int c = 0; c < 3; c++) {
        double v = acc[c] / (samples * samples);

        v += ((double)(xorshift(&rng) % 2001) / 1000.0 - 1.0) * sc->noise;
        row[x * 3 + c] = (guint8)CLAMP((int)lround(v), 0, 255);
      }
    }
  }
  return img;
}

PtImage *
fg_render_sprite(const FgFruit *fruit, double mm_per_px, double light, guint8 **coverage)
{
  FgFruit f = *fruit;
  double extent_mm = MAX(f.diameter_mm, f.length_mm);
  int side = (int)ceil(extent_mm / mm_per_px) + 2;
  PtImage *img = pt_image_new(side, side, NULL);
  guint8 *cov = g_malloc0((gsize)side * side);

  g_assert(img != NULL);
  f.cx_mm = f.cy_mm = 0.5 * side * mm_per_px;
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++) {
      double acc[3] = {0, 0, 0}, col[3];
      int hits = 0;
      guint8 *p = img->pixels + (gsize)y * img->stride + x * 3;

      for (int sy = 0; sy < 4; sy++)
        for (int sx = 0; sx < 4; sx++)
          if (fruit_colour(&f, (x + (sx + 0.5) / 4) * mm_per_px, (y + (sy + 0.5) / 4) * mm_per_px,
                           light, col)) {
            hits++;
            for (int c = 0; c < 3; c++)
              acc[c] += col[c];
          }
      for (int c = 0; c < 3; c++)
        p[c] = hits ? (guint8)CLAMP((int)lround(acc[c] / hits), 0, 255) : 0;
      cov[(gsize)y * side + x] = (guint8)(hits * 255 / 16);
    }
  *coverage = cov;
  return img;
}

guint8 *
fg_to_i420(const PtImage *image, PtFrame *frame)
{
  int w = image->width, h = image->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
  guint8 *buf = g_malloc((gsize)w * h + 2 * (gsize)cw * ch);
  guint8 *yp = buf, *up = buf + (gsize)w * h, *vp = up + (gsize)cw * ch;

  /* BT.601 video range, chroma from the top-left pixel of each 2x2. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const guint8 *p = image->pixels + (gsize)y * image->stride + x * 3;
      int r = p[0], g = p[1], b = p[2];

      yp[(gsize)y * w + x] = (guint8)(16 + ((66 * r + 129 * g + 25 * b + 128) >> 8));
      if ((x & 1) == 0 && (y & 1) == 0) {
        up[(gsize)(y / 2) * cw + x / 2] = (guint8)(128 + ((-38 * r - 74 * g + 112 * b + 128) >> 8));
        vp[(gsize)(y / 2) * cw + x / 2] = (guint8)(128 + ((112 * r - 94 * g - 18 * b + 128) >> 8));
      }
    }
  memset(frame, 0, sizeof *frame);
  frame->format = PT_PIXEL_I420;
  frame->width = w;
  frame->height = h;
  frame->data[0] = yp;
  frame->data[1] = up;
  frame->data[2] = vp;
  frame->stride[0] = w;
  frame->stride[1] = cw;
  frame->stride[2] = cw;
  return buf;
}

int
fg_paste_sprite(PtImage *dst, const FgFruit *fruit, double mm_per_px, int x0, int y0)
{
  g_autofree guint8 *coverage = NULL;
  g_autoptr(PtImage) sprite = fg_render_sprite(fruit, mm_per_px, 1.0, &coverage);

  for (int y = 0; y < sprite->height; y++)
    for (int x = 0; x < sprite->width; x++) {
      guint8 *d = dst->pixels + (gsize)(y0 + y) * dst->stride + (x0 + x) * 3;
      const guint8 *s = sprite->pixels + (gsize)y * sprite->stride + x * 3;
      int a = coverage[(gsize)y * sprite->width + x];

      for (int c = 0; c < 3; c++)
        d[c] = (guint8)((s[c] * a + d[c] * (255 - a) + 127) / 255);
    }
  return sprite->width;
}

void
fg_paint_mould_cap(PtImage *image, int cx, int cy, int r, double v_max, int level)
{
  guint32 seed = 7;

  for (int y = cy - r; y <= cy + r; y++)
    for (int x = cx - r; x <= cx + r; x++) {
      double u = (double)(x - cx) / r, v = (double)(y - cy) / r;
      guint8 *d = image->pixels + (gsize)y * image->stride + x * 3;
      int grain;

      if (u * u + v * v > 0.96 || v > v_max)
        continue;
      seed = seed * 1103515245u + 12345u;
      grain = (int)((seed >> 16) % 13) - 6;
      d[0] = d[1] = (guint8)CLAMP(level + grain, 0, 255);
      d[2] = (guint8)CLAMP(level - 8 + grain, 0, 255);
    }
}

PtImage *
fg_store_sideways(const PtImage *upright)
{
  int w = upright->width, h = upright->height;
  PtImage *out = pt_image_new(h, w, NULL);

  /* Upright pixel (x, y) is stored at (y, w - 1 - x). */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      memcpy(out->pixels + (gsize)(w - 1 - x) * out->stride + 3 * (gsize)y,
             upright->pixels + (gsize)y * upright->stride + 3 * (gsize)x, 3);
  return out;
}

GBytes *
fg_jpeg_add_exif(GBytes *jpeg, gboolean big, guint orientation, guint type, guint count)
{
  gsize len;
  const guint8 *data = g_bytes_get_data(jpeg, &len);
  guint8 tiff[26] = {0};
  GByteArray *out = g_byte_array_new();
  guint8 app1[4 + 6] = {0xff, 0xe1, 0, 2 + 6 + sizeof tiff, 'E', 'x', 'i', 'f', 0, 0};
  /* Byte order, 42, IFD0 at 8; one entry: tag 0x0112, type, count, value; no next IFD. */
  guint v[][2] = {{0x4d4d, 2}, {42, 2},   {8, 4},     {1, 2},
                  {0x0112, 2}, {type, 2}, {count, 4}, {orientation, 2}};
  gsize at = 0;

  for (gsize i = 0; i < G_N_ELEMENTS(v); i++) {
    for (guint b = 0; b < v[i][1]; b++)
      tiff[at + b] = (guint8)(v[i][0] >> (8 * (big ? v[i][1] - 1 - b : b)));
    at += v[i][1];
  }
  if (!big)
    tiff[0] = tiff[1] = 'I';
  g_byte_array_append(out, data, 2);
  g_byte_array_append(out, app1, sizeof app1);
  g_byte_array_append(out, tiff, sizeof tiff);
  g_byte_array_append(out, data + 2, (guint)(len - 2));
  return g_byte_array_free_to_bytes(out);
}

static struct heif_error
heic_append(struct heif_context *ctx, const void *data, size_t size, void *out)
{
  struct heif_error ok = {heif_error_Ok, heif_suberror_Unspecified, "ok"};

  (void)ctx;
  g_byte_array_append(out, data, (guint)size);
  return ok;
}

GBytes *
fg_encode_heic(const PtImage *image, int orientation)
{
  struct heif_context *ctx;
  struct heif_encoder *encoder = NULL;
  struct heif_image *img = NULL;
  struct heif_encoding_options *options;
  struct heif_writer writer = {.writer_api_version = 1, .write = heic_append};
  GByteArray *out;
  guint8 *plane;
  int stride;

  if (!heif_have_encoder_for_format(heif_compression_HEVC))
    return NULL;
  ctx = heif_context_alloc();
  if (heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &encoder).code !=
          heif_error_Ok ||
      heif_image_create(image->width, image->height, heif_colorspace_RGB,
                        heif_chroma_interleaved_RGB, &img)
              .code != heif_error_Ok ||
      heif_image_add_plane(img, heif_channel_interleaved, image->width, image->height, 8).code !=
          heif_error_Ok) {
    heif_image_release(img);
    heif_encoder_release(encoder);
    heif_context_free(ctx);
    return NULL;
  }
  plane = heif_image_get_plane(img, heif_channel_interleaved, &stride);
  for (int y = 0; y < image->height; y++)
    memcpy(plane + (gsize)y * stride, image->pixels + (gsize)y * image->stride,
           3 * (gsize)image->width);
  heif_encoder_set_lossy_quality(encoder, 90);
  options = heif_encoding_options_alloc();
  options->image_orientation = (enum heif_orientation)orientation;
  out = g_byte_array_new();
  if (heif_context_encode_image(ctx, img, encoder, options, NULL).code != heif_error_Ok ||
      heif_context_write(ctx, &writer, out).code != heif_error_Ok)
    g_clear_pointer(&out, g_byte_array_unref);
  heif_encoding_options_free(options);
  heif_image_release(img);
  heif_encoder_release(encoder);
  heif_context_free(ctx);
  return out ? g_byte_array_free_to_bytes(out) : NULL;
}

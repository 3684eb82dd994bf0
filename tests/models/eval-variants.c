/* eval-variants.c: a labelled photo taken otherwise (eval-variants.h).  Photos here are a
 * few hundred pixels to a few thousand across and one is made per photo graded, so the work
 * is plain float loops over the image in linear light, a copy or two of it at a time. */
#include "eval-variants.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* sRGB's transfer function, both ways (IEC 61966-2-1). */
static double
srgb_to_linear(double v)
{
  return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double
linear_to_srgb(double v)
{
  return v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055;
}

/* linear_to_srgb() times 255 at ENCODE_STEPS + 1 points of 0..1, interpolated: pow() for
 * every channel of every photo would cost more than grading it.  Near black, where the
 * curve is steepest (12.92), a step is 0.05 levels. */
#define ENCODE_STEPS 4096

static double
encode_level(const double *table, double v)
{
  double p = CLAMP(v, 0.0, 1.0) * ENCODE_STEPS;
  int i = MIN((int)p, ENCODE_STEPS - 1);

  return table[i] + (p - i) * (table[i + 1] - table[i]);
}

/* The 8-bit level of @s as CLAMP (lround (@s), 0, 255) gives it (half away from zero),
 * without a libm call a channel. */
static inline guint8
to_level(double s)
{
  int r;

  if (!(s > 0))
    return 0;
  if (s >= 255)
    return 255;
  r = (int)s;
  return (guint8)(s - r >= 0.5 ? r + 1 : r);
}

/* @decode: the 256 sRGB levels in linear light; @encode: encode_level ()'s table. */
static void
srgb_tables(double decode[256], double encode[ENCODE_STEPS + 1])
{
  for (int i = 0; i < 256; i++)
    decode[i] = srgb_to_linear(i / 255.0);
  for (int i = 0; i <= ENCODE_STEPS; i++)
    encode[i] = 255.0 * linear_to_srgb((double)i / ENCODE_STEPS);
}

gboolean
eval_variant_active(const EvalVariant *v)
{
  return v->exposure != 1.0 || v->white_kelvin != 0.0 || v->resize != 1.0 || v->blur != 0.0 ||
         v->noise != 0.0 || v->jpeg != 0 || v->stretch != 1.0 || v->sharpen != 0.0;
}

gboolean
eval_variant_check(const EvalVariant *v, GError **error)
{
  const char *bad = NULL;

  if (v->exposure <= 0.0 || v->exposure > 16.0)
    bad = "--exposure is a gain above 0, at most 16";
  else if (v->white_kelvin != 0.0 && (v->white_kelvin < 1667.0 || v->white_kelvin > 25000.0))
    bad = "--white-balance is a colour temperature from 1667 to 25000 K";
  else if (v->resize < 0.05 || v->resize > 8.0)
    bad = "--resize is from 0.05 to 8";
  else if (v->blur < 0.0 || v->blur > 20.0)
    bad = "--blur is a sigma from 0 to 20 pixels";
  else if (v->noise < 0.0 || v->noise > 64.0)
    bad = "--noise is a sigma from 0 to 64 levels";
  else if (v->jpeg < 0 || v->jpeg > 100)
    bad = "--jpeg is a quality from 1 to 100";
  else if (v->stretch < 0.5 || v->stretch > 2.0)
    bad = "--stretch is from 0.5 to 2";
  else if (v->sharpen < 0.0 || v->sharpen > 4.0)
    bad = "--sharpen is an amount from 0 to 4";
  if (bad)
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID, bad);
  return bad == NULL;
}

/* A black body at @kelvin in linear sRGB, Y = 1. */
static void
planck_rgb(double kelvin, double rgb[3])
{
  double t = kelvin, t2 = t * t, t3 = t2 * t, x, y, cx, cz;

  if (t < 4000)
    x = -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.179910;
  else
    x = -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.240390;
  if (t < 2222)
    y = -1.1063814 * x * x * x - 1.34811020 * x * x + 2.18555832 * x - 0.20219683;
  else if (t < 4000)
    y = -0.9549476 * x * x * x - 1.37418593 * x * x + 2.09137015 * x - 0.16748867;
  else
    y = 3.0817580 * x * x * x - 5.87338670 * x * x + 3.75112997 * x - 0.37001483;
  cx = x / y;
  cz = (1 - x - y) / y;
  rgb[0] = 3.2406 * cx - 1.5372 - 0.4986 * cz;
  rgb[1] = -0.9689 * cx + 1.8758 + 0.0415 * cz;
  rgb[2] = 0.0557 * cx - 0.2040 + 1.0570 * cz;
}

void
eval_variant_wb_gains(double kelvin, double gains[3])
{
  double scene[3], camera[3];

  planck_rgb(kelvin, scene);
  planck_rgb(6500.0, camera);
  for (int c = 0; c < 3; c++)
    gains[c] = MAX(scene[c], 0.0) / camera[c];
  gains[0] /= gains[1];
  gains[2] /= gains[1];
  gains[1] = 1.0;
}

/* The source pixels and weights of each of @n_out output pixels along an axis of @n_in
 * pixels scaled by @f: the source pixels it covers, each by its overlap (@f < 1: as a
 * sensor of fewer pixels integrates the light), or the two nearest (@f > 1: bilinear).
 * Returns the taps a pixel holds at most; @idx and @w hold @n_out rows of that many. */
static int
resample_taps(int n_in, int n_out, double f, int **idx, double **w)
{
  int taps = f < 1.0 ? (int)ceil(1.0 / f) + 1 : 2;

  *idx = g_new0(int, (gsize)n_out *taps);
  *w = g_new0(double, (gsize)n_out *taps);
  for (int o = 0; o < n_out; o++) {
    int *ix = *idx + (gsize)o * taps;
    double *wx = *w + (gsize)o * taps, sum = 0;

    if (f < 1.0) {
      double a = o / f, b = MIN((o + 1) / f, (double)n_in);
      int k = 0;

      for (int i = (int)floor(a); i < b && k < taps; i++, k++) {
        ix[k] = MIN(i, n_in - 1);
        wx[k] = MIN(b, i + 1.0) - MAX(a, (double)i);
        sum += wx[k];
      }
    } else {
      double s = CLAMP((o + 0.5) / f - 0.5, 0.0, n_in - 1.0);
      int i = MIN((int)s, n_in - 1);

      ix[0] = i;
      ix[1] = MIN(i + 1, n_in - 1);
      wx[1] = s - i;
      wx[0] = 1 - wx[1];
      sum = 1;
    }
    for (int k = 0; k < taps; k++)
      wx[k] /= sum;
  }
  return taps;
}

/* @src (@w x @h, 3 floats a pixel) filtered along x by taps (@taps a pixel, @n_out pixels
 * wide); the result is @n_out x @h. */
static float *
filter_x(const float *src, int w, int h, int n_out, int taps, const int *idx, const double *wt)
{
  float *out = g_new(float, (gsize)n_out *h * 3);

  for (int y = 0; y < h; y++) {
    const float *row = src + (gsize)y * w * 3;
    float *orow = out + (gsize)y * n_out * 3;

    for (int o = 0; o < n_out; o++)
      for (int c = 0; c < 3; c++) {
        double s = 0;

        for (int k = 0; k < taps; k++)
          s += wt[o * taps + k] * row[idx[o * taps + k] * 3 + c];
        orow[o * 3 + c] = (float)s;
      }
  }
  return out;
}

/* The same along y: @src is @w x @h, the result @w x @n_out. */
static float *
filter_y(const float *src, int w, int h, int n_out, int taps, const int *idx, const double *wt)
{
  float *out = g_new0(float, (gsize)w *n_out * 3);

  (void)h;
  for (int o = 0; o < n_out; o++) {
    float *orow = out + (gsize)o * w * 3;

    for (int k = 0; k < taps; k++) {
      const float *row = src + (gsize)idx[o * taps + k] * w * 3;
      float wk = (float)wt[o * taps + k];

      for (int x = 0; x < w * 3; x++)
        orow[x] += wk * row[x];
    }
  }
  return out;
}

/* Taps of a Gaussian of @sigma (radius 3 sigma), the image's edge repeated. */
static int
gauss_taps(int n, double sigma, int **idx, double **w)
{
  int r = MAX(1, (int)ceil(3 * sigma)), taps = 2 * r + 1;

  *idx = g_new(int, (gsize)n *taps);
  *w = g_new(double, (gsize)n *taps);
  for (int o = 0; o < n; o++) {
    double sum = 0;

    for (int k = 0; k < taps; k++) {
      double d = k - r;

      (*idx)[o * taps + k] = CLAMP(o + k - r, 0, n - 1);
      (*w)[o * taps + k] = exp(-d * d / (2 * sigma * sigma));
      sum += (*w)[o * taps + k];
    }
    for (int k = 0; k < taps; k++)
      (*w)[o * taps + k] /= sum;
  }
  return taps;
}

/* @lin (@w x @h) filtered both ways: by a Gaussian of @sigma when it is above 0, else
 * resampled by @fx across and @fy down to @out_w x @out_h. */
static float *
separable(float *lin, int w, int h, int out_w, int out_h, double fx, double fy, double sigma)
{
  g_autofree int *ix = NULL, *iy = NULL;
  g_autofree double *wx = NULL, *wy = NULL;
  g_autofree float *tmp = NULL;
  int tx, ty;

  if (sigma > 0) {
    tx = gauss_taps(w, sigma, &ix, &wx);
    ty = gauss_taps(h, sigma, &iy, &wy);
  } else {
    tx = resample_taps(w, out_w, fx, &ix, &wx);
    ty = resample_taps(h, out_h, fy, &iy, &wy);
  }
  tmp = filter_x(lin, w, h, out_w, tx, ix, wx);
  return filter_y(tmp, out_w, h, out_h, ty, iy, wy);
}

/* Standard normal draws from @rand, two at a time (Marsaglia's polar method): a photo takes
 * one for each channel of each pixel, and the transcendentals and uniform draws are most of
 * what a noisy variant costs; this method takes no sine or cosine. */
typedef struct {
  GRand *rand;
  double spare;
  gboolean has_spare;
} Gauss;

static double
gauss(Gauss *g)
{
  double u, v, s, f;

  if (g->has_spare) {
    g->has_spare = FALSE;
    return g->spare;
  }
  /* A point uniform in the unit disc, 32 bits a coordinate: plenty for sensor noise. */
  do {
    u = g_rand_int(g->rand) / 2147483648.0 - 1.0;
    v = g_rand_int(g->rand) / 2147483648.0 - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  f = sqrt(-2 * log(s) / s);
  g->spare = v * f;
  g->has_spare = TRUE;
  return u * f;
}

/* A phone's sharpening (--sharpen): an unsharp mask of the encoded luma, blurred by a
 * Gaussian of SHARPEN_SIGMA pixels (the pipelines' radius of about a pixel), whose detail
 * times the amount is added to each channel, so that edges and the peel's pores gain contrast
 * and noise with them, and colours keep their hue. */
#define SHARPEN_SIGMA 1.0

static void
sharpen(const EvalVariant *v, PtImage *out)
{
  int w = out->width, h = out->height;
  g_autofree float *enc = NULL, *soft = NULL;

  if (v->sharpen <= 0.0)
    return;
  enc = g_new(float, (gsize)w *h * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * 3; x++)
      enc[(gsize)y * w * 3 + x] = out->pixels[(gsize)y * out->stride + x];
  soft = separable(enc, w, h, w, h, 1.0, 1.0, SHARPEN_SIGMA);
  for (int y = 0; y < h; y++) {
    guint8 *row = out->pixels + (gsize)y * out->stride;

    for (int x = 0; x < w; x++) {
      const float *e = enc + ((gsize)y * w + x) * 3, *s = soft + ((gsize)y * w + x) * 3;
      double detail = 0.299 * (e[0] - s[0]) + 0.587 * (e[1] - s[1]) + 0.114 * (e[2] - s[2]);

      for (int c = 0; c < 3; c++)
        row[3 * x + c] = to_level(e[c] + v->sharpen * detail);
    }
  }
}

/* @out sharpened (sharpen ()) and as --jpeg saves it: (transfer full) @out itself without it,
 * else a new image, NULL with @error.  @out: (transfer full). */
static PtImage *
encode_jpeg(const EvalVariant *v, PtImage *out, GError **error)
{
  g_autoptr(PtImage) img = out;
  g_autoptr(GBytes) jpeg = NULL;
  gsize len;
  const guint8 *data;

  sharpen(v, img);
  if (v->jpeg == 0)
    return g_steal_pointer(&img);
  jpeg = pt_image_encode_jpeg(img, v->jpeg, error);
  if (!jpeg)
    return NULL;
  data = g_bytes_get_data(jpeg, &len);
  return pt_image_decode_jpeg(data, len, error);
}

PtImage *
eval_variant_apply(const EvalVariant *v, const PtImage *image, guint32 seed, GError **error)
{
  int w = image->width, h = image->height;
  double fx = v->resize * v->stretch;
  int out_w = MAX(1, (int)lround(w * fx)), out_h = MAX(1, (int)lround(h * v->resize));
  gboolean filtered = fx != 1.0 || v->resize != 1.0 || v->blur > 0;
  g_autofree float *lin = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed(seed);
  Gauss noise = {rand, 0, FALSE};
  g_autoptr(PtImage) out = pt_image_new(out_w, out_h, error);
  double decode[256], encode[ENCODE_STEPS + 1], gains[3] = {1, 1, 1}, level[3][256];

  if (!out)
    return NULL;
  srgb_tables(decode, encode);
  if (v->white_kelvin != 0.0)
    eval_variant_wb_gains(v->white_kelvin, gains);
  if (!filtered) {
    /* Unfiltered, a channel's 256 levels give 256 values: a table, not the curve a pixel. */
    for (int c = 0; c < 3; c++)
      for (int i = 0; i < 256; i++)
        level[c][i] = encode_level(encode, (float)decode[i] * v->exposure * gains[c]);
    for (int y = 0; y < h; y++) {
      const guint8 *in = image->pixels + (gsize)y * image->stride;
      guint8 *row = out->pixels + (gsize)y * out->stride;

      for (int x = 0; x < w * 3; x++)
        row[x] = to_level(level[x % 3][in[x]] + (v->noise > 0 ? v->noise * gauss(&noise) : 0));
    }
    return encode_jpeg(v, g_steal_pointer(&out), error);
  }
  lin = g_new(float, (gsize)w *h * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * 3; x++)
      lin[(gsize)y * w * 3 + x] = (float)decode[image->pixels[(gsize)y * image->stride + x]];
  if (fx != 1.0 || v->resize != 1.0) {
    float *r = separable(lin, w, h, out_w, out_h, fx, v->resize, 0);

    g_free(lin);
    lin = r;
  }
  if (v->blur > 0) {
    float *b = separable(lin, out_w, out_h, out_w, out_h, 1.0, 1.0, v->blur);

    g_free(lin);
    lin = b;
  }
  for (int y = 0; y < out_h; y++) {
    guint8 *row = out->pixels + (gsize)y * out->stride;

    for (int x = 0; x < out_w * 3; x++) {
      double l = lin[(gsize)y * out_w * 3 + x] * v->exposure * gains[x % 3];
      double s = encode_level(encode, l);

      if (v->noise > 0)
        s += v->noise * gauss(&noise);
      row[x] = to_level(s);
    }
  }
  return encode_jpeg(v, g_steal_pointer(&out), error);
}

void
eval_variant_scale_roi(const EvalVariant *v, PtRoi *roi)
{
  double fx = v->resize * v->stretch;
  int x1 = (int)lround((roi->x + roi->width) * fx);
  int y1 = (int)lround((roi->y + roi->height) * v->resize);

  roi->x = (int)lround(roi->x * fx);
  roi->y = (int)lround(roi->y * v->resize);
  roi->width = x1 - roi->x;
  roi->height = y1 - roi->y;
}

char *
eval_variant_describe(const EvalVariant *v)
{
  GString *s = g_string_new(NULL);

  if (v->exposure != 1.0)
    g_string_append_printf(s, ", exposure %g", v->exposure);
  if (v->white_kelvin != 0.0)
    g_string_append_printf(s, ", white balance %g K", v->white_kelvin);
  if (v->resize != 1.0)
    g_string_append_printf(s, ", resize %g", v->resize);
  if (v->blur != 0.0)
    g_string_append_printf(s, ", blur %g px", v->blur);
  if (v->noise != 0.0)
    g_string_append_printf(s, ", noise %g", v->noise);
  if (v->sharpen != 0.0)
    g_string_append_printf(s, ", sharpened %g", v->sharpen);
  if (v->jpeg != 0)
    g_string_append_printf(s, ", jpeg %d", v->jpeg);
  if (v->stretch != 1.0)
    g_string_append_printf(s, ", stretched %g across", v->stretch);
  if (s->len == 0)
    g_string_append(s, ", as taken");
  return g_string_free(g_string_erase(s, 0, 2), FALSE);
}

gboolean
eval_gloss_parse(const char *name, EvalGloss *gloss)
{
  static const char *const names[] = {"none", "ring", "strips", "panel"};

  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_strcmp0(name, names[i]) == 0) {
      *gloss = (EvalGloss)i;
      return TRUE;
    }
  return FALSE;
}

/* The lamps, as angles in degrees between the camera's axis and the directions a peel mirrors
 * them from; SOFT is the Gaussian fall-off past a lamp's edge (a waxy peel's blur). */
#define GLOSS_SOFT      2.0
#define RING_ANGLE      25.0
#define STRIP_ANGLE     40.0
#define STRIP_HALF_TALL 30.0
#define PANEL_UP        30.0
#define PANEL_HALF_TALL 20.0
#define PANEL_HALF_WIDE 25.0

/* 1 within @half of 0, falling off as a Gaussian of GLOSS_SOFT past it. */
static double
lamp_edge(double angle, double half)
{
  double out = MAX(0.0, fabs(angle) - half);

  return exp(-out * out / (2 * GLOSS_SOFT * GLOSS_SOFT));
}

/* How much of the lamps of @gloss a peel mirrors along (@mx, @my, @mz), a unit vector from
 * the fruit towards the camera's side (z towards the camera, y down the image). */
static double
lamp_seen(EvalGloss gloss, double mx, double my, double mz)
{
  double off_axis = acos(CLAMP(mz, -1.0, 1.0)) * 180 / G_PI;
  double across = atan2(mx, mz) * 180 / G_PI, up = atan2(-my, hypot(mx, mz)) * 180 / G_PI;

  switch (gloss) {
  case EVAL_GLOSS_RING:
    return lamp_edge(off_axis - RING_ANGLE, 0.0);
  case EVAL_GLOSS_STRIPS:
    return lamp_edge(fabs(across) - STRIP_ANGLE, 0.0) * lamp_edge(up, STRIP_HALF_TALL);
  case EVAL_GLOSS_PANEL:
    return lamp_edge(up - PANEL_UP, PANEL_HALF_TALL) * lamp_edge(across, PANEL_HALF_WIDE);
  case EVAL_GLOSS_NONE:
  default:
    return 0.0;
  }
}

void
eval_variant_light_from_above(PtImage *image, double top, double cx, double cy, double rx,
                              double ry)
{
  for (int y = MAX(0, (int)floor(cy - ry)); y <= MIN(image->height - 1, (int)ceil(cy + ry)); y++) {
    double v = (y + 0.5 - cy) / ry, f = 1.0 - top * (1.0 + CLAMP(v, -1.0, 1.0)) / 2.0;
    /* A row is shaded evenly: each level it holds maps once (two pow () a level, not a
     * channel), -1 until it is met. */
    gint16 shaded[256];

    memset(shaded, 0xff, sizeof shaded);
    for (int x = MAX(0, (int)floor(cx - rx)); x <= MIN(image->width - 1, (int)ceil(cx + rx)); x++) {
      double u = (x + 0.5 - cx) / rx;
      guint8 *px = image->pixels + (gsize)y * image->stride + 3 * x;

      if (u * u + v * v > 1.0)
        continue;
      for (int k = 0; k < 3; k++) {
        if (shaded[px[k]] < 0)
          shaded[px[k]] = to_level(255 * linear_to_srgb(f * srgb_to_linear(px[k] / 255.0)));
        px[k] = (guint8)shaded[px[k]];
      }
    }
  }
}

void
eval_variant_light(const EvalVariant *v, double light[3])
{
  light[0] = light[1] = light[2] = 1.0;
  if (v->white_kelvin != 0.0)
    eval_variant_wb_gains(v->white_kelvin, light);
  for (int c = 0; c < 3; c++)
    light[c] *= v->exposure;
}

void
eval_variant_gloss(PtImage *image, EvalGloss gloss, double level, const double light[3], double cx,
                   double cy, double rx, double ry)
{
  double encode[ENCODE_STEPS + 1], decode[256];
  int x0 = MAX(0, (int)floor(cx - rx)), x1 = MIN(image->width, (int)ceil(cx + rx));
  int y0 = MAX(0, (int)floor(cy - ry)), y1 = MIN(image->height, (int)ceil(cy + ry));

  if (gloss == EVAL_GLOSS_NONE)
    return;
  srgb_tables(decode, encode);
  for (int y = y0; y < y1; y++) {
    guint8 *row = image->pixels + (gsize)y * image->stride;

    for (int x = x0; x < x1; x++) {
      double nx = (x + 0.5 - cx) / rx, ny = (y + 0.5 - cy) / ry, nz2 = 1 - nx * nx - ny * ny;
      double nz, add;

      if (nz2 <= 0)
        continue;
      /* The view (0, 0, 1) mirrored about the normal: 2 (n . v) n - v. */
      nz = sqrt(nz2);
      add = level * lamp_seen(gloss, 2 * nz * nx, 2 * nz * ny, 2 * nz2 - 1);
      if (add < 1e-3)
        continue;
      for (int c = 0; c < 3; c++)
        row[3 * x + c] =
            to_level(encode_level(encode, decode[row[3 * x + c]] + add * (light ? light[c] : 1.0)));
    }
  }
}

gboolean
eval_blemish_parse(const char *name, EvalBlemish *blemish)
{
  static const char *names[] = {"spot", "scar", "oleo", "sooty"};

  for (guint i = 0; i < G_N_ELEMENTS(names); i++)
    if (g_strcmp0(name, names[i]) == 0) {
      *blemish = (EvalBlemish)(i + 1);
      return TRUE;
    }
  return FALSE;
}

/* How each blemish looks: its colour (sRGB, as seen under the white light that shows an orange
 * peel as BLEMISH_PEEL), the share of its radius over which its edge fades in (from 1 - edge
 * to 1 + edge of the radius), how rough its surface is (the amplitude of its lightness's
 * noise) and how elongated. */
typedef struct {
  guint8 srgb[3];
  double edge, rough, aspect;
} BlemishLook;

static const BlemishLook blemish_looks[] = {
    [EVAL_BLEMISH_SPOT] = {{110, 66, 36}, 0.15, 0.10, 1.0},
    [EVAL_BLEMISH_SCAR] = {{206, 168, 112}, 0.25, 0.20, 3.0},
    [EVAL_BLEMISH_OLEO] = {{168, 120, 48}, 0.50, 0.08, 1.0},
    [EVAL_BLEMISH_SOOTY] = {{62, 58, 52}, 0.30, 0.12, 1.0},
};

/* An orange peel's colour in white light (sRGB): the light a blemish's colour is taken in. */
static const guint8 BLEMISH_PEEL[3] = {232, 130, 28};

static double
luminance(const double rgb[3])
{
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* Value noise, -1 to 1, on a grid of @cell pixels: a hash of each grid point's corner,
 * bilinearly interpolated. */
static double
value_noise(guint32 seed, double x, double y, double cell)
{
  double gx = x / cell, gy = y / cell, fx = gx - floor(gx), fy = gy - floor(gy), v[4];
  gint64 ix = (gint64)floor(gx), iy = (gint64)floor(gy);

  for (int k = 0; k < 4; k++) {
    guint32 h = seed ^ (guint32)(ix + (k & 1)) * 73856093u ^ (guint32)(iy + (k >> 1)) * 19349663u;

    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    v[k] = h / 2147483647.5 - 1.0;
  }
  fx = fx * fx * (3 - 2 * fx);
  fy = fy * fy * (3 - 2 * fy);
  return (v[0] * (1 - fx) + v[1] * fx) * (1 - fy) + (v[2] * (1 - fx) + v[3] * fx) * fy;
}

void
eval_variant_blemish(PtImage *image, EvalBlemish blemish, double share, guint32 seed, double cx,
                     double cy, double rx, double ry)
{
  const BlemishLook *look = &blemish_looks[blemish];
  double encode[ENCODE_STEPS + 1], decode[256], target[3], peel[3], wobble[3], phase[3];
  double r0 = sqrt(share * rx * ry), angle, a, b, px, py, reach, light, peel_y;
  guint hist[256] = {0}, n = 0, half = 0;
  int level = 0;
  g_autoptr(GRand) rand = g_rand_new_with_seed(seed);

  srgb_tables(decode, encode);
  for (int c = 0; c < 3; c++) {
    target[c] = decode[look->srgb[c]];
    peel[c] = decode[BLEMISH_PEEL[c]];
  }
  /* The light on the face: the median luma of its inner part, in linear light, against the
   * reference peel's luminance, so that the blemish is as light as it would be beside this
   * peel. */
  for (int y = MAX(0, (int)(cy - 0.6 * ry)); y < MIN(image->height, (int)(cy + 0.6 * ry)); y++)
    for (int x = MAX(0, (int)(cx - 0.6 * rx)); x < MIN(image->width, (int)(cx + 0.6 * rx)); x++) {
      const guint8 *p = image->pixels + (gsize)y * image->stride + 3 * x;
      double u = (x + 0.5 - cx) / rx, v = (y + 0.5 - cy) / ry;

      if (u * u + v * v > 0.36)
        continue;
      hist[(p[0] * 54 + p[1] * 183 + p[2] * 19) >> 8]++;
      n++;
    }
  for (level = 0; level < 255 && (half += hist[level]) < n / 2; level++)
    ;
  peel_y = luminance(peel);
  light = decode[level] / peel_y;
  /* Its place: within the inner half of the face, at an even chance per area. */
  angle = g_rand_double_range(rand, 0, 2 * G_PI);
  reach = 0.45 * sqrt(g_rand_double(rand));
  px = cx + reach * rx * cos(angle);
  py = cy + reach * ry * sin(angle);
  angle = g_rand_double_range(rand, 0, G_PI);
  a = r0 * sqrt(look->aspect);
  b = r0 / sqrt(look->aspect);
  for (int k = 0; k < 3; k++) {
    wobble[k] = g_rand_double_range(rand, 0.05, 0.18) / (k + 1);
    phase[k] = g_rand_double_range(rand, 0, 2 * G_PI);
  }
  for (int y = MAX(0, (int)floor(py - 2 * a)); y < MIN(image->height, (int)ceil(py + 2 * a)); y++) {
    guint8 *row = image->pixels + (gsize)y * image->stride;

    for (int x = MAX(0, (int)floor(px - 2 * a)); x < MIN(image->width, (int)ceil(px + 2 * a));
         x++) {
      double dx = x + 0.5 - px, dy = y + 0.5 - py, fu = (x + 0.5 - cx) / rx,
             fv = (y + 0.5 - cy) / ry;
      double u = (dx * cos(angle) + dy * sin(angle)) / a;
      double v = (-dx * sin(angle) + dy * cos(angle)) / b;
      double theta = atan2(v, u), rim = 1.0, rho, alpha, old[3], shade, rough;

      if (fu * fu + fv * fv >= 1.0)
        continue;
      for (int k = 0; k < 3; k++)
        rim += wobble[k] * sin((k + 2) * theta + phase[k]);
      rho = sqrt(u * u + v * v) / rim;
      alpha = CLAMP((1 + look->edge - rho) / (2 * look->edge), 0.0, 1.0);
      if (alpha <= 0.0)
        continue;
      alpha = alpha * alpha * (3 - 2 * alpha);
      for (int c = 0; c < 3; c++)
        old[c] = decode[row[3 * x + c]];
      /* The peel's own shading and dimples, read off its lightness, carry over. */
      shade = CLAMP(luminance(old) / (light * peel_y), 0.2, 3.0);
      rough = 1.0 + look->rough * value_noise(seed, x, y, MAX(r0 / 4, 1.5));
      for (int c = 0; c < 3; c++) {
        double painted = target[c] * light * shade * rough;

        row[3 * x + c] = to_level(encode_level(encode, (1 - alpha) * old[c] + alpha * painted));
      }
    }
  }
}

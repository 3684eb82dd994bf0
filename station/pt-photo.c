/* pt-photo.c: photos decoded, shrunk and encoded again with libjpeg-turbo (see pt-photo.h).
 * The JPEG decoder scales by the largest of libjpeg's factors (1/2, 1/4, 1/8, ...) that keeps
 * the long edge at or above the target, then an area average brings it down to the exact
 * size; a warning from the decoder (truncated or corrupt data) fails the photo.  A PNG (an
 * operator's product photo or scanned certificate) is decoded whole by libpng's simplified
 * API, its transparency laid on white, then shrunk and encoded the same way.  A phone's JPEG
 * is turned upright as its Exif orientation says (pt-image-io.h) before it is encoded: the
 * new file carries no Exif, so a portrait would otherwise lie on its side. */
#include "pt-photo.h"

#include "pt-error.h"
#include "pt-image-io.h"
#include "pt-limits.h"

#include <png.h>
#include <string.h>
#include <turbojpeg.h>

/* The decoder's scaling factor that leaves the long edge @long_edge smallest but still at
 * least @max_edge (1/1 when the photo is already small enough). */
static tjscalingfactor
pick_scale(int long_edge, int max_edge)
{
  tjscalingfactor best = {1, 1};
  int n = 0;
  tjscalingfactor *factors = tjGetScalingFactors(&n);
  for (int i = 0; factors && i < n; i++) {
    tjscalingfactor f = factors[i];
    int scaled = TJSCALED(long_edge, f);
    if (f.num < f.denom && scaled >= max_edge && scaled < TJSCALED(long_edge, best))
      best = f;
  }
  return best;
}

/* Shrinks packed RGB @src (@sw x @sh) into @dst (@dw x @dh) by averaging the source area
 * under each destination pixel. */
static void
area_resize(const guint8 *src, int sw, int sh, guint8 *dst, int dw, int dh)
{
  for (int y = 0; y < dh; y++) {
    int y0 = (int)((gint64)y * sh / dh), y1 = (int)((gint64)(y + 1) * sh / dh);
    if (y1 <= y0)
      y1 = y0 + 1;
    for (int x = 0; x < dw; x++) {
      int x0 = (int)((gint64)x * sw / dw), x1 = (int)((gint64)(x + 1) * sw / dw);
      if (x1 <= x0)
        x1 = x0 + 1;
      guint64 sum[3] = {0, 0, 0};
      for (int yy = y0; yy < y1; yy++) {
        const guint8 *p = src + ((gsize)yy * sw + x0) * 3;
        for (int xx = x0; xx < x1; xx++, p += 3) {
          sum[0] += p[0];
          sum[1] += p[1];
          sum[2] += p[2];
        }
      }
      guint64 n = (guint64)(y1 - y0) * (guint64)(x1 - x0);
      guint8 *q = dst + ((gsize)y * dw + x) * 3;
      for (int c = 0; c < 3; c++)
        q[c] = (guint8)((sum[c] + n / 2) / n);
    }
  }
}

/* Shrinks packed RGB @pixels (@sw x @sh) to a long edge of at most @max_edge, turns it
 * upright by Exif @orientation (1 to 8) and encodes it.  Returns: (transfer full)
 * (nullable). */
static GBytes *
shrink_encode(const guint8 *pixels, int sw, int sh, int max_edge, int orientation, int quality,
              int *width_out, int *height_out, GError **error)
{
  g_autofree guint8 *small = NULL;
  g_autoptr(PtImage) upright = NULL;
  unsigned char *jpeg = NULL;
  unsigned long jpeg_len = 0;
  GBytes *out = NULL;
  int dw = sw, dh = sh, stride;
  const guint8 *final = pixels;
  if (MAX(sw, sh) > max_edge) {
    if (sw >= sh) {
      dw = max_edge;
      dh = MAX(1, (int)(((gint64)sh * max_edge + sw / 2) / sw));
    } else {
      dh = max_edge;
      dw = MAX(1, (int)(((gint64)sw * max_edge + sh / 2) / sh));
    }
    small = g_malloc((gsize)dw * dh * 3);
    area_resize(pixels, sw, sh, small, dw, dh);
    final = small;
  }
  stride = dw * 3;
  if (orientation != 1) {
    PtImage view = {.width = dw, .height = dh, .stride = stride, .pixels = (guint8 *) final};

    if (!(upright = pt_image_orient(&view, orientation, NULL))) {
      g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "cannot turn a %d x %d photo upright", dw, dh);
      return NULL;
    }
    dw = upright->width;
    dh = upright->height;
    stride = upright->stride;
    final = upright->pixels;
  }
  tjhandle enc = tjInitCompress();
  if (!enc) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "cannot start the JPEG encoder");
    return NULL;
  }
  if (tjCompress2(enc, final, dw, stride, dh, TJPF_RGB, &jpeg, &jpeg_len, TJSAMP_420, quality, 0) !=
      0) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "cannot encode the photo: %s",
                tjGetErrorStr2(enc));
  } else {
    out = g_bytes_new(jpeg, jpeg_len);
    *width_out = dw;
    *height_out = dh;
  }
  tjFree(jpeg);
  tjDestroy(enc);
  return out;
}

/* A PNG, decoded whole (libpng has no scaled decode) once its size is known to be bounded. */
static GBytes *
normalise_png(const guint8 *data, gsize len, int max_edge, int quality, int *width_out,
              int *height_out, GError **error)
{
  png_image image = {.version = PNG_IMAGE_VERSION};
  if (!png_image_begin_read_from_memory(&image, data, len)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the photo is not a readable PNG: %s",
                image.message);
    return NULL;
  }
  if ((gint64)image.width * image.height > PT_PHOTO_PIXELS_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "the photo is %u x %u pixels; at most %d megapixels are accepted", image.width,
                image.height, PT_PHOTO_PIXELS_MAX / 1000000);
    png_image_free(&image);
    return NULL;
  }
  image.format = PNG_FORMAT_RGB;
  g_autofree guint8 *pixels = g_try_malloc(PNG_IMAGE_SIZE(image));
  if (!pixels) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "out of memory for a %u x %u photo", image.width,
                image.height);
    png_image_free(&image);
    return NULL;
  }
  /* Transparency over white, as a page shows it. */
  png_color white = {255, 255, 255};
  if (!png_image_finish_read(&image, &white, pixels, 0, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the photo is a corrupt or truncated PNG: %s",
                image.message);
    png_image_free(&image);
    return NULL;
  }
  return shrink_encode(pixels, (int)image.width, (int)image.height, max_edge, 1, quality, width_out,
                       height_out, error);
}

GBytes *
pt_photo_normalise(const guint8 *data, gsize len, int max_edge, int quality, int *width_out,
                   int *height_out, GError **error)
{
  GBytes *out = NULL;
  guint8 *pixels = NULL;
  int width = 0, height = 0, subsamp, colorspace;

  if (len >= 8 && png_sig_cmp(data, 0, 8) == 0)
    return normalise_png(data, len, max_edge, quality, width_out, height_out, error);
  if (len < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the photo is not a JPEG or PNG image");
    return NULL;
  }
  tjhandle dec = tjInitDecompress();
  if (!dec) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "cannot start the JPEG decoder");
    return NULL;
  }
  /* libjpeg-turbo 2.1 can return 0 from a header without a frame and leave the size unset. */
  if (tjDecompressHeader3(dec, data, (unsigned long)len, &width, &height, &subsamp, &colorspace) !=
          0 ||
      width <= 0 || height <= 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the photo is not a readable JPEG: %s",
                tjGetErrorStr2(dec));
    goto out_destroy_dec;
  }
  if ((gint64)width * height > PT_PHOTO_PIXELS_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "the photo is %d x %d pixels; at most %d megapixels are accepted", width, height,
                PT_PHOTO_PIXELS_MAX / 1000000);
    goto out_destroy_dec;
  }
  tjscalingfactor f = pick_scale(MAX(width, height), max_edge);
  int sw = TJSCALED(width, f), sh = TJSCALED(height, f);
  pixels = g_try_malloc((gsize)sw * sh * 3);
  if (!pixels) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "out of memory for a %d x %d photo", sw, sh);
    goto out_destroy_dec;
  }
  if (tjDecompress2(dec, data, (unsigned long)len, pixels, sw, sw * 3, sh, TJPF_RGB,
                    TJFLAG_STOPONWARNING) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the photo is a corrupt or truncated JPEG: %s",
                tjGetErrorStr2(dec));
    goto out_free_pixels;
  }
  out = shrink_encode(pixels, sw, sh, max_edge, pt_jpeg_exif_orientation(data, len), quality,
                      width_out, height_out, error);
  g_free(pixels);
  tjDestroy(dec);
  return out;

out_free_pixels:
  g_free(pixels);
out_destroy_dec:
  tjDestroy(dec);
  return out;
}

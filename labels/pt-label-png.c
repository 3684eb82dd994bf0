/* pt-label-png.c: PNG files of rendered labels.  A label is black on white with grey
 * antialiased edges, so it goes out as 8-bit greyscale (a quarter of cairo's RGB24
 * bytes to filter and deflate) at zlib's fastest level: for this content that is
 * about ten times faster than cairo's writer and the files stay as small.  Lossless: a
 * surface with any coloured pixel is written as 8-bit RGB instead.  Runs once per PNG
 * label. */
#include <string.h>
#include <zlib.h>

#include "pt-label-private.h"

static void
put_be32(guint8 *p, guint32 v)
{
  p[0] = (guint8)(v >> 24);
  p[1] = (guint8)(v >> 16);
  p[2] = (guint8)(v >> 8);
  p[3] = (guint8)v;
}

static void
append_chunk(GByteArray *out, const char *type, const guint8 *data, gsize len)
{
  guint8 head[8], crc[4];
  put_be32(head, (guint32)len);
  memcpy(head + 4, type, 4);
  g_byte_array_append(out, head, 8);
  if (len)
    g_byte_array_append(out, data, (guint)len);
  uLong c = crc32(0, head + 4, 4);
  if (len) /* zlib answers crc32(c, NULL, 0) with its initial value, not c */
    c = crc32(c, data, (uInt)len);
  put_be32(crc, (guint32)c);
  g_byte_array_append(out, crc, 4);
}

/* The scanlines with PNG filter type 0 before each; grey when every pixel of @surface
 * has r == g == b.  Returns: (transfer full). */
static guint8 *
scanlines(cairo_surface_t *surface, gboolean *grey, gsize *len)
{
  int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
  int stride = cairo_image_surface_get_stride(surface);
  const guint8 *data = cairo_image_surface_get_data(surface);
  gsize row = 1 + (gsize)w;
  guint8 *raw = g_malloc(row * (gsize)h);
  for (int y = 0; y < h; y++) {
    const guint32 *px = (const guint32 *)(data + (gsize)y * (gsize)stride);
    guint8 *dst = raw + (gsize)y * row;
    dst[0] = 0;
    for (int x = 0; x < w; x++) {
      guint32 p = px[x];
      guint8 b = (guint8)p;
      if (G_UNLIKELY((p & 0xffffff) != b * 0x010101u))
        goto out_colour;
      dst[1 + x] = b;
    }
  }
  *grey = TRUE;
  *len = row * (gsize)h;
  return raw;

out_colour:
  g_free(raw);
  row = 1 + 3 * (gsize)w;
  raw = g_malloc(row * (gsize)h);
  for (int y = 0; y < h; y++) {
    const guint32 *px = (const guint32 *)(data + (gsize)y * (gsize)stride);
    guint8 *dst = raw + (gsize)y * row;
    dst[0] = 0;
    for (int x = 0; x < w; x++) {
      dst[1 + 3 * x] = (guint8)(px[x] >> 16);
      dst[2 + 3 * x] = (guint8)(px[x] >> 8);
      dst[3 + 3 * x] = (guint8)px[x];
    }
  }
  *grey = FALSE;
  *len = row * (gsize)h;
  return raw;
}

GBytes *
pt_label_png_encode(cairo_surface_t *surface, GError **error)
{
  g_return_val_if_fail(cairo_image_surface_get_format(surface) == CAIRO_FORMAT_RGB24, NULL);
  cairo_surface_flush(surface);
  gboolean grey;
  gsize raw_len;
  g_autofree guint8 *raw = scanlines(surface, &grey, &raw_len);
  uLongf z_len = compressBound((uLong)raw_len);
  g_autofree guint8 *z = g_malloc(z_len);
  if (compress2(z, &z_len, raw, (uLong)raw_len, Z_BEST_SPEED) != Z_OK) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER, "PNG output: deflate failed");
    return NULL;
  }
  if (z_len > PT_LABEL_FILE_MAX - 64) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER,
                "PNG output: image too large, at most %d bytes", PT_LABEL_FILE_MAX);
    return NULL;
  }
  guint8 ihdr[13];
  put_be32(ihdr, (guint32)cairo_image_surface_get_width(surface));
  put_be32(ihdr + 4, (guint32)cairo_image_surface_get_height(surface));
  ihdr[8] = 8;             /* bits per sample */
  ihdr[9] = grey ? 0 : 2;  /* colour type: greyscale, or truecolour */
  ihdr[10] = ihdr[11] = 0; /* deflate, adaptive filtering (we use type 0 throughout) */
  ihdr[12] = 0;            /* not interlaced */
  GByteArray *out = g_byte_array_sized_new((guint)z_len + 64);
  g_byte_array_append(out, (const guint8 *)"\x89PNG\r\n\x1a\n", 8);
  append_chunk(out, "IHDR", ihdr, sizeof ihdr);
  append_chunk(out, "IDAT", z, z_len);
  append_chunk(out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes(out);
}

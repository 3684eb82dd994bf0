/* pt-image-io.c: decoding JPEG (TurboJPEG), PNG (libpng) and HEIF (libheif: an iPhone's
 * HEIC) into PtImage, and encoding PtImage as PNG or JPEG.
 *
 * These run on files a user names and on fuzzer input, so every size is
 * checked against pt-models-limits.h before any allocation, libpng errors come back
 * through setjmp into a GError, and a TurboJPEG warning about truncated data
 * is treated as an error: a half-decoded frame must not be graded.
 *
 * A phone stores a photo as its sensor read it and says in the Exif Orientation tag how to
 * turn it upright; every viewer and labelling tool shows it turned, so the boxes people draw
 * on it (`--roi`, a labelled set's annotations) are upright coordinates.  A JPEG is decoded
 * upright: its Exif orientation, read by a bounds-checked walk of its markers
 * (pt_jpeg_exif_orientation ()), is applied to the decoded pixels.  A HEIF image carries its
 * turn and mirror in the file's own transformations, which libheif applies. */
#include "pt-internal.h"

#include <libheif/heif.h>
#include <png.h>
#include <setjmp.h>
#include <string.h>
#include <turbojpeg.h>

static gboolean
check_size(int width, int height, GError **error)
{
  if (width <= 0 || height <= 0) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "image has no pixels");
    return FALSE;
  }
  if (width > PT_IMAGE_MAX_SIDE || height > PT_IMAGE_MAX_SIDE ||
      (gint64)width * height > PT_IMAGE_MAX_PIXELS) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE,
                "image too large (%d x %d, limit %d pixels)", width, height, PT_IMAGE_MAX_PIXELS);
    return FALSE;
  }
  return TRUE;
}

/* The big- or little-endian 16- and 32-bit numbers of a TIFF structure. */
static guint
tiff_u16(const guint8 *p, gboolean big)
{
  return big ? (guint)p[0] << 8 | p[1] : (guint)p[1] << 8 | p[0];
}

static guint32
tiff_u32(const guint8 *p, gboolean big)
{
  return big ? (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3]
             : (guint32)p[3] << 24 | (guint32)p[2] << 16 | (guint32)p[1] << 8 | p[0];
}

/* The Orientation (tag 0x0112, one SHORT) of the TIFF structure @tiff of @len bytes, the
 * body of an Exif segment: its first image directory (IFD0) holds it.  0 when absent. */
static int
tiff_orientation(const guint8 *tiff, gsize len)
{
  gboolean big;
  guint32 ifd;
  guint n;

  if (len < 8 || !((tiff[0] == 'I' && tiff[1] == 'I') || (tiff[0] == 'M' && tiff[1] == 'M')))
    return 0;
  big = tiff[0] == 'M';
  ifd = tiff_u32(tiff + 4, big);
  if (tiff_u16(tiff + 2, big) != 42 || ifd > len - 2)
    return 0;
  n = tiff_u16(tiff + ifd, big);
  for (guint i = 0; i < n && ifd + 2 + 12 * (gsize)(i + 1) <= len; i++) {
    const guint8 *e = tiff + ifd + 2 + 12 * (gsize)i;

    /* Type 3 is SHORT; one of them sits in the first two bytes of the value field. */
    if (tiff_u16(e, big) == 0x0112)
      return tiff_u16(e + 2, big) == 3 && tiff_u32(e + 4, big) == 1 ? (int)tiff_u16(e + 8, big) : 0;
  }
  return 0;
}

int
pt_jpeg_exif_orientation(const guint8 *data, gsize len)
{
  gsize pos = 2;

  if (len < 4 || data[0] != 0xff || data[1] != 0xd8)
    return 1;
  /* Markers up to the first scan: FF, a code, and (but for RSTn and TEM) a big-endian length
   * that counts itself.  Fill bytes (FF FF ...) may precede a code. */
  while (pos + 4 <= len) {
    guint8 code;
    gsize seg;

    if (data[pos] != 0xff)
      return 1;
    while (pos + 1 < len && data[pos + 1] == 0xff)
      pos++;
    if (pos + 4 > len)
      return 1;
    code = data[pos + 1];
    if (code == 0xda || code == 0xd9) /* SOS, EOI: no Exif before the image data */
      return 1;
    if (code == 0x01 || (code >= 0xd0 && code <= 0xd7)) {
      pos += 2;
      continue;
    }
    seg = (gsize)data[pos + 2] << 8 | data[pos + 3];
    if (seg < 2 || seg > len - pos - 2)
      return 1;
    if (code == 0xe1 && seg >= 2 + 6 && memcmp(data + pos + 4, "Exif\0\0", 6) == 0) {
      int o = tiff_orientation(data + pos + 10, seg - 8);

      return o >= 1 && o <= 8 ? o : 1;
    }
    pos += 2 + seg;
  }
  return 1;
}

PtImage *
pt_image_orient(const PtImage *image, int orientation, GError **error)
{
  /* Where stored pixel (x, y) is seen (Exif 2.3, tag 0x0112: which side of the view the
   * stored 0th row and 0th column are): ox = X[0] x + X[1] y + X[2] (w - 1) + X[3] (h - 1),
   * oy likewise with Y; by orientation, 1 to 8. */
  static const int X[9][4] = {{0},           {1, 0, 0, 0},  {-1, 0, 1, 0},
                              {-1, 0, 1, 0}, {1, 0, 0, 0},  {0, 1, 0, 0},
                              {0, -1, 0, 1}, {0, -1, 0, 1}, {0, 1, 0, 0}};
  static const int Y[9][4] = {{0},           {0, 1, 0, 0},  {0, 1, 0, 0},
                              {0, -1, 0, 1}, {0, -1, 0, 1}, {1, 0, 0, 0},
                              {1, 0, 0, 0},  {-1, 0, 1, 0}, {-1, 0, 1, 0}};
  gboolean swap = orientation >= 5 && orientation <= 8;
  int w = image->width, h = image->height;
  const int *ax, *ay;
  gssize step;
  PtImage *out;

  if (orientation < 1 || orientation > 8) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID,
                "Exif orientation %d is not 1 to 8", orientation);
    return NULL;
  }
  out = pt_image_new(swap ? h : w, swap ? w : h, error);
  if (out == NULL)
    return NULL;
  ax = X[orientation];
  ay = Y[orientation];
  /* One stored pixel to the right moves this far in the output. */
  step = 3 * (gssize)ax[0] + (gssize)ay[0] * out->stride;
  for (int y = 0; y < h; y++) {
    const guint8 *src = image->pixels + (gsize)y * image->stride;
    int ox = ax[1] * y + ax[2] * (w - 1) + ax[3] * (h - 1);
    int oy = ay[1] * y + ay[2] * (w - 1) + ay[3] * (h - 1);
    guint8 *dst = out->pixels + (gssize)oy * out->stride + 3 * (gssize)ox;

    for (int x = 0; x < w; x++, src += 3, dst += step)
      memcpy(dst, src, 3);
  }
  return out;
}

/* @how: PT_IMAGE_UPRIGHT turns the image as its Exif orientation says, which is written
 * into @orientation (nullable) either way. */
static PtImage *
decode_jpeg(const guint8 *data, gsize len, PtImageOrientation how, int *orientation, GError **error)
{
  tjhandle tj;
  PtImage *image = NULL;
  int width, height, subsamp, colorspace;

  if (len > PT_IMAGE_MAX_FILE_BYTES) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE, "JPEG data too large");
    return NULL;
  }
  tj = tjInitDecompress();
  if (tj == NULL) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE,
                        "cannot start the JPEG decoder");
    return NULL;
  }
  if (tjDecompressHeader3(tj, data, (unsigned long)len, &width, &height, &subsamp, &colorspace) !=
      0) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "bad JPEG header: %s",
                tjGetErrorStr2(tj));
    goto out_destroy;
  }
  if (!check_size(width, height, error))
    goto out_destroy;
  image = pt_image_new(width, height, error);
  if (image == NULL)
    goto out_destroy;
  if (tjDecompress2(tj, data, (unsigned long)len, image->pixels, width, image->stride, height,
                    TJPF_RGB, TJFLAG_FASTDCT | TJFLAG_STOPONWARNING) != 0) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "corrupt or truncated JPEG: %s",
                tjGetErrorStr2(tj));
    g_clear_pointer(&image, pt_image_free);
  } else {
    int exif = pt_jpeg_exif_orientation(data, len);

    if (orientation)
      *orientation = exif;
    if (exif != 1 && how == PT_IMAGE_UPRIGHT) {
      PtImage *upright = pt_image_orient(image, exif, error);

      pt_image_free(image);
      image = upright;
    }
  }

out_destroy:
  tjDestroy(tj);
  return image;
}

PtImage *
pt_image_decode_jpeg(const guint8 *data, gsize len, GError **error)
{
  return decode_jpeg(data, len, PT_IMAGE_UPRIGHT, NULL, error);
}

typedef struct {
  const guint8 *data;
  gsize len;
  gsize pos;
  char message[128];
} PngReader;

static void
png_read_cb(png_structp png, png_bytep out, png_size_t n)
{
  PngReader *r = png_get_io_ptr(png);

  if (n > r->len - r->pos)
    png_error(png, "truncated PNG data");
  memcpy(out, r->data + r->pos, n);
  r->pos += n;
}

static void
png_error_cb(png_structp png, png_const_charp msg)
{
  PngReader *r = png_get_error_ptr(png);

  g_strlcpy(r->message, msg, sizeof r->message);
  png_longjmp(png, 1);
}

static void
png_warning_cb(png_structp png, png_const_charp msg)
{
}

PtImage *
pt_image_decode_png(const guint8 *data, gsize len, GError **error)
{
  PngReader reader = {data, len, 0, ""};
  png_structp png;
  png_infop info = NULL;
  PtImage *volatile image = NULL;
  png_bytep *volatile rows = NULL;
  png_uint_32 width, height;
  int depth, colour, interlace;

  if (len < 8 || png_sig_cmp(data, 0, 8) != 0) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "not a PNG image");
    return NULL;
  }
  if (len > PT_IMAGE_MAX_FILE_BYTES) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE, "PNG data too large");
    return NULL;
  }
  png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, png_error_cb, png_warning_cb);
  if (png == NULL)
    goto out_oom;
  info = png_create_info_struct(png);
  if (info == NULL)
    goto out_destroy;
  if (setjmp(png_jmpbuf(png))) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "corrupt PNG: %s", reader.message);
    g_clear_pointer((PtImage **)&image, pt_image_free);
    goto out_destroy;
  }
  png_set_read_fn(png, &reader, png_read_cb);
  /* libpng's own cap, so a lying IHDR fails inside libpng too. */
  png_set_user_limits(png, PT_IMAGE_MAX_SIDE, PT_IMAGE_MAX_SIDE);
  png_set_chunk_malloc_max(png, PT_IMAGE_MAX_FILE_BYTES);
  png_read_info(png, info);
  png_get_IHDR(png, info, &width, &height, &depth, &colour, &interlace, NULL, NULL);
  if (!check_size((int)width, (int)height, error))
    goto out_destroy;

  /* Everything becomes 8-bit RGB: palettes expand, grey is copied into
   * three channels, alpha (or a palette's transparency) is dropped, 16-bit is cut to 8. */
  if (colour == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb(png);
  if (colour == PNG_COLOR_TYPE_GRAY && depth < 8)
    png_set_expand_gray_1_2_4_to_8(png);
  if (depth == 16)
    png_set_strip_16(png);
  /* A palette with transparency (tRNS) expands to RGBA: its alpha goes as well. */
  if ((colour & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
    png_set_strip_alpha(png);
  if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA)
    png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != (png_size_t)width * 3) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE,
                        "unsupported PNG pixel layout");
    goto out_destroy;
  }
  image = pt_image_new((int)width, (int)height, error);
  if (image == NULL)
    goto out_destroy;
  rows = g_new(png_bytep, height);
  for (png_uint_32 y = 0; y < height; y++)
    rows[y] = image->pixels + (gsize)y * image->stride;
  png_read_image(png, rows);
  png_read_end(png, NULL);

out_destroy:
  g_free(rows);
  png_destroy_read_struct(&png, &info, NULL);
  return image;

out_oom:
  g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE,
                      "cannot start the PNG decoder");
  return NULL;
}

/* Whether @data starts as an ISO base media file (a HEIF image's "ftyp" box). */
static gboolean
is_heif(const guint8 *data, gsize len)
{
  return len >= 12 && memcmp(data + 4, "ftyp", 4) == 0;
}

/* Decodes the primary image of HEIF @data @how (libheif's transformations applied, or
 * ignored for the image as stored); its size is checked against the limits before the
 * pixels are decoded.  @orientation (nullable) gets 1: a HEIF file's turn is no Exif tag. */
static PtImage *
decode_heif(const guint8 *data, gsize len, PtImageOrientation how, int *orientation, GError **error)
{
  struct heif_context *ctx = NULL;
  struct heif_image_handle *handle = NULL;
  struct heif_image *decoded = NULL;
  struct heif_decoding_options *options = NULL;
  struct heif_error err;
  PtImage *image = NULL;
  const guint8 *plane;
  int width, height, stride;

  if (orientation)
    *orientation = 1;
  if (len > PT_IMAGE_MAX_FILE_BYTES) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE, "HEIF data too large");
    return NULL;
  }
  if (heif_check_filetype(data, 12) != heif_filetype_yes_supported) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE,
                        "not a HEIF image libheif reads (an ISO media file of another brand)");
    return NULL;
  }
  ctx = heif_context_alloc();
  if (ctx == NULL) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE,
                        "cannot start the HEIF decoder");
    return NULL;
  }
  heif_context_set_maximum_image_size_limit(ctx, PT_IMAGE_MAX_SIDE);
  err = heif_context_read_from_memory_without_copy(ctx, data, len, NULL);
  if (err.code == heif_error_Ok)
    err = heif_context_get_primary_image_handle(ctx, &handle);
  if (err.code != heif_error_Ok) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "corrupt HEIF: %s", err.message);
    goto out;
  }
  width = how == PT_IMAGE_AS_STORED ? heif_image_handle_get_ispe_width(handle)
                                    : heif_image_handle_get_width(handle);
  height = how == PT_IMAGE_AS_STORED ? heif_image_handle_get_ispe_height(handle)
                                     : heif_image_handle_get_height(handle);
  if (!check_size(width, height, error))
    goto out;
  options = heif_decoding_options_alloc();
  options->ignore_transformations = how == PT_IMAGE_AS_STORED;
  err = heif_decode_image(handle, &decoded, heif_colorspace_RGB, heif_chroma_interleaved_RGB,
                          options);
  if (err.code != heif_error_Ok) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "corrupt HEIF: %s", err.message);
    goto out;
  }
  width = heif_image_get_width(decoded, heif_channel_interleaved);
  height = heif_image_get_height(decoded, heif_channel_interleaved);
  plane = heif_image_get_plane_readonly(decoded, heif_channel_interleaved, &stride);
  if (plane == NULL || !check_size(width, height, error) || stride < 3 * width) {
    if (error && !*error)
      g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE,
                          "HEIF image without 8-bit RGB pixels");
    goto out;
  }
  image = pt_image_new(width, height, error);
  for (int y = 0; image && y < height; y++)
    memcpy(image->pixels + (gsize)y * image->stride, plane + (gsize)y * stride, 3 * (gsize)width);

out:
  heif_decoding_options_free(options);
  heif_image_release(decoded);
  heif_image_handle_release(handle);
  heif_context_free(ctx);
  return image;
}

PtImage *
pt_image_decode_oriented(const guint8 *data, gsize len, PtImageOrientation how, int *orientation,
                         GError **error)
{
  static const guint8 png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  if (orientation)
    *orientation = 1;
  if (data == NULL || len == 0) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE, "empty image data");
    return NULL;
  }
  if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return decode_jpeg(data, len, how, orientation, error);
  if (len >= 8 && memcmp(data, png_magic, 8) == 0)
    return pt_image_decode_png(data, len, error);
  if (is_heif(data, len))
    return decode_heif(data, len, how, orientation, error);
  g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE,
                      "unknown image format (JPEG, PNG and HEIF are read)");
  return NULL;
}

PtImage *
pt_image_decode(const guint8 *data, gsize len, GError **error)
{
  return pt_image_decode_oriented(data, len, PT_IMAGE_UPRIGHT, NULL, error);
}

PtImage *
pt_image_load(const char *path, GError **error)
{
  return pt_image_load_oriented(path, PT_IMAGE_UPRIGHT, NULL, error);
}

PtImage *
pt_image_load_oriented(const char *path, PtImageOrientation how, int *orientation, GError **error)
{
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GError) local = NULL;
  PtImage *image;

  map = g_mapped_file_new(path, FALSE, &local);
  if (map == NULL) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_IO, "%s", local->message);
    return NULL;
  }
  if (g_mapped_file_get_length(map) > PT_IMAGE_MAX_FILE_BYTES) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE, "%s: file too large", path);
    return NULL;
  }
  image = pt_image_decode_oriented((const guint8 *)g_mapped_file_get_contents(map),
                                   g_mapped_file_get_length(map), how, orientation, &local);
  if (image == NULL)
    g_set_error(error, local->domain, local->code, "%s: %s", path, local->message);
  return image;
}

static void
png_write_cb(png_structp png, png_bytep in, png_size_t n)
{
  g_byte_array_append(png_get_io_ptr(png), in, (guint)n);
}

static void
png_flush_cb(png_structp png)
{
}

GBytes *
pt_image_encode_png(const PtImage *image, GError **error)
{
  PngReader err = {NULL, 0, 0, ""};
  GByteArray *volatile out = g_byte_array_new();
  png_structp png;
  png_infop info = NULL;

  png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, png_error_cb, png_warning_cb);
  if (png == NULL)
    goto out_fail;
  info = png_create_info_struct(png);
  if (info == NULL || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    goto out_fail;
  }
  png_set_write_fn(png, out, png_write_cb, png_flush_cb);
  png_set_IHDR(png, info, (png_uint_32)image->width, (png_uint_32)image->height, 8,
               PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  for (int y = 0; y < image->height; y++)
    png_write_row(png, image->pixels + (gsize)y * image->stride);
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return g_byte_array_free_to_bytes(out);

out_fail:
  g_byte_array_unref(out);
  g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_IO, "cannot encode PNG: %s", err.message);
  return NULL;
}

gboolean
pt_image_save_png(const PtImage *image, const char *path, GError **error)
{
  g_autoptr(GBytes) png = pt_image_encode_png(image, error);
  g_autoptr(GError) local = NULL;

  if (png == NULL)
    return FALSE;
  /* g_file_set_contents writes a temp file, fsyncs and renames it. */
  if (!g_file_set_contents_full(path, g_bytes_get_data(png, NULL), (gssize)g_bytes_get_size(png),
                                G_FILE_SET_CONTENTS_CONSISTENT, 0644, &local)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_IO, "%s", local->message);
    return FALSE;
  }
  return TRUE;
}

GBytes *
pt_image_encode_jpeg(const PtImage *image, int quality, GError **error)
{
  tjhandle tj = tjInitCompress();
  unsigned char *buf = NULL;
  unsigned long size = 0;
  GBytes *bytes = NULL;

  if (tj == NULL) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_IO,
                        "cannot start the JPEG encoder");
    return NULL;
  }
  if (tjCompress2(tj, image->pixels, image->width, image->stride, image->height, TJPF_RGB, &buf,
                  &size, TJSAMP_420, CLAMP(quality, 1, 100), TJFLAG_FASTDCT) != 0)
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_IO, "cannot encode JPEG: %s",
                tjGetErrorStr2(tj));
  else
    bytes = g_bytes_new(buf, size);
  tjFree(buf);
  tjDestroy(tj);
  return bytes;
}

/* pt-image-io.h: JPEG (TurboJPEG) and PNG (libpng) in and out.
 *
 * Decoders check the header's size against pt-models-limits.h before allocating,
 * so a huge or lying header costs nothing; corrupt and truncated data give a
 * PT_MODELS_ERROR_DECODE error. */
#pragma once

#include "pt-image.h"

G_BEGIN_DECLS

/* Decodes JPEG or PNG, chosen by the signature bytes.
 * @data: (transfer none). Returns: (transfer full). */
PtImage *pt_image_decode(const guint8 *data, gsize len, GError **error);
PtImage *pt_image_decode_jpeg(const guint8 *data, gsize len, GError **error);
PtImage *pt_image_decode_png(const guint8 *data, gsize len, GError **error);

/* Reads and decodes a file of at most PT_IMAGE_MAX_FILE_BYTES.
 * Returns: (transfer full). */
PtImage *pt_image_load(const char *path, GError **error);

/* Encodes @image as an 8-bit RGB PNG. Returns: (transfer full) bytes. */
GBytes *pt_image_encode_png(const PtImage *image, GError **error);
/* Writes a PNG next to @path, syncs it and renames it over @path. */
gboolean pt_image_save_png(const PtImage *image, const char *path, GError **error);

/* Encodes @image as a JPEG of @quality (1..100). Returns: (transfer full). */
GBytes *pt_image_encode_jpeg(const PtImage *image, int quality, GError **error);

G_END_DECLS

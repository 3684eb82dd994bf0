/* pt-image-io.h: JPEG (TurboJPEG) and PNG (libpng) in and out, HEIF (libheif) in.
 *
 * Decoders check the header's size against pt-models-limits.h before allocating,
 * so a huge or lying header costs nothing; corrupt and truncated data give a
 * PT_MODELS_ERROR_DECODE error. */
#pragma once

#include "pt-image.h"

G_BEGIN_DECLS

/* How a JPEG with an Exif Orientation tag is decoded: upright, turned or mirrored as the tag
 * says (as viewers and most labelling tools show it), or as stored (as the sensor wrote it,
 * which tools that ignore the tag show). */
typedef enum {
  PT_IMAGE_UPRIGHT,
  PT_IMAGE_AS_STORED,
} PtImageOrientation;

/* Decodes JPEG, PNG or HEIF (an iPhone's HEIC), chosen by the signature bytes, upright: a
 * JPEG turned as its Exif orientation says, a HEIF image by its own transformations.
 * @data: (transfer none). Returns: (transfer full). */
PtImage *pt_image_decode(const guint8 *data, gsize len, GError **error);
/* pt_image_decode () decoding a JPEG or HEIF image @how; @orientation (nullable) gets a
 * JPEG's Exif orientation (1 for a PNG, a HEIF image, or a JPEG without one). */
PtImage *pt_image_decode_oriented(const guint8 *data, gsize len, PtImageOrientation how,
                                  int *orientation, GError **error);
PtImage *pt_image_decode_jpeg(const guint8 *data, gsize len, GError **error);
PtImage *pt_image_decode_png(const guint8 *data, gsize len, GError **error);

/* The Exif Orientation (1 to 8) of JPEG @data: 1 (as stored) when it has no Exif segment
 * before its first scan, no orientation in it, or a malformed or out-of-range one. */
int pt_jpeg_exif_orientation(const guint8 *data, gsize len);
/* @image as seen upright when stored with Exif @orientation (1 to 8; 5 to 8 swap the width
 * and height).  Returns: (transfer full) a new image. */
PtImage *pt_image_orient(const PtImage *image, int orientation, GError **error);

/* Reads and decodes a file of at most PT_IMAGE_MAX_FILE_BYTES, a JPEG upright.
 * Returns: (transfer full). */
PtImage *pt_image_load(const char *path, GError **error);
/* pt_image_load () decoding a JPEG @how, as pt_image_decode_oriented (). */
PtImage *pt_image_load_oriented(const char *path, PtImageOrientation how, int *orientation,
                                GError **error);

/* Encodes @image as an 8-bit RGB PNG. Returns: (transfer full) bytes. */
GBytes *pt_image_encode_png(const PtImage *image, GError **error);
/* Writes a PNG next to @path, syncs it and renames it over @path. */
gboolean pt_image_save_png(const PtImage *image, const char *path, GError **error);

/* Encodes @image as a JPEG of @quality (1..100). Returns: (transfer full). */
GBytes *pt_image_encode_jpeg(const PtImage *image, int quality, GError **error);

G_END_DECLS

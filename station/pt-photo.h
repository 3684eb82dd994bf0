/* pt-photo.h: photos taken on a driver's phone (truck plate, seal) and an operator's product
 * photos and certificate scans (pt-attachment.c), made into evidence JPEGs: decoded with
 * libjpeg-turbo (scaled while decoding, so a 48-megapixel photo never costs its full size in
 * memory) or libpng, shrunk to a bounded long edge, turned upright as a phone's Exif
 * orientation says, and encoded again.  The new file carries no EXIF (no location, no phone
 * model). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Re-encodes the JPEG or PNG @data (untrusted, told apart by its magic) as a JPEG whose long
 * edge is at most @max_edge pixels.  Neither, corrupt or truncated data, or more than
 * PT_PHOTO_PIXELS_MAX pixels: a PT_ERROR_INVALID error saying which.  @width_out and @height_out
 * receive the new size. Returns: (transfer full): the new JPEG. */
GBytes *pt_photo_normalise(const guint8 *data, gsize len, int max_edge, int quality, int *width_out,
                           int *height_out, GError **error);

G_END_DECLS

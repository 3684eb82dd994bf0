/* pt-photo.h: photos taken on a driver's phone (truck plate, seal), made into evidence JPEGs:
 * decoded with libjpeg-turbo (scaled while decoding, so a 48-megapixel photo never costs its
 * full size in memory), shrunk to a bounded long edge and encoded again.  The new file carries
 * no EXIF (no location, no phone model). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Re-encodes the JPEG @data (untrusted) so that its long edge is at most @max_edge pixels.
 * Not a JPEG, corrupt or truncated data, or more than PT_PHOTO_PIXELS_MAX pixels: a
 * PT_ERROR_INVALID error saying which.  @width_out and @height_out receive the new size.
 * Returns: (transfer full): the new JPEG. */
GBytes *pt_photo_normalise(const guint8 *data, gsize len, int max_edge, int quality, int *width_out,
                           int *height_out, GError **error);

G_END_DECLS

/* fuzz-exif.c: libFuzzer target for the Exif orientation walk of a JPEG's markers
 * (pt_jpeg_exif_orientation ()), which reads every photo a user or a labelled set hands
 * `packtrace grade` before it is graded: it stays inside the data and says 1 to 8, and the
 * orientation it gives turns a small image into one of the right size.  Built with
 * -Dfuzz=true (clang).
 * Run: fuzz-exif tests/models/fuzz-corpus-exif */
#include "pt-models.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  int o = pt_jpeg_exif_orientation(data, size);
  g_autoptr(PtImage) small = NULL;
  g_autoptr(PtImage) turned = NULL;

  if (o < 1 || o > 8)
    abort();
  small = pt_image_new(3, 2, NULL);
  turned = pt_image_orient(small, o, NULL);
  if (turned == NULL || turned->width != (o >= 5 ? 2 : 3) || turned->height != (o >= 5 ? 3 : 2))
    abort();
  return 0;
}

/* fuzz-grade.c: libFuzzer target for image decoding and grading.
 *
 * The input is an encoded image (JPEG or PNG, as `packtrace grade` reads
 * them); whatever decodes is graded with the orange profile, annotated and
 * graded again to check determinism.  Built with -Dfuzz=true (clang).
 * Run: fuzz-grade tests/models/fuzz-corpus */
#include "pt-models.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  static PtGradeProfile *profile;
  g_autoptr(PtImage) img = NULL;
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtGradeResult) a = NULL;
  g_autoptr(PtGradeResult) b = NULL;
  PtFrame frame;

  if (profile == NULL) {
    profile = pt_grade_profile_load("orange-unece", NULL);
    if (profile == NULL)
      abort();
  }
  /* Keep each run cheap: the decoder's own limit is tested elsewhere. */
  img = pt_image_decode(data, size, NULL);
  if (img == NULL || (gint64)img->width * img->height > 4 * 1000 * 1000)
    return 0;
  grader = pt_grader_new(profile, 0.3, NULL);
  pt_image_as_frame(img, &frame);
  a = pt_grader_grade(grader, &frame, NULL, 0, NULL);
  b = pt_grader_grade(grader, &frame, NULL, 0, NULL);
  if (a == NULL || b == NULL || a->n_fruit != b->n_fruit ||
      memcmp(a->fruit, b->fruit, a->n_fruit * sizeof(PtFruit)) != 0)
    abort();
  pt_annotate_draw(img, a);
  return 0;
}

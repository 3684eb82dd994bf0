/* fuzz-grade.c: libFuzzer target for image decoding and grading.
 *
 * The input is an encoded image (JPEG or PNG, as `packtrace grade` reads
 * them); whatever decodes is graded with the orange profile, annotated and
 * graded again to check determinism, at a scale and without one (whole, and
 * through a ROI over its middle, as photos are graded).  Built with
 * -Dfuzz=true (clang).
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
  pt_image_as_frame(img, &frame);
  for (int pass = 0; pass < 3; pass++) {
    PtRoi roi = {img->width / 4, img->height / 4, MAX(4, img->width / 2), MAX(4, img->height / 2)};
    gboolean use_roi = pass == 2 && img->width >= 8 && img->height >= 8;

    grader = pass == 0 ? pt_grader_new(profile, 0.3, NULL) : pt_grader_new_unscaled(profile, NULL);
    a = pt_grader_grade(grader, &frame, use_roi ? &roi : NULL, use_roi, NULL);
    b = pt_grader_grade(grader, &frame, use_roi ? &roi : NULL, use_roi, NULL);
    if (a == NULL || b == NULL || a->n_fruit != b->n_fruit ||
        memcmp(a->fruit, b->fruit, a->n_fruit * sizeof(PtFruit)) != 0)
      abort();
    if (pass == 2)
      pt_annotate_draw(img, a);
    g_clear_pointer(&a, pt_grade_result_free);
    g_clear_pointer(&b, pt_grade_result_free);
    g_clear_pointer(&grader, pt_grader_free);
  }
  return 0;
}

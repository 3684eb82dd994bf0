/* pt-calib.c: mm per pixel from a disc or square of known size in view.
 *
 * The reference is found with the grader's own segmentation and edge (at
 * one unit per pixel and no size floor), so a calibration and the fruit it
 * later sizes share the same threshold bias.  Among the objects in view the
 * one closest to the asked shape wins: a disc by roundness and fill of its
 * circle, a square by fill of its side and its diagonal. */
#include "pt-internal.h"

#include <math.h>

gboolean
pt_calibrate_from_reference(const PtFrame *frame, PtReferenceShape shape, double size_mm,
                            double *mm_per_px, GError **error)
{
  g_autoptr(PtGradeProfile) profile = g_new0(PtGradeProfile, 1);
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtGradeResult) result = NULL;
  double best_score = 0, best_width = 0;

  if (!(size_mm > 0) || !isfinite(size_mm)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID,
                "reference size must be a positive length in mm (got %g)", size_mm);
    return FALSE;
  }
  /* A profile with no limits: only geometry is wanted. */
  g_strlcpy(profile->name, "calibration", sizeof profile->name);
  for (int k = 0; k < PT_N_CLASSES; k++) {
    profile->min_ripe_fraction[k] = profile->max_green_fraction[k] = -1;
    profile->max_defect_area_cm2[k] = profile->max_defect_length_mm[k] = -1;
    profile->max_defect_count[k] = profile->max_russet_area_cm2[k] = -1;
  }
  profile->ripe_hue[0] = profile->green_hue[0] = -1;
  profile->dark_ratio = 0.72;
  profile->bright_ratio = 1.45;
  profile->min_defect_mm2 = 4;
  grader = pt_grader_new(profile, 1.0, error);
  if (grader == NULL)
    return FALSE;
  result = pt_grader_grade(grader, frame, NULL, 0, error);
  if (result == NULL)
    return FALSE;

  for (guint i = 0; i < result->n_fruit; i++) {
    const PtFruit *f = &result->fruit[i];
    double score;

    if (f->partial || f->diameter_mm <= 0)
      continue;
    if (shape == PT_REFERENCE_DISC) {
      double fill = f->area_mm2 / (G_PI * 0.25 * f->diameter_mm * f->diameter_mm);
      double round = f->diameter_mm / f->length_mm;

      score = 1 - fabs(1 - fill) - 2 * (1 - round);
    } else {
      double fill = f->area_mm2 / (f->diameter_mm * f->diameter_mm);
      double diag = f->length_mm / (f->diameter_mm * G_SQRT2);

      score = 1 - fabs(1 - fill) - 2 * fabs(1 - diag);
    }
    if (score > best_score) {
      best_score = score;
      best_width = f->diameter_mm;
    }
  }
  if (best_score < 0.85) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_NOT_FOUND,
                "no %s reference object found in view",
                shape == PT_REFERENCE_DISC ? "round" : "square");
    return FALSE;
  }
  *mm_per_px = size_mm / best_width;
  return TRUE;
}

/* pt-calib.h: measuring mm per pixel from a reference object in view.
 *
 * The station's `packtrace calibrate` lays a disc or square of known size on
 * the belt (at fruit-equator height); the grader's own segmentation finds it,
 * so the calibration sees the object exactly as fruit will be seen. */
#pragma once

#include "pt-image.h"

G_BEGIN_DECLS

typedef enum {
  PT_REFERENCE_DISC,
  PT_REFERENCE_SQUARE,
} PtReferenceShape;

/* Finds the object in @frame that best matches @shape and returns the
 * scale so that its width (disc diameter, square side) is @size_mm.
 * Fails with PT_MODELS_ERROR_NOT_FOUND when nothing in view is close
 * enough to the shape.  @frame: (transfer none). */
gboolean pt_calibrate_from_reference(const PtFrame *frame, PtReferenceShape shape, double size_mm,
                                     double *mm_per_px, GError **error);

G_END_DECLS

/* pt-grader.h: the grader: a frame in, one PtFruit per fruit out.
 *
 *   g_autoptr (PtGradeProfile) profile = pt_grade_profile_load ("orange-unece", &error);
 *   g_autoptr (PtGrader) grader = pt_grader_new (profile, 0.3, &error);
 *   g_autoptr (PtGradeResult) result = pt_grader_grade (grader, &frame, NULL, 0, &error);
 *   for (guint i = 0; i < result->n_fruit; i++)
 *     printf ("%s %.1f mm\n", pt_grade_class_to_string (result->fruit[i].klass),
 *             result->fruit[i].diameter_mm);
 *
 * A grader keeps scratch buffers between frames, so one grader serves one
 * thread; it never keeps state that changes a result, so the same frame
 * always gives the same bytes back. */
#pragma once

#include "pt-image.h"
#include "pt-profile.h"

G_BEGIN_DECLS

typedef enum {
  PT_DEFECT_DARK_SPOT,
  PT_DEFECT_BRUISE,
  PT_DEFECT_MOULD,
  PT_DEFECT_RUSSET,
  PT_DEFECT_CUT,
  PT_DEFECT_SCAR, /* a healed skin blemish: a patch that lost the peel's colour, not decay */
} PtDefectKind;

typedef struct {
  int x, y, width, height; /* bounding box, image pixels */
  double area_mm2;         /* on the fruit surface (foreshortening undone) */
  double length_mm;        /* longest extent along the surface */
  double contrast;         /* mean luma relative to the sound peel around it */
  PtDefectKind kind;
} PtDefect;

typedef struct {
  double x, y;
} PtPoint;

typedef struct {
  int x, y, width, height;               /* bounding box, image pixels */
  double cx, cy;                         /* centroid, image pixels */
  PtPoint outline[PT_FRUIT_MAX_OUTLINE]; /* convex outline, image pixels */
  guint n_outline;
  gboolean partial; /* cut by the frame edge: measured, not graded */

  double diameter_mm;    /* equatorial: narrowest caliper width of the outline */
  double length_mm;      /* widest caliper width */
  double area_mm2;       /* silhouette area */
  double weight_g;       /* estimate from the profile's weight_k, 0 if none */
  double ripe_fraction;  /* share of sound peel in the ripe hue range */
  double green_fraction; /* share of sound peel in the green hue range */

  PtDefect defects[PT_FRUIT_MAX_DEFECTS]; /* largest first */
  guint n_defects;                        /* entries in defects[] */
  guint defect_count;                     /* all regions found, may exceed n_defects */
  double defect_total_mm2;
  double defect_largest_mm2;
  double defect_longest_mm;
  double russet_mm2;
  guint n_stickers; /* stickers found and left out of the defects */

  char size_code[8]; /* "" when no band of the profile holds the size */
  PtGradeClass klass;
  char rule[96]; /* the rule that decided the class */
  /* Graded without a scale (pt_grader_new_unscaled()): diameter, length, area, weight and
   * size code are 0 or "", size decides nothing, and defect sizes are taken on a fruit of
   * the profile's nominal diameter, i.e. as shares of this fruit's surface. */
  gboolean size_unknown;
  double confidence; /* 0..1: how far the fruit is from the deciding limits */
} PtFruit;

typedef struct {
  guint n_fruit;
  PtFruit *fruit;   /* n_fruit entries, sorted top to bottom, left to right */
  double mm_per_px; /* 0 when graded without a scale */
} PtGradeResult;

typedef struct {
  int x, y, width, height;
} PtRoi;

typedef struct _PtGrader PtGrader;

/* @profile: (transfer none): copied.  @mm_per_px must be > 0.
 * Returns: (transfer full). */
PtGrader *pt_grader_new(const PtGradeProfile *profile, double mm_per_px, GError **error);
/* A grader for images without a scale (photos): no fruit is sized, so size never decides a
 * class; each fruit's defects are measured as if it had the profile's nominal diameter
 * (pt_grade_profile_nominal_diameter()), and, whole frame or ROI, against the fruit's own
 * peel in L*a*b* (a photo's light is not a belt's).  @profile: (transfer none): copied.
 * Returns: (transfer full). */
PtGrader *pt_grader_new_unscaled(const PtGradeProfile *profile, GError **error);
void pt_grader_free(PtGrader *grader);

/* Grades every fruit in @frame, or exactly one fruit per ROI when @n_rois
 * > 0: each ROI holds one fruit, found inside it without a belt model (the
 * ROI may cut the fruit or hold a neighbour's edge), and gives exactly one
 * entry, in ROI order; one that cannot be graded (too small, too dark, no
 * fruit) has class PT_CLASS_NONE, the ROI as its box and the reason in rule.
 * An empty frame, a ROI outside the frame or too many ROIs is an error; a
 * frame without fruit gives a result with n_fruit 0.
 * @frame, @rois: (transfer none).  Returns: (transfer full). */
PtGradeResult *pt_grader_grade(PtGrader *grader, const PtFrame *frame, const PtRoi *rois,
                               guint n_rois, GError **error);
void pt_grade_result_free(PtGradeResult *result);

/* Re-derives @fruit's weight estimate, size code, class, rule and
 * confidence from its measures the way the grader does for one view; for
 * callers that combine several views of one fruit into one record.  The
 * confidence never rises above the one @fruit had (it carries the trust in
 * the silhouette, which the measures alone do not).  @profile: (transfer none). */
void pt_grader_decide(const PtGradeProfile *profile, PtFruit *fruit);

/* Names the grading method in records ("pt:modelVersion"): bumped whenever
 * the same frame and profile would grade differently.  (transfer none) */
const char *pt_grader_version(void);

const char *pt_defect_kind_to_string(PtDefectKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtGrader, pt_grader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtGradeResult, pt_grade_result_free)

G_END_DECLS
